"""The indicators and the funnel computed from a commune's cases and case events. No stored counter:
every figure is recounted from the events each time it is asked for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import DateField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from veille.compulsory import SchoolYear
from veille.web.cellule.cases.models import Case, CaseEvent, CaseQuerySet, Origin
from veille.web.cellule.cases.procedure import BY_NAME, CaseStep
from veille.web.cellule.imports.models import CrossingRun, RunStatus

from .computations import AGE_BANDS, Period, mask, median_days, school_year_period
from .definitions import ACTION_KINDS, INDICATORS, OUTCOMES, Indicator

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _Day(TypedDict):
        day: date

    #: events with the day they count on (``dated_events``)
    DatedEvents = QuerySet[WithAnnotations[CaseEvent, _Day]]


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to, on top of the commune and the period (empty: everything).

    Attributes:
        domain: a ``cases.Domain`` value.
        origin: a ``cases.Origin`` value (the source of the case).
        age_band: a key of ``computations.AGE_BANDS`` (age at the opening of the case).
    """

    domain: str = ""
    origin: str = ""
    age_band: str = ""

    def describe(self) -> list[str]:
        from veille.web.cellule.cases.models import Domain

        parts = []
        if self.domain:
            parts.append(f"domaine : {Domain(self.domain).label}")
        if self.origin:
            parts.append(f"origine : {Origin(self.origin).label}")
        if self.age_band:
            parts.append(f"âge : {AGE_BANDS[self.age_band][0]}")
        return parts


NO_FILTER = Filters()


def filtered_cases(commune: Any, filters: Filters = NO_FILTER) -> CaseQuerySet:
    """The commune's cases matching the filters (purged cases included: they stay countable)."""
    cases = Case.objects.filter(commune=commune)
    if filters.domain:
        cases = cases.filter(domain=filters.domain)
    if filters.origin:
        cases = cases.filter(origin=filters.origin)
    if filters.age_band:
        _, low, high = AGE_BANDS[filters.age_band]
        if low is None:
            cases = cases.filter(age_at_opening__isnull=True)
        else:
            cases = cases.filter(age_at_opening__gte=low)
            if high is not None:
                cases = cases.filter(age_at_opening__lte=high)
    return cases


def dated_events(cases: QuerySet[Case]) -> DatedEvents:
    """The events of these cases, each with ``day``: the day of the act, else the day it was logged."""
    return CaseEvent.objects.filter(case__in=cases).annotate(
        day=Coalesce("effective_date", TruncDate("at"), output_field=DateField())
    )


def indicator_events(indicator: Indicator, cases: QuerySet[Case], period: Period) -> QuerySet[CaseEvent]:
    """The events an indicator counts in a period."""
    events = dated_events(cases).filter(kind__in=indicator.kinds, day__gte=period.start, day__lte=period.end)
    if indicator.after_kind:
        earlier = CaseEvent.objects.filter(
            case=OuterRef("case"), kind=indicator.after_kind, pk__lt=OuterRef("pk")
        )
        events = events.filter(Exists(earlier))
    return events


def indicator_value(indicator: Indicator, cases: QuerySet[Case], period: Period) -> int:
    events = indicator_events(indicator, cases, period)
    if indicator.distinct_cases:
        return events.values("case").distinct().count()
    return events.count()


def indicator_values(commune: Any, period: Period, filters: Filters = NO_FILTER) -> dict[str, int]:
    """Every indicator of ``definitions.INDICATORS`` for one commune and period, by key, in order."""
    return indicator_values_by_period(commune, [period], filters)[0]


