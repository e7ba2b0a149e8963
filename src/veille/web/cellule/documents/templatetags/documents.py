"""``{% load documents %}``: what the case page's letters partial needs without a view of its own."""

from __future__ import annotations

from typing import Any

from django import template

from ..forms import FORM_ID, GenerateLetterForm

register = template.Library()


@register.simple_tag(takes_context=True)
def generate_letter_form(context: dict[str, Any], case: Any = None) -> GenerateLetterForm:
    """An empty « Produire un courrier » form offering the kinds this member's role may produce (in
    this case's domain, when given)."""
    from ..views import producible_kinds

    domain = getattr(case, "domain", None)
    return GenerateLetterForm(auto_id=FORM_ID, kinds=producible_kinds(context["membership"], domain))


@register.simple_tag(takes_context=True)
def letters_readable(context: dict[str, Any], case: Any) -> bool:
    """Whether this member may read the case's letters (they name the child)."""
    from ..views import may_download

    membership = context.get("membership")
    return membership is not None and may_download(membership, case)
