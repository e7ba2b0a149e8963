"""Prepare a meeting of the cell, record its decisions, print its compte rendu."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.models import User
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action
from veille.web.common.pdf import render_pdf

from .forms import AddCaseForm, DecisionForm, MeetingForm, ParticipantForm
from .models import AgendaItem, Meeting, Participant


def _meeting(request: CommuneRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting, pk=pk, commune=request.commune)


def _item(request: CommuneRequest, pk: int, item: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("case__child", "meeting"),
        pk=item,
        meeting__pk=pk,
        meeting__commune=request.commune,
    )


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    response = redirect("meetings:detail", commune=meeting.commune.slug, pk=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _rows(meeting: Meeting) -> list[dict[str, Any]]:
    """The agenda as shown and printed: number, initials, age, domain, decision. No name, no date."""
    day = timezone.localtime(meeting.held_on).date()
    return [
        {
            "item": item,
            "case_number": item.case_id,
            "initials": item.child_initials,
            "age": item.child_age(day),
            "domain": item.case.get_domain_display(),
        }
        for item in meeting.items.select_related("case__child")
    ]


@member_required(Capability.VIEW_MEETINGS)
def index(request: CommuneRequest) -> HttpResponse:
    meetings = Meeting.objects.in_commune(request.commune).annotate(case_count=Count("items", distinct=True))
    return render(request, "meetings/index.html", {"meetings": meetings, "now": timezone.now()})


@member_required(Capability.MANAGE_MEETINGS)
def create(request: CommuneRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.commune = request.commune
        meeting.created_by = request.user
        meeting.save()
        record(request, Action.CREATE, meeting)
        messages.success(request, "Réunion créée : ajoutez les participants et les dossiers à examiner.")
        return _back(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


@member_required(Capability.MANAGE_MEETINGS)
def edit(request: CommuneRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(request, Action.CHANGE, meeting, detail="date ou lieu")
        return _back(meeting)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@member_required(Capability.VIEW_MEETINGS)
def detail(request: CommuneRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    rows = _rows(meeting)
    # Initials and ages of children are shown: a display of children's data.
    record(
        request, Action.VIEW, meeting, detail="dossiers : " + ", ".join(str(r["case_number"]) for r in rows)
    )
    manage = request.membership.can(Capability.MANAGE_MEETINGS)
    for row in rows:
        row["form"] = DecisionForm(instance=row["item"], prefix=f"point-{row['item'].pk}") if manage else None
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "participants": meeting.participants.all(),
            "manage": manage,
            "participant_form": ParticipantForm() if manage else None,
            "add_case_form": AddCaseForm(meeting=meeting) if manage else None,
        },
    )


@require_POST
@member_required(Capability.MANAGE_MEETINGS)
def mark_held(request: CommuneRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    meeting.held = request.POST.get("held") == "oui"
    meeting.save(update_fields=["held"])
    record(request, Action.CHANGE, meeting, detail="tenue" if meeting.held else "prévue")
    return _back(meeting)


@require_POST
@member_required(Capability.MANAGE_MEETINGS)
def add_participant(request: CommuneRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        participant = form.save(commit=False)
        participant.meeting = meeting
        participant.save()
        record(request, Action.CHANGE, meeting, detail=f"participant ajouté ({participant.organisation})")
    else:
        messages.error(request, "Participant non ajouté : indiquez l'organisation et la fonction.")
    return _back(meeting, "participants")


@require_POST
@member_required(Capability.MANAGE_MEETINGS)
def update_participant(request: CommuneRequest, pk: int, participant: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    person = get_object_or_404(Participant, pk=participant, meeting=meeting)
    if request.POST.get("action") == "retirer":
        person.delete()
        record(request, Action.CHANGE, meeting, detail="participant retiré")
    else:
        person.attended = request.POST.get("attended") == "oui"
        person.save(update_fields=["attended"])
        record(request, Action.CHANGE, meeting, detail="présence notée")
    return _back(meeting, "participants")


@require_POST
@member_required(Capability.MANAGE_MEETINGS)
def add_case(request: CommuneRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = AddCaseForm(request.POST, meeting=meeting)
    if form.is_valid():
        last = meeting.items.order_by("-position").values_list("position", flat=True).first() or 0
        item = AgendaItem.objects.create(meeting=meeting, case=form.cleaned_data["case"], position=last + 1)
        record(request, Action.CREATE, item, detail=f"réunion {meeting.pk}, dossier {item.case_id}")
    else:
        messages.error(
            request, "Ce dossier ne peut pas être inscrit : choisissez un dossier ouvert de la commune."
        )
    return _back(meeting, "ordre-du-jour")


@require_POST
@member_required(Capability.MANAGE_MEETINGS)
def remove_case(request: CommuneRequest, pk: int, item: int) -> HttpResponse:
    entry = _item(request, pk, item)
    record(request, Action.DELETE, entry, detail=f"réunion {entry.meeting_id}, dossier {entry.case_id}")
    entry.delete()
    return _back(entry.meeting, "ordre-du-jour")


@require_POST
@member_required(Capability.MANAGE_MEETINGS)
def decide(request: CommuneRequest, pk: int, item: int) -> HttpResponse:
    entry = _item(request, pk, item)
    form = DecisionForm(request.POST, instance=entry, prefix=f"point-{entry.pk}")
    if form.is_valid():
        decided = form.save(commit=False)
        decided.decided_at = timezone.now()
        decided.decided_by = request.user
        decided.save()
        entry.case.add_note(
            user=cast(User, request.user),
            kind="meeting_decision",
            note=f"Réunion n° {entry.meeting_id} : {decided.decision}",
        )
        record(
            request,
            Action.CHANGE,
            entry,
            detail=f"décision, réunion {entry.meeting_id}, dossier {entry.case_id}",
        )
        messages.success(request, f"Décision notée pour le dossier n° {entry.case_id}.")
        return _back(entry.meeting, f"point-{entry.pk}")
    meeting = entry.meeting
    rows = _rows(meeting)
    for row in rows:
        agenda_item = cast(AgendaItem, row["item"])
        row["form"] = (
            form
            if agenda_item.pk == entry.pk
            else DecisionForm(instance=agenda_item, prefix=f"point-{agenda_item.pk}")
        )
    record(
        request, Action.VIEW, meeting, detail="dossiers : " + ", ".join(str(r["case_number"]) for r in rows)
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "participants": meeting.participants.all(),
            "manage": True,
            "participant_form": ParticipantForm(),
            "add_case_form": AddCaseForm(meeting=meeting),
        },
        status=400,
    )


@member_required(Capability.VIEW_MEETINGS)
def report(request: CommuneRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    rows = _rows(meeting)
    pdf = render_pdf(
        "meetings/report_pdf.html",
        {
            "commune": meeting.commune,
            "meeting": meeting,
            "rows": rows,
            "present": [p for p in meeting.participants.all() if p.attended],
            "absent": [p for p in meeting.participants.all() if not p.attended],
            "today": timezone.localdate(),
        },
    )
    record(
        request,
        Action.EXPORT,
        meeting,
        detail="compte rendu, dossiers : " + ", ".join(str(r["case_number"]) for r in rows),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(meeting.held_on).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="compte-rendu-reunion-{meeting.pk}-{day}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
