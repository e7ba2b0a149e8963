"""Letter templates, the commune's letterhead, and the letters of a case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille.web.cellule.cases.models import Case
from veille.web.common.accounts.access import member_required
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from .forms import FORM_ID, GenerateLetterForm, LetterheadForm, LetterTemplateForm
from .models import GeneratedLetter, LetterKind, LetterTemplate
from .rendering import PLACEHOLDERS, default_due_date, sample_context
from .services import generate_letter, letter_html


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError:
        raise Http404("Type de courrier inconnu.") from None


def _require_any(request: HttpRequest, *capabilities: Capability) -> None:
    if not any(request.membership.can(c) for c in capabilities):  # type: ignore[attr-defined]
        raise PermissionDenied("Votre rôle ne permet pas de voir les courriers.")


@member_required(Capability.EDIT_TEMPLATES)
def template_list(request: HttpRequest) -> HttpResponse:
    rows = [(kind, LetterTemplate.objects.of(request.commune, kind).first()) for kind in LetterKind]  # type: ignore[attr-defined]
    return render(request, "documents/template_list.html", {"rows": rows})


@member_required(Capability.EDIT_TEMPLATES)
def template_edit(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    commune = request.commune  # type: ignore[attr-defined]
    current = LetterTemplate.objects.current(commune, kind)
    versions = LetterTemplate.objects.of(commune, kind).select_related("created_by")
    preview = ""
    if request.method == "POST":
        form = LetterTemplateForm(request.POST)
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            if request.POST.get("action") == "enregistrer":
                saved = LetterTemplate.add_version(
                    commune=commune, kind=kind, subject=subject, body=body, user=request.user
                )
                record(request, Action.CHANGE, saved, detail=f"modèle {kind.value}, version {saved.version}")
                messages.success(
                    request, f"Version {saved.version} enregistrée : les prochains courriers l'utiliseront."
                )
                return redirect("documents:template_edit", commune=commune.slug, kind=kind.value)
            preview = letter_html(
                commune=commune,
                subject=subject,
                body=body,
                context=sample_context(),
                case_number="42",
                today=timezone.localdate(),
            )
    else:
        shown = current
        if request.GET.get("version", "").isdigit():
            shown = get_object_or_404(versions, version=int(request.GET["version"]))
        form = LetterTemplateForm(initial={"subject": shown.subject, "body": shown.body})
    return render(
        request,
        "documents/template_edit.html",
        {
            "kind": kind,
            "form": form,
            "current": current,
            "versions": versions,
            "preview": preview,
            "placeholders": PLACEHOLDERS,
        },
    )


@member_required(Capability.EDIT_TEMPLATES)
def letterhead(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=commune)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            request, Action.CHANGE, commune, detail="en-tête des courriers : " + ", ".join(form.changed_data)
        )
        messages.success(request, "L'en-tête des courriers est enregistré.")
        return redirect("documents:letterhead", commune=commune.slug)
    return render(request, "documents/letterhead.html", {"form": form})


def case_page_url(case: Case) -> str:
    """The case's page once the cases app has one; this app's letters page until then."""
    try:
        return reverse("cases:detail", kwargs={"commune": case.commune.slug, "pk": case.pk})
    except NoReverseMatch:
        return reverse("documents:case_letters", kwargs={"commune": case.commune.slug, "case": case.pk})


@member_required()
def case_letters(request: HttpRequest, case: int) -> HttpResponse:
    _require_any(request, Capability.VIEW_CASES, Capability.GENERATE_LETTERS)
    case_obj = get_object_or_404(Case, pk=case, commune=request.commune)  # type: ignore[attr-defined]
    return render(request, "documents/case_letters.html", {"case": case_obj})


@require_POST
@member_required(Capability.GENERATE_LETTERS)
def generate(request: HttpRequest, case: int) -> HttpResponse:
    case_obj = get_object_or_404(Case, pk=case, commune=request.commune)  # type: ignore[attr-defined]
    form = GenerateLetterForm(request.POST, auto_id=FORM_ID)
    error = ""
    letter: GeneratedLetter | None = None
    if case_obj.child_id is None:
        error = (
            "Les données de l'enfant de ce dossier ont été supprimées : aucun courrier ne peut être produit."
        )
    elif form.is_valid():
        kind = form.cleaned_data["kind"]
        letter = generate_letter(
            case=case_obj,
            kind=kind,
            user=request.user,
            due_date=form.cleaned_data["due_date"] or default_due_date(kind, timezone.localdate()),
            appointment=form.cleaned_data["appointment"],
        )
        record(
            request,
            Action.CREATE,
            letter,
            detail=f"courrier {kind}, modèle version {letter.template.version}, dossier {case_obj.pk}",
        )
        if not request.headers.get("HX-Request"):
            messages.success(request, f"Courrier produit : {letter.get_kind_display()}.")
            return redirect(case_page_url(case_obj))
        form = GenerateLetterForm(auto_id=FORM_ID)
    else:
        error = "Le courrier n'a pas été produit : vérifiez le formulaire."
    if request.headers.get("HX-Request"):
        return render(
            request,
            "documents/_case_letters.html",
            {"case": case_obj, "letter_form": form, "letter_error": error, "letter_done": letter},
        )
    if error:
        messages.error(request, error)
    return redirect(case_page_url(case_obj))


@member_required()
def download(request: HttpRequest, pk: int) -> HttpResponse:
    _require_any(request, Capability.VIEW_CASES, Capability.GENERATE_LETTERS)
    letter = get_object_or_404(GeneratedLetter, pk=pk, commune=request.commune)  # type: ignore[attr-defined]
    record(request, Action.EXPORT, letter, detail=f"téléchargement, dossier {letter.case_id}")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    response["Cache-Control"] = "no-store"
    return response