def indicator_values_by_period(
    commune: Any, periods: Sequence[Period], filters: Filters = NO_FILTER
) -> list[dict[str, int]]:
    """:func:`indicator_values` for several periods, from one reading of the events.

    The same counts as :func:`indicator_value`, made here rather than by one query per indicator and
    period: the dashboard asks for 8 indicators over the period and up to 5 school years, and building
    those 48 queries cost more than counting a commune's events in Python.
    """
    after_kinds = {i.after_kind for i in INDICATORS if i.after_kind}
    wanted = {kind for i in INDICATORS for kind in i.kinds} | after_kinds
    events = (
        dated_events(filtered_cases(commune, filters))
        .filter(kind__in=wanted)
        .order_by()
        .values_list("pk", "case_id", "kind", "day")
    )
    by_kind: dict[str, list[tuple[int, int, date]]] = defaultdict(list)
    #: (case, kind) -> its first event of that kind, for « after an event of this kind »
    first_of: dict[tuple[int, str], int] = {}
    for pk, case_id, kind, day in events:
        if day is not None:
            by_kind[kind].append((pk, case_id, day))
        if kind in after_kinds and pk < first_of.get((case_id, kind), pk + 1):
            first_of[(case_id, kind)] = pk
    results = []
    for period in periods:
        values = {}
        for indicator in INDICATORS:
            counted = [
                (pk, case_id)
                for kind in indicator.kinds
                for pk, case_id, day in by_kind.get(kind, ())
                if period.start <= day <= period.end
                and (not indicator.after_kind or first_of.get((case_id, indicator.after_kind), pk) < pk)
            ]
            values[indicator.key] = len({c for _, c in counted}) if indicator.distinct_cases else len(counted)
        results.append(values)
    return results


def first_event_day(commune: Any) -> date | None:
    """The day of the commune's earliest case event (where its history, hence its trends, start)."""
    first = dated_events(Case.objects.filter(commune=commune)).order_by("day").values_list("day", flat=True)
    return first.first()


def trends(
    commune: Any, last: SchoolYear, filters: Filters = NO_FILTER, *, max_years: int = 5
) -> list[tuple[SchoolYear, dict[str, int]]]:
    """The indicators of each school year from the commune's first event up to ``last`` (at most 5)."""
    years = trend_years(commune, last, max_years=max_years)
    yearly = indicator_values_by_period(commune, [school_year_period(y) for y in years], filters)
    return list(zip(years, yearly, strict=True))


def trend_years(commune: Any, last: SchoolYear, *, max_years: int = 5) -> list[SchoolYear]:
    """The school years of :func:`trends`: from the commune's first event up to ``last`` (at most 5)."""
    first_day = first_event_day(commune)
    first = SchoolYear.current(first_day).first if first_day else last.first
    return [SchoolYear(y) for y in range(max(first, last.first - max_years + 1), last.first + 1)]


# The funnel of a school year


@dataclass
class FunnelStep:
    key: str
    label: str
    value: int | None
    definition: str


@dataclass
class Funnel:
    """The crossing's funnel for one school year: from the children crossed to the cases' outcomes."""

    year: SchoolYear
    steps: list[FunnelStep]
    outcomes: list[FunnelStep]
    delays: list[tuple[str, float | None, int]]  # label, median days, number of cases measured
    overdue: int
    run_id: int | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int | None]:
        return {s.key: s.value for s in [*self.steps, *self.outcomes]} | {"en_retard": self.overdue}


def _opening_days(cases: CaseQuerySet) -> CaseQuerySet:
    opening = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind="opening").order_by("pk").values("effective_date")
    )
    return cases.annotate(
        opened_on=Coalesce(Subquery(opening[:1]), TruncDate("opened_at"), output_field=DateField())
    )


def crossing_cohort(commune: Any, year: SchoolYear, filters: Filters = NO_FILTER) -> CaseQuerySet:
    """Cases opened from the crossing (origin ``croisement``) during a school year."""
    cases = _opening_days(filtered_cases(commune, filters)).filter(origin=Origin.CROSSING)
    # The annotation of _opening_days is lost to the type: a CaseQuerySet cannot carry it (not generic).
    return cases.filter(opened_on__gte=year.start, opened_on__lte=year.end)  # type: ignore[misc]


