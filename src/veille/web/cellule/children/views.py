"""Pages of the children: the commune's list with each child's latest status, and one child's history."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from veille.web.cellule.imports.models import STATUS_LABELS, CrossingRun, Outcome, RunStatus
from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action
from veille.web.common.links import links_of
from veille.web.common.ui.search import Fold, search_names

from .forms import ChildRecordForm, ResponsiblePersonForm
from .models import Child, ResponsiblePerson

#: what the list shows of each child (the rest of the record stays in the database)
LISTED_FIELDS = ("pk", "last_name", "first_names", "birth_date", "organisme")


@member_required(Capability.VIEW_CHILDREN)
def index(request: CommuneRequest) -> HttpResponse:
    """The children of the commune with their status in the latest run; filter by status, search by name."""
    commune = request.commune
    latest = CrossingRun.objects.listed().filter(commune=commune, status=RunStatus.DONE).first()
    children = Child.objects.in_commune(commune)
    status = request.GET.get("statut", "")
    if status in STATUS_LABELS:
        # One outcome per child and run (one_outcome_per_run): a semi-join, not a subquery per child.
        children = children.filter(pk__in=Outcome.objects.filter(run=latest, status=status).values("child"))
    else:
        status = ""
    query = request.GET.get("q", "").strip()
    if query:
        # « ismael » finds « Ismaël », « ait » finds « Aït », « benali » finds « Ben Ali ».
        children = search_names(children, query, "last_name", "first_names")
    # The whole commune is sorted on its identifiers only, then the page's 50 children are read with
    # their outcome: sorting full rows with their outcome was most of the page's cost.
    ordered = children.order_by(Fold("last_name"), Fold("first_names"), "pk").values_list("pk", flat=True)
    keys = Paginator(ordered, 50).get_page(request.GET.get("page"))
    outcome = Outcome.objects.filter(run=latest, child=OuterRef("pk"))
    shown = (
        Child.objects.filter(pk__in=list(keys))
        .only(*LISTED_FIELDS)
        .annotate(
            status=Subquery(outcome.values("status")[:1]), outcome_motif=Subquery(outcome.values("motif")[:1])
        )
    )
    by_pk = {child.pk: child for child in shown}
    rows = [by_pk[pk] for pk in keys if pk in by_pk]
    page: Page[Any] = Page(rows, keys.number, keys.paginator)
    detail = links_of("children:detail", commune=commune.slug)
    for child in page.object_list:
        child.status_label = STATUS_LABELS.get(child.status or "", "Pas encore croisé")
        child.url = detail(child.pk)
    record(
        request,
        Action.VIEW,
        object_type="children.child",
        detail=f"liste des enfants, {len(page.object_list)} affichés sur {page.paginator.count}"
        + (f", filtre {status}" if status else "")
        + (", recherche par nom" if query else ""),
        shown=[child.pk for child in page.object_list],
    )
    return render(
        request,
        "children/index.html",
        {
            "page": page,
            "latest": latest,
            "status": status,
            "query": query,
            "statuses": STATUS_LABELS,
            "page_query": urlencode({k: v for k, v in (("q", query), ("statut", status)) if v}),
        },
    )


@member_required(Capability.VIEW_CHILDREN)
def detail(request: CommuneRequest, pk: int) -> HttpResponse:
    """One child: identity, the outcomes of every run, the decisions taken, a link to open a case."""
    child = get_object_or_404(Child, pk=pk, commune=request.commune)
    outcomes = child.outcomes.select_related("run", "decision").order_by("-run__created_at", "-pk")
    record(request, Action.VIEW, child, detail="fiche de l'enfant")
    return render(
        request,
        "children/detail.html",
        {
            "child": child,
            "outcomes": outcomes,
            "decisions": child.match_decisions.order_by("-decided_at"),
            "persons": child.responsible_persons.all(),
        },
    )


@member_required(Capability.VIEW_CHILDREN, Capability.EDIT_CHILDREN)
def edit_record(request: CommuneRequest, pk: int) -> HttpResponse:
    """Complete the list's content (R131-3) for one child: what the sources do not give, and the
    other responsible persons."""
    child = get_object_or_404(Child, pk=pk, commune=request.commune)
    record_form = ChildRecordForm(instance=child, prefix="fiche")
    person_form = ResponsiblePersonForm(prefix="responsable")
    if request.method == "POST" and request.POST.get("action") == "fiche":
        record_form = ChildRecordForm(request.POST, instance=child, prefix="fiche")
        if record_form.is_valid():
            if {"instruction_mode", "establishment", "level_this_year"} & set(record_form.changed_data):
                record_form.instance.instruction_origin = "saisie de la mairie"
            record_form.save()
            record(request, Action.CHANGE, child, detail="fiche : " + ", ".join(record_form.changed_data))
            messages.success(request, "La fiche de l'enfant est enregistrée.")
            return redirect("children:detail", commune=child.commune.slug, pk=child.pk)
    elif request.method == "POST" and request.POST.get("action") == "responsable":
        person_form = ResponsiblePersonForm(request.POST, prefix="responsable")
        if person_form.is_valid():
            person_form.instance.child = child
            person = person_form.save()
            record(request, Action.CREATE, person, detail=f"personne responsable de l'enfant {child.pk}")
            messages.success(request, "La personne responsable est ajoutée.")
            return redirect("children:edit_record", commune=child.commune.slug, pk=child.pk)
    else:
        record(request, Action.VIEW, child, detail="fiche de l'enfant (modification)")
    return render(
        request,
        "children/edit_record.html",
        {
            "child": child,
            "record_form": record_form,
            "person_form": person_form,
            "persons": child.responsible_persons.all(),
        },
    )


@require_POST
@member_required(Capability.VIEW_CHILDREN, Capability.EDIT_CHILDREN)
def delete_person(request: CommuneRequest, pk: int, person: int) -> HttpResponse:
    found = get_object_or_404(
        ResponsiblePerson,
        pk=person,
        child__pk=pk,
        child__commune=request.commune,
    )
    record(request, Action.DELETE, found, detail=f"personne responsable de l'enfant {pk}")
    found.delete()
    messages.success(request, "La personne responsable est retirée de la fiche.")
    return redirect("children:edit_record", commune=request.commune.slug, pk=pk)
