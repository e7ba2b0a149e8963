"""Recording a meeting's decision: it may fire an action's workflow or grant the fund to an action."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest

from veille.web.cite.actions.models import Action, Status
from veille.web.cite.actions.workflow import TransitionRefused, move
from veille.web.cite.cites.journal import trace
from veille.web.cite.cites.models import CiteMembership
from veille.web.cite.cites.roles import CiteCapability
from veille.web.cite.funds.models import Commitment

from .models import Decision, Meeting


class DecisionRefused(Exception):
    pass


@transaction.atomic
def record_decision(
    *,
    request: HttpRequest | None,
    meeting: Meeting,
    membership: CiteMembership,
    kind: str,
    text: str,
    action: Action | None = None,
    amount: Decimal | None = None,
    year: int | None = None,
) -> Decision:
    """Record a decision of a meeting and carry it out.

    A validation or a refusal moves the action through ``actions.workflow.move`` (so only the troïka
    validates, as anywhere else); a grant creates a ``funds.Commitment`` dated on the meeting (only who
    manages the fund records it); any other decision needs the right to prepare the meetings. Every
    change is written to the cité's journal.

    Raises:
        DecisionRefused: the member may not record it, or it is incomplete or impossible.
    """
    text = text.strip()
    if action is not None and action.cite_id != meeting.cite_id:
        raise DecisionRefused("Cette action n'appartient pas à la cité.")
    decision = Decision(meeting=meeting, kind=kind, action=action, recorded_by=membership.user)
    if kind in (Decision.Kind.VALIDATE, Decision.Kind.REFUSE):
        if action is None:
            raise DecisionRefused("Choisissez l'action concernée.")
        target = Status.VALIDATED if kind == Decision.Kind.VALIDATE else Status.ABANDONED
        try:
            step = move(action, target, membership=membership, comment=text or f"Décision : {meeting}")
        except TransitionRefused as exc:
            raise DecisionRefused(str(exc)) from exc
        decision.transition = step
        decision.text = text or f"{action} : {Status(target).label.lower()} en séance."
        trace(
            request,
            action,
            "changement d'état",
            {"état": [step.get_from_status_display(), step.get_to_status_display()], "réunion": str(meeting)},
            cite=meeting.cite,
            user=membership.user,
        )
    elif kind == Decision.Kind.GRANT:
        if not membership.can(CiteCapability.MANAGE_FUNDS):
            raise DecisionRefused("Votre rôle ne permet pas d'engager le fonds.")
        if action is None or amount is None or amount <= 0 or year is None:
            raise DecisionRefused("Indiquez l'action, l'année et un montant positif.")
        if not Action.objects.programmed().filter(pk=action.pk).exists():
            raise DecisionRefused("Seules les actions validées par la troïka peuvent recevoir le fonds.")
        commitment = Commitment.objects.create(
            cite=meeting.cite,
            action=action,
            year=year,
            amount=amount,
            decided_on=meeting.held_on,
            note=f"Décision : {meeting}"[:200],
            created_by=membership.user,
        )
        trace(
            request,
            commitment,
            "création",
            {"montant": amount, "année": year, "action": action.number, "réunion": str(meeting)},
            cite=meeting.cite,
            user=membership.user,
        )
        decision.commitment = commitment
        decision.text = text or f"{amount:.2f} € du fonds accordés à l'action {action.number} pour {year}."
    else:
        if not membership.can(CiteCapability.MANAGE_GOVERNANCE):
            raise DecisionRefused("Votre rôle ne permet pas de consigner cette décision.")
        if not text:
            raise DecisionRefused("Écrivez la décision.")
        decision.text = text
    decision.save()
    trace(
        request,
        decision,
        "création",
        {"type": decision.get_kind_display(), "réunion": str(meeting)},
        cite=meeting.cite,
        user=membership.user,
    )
    return decision
