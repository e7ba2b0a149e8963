"""Helpers of the cases tests."""

from __future__ import annotations

from datetime import date

from veille.web.cellule.children.models import Child
from veille.web.common.accounts.models import CHARTER_VERSION, Membership, User
from veille.web.common.accounts.roles import Role
from veille.web.common.territories.models import Commune


def quick_member(commune: Commune, role: Role, username: str | None = None) -> User:
    """A member with the charter accepted and no password: for tests that log in with force_login and
    would otherwise spend most of their time hashing passwords with argon2."""
    user = User.objects.create(
        username=username or f"{role.value}-{commune.slug}", charter_version=CHARTER_VERSION
    )
    Membership.objects.create(user=user, commune=commune, role=role)
    return user


def make_child(commune: Commune, source_id: str = "C0001") -> Child:
    return Child.objects.create(
        commune=commune,
        organisme="CAF",
        source_id=source_id,
        last_name="Fictivelle",
        first_names="Lou",
        birth_date=date(2015, 3, 2),
        sex="F",
        address="3 rue des Songes",
    )
