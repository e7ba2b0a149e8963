"""Fiches action: the state machine, who may fire each step, partners' limits, permissions 403/404."""

from __future__ import annotations

from decimal import Decimal

import pytest

from veille.web.cite.actions.models import Action, BudgetLine, Execution, IndicatorValue, Status, Transition
from veille.web.cite.actions.workflow import TransitionRefused, may_edit, move
from veille.web.cite.cites.models import CiteMembership, Trace
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.framework.models import SubObjective

from .cite_support import make_action, make_cite, make_cite_member, partner, url

S = Status


@pytest.fixture
def seats(cite):
    """One member per role; the partner speaks for the first partner of the directory."""
    return {
        role: CiteMembership.objects.get(user=make_cite_member(cite, role), cite=cite) for role in CiteRole
    }


# (from, to, role, led by the member's organisation, allowed)
TABLE = [
    (S.PROPOSED, S.VALIDATED, CiteRole.TROIKA, False, True),
    (S.PROPOSED, S.VALIDATED, CiteRole.PROJECT_LEAD, False, False),
    (S.PROPOSED, S.VALIDATED, CiteRole.PARTNER, True, False),
    (S.PROPOSED, S.VALIDATED, CiteRole.OBSERVER, False, False),
    (S.PROPOSED, S.ABANDONED, CiteRole.TROIKA, False, True),
    (S.PROPOSED, S.ABANDONED, CiteRole.PROJECT_LEAD, False, True),
    (S.PROPOSED, S.ABANDONED, CiteRole.PARTNER, True, False),
    (S.PROPOSED, S.IN_PROGRESS, CiteRole.PROJECT_LEAD, False, False),
    (S.PROPOSED, S.DONE, CiteRole.TROIKA, False, False),
    (S.VALIDATED, S.IN_PROGRESS, CiteRole.PROJECT_LEAD, False, True),
    (S.VALIDATED, S.IN_PROGRESS, CiteRole.PARTNER, True, True),
    (S.VALIDATED, S.IN_PROGRESS, CiteRole.PARTNER, False, False),
    (S.VALIDATED, S.IN_PROGRESS, CiteRole.TROIKA, False, False),
    (S.VALIDATED, S.DONE, CiteRole.PROJECT_LEAD, False, False),
    (S.VALIDATED, S.PROPOSED, CiteRole.TROIKA, False, False),
    (S.VALIDATED, S.ABANDONED, CiteRole.TROIKA, False, True),
    (S.IN_PROGRESS, S.DONE, CiteRole.PROJECT_LEAD, False, True),
    (S.IN_PROGRESS, S.DONE, CiteRole.PARTNER, True, True),
    (S.IN_PROGRESS, S.DONE, CiteRole.PARTNER, False, False),
    (S.IN_PROGRESS, S.DONE, CiteRole.OBSERVER, False, False),
    (S.IN_PROGRESS, S.ABANDONED, CiteRole.PROJECT_LEAD, False, True),
    (S.IN_PROGRESS, S.VALIDATED, CiteRole.TROIKA, False, False),
    (S.DONE, S.IN_PROGRESS, CiteRole.PROJECT_LEAD, False, False),
    (S.DONE, S.ABANDONED, CiteRole.TROIKA, False, False),
    (S.ABANDONED, S.PROPOSED, CiteRole.PROJECT_LEAD, False, False),
    (S.ABANDONED, S.VALIDATED, CiteRole.TROIKA, False, False),
]


@pytest.mark.parametrize(("source", "target", "role", "led", "allowed"), TABLE)
def test_the_state_machine_allows_only_its_steps_to_the_right_people(
    cite, seats, source, target, role, led, allowed
):
    lead = partner(cite, 0) if led else partner(cite, 1)
    action = make_action(cite, status=source, lead=lead)
    membership = seats[role]
    if allowed:
        step = move(action, target, membership=membership, comment="motif")
        action.refresh_from_db()
        assert action.status == target
        assert (step.from_status, step.to_status, step.by) == (source, target, membership.user)
    else:
        with pytest.raises(TransitionRefused):
            move(action, target, membership=membership, comment="motif")
        action.refresh_from_db()
        assert action.status == source
        assert not Transition.objects.filter(action=action).exists()


