"""Letter templates, the commune's letterhead, and the letters of a case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille.web.cellule.cases.models import Case
from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from .forms import (
    FORM_ID,
    DataProtectionForm,
    GenerateLetterForm,
    LetterheadForm,
    LetterTemplateForm,
    StateLetterheadForm,
)
from .law import AUTHORITY_ROLES, Authority, spec
from .letterheads import letterhead_for, state_letterhead
from .mentions import required_mentions
from .models import CommuneLetterSettings, GeneratedLetter, LetterKind, LetterTemplate
from .rendering import PLACEHOLDERS, sample_context
from .services import generate_letter, letter_html, may_produce


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError:
        raise Http404("Type de courrier inconnu.") from None


def may_edit_template(membership: Any, kind: str) -> bool:
    """The commune's letters are edited by who edits the commune's templates (the référent); the
    State's acts by the members who act for that authority (DSDEN, préfecture), never by the mairie.
    A letter the table gives several authors (the referral, the opposition) is edited by each."""
    letter = spec(kind)
    if Authority.COMMUNE in letter.letterheads and membership.can(Capability.EDIT_TEMPLATES):
        return True
    state = [s for s in letter.signatories() if s.authority != Authority.COMMUNE]
    return bool(
        membership.can(Capability.GENERATE_LETTERS) and any(membership.role in s.roles for s in state)
    )


def _editable_kinds(membership: Any) -> list[LetterKind]:
    return [kind for kind in LetterKind if may_edit_template(membership, kind)]


#: a role holding none of these sees no case at all: refused by its role (403), as the cases pages
#: answer, before any case is looked up (404 is for a case it cannot see among those it could)
CASE_VIEWS = (Capability.VIEW_CASES, Capability.VIEW_TRANSMITTED_CASES, Capability.VIEW_ESTABLISHMENT_CASES)


def _require_case_view(membership: Any) -> None:
    if not any(membership.can(c) for c in CASE_VIEWS):
        raise PermissionDenied("Votre rôle ne permet pas de voir les dossiers ni leurs courriers.")


def _visible_case(request: CommuneRequest, pk: int) -> Case:
    """The case if this member may see it (404 otherwise, as the cases pages answer)."""
    _require_case_view(request.membership)
    cases = Case.objects.visible_to(request.membership).select_related("child")
    return get_object_or_404(cases, pk=pk, commune=request.commune)


def may_download(membership: Any, case: Case) -> bool:
    """A letter names the child and the family: it is read only by who may see the child's identity
    on the case (the case page and its letters say the same)."""
    return case.child_id is None or case.shows_child_to(membership)


@member_required()
def template_list(request: CommuneRequest) -> HttpResponse:
    kinds = _editable_kinds(request.membership)
    if not kinds:
        raise PermissionDenied("Votre rôle ne permet pas de modifier les modèles de courriers.")
    commune = request.commune
    rows = [(kind, spec(kind), LetterTemplate.objects.of(commune, kind).first()) for kind in kinds]
    role = request.membership.role
    state = [a for a in (Authority.DSDEN, Authority.PREFECTURE) if role in AUTHORITY_ROLES[a]]
    return render(request, "documents/template_list.html", {"rows": rows, "state_authorities": state})


@member_required()
def template_edit(request: CommuneRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    if not may_edit_template(request.membership, kind):
        raise PermissionDenied("Votre rôle ne permet pas de modifier ce modèle de courrier.")
    commune = request.commune
    letter = spec(kind)
    current = LetterTemplate.objects.current(commune, kind)
    versions = LetterTemplate.objects.of(commune, kind).select_related("created_by")
    preview = ""
    if request.method == "POST":
        form = LetterTemplateForm(request.POST, kind=kind)
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
            author = letter.signatory_for(request.membership.role) or letter.signatories()[0]
            preview = letter_html(
                letterhead=letterhead_for(author.authority, commune),
                subject=subject,
                body=body,
                context=sample_context(kind),
                case_number="42",
                today=timezone.localdate(),
            )
    else:
        shown = current
        if request.GET.get("version", "").isdigit():
            shown = get_object_or_404(versions, version=int(request.GET["version"]))
        form = LetterTemplateForm(initial={"subject": shown.subject, "body": shown.body}, kind=kind)
    return render(
        request,
        "documents/template_edit.html",
        {
            "kind": kind,
            "spec": letter,
            "mentions": required_mentions(letter),
            "form": form,
            "current": current,
            "versions": versions,
            "preview": preview,
            "placeholders": PLACEHOLDERS,
        },
    )


@member_required(Capability.EDIT_TEMPLATES)
def letterhead(request: CommuneRequest) -> HttpResponse:
    commune = request.commune
    settings, _ = CommuneLetterSettings.objects.get_or_create(commune=commune)
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=commune)
    privacy = DataProtectionForm(request.POST or None, instance=settings, prefix="rgpd")
    if request.method == "POST" and form.is_valid() and privacy.is_valid():
        form.save()
        privacy.save()
        changed = form.changed_data + [f"rgpd.{name}" for name in privacy.changed_data]
        record(request, Action.CHANGE, commune, detail="en-tête des courriers : " + ", ".join(changed))
        messages.success(request, "L'en-tête des courriers est enregistré.")
        return redirect("documents:letterhead", commune=commune.slug)
    return render(request, "documents/letterhead.html", {"form": form, "privacy": privacy})


@member_required(Capability.GENERATE_LETTERS)
def state_letterhead_edit(request: CommuneRequest, authority: str) -> HttpResponse:
    """The letterhead of the DSDEN or of the préfecture of the commune's département, set by the
    members who act for it (it is shared by every commune of the département)."""
    if authority not in (Authority.DSDEN, Authority.PREFECTURE):
        raise Http404("Autorité inconnue.")
    if request.membership.role not in AUTHORITY_ROLES[Authority(authority)]:
        raise PermissionDenied("Seuls les membres de ce service modifient son en-tête.")
    commune = request.commune
    head = state_letterhead(authority, commune.department)
    form = StateLetterheadForm(request.POST or None, request.FILES or None, instance=head)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record(request, Action.CHANGE, saved, detail=f"en-tête {authority} : " + ", ".join(form.changed_data))
        messages.success(request, "L'en-tête est enregistré.")
        return redirect("documents:state_letterhead", commune=commune.slug, authority=authority)
    return render(
        request,
        "documents/state_letterhead.html",
        {"form": form, "authority": Authority(authority), "department": commune.department},
    )


def producible_kinds(membership: Any, domain: str | None = None) -> list[str]:
    """The kinds of letters this member may produce in a case of this domain, in the order of
    ``LetterKind``."""
    return [kind.value for kind in LetterKind if may_produce(membership, kind, domain)]


def case_page_url(case: Case) -> str:
    """The case's page once the cases app has one; this app's letters page until then."""
    try:
        return reverse("cases:detail", kwargs={"commune": case.commune.slug, "pk": case.pk})
    except NoReverseMatch:
        return reverse("documents:case_letters", kwargs={"commune": case.commune.slug, "case": case.pk})


@member_required()
def case_letters(request: CommuneRequest, case: int) -> HttpResponse:
    case_obj = _visible_case(request, case)
    show_child = case_obj.shows_child_to(request.membership)
    return render(request, "documents/case_letters.html", {"case": case_obj, "show_child": show_child})


@require_POST
@member_required(Capability.GENERATE_LETTERS)
def generate(request: CommuneRequest, case: int) -> HttpResponse:
    membership = request.membership
    case_obj = _visible_case(request, case)
    kind_asked = request.POST.get("kind", "")
    if kind_asked in LetterKind.values and not may_produce(membership, kind_asked, case_obj.domain):
        letter_spec = spec(kind_asked)
        authors = letter_spec.signatories(case_obj.domain)
        raise PermissionDenied(
            f"Ce courrier est un acte de {' ou '.join(a.label for a in authors)} : votre rôle ne permet "
            "pas de le produire."
            if authors
            else f"Ce courrier n'existe pas dans une procédure « {case_obj.get_domain_display()} »."
        )
    kinds = producible_kinds(membership, case_obj.domain)
    form = GenerateLetterForm(request.POST, auto_id=FORM_ID, kinds=kinds)
    error = ""
    letter: GeneratedLetter | None = None
    if case_obj.child_id is None and not case_obj.about_establishment:
        error = (
            "Les données de l'enfant de ce dossier ont été supprimées : aucun courrier ne peut être produit."
        )
    elif form.is_valid():
        kind = form.cleaned_data["kind"]
        letter = generate_letter(
            case=case_obj,
            kind=kind,
            user=request.user,
            reasons=form.cleaned_data["reasons"],
            due_date=form.cleaned_data["due_date"],
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
        form = GenerateLetterForm(auto_id=FORM_ID, kinds=kinds)
    else:
        error = "Le courrier n'a pas été produit : vérifiez le formulaire."
    if request.headers.get("HX-Request"):
        return render(
            request,
            "documents/_case_letters.html",
            {
                "case": case_obj,
                "letter_form": form,
                "letter_error": error,
                "show_child": True,
                "letter_done": letter,
            },
        )
    if error:
        messages.error(request, error)
    return redirect(case_page_url(case_obj))


@member_required()
def download(request: CommuneRequest, pk: int) -> HttpResponse:
    membership = request.membership
    _require_case_view(membership)
    letter = get_object_or_404(GeneratedLetter, pk=pk, commune=request.commune)
    if not Case.objects.visible_to(membership).filter(pk=letter.case_id).exists():
        raise Http404("Courrier introuvable.")
    if not may_download(membership, letter.case):
        raise PermissionDenied("Ce courrier nomme l'enfant : votre rôle ne permet pas de voir son identité.")
    record(request, Action.EXPORT, letter, detail=f"téléchargement, dossier {letter.case_id}")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    response["Cache-Control"] = "no-store"
    return response
