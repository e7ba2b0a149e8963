"""The figures of a revue de projet, computed from the cité's data for one calendar year.

Nothing here is typed in: governance from the meetings, deployment from the actions and their yearly
execution, finances from ``funds.budget``, evaluation from the indicators, the cell's results from
``common.cell_figures`` (small counts masked, as anything leaving the cell).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from veille.compulsory import SchoolYear
from veille.web.cite.actions.models import (
    ZERO,
    Action,
    BudgetLine,
    Execution,
    Indicator,
    IndicatorValue,
    Status,
)
from veille.web.cite.diagnostic.models import TerritorialIndicator
from veille.web.cite.funds import budget
from veille.web.cite.governance.models import Decision, Meeting
from veille.web.common import cell_figures

if TYPE_CHECKING:
    from veille.web.cite.cites.models import Cite


@dataclass
class ActionRow:
    action: Action
    planned: Decimal
    committed: Decimal
    paid: Decimal
    assessment: str


@dataclass
class ObjectiveBlock:
    title: str
    rows: list[ActionRow] = field(default_factory=list)

    @property
    def planned(self) -> Decimal:
        return sum((r.planned for r in self.rows), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.rows), ZERO)


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: Decimal | None
    previous: Decimal | None

    @property
    def reached_percent(self) -> Decimal | None:
        """Value ÷ target in percent, to the unit (None without a value or a target)."""
        if self.value is None or not self.indicator.target:
            return None
        return (self.value * 100 / self.indicator.target).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass
class YearFigures:
    """Key figures of one year, side by side with the previous year in the comparison table."""

    meetings: int
    decisions: int
    actions_running: int
    planned: Decimal
    committed: Decimal
    paid: Decimal
    contributions: Decimal
    state_percent: Decimal | None


@dataclass
class ReviewFigures:
    year: int
    meetings: list[Meeting]
    blocks: list[ObjectiveBlock]
    status_counts: dict[str, int]
    fund: budget.FundYear
    by_funder: list[tuple[str, Decimal]]
    co_financing: budget.CoFinancing
    indicators: list[IndicatorRow]
    territorial: list[TerritorialIndicator]
    cell: list[tuple[str, list[tuple[str, int | str]]]]
    this_year: YearFigures
    last_year: YearFigures

    def comparison_rows(self) -> list[tuple[str, str, str]]:
        """The comparison formatted the French way (euros, percent)."""
        from veille.web.cite.cites.templatetags.cites import euros, number_fr

        def fmt(label: str, value: object) -> str:
            if value is None:
                return "—"
            if "%" in label:
                # A percent or euro row holds a Decimal (comparison() types every cell as object).
                return number_fr(value)  # type: ignore[arg-type]
            if "€" in label:
                return euros(value)  # type: ignore[arg-type]
            return str(value)

        return [(label, fmt(label, x), fmt(label, y)) for label, x, y in self.comparison()]

    def comparison(self) -> list[tuple[str, object, object]]:
        a, b = self.this_year, self.last_year
        return [
            ("Réunions des instances", a.meetings, b.meetings),
            ("Décisions consignées", a.decisions, b.decisions),
            ("Actions en cours ou réalisées", a.actions_running, b.actions_running),
            ("Budget prévu des actions validées (€)", a.planned, b.planned),
            ("Montants engagés (€)", a.committed, b.committed),
            ("Montants payés (€)", a.paid, b.paid),
            ("Contributions au fonds (€)", a.contributions, b.contributions),
            ("Part de l'État dans le co-financement (%)", a.state_percent, b.state_percent),
        ]


def _year_figures(
    cite: Cite, year: int, funds: dict[int, budget.FundYear], co_financing: dict[int, budget.CoFinancing]
) -> YearFigures:
    executions = Execution.objects.filter(action__cite=cite, year=year)
    fund = funds.get(year)
    return YearFigures(
        meetings=Meeting.objects.filter(cite=cite).in_year(year).count(),
        decisions=Decision.objects.filter(meeting__cite=cite, meeting__held_on__year=year).count(),
        actions_running=Action.objects.in_cite(cite)
        .filter(status__in=[Status.IN_PROGRESS, Status.DONE], start_year__lte=year, end_year__gte=year)
        .count(),
        planned=BudgetLine.objects.filter(
            action__in=Action.objects.in_cite(cite).programmed(), year=year
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO,
        committed=executions.aggregate(s=Sum("committed"))["s"] or ZERO,
        paid=executions.aggregate(s=Sum("paid"))["s"] or ZERO,
        contributions=fund.contributions if fund else ZERO,
        state_percent=co_financing.get(year, budget.CoFinancing(ZERO, ZERO)).state_percent,
    )


def _blocks(cite: Cite, year: int) -> list[ObjectiveBlock]:
    actions = (
        Action.objects.in_cite(cite)
        .programmed()
        .filter(start_year__lte=year, end_year__gte=year)
        .prefetch_related("sub_objectives__objective", "budget_lines", "executions")
    )
    blocks: dict[str, ObjectiveBlock] = {}
    for action in actions:
        subs = sorted(action.sub_objectives.all(), key=lambda s: (s.objective.number, s.position))
        title = str(subs[0].objective) if subs else "Sans objectif"
        execution = next((e for e in action.executions.all() if e.year == year), None)
        row = ActionRow(
            action,
            sum((b.amount for b in action.budget_lines.all() if b.year == year), ZERO),
            execution.committed if execution else ZERO,
            execution.paid if execution else ZERO,
            execution.assessment if execution else "",
        )
        blocks.setdefault(title, ObjectiveBlock(title)).rows.append(row)
    return [blocks[k] for k in sorted(blocks)]


def _indicators(cite: Cite, year: int) -> list[IndicatorRow]:
    values: dict[tuple[int, int], Decimal] = {
        (v.indicator_id, v.year): v.value
        for v in IndicatorValue.objects.filter(indicator__action__cite=cite, year__in=[year, year - 1])
    }
    indicators = Indicator.objects.filter(
        action__in=Action.objects.in_cite(cite).programmed()
    ).select_related("action")
    rows = [IndicatorRow(i, values.get((i.pk, year)), values.get((i.pk, year - 1))) for i in indicators]
    return sorted(rows, key=lambda r: (r.indicator.action.number, r.indicator.kind, r.indicator.pk))


def _cell(cite: Cite, year: int) -> list[tuple[str, list[tuple[str, int | str]]]]:
    """The cell's indicators of the school year ending in ``year``, per Veille commune, masked."""
    result = []
    for link in cite.communes.filter(commune__isnull=False).select_related("commune"):
        commune = link.commune
        assert commune is not None  # filtered above
        label, figures = cell_figures.masked_indicators(commune, SchoolYear(year - 1))
        result.append((f"{commune.name} — {label}", figures))
    return result


