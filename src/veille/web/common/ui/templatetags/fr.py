"""The French formatting of every page, loaded in every template (``TEMPLATES.OPTIONS.builtins``).

- ``{{ n|nombre }}``: ``1000`` → ``1 000``, ``19.5`` → ``19,5`` (narrow no-break space between thousands);
  ``{{ n|nombre:1 }}`` rounds to one decimal;
- ``{{ d|date:"j F Y" }}``: Django's filter, with the ordinal of the first day (« 1er décembre 2026 »);
- ``{{ code|libelle }}``: the French words for a code (``veille.web.common.ui.labels``).
"""

from __future__ import annotations

import re
from datetime import date as date_type
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template import defaultfilters
from django.utils.html import format_html

from veille.web.common.ui import labels

register = template.Library()
NNBSP = "\u202f"
#: a day of the month written before its month's name: the first takes the ordinal
_DAY_BEFORE_MONTH = re.compile(r"(?<!\\)j(?=\s*(?:\\.)*\s*[FEMN])")


def format_number(value: Any, decimals: int | None = None) -> str:
    """``1234567.5`` → ``1 234 567,5``; ``None`` or text that is not a number → ``—`` or as is.

    Example:
        >>> format_number(1000), format_number(19.5), format_number(Decimal("12.50")), format_number(3, 1)
        ('1\u202f000', '19,5', '12,5', '3')
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if decimals is not None:
        number = round(number, decimals)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NNBSP.join(groups or ["0"]) + ("," + fraction if fraction else "")


@register.filter
def nombre(value: Any, decimals: Any = None) -> str:
    return format_number(value, int(decimals) if decimals not in (None, "") else None)


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's ``date`` filter, French to the ordinal: « 1er décembre », never « 1 décembre »."""
    if arg and getattr(value, "day", None) == 1 and isinstance(value, date_type):
        arg = _DAY_BEFORE_MONTH.sub(r"j\\e\\r", arg)
    return defaultfilters.date(value, arg)


@register.filter
def jour(value: Any) -> str:
    """A date, or the ISO text of one (``2023-01-24``, as files and the engine write it): ``24/01/2023``."""
    if isinstance(value, str):
        try:
            value = date_type.fromisoformat(value[:10])
        except ValueError:
            return value
    if not isinstance(value, date_type):
        return "—" if value in (None, "") else str(value)
    return value.strftime("%d/%m/%Y")


@register.filter
def sexe(code: Any) -> str:
    return labels.SEXES.get(str(code or "").upper(), "non renseigné")


@register.filter
def libelle(code: Any) -> str:
    return labels.label(code)


@register.filter
def journal(detail: Any) -> str:
    return labels.in_words(str(detail or ""))


@register.simple_tag
def aide(field: Any) -> str:
    """A field's help text, with the id that Django's widget points ``aria-describedby`` at
    (``<auto_id>_helptext``, ``BoundField.aria_describedby``): a screen reader reads it with the field.
    Every template prints help text through this tag, never by hand."""
    if not getattr(field, "help_text", "") or not getattr(field, "auto_id", ""):
        return ""
    return format_html('<small class="aide" id="{}_helptext">{}</small>', field.auto_id, field.help_text)


@register.simple_tag
def erreurs(field: Any) -> str:
    """A field's errors, with the id Django's widget points ``aria-describedby`` at (``<auto_id>_error``)."""
    if not getattr(field, "errors", None):
        return ""
    return format_html(
        '<span class="erreur" id="{}_error">{}</span>', field.auto_id or "", " ".join(map(str, field.errors))
    )


@register.simple_tag
def pages_autour(page: Any) -> list[Any]:
    """The page numbers to print around ``page``: first, last, two on each side, ``…`` between."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
