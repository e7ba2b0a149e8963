"""Fixtures of the web tests: two communes and one member per role in the first."""

from __future__ import annotations

import pytest

from veille.web.common.accounts.models import CHARTER_VERSION, Membership, User
from veille.web.common.accounts.roles import Role
from veille.web.common.territories.models import Commune

PASSWORD = "mot-de-passe-de-test-assez-long"


@pytest.fixture
def commune_a(db):
    return Commune.objects.create(name="Villeneuve-sur-Fictif", slug="villeneuve", insee_code="59999")


@pytest.fixture
def commune_b(db):
    return Commune.objects.create(name="Bourg-Imaginaire", slug="bourg", insee_code="59998")


def make_member(commune: Commune, role: Role, username: str | None = None, *, charter: bool = True) -> User:
    user = User.objects.create_user(username or f"{role.value}-{commune.slug}", password=PASSWORD)
    if charter:
        user.charter_version = CHARTER_VERSION
        user.save()
    Membership.objects.create(user=user, commune=commune, role=role)
    return user


@pytest.fixture
def cite(db):
    """The fictional cité of the cité tests; a module that needs another one defines its own."""
    from .cite_support import make_cite  # cite_support imports this module

    return make_cite()


@pytest.fixture
def member(commune_a):
    """``member(Role.AGENT)``: a user of commune A with that role, charter accepted."""
    return lambda role, **kwargs: make_member(commune_a, role, **kwargs)


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the test client logged in as that user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login