def test_a_refusal_needs_a_reason(cite, seats):
    action = make_action(cite)
    with pytest.raises(TransitionRefused, match="motif"):
        move(action, S.ABANDONED, membership=seats[CiteRole.TROIKA], comment="  ")


def test_a_member_of_another_cite_cannot_move_an_action_even_with_the_right_role(cite, db):
    other = make_cite("autre-cite", "Cité des Peupliers")
    troika_elsewhere = CiteMembership.objects.get(user=make_cite_member(other, CiteRole.TROIKA))
    action = make_action(cite)
    with pytest.raises(TransitionRefused):
        move(action, S.VALIDATED, membership=troika_elsewhere)


def test_the_troika_validates_a_proposed_action_from_its_page_and_the_history_shows_it(
    cite, seats, client_as
):
    action = make_action(cite)
    client = client_as(seats[CiteRole.TROIKA].user)
    page = client.get(url("actions:detail", pk=action.pk))
    assert "Valider (troïka)" in page.content.decode()
    response = client.post(
        url("actions:transition", pk=action.pk), {"to": "validated", "comment": "Accord unanime"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == S.VALIDATED
    assert Transition.objects.get(action=action).comment == "Accord unanime"
    assert Trace.objects.filter(cite=cite, verb="changement d'état", object_id=str(action.pk)).exists()
    assert "Accord unanime" in client.get(url("actions:detail", pk=action.pk)).content.decode()


def test_an_observer_posting_a_validation_changes_nothing(cite, seats, client_as):
    action = make_action(cite)
    client_as(seats[CiteRole.OBSERVER].user).post(
        url("actions:transition", pk=action.pk), {"to": "validated"}
    )
    action.refresh_from_db()
    assert action.status == S.PROPOSED


def test_a_partner_cannot_edit_another_partners_action(cite, seats, client_as):
    mine, theirs = make_action(cite, lead=partner(cite, 0)), make_action(cite, lead=partner(cite, 1))
    membership = seats[CiteRole.PARTNER]
    assert may_edit(membership, mine) and not may_edit(membership, theirs)
    client = client_as(membership.user)
    assert client.get(url("actions:edit", pk=theirs.pk)).status_code == 403
    data = {
        "title": "Détourné",
        "description": "x",
        "sub_objectives": [],
        "start_year": 2024,
        "end_year": 2024,
    }
    assert client.post(url("actions:edit", pk=theirs.pk), data).status_code == 403
    assert (
        client.post(
            url("actions:budget", pk=theirs.pk), {"year": 2024, "funder": "caf", "amount": "1"}
        ).status_code
        == 403
    )
    theirs.refresh_from_db()
    assert theirs.title != "Détourné" and not theirs.budget_lines.exists()
    assert client.get(url("actions:edit", pk=mine.pk)).status_code == 200
    response = client.post(
        url("actions:budget", pk=mine.pk), {"year": 2024, "funder": "caf", "amount": "1250,50"}
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get(action=mine).amount == Decimal("1250.50")


def test_a_partner_proposes_an_action_led_by_its_own_organisation_only(cite, seats, client_as):
    client = client_as(seats[CiteRole.PARTNER].user)
    sub = SubObjective.objects.current().get(code="2.5")
    response = client.post(
        url("actions:create"),
        {
            "title": "Orchestre à l'école",
            "description": "Un orchestre dans chaque école élémentaire.",
            "sub_objectives": [sub.pk],
            "lead_partner": partner(cite, 1).pk,  # ignored: the field is locked to its organisation
            "publics": ["6-11"],
            "time_slots": ["scolaire"],
            "start_year": 2025,
            "end_year": 2026,
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(cite=cite, title="Orchestre à l'école")
    assert action.lead_partner == partner(cite, 0)
    assert action.status == S.PROPOSED and action.number == 1
    assert Trace.objects.filter(cite=cite, verb="création", object_type="actions.action").exists()


def test_a_user_of_another_cite_cannot_see_this_cites_draft_actions(cite, client_as, db):
    draft = make_action(cite, title="Projet confidentiel en préparation")
    other = make_cite("autre-cite", "Cité des Peupliers")
    outsider = make_cite_member(other, CiteRole.PROJECT_LEAD)
    client = client_as(outsider)
    assert client.get(url("actions:detail", pk=draft.pk)).status_code == 404
    assert client.get(url("actions:index")).status_code == 404
    # Guessing the number under one's own cité does not reach it either.
    assert client.get(url("actions:detail", cite="autre-cite", pk=draft.pk)).status_code == 404
    own_list = client.get(url("actions:index", cite="autre-cite")).content.decode()
    assert "Projet confidentiel" not in own_list


def test_a_cell_member_without_a_cite_seat_gets_404(cite, member, client_as):
    from veille.web.common.accounts.roles import Role

    client = client_as(member(Role.REFERENT))
    for name in ("cites:home", "actions:index", "funds:index", "diagnostic:index", "framework:index"):
        assert client.get(url(name)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method", "allowed"),
    [
        ("actions:create", "get", {CiteRole.PROJECT_LEAD, CiteRole.PARTNER}),
        ("cites:edit", "get", {CiteRole.PROJECT_LEAD}),
        ("cites:journal", "get", {CiteRole.PROJECT_LEAD, CiteRole.TROIKA}),
        ("funds:add_contribution", "post", {CiteRole.PROJECT_LEAD}),
        ("diagnostic:add_finding", "post", {CiteRole.PROJECT_LEAD}),
        ("cites:partner_create", "get", {CiteRole.PROJECT_LEAD}),
    ],
)
def test_roles_without_the_capability_get_403(cite, seats, client_as, name, method, allowed):
    for role, membership in seats.items():
        response = getattr(client_as(membership.user), method)(url(name))
        if role in allowed:
            assert response.status_code in (200, 302, 400), (role, response.status_code)
        else:
            assert response.status_code == 403, role


def test_every_member_reads_the_cites_pages(cite, seats, client_as):
    action = make_action(cite, status=S.VALIDATED)
    for membership in seats.values():
        client = client_as(membership.user)
        for name in (
            "cites:home",
            "cites:territory",
            "cites:partners",
            "cites:members",
            "framework:index",
            "diagnostic:index",
            "actions:index",
            "funds:index",
        ):
            assert client.get(url(name)).status_code == 200, (membership.role, name)
        assert client.get(url("actions:detail", pk=action.pk)).status_code == 200


def test_the_cpo_records_a_years_execution_with_indicators_reached(cite, seats, client_as):
    action = make_action(cite, status=S.IN_PROGRESS)
    indicator = action.indicators.create(
        kind="resultats", label="Élèves assidus", unit="élèves", target=Decimal(40)
    )
    client = client_as(seats[CiteRole.PROJECT_LEAD].user)
    assert client.get(url("actions:execution", pk=action.pk)).status_code == 200
    data = {
        "year": 2024,
        "committed": "4 000,00",
        "paid": "3500,5",
        "assessment": "Bonne fréquentation.",
        f"indicator_{indicator.pk}": "37",
    }
    assert client.post(url("actions:execution", pk=action.pk), data).status_code == 302
    execution = Execution.objects.get(action=action, year=2024)
    assert (execution.committed, execution.paid) == (Decimal("4000.00"), Decimal("3500.50"))
    assert IndicatorValue.objects.get(indicator=indicator, year=2024).value == Decimal(37)
    data.update(paid="4000", assessment="Corrigé.")
    assert client.post(url("actions:execution", pk=action.pk), data).status_code == 302
    assert Execution.objects.filter(action=action).count() == 1
    assert Execution.objects.get(action=action).paid == Decimal("4000.00")
    trace = Trace.objects.filter(object_type="actions.execution", verb="modification").first()
    assert trace.changes["paid"] == ["3500.50", "4000.00"]
    refused = client.post(url("actions:execution", pk=action.pk), {**data, "paid": "5000"})
    assert refused.status_code == 200 and "dépasse" in refused.content.decode()


def test_execution_is_refused_before_the_troika_validates(cite, seats, client_as):
    action = make_action(cite)
    client = client_as(seats[CiteRole.PROJECT_LEAD].user)
    client.post(url("actions:execution", pk=action.pk), {"year": 2024, "committed": "1", "paid": "0"})
    assert not Execution.objects.filter(action=action).exists()


def test_the_docs_print_the_same_permission_table_as_the_code():
    from pathlib import Path

    from veille.web.cite.cites.roles import cite_permissions_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cite-educative.md").read_text(encoding="utf-8")
    assert cite_permissions_markdown() in doc
