"""Headers and cookies: CSP without inline script, HSTS and Secure cookies behind HTTPS, no caching."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from veille.web.common.accounts.roles import Role
from veille.web.common.headers import CONTENT_SECURITY_POLICY

from .protection_helpers import make_case, make_child

WEB = Path(__file__).resolve().parents[2] / "src" / "veille" / "web"
SETTINGS = WEB / "settings.py"


def test_the_policy_forbids_inline_scripts_and_eval():
    script = next(d for d in CONTENT_SECURITY_POLICY.split("; ") if d.startswith("script-src"))
    assert script == "script-src 'self'"
    assert (
        "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "object-src 'none'" in CONTENT_SECURITY_POLICY
    )


def test_no_template_holds_an_inline_script_or_an_event_handler():
    offenders = []
    for template in WEB.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template.name}: {m}" for m in re.findall(r"hx-on[:-]|javascript:", text)]
    assert not offenders


@pytest.mark.parametrize(
    "name",
    ["children:index", "children:detail", "cases:index", "cases:detail", "members:index", "imports:review"],
)
def test_pages_with_personal_data_are_never_cached_and_carry_the_policy(name, commune_a, member, client_as):
    child = make_child(commune_a)
    case = make_case(child)
    kwargs = {"commune": commune_a.slug}
    if name == "children:detail":
        kwargs["pk"] = child.pk
    if name == "cases:detail":
        kwargs["pk"] = case.pk
    response = client_as(member(Role.REFERENT)).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_new_members_password_page_is_not_cached(commune_a, member, client_as):
    response = client_as(member(Role.REFERENT)).post(
        reverse("members:index", kwargs={"commune": commune_a.slug}),
        {
            "action": "creer",
            "nouveau-first_name": "Ana",
            "nouveau-last_name": "Fictive",
            "nouveau-role": "reader",
        },
    )
    assert response.context["password"] and response["Cache-Control"] == "no-store"


def test_hsts_is_sent_over_https(client, settings):
    assert settings.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def load_settings(monkeypatch, **env):
    for key in ("VEILLE_HTTPS", "VEILLE_DEBUG", "VEILLE_BEHIND_PROXY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("VEILLE_SECRET_KEY", "clé-de-test")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS))


def test_cookies_are_secure_and_hsts_on_by_default_outside_development(monkeypatch):
    values = load_settings(monkeypatch)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"]


def test_https_asked_for_in_development_makes_the_cookies_secure_and_sends_hsts(monkeypatch):
    values = load_settings(monkeypatch, VEILLE_DEBUG="1", VEILLE_HTTPS="1")
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600


def test_plain_http_must_be_asked_for(monkeypatch):
    values = load_settings(monkeypatch, VEILLE_HTTPS="0")
    assert not values["SESSION_COOKIE_SECURE"] and not values["SECURE_HSTS_SECONDS"]


def test_behind_a_proxy_the_forwarded_scheme_is_trusted(monkeypatch):
    values = load_settings(monkeypatch, VEILLE_BEHIND_PROXY="1")
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
