"""Helpers of the cité tests: a fictional cité, its partners, members with each role, actions."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from veille.web.cite.actions.models import Action, BudgetLine, Status
from veille.web.cite.cites.models import Cite, CiteMembership, Partner
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.framework.models import SubObjective
from veille.web.common.accounts.models import CHARTER_VERSION, User

from .conftest import PASSWORD


def url(name: str, cite: str = "cite-fictive", **kwargs: object) -> str:
    """The address of a cité page, of the fictional cité unless told."""
    return reverse(name, kwargs={"cite": cite, **kwargs})


def make_cite(slug: str = "cite-fictive", name: str = "Cité des Tilleuls") -> Cite:
    cite = Cite.objects.create(name=name, slug=slug, agglomeration="Agglomération d'Exemple")
    Partner.objects.create(
        cite=cite, name=f"Association Lire Ensemble ({slug})", kind=Partner.Kind.ASSOCIATION
    )
    Partner.objects.create(
        cite=cite, name=f"Centre social des Glycines ({slug})", kind=Partner.Kind.SOCIAL_CENTRE
    )
    return cite


def partner(cite: Cite, index: int = 0) -> Partner:
    return cite.partners.order_by("name")[index]


def make_cite_member(
    cite: Cite, role: CiteRole, username: str | None = None, *, partner_obj: Partner | None = None
) -> User:
    user = User.objects.create_user(username or f"{role.value}-{cite.slug}", password=PASSWORD)
    user.charter_version = CHARTER_VERSION
    user.save()
    if role == CiteRole.PARTNER and partner_obj is None:
        partner_obj = partner(cite)
    CiteMembership.objects.create(
        user=user,
        cite=cite,
        role=role,
        partner=partner_obj,
        troika_seat=CiteMembership.TroikaSeat.PREFECT if role == CiteRole.TROIKA else "",
    )
    return user


def make_action(
    cite: Cite,
    *,
    codes: tuple[str, ...] = ("1.4",),
    lead: Partner | None = None,
    status: Status = Status.PROPOSED,
    budget: dict[tuple[int, str], str] | None = None,
    title: str = "Ateliers d'aide aux devoirs",
) -> Action:
    action = Action.objects.create(
        cite=cite,
        number=Action.next_number(cite),
        title=title,
        description="Des ateliers deux soirs par semaine au collège.",
        lead_partner=lead or partner(cite),
        publics=["11-16"],
        time_slots=["periscolaire"],
        start_year=2024,
        end_year=2025,
        status=status,
    )
    action.sub_objectives.set(SubObjective.objects.current().filter(code__in=codes))
    for (year, funder), amount in (budget or {}).items():
        BudgetLine.objects.create(action=action, year=year, funder=funder, amount=Decimal(amount))
    return action
