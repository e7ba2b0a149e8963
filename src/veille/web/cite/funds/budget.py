"""Budget arithmetic of a cité: fund balance, budget tables and the State / collectivities ratio.

Every amount is a ``Decimal`` in euros; nothing goes through a float. The rules are written out in
``docs/cite-educative.md``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum

from veille.web.cite.actions.models import ZERO, Action, BudgetLine, Funder

from .models import DEFAULT_CONTRIBUTION, STATE_CONTRIBUTORS, Commitment, Contribution, Contributor, Payment

if TYPE_CHECKING:
    from veille.web.cite.cites.models import Cite

#: Funders counted on each side of the co-financing ratio (CAF and others count on neither).
STATE_FUNDERS = frozenset({Funder.STATE_147})
COLLECTIVITY_FUNDERS = frozenset({Funder.COMMUNE, Funder.DEPARTMENT, Funder.REGION})
COLLECTIVITY_CONTRIBUTORS = frozenset(
    {Contributor.COMMUNE, Contributor.INTERCOMMUNALITY, Contributor.DEPARTMENT, Contributor.REGION}
)


def ensure_default_contributions(cite: Cite, year: int) -> list[Contribution]:
    """The State's two yearly contributions (15 000 € + 15 000 €), created if missing; returns new ones."""
    created = []
    for contributor in (Contributor.MINISTRY_CITY, Contributor.EDUCATION):
        obj, new = Contribution.objects.get_or_create(
            cite=cite, year=year, contributor=contributor, defaults={"amount": DEFAULT_CONTRIBUTION}
        )
        if new:
            created.append(obj)
    return created


@dataclass(frozen=True)
class FundYear:
    """The fund's account for one year."""

    year: int
    contributions: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def uncommitted(self) -> Decimal:
        """Still free to grant this year."""
        return self.contributions - self.committed

    @property
    def cash(self) -> Decimal:
        """Money received and not yet paid out."""
        return self.contributions - self.paid

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid


def fund_years(cite: Cite) -> list[FundYear]:
    """The fund's account year by year (commitments and payments counted in the commitment's year)."""
    contributions = dict(
        Contribution.objects.filter(cite=cite)
        .values_list("year")
        .annotate(s=Sum("amount"))
        .values_list("year", "s")
    )
    committed = dict(
        Commitment.objects.filter(cite=cite)
        .values_list("year")
        .annotate(s=Sum("amount"))
        .values_list("year", "s")
    )
    paid = dict(
        Payment.objects.filter(commitment__cite=cite)
        .values_list("commitment__year")
        .annotate(s=Sum("amount"))
        .values_list("commitment__year", "s")
    )
    years = sorted(set(contributions) | set(committed) | set(paid))
    return [
        FundYear(y, contributions.get(y) or ZERO, committed.get(y) or ZERO, paid.get(y) or ZERO)
        for y in years
    ]


def fund_total(cite: Cite, rows: list[FundYear] | None = None) -> FundYear:
    """All years together (``year`` is 0): the fund's balance since the label."""
    rows = fund_years(cite) if rows is None else rows
    return FundYear(
        0,
        sum((r.contributions for r in rows), ZERO),
        sum((r.committed for r in rows), ZERO),
        sum((r.paid for r in rows), ZERO),
    )