def funnel(commune: Any, year: SchoolYear, today: date, filters: Filters = NO_FILTER) -> Funnel:
    """The funnel of one school year (see ``docs/indicateurs.md`` for each step's definition)."""
    run = (
        CrossingRun.objects.listed()
        .filter(commune=commune, school_year=str(year), status=RunStatus.DONE)
        .order_by("-created_at", "-id")
        .first()
    )
    by_status = run.counts.get("statut", {}) if run is not None else {}
    crossed = sum(n for status, n in by_status.items() if status != "hors_obligation") if run else None
    flagged = by_status.get("non_trouve", 0) + by_status.get("incertain", 0) if run else None

    cohort = crossing_cohort(commune, year, filters)
    opened = {c.pk: c.opened_on for c in cohort.only("pk")}  # type: ignore[attr-defined]  # as above
    # first day of each meaningful event per case; closures at verification are false alarms, not outcomes
    first: dict[str, dict[int, date]] = defaultdict(dict)
    outcome_days: dict[str, dict[int, date]] = defaultdict(dict)
    events = dated_events(cohort).filter(kind__in=BY_NAME.keys()).order_by("day", "pk")
    for case_id, kind, from_state, to_state, day in events.values_list(
        "case_id", "kind", "from_state", "to_state", "day"
    ):
        if from_state == CaseStep.VERIFICATION and to_state != CaseStep.VERIFICATION:
            first["verified"].setdefault(case_id, day)
        if kind == "confirm_alert":
            first["alert"].setdefault(case_id, day)
        if kind in ACTION_KINDS:
            first["action"].setdefault(case_id, day)
        if from_state != CaseStep.VERIFICATION:
            for key, (_, kinds) in OUTCOMES.items():
                if kind in kinds:
                    outcome_days[key].setdefault(case_id, day)
                    first["outcome"].setdefault(case_id, day)

    def delays(start: dict[int, date], end: dict[int, date]) -> list[int]:
        return [(end[c] - start[c]).days for c in end if c in start and end[c] >= start[c]]

    steps = [
        FunnelStep("enfants_croises", "Enfants croisés", crossed,
                   "Enfants soumis à l'obligation d'instruction du dernier croisement terminé de l'année."),
        FunnelStep("enfants_signales", "Enfants signalés par le croisement", flagged,
                   "Enfants « non trouvés » et « à vérifier » de ce même croisement."),
        FunnelStep("dossiers_ouverts", "Dossiers ouverts", len(opened),
                   "Dossiers ouverts depuis le croisement pendant l'année (date de l'ouverture)."),
        FunnelStep("verifies", "Vérifications terminées", len(first["verified"]),
                   "Parmi eux, dossiers dont la vérification est terminée (toute étape qui la quitte)."),
        FunnelStep("alertes", "Alertes", len(first["alert"]),
                   "Dossiers dont l'alerte « aucune instruction connue » a été confirmée."),
        FunnelStep("actions", "Actions engagées", len(first["action"]),
                   "Dossiers où la cellule a agi : courrier, convocation, médiation, contrôle, mise en "
                   "demeure ou signalement."),
    ]  # fmt: skip
    outcomes = [
        FunnelStep(key, label, len(outcome_days[key]), "Étapes : " + ", ".join(kinds) + ".")
        for key, (label, kinds) in OUTCOMES.items()
    ]
    delay_rows = [
        ("De l'ouverture à la fin de la vérification", delays(opened, first["verified"])),
        ("De l'ouverture à l'alerte", delays(opened, first["alert"])),
        ("De l'alerte à la première action", delays(first["alert"], first["action"])),
        ("De la première action à l'issue", delays(first["action"], first["outcome"])),
    ]
    overdue = cohort.overdue(today).count()
    notes = [] if run else [f"Aucun croisement terminé pour l'année {year}."]
    return Funnel(
        year=year,
        steps=steps,
        outcomes=outcomes,
        delays=[(label, median_days(values), len(values)) for label, values in delay_rows],
        overdue=overdue,
        run_id=run.pk if run else None,
        notes=notes,
    )


def overdue_cases(commune: Any, today: date, filters: Filters = NO_FILTER) -> int:
    """Open cases of the commune whose running legal deadline has passed."""
    return filtered_cases(commune, filters).overdue(today).count()


def masked_school_year(commune: Any, year: SchoolYear) -> tuple[str, list[tuple[str, int | str]]]:
    """The indicators of one school year, masked: what ``common.cell_figures`` gives the Cité."""
    period = school_year_period(year)
    values = indicator_values(commune, period)
    return period.label, [(i.label, mask(values[i.key])) for i in INDICATORS]
