"""The cité's instances and meetings: agenda, attendance, decisions, minutes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.journal import save_traced, trace
from veille.web.cite.cites.models import CiteMembership, Partner
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability

from .forms import DecisionForm, InstanceForm, MeetingForm, attendance_choices
from .minutes import minutes_pdf
from .models import Attendance, Decision, Instance, Meeting
from .services import DecisionRefused, record_decision


def _meeting(request: CiteRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("instance"), pk=pk, cite=request.cite)


@cite_member_required(CiteCapability.VIEW)
def index(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    return render_cite(
        request,
        "governance/index.html",
        {
            "instances": Instance.objects.filter(cite=cite),
            "meetings": Meeting.objects.filter(cite=cite).select_related("instance"),
            "instance_form": InstanceForm(),
        },
    )


@cite_member_required(CiteCapability.MANAGE_GOVERNANCE)
@require_POST
def instance_create(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = InstanceForm(request.POST)
    form.instance.cite = cite
    if form.is_valid():
        save_traced(request, form)
        messages.success(request, "Instance ajoutée.")
    else:
        messages.error(
            request, "Instance non ajoutée : " + " ".join(str(m) for e in form.errors.values() for m in e)
        )
    return redirect("governance:index", cite=cite.slug)


@cite_member_required(CiteCapability.MANAGE_GOVERNANCE)
def meeting_form(request: CiteRequest, pk: int | None = None) -> HttpResponse:
    cite = request.cite
    instance = _meeting(request, pk) if pk else None
    form = MeetingForm(request.POST or None, instance=instance, cite=cite)
    if request.method == "POST" and form.is_valid():
        meeting = save_traced(request, form, created_by=instance.created_by if instance else request.user)
        messages.success(request, "Réunion enregistrée.")
        return redirect("governance:meeting", cite=cite.slug, pk=meeting.pk)
    heading = f"Modifier : {instance}" if instance else "Nouvelle réunion"
    return render_cite(request, "governance/meeting_form.html", {"form": form, "heading": heading})


@cite_member_required(CiteCapability.VIEW)
def meeting(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    m = _meeting(request, pk)
    presence = {("member", a.member_id): a.presence for a in m.attendances.all() if a.member_id}
    presence |= {("partner", a.partner_id): a.presence for a in m.attendances.all() if a.partner_id}
    members = CiteMembership.objects.filter(cite=cite, active=True).select_related("user", "partner")
    partners = Partner.objects.filter(cite=cite)
    return render_cite(
        request,
        "governance/meeting.html",
        {
            "meeting": m,
            "attendances": m.attendances.select_related("member__user", "partner"),
            "decisions": m.decisions.select_related("action", "commitment", "recorded_by"),
            "member_rows": [(x, presence.get(("member", x.pk), "")) for x in members],
            "partner_rows": [(p, presence.get(("partner", p.pk), "")) for p in partners],
            "presence_choices": attendance_choices(),
            "decision_form": DecisionForm(cite=cite),
        },
    )


@cite_member_required(CiteCapability.MANAGE_GOVERNANCE)
@require_POST
def attendance(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    m = _meeting(request, pk)
    allowed = set(Attendance.Presence.values)
    rows = [("member", x.pk) for x in CiteMembership.objects.filter(cite=cite, active=True)]
    rows += [("partner", p.pk) for p in Partner.objects.filter(cite=cite)]
    changes = {}
    for field, obj_id in rows:
        value = request.POST.get(f"{field}-{obj_id}", "")
        lookup: dict[str, Any] = {"meeting": m, field + "_id": obj_id}
        if value in allowed:
            _, _created = Attendance.objects.update_or_create(**lookup, defaults={"presence": value})
            changes[f"{field} {obj_id}"] = value
        else:
            Attendance.objects.filter(**lookup).delete()
    trace(request, m, "modification", {"présences": changes})
    messages.success(request, "Présences enregistrées.")
    return redirect("governance:meeting", cite=cite.slug, pk=m.pk)


@cite_member_required(CiteCapability.VIEW)
@require_POST
def decision(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    m = _meeting(request, pk)
    form = DecisionForm(request.POST, cite=cite)
    if not form.is_valid():
        messages.error(
            request, "Décision incomplète : " + " ".join(str(x) for e in form.errors.values() for x in e)
        )
        return redirect("governance:meeting", cite=cite.slug, pk=m.pk)
    data = form.cleaned_data
    kind = data["kind"]
    membership = request.cite_membership
    if kind == Decision.Kind.OTHER and not membership.can(CiteCapability.MANAGE_GOVERNANCE):
        return HttpResponse("Votre rôle ne permet pas de consigner cette décision.", status=403)
    try:
        record_decision(
            request=request,
            meeting=m,
            membership=membership,
            kind=kind,
            text=data["text"] or "",
            action=data["action"],
            amount=data["amount"],
            year=data["year"],
        )
    except DecisionRefused as exc:
        messages.error(request, str(exc))
        return redirect("governance:meeting", cite=cite.slug, pk=m.pk)
    messages.success(request, "Décision enregistrée.")
    return redirect("governance:meeting", cite=cite.slug, pk=m.pk)


@cite_member_required(CiteCapability.VIEW)
def minutes(request: CiteRequest, pk: int) -> HttpResponse:
    m = _meeting(request, pk)
    response = HttpResponse(minutes_pdf(m), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="compte-rendu-{m.held_on:%Y-%m-%d}.pdf"'
    return response
