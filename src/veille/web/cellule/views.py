from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.cellule.imports.models import CrossingRun, Import, Outcome, RunStatus
from veille.web.cellule.meetings.models import Meeting
from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.roles import Capability


@member_required()
def commune_home(request: CommuneRequest) -> HttpResponse:
    """What waits for this member today: counts only (no child's data, so nothing to log)."""
    membership = request.membership
    commune = request.commune
    today = timezone.localdate()
    summary: dict[str, object] = {}
    if membership.can(Capability.VIEW_CHILDREN) or membership.can(Capability.REVIEW_MATCHES):
        # Read once for both counts (OutcomeQuerySet.of_latest_run reads the same run).
        latest = CrossingRun.objects.listed().filter(commune=commune, status=RunStatus.DONE).first()
    if membership.can(Capability.VIEW_CHILDREN):
        summary["run"] = latest
        # The same count as « Fichiers » and the run's page: OutcomeQuerySet.counts_by_run.
        summary["unfound"] = (
            Outcome.objects.counts_by_run([latest]).get(latest.pk, {}).get("non_trouve", 0) if latest else 0
        )
    if membership.can(Capability.REVIEW_MATCHES):
        summary["to_review"] = Outcome.objects.filter(run=latest).awaiting_review().count() if latest else 0
    if membership.can(Capability.IMPORT_FILES):
        summary["imports"] = Import.objects.visible_to(membership).filter(commune=commune).count()
    if membership.can(Capability.VIEW_CASES) or membership.can(Capability.VIEW_TRANSMITTED_CASES):
        # Both counts in one query: overdue is open with a deadline before today (CaseQuerySet.overdue).
        counts = (
            Case.objects.visible_to(membership)
            .open()
            .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        )
        summary["open_cases"], summary["overdue"] = counts["open"], counts["overdue"]
    if membership.can(Capability.EDIT_CASES):
        summary["todo"] = Case.objects.todo(membership, today).count()
    if membership.can(Capability.VIEW_MEETINGS):
        summary["next_meeting"] = (
            Meeting.objects.filter(commune=commune, held=False, held_on__date__gte=today)
            .order_by("held_on")
            .first()
        )
    return render(request, "veille/commune_home.html", {"summary": summary})
