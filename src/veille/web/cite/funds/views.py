"""The fund and the budget of a cité: contributions, commitments, payments, tables, co-financing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.corrections import delete_object, edit_object
from veille.web.cite.cites.journal import save_traced, trace
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability

from . import budget
from .forms import CommitmentForm, ContributionForm, PaymentForm
from .models import ZERO, Commitment, Contribution, Payment


def _page(request: CiteRequest, status: int = 200, **forms: object) -> HttpResponse:
    cite = request.cite
    include_proposed = request.GET.get("propositions") == "1"
    fund_years = budget.fund_years(cite)
    years = sorted(set(cite.years()) | {r.year for r in fund_years})
    by_year, co_financing = budget.co_financing_by_year(cite, include_proposed=include_proposed)
    context = {
        "fund_years": fund_years,
        "fund_total": budget.fund_total(cite, fund_years),
        "by_funder": budget.table_by_funder_and_year(cite, include_proposed=include_proposed),
        "by_objective": budget.table_by_objective_and_funder(cite, include_proposed=include_proposed),
        "co_financing": co_financing,
        "co_financing_years": [(y, by_year.get(y, budget.CoFinancing(ZERO, ZERO))) for y in years],
        "include_proposed": include_proposed,
        "contributions": Contribution.objects.filter(cite=cite),
        "commitments": Commitment.objects.filter(cite=cite).select_related("action").with_paid(),
        "payments": Payment.objects.filter(commitment__cite=cite).select_related("commitment__action"),
    }
    if request.cite_membership.can(CiteCapability.MANAGE_FUNDS):
        context["contribution_form"] = forms.get("contribution_form") or ContributionForm(
            prefix="contribution"
        )
        context["commitment_form"] = forms.get("commitment_form") or CommitmentForm(
            cite=cite, prefix="commitment"
        )
        context["payment_form"] = forms.get("payment_form") or PaymentForm(cite=cite, prefix="payment")
    return render_cite(request, "funds/index.html", context, status=status)


@cite_member_required(CiteCapability.VIEW)
def index(request: CiteRequest) -> HttpResponse:
    return _page(request)


@cite_member_required(CiteCapability.MANAGE_FUNDS)
@require_POST
def add_contribution(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = ContributionForm(request.POST, prefix="contribution")
    form.instance.cite = cite
    if not form.is_valid():
        return _page(request, status=400, contribution_form=form)
    existing = Contribution.objects.filter(
        cite=cite, year=form.cleaned_data["year"], contributor=form.cleaned_data["contributor"]
    ).first()
    if existing:
        # One contribution per contributor and year: a second entry corrects the first, traced.
        form = ContributionForm(request.POST, prefix="contribution", instance=existing)
        form.is_valid()
    save_traced(request, form, cite=cite)
    messages.success(request, "Contribution enregistrée.")
    return redirect("funds:index", cite=cite.slug)


@cite_member_required(CiteCapability.MANAGE_FUNDS)
@require_POST
def add_default_contributions(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "Indiquez l'année.")
        return redirect("funds:index", cite=cite.slug)
    for contribution in budget.ensure_default_contributions(cite, year):
        trace(request, contribution, "création", {"montant": contribution.amount, "année": year}, cite=cite)
    messages.success(request, f"Contributions de l'État {year} (15 000 € + 15 000 €) enregistrées.")
    return redirect("funds:index", cite=cite.slug)


@cite_member_required(CiteCapability.MANAGE_FUNDS)
@require_POST
def add_commitment(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = CommitmentForm(request.POST, cite=cite, prefix="commitment")
    if not form.is_valid():
        return _page(request, status=400, commitment_form=form)
    save_traced(request, form, cite=cite, created_by=request.user)
    messages.success(request, "Engagement enregistré.")
    return redirect("funds:index", cite=cite.slug)


@cite_member_required(CiteCapability.MANAGE_FUNDS)
@require_POST
def add_payment(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    form = PaymentForm(request.POST, cite=cite, prefix="payment")
    if not form.is_valid():
        return _page(request, status=400, payment_form=form)
    payment = form.save()
    trace(
        request,
        payment,
        "création",
        {"montant": payment.amount, "engagement": payment.commitment_id},
        cite=cite,
    )
    messages.success(request, "Paiement enregistré.")
    return redirect("funds:index", cite=cite.slug)


# Corrections: edit and delete, each traced with the old values (amounts as exact decimals).


def _back(request: CiteRequest) -> str:
    return reverse("funds:index", kwargs={"cite": request.cite.slug})


@cite_member_required(CiteCapability.MANAGE_FUNDS)
def edit_contribution(request: CiteRequest, pk: int) -> HttpResponse:
    contribution = get_object_or_404(Contribution, pk=pk, cite=request.cite)
    form = ContributionForm(request.POST if request.method == "POST" else None, instance=contribution)
    return edit_object(
        request,
        form,
        heading="Corriger la contribution",
        success="Contribution corrigée.",
        back=_back(request),
    )


@cite_member_required(CiteCapability.MANAGE_FUNDS)
def delete_contribution(request: CiteRequest, pk: int) -> HttpResponse:
    contribution = get_object_or_404(Contribution, pk=pk, cite=request.cite)
    return delete_object(
        request, contribution, what="la contribution", success="Contribution supprimée.", back=_back(request)
    )


@cite_member_required(CiteCapability.MANAGE_FUNDS)
def edit_commitment(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    commitment = get_object_or_404(Commitment, pk=pk, cite=cite)
    form = CommitmentForm(request.POST if request.method == "POST" else None, instance=commitment, cite=cite)
    return edit_object(
        request, form, heading="Corriger l'engagement", success="Engagement corrigé.", back=_back(request)
    )


@cite_member_required(CiteCapability.MANAGE_FUNDS)
def delete_commitment(request: CiteRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment, pk=pk, cite=request.cite)
    return delete_object(
        request, commitment, what="l'engagement", success="Engagement supprimé.", back=_back(request)
    )


@cite_member_required(CiteCapability.MANAGE_FUNDS)
def edit_payment(request: CiteRequest, pk: int) -> HttpResponse:
    cite = request.cite
    payment = get_object_or_404(Payment, pk=pk, commitment__cite=cite)
    form = PaymentForm(request.POST if request.method == "POST" else None, instance=payment, cite=cite)
    return edit_object(
        request, form, heading="Corriger le paiement", success="Paiement corrigé.", back=_back(request)
    )


@cite_member_required(CiteCapability.MANAGE_FUNDS)
def delete_payment(request: CiteRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment, pk=pk, commitment__cite=request.cite)
    return delete_object(
        request, payment, what="le paiement", success="Paiement supprimé.", back=_back(request)
    )
