"""Pages of the cases: list, à traiter, opening, one case with its procedure, deadline rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from veille import law
from veille.web.cellule.children.models import Child
from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.models import Membership
from veille.web.common.accounts.roles import Capability, Role
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action
from veille.web.common.links import links_of

from .forms import FireForm, HandOverForm, LinkForm, NoteForm, NotificationForm, OpenCaseForm, RuleForm
from .models import (
    Case,
    CaseEvent,
    CaseQuerySet,
    DeadlineRule,
    Domain,
    Origin,
    TransitionError,
    can_record_acts,
)
from .procedure import BY_NAME, CaseStep, act_of
from .services import open_case

PAGE_SIZE = 50


def _require_case_view(request: CommuneRequest) -> None:
    membership = request.membership
    if not (membership.can(Capability.VIEW_CASES) or membership.can(Capability.VIEW_TRANSMITTED_CASES)):
        raise PermissionDenied("Votre rôle ne permet pas de voir les dossiers.")


def _visible_case(request: CommuneRequest, pk: int) -> Case:
    """The case if this member may see it; 404 otherwise, across communes as within one."""
    cases = Case.objects.visible_to(request.membership).select_related("child")
    return get_object_or_404(cases, pk=pk, commune=request.commune)


def _log_list(request: CommuneRequest, cases: list[Case], what: str) -> bool:
    """Audit a list that names children; returns whether the names may be shown."""
    membership = request.membership
    shown = membership.can(Capability.VIEW_CHILDREN)
    with_child = [c.child_id for c in cases if c.child_id is not None]
    if shown and with_child:
        record(
            request,
            Action.VIEW,
            object_type="cases.case",
            detail=f"{what} : {len(with_child)} enfants nommés",
            shown=with_child,
        )
    return shown


def _today_flags(request: CommuneRequest, cases: list[Case]) -> None:
    """What ``cases/_table.html`` shows of each row beside its fields: deadline flags and link."""
    today = timezone.localdate()
    detail = links_of("cases:detail", commune=request.commune.slug)
    for case in cases:
        case.overdue = case.is_overdue(today)
        case.due_soon = case.is_due_soon(today)
        case.url = detail(case.pk)


@member_required()
def case_list(request: CommuneRequest) -> HttpResponse:
    _require_case_view(request)
    membership = request.membership
    cases: CaseQuerySet = Case.objects.visible_to(membership).select_related("child")
    filters = {
        "domaine": request.GET.get("domaine", ""),
        "etape": request.GET.get("etape", ""),
        "confie": request.GET.get("confie", ""),
        "retard": request.GET.get("retard", ""),
    }
    if filters["domaine"] in Domain.values:
        cases = cases.filter(domain=filters["domaine"])
    # Closed cases apart: the list shows the open ones unless asked for all, or for a step.
    if filters["etape"] == "tous":
        pass
    elif filters["etape"] in CaseStep.values:
        cases = cases.filter(state=filters["etape"])
    else:
        filters["etape"] = ""
        cases = cases.open()
    if filters["confie"] in Role.values:
        cases = cases.filter(assigned_role=filters["confie"])
    if filters["retard"]:
        cases = cases.overdue(timezone.localdate())
    # Sorted by the date the table shows, the most recent first.
    page = Paginator(cases.order_by("-opened_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _today_flags(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/index.html",
        {
            "page": page,
            "cases": rows,
            "show_children": _log_list(request, rows, "liste des dossiers"),
            "filters": filters,
            "query": query.urlencode(),
            "domains": Domain.choices,
            "steps": CaseStep.choices,
            "roles": Role.choices,
        },
    )


@member_required(Capability.EDIT_CASES)
def todo(request: CommuneRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(Case.objects.todo(request.membership, today).select_related("child")[:200])
    _today_flags(request, rows)
    return render(
        request,
        "cases/todo.html",
        {
            "overdue": [c for c in rows if c.overdue],
            "due_soon": [c for c in rows if c.due_soon],
            "waiting": [c for c in rows if c.due_on is None],
            "show_children": _log_list(request, rows, "à traiter"),
        },
    )


@member_required(Capability.EDIT_CASES, Capability.VIEW_CASES)
def case_open(request: CommuneRequest) -> HttpResponse:
    commune = request.commune
    initial: dict[str, object] = {}
    child = None
    # The child's identity is shown here, so only to the roles that see the children: the others
    # (Département, Préfecture) open a case from an identifier and never read who it is.
    sees_children = request.membership.can(Capability.VIEW_CHILDREN)
    if "enfant" in request.GET:
        if not sees_children:
            raise PermissionDenied("Votre rôle ne permet pas de voir l'identité des enfants.")
        child = get_object_or_404(Child, pk=request.GET["enfant"], commune=commune)
        initial = {"child": child.pk, "origin": Origin.CROSSING}
        record(request, Action.VIEW, child, detail="ouverture d'un dossier")
    form = OpenCaseForm(request.POST or None, initial=initial, commune=commune)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = open_case(
                commune=commune,
                user=request.user,
                child=data["child"],
                origin=data["origin"],
                domain=data["domain"],
                note=data["note"],
                **form.case_details(),
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            record(request, Action.CREATE, case, detail=f"origine {case.origin}, domaine {case.domain}")
            messages.success(request, f"{case} ouvert.")
            return redirect("cases:detail", commune=commune.slug, pk=case.pk)
    if child is None and form.is_bound and sees_children:
        child = form.cleaned_data.get("child") if hasattr(form, "cleaned_data") else None
    return render(request, "cases/open.html", {"form": form, "child": child})


def _act_view(act: law.Act) -> dict[str, object]:
    """What the case page shows of an act of the law's table (nothing legal is written in templates)."""
    deadline = law.DEADLINES.get(act.deadline)
    document = law.DOCUMENTS.get(act.document)
    return {
        "act": act,
        "authority": law.AUTHORITIES[act.authority].label,
        "conditions": [law.describe(p) for p in act.preconditions],
        "deadline": deadline,
        "start": law.START_POINTS[deadline.start] if deadline else "",
        "document": document,
        "recourse": law.recourse_text(document.recourse) if document else "",
        # Several authors (the referral: the DASEN or the mayor): each on its letterhead.
        "signers": [
            f"{law.AUTHORITIES[s.authority].label} (en-tête : {s.letterhead})"
            for s in document.signers_in(act.domain)
        ]
        if document and document.signers
        else [],
        "unverified": act.unverified,
    }


