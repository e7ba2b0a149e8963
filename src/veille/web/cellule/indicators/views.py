"""The dashboard of a commune's cell, its yearly report, its anonymous export, and the préfecture's
page of every commune of the department."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille.compulsory import SchoolYear
from veille.web.common.accounts.access import AuthenticatedRequest, CommuneRequest, member_required
from veille.web.common.accounts.models import Membership, User
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action
from veille.web.common.territories.models import Commune

from . import aggregates
from .computations import masked_total, school_year_period
from .definitions import INDICATORS
from .forms import AggregateUploadForm, PeriodForm, year_choices
from .models import AggregateReport
from .queries import first_event_day
from .report import Dashboard, build_dashboard, report_pdf, report_xlsx


def _period_form(request: CommuneRequest) -> PeriodForm:
    """The period and filters asked in the query string (the current school year by default)."""
    years = year_choices(first_event_day(request.commune), timezone.localdate())
    form = PeriodForm(request.GET or {"annee": years[0][0]}, years=years)
    form.is_valid()
    return form


def _dashboard(form: PeriodForm, request: CommuneRequest) -> Dashboard | None:
    if not form.is_valid():
        return None
    return build_dashboard(
        request.commune,
        period=form.period(),
        year=form.year,
        today=timezone.localdate(),
        filters=form.filters(),
    )


def _describe(form: PeriodForm) -> str:
    """Audit detail: the period and filters, identifiers only."""
    filters, period = form.filters(), form.period()
    parts = [f"{period.start.isoformat()}..{period.end.isoformat()}"]
    parts += [f"{k}={v}" for k, v in (("domaine", filters.domain), ("origine", filters.origin),
                                       ("age", filters.age_band)) if v]  # fmt: skip
    return " ".join(parts)


@member_required(Capability.VIEW_INDICATORS)
def index(request: CommuneRequest) -> HttpResponse:
    form = _period_form(request)
    dashboard = _dashboard(form, request)
    if dashboard is not None:
        record(request, Action.VIEW, object_type="indicators.dashboard", detail=_describe(form))
    return render(
        request,
        "indicators/index.html",
        {"form": form, "d": dashboard, "query": request.GET.urlencode(), "indicators": INDICATORS},
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_stem(dashboard: Dashboard) -> str:
    period = dashboard.period
    return f"bilan-{dashboard.commune.slug}-{period.start.isoformat()}-{period.end.isoformat()}"


@member_required(Capability.VIEW_INDICATORS)
def report(request: CommuneRequest, fmt: str) -> HttpResponse:
    """The yearly report (bilan annuel de la cellule) as PDF or XLSX, for the period chosen."""
    form = _period_form(request)
    dashboard = _dashboard(form, request)
    if dashboard is None:
        messages.error(request, "La période choisie n'est pas valable.")
        return redirect("indicators:index", commune=request.commune.slug)
    record(request, Action.EXPORT, object_type="indicators.report", detail=f"{fmt} {_describe(form)}")
    if fmt == "pdf":
        return _download(report_pdf(dashboard), "application/pdf", f"{_file_stem(dashboard)}.pdf")
    return _download(
        report_xlsx(dashboard),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{_file_stem(dashboard)}.xlsx",
    )


@member_required(Capability.VIEW_INDICATORS)
def export(request: CommuneRequest, fmt: str) -> HttpResponse:
    """The anonymous aggregate of the period (no filter), small counts masked, as JSON or CSV."""
    form = _period_form(request)
    commune = request.commune
    if not form.is_valid():
        messages.error(request, "La période choisie n'est pas valable.")
        return redirect("indicators:index", commune=commune.slug)
    period = form.period()
    aggregate = aggregates.commune_aggregate(commune, period)
    record(request, Action.EXPORT, object_type="indicators.aggregate", detail=f"{fmt} {_describe(form)}")
    stem = f"indicateurs-{commune.insee_code or commune.slug}-{period.start}-{period.end}"
    if fmt == "json":
        return _download(aggregates.to_json(aggregate).encode(), "application/json", f"{stem}.json")
    return _download(aggregates.to_csv(aggregate).encode(), "text/csv; charset=utf-8", f"{stem}.csv")


# The department's page: outside any commune, for the préfecture.


def _department_memberships(request: AuthenticatedRequest) -> list[Membership]:
    seats = [
        m for m in Membership.objects.for_user(cast(User, request.user)) if m.can(Capability.VIEW_DEPARTMENT)
    ]
    if not seats:
        raise PermissionDenied("Votre rôle ne permet pas de voir les indicateurs du département.")
    return seats


def _departments(seats: list[Membership]) -> set[str]:
    return {aggregates.department_of(m.commune.insee_code, m.commune.department) for m in seats}


def _local_communes(departments: set[str]) -> list[Commune]:
    return [
        c
        for c in Commune.objects.all()
        if aggregates.department_of(c.insee_code, c.department) in departments
    ]


@login_required
def department(request: AuthenticatedRequest) -> HttpResponse:
    """Every commune of the préfecture's department side by side, for a school year: the communes served
    by this instance (computed here) and the aggregates imported from the others; all masked."""
    seats = _department_memberships(request)
    departments = _departments(seats)
    today = timezone.localdate()
    current = SchoolYear.current(today)
    years = [str(SchoolYear(y)) for y in range(current.first, current.first - 5, -1)]
    chosen = request.GET.get("annee", years[0])
    year = SchoolYear.parse(chosen) if chosen in years else current
    period = school_year_period(year)

    columns: list[dict[str, Any]] = []
    local_codes = set()
    for commune in _local_communes(departments):
        aggregate = aggregates.commune_aggregate(commune, period)
        local_codes.add(commune.insee_code)
        columns.append(
            {
                "name": commune.name,
                "insee": commune.insee_code,
                "values": aggregate.values,
                "source": "cette instance",
            }
        )
    imported = AggregateReport.objects.of_departments(departments).filter(
        period_start=period.start, period_end=period.end
    )
    for report in imported.prefetch_related("values"):
        if report.insee_code in local_codes:
            continue  # the figures computed here are the fresher ones
        imported_on = timezone.localtime(report.imported_at)
        columns.append(
            {
                "name": report.commune_name,
                "insee": report.insee_code,
                "values": report.values_by_key(),
                "source": f"importé le {imported_on:%d/%m/%Y}",
            }
        )
    columns.sort(key=lambda c: c["name"])
    rows = []
    for indicator in INDICATORS:
        cells = [c["values"].get(indicator.key) for c in columns]
        rows.append({"indicator": indicator, "cells": cells, "total": masked_total(cells)})
    record(
        request,
        Action.VIEW,
        object_type="indicators.department",
        object_id=",".join(sorted(departments)),
        detail=f"{year} {len(columns)} communes",
        commune=seats[0].commune,
    )
    return render(
        request,
        "indicators/department.html",
        {
            "columns": columns,
            "rows": rows,
            "years": years,
            "year": str(year),
            "departments": sorted(departments),
            "form": AggregateUploadForm(),
        },
    )


@login_required
@require_POST
def department_import(request: AuthenticatedRequest) -> HttpResponse:
    """Import exports of other instances; each file is checked on its own and refused whole if unsafe."""
    seats = _department_memberships(request)
    departments = _departments(seats)
    form = AggregateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choisissez au moins un fichier.")
        return redirect("indicators_department:index")
    for upload in request.FILES.getlist("fichiers"):
        try:
            aggregate = aggregates.parse(upload.read(1_000_000))
        except aggregates.AggregateFormatError as error:
            messages.error(request, f"{upload.name} : {error}")
            continue
        if aggregates.department_of(aggregate.insee_code) not in departments:
            messages.error(request, f"{upload.name} : cette commune n'est pas de votre département.")
            continue
        saved = aggregates.store(aggregate, user=request.user)
        record(
            request,
            Action.CREATE,
            saved,
            detail=f"agrégat {saved.insee_code} {saved.period_start}..{saved.period_end}",
            commune=seats[0].commune,
        )
        messages.success(request, f"{upload.name} : indicateurs de {saved.commune_name} importés.")
    return redirect("indicators_department:index")
