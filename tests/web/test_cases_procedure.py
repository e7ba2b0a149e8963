"""The procedure of a case: the state machines read from the law's table, deadlines and their versions."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product
from pathlib import Path

import pytest
from django.utils import timezone

from veille import law
from veille.web.cellule.cases.models import (
    ESTABLISHMENT_DOMAINS,
    Case,
    CaseEvent,
    DeadlineRule,
    Domain,
    Origin,
    TransitionError,
    add_months,
)
from veille.web.cellule.cases.procedure import BY_NAME, TRANSITIONS, WORKFLOWS, CaseStep, act_of
from veille.web.cellule.cases.rules_data import deadlines_csv
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.common.accounts.roles import Role

from .cases_support import make_child, quick_member

DOCS = Path(__file__).resolve().parents[2] / "docs" / "procedures.md"
RULES_V2 = Path(law.__file__).parent / "web" / "cellule" / "cases" / "data" / "deadlines_v2.csv"
ORIGIN_OF = {
    Domain.ABSENCE: Origin.CROSSING,
    Domain.ABSENTEEISM: Origin.ABSENTEEISM_NO_REASON,
    Domain.HOME_INSTRUCTION: Origin.HOME_INSTRUCTION,
    Domain.PRIVATE_SCHOOL: Origin.PRIVATE_SCHOOL,
    Domain.UNDECLARED_SCHOOL: Origin.FIELD,
}


@pytest.fixture
def child(commune_a):
    return make_child(commune_a)


@pytest.fixture
def case(commune_a, child):
    return open_case(commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE)


def put_at(case: Case, step: str) -> Case:
    Case.objects.filter(pk=case.pk).update(state=step)
    case.refresh_from_db()
    return case


def case_in(commune, domain: str, child=None) -> Case:
    """A case of any domain (a school's or a place's has no child)."""
    child = None if domain in ESTABLISHMENT_DOMAINS else child
    return open_case(commune=commune, user=None, child=child, origin=ORIGIN_OF[Domain(domain)], domain=domain)


PRECONDITION_OR_FIRED = "n'est pas encore possible"


def fire_any(case: Case, name: str, **kwargs) -> bool:
    """Fire with what any act may ask; True if fired, False if a precondition of the law refused it."""
    try:
        case.fire(name, note="motif", ground="situation_propre", **kwargs)
    except TransitionError as error:
        assert PRECONDITION_OR_FIRED in str(error), str(error)
        return False
    return True


def test_the_procedures_page_is_the_law_table_veille_droit_prints():
    assert DOCS.read_text(encoding="utf-8") == law.as_markdown()


def test_the_deadlines_seeded_in_version_2_are_the_law_tables():
    assert RULES_V2.read_text(encoding="utf-8") == deadlines_csv()


def test_the_steps_are_the_law_tables():
    assert {s.value: s.label for s in CaseStep} == law.STEPS


@pytest.mark.parametrize("domain", law.DOMAINS)
def test_in_each_domain_every_step_but_closed_can_be_left_and_every_step_can_be_reached(domain):
    transitions = WORKFLOWS[domain].transitions
    steps = set(law.steps_of(domain))
    left = {s for t in transitions for s in t.sources} & steps
    assert left == steps  # a closed case is left by reopening it
    assert {t.target for t in transitions} | {CaseStep.VERIFICATION} == steps


def test_every_deadline_rule_of_the_table_is_seeded(db):
    seeded = set(DeadlineRule.objects.filter(commune=None, active=True).values_list("key", flat=True))
    assert {a.deadline for a in law.ACTS if a.deadline} <= seeded == set(law.DEADLINES)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{act_of(t).domain}-{t.name}")
def test_each_transition_fires_from_its_steps_only(commune_a, child, transition):
    case = case_in(commune_a, act_of(transition).domain, child)
    for step in law.steps_of(act_of(transition).domain):
        put_at(case, step)
        if step in transition.sources:
            if fire_any(case, transition.name, user=None, check_role=False):
                assert case.state == transition.target
                event = case.events.order_by("-pk").exclude(kind__in=("transmission", "note")).first()
                assert (event.from_state, event.to_state, event.kind, event.law_version) == (
                    step,
                    transition.target,
                    transition.name,
                    law.VERSION,
                )
        else:
            with pytest.raises(TransitionError, match="n'est pas possible"):
                case.fire(transition.name, user=None, note="motif", check_role=False)
            case.refresh_from_db()
            assert case.state == step


def test_each_transition_is_refused_to_the_roles_it_does_not_name(commune_a, child):
    users = {role: quick_member(commune_a, role) for role in Role}
    cases = {domain: case_in(commune_a, domain, child) for domain in law.DOMAINS}
    for transition, role in product(TRANSITIONS, Role):
        case = put_at(cases[act_of(transition).domain], sorted(transition.sources)[0])
        if role.value in transition.roles:
            if fire_any(case, transition.name, user=users[role]):
                assert case.state == transition.target
        else:
            with pytest.raises(TransitionError, match="Votre rôle"):
                case.fire(transition.name, user=users[role], note="motif", ground="situation_propre")


@pytest.mark.parametrize(
    ("role", "name", "allowed"),
    [
        (Role.EDUCATION, "send_formal_notice", True),
        (Role.AGENT, "send_formal_notice", False),
        (Role.AGENT, "inform_family", True),
        (Role.EDUCATION, "control_satisfactory", True),
        (Role.REFERENT, "control_satisfactory", False),
        (Role.PROSECUTOR, "order_parenting_course", True),
        (Role.AGENT, "order_parenting_course", False),
        # v2: the Parquet orders the social enquiry (the Département carries it out, it does not order it)
        (Role.DEPARTMENT, "open_social_enquiry", False),
        (Role.PROSECUTOR, "open_social_enquiry", True),
        (Role.DEPARTMENT, "open_police_enquiry", False),
        (Role.READER, "close_moved_away", False),
    ],
)
def test_who_acts_follows_the_procedures(role, name, allowed):
    assert BY_NAME[name].allows(role) is allowed


def test_a_case_cannot_jump_from_verification_to_the_prosecutor(case):
    with pytest.raises(TransitionError):
        case.fire("refer_to_prosecutor", user=None, note="x", check_role=False)


def test_a_closed_case_can_only_be_reopened(case):
    case.fire("close_source_error", user=None, note="doublon CAF", check_role=False)
    assert case.state == CaseStep.CLOSED and case.closure_reason == "erreur_source" and case.closed_at
    for t in WORKFLOWS[case.domain].transitions:
        if t.name != "reopen":
            with pytest.raises(TransitionError):
                case.fire(t.name, user=None, note="x", check_role=False)
    case.fire("reopen", user=None, note="nouvel élément", check_role=False)
    assert case.state == CaseStep.VERIFICATION and case.closure_reason == "" and case.closed_at is None


def test_a_transition_that_needs_a_note_is_refused_without_one(case):
    with pytest.raises(TransitionError, match="note est nécessaire"):
        case.fire("confirm_alert", user=None, note="  ", check_role=False)
    assert not case.events.filter(kind="confirm_alert").exists()


def test_a_date_in_the_future_is_refused(case):
    with pytest.raises(TransitionError, match="futur"):
        case.fire(
            "inform_family", user=None, effective_date=timezone.localdate() + timedelta(1), check_role=False
        )


def test_the_formal_notice_is_due_15_calendar_days_after_its_notification(case):
    # Table v1 counted the 15 days from the day the letter was sent; the law counts from notification.
    advance_case(case, [("confirm_alert", date(2025, 9, 20))])
    event = case.fire("send_formal_notice", user=None, effective_date=date(2025, 9, 26), check_role=False)
    assert event.due_on is None and case.due_on is None and case.pending_notification == event
    case.record_notification(event, user=None, notified_on=date(2025, 10, 1), check_role=False)
    event.refresh_from_db()
    assert event.due_on == date(2025, 10, 16) == case.due_on and event.notified_on == date(2025, 10, 1)
    assert event.rule.key == "formal_notice" and event.rule.version == 2
    assert case.events.filter(kind="notification").get().law_version == law.VERSION


def test_a_deadline_in_months_ends_on_the_same_day_or_the_months_last_day(case):
    event = case.fire("await_ief_decision", user=None, effective_date=date(2025, 12, 31), check_role=False)
    assert event.due_on == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_a_new_rule_version_does_not_move_a_running_case(commune_a, commune_b, child, case):
    referent = quick_member(commune_a, Role.REFERENT)
    case.fire("confirm_alert", user=None, note="x", check_role=False)
    first = case.fire(
        "send_formal_notice",
        user=None,
        effective_date=date(2025, 10, 1),
        notified_on=date(2025, 10, 1),
        check_role=False,
    )
    rule = DeadlineRule.objects.current("formal_notice", commune_a)
    new = rule.revise(commune=commune_a, user=referent, days=30, months=0, legal_basis="corrigé", source="")
    assert new.version == rule.version + 1 and DeadlineRule.objects.current("formal_notice", commune_a) == new
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.due_on == first.due_on == date(2025, 10, 16) and first.rule == rule
    other = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    steps = [("confirm_alert", date(2025, 9, 1)), ("send_formal_notice", date(2025, 10, 1))]
    advance_case(other, steps, notify_after=0)
    assert other.due_on == date(2025, 10, 31)
    # Another commune keeps the national rule.
    assert DeadlineRule.objects.current("formal_notice", commune_b) == rule
    again = new.revise(commune=commune_a, user=referent, days=20, months=0, legal_basis="encore", source="")
    assert again.version == new.version + 1
    assert list(DeadlineRule.objects.filter(key="formal_notice", active=True).order_by("version")) == [
        rule,
        again,
    ]


def test_opening_fills_the_anonymous_fields_and_starts_verification(commune_a, child):
    today = timezone.localdate()
    case = open_case(commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE)
    expected_age = today.year - 2015 - ((today.month, today.day) < (3, 2))
    assert (case.age_at_opening, case.sex_at_opening) == (expected_age, "F")
    opening = case.events.get()
    assert opening.kind == "opening" and opening.due_on == today + timedelta(days=30) == case.due_on


def test_an_absenteeism_report_below_4_half_days_is_refused(commune_a, child):
    with pytest.raises(TransitionError, match="au moins 4"):
        open_case(
            commune=commune_a,
            user=None,
            child=child,
            origin=Origin.ABSENTEEISM_REPORT,
            domain=Domain.ABSENTEEISM,
            report_half_days=3,
        )
    assert not Case.objects.exists()


def test_a_signalement_transmits_the_case_to_the_parquet(case):
    advance_case(case, [("confirm_alert", date(2025, 9, 1)), ("send_formal_notice", date(2025, 9, 10))])
    case.fire("refer_to_prosecutor", user=None, note="pas d'inscription", check_role=False)
    assert case.assigned_role == Role.PROSECUTOR
    transmission = case.events.get(kind="transmission")
    assert (transmission.from_role, transmission.to_role) == (Role.AGENT, Role.PROSECUTOR)


def test_notes_from_other_apps_go_on_the_timeline_without_moving_the_case(case):
    case.add_note(user=None, kind="letter", note="Courrier d'information n° 3")
    case.add_note(user=None, kind="meeting_decision", note="La cellule décide une médiation")
    assert case.state == CaseStep.VERIFICATION
    assert list(case.events.values_list("kind", flat=True)) == ["opening", "letter", "meeting_decision"]
    with pytest.raises(TransitionError):
        case.add_note(user=None, kind="autre", note="x")


def test_purging_the_child_empties_the_free_text(case):
    from veille.web.cellule.children.signals import case_purged

    case.add_note(user=None, note="La mère dit que…")
    Case.objects.filter(pk=case.pk).update(description="Vu au marché")
    case_purged.send(sender=Case, case=case)
    case.refresh_from_db()
    assert case.description == "" and not CaseEvent.objects.filter(case=case).exclude(note="").exists()
