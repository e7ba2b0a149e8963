"""The action programme: by objective, one fiche, its budget, indicators, execution and state."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.journal import save_traced, trace
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability
from veille.web.cite.framework.models import Framework

from .forms import ActionForm, BudgetLineForm, ExecutionForm, IndicatorForm
from .models import ZERO, Action, BudgetLine, Execution, Funder, IndicatorValue, Status
from .workflow import TransitionRefused, available_steps, may_edit, move


def _action(request: CiteRequest, pk: int) -> Action:
    return get_object_or_404(Action, pk=pk, cite=request.cite)


def _editable(request: CiteRequest, pk: int) -> Action:
    action = _action(request, pk)
    if not may_edit(request.cite_membership, action):
        raise PermissionDenied("Seuls le chef de projet et le porteur de l'action peuvent la modifier.")
    return action


def _back(action: Action, anchor: str = "") -> HttpResponse:
    response = redirect("actions:detail", cite=action.cite.slug, pk=action.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@cite_member_required(CiteCapability.VIEW)
def index(request: CiteRequest) -> HttpResponse:
    """The programme grouped by objective (an action appears under each objective it serves)."""
    cite = request.cite
    actions = (
        Action.objects.in_cite(cite)
        .select_related("lead_partner")
        .prefetch_related("sub_objectives__objective", "budget_lines")
    )
    status = request.GET.get("etat", "")
    if status in Status.values:
        actions = actions.filter(status=status)
    framework = Framework.objects.current()
    groups: OrderedDict[str, list[dict[str, object]]] = OrderedDict()
    for objective in framework.objectives.all() if framework else []:
        groups[str(objective)] = []
    funders = list(Funder)
    for action in actions:
        totals = {f.value: ZERO for f in funders}
        for line in action.budget_lines.all():
            totals[line.funder] += line.amount
        row = {
            "action": action,
            "codes": ", ".join(s.code for s in action.sub_objectives.all()),
            "by_funder": [totals[f.value] for f in funders],
            "total": sum(totals.values(), ZERO),
        }
        objectives = sorted({s.objective for s in action.sub_objectives.all()}, key=lambda o: o.number)
        for name in [str(o) for o in objectives] or ["Sans sous-objectif"]:
            groups.setdefault(name, []).append(row)
    return render_cite(
        request,
        "actions/index.html",
        {"groups": groups, "funders": funders, "status": status, "statuses": Status.choices},
    )


@cite_member_required(CiteCapability.VIEW)
def detail(request: CiteRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    membership = request.cite_membership
    editable = may_edit(membership, action)
    years = list(action.years)
    lines = {(b.year, b.funder): b.amount for b in action.budget_lines.all()}
    budget_rows = [
        (
            f.label,
            [lines.get((y, f.value), ZERO) for y in years],
            sum((lines.get((y, f.value), ZERO) for y in years), ZERO),
        )
        for f in Funder
        if any((y, f.value) in lines for y in years)
    ]
    year_totals = [sum((lines.get((y, f.value), ZERO) for f in Funder), ZERO) for y in years]
    values = {
        (v.indicator_id, v.year): v.value for v in IndicatorValue.objects.filter(indicator__action=action)
    }
    indicators = [(i, [values.get((i.pk, y)) for y in years]) for i in action.indicators.all()]
    return render_cite(
        request,
        "actions/detail.html",
        {
            "action": action,
            "editable": editable,
            "steps": available_steps(membership, action),
            "years": years,
            "budget_rows": budget_rows,
            "year_totals": year_totals,
            "indicators": indicators,
            "executions": action.executions.all(),
            "transitions": action.transitions.select_related("by"),
            "budget_form": BudgetLineForm(initial={"year": action.start_year}) if editable else None,
            "indicator_form": IndicatorForm() if editable else None,
            "fund_commitments": action.fund_commitments.all(),
        },
    )


@cite_member_required(CiteCapability.PROPOSE_ACTIONS)
def create(request: CiteRequest) -> HttpResponse:
    cite, membership = request.cite, request.cite_membership
    form = ActionForm(request.POST or None, cite=cite, membership=membership)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            action = save_traced(
                request, form, cite=cite, number=Action.next_number(cite), created_by=request.user
            )
        messages.success(request, "Action proposée : la troïka doit maintenant la valider.")
        return _back(action)
    return render_cite(request, "actions/form.html", {"form": form, "action": None})


@cite_member_required(CiteCapability.VIEW)
def edit(request: CiteRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    form = ActionForm(
        request.POST or None,
        instance=action,
        cite=request.cite,
        membership=request.cite_membership,
    )
    if request.method == "POST" and form.is_valid():
        save_traced(request, form)
        messages.success(request, "L'action est enregistrée.")
        return _back(action)
    return render_cite(request, "actions/form.html", {"form": form, "action": action})


@cite_member_required(CiteCapability.VIEW)
@require_POST
def transition(request: CiteRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    try:
        step = move(
            action,
            request.POST.get("to", ""),
            membership=request.cite_membership,
            comment=request.POST.get("comment", ""),
        )
    except (TransitionRefused, ValueError) as exc:
        messages.error(request, str(exc))
        return _back(action)
    action.refresh_from_db()
    trace(
        request,
        action,
        "changement d'état",
        {"état": [step.get_from_status_display(), step.get_to_status_display()]},
    )
    messages.success(request, f"L'action est maintenant « {action.get_status_display()} ».")
    return _back(action)


@cite_member_required(CiteCapability.VIEW)
@require_POST
def budget(request: CiteRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    form = BudgetLineForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Ligne de budget incomplète : " + " ".join(str(m) for e in form.errors.values() for m in e),
        )
        return _back(action, "budget")
    data = form.cleaned_data
    if data["year"] not in action.years:
        messages.error(request, f"L'action se déroule de {action.start_year} à {action.end_year}.")
        return _back(action, "budget")
    line = BudgetLine.objects.filter(action=action, year=data["year"], funder=data["funder"]).first()
    old = line.amount if line else None
    if data["amount"] == ZERO:
        if line:
            line.delete()
            trace(
                request,
                action,
                "modification",
                {f"budget {data['year']} {line.get_funder_display()}": [old, None]},
            )
    else:
        line = line or BudgetLine(action=action, year=data["year"], funder=data["funder"])
        line.amount = data["amount"]
        line.save()
        trace(
            request,
            action,
            "modification",
            {f"budget {line.year} {line.get_funder_display()}": [old, line.amount]},
        )
    messages.success(request, "Budget prévisionnel mis à jour.")
    return _back(action, "budget")


@cite_member_required(CiteCapability.VIEW)
@require_POST
def add_indicator(request: CiteRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        indicator = save_traced(request, form, action=action)
        trace(request, action, "modification", {"indicateur ajouté": indicator.label})
        messages.success(request, "Indicateur ajouté.")
    else:
        messages.error(request, "Indicateur incomplet : intitulé, type et cible sont demandés.")
    return _back(action, "indicateurs")


def _default_year(action: Action) -> int:
    """This year when the action runs this year (what the CPO records most), else its first year."""
    this_year = timezone.localdate().year
    return this_year if this_year in action.years else action.start_year


@cite_member_required(CiteCapability.VIEW)
def execution(request: CiteRequest, pk: int) -> HttpResponse:
    """Record one year's execution: amounts committed and paid, indicators reached, assessment."""
    action = _editable(request, pk)
    if action.status not in (Status.VALIDATED, Status.IN_PROGRESS, Status.DONE):
        messages.error(request, "L'exécution se saisit une fois l'action validée par la troïka.")
        return _back(action)
    raw_year = request.POST.get("year") or request.GET.get("annee") or ""
    year = int(raw_year) if raw_year.isdigit() else None
    instance = Execution.objects.filter(action=action, year=year).first() if year else None
    values = {
        v.indicator_id: v.value
        for v in (IndicatorValue.objects.filter(indicator__action=action, year=year) if year else [])
    }
    form = ExecutionForm(
        request.POST or None,
        instance=instance,
        action=action,
        values=values,
        initial=None if instance else {"year": year or _default_year(action)},
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["year"] not in action.years:
            form.add_error("year", f"L'action se déroule de {action.start_year} à {action.end_year}.")
        else:
            with transaction.atomic():
                save_traced(request, form, action=action)
                for indicator_id, value in form.indicator_values().items():
                    old = values.get(indicator_id)
                    if value is None:
                        IndicatorValue.objects.filter(
                            indicator_id=indicator_id, year=form.cleaned_data["year"]
                        ).delete()
                    else:
                        IndicatorValue.objects.update_or_create(
                            indicator_id=indicator_id,
                            year=form.cleaned_data["year"],
                            defaults={"value": value},
                        )
                    if old != value:
                        trace(
                            request,
                            action,
                            "modification",
                            {f"indicateur {indicator_id} en {form.cleaned_data['year']}": [old, value]},
                        )
            messages.success(request, f"Exécution {form.cleaned_data['year']} enregistrée.")
            return _back(action, "execution")
    return render_cite(request, "actions/execution.html", {"form": form, "action": action})
