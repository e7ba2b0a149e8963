"""The cases pages: who sees what, opening from each origin, steps fired through htmx, à traiter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from veille.web.cellule.cases.models import Case, DeadlineRule, Domain, Origin
from veille.web.cellule.cases.procedure import CaseStep
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.common.accounts.models import Membership
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

from .cases_support import make_child, quick_member

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def child(commune_a):
    return make_child(commune_a)


@pytest.fixture
def case(commune_a, child):
    return open_case(commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE)


def url(view_name, commune, **kwargs):
    return reverse(f"cases:{view_name}", kwargs={"commune": commune.slug, **kwargs})


def membership_of(user):
    return Membership.objects.get(user=user)


def audit_entries(action, case=None):
    entries = AuditEvent.objects.filter(action=action, object_type="cases.case")
    return entries.filter(object_id=str(case.pk)) if case is not None else entries


# Visibility


def test_the_prosecutor_sees_only_cases_transmitted_to_the_parquet(commune_a, child, case):
    transmitted = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    transmitted.transmit(user=None, to_role=Role.PROSECUTOR, note="signalement")
    prosecutor = membership_of(quick_member(commune_a, Role.PROSECUTOR))
    assert list(Case.objects.visible_to(prosecutor)) == [transmitted]
    reader = membership_of(quick_member(commune_a, Role.READER))
    assert set(Case.objects.visible_to(reader)) == {case, transmitted}
    caf = membership_of(quick_member(commune_a, Role.CAF))
    assert not Case.objects.visible_to(caf).exists()


def test_the_list_is_refused_to_the_roles_without_access_to_cases(commune_a, case, client_as):
    for role in (Role.CAF, Role.AUDITOR):
        response = client_as(quick_member(commune_a, role)).get(url("index", commune_a))
        assert response.status_code == 403


def test_the_list_names_the_children_and_logs_it(commune_a, case, client_as):
    response = client_as(quick_member(commune_a, Role.AGENT)).get(url("index", commune_a))
    assert response.status_code == 200 and "Fictivelle" in response.text
    entry = audit_entries(Action.VIEW).get()
    # The children shown are written by number in the entry's own field (issue 10, point 12).
    assert str(case.child_id) in entry.shown.replace(",", " ").split()
    assert "Fictivelle" not in entry.detail and "Fictivelle" not in entry.shown


def test_the_list_filters_by_domain_and_overdue(commune_a, child, case, client_as):
    late = open_case(
        commune=commune_a,
        user=None,
        origin=Origin.FIELD,
        domain=Domain.UNDECLARED_SCHOOL,
        description="Local associatif",
        place_name="Local associatif",
    )
    # An école de fait starts with the observation of the place (law table v2), not the mayor's alert.
    advance_case(late, [("record_observation", date(2025, 1, 6))])
    client = client_as(quick_member(commune_a, Role.AGENT))
    response = client.get(url("index", commune_a), {"retard": "1"})
    assert list(response.context["cases"]) == [late] and "en retard" in response.text
    response = client.get(url("index", commune_a), {"domaine": Domain.ABSENCE})
    assert list(response.context["cases"]) == [case]


def test_a_member_of_another_commune_gets_404_on_a_case(commune_a, commune_b, case, client_as):
    client = client_as(quick_member(commune_b, Role.REFERENT))
    assert client.get(url("detail", commune_a, pk=case.pk)).status_code == 404
    # Guessing the number under one's own commune gives nothing either.
    assert client.get(url("detail", commune_b, pk=case.pk)).status_code == 404
    assert (
        client.post(url("fire", commune_b, pk=case.pk, name="confirm_alert"), {"note": "x"}).status_code
        == 404
    )


def test_the_prosecutor_gets_404_on_a_case_not_transmitted_and_sees_a_transmitted_one(
    commune_a, case, client_as
):
    client = client_as(quick_member(commune_a, Role.PROSECUTOR))
    assert client.get(url("detail", commune_a, pk=case.pk)).status_code == 404
    case.transmit(user=None, to_role=Role.PROSECUTOR)
    response = client.get(url("detail", commune_a, pk=case.pk))
    assert response.status_code == 200 and "Fictivelle" in response.text


def test_the_detail_shows_the_child_to_the_agent_and_logs_the_display(commune_a, case, client_as):
    response = client_as(quick_member(commune_a, Role.AGENT)).get(url("detail", commune_a, pk=case.pk))
    assert response.status_code == 200
    assert "Fictivelle" in response.text and "3 rue des Songes" in response.text
    assert url("fire", commune_a, pk=case.pk, name="confirm_alert") in response.text
    assert audit_entries(Action.VIEW, case).get().detail == "avec les données de l'enfant"


def test_the_departement_sees_the_case_but_not_the_child(commune_a, case, client_as):
    response = client_as(quick_member(commune_a, Role.DEPARTMENT)).get(url("detail", commune_a, pk=case.pk))
    assert response.status_code == 200 and "Fictivelle" not in response.text
    assert audit_entries(Action.VIEW, case).exists()


def test_the_prefecture_not_a_recipient_of_the_list_sees_a_case_only_once_transmitted_to_it(
    commune_a, case, client_as
):
    # R131-10-5 does not list the préfecture: its acts (L131-10, L441-3-1, L442-2) come by transmission.
    client = client_as(quick_member(commune_a, Role.PREFECTURE))
    assert client.get(url("detail", commune_a, pk=case.pk)).status_code == 404
    case.transmit(user=None, to_role=Role.PREFECTURE)
    assert client.get(url("detail", commune_a, pk=case.pk)).status_code == 200


def test_the_reader_sees_the_case_but_cannot_fire_a_step(commune_a, case, client_as):
    client = client_as(quick_member(commune_a, Role.READER))
    response = client.get(url("detail", commune_a, pk=case.pk))
    assert response.status_code == 200 and "Fictivelle" in response.text
    assert url("fire", commune_a, pk=case.pk, name="confirm_alert") not in response.text
    response = client.post(url("fire", commune_a, pk=case.pk, name="confirm_alert"), {"note": "x"}, **HTMX)
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == CaseStep.VERIFICATION


def test_the_caf_gets_403_on_a_case(commune_a, case, client_as):
    assert (
        client_as(quick_member(commune_a, Role.CAF)).get(url("detail", commune_a, pk=case.pk)).status_code
        == 403
    )


# Firing steps


def test_a_step_fired_with_htmx_returns_the_procedure_panel_and_is_logged(commune_a, case, client_as):
    client = client_as(quick_member(commune_a, Role.AGENT))
    response = client.post(
        url("fire", commune_a, pk=case.pk, name="confirm_alert"),
        {"note": "Aucune inscription trouvée"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="procedure"' in response.text and "<html" not in response.text
    assert CaseStep.ALERT.label in response.text
    case.refresh_from_db()
    assert case.state == CaseStep.ALERT
    assert case.events.get(kind="confirm_alert").by.username == "agent-villeneuve"
    assert "confirm_alert" in audit_entries(Action.CHANGE, case).get().detail


def test_an_illegal_step_is_refused_with_a_french_message(commune_a, case, client_as):
    client = client_as(quick_member(commune_a, Role.EDUCATION))
    response = client.post(
        url("fire", commune_a, pk=case.pk, name="refer_to_prosecutor"),
        {"effective_date": "2025-10-01", "note": "x"},
        **HTMX,
    )
    assert response.status_code == 200 and "n&#x27;est pas possible" in response.text
    case.refresh_from_db()
    assert case.state == CaseStep.VERIFICATION and not audit_entries(Action.CHANGE).exists()


def test_the_agent_cannot_send_the_mise_en_demeure(commune_a, case, client_as):
    advance_case(case, [("confirm_alert", timezone.localdate())])
    client = client_as(quick_member(commune_a, Role.AGENT))
    response = client.post(url("fire", commune_a, pk=case.pk, name="send_formal_notice"), {}, **HTMX)
    assert "Votre rôle ne permet pas" in response.text
    case.refresh_from_db()
    assert case.state == CaseStep.ALERT


def test_the_mise_en_demeure_through_the_page_starts_its_15_days(commune_a, case, client_as):
    advance_case(case, [("confirm_alert", date(2025, 9, 20))])
    client = client_as(quick_member(commune_a, Role.EDUCATION))
    response = client.post(
        url("fire", commune_a, pk=case.pk, name="send_formal_notice"),
        {"effective_date": "2025-09-29", "notified_on": "2025-10-01"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    # The 15 days run from the notification recorded with the step, not from the letter's date.
    assert case.state == CaseStep.FORMAL_NOTICE and case.due_on == date(2025, 10, 16)


def test_a_note_and_a_transmission_go_on_the_timeline(commune_a, case, client_as):
    client = client_as(quick_member(commune_a, Role.AGENT))
    client.post(url("note", commune_a, pk=case.pk), {"note": "Appel à la famille sans réponse"}, **HTMX)
    response = client.post(
        url("hand_over", commune_a, pk=case.pk),
        {"kind": "transmission", "to_role": Role.DEPARTMENT, "note": "enquête sociale"},
        **HTMX,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.assigned_role == Role.DEPARTMENT
    transmission = case.events.get(kind="transmission")
    assert (transmission.from_role, transmission.to_role) == (Role.AGENT, Role.DEPARTMENT)
    assert case.events.filter(kind="note").exists()
    assert audit_entries(Action.CHANGE, case).count() == 2


def test_the_department_cannot_transmit_a_case(commune_a, case, client_as):
    client = client_as(quick_member(commune_a, Role.DEPARTMENT))
    response = client.post(
        url("hand_over", commune_a, pk=case.pk), {"kind": "transmission", "to_role": "prosecutor"}
    )
    assert response.status_code == 403


# Opening


def test_the_open_form_preselects_the_child_of_the_crossing(commune_a, child, client_as):
    client = client_as(quick_member(commune_a, Role.AGENT))
    response = client.get(url("open", commune_a) + f"?enfant={child.pk}")
    assert response.status_code == 200 and "Fictivelle" in response.text
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(child.pk)).exists()
    response = client.post(url("open", commune_a), {"origin": Origin.CROSSING, "child": child.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", commune_a, pk=case.pk)
    assert (case.domain, case.child, case.sex_at_opening) == (Domain.ABSENCE, child, "F")
    assert case.age_at_opening is not None
    assert audit_entries(Action.CREATE, case).exists()


def test_it_refuses_a_child_of_another_commune(commune_a, commune_b, client_as):
    other = make_child(commune_b, "B0001")
    client = client_as(quick_member(commune_a, Role.AGENT))
    assert client.get(url("open", commune_a) + f"?enfant={other.pk}").status_code == 404
    client.post(url("open", commune_a), {"origin": Origin.CROSSING, "child": other.pk})
    assert not Case.objects.exists()


def test_it_refuses_an_absenteeism_report_below_4_half_days(commune_a, child, client_as):
    client = client_as(quick_member(commune_a, Role.EDUCATION))
    data = {
        "origin": Origin.ABSENTEEISM_REPORT,
        "child_source_id": child.source_id,
        "report_school": "École Jean-Fictif",
        "report_month": "2025-11",
        "report_half_days": 3,
    }
    response = client.post(url("open", commune_a), data)
    assert response.status_code == 200 and "commence à 4 demi-journées" in response.text
    assert not Case.objects.exists()
    client.post(url("open", commune_a), {**data, "report_half_days": 5})
    case = Case.objects.get()
    assert (case.domain, case.report_half_days, case.report_month) == (
        Domain.ABSENTEEISM,
        5,
        date(2025, 11, 1),
    )
    assert case.assigned_role == Role.EDUCATION


def test_it_opens_a_home_instruction_follow_up(commune_a, child, client_as):
    client = client_as(quick_member(commune_a, Role.AGENT))
    client.post(
        url("open", commune_a), {"origin": Origin.HOME_INSTRUCTION, "child_source_id": child.source_id}
    )
    case = Case.objects.get()
    assert case.domain == Domain.HOME_INSTRUCTION and case.child == child
    # The mairie records the family's request; its enquiry comes once the DASEN has authorised (v2).
    names = [t.name for t in case.available_transitions(membership_of(case.opened_by))]
    assert "request_ief" in names and "start_mayor_enquiry" not in names and "authorise_ief" not in names


def test_it_opens_a_field_observation_without_a_child(commune_a, client_as):
    client = client_as(quick_member(commune_a, Role.DEPARTMENT))
    response = client.post(
        url("open", commune_a), {"origin": Origin.FIELD, "domain": Domain.UNDECLARED_SCHOOL}
    )
    assert "décrivez la situation" in response.text and not Case.objects.exists()
    client.post(
        url("open", commune_a),
        {
            "origin": Origin.FIELD,
            "domain": Domain.UNDECLARED_SCHOOL,
            "reporter": "Police municipale",
            "description": "Une dizaine d'enfants vus en journée dans un local",
            "place_name": "Local de la rue des Songes",
        },
    )
    case = Case.objects.get()
    assert case.child is None and case.age_at_opening is None and case.domain == Domain.UNDECLARED_SCHOOL


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.READER, Role.CAF, Role.PREFECTURE])
def test_opening_is_refused_to_the_roles_that_cannot_edit_all_cases(commune_a, client_as, role):
    assert client_as(quick_member(commune_a, role)).get(url("open", commune_a)).status_code == 403


# À traiter


def test_the_todo_list_puts_the_overdue_step_first(commune_a, child, client_as):
    today = timezone.localdate()
    waiting = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    Case.objects.filter(pk=waiting.pk).update(due_on=None)
    soon = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE,
        opened_on=today - timedelta(days=25),
    )  # fmt: skip
    overdue = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    advance_case(overdue, [("confirm_alert", today - timedelta(days=40))])
    later = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    not_mine = open_case(
        commune=commune_a,
        user=None,
        child=child,
        origin=Origin.HOME_INSTRUCTION,
        domain=Domain.HOME_INSTRUCTION,
    )
    # A control comes from the 3rd month after an authorisation (law table v2).
    advance_case(
        not_mine,
        [
            ("record_authorisation", today - timedelta(days=200)),
            ("control_insufficient", today - timedelta(90)),
        ],
    )
    agent = quick_member(commune_a, Role.AGENT)
    assert list(Case.objects.todo(membership_of(agent), today)) == [overdue, soon, waiting]
    response = client_as(agent).get(url("todo", commune_a))
    assert response.status_code == 200
    assert [c.pk for c in response.context["overdue"]] == [overdue.pk]
    assert [c.pk for c in response.context["due_soon"]] == [soon.pk]
    text = response.text
    assert text.index("en retard") < text.index(f"n° {soon.pk}") < text.index(f"n° {waiting.pk}")
    assert f"n° {later.pk}<" not in text
    education = quick_member(commune_a, Role.EDUCATION)
    assert not_mine in Case.objects.todo(membership_of(education), today)


def test_the_todo_list_is_refused_to_the_reader(commune_a, client_as):
    assert client_as(quick_member(commune_a, Role.READER)).get(url("todo", commune_a)).status_code == 403


# Deadline rules


def test_the_referent_corrects_a_rule_with_a_new_version(commune_a, client_as):
    rule = DeadlineRule.objects.current("formal_notice", commune_a)
    client = client_as(quick_member(commune_a, Role.REFERENT))
    assert client.get(url("rules", commune_a)).status_code == 200
    response = client.post(
        url("rule_edit", commune_a, pk=rule.pk),
        {"days": 20, "months": 0, "legal_basis": "Corrigé par le juriste"},
    )
    assert response.status_code == 302
    new = DeadlineRule.objects.current("formal_notice", commune_a)
    assert (new.version, new.days, new.commune) == (rule.version + 1, 20, commune_a)
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_type="cases.deadlinerule").exists()


def test_only_the_referent_edits_rules_and_only_in_its_commune(commune_a, commune_b, client_as, client):
    rule = DeadlineRule.objects.current("formal_notice", commune_a)
    own = rule.revise(commune=commune_a, user=None, days=20, months=0, legal_basis="x", source="")
    agent = client_as(quick_member(commune_a, Role.AGENT))
    assert agent.get(url("rules", commune_a)).status_code == 200
    assert agent.get(url("rule_edit", commune_a, pk=rule.pk)).status_code == 403
    client.logout()
    other = client_as(quick_member(commune_b, Role.REFERENT))
    assert other.get(url("rule_edit", commune_b, pk=own.pk)).status_code == 404
    assert other.get(url("rule_edit", commune_a, pk=own.pk)).status_code == 404
    assert client_as(quick_member(commune_a, Role.CAF)).get(url("rules", commune_a)).status_code == 403
