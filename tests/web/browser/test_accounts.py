"""Logging in, the charter, the commune home and the second factor, in a real browser."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from veille.web.common.accounts.models import User
from veille.web.demo.seed import COMMUNE_A, DEMO_ACCOUNTS

from .conftest import check_accessibility, login, shoot

pytestmark = pytest.mark.browser

REFERENT = next(a for a in DEMO_ACCOUNTS if a.username == "referent")


def test_a_wrong_password_is_refused_then_the_demo_referent_accepts_the_charter_and_reaches_the_home(page):
    page.goto("/")
    assert "/compte/connexion/" in page.url
    check_accessibility(page)
    shoot(page, "01-connexion")

    page.get_by_label("Identifiant").fill(REFERENT.username)
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    assert "Identifiant ou mot de passe incorrect." in alert.inner_text()
    assert page.get_by_label("Identifiant").input_value() == REFERENT.username
    check_accessibility(page)
    shoot(page, "02-connexion-erreur")

    page.get_by_label("Mot de passe").fill(REFERENT.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/compte/charte/"))
    assert page.locator("h1").inner_text() == "Charte déontologique de la cellule"
    check_accessibility(page)
    shoot(page, "03-charte")
    assert not User.objects.get(username=REFERENT.username).has_accepted_charter

    page.get_by_label("J'ai lu la charte et je m'engage à la respecter.").check()
    page.get_by_role("button", name="Accepter et continuer").click()
    page.wait_for_url(re.compile(rf"/communes/{COMMUNE_A.slug}/$"))
    assert COMMUNE_A.name in page.locator("h1").inner_text()
    assert "Merci : la charte est acceptée." in page.get_by_role("status").inner_text()
    assert "Référent mairie" in page.locator("main").inner_text()
    check_accessibility(page)
    shoot(page, "04-accueil-commune")
    assert User.objects.get(username=REFERENT.username).has_accepted_charter


def test_the_second_factor_is_set_up_from_the_key_on_the_page_and_asked_at_the_next_login(page):
    login(page, REFERENT.username, REFERENT.password, accept_charter=True)
    page.get_by_role("link", name="Sécurité du compte").click()
    assert page.locator("h1").inner_text() == "Sécurité du compte"
    check_accessibility(page)
    shoot(page, "05-double-authentification")

    secret = page.locator("code.cle").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    field = page.get_by_label("Code à 6 chiffres de votre application d'authentification")
    field.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Activer").click()
    assert "Code incorrect" in page.locator("main").inner_text()
    assert not User.objects.get(username=REFERENT.username).totp_enabled

    field.fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()
    assert "La double authentification est activée." in page.get_by_role("status").inner_text()
    user = User.objects.get(username=REFERENT.username)
    assert user.totp_enabled and user.totp_secret == secret

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/compte/connexion/"))
    login(page, REFERENT.username, REFERENT.password)
    assert "/compte/double-authentification/code/" in page.url
    check_accessibility(page)
    shoot(page, "06-code-a-la-connexion")
    # A code serves once: the one of the next 30-second step, which the server still accepts (one
    # step of clock drift), is never the one used at activation, however fast the walkthrough runs.
    page.get_by_label("Code à 6 chiffres de votre application d'authentification").fill(
        pyotp.TOTP(secret).at(time.time() + 30)
    )
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(re.compile(rf"/communes/{COMMUNE_A.slug}/$"))
