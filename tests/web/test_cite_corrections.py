"""Corrections in a cité: edit and delete territory, fund entries and network meetings, each traced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from veille.web.cite.actions.models import Status
from veille.web.cite.cites.models import CiteCommune, Convention, Neighbourhood, School, Trace
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.funds import budget
from veille.web.cite.funds.models import Commitment, Contribution, Contributor, Payment
from veille.web.cite.network.models import NetworkMeeting

from .cite_support import make_action, make_cite, make_cite_member, url

D = Decimal


@pytest.fixture
def cpo(cite, client_as):
    return client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD))


@pytest.fixture
def lead(cite):
    return School.objects.create(
        cite=cite, uai="0599999A", name="Collège des Saules", kind=School.Kind.COLLEGE, is_lead=True
    )


@pytest.fixture
def commitment(cite):
    action = make_action(cite, status=Status.VALIDATED)
    return Commitment.objects.create(
        cite=cite, action=action, year=2024, amount=D("1000.00"), decided_on=date(2024, 2, 1)
    )


def school_data(school: School, **changes) -> dict:
    data = {
        "uai": school.uai,
        "name": school.name,
        "kind": school.kind,
        "priority_network": school.priority_network,
        "is_lead": "on" if school.is_lead else "",
    }
    return {**data, **changes}


def last_trace(obj, verb: str) -> Trace:
    return Trace.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), verb=verb).latest(
        "id"
    )


# Territory


def test_the_cpo_corrects_a_mistyped_uai_code_and_the_trace_keeps_both(cite, cpo, lead):
    edit = url("cites:edit_in_territory", kind="etablissement", pk=lead.pk)
    assert cpo.get(edit).status_code == 200
    response = cpo.post(edit, school_data(lead, uai="0599998b"))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.uai == "0599998B"
    assert last_trace(lead, "modification").changes == {"uai": ["0599999A", "0599998B"]}


def test_a_uai_code_in_the_wrong_format_is_refused_on_edit(cite, cpo, lead):
    response = cpo.post(
        url("cites:edit_in_territory", kind="etablissement", pk=lead.pk), school_data(lead, uai="59999A")
    )
    assert response.status_code == 400
    assert "7 chiffres et une lettre" in response.content.decode()
    lead.refresh_from_db()
    assert lead.uai == "0599999A"
    assert not Trace.objects.filter(verb="modification").exists()


def test_the_only_lead_college_cannot_lose_its_role_nor_be_deleted(cite, cpo, lead):
    response = cpo.post(
        url("cites:edit_in_territory", kind="etablissement", pk=lead.pk), school_data(lead, is_lead="")
    )
    assert response.status_code == 400
    assert "désignez d&#x27;abord un autre collège" in response.content.decode()
    delete = url("cites:delete_from_territory", kind="etablissement", pk=lead.pk)
    refused = cpo.post(delete)
    assert refused.status_code == 400
    assert "Suppression impossible" in refused.content.decode()
    lead.refresh_from_db()
    assert lead.is_lead
    assert not Trace.objects.filter(verb="suppression").exists()
    with pytest.raises(ValidationError, match="désignez d'abord un autre collège"):
        lead.is_lead = False
        lead.full_clean()


def test_designating_another_college_hands_the_role_over_then_the_old_one_can_go(cite, cpo, lead):
    other = School.objects.create(cite=cite, uai="0599997C", name="Collège des Ormes", kind="college")
    edit = url("cites:edit_in_territory", kind="etablissement", pk=other.pk)
    assert cpo.post(edit, school_data(other, is_lead="on")).status_code == 302
    lead.refresh_from_db()
    other.refresh_from_db()
    assert (lead.is_lead, other.is_lead) == (False, True)
    assert School.objects.filter(cite=cite, is_lead=True).count() == 1
    assert last_trace(lead, "modification").changes == {"is_lead": [True, False]}
    assert last_trace(other, "modification").changes == {"is_lead": [False, True]}
    delete = url("cites:delete_from_territory", kind="etablissement", pk=lead.pk)
    assert cpo.post(delete).status_code == 302
    assert not School.objects.filter(pk=lead.pk).exists()


def test_deleting_asks_for_confirmation_and_never_deletes_on_get(cite, cpo):
    quarter = Neighbourhood.objects.create(cite=cite, name="Quartier des Lilas", code="QN05999M")
    delete = url("cites:delete_from_territory", kind="quartier", pk=quarter.pk)
    page = cpo.get(delete)
    assert page.status_code == 200
    assert "Confirmer la suppression" in page.content.decode()
    assert Neighbourhood.objects.filter(pk=quarter.pk).exists()
    assert cpo.post(delete).status_code == 302
    assert not Neighbourhood.objects.filter(pk=quarter.pk).exists()
    entry = Trace.objects.get(object_type="cites.neighbourhood", verb="suppression")
    assert (entry.object_id, entry.changes["name"], entry.changes["code"]) == (
        str(quarter.pk),
        "Quartier des Lilas",
        "QN05999M",
    )


def test_the_cpo_edits_and_deletes_a_neighbourhood_a_commune_and_a_convention(cite, cpo):
    quarter = Neighbourhood.objects.create(cite=cite, name="Quartier des Lilsa")
    commune = CiteCommune.objects.create(cite=cite, name="Villefictive")
    convention = Convention.objects.create(cite=cite, starts_on=date(2024, 1, 1), ends_on=date(2026, 12, 31))
    edit = "cites:edit_in_territory"
    assert (
        cpo.post(url(edit, kind="quartier", pk=quarter.pk), {"name": "Quartier des Lilas"}).status_code == 302
    )
    assert (
        cpo.post(url(edit, kind="commune", pk=commune.pk), {"name": "Villefictive-sur-Mer"}).status_code
        == 302
    )
    assert (
        cpo.post(
            url(edit, kind="convention", pk=convention.pk),
            {"starts_on": "2024-01-01", "ends_on": "2026-12-31", "signed_on": "2024-01-15"},
        ).status_code
        == 302
    )
    assert last_trace(quarter, "modification").changes == {
        "name": ["Quartier des Lilsa", "Quartier des Lilas"]
    }
    assert last_trace(commune, "modification").changes == {"name": ["Villefictive", "Villefictive-sur-Mer"]}
    assert last_trace(convention, "modification").changes == {"signed_on": [None, "2024-01-15"]}
    backwards = {"starts_on": "2026-01-01", "ends_on": "2024-12-31"}
    refused = cpo.post(url(edit, kind="convention", pk=convention.pk), backwards)
    assert (
        refused.status_code == 400
        and "La fin de la convention doit suivre son début" in refused.content.decode()
    )
    for kind, obj in (("quartier", quarter), ("commune", commune), ("convention", convention)):
        assert cpo.post(url("cites:delete_from_territory", kind=kind, pk=obj.pk)).status_code == 302
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        assert last_trace(obj, "suppression").cite_id == cite.pk
    page = cpo.get(url("cites:territory")).content.decode()
    assert "Aucune convention enregistrée" in page


def test_the_territory_page_links_to_corrections_for_the_cpo_only(cite, cpo, lead, client_as):
    edit = url("cites:edit_in_territory", kind="etablissement", pk=lead.pk)
    assert edit in cpo.get(url("cites:territory")).content.decode()
    observer = client_as(make_cite_member(cite, CiteRole.OBSERVER))
    assert edit not in observer.get(url("cites:territory")).content.decode()


@pytest.mark.parametrize("role", [CiteRole.PARTNER, CiteRole.OBSERVER, CiteRole.TROIKA])
def test_members_without_the_right_to_edit_the_cite_get_403(cite, lead, client_as, role):
    client = client_as(make_cite_member(cite, role))
    edit = url("cites:edit_in_territory", kind="etablissement", pk=lead.pk)
    delete = url("cites:delete_from_territory", kind="etablissement", pk=lead.pk)
    assert client.get(edit).status_code == 403
    assert client.post(edit, school_data(lead, name="Autre nom")).status_code == 403
    assert client.post(delete).status_code == 403
    lead.refresh_from_db()
    assert lead.name == "Collège des Saules"


def test_another_cites_cpo_gets_404_on_this_cites_territory(cite, lead, client_as):
    other = make_cite("autre-cite", "Cité des Peupliers")
    client = client_as(make_cite_member(other, CiteRole.PROJECT_LEAD))
    for cite_slug in ("cite-fictive", "autre-cite"):
        edit = url("cites:edit_in_territory", cite=cite_slug, kind="etablissement", pk=lead.pk)
        delete = url("cites:delete_from_territory", cite=cite_slug, kind="etablissement", pk=lead.pk)
        assert client.get(edit).status_code == 404
        assert client.post(delete).status_code == 404
    assert School.objects.filter(pk=lead.pk).exists()


# Fund


def test_the_cpo_corrects_a_contribution_and_deletes_it(cite, cpo):
    contribution = Contribution.objects.create(
        cite=cite, year=2024, contributor=Contributor.COMMUNE, amount=D("2500.10")
    )
    edit = url("funds:edit_contribution", pk=contribution.pk)
    data = {"year": "2024", "contributor": "commune", "amount": "2 500,01"}
    assert cpo.post(edit, data).status_code == 302
    contribution.refresh_from_db()
    assert contribution.amount == D("2500.01")
    assert last_trace(contribution, "modification").changes == {"amount": ["2500.10", "2500.01"]}
    Contribution.objects.create(cite=cite, year=2024, contributor=Contributor.REGION, amount=D("10"))
    collision = cpo.post(edit, {**data, "contributor": "region"})
    assert (
        collision.status_code == 400
        and "déjà une contribution pour cette année" in collision.content.decode()
    )
    assert cpo.post(url("funds:delete_contribution", pk=contribution.pk)).status_code == 302
    assert last_trace(contribution, "suppression").changes["amount"] == "2500.01"
    assert not Contribution.objects.filter(pk=contribution.pk).exists()


def test_an_edited_payment_recomputes_the_fund_balance_to_the_cent(cite, cpo, commitment):
    budget.ensure_default_contributions(cite, 2024)
    payment = Payment.objects.create(commitment=commitment, amount=D("400.00"), paid_on=date(2024, 5, 2))
    data = {"commitment": commitment.pk, "amount": "437,89", "paid_on": "2024-05-02"}
    assert cpo.post(url("funds:edit_payment", pk=payment.pk), data).status_code == 302
    [year] = budget.fund_years(cite)
    # 30 000,00 in, 1 000,00 committed, 437,89 paid: 562,11 to pay and 29 562,11 cash.
    assert (year.paid, year.to_pay, year.cash) == (D("437.89"), D("562.11"), D("29562.11"))
    assert last_trace(payment, "modification").changes == {"amount": ["400.00", "437.89"]}
    page = cpo.get(url("funds:index")).content.decode()
    assert "29\u202f562,11\u00a0€" in page
    assert url("funds:edit_payment", pk=payment.pk) in page


def test_a_payment_cannot_be_raised_above_its_commitment(cite, cpo, commitment):
    Payment.objects.create(commitment=commitment, amount=D("600.00"), paid_on=date(2024, 5, 2))
    payment = Payment.objects.create(commitment=commitment, amount=D("300.00"), paid_on=date(2024, 6, 2))
    data = {"commitment": commitment.pk, "amount": "400,01", "paid_on": "2024-06-02"}
    response = cpo.post(url("funds:edit_payment", pk=payment.pk), data)
    assert response.status_code == 400
    assert "reste à payer : 400.00" in response.content.decode()
    payment.refresh_from_db()
    assert payment.amount == D("300.00")


def test_a_commitment_cannot_go_below_its_payments(cite, cpo, commitment):
    Payment.objects.create(commitment=commitment, amount=D("750.50"), paid_on=date(2024, 5, 2))
    data = {
        "action": commitment.action_id,
        "year": "2024",
        "amount": "750,49",
        "decided_on": "2024-02-01",
    }
    edit = url("funds:edit_commitment", pk=commitment.pk)
    refused = cpo.post(edit, data)
    assert refused.status_code == 400
    assert "inférieur aux paiements déjà faits (750.50 €)" in refused.content.decode()
    assert cpo.post(edit, {**data, "amount": "750,50"}).status_code == 302
    commitment.refresh_from_db()
    assert commitment.amount == D("750.50") and commitment.remaining() == D("0.00")
    assert last_trace(commitment, "modification").changes == {"amount": ["1000.00", "750.50"]}


def test_a_commitment_on_an_action_not_validated_is_refused_by_the_model(cite, commitment):
    commitment.action.status = Status.PROPOSED
    commitment.action.save()
    with pytest.raises(ValidationError, match="validée par la troïka, en cours ou réalisée"):
        commitment.full_clean(exclude=["created_by"])
    commitment.action.status = Status.ABANDONED
    with pytest.raises(ValidationError, match="validée par la troïka"):
        commitment.full_clean(exclude=["created_by"])
    commitment.action.status = Status.DONE
    commitment.full_clean(exclude=["created_by"])


def test_a_commitment_with_payments_is_deleted_only_after_its_payments(cite, cpo, commitment):
    payment = Payment.objects.create(commitment=commitment, amount=D("10.00"), paid_on=date(2024, 5, 2))
    delete = url("funds:delete_commitment", pk=commitment.pk)
    refused = cpo.post(delete)
    assert refused.status_code == 400
    assert "supprimez d&#x27;abord ses paiements" in refused.content.decode()
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    assert cpo.get(url("funds:delete_payment", pk=payment.pk)).status_code == 200
    assert Payment.objects.filter(pk=payment.pk).exists()
    assert cpo.post(url("funds:delete_payment", pk=payment.pk)).status_code == 302
    assert last_trace(payment, "suppression").changes["amount"] == "10.00"
    assert cpo.post(delete).status_code == 302
    assert not Commitment.objects.filter(pk=commitment.pk).exists()
    assert last_trace(commitment, "suppression").changes["amount"] == "1000.00"


@pytest.mark.parametrize("role", [CiteRole.PARTNER, CiteRole.OBSERVER, CiteRole.TROIKA])
def test_members_without_the_right_to_manage_the_fund_get_403(cite, commitment, client_as, role):
    payment = Payment.objects.create(commitment=commitment, amount=D("10.00"), paid_on=date(2024, 5, 2))
    contribution = Contribution.objects.create(cite=cite, year=2024, contributor="commune", amount=D("5"))
    client = client_as(make_cite_member(cite, role))
    for name, pk in (
        ("funds:edit_contribution", contribution.pk),
        ("funds:delete_contribution", contribution.pk),
        ("funds:edit_commitment", commitment.pk),
        ("funds:delete_commitment", commitment.pk),
        ("funds:edit_payment", payment.pk),
        ("funds:delete_payment", payment.pk),
    ):
        assert client.post(url(name, pk=pk), {"amount": "1"}).status_code == 403, name
    assert Payment.objects.filter(pk=payment.pk, amount=D("10.00")).exists()
    assert Contribution.objects.filter(pk=contribution.pk).exists()


def test_another_cites_cpo_gets_404_on_this_cites_fund_entries(cite, commitment, client_as):
    payment = Payment.objects.create(commitment=commitment, amount=D("10.00"), paid_on=date(2024, 5, 2))
    contribution = Contribution.objects.create(cite=cite, year=2024, contributor="commune", amount=D("5"))
    make_cite("autre-cite", "Cité des Peupliers")
    from veille.web.cite.cites.models import Cite

    client = client_as(make_cite_member(Cite.objects.get(slug="autre-cite"), CiteRole.PROJECT_LEAD))
    for name, pk in (
        ("funds:edit_contribution", contribution.pk),
        ("funds:delete_contribution", contribution.pk),
        ("funds:edit_commitment", commitment.pk),
        ("funds:delete_commitment", commitment.pk),
        ("funds:edit_payment", payment.pk),
        ("funds:delete_payment", payment.pk),
    ):
        assert client.post(url(name, cite="autre-cite", pk=pk)).status_code == 404, name
        assert client.post(url(name, pk=pk)).status_code == 404, name
    assert (
        Payment.objects.filter(pk=payment.pk).exists()
        and Commitment.objects.filter(pk=commitment.pk).exists()
    )


# Network meetings


@pytest.fixture
def meeting(cite):
    cite.region = "Région Fictive"
    cite.save()
    return NetworkMeeting.objects.create(region="Région Fictive", host=cite, held_on=date(2025, 11, 18))


def test_the_host_cpo_corrects_a_network_meeting(cite, cpo, meeting):
    edit = reverse("network:meeting_edit", kwargs={"pk": meeting.pk})
    assert edit in cpo.get(reverse("network:meetings")).content.decode()
    response = cpo.post(edit, {"held_on": "2025-11-19", "place": "Salle des fêtes"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.place) == (date(2025, 11, 19), "Salle des fêtes")
    entry = last_trace(meeting, "modification")
    assert entry.cite_id == cite.pk
    assert entry.changes == {"held_on": ["2025-11-18", "2025-11-19"], "place": ["", "Salle des fêtes"]}


def test_only_the_host_cpo_edits_a_network_meeting(cite, meeting, client_as):
    edit = reverse("network:meeting_edit", kwargs={"pk": meeting.pk})
    neighbour = make_cite("cite-voisine", "Cité des Acacias")
    neighbour.region = "Région Fictive"
    neighbour.save()
    neighbour_cpo = client_as(make_cite_member(neighbour, CiteRole.PROJECT_LEAD))
    assert neighbour_cpo.get(reverse("network:meetings")).status_code == 200
    assert neighbour_cpo.post(edit, {"held_on": "2025-12-01"}).status_code == 403
    for role in (CiteRole.PARTNER, CiteRole.OBSERVER):
        assert (
            client_as(make_cite_member(cite, role)).post(edit, {"held_on": "2025-12-01"}).status_code == 403
        )
    far = make_cite("cite-lointaine", "Cité des Cèdres")
    far.region = "Autre Région"
    far.save()
    stranger = client_as(make_cite_member(far, CiteRole.PROJECT_LEAD))
    assert stranger.post(edit, {"held_on": "2025-12-01"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.held_on == date(2025, 11, 18)
    assert not Trace.objects.filter(verb="modification").exists()