def review_figures(cite: Cite, year: int) -> ReviewFigures:
    """Everything the revue de projet of ``year`` shows, with the previous year for comparison."""
    funder_table = budget.table_by_funder_and_year(cite)
    by_funder = [
        (label, funder_table.cells[label].get(str(year), ZERO))
        for label in funder_table.rows
        if funder_table.cells[label].get(str(year))
    ]
    # The fund and the co-financing of every year once, for this year and the comparison with the last.
    funds = {f.year: f for f in budget.fund_years(cite)}
    co_financing, _ = budget.co_financing_by_year(cite)
    fund = funds.get(year) or budget.FundYear(year, ZERO, ZERO, ZERO)
    counts: dict[str, int] = defaultdict(int)
    for status in Action.objects.in_cite(cite).filter(start_year__lte=year).values_list("status", flat=True):
        counts[Status(status).label] += 1
    return ReviewFigures(
        year=year,
        meetings=list(
            Meeting.objects.filter(cite=cite).in_year(year).select_related("instance").order_by("held_on")
        ),
        blocks=_blocks(cite, year),
        status_counts={s.label: counts.get(s.label, 0) for s in Status},
        fund=fund,
        by_funder=by_funder,
        co_financing=co_financing.get(year, budget.CoFinancing(ZERO, ZERO)),
        indicators=_indicators(cite, year),
        territorial=list(TerritorialIndicator.objects.filter(cite=cite, year__in=[year, year - 1])),
        cell=_cell(cite, year),
        this_year=_year_figures(cite, year, funds, co_financing),
        last_year=_year_figures(cite, year - 1, funds, co_financing),
    )