@dataclass
class Table:
    """A two-way table of amounts: ``cells[row][column]``, with totals."""

    rows: list[str]
    columns: list[str]
    cells: dict[str, dict[str, Decimal]]

    def row_total(self, row: str) -> Decimal:
        return sum((self.cells[row].get(c, ZERO) for c in self.columns), ZERO)

    def column_total(self, column: str) -> Decimal:
        return sum((self.cells[r].get(column, ZERO) for r in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((self.row_total(r) for r in self.rows), ZERO)

    def as_rows(self) -> list[tuple[str, list[Decimal], Decimal]]:
        return [(r, [self.cells[r].get(c, ZERO) for c in self.columns], self.row_total(r)) for r in self.rows]

    def column_totals(self) -> list[Decimal]:
        return [self.column_total(c) for c in self.columns]


def _lines(cite: Cite, *, include_proposed: bool) -> QuerySet[BudgetLine]:
    actions = Action.objects.filter(cite=cite)
    if not include_proposed:
        actions = actions.programmed()
    return BudgetLine.objects.filter(action__in=actions)


def table_by_funder_and_year(cite: Cite, *, include_proposed: bool = False) -> Table:
    """Planned budget: rows are funders (labels), columns are years."""
    cells: dict[str, dict[str, Decimal]] = defaultdict(dict)
    years: set[int] = set()
    for funder, year, amount in (
        _lines(cite, include_proposed=include_proposed)
        .values_list("funder", "year")
        .annotate(s=Sum("amount"))
        .values_list("funder", "year", "s")
    ):
        cells[Funder(funder).label][str(year)] = amount
        years.add(year)
    rows = [f.label for f in Funder if f.label in cells]
    return Table(rows, [str(y) for y in sorted(years)], {r: cells[r] for r in rows})


def table_by_objective_and_funder(cite: Cite, *, include_proposed: bool = False) -> Table:
    """Planned budget: rows are objectives, columns are funders.

    An action attached to several objectives counts under the objective of its first sub-objective
    (lowest code), so that every euro is counted once.
    """
    cells: dict[str, dict[str, Decimal]] = defaultdict(dict)
    lines = _lines(cite, include_proposed=include_proposed).select_related("action")
    first_objective: dict[int, str] = {}
    actions = Action.objects.filter(pk__in=lines.values("action")).prefetch_related(
        "sub_objectives__objective"
    )
    for action in actions:
        subs = sorted(action.sub_objectives.all(), key=lambda s: (s.objective.number, s.position))
        first_objective[action.pk] = f"Objectif {subs[0].objective.number}" if subs else "Sans objectif"
    for line in lines:
        row = first_objective[line.action_id]
        label = line.get_funder_display()
        cells[row][label] = cells[row].get(label, ZERO) + line.amount
    columns = [f.label for f in Funder if any(f.label in c for c in cells.values())]
    return Table(sorted(cells), columns, dict(cells))


def fund_shares(cite: Cite) -> dict[int, tuple[Decimal, Decimal]]:
    """Year -> (State's share, collectivities' share) of the fund's contributions, in one query.

    A year without contributions is absent: its shares are 1 and 0 (only the default 30 000 €)."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for year, contributor, amount in (
        Contribution.objects.filter(cite=cite)
        .order_by()
        .values_list("year", "contributor")
        .annotate(s=Sum("amount"))
        .values_list("year", "contributor", "s")
    ):
        totals[year][contributor] = amount or ZERO
    shares = {}
    for year, by_contributor in totals.items():
        total = sum(by_contributor.values(), ZERO)
        if total == ZERO:
            continue
        state = sum((a for c, a in by_contributor.items() if c in STATE_CONTRIBUTORS), ZERO)
        coll = sum((a for c, a in by_contributor.items() if c in COLLECTIVITY_CONTRIBUTORS), ZERO)
        shares[year] = (state / total, coll / total)
    return shares


def state_share_of_fund(cite: Cite, year: int) -> Decimal:
    """Share of the year's fund contributions paid by the State (1 when only the default 30 000 €)."""
    return fund_shares(cite).get(year, (Decimal(1), Decimal(0)))[0]


def collectivity_share_of_fund(cite: Cite, year: int) -> Decimal:
    return fund_shares(cite).get(year, (Decimal(1), Decimal(0)))[1]


CENT = Decimal("0.01")


@dataclass(frozen=True)
class CoFinancing:
    state: Decimal
    collectivities: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """Euros of collectivities for one euro of State, to 2 decimals (None without State money)."""
        if self.state == ZERO:
            return None
        return (self.collectivities / self.state).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def state_percent(self) -> Decimal | None:
        """State share of State + collectivities, in percent to 1 decimal (50.0 is perfectly balanced)."""
        total = self.state + self.collectivities
        if total == ZERO:
            return None
        return (self.state * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def co_financing(cite: Cite, year: int | None = None, *, include_proposed: bool = False) -> CoFinancing:
    """The State / collectivities co-financing of the planned budget (one year, or all years).

    State: programme 147 lines, plus the fonds de la cité lines in proportion of the State's share of
    that year's contributions to the fund. Collectivities: commune, département and région lines, plus
    the fund lines in proportion of the collectivities' share of the contributions. CAF and other
    funders count on neither side. Each side is rounded to the cent.
    """
    by_year, total = co_financing_by_year(cite, include_proposed=include_proposed)
    if year is None:
        return total
    return by_year.get(year, CoFinancing(ZERO, ZERO))


def co_financing_by_year(
    cite: Cite, *, include_proposed: bool = False
) -> tuple[dict[int, CoFinancing], CoFinancing]:
    """Each year's co-financing and all years', in two queries whatever the number of years and lines."""
    shares = fund_shares(cite)
    sides: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for funder, y, amount in (
        _lines(cite, include_proposed=include_proposed)
        .order_by()
        .values_list("funder", "year")
        .annotate(s=Sum("amount"))
        .values_list("funder", "year", "s")
    ):
        if funder in STATE_FUNDERS:
            sides[y][0] += amount
        elif funder in COLLECTIVITY_FUNDERS:
            sides[y][1] += amount
        elif funder == Funder.CITE_FUND:
            state_share, coll_share = shares.get(y, (Decimal(1), Decimal(0)))
            sides[y][0] += amount * state_share
            sides[y][1] += amount * coll_share

    def rounded(state: Decimal, collectivities: Decimal) -> CoFinancing:
        return CoFinancing(
            state.quantize(CENT, rounding=ROUND_HALF_UP),
            collectivities.quantize(CENT, rounding=ROUND_HALF_UP),
        )

    by_year = {y: rounded(s, c) for y, (s, c) in sides.items()}
    total = rounded(sum((s for s, _ in sides.values()), ZERO), sum((c for _, c in sides.values()), ZERO))
    return by_year, total
