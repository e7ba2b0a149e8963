"""The evaluation protocol and the yearly revue de projet: draft, edit in the browser, export."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from veille.web.cite.actions.models import Action, Indicator
from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.journal import save_traced, trace
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability

from .drafting import create_review
from .exports import review_docx, review_pdf
from .figures import review_figures
from .forms import ProtocolEntryForm, ReviewYearForm
from .models import Frequency, ProtocolEntry, Review

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _review(request: CiteRequest, year: int) -> Review:
    return get_object_or_404(Review, cite=request.cite, year=year)


@cite_member_required(CiteCapability.VIEW)
def index(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    return render_cite(
        request,
        "review/index.html",
        {
            "entries": ProtocolEntry.objects.filter(cite=cite).select_related("indicator__action"),
            "reviews": Review.objects.filter(cite=cite),
            "protocol_form": ProtocolEntryForm(cite=cite),
            "year_form": ReviewYearForm(initial={"year": date.today().year - 1}),
        },
    )


@cite_member_required(CiteCapability.MANAGE_REVIEW)
@require_POST
def protocol_add(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = ProtocolEntryForm(request.POST, cite=cite)
    if form.is_valid():
        save_traced(request, form)
        messages.success(request, "Ligne ajoutée au protocole d'évaluation.")
    else:
        messages.error(
            request, "Ligne non ajoutée : " + " ".join(str(m) for e in form.errors.values() for m in e)
        )
    return redirect("review:index", cite=cite.slug)


@cite_member_required(CiteCapability.MANAGE_REVIEW)
@require_POST
def protocol_prefill(request: CiteRequest) -> HttpResponse:
    """One protocol line per indicator of a validated action not yet in the protocol (yearly, own source)."""
    cite = request.cite
    indicators = Indicator.objects.filter(
        action__in=Action.objects.in_cite(cite).programmed(), protocol_entries__isnull=True
    ).select_related("action")
    added = 0
    for indicator in indicators:
        entry = ProtocolEntry.objects.create(
            cite=cite,
            kind=indicator.kind,
            indicator=indicator,
            source=indicator.source or f"Bilan du porteur ({indicator.action.lead_partner})",
            frequency=Frequency.YEARLY,
        )
        trace(request, entry, "création", {"indicateur": indicator.pk})
        added += 1
    messages.success(request, f"{added} indicateurs ajoutés au protocole.")
    return redirect("review:index", cite=cite.slug)


@cite_member_required(CiteCapability.MANAGE_REVIEW)
@require_POST
def create(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = ReviewYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez une année valide.")
        return redirect("review:index", cite=cite.slug)
    review = create_review(cite=cite, year=form.cleaned_data["year"], user=request.user)
    trace(request, review, "création", {"année": review.year})
    return redirect("review:detail", cite=cite.slug, year=review.year)


@cite_member_required(CiteCapability.VIEW)
def detail(request: CiteRequest, year: int) -> HttpResponse:
    cite = request.cite
    review = _review(request, year)
    sections = list(review.sections.all())
    if request.method == "POST":
        if not request.cite_membership.can(CiteCapability.MANAGE_REVIEW):
            return HttpResponse("Votre rôle ne permet pas de rédiger la revue.", status=403)
        changed = {}
        for section in sections:
            text = request.POST.get(f"section-{section.key}")
            if text is not None and text.replace("\r\n", "\n") != section.text:
                section.text = text.replace("\r\n", "\n")
                section.save(update_fields=["text"])
                changed[section.key] = "modifiée"
        review.save(update_fields=["updated_at"])
        if changed:
            trace(request, review, "modification", changed)
        messages.success(request, "Brouillon enregistré.")
        return redirect("review:detail", cite=cite.slug, year=year)
    return render_cite(
        request,
        "review/detail.html",
        {"review": review, "sections": sections, "f": review_figures(cite, year)},
    )


@cite_member_required(CiteCapability.VIEW)
def export_pdf(request: CiteRequest, year: int) -> HttpResponse:
    review = _review(request, year)
    response = HttpResponse(review_pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="revue-de-projet-{year}.pdf"'
    return response


@cite_member_required(CiteCapability.VIEW)
def export_docx(request: CiteRequest, year: int) -> HttpResponse:
    review = _review(request, year)
    response = HttpResponse(review_docx(review), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="revue-de-projet-{year}.docx"'
    return response
