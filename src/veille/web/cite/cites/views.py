"""The cité's pages: home, territory and schools, partner directory, members, change journal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.db.models import Count
from django.forms import ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from veille.web.cite.actions.models import Action, Status
from veille.web.cite.cites.access import CiteRequest
from veille.web.common.accounts.access import AuthenticatedRequest

from .access import cite_member_required
from .corrections import delete_object, edit_object
from .forms import (
    CiteCommuneForm,
    CiteForm,
    ConventionForm,
    MemberForm,
    NeighbourhoodForm,
    PartnerForm,
    SchoolForm,
)
from .journal import save_traced, trace
from .models import CiteCommune, CiteMembership, Convention, Neighbourhood, Partner, School
from .rendering import render_cite
from .roles import CiteCapability, CiteRole


@login_required
def cite_list(request: AuthenticatedRequest) -> HttpResponse:
    memberships = CiteMembership.objects.for_user(request.user).order_by("cite__name")
    return render(request, "cites/list.html", {"cite_memberships": memberships})


@cite_member_required(CiteCapability.VIEW)
def home(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    counts = {s.label: Action.objects.in_cite(cite).filter(status=s).count() for s in Status}
    troika = cite.memberships.filter(role=CiteRole.TROIKA, active=True).select_related("user")
    leads = cite.memberships.filter(role=CiteRole.PROJECT_LEAD, active=True).select_related("user")
    return render_cite(
        request,
        "cites/home.html",
        {
            "counts": counts,
            "troika": troika,
            "leads": leads,
            "convention": cite.current_convention(),
            "to_validate": Action.objects.in_cite(cite).filter(status=Status.PROPOSED).count(),
        },
    )


@cite_member_required(CiteCapability.EDIT_CITE)
def edit(request: CiteRequest) -> HttpResponse:
    form = CiteForm(request.POST or None, instance=request.cite)
    if request.method == "POST" and form.is_valid():
        save_traced(request, form)
        messages.success(request, "La cité est enregistrée.")
        return redirect("cites:territory", cite=request.cite.slug)
    return render_cite(request, "cites/form.html", {"form": form, "heading": "Modifier la cité"})


TERRITORY_FORMS: dict[str, tuple[type[ModelForm], str]] = {
    "convention": (ConventionForm, "Convention ajoutée."),
    "quartier": (NeighbourhoodForm, "Quartier ajouté."),
    "commune": (CiteCommuneForm, "Commune ajoutée."),
    "etablissement": (SchoolForm, "Établissement ajouté."),
}


def _territory_form(kind: str, request: CiteRequest, data: Any = None) -> ModelForm:
    form_class, _ = TERRITORY_FORMS[kind]
    if form_class is SchoolForm:
        return SchoolForm(data, cite=request.cite, prefix=kind)
    form = form_class(data, prefix=kind)
    form.instance.cite = request.cite
    return form


@cite_member_required(CiteCapability.VIEW)
def territory(request: CiteRequest) -> HttpResponse:
    forms = {kind: _territory_form(kind, request) for kind in TERRITORY_FORMS}
    return render_cite(request, "cites/territory.html", {"forms": forms})


@cite_member_required(CiteCapability.EDIT_CITE)
@require_POST
def add_to_territory(request: CiteRequest, kind: str) -> HttpResponse:
    if kind not in TERRITORY_FORMS:
        return redirect("cites:territory", cite=request.cite.slug)
    form = _territory_form(kind, request, request.POST)
    if form.is_valid():
        save_traced(request, form, cite=request.cite)
        messages.success(request, TERRITORY_FORMS[kind][1])
        return redirect("cites:territory", cite=request.cite.slug)
    forms = {k: _territory_form(k, request) for k in TERRITORY_FORMS}
    forms[kind] = form
    return render_cite(request, "cites/territory.html", {"forms": forms}, status=400)


# Corrections of the territory: kind in the URL → model, form, what the pages call it.
TERRITORY_MODELS: dict[str, tuple[type[models.Model], str]] = {
    "convention": (Convention, "la convention"),
    "quartier": (Neighbourhood, "le quartier prioritaire"),
    "commune": (CiteCommune, "la commune"),
    "etablissement": (School, "l'établissement"),
}


def _territory_object(request: CiteRequest, kind: str, pk: int) -> models.Model:
    if kind not in TERRITORY_MODELS:
        raise Http404("Élément inconnu.")
    return get_object_or_404(TERRITORY_MODELS[kind][0], pk=pk, cite=request.cite)


@cite_member_required(CiteCapability.EDIT_CITE)
def edit_in_territory(request: CiteRequest, kind: str, pk: int) -> HttpResponse:
    cite = request.cite
    obj = _territory_object(request, kind, pk)
    form_class = TERRITORY_FORMS[kind][0]
    data = request.POST if request.method == "POST" else None
    form: ModelForm = (
        SchoolForm(data, instance=obj, cite=cite)
        if form_class is SchoolForm
        else form_class(data, instance=obj)
    )
    with transaction.atomic():
        if (
            isinstance(form, SchoolForm)
            and request.method == "POST"
            and form.is_valid()
            and form.previous_lead
        ):
            hand_lead_over(request, form.previous_lead)
        return edit_object(
            request,
            form,
            heading=f"Corriger {TERRITORY_MODELS[kind][1]}",
            success="La correction est enregistrée.",
            back=reverse("cites:territory", kwargs={"cite": cite.slug}),
        )


def hand_lead_over(request: CiteRequest, previous: School) -> None:
    """Take the role of chef de file from ``previous`` (traced) so that another collège can hold it."""
    School.objects.filter(pk=previous.pk).update(is_lead=False)
    trace(request, previous, "modification", {"is_lead": [True, False]})


@cite_member_required(CiteCapability.EDIT_CITE)
def delete_from_territory(request: CiteRequest, kind: str, pk: int) -> HttpResponse:
    obj = _territory_object(request, kind, pk)
    return delete_object(
        request,
        obj,
        what=TERRITORY_MODELS[kind][1],
        success="La suppression est enregistrée.",
        back=reverse("cites:territory", kwargs={"cite": request.cite.slug}),
    )


@cite_member_required(CiteCapability.VIEW)
def partners(request: CiteRequest) -> HttpResponse:
    form = PartnerForm(cite=request.cite)
    return render_cite(
        request,
        "cites/partners.html",
        # The number of actions each partner leads, counted in the same query as the partners.
        {"form": form, "partners": request.cite.partners.annotate(led=Count("led_actions", distinct=True))},
    )


@cite_member_required(CiteCapability.EDIT_CITE)
def partner_form(request: CiteRequest, pk: int | None = None) -> HttpResponse:
    cite = request.cite
    instance = get_object_or_404(Partner, pk=pk, cite=cite) if pk else None
    form = PartnerForm(request.POST or None, instance=instance, cite=cite)
    if request.method == "POST" and form.is_valid():
        save_traced(request, form)
        messages.success(request, "L'annuaire est à jour.")
        return redirect("cites:partners", cite=cite.slug)
    return render_cite(request, "cites/form.html", {"form": form, "heading": "Partenaire de la cité"})


@cite_member_required(CiteCapability.VIEW)
def members(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = MemberForm(request.POST or None, cite=cite)
    if request.method == "POST":
        if not request.cite_membership.can(CiteCapability.EDIT_CITE):
            return render_cite(request, "403.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            membership, created = CiteMembership.objects.update_or_create(
                user=data["username"],
                cite=cite,
                defaults={
                    "role": data["role"],
                    "partner": data["partner"],
                    "troika_seat": data["troika_seat"] if data["role"] == CiteRole.TROIKA else "",
                    "active": True,
                },
            )
            trace(
                request,
                membership,
                "création" if created else "modification",
                {"compte": membership.user_id, "rôle": membership.role, "organisme": membership.partner},
            )
            messages.success(request, "Le membre est enregistré.")
            return redirect("cites:members", cite=cite.slug)
    memberships = cite.memberships.select_related("user", "partner").order_by("role", "user__last_name")
    return render_cite(request, "cites/members.html", {"form": form, "memberships": memberships})


@cite_member_required(CiteCapability.EDIT_CITE)
@require_POST
def deactivate_member(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    membership = get_object_or_404(CiteMembership, pk=pk, cite=cite)
    if membership.pk == request.cite_membership.pk:
        messages.error(request, "Vous ne pouvez pas retirer votre propre accès.")
    else:
        membership.active = False
        membership.save(update_fields=["active"])
        trace(request, membership, "retrait", {"compte": membership.user_id})
        messages.success(request, "Le membre n'a plus accès à la cité.")
    return redirect("cites:members", cite=cite.slug)


@cite_member_required(CiteCapability.VIEW_JOURNAL)
def journal(request: CiteRequest) -> HttpResponse:
    traces = request.cite.traces.select_related("user")[:500]
    return render_cite(request, "cites/journal.html", {"traces": traces})
