"""Fiches expériences (published by a cité's CPO) and the regional network's pages."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille.web.cite.actions.models import Action
from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.journal import save_traced, trace
from veille.web.cite.cites.models import CiteMembership
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability
from veille.web.common.accounts.access import AuthenticatedRequest
from veille.web.common.accounts.models import User
from veille.web.common.pdf import html_to_pdf

from .forms import ExperienceForm, NetworkMeetingForm, SearchForm
from .models import Experience, NetworkMeeting, network_regions

# The cité's side


@cite_member_required(CiteCapability.SHARE_NETWORK)
def cite_index(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    return render_cite(
        request,
        "network/cite_index.html",
        {
            "experiences": Experience.objects.filter(cite=cite),
            "actions": Action.objects.in_cite(cite).programmed(),
        },
    )


@cite_member_required(CiteCapability.SHARE_NETWORK)
def experience_form(request: CiteRequest, pk: int | None = None, action: int | None = None) -> HttpResponse:
    cite = request.cite
    instance = get_object_or_404(Experience, pk=pk, cite=cite) if pk else Experience(cite=cite)
    initial = {}
    if action is not None:
        source = get_object_or_404(Action, pk=action, cite=cite)
        instance.action = source
        initial = {
            "title": source.title,
            "what": source.description,
            "publics": source.publics,
            "sub_objectives": list(source.sub_objectives.all()),
            "partners_text": ", ".join([str(source.lead_partner)] + [str(p) for p in source.partners.all()]),
            "cost": source.planned_total() / max(len(source.years), 1),
            "results": "\n".join(e.assessment for e in source.executions.all() if e.assessment),
        }
    form = ExperienceForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        experience = save_traced(request, form)
        messages.success(
            request, "Fiche expérience enregistrée (non publiée tant que vous ne la publiez pas)."
        )
        return (
            redirect("network_cite:index", cite=cite.slug)
            if experience.published
            else redirect("network_cite:edit", cite=cite.slug, pk=experience.pk)
        )
    return render_cite(request, "network/experience_form.html", {"form": form, "experience": instance})


@cite_member_required(CiteCapability.SHARE_NETWORK)
@require_POST
def publish(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    experience = get_object_or_404(Experience, pk=pk, cite=cite)
    publish_it = request.POST.get("publier") == "1"
    if publish_it and not cite.region:
        messages.error(request, "Indiquez d'abord la région de la cité (Modifier la cité).")
        return redirect("network_cite:index", cite=cite.slug)
    experience.published = publish_it
    experience.published_at = timezone.now() if publish_it else None
    experience.published_by = cast(User, request.user) if publish_it else None
    experience.save(update_fields=["published", "published_at", "published_by"])
    trace(request, experience, "publication" if publish_it else "retrait", {"publiée": publish_it})
    messages.success(
        request, "Fiche publiée dans le réseau régional." if publish_it else "Fiche retirée du réseau."
    )
    return redirect("network_cite:index", cite=cite.slug)


# The region's side


def _regions(request: AuthenticatedRequest) -> set[str]:
    regions = network_regions(request.user)
    if not regions:
        raise PermissionDenied("Le réseau régional est ouvert aux chefs de projet des cités éducatives.")
    return regions


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    regions = _regions(request)
    form = SearchForm(request.GET or None)
    experiences = Experience.objects.visible_to(request.user)
    if form.is_valid():
        experiences = experiences.search(
            objective=form.cleaned_data["objective"],
            public=form.cleaned_data["public"],
            theme=form.cleaned_data["theme"].strip(),
        )
    return render(
        request,
        "network/index.html",
        {
            "regions": sorted(regions),
            "form": form,
            "experiences": experiences.select_related("cite").prefetch_related("sub_objectives"),
        },
    )


@login_required
def experience(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _regions(request)
    obj = get_object_or_404(Experience.objects.visible_to(request.user).select_related("cite"), pk=pk)
    return render(request, "network/experience.html", {"experience": obj})


def _host_memberships(request: AuthenticatedRequest) -> list[CiteMembership]:
    return [
        m
        for m in CiteMembership.objects.for_user(request.user)
        if m.cite.region and m.can(CiteCapability.SHARE_NETWORK)
    ]


@login_required
def meetings(request: AuthenticatedRequest) -> HttpResponse:
    regions = _regions(request)
    return render(
        request,
        "network/meetings.html",
        {
            "regions": sorted(regions),
            "meetings": NetworkMeeting.objects.filter(region__in=regions).select_related("host"),
            "hosted": {m.cite_id for m in _host_memberships(request)},
        },
    )


@login_required
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    regions = _regions(request)
    hosts = _host_memberships(request)
    chosen = next((m for m in hosts if m.cite.slug == request.POST.get("hote")), hosts[0])
    presentable = Experience.objects.published().filter(cite__region__in=regions)
    form = NetworkMeetingForm(request.POST or None, presentable=presentable)
    if request.method == "POST" and form.is_valid():
        # The journal reads the cité from the request: a network meeting has a host, not a cité.
        request.cite = chosen.cite  # type: ignore[attr-defined]
        meeting = save_traced(
            request, form, host=chosen.cite, region=chosen.cite.region, created_by=request.user
        )
        messages.success(request, "Réunion du réseau enregistrée.")
        return redirect("network:meetings") if meeting else redirect("network:index")
    return render(request, "network/meeting_form.html", {"form": form, "hosts": hosts})


@login_required
def meeting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Correct a meeting: only the host cité's CPO (the region's other CPOs read it, they do not edit)."""
    regions = _regions(request)
    meeting = get_object_or_404(NetworkMeeting, pk=pk, region__in=regions)
    host = next((m for m in _host_memberships(request) if m.cite_id == meeting.host_id), None)
    if host is None:
        raise PermissionDenied("Seul le chef de projet de la cité hôte corrige cette réunion.")
    presentable = Experience.objects.filter(
        Q(published=True, cite__region__in=regions) | Q(pk__in=meeting.presented.values("pk"))
    ).distinct()
    form = NetworkMeetingForm(
        request.POST if request.method == "POST" else None, instance=meeting, presentable=presentable
    )
    if request.method == "POST" and form.is_valid():
        # The journal reads the cité from the request: a network meeting has a host, not a cité.
        request.cite = meeting.host  # type: ignore[attr-defined]
        save_traced(request, form)
        messages.success(request, "Réunion du réseau corrigée.")
        return redirect("network:meetings")
    status = 400 if request.method == "POST" else 200
    return render(request, "network/meeting_form.html", {"form": form, "meeting": meeting}, status=status)


@login_required
def meeting_minutes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    regions = _regions(request)
    meeting = get_object_or_404(NetworkMeeting, pk=pk, region__in=regions)
    html = render_to_string(
        "network/minutes_pdf.html",
        {"meeting": meeting, "experiences": meeting.presented.select_related("cite")},
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="reseau-{meeting.held_on:%Y-%m-%d}.pdf"'
    return response
