"""An idle session ends; a working one is pushed back at most once a minute (one write, not one a page)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from veille.web.common.accounts.roles import Role
from veille.web.common.accounts.sessions import REFRESH_EVERY, REFRESHED_AT


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _set_refreshed(client, at):
    session = client.session
    session[REFRESHED_AT] = at
    session.save()


def test_a_page_within_the_minute_writes_nothing_to_the_session(commune_a, member, client_as):
    client = client_as(member(Role.REFERENT))
    home = reverse("cellule:home", args=[commune_a.slug])
    client.get(home)
    before = _expiry(client)
    _set_refreshed(client, int(time.time()))
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=before)
    client.get(home)
    assert _expiry(client) == before


def test_a_page_after_the_minute_pushes_the_expiry_back(commune_a, member, client_as):
    client = client_as(member(Role.REFERENT))
    home = reverse("cellule:home", args=[commune_a.slug])
    client.get(home)
    _set_refreshed(client, int(time.time()) - REFRESH_EVERY - 1)
    # As if the last write had been 29 minutes ago: one minute left, which the next page must renew.
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    client.get(home)
    assert _expiry(client) > soon + timedelta(minutes=20)
    assert client.session[REFRESHED_AT] >= int(time.time()) - 5


def test_an_anonymous_visit_creates_no_session(client, db):
    client.get(reverse("accounts:login"))
    assert Session.objects.count() == 0
