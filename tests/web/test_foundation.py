"""Accounts, roles, charter, second factor, audit log and retention: the ground every page stands on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyotp
import pytest
from django.urls import reverse

from veille.compulsory import retention_end
from veille.web.common.accounts.models import Throttle, User
from veille.web.common.accounts.roles import Capability, Role, can, permissions_markdown
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action, AuditEvent, ImmutableError

from .conftest import PASSWORD, make_member

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_the_permission_table_in_the_docs_is_the_one_the_code_applies():
    assert permissions_markdown() in DOCS.read_text(encoding="utf-8")


def test_the_caf_officer_sees_nothing_of_the_cases():
    assert can(Role.CAF, Capability.IMPORT_FILES)
    assert not can(Role.CAF, Capability.VIEW_CASES)
    assert not can(Role.CAF, Capability.VIEW_CHILDREN)


def test_the_prosecutor_sees_only_transmitted_cases():
    assert can(Role.PROSECUTOR, Capability.VIEW_TRANSMITTED_CASES)
    assert not can(Role.PROSECUTOR, Capability.VIEW_CASES)


def test_it_shows_a_404_to_a_user_of_another_commune(commune_a, commune_b, client_as):
    stranger = make_member(commune_b, Role.REFERENT)
    response = client_as(stranger).get(reverse("cellule:home", kwargs={"commune": commune_a.slug}))
    assert response.status_code == 404


def test_it_lets_a_member_into_the_commune_home(commune_a, member, client_as):
    response = client_as(member(Role.AGENT)).get(reverse("cellule:home", kwargs={"commune": "villeneuve"}))
    assert response.status_code == 200
    assert "Villeneuve-sur-Fictif" in response.text


def test_it_sends_an_anonymous_visitor_to_the_login_page(commune_a, client):
    response = client.get(reverse("cellule:home", kwargs={"commune": commune_a.slug}))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_asks_to_accept_the_charter_at_first_login(commune_a, member, client_as):
    user = member(Role.AGENT, charter=False)
    client = client_as(user)
    home = reverse("cellule:home", kwargs={"commune": commune_a.slug})
    response = client.get(home)
    assert response.status_code == 302 and reverse("accounts:charter") in response["Location"]
    client.post(reverse("accounts:charter"), {"accept": "oui", "next": home})
    assert client.get(home).status_code == 200
    user.refresh_from_db()
    assert user.has_accepted_charter and user.charter_accepted_at is not None


def test_it_refuses_to_continue_without_ticking_the_charter(commune_a, member, client_as):
    client = client_as(member(Role.AGENT, charter=False))
    client.post(reverse("accounts:charter"), {})
    response = client.get(reverse("cellule:home", kwargs={"commune": commune_a.slug}))
    assert response.status_code == 302


def test_it_hashes_passwords_with_argon2(member):
    assert member(Role.AGENT).password.startswith("argon2")


def test_it_pauses_logins_after_five_failures(member, client):
    user = member(Role.AGENT)
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": user.username, "password": "faux"})
        assert "Identifiant ou mot de passe incorrect" in response.text
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert "essais infructueux" in response.text
    assert "_auth_user_id" not in client.session
    assert Throttle.objects.get(key=f"login:{user.username}|127.0.0.1").failures == 5


def test_it_logs_in_with_the_right_password_and_records_it(member, client):
    user = member(Role.AGENT)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(user=user, action=Action.LOGIN).count() == 1


def test_it_asks_the_second_factor_once_it_is_enabled(commune_a, member, client):
    user = member(Role.AGENT)
    user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
    user.save()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    home = reverse("cellule:home", kwargs={"commune": commune_a.slug})
    assert reverse("accounts:totp_verify") in client.get(home)["Location"]
    client.post(reverse("accounts:totp_verify"), {"code": "12345x"})
    assert client.get(home).status_code == 302
    client.post(reverse("accounts:totp_verify"), {"code": pyotp.TOTP(user.totp_secret).now()})
    assert client.get(home).status_code == 200


def test_it_enables_the_second_factor_after_a_right_code(member, client_as):
    user = member(Role.AGENT)
    client = client_as(user)
    client.get(reverse("accounts:totp_setup"))
    secret = client.session["veille_totp_pending"]
    client.post(reverse("accounts:totp_setup"), {"code": pyotp.TOTP(secret).now()})
    user.refresh_from_db()
    assert user.totp_enabled and user.totp_secret == secret


def test_nobody_can_edit_or_delete_an_audit_entry(commune_a, member):
    event = record(None, Action.VIEW, object_type="enfant", object_id="1", commune=commune_a)
    event.detail = "changé"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.update(detail="x")


@pytest.mark.parametrize(
    ("born", "until"),
    [
        (date(2010, 10, 2), date(2027, 8, 31)),
        (date(2010, 3, 2), date(2026, 8, 31)),
        (date(2010, 8, 31), date(2026, 8, 31)),
        (date(2010, 9, 1), date(2027, 8, 31)),
    ],
)
def test_data_are_kept_until_the_end_of_the_school_year_the_child_turns_16(born, until):
    assert retention_end(born) == until


def test_users_have_no_role_outside_their_memberships(db):
    user = User.objects.create_user("isole", password=PASSWORD)
    assert not user.memberships.exists()


def test_the_commune_home_shows_each_role_only_what_it_may_see(commune_a, member, client_as):
    home = reverse("cellule:home", kwargs={"commune": commune_a.slug})
    agent_page = client_as(member(Role.AGENT)).get(home).text
    assert "à traiter" in agent_page and "dossier" in agent_page
    caf_page = client_as(member(Role.CAF)).get(home).text
    assert "dépôt" in caf_page
    assert "dossier" not in caf_page.split("<h2>")[1] and "non trouvé" not in caf_page


def test_it_shows_the_second_factor_key_as_a_qr_code_drawn_on_the_server(member, client_as):
    page = client_as(member(Role.AGENT)).get(reverse("accounts:totp_setup")).text
    assert "<svg" in page and "QR code de configuration" in page
    assert "http" not in page.split('class="qr"')[1].split("</div>")[0].replace("http://www.w3.org", "")
