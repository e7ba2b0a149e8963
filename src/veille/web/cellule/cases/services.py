"""Workflows that span several objects: opening a case from a child, seeding cases for the demo."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from veille import law
from veille.compulsory import age_on
from veille.web.cellule.imports.models import Outcome, RunStatus
from veille.web.common.accounts.roles import Role

from .models import ESTABLISHMENT_DOMAINS, Case, CaseEvent, DeadlineRule, Domain, Origin, TransitionError

if TYPE_CHECKING:
    from veille.web.cellule.children.models import Child
    from veille.web.common.accounts.models import User
    from veille.web.common.territories.models import Commune

# Who handles a case first, by origin: the DSDEN receives the schools' absenteeism reports.
FIRST_HANDLER = {
    Origin.CROSSING: Role.AGENT,
    Origin.ABSENTEEISM_REPORT: Role.EDUCATION,
    Origin.ABSENTEEISM_NO_REASON: Role.EDUCATION,
    Origin.HOME_INSTRUCTION: Role.EDUCATION,
    Origin.PRIVATE_SCHOOL: Role.EDUCATION,
    Origin.FIELD: Role.AGENT,
    Origin.LINKED: Role.EDUCATION,
}


def _matched_by_latest_run(child: Child) -> bool:
    latest = Outcome.objects.filter(child=child, run__status=RunStatus.DONE).order_by("-run_id").first()
    return latest is not None and latest.status == "rapproche"


def open_case(
    *,
    commune: Commune,
    user: User | None,
    child: Child | None = None,
    origin: str,
    domain: str,
    note: str = "",
    opened_on: date | None = None,
    **details: object,
) -> Case:
    """Open a case at the verification step and start its verification deadline.

    Args:
        commune: the commune of the cell.
        user: who opens it (None for seeded data).
        child: the child of the mayor's list, if one is identified (not for an undeclared school).
        origin: an ``Origin`` value.
        domain: a ``Domain`` value.
        note: the opening note (facts only: no more personal data than needed).
        opened_on: the day the verification deadline runs from (today by default; past for the demo).
        **details: other ``Case`` fields: ``description``, ``reporter``, ``report_school``,
            ``report_month``, ``report_half_days``, ``place_name``, ``place_address``.

    Raises:
        TransitionError: the child is of another commune, or an absenteeism report is below 4 half-days.
    """
    if origin not in Origin.values or domain not in Domain.values:
        raise TransitionError("Origine ou domaine inconnu.")
    if child is not None and child.commune_id != commune.pk:
        raise TransitionError("Cet enfant n'est pas sur la liste de la commune.")
    if origin == Origin.CROSSING and child is not None and _matched_by_latest_run(child):
        raise TransitionError(
            "Le dernier croisement a retrouvé cet enfant dans un fichier de scolarité : un dossier "
            "« enfant non trouvé » ne s'ouvre que pour un enfant non trouvé ou confirmé sans scolarité."
        )
    half_days = details.get("report_half_days")
    if origin == Origin.ABSENTEEISM_REPORT and (not isinstance(half_days, int) or half_days < 4):
        raise TransitionError(
            "Un signalement d'absentéisme demande au moins 4 demi-journées non justifiées dans le mois."
        )
    if domain in ESTABLISHMENT_DOMAINS and child is not None:
        raise TransitionError(
            "Un dossier d'établissement ou de lieu ne concerne pas un enfant : ouvrez-le sans enfant, puis "
            "rattachez-y le dossier de chaque enfant."
        )
    today = timezone.localdate()
    start = opened_on or today
    with transaction.atomic():
        case = Case.objects.create(
            commune=commune,
            child=child,
            origin=origin,
            domain=domain,
            opened_by=user,
            assigned_role=FIRST_HANDLER[Origin(origin)],
            age_at_opening=age_on(child.birth_date, start) if child is not None else None,
            sex_at_opening=child.sex if child is not None else "",
            **details,
        )
        rule = DeadlineRule.objects.current("verification", commune)
        case.due_on = rule.due_on(start)
        case.save(update_fields=["due_on"])
        CaseEvent.objects.create(
            case=case,
            by=user,
            kind="opening",
            to_state=case.state,
            to_role=case.assigned_role,
            note=note.strip(),
            effective_date=start,
            rule=rule,
            due_on=case.due_on,
            law_version=law.VERSION,
        )
    return case


def advance_case(
    case: Case, steps: Iterable[tuple[str, date]], *, user: User | None = None, notify_after: int = 3
) -> Case:
    """Fire a list of acts with their dates (in the past for the demo), without role checks; the law's
    preconditions still hold. An act whose deadline runs from its notification is notified
    ``notify_after`` days later (never after today); an IEF request gets the ground « situation propre ».

    Example:
        >>> steps = [("confirm_alert", date(2025, 9, 20)), ("send_formal_notice", date(2025, 10, 1))]
        >>> advance_case(case, steps)
    """
    today = timezone.localdate()
    for name, day in steps:
        note = "Étape enregistrée pour la démonstration."
        event = case.fire(
            name, user=user, note=note, effective_date=day, ground="situation_propre", check_role=False
        )
        act = event.act
        if act is not None and act.needs_notification:
            case.record_notification(
                event, user=user, notified_on=min(day + timedelta(days=notify_after), today), check_role=False
            )
    return case
