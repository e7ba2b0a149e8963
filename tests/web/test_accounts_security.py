"""Hardened accounts: login throttling, second factor, password change, logins, invitations."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pyotp
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from veille.web.common.accounts import models as accounts
from veille.web.common.accounts.members import add_member
from veille.web.common.accounts.models import Invitation, Membership, Throttle, User
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import PASSWORD, make_member

LOGIN = "/compte/connexion/"


def login(client, username, password, address="192.0.2.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- login throttling ------------------------------------------------------------------------------


def test_five_wrong_passwords_pause_the_account_from_that_address_only(member, client):
    user = member(Role.AGENT)
    for _ in range(5):
        assert "incorrect" in login(client, user.username, "faux").text
    assert "essais infructueux" in login(client, user.username, PASSWORD).text
    assert not logged_in(client)
    # The owner, from their own office, is not locked out by someone failing elsewhere.
    login(client, user.username, PASSWORD, address="198.51.100.7")
    assert logged_in(client)


def test_one_wrong_password_on_many_accounts_pauses_the_address(commune_a, client, settings):
    users = [make_member(commune_a, Role.READER, f"lecteur-{i}") for i in range(12)]
    answers = [login(client, u.username, "faux").text for u in users]
    assert all("incorrect" in a for a in answers[: settings.LOGIN_ADDRESS_MAX_FAILURES])
    assert "essais infructueux" in answers[settings.LOGIN_ADDRESS_MAX_FAILURES]
    login(client, users[0].username, PASSWORD, address="198.51.100.7")
    assert logged_in(client)


def test_failures_from_many_addresses_slow_the_account_but_never_lock_it(member, client, settings):
    user = member(Role.AGENT)
    for i in range(settings.LOGIN_ACCOUNT_MAX_FAILURES):
        login(client, user.username, "faux", address=f"203.0.113.{i}")
    assert "essais infructueux" in login(client, user.username, PASSWORD, address="198.51.100.7").text
    # After the short backoff, the right password works again from anywhere.
    Throttle.objects.filter(key=f"account:{user.username}").update(
        last_failure=timezone.now() - timedelta(seconds=settings.LOGIN_ACCOUNT_BACKOFF_SECONDS + 1)
    )
    login(client, user.username, PASSWORD, address="198.51.100.7")
    assert logged_in(client)


def test_a_success_clears_the_account_counters(member, client):
    user = member(Role.AGENT)
    for _ in range(4):
        login(client, user.username, "faux")
    login(client, user.username, PASSWORD)
    assert logged_in(client)
    client.logout()
    for _ in range(4):
        assert "incorrect" in login(client, user.username, "faux").text


def test_the_login_ignores_case_and_full_width_letters(member, client):
    user = member(Role.AGENT)
    login(client, user.username.upper(), PASSWORD)
    assert logged_in(client)


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_attempts_get_no_more_password_checks_than_the_limit(commune_a, settings, monkeypatch):
    if connection.vendor == "sqlite":
        # The test database of SQLite lives in memory, where threads share one cache and fail on each
        # other's locks instead of waiting; on a file (production) IMMEDIATE transactions serialise.
        pytest.skip("parallel attempts are checked on PostgreSQL")
    user = make_member(commune_a, Role.AGENT, "cible")
    checks = []
    original = User.check_password

    def counted(self, raw):  # the real check, counted
        checks.append(1)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counted)
    barrier = threading.Barrier(40)
    errors = []

    def attempt():
        try:
            barrier.wait()
            login(Client(), user.username, "faux")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(checks) <= settings.LOGIN_MAX_FAILURES


# --- second factor ---------------------------------------------------------------------------------


@pytest.fixture
def with_totp(member):
    user = member(Role.AGENT)
    user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
    user.save()
    return user


def code_now(user) -> str:
    return pyotp.TOTP(user.totp_secret).now()


def test_wrong_codes_are_limited_then_even_the_right_one_waits(with_totp, client_as, settings):
    client = client_as(with_totp)
    verify = reverse("accounts:totp_verify")
    for _ in range(settings.TOTP_MAX_FAILURES):
        assert "Code incorrect" in client.post(verify, {"code": "000000"}).text
    response = client.post(verify, {"code": code_now(with_totp)})
    assert "Trop de codes erronés" in response.text
    assert not client.session.get("veille_totp_ok")


def test_a_code_is_good_once_even_in_a_second_session(with_totp, client):
    code = code_now(with_totp)
    first, second = Client(), Client()
    for c in (first, second):
        c.force_login(with_totp)
    assert first.post(reverse("accounts:totp_verify"), {"code": code}).status_code == 302
    assert "déjà utilisé" in second.post(reverse("accounts:totp_verify"), {"code": code}).text
    assert not second.session.get("veille_totp_ok")


def test_disabling_the_second_factor_needs_a_valid_code(with_totp, client_as):
    client = client_as(with_totp)
    session = client.session
    session["veille_totp_ok"] = True
    session.save()
    client.post(reverse("accounts:totp_setup"), {"code": "000000"})
    with_totp.refresh_from_db()
    assert with_totp.totp_enabled
    client.post(reverse("accounts:totp_setup"), {"code": code_now(with_totp)})
    with_totp.refresh_from_db()
    assert not with_totp.totp_enabled and not with_totp.totp_secret


def test_a_user_without_second_factor_posting_a_code_is_sent_on_not_to_an_error(member, client_as):
    response = client_as(member(Role.AGENT)).post(reverse("accounts:totp_verify"), {"code": "123456"})
    assert response.status_code == 302


def test_the_code_that_enabled_the_second_factor_cannot_open_another_session(member, client_as):
    user = member(Role.AGENT)
    client = client_as(user)
    client.get(reverse("accounts:totp_setup"))
    code = pyotp.TOTP(client.session["veille_totp_pending"]).now()
    client.post(reverse("accounts:totp_setup"), {"code": code})
    other = Client()
    other.force_login(user)
    assert "déjà utilisé" in other.post(reverse("accounts:totp_verify"), {"code": code}).text


# --- passwords -------------------------------------------------------------------------------------


def test_a_member_changes_their_password_and_the_validators_run(member, client_as):
    user = member(Role.AGENT)
    client = client_as(user)
    page = reverse("accounts:password_change")
    weak = {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    response = client.post(page, weak)
    assert "trop court" in response.text or "trop courant" in response.text
    strong = "une-phrase-de-passe-solide-2026"
    client.post(page, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    user.refresh_from_db()
    assert user.check_password(strong)
    assert AuditEvent.objects.filter(user=user, detail="mot de passe changé").exists()


def test_a_provisional_password_must_be_changed_before_anything_else(commune_a, member, client):
    membership, provisional = add_member(commune=commune_a, username="nouvelle.agente", role=Role.AGENT)
    user = membership.user
    assert user.must_change_password
    login(client, user.username, provisional)
    home = reverse("cellule:home", kwargs={"commune": commune_a.slug})
    assert reverse("accounts:password_change") in client.get(home)["Location"]
    strong = "mon-propre-mot-de-passe-long"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": provisional, "new_password1": strong, "new_password2": strong},
    )
    user.refresh_from_db()
    assert not user.must_change_password
    assert reverse("accounts:charter") in client.get(home)["Location"]


# --- logins and invitations ------------------------------------------------------------------------


@pytest.mark.parametrize("login_name", ["аgent", "ﬁlou", "a b", "x", "prénom.nom", "<script>"])
def test_it_refuses_logins_that_are_not_plain_ascii(commune_a, login_name):
    # "аgent" starts with a Cyrillic а; "ﬁlou" with a ligature that NFKC turns into "fi" (then fine).
    if login_name == "ﬁlou":
        membership, _ = add_member(commune=commune_a, username=login_name, role=Role.READER)
        assert membership.user.username == "filou"
        return
    with pytest.raises(ValueError, match="identifiant"):
        add_member(commune=commune_a, username=login_name, role=Role.READER)


def test_two_logins_differing_only_by_case_are_one_account(commune_a, commune_b):
    first, _ = add_member(commune=commune_a, username="Agent.Double", role=Role.AGENT)
    second, password = add_member(commune=commune_b, username="agent.double", role=Role.AGENT)
    assert first.user == second.user and not password
    assert User.objects.filter(username__iexact="agent.double").count() == 1


def test_the_referent_creates_an_account_with_a_generated_login_and_provisional_password(
    commune_a, member, client_as
):
    client = client_as(member(Role.REFERENT))
    response = client.post(
        reverse("members:index", kwargs={"commune": commune_a.slug}),
        {
            "action": "creer",
            "nouveau-first_name": "Élodie",
            "nouveau-last_name": "Fictiva",
            "nouveau-role": "reader",
        },
    )
    login_name, password = response.context["new_login"], response.context["password"]
    assert login_name.startswith("elodie.fictiva-")
    user = User.objects.get(username=login_name)
    assert user.check_password(password) and user.must_change_password
    assert Membership.objects.get(user=user).role == Role.READER


def invite(client, commune, username, role="prosecutor"):
    return client.post(
        reverse("members:index", kwargs={"commune": commune.slug}),
        {"action": "inviter", "invitation-username": username, "invitation-role": role},
        follow=True,
    )


def test_an_invitation_seats_nobody_until_the_account_accepts(commune_a, commune_b, client_as):
    parquet_a = make_member(commune_a, Role.PROSECUTOR, "parquet.a")
    referent_b = make_member(commune_b, Role.REFERENT)
    invite(client_as(referent_b), commune_b, "parquet.a")
    assert not Membership.objects.filter(user=parquet_a, commune=commune_b).exists()
    client = client_as(parquet_a)
    home = client.get(reverse("home")).text
    assert "Bourg-Imaginaire" in home and "Accepter" in home
    invitation = Invitation.objects.get(username="parquet.a")
    client.post(reverse("accounts:answer_invitation", kwargs={"pk": invitation.pk}), {"reponse": "accepter"})
    assert Membership.objects.get(user=parquet_a, commune=commune_b).role == Role.PROSECUTOR


def test_a_declined_invitation_seats_nobody(commune_a, commune_b, client_as):
    parquet_a = make_member(commune_a, Role.PROSECUTOR, "parquet.a")
    invite(client_as(make_member(commune_b, Role.REFERENT)), commune_b, "parquet.a")
    invitation = Invitation.objects.get(username="parquet.a")
    client_as(parquet_a).post(
        reverse("accounts:answer_invitation", kwargs={"pk": invitation.pk}), {"reponse": "decliner"}
    )
    assert not Membership.objects.filter(user=parquet_a, commune=commune_b).exists()


def test_the_invitation_answer_does_not_tell_whether_the_account_exists(commune_a, commune_b, client_as):
    make_member(commune_a, Role.PROSECUTOR, "parquet.a")
    client = client_as(make_member(commune_b, Role.REFERENT))

    def answer(username: str) -> str:
        """The page answering one invitation, from the same state: the first is rolled back before the
        second (else the second page lists the first invitation too)."""
        with transaction.atomic():
            page = invite(client, commune_b, username).text
            transaction.set_rollback(True)
        # Django masks its CSRF token anew in each answer: only the tokens are set aside.
        return re.sub(r"\b[A-Za-z0-9]{64}\b", "jeton", page).replace(username, "X")

    real, invented = answer("parquet.a"), answer("personne.inventee")
    assert "Invitation enregistrée pour « X »" in real and "<li>X — Parquet" in real
    assert real == invented


def test_only_the_invited_account_can_answer(commune_a, commune_b, client_as):
    make_member(commune_a, Role.PROSECUTOR, "parquet.a")
    invite(client_as(make_member(commune_b, Role.REFERENT)), commune_b, "parquet.a")
    invitation = Invitation.objects.get(username="parquet.a")
    intruder = make_member(commune_a, Role.AGENT)
    response = client_as(intruder).post(
        reverse("accounts:answer_invitation", kwargs={"pk": invitation.pk}), {"reponse": "accepter"}
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=intruder, commune=commune_b).exists()


# --- audit of refusals -----------------------------------------------------------------------------


def test_a_refused_attempt_on_another_commune_is_in_that_communes_log(commune_a, commune_b, client_as):
    stranger = make_member(commune_b, Role.REFERENT)
    client_as(stranger).get(reverse("children:detail", kwargs={"commune": commune_a.slug, "pk": 12345}))
    event = AuditEvent.objects.get(action=Action.REFUSED)
    assert event.user == stranger and event.commune == commune_a
    assert "404" in event.detail and "children:detail" in event.detail and "pk=12345" in event.detail


def test_a_refusal_by_role_is_logged_without_the_query_string(commune_a, member, client_as):
    caf = member(Role.CAF)
    client_as(caf).get(reverse("children:index", kwargs={"commune": commune_a.slug}) + "?q=Dupont")
    event = AuditEvent.objects.get(action=Action.REFUSED)
    assert event.user == caf and "403" in event.detail and "Dupont" not in event.detail


def test_throttle_keys_hold_no_more_than_login_and_address():
    limits = accounts.login_limits("Agent", "192.0.2.1")
    assert [limit.key for limit in limits] == ["login:agent|192.0.2.1", "address:192.0.2.1", "account:agent"]
