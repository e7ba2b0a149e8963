"""Governance: decisions fire the action's workflow or grant the fund, minutes as PDF, permissions."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from veille.web.cite.actions.models import Status
from veille.web.cite.cites.models import Trace
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.funds.models import Commitment
from veille.web.cite.governance.models import Decision, Instance, Meeting

from .cite_support import make_action, make_cite, make_cite_member, url


@pytest.fixture
def meeting(cite):
    instance = Instance.objects.create(cite=cite, kind=Instance.Kind.TROIKA, name="Troïka")
    return Meeting.objects.create(
        cite=cite,
        instance=instance,
        held_on=dt.date(2025, 3, 4),
        weather="Soleil après la pluie.",
        national_news="Circulaire sur les cités éducatives.",
        agenda="Validation des actions\nFonds 2025",
        next_meeting_on=dt.date(2025, 6, 10),
    )


def test_a_troika_member_validates_an_action_in_a_meeting_and_it_fires_the_workflow(cite, meeting, client_as):
    action = make_action(cite)
    user = make_cite_member(cite, CiteRole.TROIKA)
    response = client_as(user).post(
        url("governance:decision", pk=meeting.pk), {"kind": "validate", "action": action.pk, "text": ""}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.VALIDATED
    decision = Decision.objects.get(meeting=meeting)
    assert decision.transition.to_status == Status.VALIDATED and decision.transition.by == user
    assert Trace.objects.filter(cite=cite, verb="changement d'état", object_id=str(action.pk)).exists()
    assert Trace.objects.filter(cite=cite, object_type="governance.decision").exists()


def test_the_cpo_cannot_record_a_troika_validation(cite, meeting, client_as):
    action = make_action(cite)
    client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD)).post(
        url("governance:decision", pk=meeting.pk), {"kind": "validate", "action": action.pk}
    )
    action.refresh_from_db()
    assert action.status == Status.PROPOSED
    assert not Decision.objects.exists()


def test_an_amount_granted_creates_the_fund_commitment(cite, meeting, client_as):
    action = make_action(cite, status=Status.VALIDATED)
    client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD)).post(
        url("governance:decision", pk=meeting.pk),
        {"kind": "grant", "action": action.pk, "year": 2025, "amount": "4 000,50"},
    )
    commitment = Commitment.objects.get(action=action)
    assert commitment.amount == Decimal("4000.50") and commitment.decided_on == meeting.held_on
    assert Decision.objects.get().commitment == commitment


def test_no_grant_to_a_proposed_action(cite, meeting, client_as):
    action = make_action(cite)
    client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD)).post(
        url("governance:decision", pk=meeting.pk),
        {"kind": "grant", "action": action.pk, "year": 2025, "amount": "100"},
    )
    assert not Commitment.objects.exists()


def test_the_minutes_pdf_has_the_network_shape(cite, meeting, client_as):
    action = make_action(cite, title="Club lecture du mercredi")
    meeting.presented_actions.add(action)
    response = client_as(make_cite_member(cite, CiteRole.OBSERVER)).get(
        url("governance:minutes", pk=meeting.pk)
    )
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Météo du jour",
        "Soleil après la pluie",
        "Actualités nationales",
        "Actualités régionales",
        "Actualités locales",
        "Club lecture du mercredi",
        "Prochaine réunion",
    ):
        assert expected in text


@pytest.mark.parametrize("role", [CiteRole.TROIKA, CiteRole.PARTNER, CiteRole.OBSERVER])
def test_only_the_cpo_prepares_meetings(cite, meeting, client_as, role):
    client = client_as(make_cite_member(cite, role))
    assert client.get(url("governance:meeting_create")).status_code == 403
    assert client.post(url("governance:attendance", pk=meeting.pk), {}).status_code == 403
    assert (
        client.post(url("governance:decision", pk=meeting.pk), {"kind": "other", "text": "x"}).status_code
        == 403
    )


def test_the_cpo_records_a_meeting_and_attendance(cite, meeting, client_as):
    cpo = make_cite_member(cite, CiteRole.PROJECT_LEAD)
    client = client_as(cpo)
    response = client.post(
        url("governance:meeting_create"),
        {"instance": meeting.instance.pk, "held_on": "2025-09-15", "place": "Collège", "agenda": "Rentrée"},
    )
    assert response.status_code == 302
    created = Meeting.objects.get(held_on=dt.date(2025, 9, 15))
    partner_obj = cite.partners.first()
    client.post(url("governance:attendance", pk=created.pk), {f"partner-{partner_obj.pk}": "excuse"})
    assert created.attendances.get().partner == partner_obj
    assert client.get(url("governance:meeting", pk=created.pk)).status_code == 200
    assert client.get(url("governance:index")).status_code == 200


def test_a_member_of_another_cite_gets_404(cite, meeting, client_as):
    other = make_cite("autre-cite", "Cité des Acacias")
    client = client_as(make_cite_member(other, CiteRole.PROJECT_LEAD))
    assert client.get(url("governance:meeting", pk=meeting.pk)).status_code == 404
    assert client.get(url("governance:meeting", cite="autre-cite", pk=meeting.pk)).status_code == 404
    assert client.get(url("governance:minutes", cite="autre-cite", pk=meeting.pk)).status_code == 404
