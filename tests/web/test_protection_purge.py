"""The regulatory purge: who goes, what stays for the indicators, the signal, the audit, the page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import Child
from veille.web.cellule.children.signals import case_purged
from veille.web.cellule.protection.purge import Reason, plan, purge
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member
from .protection_helpers import make_case, make_child

# Born 2 March 2010: data kept until 31 August 2026 (end of the school year of their 16th birthday).
OLD = date(2010, 3, 2)
YOUNG = date(2014, 3, 2)


@pytest.fixture
def received():
    cases: list[int] = []

    def receiver(sender, case, **kwargs):
        assert case.child_id is not None, "receivers run while the case still points to the child"
        cases.append(case.pk)

    case_purged.connect(receiver, dispatch_uid="test-protection-receiver")
    yield cases
    case_purged.disconnect(dispatch_uid="test-protection-receiver")


def test_a_child_past_the_end_of_the_year_of_their_16th_birthday_goes_and_a_younger_one_stays(
    commune_a, received
):
    old = make_child(commune_a, "OLD", born=OLD)
    young = make_child(commune_a, "YOUNG", born=YOUNG)
    case = make_case(old, age_at_opening=15, sex_at_opening="F")

    report = purge(today=date(2026, 9, 1))

    assert not Child.objects.filter(pk=old.pk).exists()
    assert Child.objects.filter(pk=young.pk).exists()
    assert report.children == 1 and report.cases == 1
    case.refresh_from_db()
    assert case.child is None and case.purged_at is not None
    assert (case.age_at_opening, case.sex_at_opening, case.domain, case.origin) == (
        15,
        "F",
        "absence_instruction",
        "croisement",
    )
    assert received == [case.pk]


def test_a_child_is_kept_on_the_last_day_of_the_school_year(commune_a):
    child = make_child(commune_a, "OLD", born=OLD)
    assert purge(today=date(2026, 8, 31)).children == 0
    assert Child.objects.filter(pk=child.pk).exists()


def test_a_child_whose_family_moved_away_goes_at_once(commune_a, received):
    moved = make_child(commune_a, "MOVED", born=YOUNG, moved_away_on=date(2026, 1, 10))
    closed = make_child(commune_a, "CLOSED", born=YOUNG)
    kept = make_child(commune_a, "KEPT", born=YOUNG)
    case = make_case(closed, closed_at=timezone.now(), closure_reason="demenagement")
    other = make_case(kept, closed_at=timezone.now(), closure_reason="rescolarise")

    items = plan(date(2026, 1, 10))
    assert {(i.child_id, i.reason) for i in items} == {
        (moved.pk, Reason.MOVED_AWAY),
        (closed.pk, Reason.MOVED_AWAY),
    }
    purge(today=date(2026, 1, 10))

    assert list(Child.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Case.objects.get(pk=case.pk).closure_reason == "demenagement"
    assert Case.objects.get(pk=other.pk).child_id == kept.pk
    assert received == [case.pk]


def test_a_move_planned_for_later_does_not_purge_yet(commune_a):
    make_child(commune_a, "LATER", born=YOUNG, moved_away_on=date(2026, 2, 1))
    assert plan(date(2026, 1, 10)) == []


def test_the_simulation_deletes_nothing_and_writes_no_audit_entry(commune_a, received):
    old = make_child(commune_a, "OLD", born=OLD)
    case = make_case(old)

    report = purge(today=date(2026, 9, 1), simulation=True)

    assert [(i.child_id, i.case_ids) for i in report.items] == [(old.pk, (case.pk,))]
    assert Child.objects.filter(pk=old.pk).exists()
    assert Case.objects.get(pk=case.pk).purged_at is None
    assert not AuditEvent.objects.filter(action=Action.PURGE).exists()
    assert received == []


def test_one_audit_entry_per_purged_child_with_its_identifier_only(commune_a):
    first = make_child(commune_a, "OLD1", born=OLD)
    second = make_child(commune_a, "OLD2", born=OLD)
    case = make_case(first)

    purge(today=date(2026, 9, 1))

    events = sorted(AuditEvent.objects.filter(action=Action.PURGE), key=lambda e: int(e.object_id))
    assert [(e.object_type, e.object_id, e.commune_id) for e in events] == [
        ("children.child", str(first.pk), commune_a.pk),
        ("children.child", str(second.pk), commune_a.pk),
    ]
    assert str(case.pk) in events[0].detail
    for event in events:
        assert "Zorvanel" not in event.detail and "2010" not in event.detail


def test_the_commune_option_purges_only_that_commune(commune_a, commune_b):
    a = make_child(commune_a, "OLD", born=OLD)
    b = make_child(commune_b, "OLD", born=OLD)
    purge(today=date(2026, 9, 1), commune=commune_b)
    assert Child.objects.filter(pk=a.pk).exists()
    assert not Child.objects.filter(pk=b.pk).exists()


def test_a_failing_receiver_leaves_that_child_whole_and_is_reported(commune_a):
    child = make_child(commune_a, "OLD", born=OLD)
    case = make_case(child)

    def broken(sender, case, **kwargs):
        raise RuntimeError("Zorvanel")

    case_purged.connect(broken, dispatch_uid="test-protection-broken")
    try:
        report = purge(today=date(2026, 9, 1))
    finally:
        case_purged.disconnect(dispatch_uid="test-protection-broken")

    assert report.failed == [child.pk] and report.children == 0
    assert Child.objects.filter(pk=child.pk).exists()
    assert Case.objects.get(pk=case.pk).purged_at is None
    assert not AuditEvent.objects.filter(action=Action.PURGE).exists()


def purge_url(commune):
    return reverse("protection:purge", kwargs={"commune": commune.slug})


@pytest.mark.parametrize("role", [r for r in Role if Capability.PURGE not in PERMISSIONS[r]])
def test_the_purge_page_is_refused_to_roles_without_the_purge_capability(commune_a, member, client_as, role):
    assert client_as(member(role)).get(purge_url(commune_a)).status_code == 403


def test_the_purge_page_is_a_404_for_a_member_of_another_commune(commune_a, commune_b, client_as):
    stranger = make_member(commune_b, Role.REFERENT)
    assert client_as(stranger).get(purge_url(commune_a)).status_code == 404


def test_the_referent_previews_then_purges_this_commune_only(commune_a, commune_b, member, client_as):
    referent = member(Role.REFERENT)
    old = make_child(commune_a, "OLD", born=date(2000, 1, 1))
    case = make_case(old)
    elsewhere = make_child(commune_b, "OLD", born=date(2000, 1, 1))
    client = client_as(referent)

    preview = client.get(purge_url(commune_a))
    assert preview.status_code == 200
    # Who will go, by name and with the reason, before the button: the referent may see the children.
    assert f"n° {case.pk}" in preview.text and old.last_name in preview.text
    assert "fin de l&#x27;année scolaire des 16 ans" in preview.text
    assert preview.text.index(old.last_name) < preview.text.index("Supprimer maintenant")
    named = AuditEvent.objects.get(action=Action.VIEW, object_type="children.child")
    assert named.detail == "aperçu de la purge, 1 enfants nommés"
    assert Child.objects.filter(pk=old.pk).exists()

    unconfirmed = client.post(purge_url(commune_a), {})
    assert unconfirmed.status_code == 200 and Child.objects.filter(pk=old.pk).exists()

    done = client.post(purge_url(commune_a), {"confirm": "on"}, follow=True)
    assert "1 enfant(s) supprimé(s)" in done.text
    assert not Child.objects.filter(pk=old.pk).exists()
    assert Child.objects.filter(pk=elsewhere.pk).exists()
    event = AuditEvent.objects.get(action=Action.PURGE)
    assert event.user == referent and event.object_id == str(old.pk)
