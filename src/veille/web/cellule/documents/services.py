"""Producing a letter: the case's data, the template in force, the letterhead, then the PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from veille.web.common.pdf import html_to_pdf, logo_data_uri

from .models import GeneratedLetter, LetterTemplate
from .rendering import french_date, letter_context, render_template_text


def letter_html(
    *, commune: Any, subject: str, body: str, context: dict[str, Any], case_number: str, today: date
) -> str:
    """The full HTML page of a letter: the commune's letterhead around the rendered template."""
    return render_to_string(
        "documents/letter_pdf.html",
        {
            "commune": commune,
            "logo": logo_data_uri(commune),
            # Both come out of an autoescaping render of a validated template: already safe HTML.
            "subject": mark_safe(render_template_text(subject, context)),
            "body": mark_safe(render_template_text(body, context)),
            "case_number": case_number,
            "today": french_date(today),
        },
    )


def generate_letter(
    *,
    case: Any,
    kind: str,
    user: Any,
    due_date: date | None = None,
    appointment: str = "",
    today: date | None = None,
) -> GeneratedLetter:
    """Produce one letter of a case from the commune's template in force and keep its PDF.

    Args:
        case: the ``cases.Case`` (its commune gives the template and the letterhead).
        kind: a ``LetterKind`` value.
        user: who produces it.
        due_date: the deadline given to the family (``{{ echeance }}``).
        appointment: a convocation's date, time and place (``{{ rendez_vous }}``).
        today: the letter's date (default: today).
    """
    today = today or timezone.localdate()
    commune = case.commune
    template = LetterTemplate.objects.current(commune, kind)
    context = letter_context(
        case=case, commune=commune, today=today, due_date=due_date, appointment=appointment
    )
    html = letter_html(
        commune=commune,
        subject=template.subject,
        body=template.body,
        context=context,
        case_number=str(case.pk),
        today=today,
    )
    letter = GeneratedLetter.objects.create(
        commune=commune, case=case, kind=kind, template=template, generated_by=user, pdf=html_to_pdf(html)
    )
    # The case's timeline says which letter went out when, without its content (personal data).
    case.add_note(
        user=user,
        kind="letter",
        note=f"Courrier produit : {letter.get_kind_display()} (modèle version {template.version})",
    )
    return letter