def _detail_context(request: CommuneRequest, case: Case, error: str = "") -> dict[str, object]:
    membership = request.membership
    events = list(case.events.select_related("by", "rule", "case"))
    transitions = case.available_transitions(membership)
    pending = case.pending_notification
    pending_act = pending.act if pending else None
    return {
        "case": case,
        "events": events,
        "transitions": transitions,
        "acts": [(t, _act_view(act_of(t))) for t in transitions],
        "pending": pending,
        "pending_act": pending_act,
        "can_notify": pending_act is not None and membership.role in pending_act.roles,
        "linked_cases": list(case.linked_cases.all()) if case.about_establishment else [],
        "can_link": case.about_establishment and membership.can(Capability.EDIT_CASES),
        "law_version": law.VERSION,
        "ief_grounds": list(law.IEF_GROUNDS.items()),
        "deadline": case.current_deadline,
        "overdue": case.is_overdue(),
        "error": error,
        "note_form": NoteForm(),
        "handover_form": HandOverForm(),
        "today": timezone.localdate(),
    }


@member_required()
def case_detail(request: CommuneRequest, pk: int) -> HttpResponse:
    _require_case_view(request)
    case = _visible_case(request, pk)
    show_child = case.shows_child_to(request.membership)
    record(request, Action.VIEW, case, detail="avec les données de l'enfant" if show_child else "")
    context = _detail_context(request, case)
    context["show_child"] = show_child
    return render(request, "cases/detail.html", context)


def _after_change(request: CommuneRequest, case: Case, error: str = "", success: str = "") -> HttpResponse:
    """htmx gets the procedure panel back; a plain form post goes back to the case page."""
    if request.headers.get("HX-Request"):
        case.refresh_from_db()
        context = _detail_context(request, case, error)
        context["success"] = success
        return render(request, "cases/_procedure.html", context)
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    return redirect("cases:detail", commune=case.commune.slug, pk=case.pk)


def _require_acts(request: CommuneRequest) -> None:
    if not can_record_acts(request.membership):
        raise PermissionDenied("Votre rôle ne permet pas d'enregistrer les actes d'un dossier.")


