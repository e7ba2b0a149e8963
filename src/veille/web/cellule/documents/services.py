"""Producing a letter: its author's right, the case's data, the template in force, the letterhead, the PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from veille.web.common.pdf import html_to_pdf

from .law import SPECS, spec
from .letterheads import Letterhead, letterhead_for
from .models import CommuneLetterSettings, GeneratedLetter, LetterTemplate
from .rendering import french_date, letter_context, render_template_text


def letter_html(
    *, letterhead: Letterhead, subject: str, body: str, context: dict[str, Any], case_number: str, today: date
) -> str:
    """The full HTML page of a letter: its author's letterhead around the rendered template."""
    return render_to_string(
        "documents/letter_pdf.html",
        {
            "letterhead": letterhead,
            # Both come out of an autoescaping render of a validated template: already safe HTML.
            "subject": mark_safe(render_template_text(subject, context)),
            "body": mark_safe(render_template_text(body, context)),
            "case_number": case_number,
            "today": french_date(today),
        },
    )


def may_produce(membership: Any, kind: str, domain: str | None = None) -> bool:
    """Whether a member may produce this kind of letter: the capability, and a role acting for one of
    the letter's authors in the rule table (only the DSDEN's member produces the DASEN's acts, only the
    préfecture's the préfet's, only the mairie's the commune's), in a case of this domain (``None``:
    in any)."""
    from veille.web.common.accounts.roles import Capability

    return (
        kind in SPECS
        and membership.can(Capability.GENERATE_LETTERS)
        and spec(kind).signatory_for(membership.role, domain) is not None
    )


def dpo_contact(commune: Any) -> str:
    settings = CommuneLetterSettings.objects.filter(commune=commune).first()
    return settings.dpo_contact if settings else ""


def earlier_family_letter_on(case: Any) -> str:
    """The date of the first letter of the commune to this child's family, if one went out already."""
    if case.child_id is None:
        return ""
    family_kinds = [code for code, s in SPECS.items() if s.family_letter]
    first = (
        GeneratedLetter.objects.filter(case__child_id=case.child_id, kind__in=family_kinds)
        .order_by("generated_at", "pk")
        .first()
    )
    return french_date(timezone.localdate(first.generated_at)) if first else ""


def generate_letter(
    *,
    case: Any,
    kind: str,
    user: Any,
    reasons: str = "",
    due_date: date | None = None,
    appointment: str = "",
    today: date | None = None,
) -> GeneratedLetter:
    """Produce one letter of a case from the commune's template in force and keep its PDF.

    Args:
        case: the ``cases.Case`` (its commune gives the template and, with its author, the letterhead).
        kind: a ``LetterKind`` value.
        user: who produces it; must be a member whose role acts for one of the letter's authors in
            the case's domain (that author's letterhead and appeal are printed).
        reasons: the reasons of an appealable decision, specific to the case (required for one).
        due_date: the deadline given to the family (``{{ echeance }}``).
        appointment: a convocation's date, time and place (``{{ rendez_vous }}``).
        today: the letter's date (default: today).

    Raises:
        PermissionDenied: the user's role acts for none of the letter's authors in this domain.
        ValidationError: an appealable decision without its reasons.
    """
    from veille.web.common.accounts.models import Membership

    today = today or timezone.localdate()
    commune = case.commune
    letter_spec = spec(kind)
    membership = Membership.objects.filter(user=user, commune=commune, active=True).first()
    if membership is None or not may_produce(membership, kind, case.domain):
        authors = letter_spec.signatories(case.domain)
        if not authors:
            raise PermissionDenied(
                f"Ce courrier n'existe pas dans une procédure « {case.get_domain_display()} » "
                f"({letter_spec.legal_basis})."
            )
        raise PermissionDenied(
            f"Seul un membre de la cellule agissant pour {' ou '.join(a.label for a in authors)} peut "
            f"produire ce courrier ({letter_spec.legal_basis})."
        )
    author = letter_spec.signatory_for(membership.role, case.domain)
    assert author is not None  # may_produce found one
    if letter_spec.needs_reasons and not reasons.strip():
        raise ValidationError(
            "Une décision doit être motivée : écrivez ses motifs, propres à ce dossier (faits constatés, "
            "texte appliqué)."
        )
    template = LetterTemplate.objects.current(commune, kind)
    letterhead = letterhead_for(author.authority, commune)
    context = letter_context(
        case=case,
        commune=commune,
        today=today,
        due_date=due_date,
        appointment=appointment,
        kind=kind,
        reasons=reasons,
        signatory=letterhead.signatory,
        gracious=author.gracious,
        dpo_contact=dpo_contact(commune),
        earlier_family_letter_on=earlier_family_letter_on(case) if letter_spec.family_letter else "",
    )
    html = letter_html(
        letterhead=letterhead,
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
