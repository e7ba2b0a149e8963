"""Meetings of the cell: preparation, agenda of open cases, decisions, compte rendu, rights, purge."""

from __future__ import annotations

import html
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.signals import case_purged
from veille.web.cellule.meetings.models import AgendaItem, Meeting, Participant
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member
from .test_documents_letters import make_case


def pdf_text(content: bytes) -> str:
    assert content[:4] == b"%PDF"
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def url(name: str, commune: str = "villeneuve", **kwargs) -> str:
    return reverse(f"meetings:{name}", kwargs={"commune": commune, **kwargs})


@pytest.fixture
def meeting(commune_a):
    held_on = timezone.make_aware(datetime(2025, 11, 18, 14, 0))
    return Meeting.objects.create(commune=commune_a, held_on=held_on, place="Salle du conseil municipal")


def test_a_manager_prepares_a_meeting_and_puts_open_cases_on_the_agenda(commune_a, member, client_as):
    client = client_as(member(Role.AGENT))
    response = client.post(url("create"), {"held_on": "2025-11-18T14:00", "place": "Salle des mariages"})
    assert response.status_code == 302
    meeting = Meeting.objects.get(commune=commune_a)
    case = make_case(commune_a)
    closed = make_case(commune_a, last_name="Closier")
    closed.closed_at = timezone.now()
    closed.save()
    assert client.post(url("add_case", pk=meeting.pk), {"case": closed.pk}).status_code == 302
    assert client.post(url("add_case", pk=meeting.pk), {"case": case.pk}).status_code == 302
    assert list(meeting.items.values_list("case_id", flat=True)) == [case.pk]
    client.post(
        url("add_participant", pk=meeting.pk),
        {"organisation": "education", "function": "Inspectrice de l'Éducation nationale", "attended": "on"},
    )
    assert Participant.objects.get(meeting=meeting).attended
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="meetings.agendaitem").count() == 1


def test_the_agenda_offers_only_the_communes_open_cases(commune_a, commune_b, meeting, member, client_as):
    mine, foreign = make_case(commune_a), make_case(commune_b, last_name="Lointain")
    page = client_as(member(Role.AGENT)).get(url("detail", pk=meeting.pk))
    assert f'value="{mine.pk}"' in page.text
    assert f'value="{foreign.pk}"' not in page.text
    response = client_as(member(Role.REFERENT)).post(url("add_case", pk=meeting.pk), {"case": foreign.pk})
    assert response.status_code == 302
    assert not meeting.items.exists()


def test_a_decision_is_recorded_shown_and_audited(commune_a, meeting, member, client_as):
    case = make_case(commune_a)
    item = AgendaItem.objects.create(meeting=meeting, case=case)
    client = client_as(member(Role.REFERENT))
    response = client.post(
        url("decide", pk=meeting.pk, item=item.pk),
        {
            f"point-{item.pk}-decision": "Mise en demeure par la DSDEN",
            f"point-{item.pk}-next_step": "Revoir en janvier",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decision == "Mise en demeure par la DSDEN"
    assert item.decided_at is not None
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_id=str(item.pk)).exists()
    page = client.get(url("detail", pk=meeting.pk))
    assert "Mise en demeure par la DSDEN" in page.text
    assert "A. F., 9 ans" in page.text
    assert "Fictivon" not in page.text
    view = AuditEvent.objects.filter(action=Action.VIEW, object_type="meetings.meeting").first()
    assert view is not None and str(case.pk) in view.detail


def test_a_decision_naming_the_child_is_refused(commune_a, meeting, member, client_as):
    item = AgendaItem.objects.create(meeting=meeting, case=make_case(commune_a))
    response = client_as(member(Role.AGENT)).post(
        url("decide", pk=meeting.pk, item=item.pk),
        {f"point-{item.pk}-decision": "La famille FICTIVON sera reçue", f"point-{item.pk}-next_step": ""},
    )
    assert response.status_code == 400
    assert "nom de famille de l'enfant" in html.unescape(response.text)
    item.refresh_from_db()
    assert item.decision == ""


def test_the_compte_rendu_has_case_number_and_decision_but_no_surname_nor_birth_date(
    commune_a, meeting, member, client_as
):
    case = make_case(commune_a, last_name="Fictivon", first_names="Aurèle", birth=date(2016, 4, 3))
    AgendaItem.objects.create(meeting=meeting, case=case, decision="Proposer une médiation scolaire")
    Participant.objects.create(
        meeting=meeting, organisation="prefecture", function="Sous-préfète", attended=True
    )
    response = client_as(member(Role.DEPARTMENT)).get(url("report", pk=meeting.pk))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert f"n° {case.pk}" in text
    assert "Proposer une médiation scolaire" in text
    assert "A. F." in text
    assert "Sous-préfète" in text
    assert "Villeneuve-sur-Fictif" in text
    for forbidden in ("Fictivon", "FICTIVON", "2016", "03/04", "3 avril", "impasse des Songes"):
        assert forbidden not in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="meetings.meeting").count() == 1