@require_POST
@member_required()
def case_fire(request: CommuneRequest, pk: int, name: str) -> HttpResponse:
    _require_acts(request)
    case = _visible_case(request, pk)
    form = FireForm(request.POST)
    if not form.is_valid():
        return _after_change(
            request, case, error=" ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    try:
        event = case.fire(
            name,
            user=request.user,
            note=form.cleaned_data["note"],
            effective_date=form.cleaned_data["effective_date"],
            notified_on=form.cleaned_data["notified_on"],
            ground=form.cleaned_data["ground"],
        )
    except TransitionError as error:
        return _after_change(request, case, error=str(error))
    record(
        request,
        Action.CHANGE,
        case,
        detail=f"étape {name} : {event.from_state} → {event.to_state} (table v{event.law_version})",
    )
    return _after_change(request, case, success=f"Étape enregistrée : {BY_NAME[name].label}.")


@require_POST
@member_required()
def case_notify(request: CommuneRequest, pk: int) -> HttpResponse:
    """Record the notification date of an act: its deadline (e.g. the 15 days) runs from it."""
    _require_acts(request)
    case = _visible_case(request, pk)
    form = NotificationForm(request.POST)
    if not form.is_valid():
        return _after_change(request, case, error="Indiquez la date de notification.")
    event = get_object_or_404(CaseEvent, pk=form.cleaned_data["event"], case=case)
    try:
        case.record_notification(event, user=request.user, notified_on=form.cleaned_data["notified_on"])
    except TransitionError as error:
        return _after_change(request, case, error=str(error))
    record(request, Action.CHANGE, case, detail=f"notification de l'étape {event.kind} ({event.pk})")
    return _after_change(request, case, success="Date de notification enregistrée : le délai court.")


@require_POST
@member_required(Capability.EDIT_CASES, Capability.VIEW_CHILDREN)
def case_link(request: CommuneRequest, pk: int) -> HttpResponse:
    """Link a child's case (found or opened) to a school's or a place's case."""
    case = _visible_case(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _after_change(request, case, error=" ".join(map(str, form.non_field_errors())))
    data = form.cleaned_data
    child = other = None
    source_id = (data.get("child_source_id") or "").strip()
    if source_id:
        child = Child.objects.in_commune(case.commune).filter(source_id=source_id).first()
        if child is None:
            return _after_change(request, case, error="Aucun enfant de la liste n'a cet identifiant.")
    elif data.get("case_number"):
        other = Case.objects.filter(commune=case.commune, pk=data["case_number"]).first()
        if other is None:
            return _after_change(request, case, error="Aucun dossier de la commune n'a ce numéro.")
    try:
        linked = case.link_child_case(user=request.user, child=child, case=other)
    except TransitionError as error:
        return _after_change(request, case, error=str(error))
    record(request, Action.CHANGE, case, detail=f"dossier d'enfant n° {linked.pk} rattaché")
    return _after_change(request, case, success=f"Dossier de l'enfant n° {linked.pk} rattaché.")


@require_POST
@member_required(Capability.EDIT_CASES)
def case_note(request: CommuneRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _after_change(request, case, error="La note est vide ou trop longue.")
    event = case.add_note(user=request.user, kind="note", note=form.cleaned_data["note"])
    record(request, Action.CHANGE, case, detail=f"note {event.pk}")
    return _after_change(request, case, success="Note ajoutée.")


@require_POST
@member_required(Capability.TRANSMIT_CASES)
def case_hand_over(request: CommuneRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = HandOverForm(request.POST)
    if not form.is_valid():
        return _after_change(request, case, error="Choisissez le partenaire.")
    data = form.cleaned_data
    method = case.transmit if data["kind"] == "transmission" else case.assign
    try:
        event = method(user=request.user, to_role=data["to_role"], note=data["note"])
    except TransitionError as error:
        return _after_change(request, case, error=str(error))
    record(request, Action.CHANGE, case, detail=f"{event.kind} {event.from_role} → {event.to_role}")
    return _after_change(request, case, success=f"Dossier confié à : {Role(event.to_role).label}.")


def can_edit_rules(membership: Membership) -> bool:
    """Only the référent corrects the deadlines of the commune (its jurist's corrections)."""
    return membership.can(Capability.EDIT_DEADLINES)


@member_required()
def rules(request: CommuneRequest) -> HttpResponse:
    _require_case_view(request)
    commune = request.commune
    current = list(DeadlineRule.objects.for_commune(commune))
    history = DeadlineRule.objects.filter(key__in=[r.key for r in current]).filter(
        commune__isnull=True
    ) | DeadlineRule.objects.filter(commune=commune)
    return render(
        request,
        "cases/rules.html",
        {
            "rules": current,
            "history": history.order_by("key", "-version"),
            "can_edit": can_edit_rules(request.membership),
        },
    )


@member_required(Capability.EDIT_DEADLINES)
def rule_edit(request: CommuneRequest, pk: int) -> HttpResponse:
    commune = request.commune
    rule = get_object_or_404(DeadlineRule.objects.for_commune(commune), pk=pk)
    form = RuleForm(
        request.POST or None,
        initial={
            "days": rule.days,
            "months": rule.months,
            "legal_basis": rule.legal_basis,
            "source": rule.source,
        },
    )
    if request.method == "POST" and form.is_valid():
        new = rule.revise(commune=commune, user=request.user, **form.cleaned_data)
        record(request, Action.CHANGE, new, detail=f"règle {new.key} version {new.version}")
        messages.success(
            request,
            f"Nouvelle version {new.version} enregistrée ; les dossiers en cours gardent leur échéance.",
        )
        return redirect(reverse("cases:rules", kwargs={"commune": commune.slug}))
    return render(request, "cases/rule_edit.html", {"rule": rule, "form": form})
