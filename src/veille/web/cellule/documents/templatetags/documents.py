"""``{% load documents %}``: what the case page's letters partial needs without a view of its own."""

from __future__ import annotations

from django import template

from ..forms import FORM_ID, GenerateLetterForm

register = template.Library()


@register.simple_tag
def generate_letter_form() -> GenerateLetterForm:
    """An empty « Produire un courrier » form."""
    return GenerateLetterForm(auto_id=FORM_ID)
