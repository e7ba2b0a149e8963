"""The shared diagnostic: findings by objective and the observatory's territorial indicators."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.journal import save_traced, trace
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability
from veille.web.cite.framework.models import Framework

from .csv_import import COLUMNS, import_indicators
from .forms import CsvForm, FindingForm, IndicatorForm
from .models import Finding, TerritorialIndicator


def _page(request: CiteRequest, status: int = 200, **forms: object) -> HttpResponse:
    cite = request.cite
    framework = Framework.objects.current()
    findings = Finding.objects.filter(cite=cite).select_related("objective")
    by_objective = [
        (
            o,
            [f for f in findings if f.objective_id == o.pk and f.kind == Finding.Kind.STRENGTH],
            [f for f in findings if f.objective_id == o.pk and f.kind == Finding.Kind.WEAKNESS],
        )
        for o in (framework.objectives.all() if framework else [])
    ]
    context: dict[str, object] = {
        "by_objective": by_objective,
        "indicators": TerritorialIndicator.objects.filter(cite=cite).select_related("objective"),
        "columns": ";".join(COLUMNS) + ";objectif",
    }
    if request.cite_membership.can(CiteCapability.EDIT_CITE):
        context["finding_form"] = forms.get("finding_form") or FindingForm(prefix="finding")
        context["indicator_form"] = forms.get("indicator_form") or IndicatorForm(prefix="indicator")
        context["csv_form"] = forms.get("csv_form") or CsvForm(prefix="csv")
    return render_cite(request, "diagnostic/index.html", context, status=status)


@cite_member_required(CiteCapability.VIEW)
def index(request: CiteRequest) -> HttpResponse:
    return _page(request)


@cite_member_required(CiteCapability.EDIT_CITE)
@require_POST
def add_finding(request: CiteRequest) -> HttpResponse:
    form = FindingForm(request.POST, prefix="finding")
    if not form.is_valid():
        return _page(request, status=400, finding_form=form)
    save_traced(request, form, cite=request.cite)
    messages.success(request, "Constat ajouté au diagnostic.")
    return redirect("diagnostic:index", cite=request.cite.slug)


@cite_member_required(CiteCapability.EDIT_CITE)
@require_POST
def add_indicator(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    existing = (
        TerritorialIndicator.objects.filter(
            cite=cite,
            label=request.POST.get("indicator-label", "").strip(),
            year=request.POST.get("indicator-year") or 0,
        ).first()
        if (request.POST.get("indicator-year") or "").isdigit()
        else None
    )
    form = IndicatorForm(request.POST, prefix="indicator", instance=existing)
    if not form.is_valid():
        return _page(request, status=400, indicator_form=form)
    save_traced(request, form, cite=cite)
    messages.success(request, "Indicateur enregistré.")
    return redirect("diagnostic:index", cite=cite.slug)


@cite_member_required(CiteCapability.EDIT_CITE)
@require_POST
def import_csv(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = CsvForm(request.POST, request.FILES, prefix="csv")
    if not form.is_valid():
        return _page(request, status=400, csv_form=form)
    with transaction.atomic():
        result = import_indicators(cite=cite, content=form.cleaned_data["file"].read())
        trace(request, cite, "import d'indicateurs", {"créés": result.created, "mis à jour": result.updated})
    for error in result.errors:
        messages.error(request, error)
    messages.success(request, f"{result.created} indicateur(s) créé(s), {result.updated} mis à jour.")
    return redirect("diagnostic:index", cite=cite.slug)
