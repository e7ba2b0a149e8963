"""The cité's pages: territory, directory, members, fund entries, diagnostic and its CSV, journal, demo."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from veille.web.cite.actions.models import Action, Status, Transition
from veille.web.cite.cites.models import CiteMembership, ImmutableError, School, Trace
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.diagnostic.models import Finding, TerritorialIndicator
from veille.web.cite.framework.models import Objective
from veille.web.cite.funds import budget
from veille.web.cite.funds.models import Commitment, Contribution, Payment
from veille.web.common.accounts.models import CHARTER_VERSION, User
from veille.web.demo.cite import ACCOUNTS, seed_cite

from .cite_support import make_action, make_cite, make_cite_member, url


@pytest.fixture
def cpo(cite, client_as):
    return client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD))


def test_the_cpo_adds_schools_with_one_lead_college_and_valid_uai_codes(cite, cpo):
    add = url("cites:add_to_territory", kind="etablissement")
    ok = {
        "etablissement-uai": "0599999a",
        "etablissement-name": "Collège des Saules",
        "etablissement-kind": "college",
        "etablissement-is_lead": "on",
    }
    assert cpo.post(add, ok).status_code == 302
    assert School.objects.get(cite=cite).uai == "0599999A"
    second_lead = {**ok, "etablissement-uai": "0599998B", "etablissement-name": "Collège des Ormes"}
    assert cpo.post(add, second_lead).status_code == 400
    bad_uai = {**ok, "etablissement-uai": "123", "etablissement-is_lead": ""}
    assert cpo.post(add, bad_uai).status_code == 400
    assert School.objects.filter(cite=cite).count() == 1
    assert Trace.objects.filter(cite=cite, object_type="cites.school", verb="création").count() == 1
    assert "Collège des Saules" in cpo.get(url("cites:territory")).content.decode()


def test_the_cpo_gives_a_seat_to_an_existing_account(cite, cpo, member):
    from veille.web.common.accounts.roles import Role

    cell_agent = member(Role.AGENT)  # a person of a cell joins the cité with the same account
    partner = cite.partners.first()
    response = cpo.post(
        url("cites:members"), {"username": cell_agent.username, "role": "partner", "partner": partner.pk}
    )
    assert response.status_code == 302
    seat = CiteMembership.objects.get(user=cell_agent, cite=cite)
    assert (seat.role, seat.partner) == (CiteRole.PARTNER, partner)
    assert cell_agent.memberships.count() == 1  # the cell membership is untouched
    refused = cpo.post(url("cites:members"), {"username": "personne", "role": "observer"})
    assert refused.status_code == 200 and "Aucun compte" in refused.content.decode()


def test_a_troika_member_cannot_add_members(cite, client_as):
    client = client_as(make_cite_member(cite, CiteRole.TROIKA))
    other = User.objects.create_user("quelquun")
    assert (
        client.post(url("cites:members"), {"username": "quelquun", "role": "project_lead"}).status_code == 403
    )
    assert not CiteMembership.objects.filter(user=other).exists()


def test_fund_entries_from_the_page_are_exact_and_traced(cite, cpo):
    action = make_action(cite, status=Status.VALIDATED)
    assert cpo.post(url("funds:add_default_contributions"), {"year": "2024"}).status_code == 302
    data = {
        "contribution-year": "2024",
        "contribution-contributor": "commune",
        "contribution-amount": "2 500,10",
    }
    assert cpo.post(url("funds:add_contribution"), data).status_code == 302
    data["contribution-amount"] = "2500,20"  # a correction of the same contributor and year
    assert cpo.post(url("funds:add_contribution"), data).status_code == 302
    assert Contribution.objects.filter(cite=cite, year=2024).count() == 3
    commitment = {
        "commitment-action": action.pk,
        "commitment-year": "2024",
        "commitment-amount": "10000",
        "commitment-decided_on": "2024-02-01",
    }
    assert cpo.post(url("funds:add_commitment"), commitment).status_code == 302
    c = Commitment.objects.get(cite=cite)
    payment = {"payment-commitment": c.pk, "payment-amount": "9999,99", "payment-paid_on": "2024-06-01"}
    assert cpo.post(url("funds:add_payment"), payment).status_code == 302
    too_much = {**payment, "payment-amount": "0,02"}
    assert cpo.post(url("funds:add_payment"), too_much).status_code == 400
    assert Payment.objects.count() == 1
    [year] = budget.fund_years(cite)
    assert (year.contributions, year.committed, year.paid, year.cash) == (
        Decimal("32500.20"),
        Decimal("10000.00"),
        Decimal("9999.99"),
        Decimal("22500.21"),
    )
    correction = Trace.objects.get(object_type="funds.contribution", verb="modification")
    assert correction.changes["amount"] == ["2500.10", "2500.20"]
    assert Trace.objects.filter(cite=cite, object_type="funds.payment").count() == 1
    page = cpo.get(url("funds:index")).content.decode()
    assert "22\u202f500,21\u00a0€" in page


def test_a_proposed_action_cannot_receive_the_fund(cite, cpo):
    action = make_action(cite)
    data = {
        "commitment-action": action.pk,
        "commitment-year": "2024",
        "commitment-amount": "10",
        "commitment-decided_on": "2024-02-01",
    }
    assert cpo.post(url("funds:add_commitment"), data).status_code == 400
    assert not Commitment.objects.exists()


def test_another_cites_cpo_cannot_commit_this_cites_action(cite, client_as):
    action = make_action(cite, status=Status.VALIDATED)
    other = make_cite("autre-cite", "Cité des Peupliers")
    client = client_as(make_cite_member(other, CiteRole.PROJECT_LEAD))
    data = {
        "commitment-action": action.pk,
        "commitment-year": "2024",
        "commitment-amount": "10",
        "commitment-decided_on": "2024-02-01",
    }
    assert client.post(url("funds:add_commitment", cite="autre-cite"), data).status_code == 400
    assert client.post(url("funds:add_commitment"), data).status_code == 404
    assert not Commitment.objects.exists()


def test_the_diagnostic_takes_findings_and_imports_indicators_from_csv(cite, cpo):
    objective = Objective.objects.get(framework__is_current=True, number=2)
    finding = {
        "finding-objective": objective.pk,
        "finding-kind": "faiblesse",
        "finding-text": "Peu de places en crèche",
        "finding-figures": "12 places pour 100 enfants de moins de 3 ans",
    }
    assert cpo.post(url("diagnostic:add_finding"), finding).status_code == 302
    assert Finding.objects.get(cite=cite).objective == objective
    csv_text = (
        "indicateur;unité;année;source;quartier;commune;agglomération;objectif\n"
        "Taux de réussite au DNB;%;2024;DEPP;71,5;82,0;86,3;1\n"
        "Élèves en retard à l'entrée en 6e;%;2024;DEPP;18;11;9;\n"
        "Ligne fautive;%;deux-mille;;1;2;3;\n"
    )
    upload = SimpleUploadedFile("indicateurs.csv", csv_text.encode(), content_type="text/csv")
    assert cpo.post(url("diagnostic:import_csv"), {"csv-file": upload}).status_code == 302
    dnb = TerritorialIndicator.objects.get(cite=cite, label="Taux de réussite au DNB")
    assert (dnb.neighbourhood, dnb.commune, dnb.agglomeration) == (
        Decimal("71.5"),
        Decimal("82.0"),
        Decimal("86.3"),
    )
    assert dnb.gap_to_commune() == Decimal("-10.5") and dnb.gap_to_agglomeration() == Decimal("-14.8")
    assert dnb.objective.number == 1
    assert TerritorialIndicator.objects.filter(cite=cite).count() == 2
    again = SimpleUploadedFile(
        "i.csv", "indicateur,année,quartier\nTaux de réussite au DNB,2024,72\n".encode()
    )
    cpo.post(url("diagnostic:import_csv"), {"csv-file": again})
    dnb.refresh_from_db()
    assert dnb.neighbourhood == Decimal("72") and TerritorialIndicator.objects.filter(cite=cite).count() == 2
    page = cpo.get(url("diagnostic:index")).content.decode()
    assert "Peu de places en crèche" in page and "<td>-10 %</td>" in page  # 72 − 82 after the reimport


def test_the_journal_is_append_only_and_shown_to_the_cpo(cite, cpo):
    cpo.post(url("cites:partner_create"), {"name": "Ludothèque Les Dés Fictifs", "kind": "culture"})
    trace = Trace.objects.get(cite=cite, object_type="cites.partner")
    with pytest.raises(ImmutableError):
        trace.save()
    with pytest.raises(ImmutableError):
        trace.delete()
    assert "Ludothèque Les Dés Fictifs" in cpo.get(url("cites:journal")).content.decode()


def test_the_menu_and_the_home_page_list_the_users_cites(cite, client_as):
    user = make_cite_member(cite, CiteRole.OBSERVER)
    client = client_as(user)
    # A member of one cité and no cell (a CPO) lands on the cité, never on « aucune cellule ».
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cites:home", kwargs={"cite": cite.slug})
    home = response.content.decode()
    assert "Cités éducatives" in home and "aucune cellule" not in home
    assert cite.name in client.get(reverse("cites:list")).content.decode()


def test_the_demo_cite_has_25_actions_two_years_of_execution_and_money(db, commune_a, client_as):
    demo = seed_cite(communes=[commune_a, "Hameau-des-Essais"])
    cite = demo.cite
    assert {a.role for a in demo.accounts} == set(CiteRole)
    assert len(demo.accounts) == len(ACCOUNTS) == 4
    actions = Action.objects.filter(cite=cite)
    assert actions.count() == 25
    assert {s.objective.number for a in actions for s in a.sub_objectives.all()} == {1, 2, 3}
    assert set(actions.values_list("status", flat=True)) == set(Status.values)
    assert Transition.objects.filter(action__cite=cite, to_status=Status.VALIDATED).count() >= 15
    years = set(actions.filter(executions__isnull=False).values_list("executions__year", flat=True))
    assert years == {2024, 2025}
    assert budget.fund_total(cite).paid > 0
    assert cite.schools.get(is_lead=True).uai == "0599999A"
    assert cite.communes.filter(commune=commune_a).exists()
    assert seed_cite(communes=[commune_a]).cite == cite  # idempotent
    assert Action.objects.filter(cite=cite).count() == 25
    cpo = User.objects.get(username="cpo.tilleuls")
    cpo.charter_version = CHARTER_VERSION
    cpo.save()
    client = client_as(cpo)
    for name in (
        "cites:home",
        "actions:index",
        "funds:index",
        "diagnostic:index",
        "framework:index",
        "cites:journal",
    ):
        assert client.get(reverse(name, kwargs={"cite": cite.slug})).status_code == 200