@pytest.mark.parametrize("role", [r for r in Role if Capability.VIEW_MEETINGS not in PERMISSIONS[r]])
def test_roles_without_view_meetings_get_403(role, meeting, member, client_as):
    client = client_as(member(role))
    for name, kwargs in (("index", {}), ("detail", {"pk": meeting.pk}), ("report", {"pk": meeting.pk})):
        assert client.get(url(name, **kwargs)).status_code == 403


@pytest.mark.parametrize("role", [r for r in Role if Capability.MANAGE_MEETINGS not in PERMISSIONS[r]])
def test_roles_without_manage_meetings_cannot_prepare_or_decide(role, commune_a, meeting, member, client_as):
    item = AgendaItem.objects.create(meeting=meeting, case=make_case(commune_a))
    client = client_as(member(role))
    assert client.post(url("create"), {"held_on": "2025-12-01T10:00", "place": "x"}).status_code == 403
    assert client.post(url("add_case", pk=meeting.pk), {"case": item.case_id}).status_code == 403
    decision = {f"point-{item.pk}-decision": "x"}
    assert client.post(url("decide", pk=meeting.pk, item=item.pk), decision).status_code == 403
    assert client.post(url("remove_case", pk=meeting.pk, item=item.pk)).status_code == 403
    assert Meeting.objects.count() == 1
    item.refresh_from_db()
    assert item.decision == ""


def test_a_reader_sees_the_meeting_without_the_forms(commune_a, meeting, member, client_as):
    AgendaItem.objects.create(meeting=meeting, case=make_case(commune_a), decision="Contrôle IEF")
    client = client_as(member(Role.READER))
    assert "Salle du conseil municipal" in client.get(url("index")).text
    page = client.get(url("detail", pk=meeting.pk))
    assert page.status_code == 200
    assert "Contrôle IEF" in page.text
    assert "Noter la décision" not in page.text and "Modifier la décision" not in page.text


def test_a_member_of_another_commune_gets_404_on_the_meetings_of_commune_a(
    commune_a, commune_b, meeting, client_as
):
    item = AgendaItem.objects.create(meeting=meeting, case=make_case(commune_a))
    stranger = client_as(make_member(commune_b, Role.REFERENT))
    for commune in ("villeneuve", "bourg"):
        assert stranger.get(url("detail", commune=commune, pk=meeting.pk)).status_code == 404
        assert stranger.get(url("report", commune=commune, pk=meeting.pk)).status_code == 404
        response = stranger.post(
            url("decide", commune=commune, pk=meeting.pk, item=item.pk), {f"point-{item.pk}-decision": "x"}
        )
        assert response.status_code == 404
    item.refresh_from_db()
    assert item.decision == ""


def test_the_purge_signal_erases_the_decisions_about_the_case(commune_a, meeting):
    case, other = make_case(commune_a), make_case(commune_a, last_name="Songeur")
    purged = AgendaItem.objects.create(meeting=meeting, case=case, decision="Texte", next_step="Suite")
    kept = AgendaItem.objects.create(meeting=meeting, case=other, decision="Autre")
    case_purged.send(sender=Case, case=case)
    purged.refresh_from_db()
    kept.refresh_from_db()
    assert (purged.decision, purged.next_step) == ("", "")
    assert purged.purged_at is not None
    assert kept.decision == "Autre"
