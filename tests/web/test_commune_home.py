"""The commune's home: the counts of what waits for the member, from the latest finished run."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.cellule.cases.procedure import CaseStep
from veille.web.cellule.imports.models import CrossingRun, Outcome, RunStatus
from veille.web.common.accounts.roles import Role

from .conftest import make_member
from .protection_helpers import make_case, make_child


def test_the_home_counts_the_latest_runs_children_and_the_open_and_overdue_cases(commune_a, client_as):
    referent = make_member(commune_a, Role.REFERENT, "referent-accueil")
    older, latest = (
        CrossingRun.objects.create(
            commune=commune_a, school_year="2026-2027", launched_by=referent, status=RunStatus.DONE
        )
        for _ in range(2)
    )
    today = timezone.localdate()
    for n, status in enumerate(["non_trouve", "non_trouve", "incertain", "incertain", "rapproche"]):
        child = make_child(commune_a, f"C{n}")
        Outcome.objects.create(run=latest, child=child, status=status, engine_status=status)
        Outcome.objects.create(run=older, child=child, status="non_trouve", engine_status="non_trouve")
        late = today - timedelta(days=1) if n < 3 else today + timedelta(days=30)
        Case.objects.filter(pk=make_case(child).pk).update(due_on=late)
    Case.objects.filter(pk=make_case(child).pk).update(
        state=CaseStep.CLOSED, due_on=today - timedelta(days=9)
    )

    page = client_as(referent).get(reverse("cellule:home", kwargs={"commune": commune_a.slug}))

    summary = page.context["summary"]
    assert summary["run"] == latest and summary["unfound"] == 2 and summary["to_review"] == 2
    assert summary["open_cases"] == 5 and summary["overdue"] == 3
