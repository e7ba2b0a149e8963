from __future__ import annotations

from decimal import Decimal

from django import template

from veille.web.cite.cites.models import CiteMembership

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
