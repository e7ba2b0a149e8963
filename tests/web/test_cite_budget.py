"""Budget arithmetic of a cité on hand-computed cases: fund balance, tables, co-financing ratio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from veille.web.cite.actions.models import Funder, Status
from veille.web.cite.funds import budget
from veille.web.cite.funds.models import Commitment, Contribution, Contributor, Payment

from .cite_support import make_action

D = Decimal


def test_the_default_contributions_are_fifteen_thousand_euros_twice_and_created_once(cite):
    assert len(budget.ensure_default_contributions(cite, 2024)) == 2
    assert budget.ensure_default_contributions(cite, 2024) == []
    amounts = sorted(Contribution.objects.filter(cite=cite, year=2024).values_list("contributor", "amount"))
    assert amounts == [(Contributor.EDUCATION, D("15000.00")), (Contributor.MINISTRY_CITY, D("15000.00"))]


def test_the_fund_balance_counts_commitments_and_payments_to_the_cent(cite):
    budget.ensure_default_contributions(cite, 2024)
    Contribution.objects.create(cite=cite, year=2024, contributor=Contributor.COMMUNE, amount=D("4999.99"))
    a1 = make_action(cite, status=Status.VALIDATED)
    a2 = make_action(cite, status=Status.IN_PROGRESS, title="Parrainage de lycéens")
    c1 = Commitment.objects.create(
        cite=cite, action=a1, year=2024, amount=D("12000.50"), decided_on=date(2024, 3, 1)
    )
    c2 = Commitment.objects.create(
        cite=cite, action=a2, year=2024, amount=D("8000.25"), decided_on=date(2024, 4, 1)
    )
    Payment.objects.create(commitment=c1, amount=D("6000.25"), paid_on=date(2024, 5, 2))
    Payment.objects.create(commitment=c1, amount=D("6000.25"), paid_on=date(2024, 9, 2))
    Payment.objects.create(commitment=c2, amount=D("0.10"), paid_on=date(2024, 9, 3))
    [year] = budget.fund_years(cite)
    # 30 000 + 4 999,99 = 34 999,99 in; 12 000,50 + 8 000,25 = 20 000,75 committed; 12 000,60 paid.
    assert year.contributions == D("34999.99")
    assert year.committed == D("20000.75")
    assert year.paid == D("12000.60")
    assert year.uncommitted == D("14999.24")
    assert year.to_pay == D("8000.15")
    assert year.cash == D("22999.39")
    assert c1.remaining() == D("0.00") and c2.remaining() == D("8000.15")
    assert isinstance(year.cash, Decimal)


def test_a_payment_beyond_its_commitment_is_refused(cite):
    action = make_action(cite, status=Status.VALIDATED)
    commitment = Commitment.objects.create(
        cite=cite, action=action, year=2024, amount=D("100.00"), decided_on=date(2024, 1, 5)
    )
    Payment.objects.create(commitment=commitment, amount=D("60.00"), paid_on=date(2024, 2, 1))
    with pytest.raises(Exception, match=r"reste à payer : 40\.00"):
        Payment(commitment=commitment, amount=D("40.01"), paid_on=date(2024, 3, 1)).full_clean()
    Payment(commitment=commitment, amount=D("40.00"), paid_on=date(2024, 3, 1)).full_clean()


def test_the_tables_by_funder_year_and_objective_add_up(cite):
    make_action(
        cite,
        codes=("1.4", "2.4"),
        status=Status.VALIDATED,
        budget={
            (2024, Funder.STATE_147): "1000.10",
            (2025, Funder.STATE_147): "500.00",
            (2024, Funder.COMMUNE): "250.05",
        },
    )
    make_action(
        cite,
        codes=("3.1",),
        status=Status.DONE,
        budget={(2024, Funder.CAF): "300.00", (2025, Funder.COMMUNE): "99.95"},
        title="Forum des métiers",
    )
    make_action(
        cite, codes=("2.1",), budget={(2024, Funder.REGION): "7777.77"}, title="Proposition en attente"
    )
    by_year = budget.table_by_funder_and_year(cite)
    assert by_year.columns == ["2024", "2025"]
    assert by_year.cells[Funder.STATE_147.label] == {"2024": D("1000.10"), "2025": D("500.00")}
    assert by_year.row_total(Funder.COMMUNE.label) == D("350.00")
    assert by_year.column_totals() == [D("1550.15"), D("599.95")]
    assert by_year.total == D("2150.10")
    assert Funder.REGION.label not in by_year.rows  # the proposal is not in the programme yet
    assert budget.table_by_funder_and_year(cite, include_proposed=True).total == D("9927.87")
    by_objective = budget.table_by_objective_and_funder(cite)
    # The first action serves 1.4 and 2.4: counted once, under objective 1.
    assert by_objective.row_total("Objectif 1") == D("1750.15")
    assert by_objective.row_total("Objectif 3") == D("399.95")
    assert "Objectif 2" not in by_objective.rows
    assert by_objective.total == by_year.total


def test_the_co_financing_ratio_on_a_hand_computed_case(cite):
    # Fund 2024: State 30 000 + commune 10 000 → the fund is 3/4 State, 1/4 collectivities.
    budget.ensure_default_contributions(cite, 2024)
    Contribution.objects.create(cite=cite, year=2024, contributor=Contributor.COMMUNE, amount=D("10000"))
    Contribution.objects.create(cite=cite, year=2024, contributor=Contributor.CAF, amount=D("0.00"))
    make_action(
        cite,
        status=Status.VALIDATED,
        budget={
            (2024, Funder.STATE_147): "20000.00",
            (2024, Funder.CITE_FUND): "8000.00",
            (2024, Funder.COMMUNE): "9000.00",
            (2024, Funder.DEPARTMENT): "3000.00",
            (2024, Funder.CAF): "5000.00",
            (2025, Funder.STATE_147): "1000.00",
        },
    )
    c2024 = budget.co_financing(cite, 2024)
    # State: 20 000 + 8 000 × 3/4 = 26 000; collectivities: 9 000 + 3 000 + 8 000 × 1/4 = 14 000.
    # CAF counts on neither side.
    assert (c2024.state, c2024.collectivities) == (D("26000.00"), D("14000.00"))
    assert c2024.ratio == D("0.54")  # 14 000 / 26 000 = 0.538…
    assert c2024.state_percent == D("65.0")  # 26 000 / 40 000
    # 2025 has no contribution: a fund line would count as State; here only programme 147.
    c2025 = budget.co_financing(cite, 2025)
    assert (c2025.state, c2025.collectivities, c2025.ratio, c2025.state_percent) == (
        D("1000.00"),
        D("0.00"),
        D("0.00"),
        D("100.0"),
    )
    total = budget.co_financing(cite)
    assert (total.state, total.collectivities) == (D("27000.00"), D("14000.00"))


def test_a_fund_shared_in_thirds_rounds_each_side_to_the_cent(cite):
    Contribution.objects.create(
        cite=cite, year=2024, contributor=Contributor.MINISTRY_CITY, amount=D("10000")
    )
    Contribution.objects.create(cite=cite, year=2024, contributor=Contributor.REGION, amount=D("10000"))
    Contribution.objects.create(cite=cite, year=2024, contributor=Contributor.OTHER, amount=D("10000"))
    make_action(cite, status=Status.VALIDATED, budget={(2024, Funder.CITE_FUND): "100.00"})
    result = budget.co_financing(cite, 2024)
    assert (result.state, result.collectivities) == (D("33.33"), D("33.33"))
    assert result.ratio == D("1.00") and result.state_percent == D("50.0")


def test_without_state_money_the_ratio_is_undefined_not_a_division_error(cite):
    make_action(cite, status=Status.VALIDATED, budget={(2024, Funder.COMMUNE): "10.00"})
    result = budget.co_financing(cite)
    assert result.ratio is None
    assert result.state_percent == D("0.0")
