"""The référent seats people in the cell and changes their role; nobody else can."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from veille.web.common.accounts.members import add_member
from veille.web.common.accounts.models import Invitation, Membership, User
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import AuditEvent
from veille.web.common.territories.models import Commune

from .conftest import make_member


def url(commune, name="index", **kwargs):
    return reverse(f"members:{name}", kwargs={"commune": commune.slug, **kwargs})


def test_the_referent_adds_a_new_person_who_gets_a_one_time_password(commune_a, member, client_as):
    client = client_as(member(Role.REFERENT))
    response = client.post(
        url(commune_a),
        {
            "action": "creer",
            "nouveau-first_name": "Nouvelle",
            "nouveau-last_name": "Ien",
            "nouveau-role": "education",
        },
    )
    user = User.objects.get(username=response.context["new_login"])
    password = response.context["password"]
    assert password and password in response.text and user.check_password(password)
    assert Membership.objects.get(user=user, commune=commune_a).role == Role.EDUCATION
    assert password not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_an_existing_account_is_invited_and_seated_once_it_accepts(commune_a, commune_b, member, client_as):
    elsewhere = make_member(commune_b, Role.AGENT, "agent.partage")
    response = client_as(member(Role.REFERENT)).post(
        url(commune_a),
        {"action": "inviter", "invitation-username": "Agent.Partage", "invitation-role": "reader"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=elsewhere, commune=commune_a).exists()
    invitation = Invitation.objects.get(username="agent.partage")
    invitation.answer(elsewhere, accept=True)
    assert Membership.objects.get(user=elsewhere, commune=commune_a).role == Role.READER


def test_the_command_refuses_a_person_already_in_the_cell(commune_a, member):
    agent = member(Role.AGENT)
    with pytest.raises(ValueError, match="déjà membre"):
        add_member(commune=commune_a, username=agent.username, role=Role.READER)


def test_the_referent_changes_a_role_and_withdraws_a_member(commune_a, member, client_as):
    agent = member(Role.AGENT)
    client = client_as(member(Role.REFERENT))
    seat = Membership.objects.get(user=agent)
    client.post(url(commune_a, "change", pk=seat.pk), {"role": Role.READER})
    seat.refresh_from_db()
    assert seat.role == Role.READER
    client.post(url(commune_a, "change", pk=seat.pk), {"role": Role.READER, "action": "retirer"})
    seat.refresh_from_db()
    assert not seat.active
    home = reverse("cellule:home", kwargs={"commune": commune_a.slug})
    assert client_as(agent).get(home).status_code == 404


def test_the_referent_cannot_change_their_own_seat(commune_a, member, client_as):
    referent = member(Role.REFERENT)
    seat = Membership.objects.get(user=referent)
    client_as(referent).post(url(commune_a, "change", pk=seat.pk), {"role": Role.READER, "action": "retirer"})
    seat.refresh_from_db()
    assert seat.active and seat.role == Role.REFERENT


@pytest.mark.parametrize("role", [r for r in Role if r != Role.REFERENT])
def test_only_the_referent_manages_members(commune_a, member, client_as, role):
    assert client_as(member(role)).get(url(commune_a)).status_code == 403


def test_a_referent_of_another_commune_cannot_touch_these_members(commune_a, commune_b, member, client_as):
    seat = Membership.objects.get(user=member(Role.AGENT))
    stranger = make_member(commune_b, Role.REFERENT)
    response = client_as(stranger).post(url(commune_a, "change", pk=seat.pk), {"role": "reader"})
    assert response.status_code == 404
    response = client_as(stranger).post(url(commune_b, "change", pk=seat.pk), {"role": "reader"})
    assert response.status_code == 404
    seat.refresh_from_db()
    assert seat.role == Role.AGENT


def test_the_operator_creates_a_commune_and_its_referent(db, capsys):
    call_command(
        "creer_commune",
        "--nom",
        "Val-Fictif",
        "--adresse-web",
        "val-fictif",
        "--insee",
        "99303",
        "--referent",
        "ref.val",
    )
    out = capsys.readouterr().out
    commune = Commune.objects.get(slug="val-fictif")
    assert commune.department == "99"
    seat = Membership.objects.get(commune=commune)
    assert seat.role == Role.REFERENT
    password = out.split("une seule fois) : ")[1].strip()
    assert seat.user.check_password(password)
