from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse

from veille.web.cite.cites.models import CiteMembership
from veille.web.common.ui.navigation import MenuItem, mark_current

register = template.Library()
NNBSP, NBSP = "\u202f", "\u00a0"


@register.simple_tag
def user_cite_memberships(user: object) -> list[CiteMembership]:
    """The user's active cité seats (for the menu and the home page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(CiteMembership.objects.for_user(user).order_by("cite__name"))


@register.filter
def euros(value: Decimal | None) -> str:
    """``12345.5`` → ``12 345,50 €`` (narrow no-break space between thousands)."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"


@register.filter
def number_fr(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


#: the cité's menu: (label, URL name, capability needed or "")
CITE_MENU = (
    ("Accueil de la cité", "cites:home", ""),
    ("Territoire et écoles", "cites:territory", ""),
    ("Partenaires", "cites:partners", ""),
    ("Référentiel", "framework:index", ""),
    ("Diagnostic", "diagnostic:index", ""),
    ("Programme d'actions", "actions:index", ""),
    ("Fonds et budget", "funds:index", ""),
    ("Gouvernance", "governance:index", ""),
    ("Évaluation et revue de projet", "review:index", ""),
    ("Réseau régional", "network_cite:index", "share_network"),
    ("Membres", "cites:members", ""),
    ("Journal des modifications", "cites:journal", "view_journal"),
)


@register.simple_tag(takes_context=True)
def cite_menu(context: template.Context) -> list[MenuItem]:
    """The cité's menu for this member, the current page marked (``aria-current``)."""
    cite, caps, request = context.get("cite"), context.get("cite_caps") or set(), context.get("request")
    if cite is None or request is None:
        return []
    items = [
        MenuItem(label, reverse(name, kwargs={"cite": cite.slug}))
        for label, name, needed in CITE_MENU
        if not needed or needed in caps
    ]
    mark_current(request.path, items, home=reverse("cites:home", kwargs={"cite": cite.slug}))
    return items
