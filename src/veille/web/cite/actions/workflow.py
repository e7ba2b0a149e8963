"""The action's state machine: which step follows which, and who may take it.

proposed → validated (troïka) → in_progress → done; proposed, validated or in_progress → abandoned.
Starting and finishing belong to the CPO or to the partner leading the action; validating belongs to
the troïka; abandoning to the troïka or the CPO (a refused proposal is abandoned with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from veille.web.cite.cites.models import CiteMembership
from veille.web.cite.cites.roles import CiteCapability as Cap

from .models import Action, Status, Transition


class TransitionRefused(Exception):
    pass


@dataclass(frozen=True)
class Step:
    source: Status
    target: Status
    label: str
    capabilities: frozenset[Cap]  # any one of them
    lead_partner_may: bool = False


STEPS: tuple[Step, ...] = (
    Step(Status.PROPOSED, Status.VALIDATED, "Valider (troïka)", frozenset({Cap.VALIDATE_ACTIONS})),
    Step(
        Status.PROPOSED, Status.ABANDONED, "Refuser", frozenset({Cap.VALIDATE_ACTIONS, Cap.EDIT_ALL_ACTIONS})
    ),
    Step(Status.VALIDATED, Status.IN_PROGRESS, "Démarrer", frozenset({Cap.EDIT_ALL_ACTIONS}), True),
    Step(
        Status.VALIDATED,
        Status.ABANDONED,
        "Abandonner",
        frozenset({Cap.VALIDATE_ACTIONS, Cap.EDIT_ALL_ACTIONS}),
    ),
    Step(Status.IN_PROGRESS, Status.DONE, "Déclarer réalisée", frozenset({Cap.EDIT_ALL_ACTIONS}), True),
    Step(
        Status.IN_PROGRESS,
        Status.ABANDONED,
        "Abandonner",
        frozenset({Cap.VALIDATE_ACTIONS, Cap.EDIT_ALL_ACTIONS}),
    ),
)


def step(source: str, target: str) -> Step | None:
    return next((s for s in STEPS if s.source == source and s.target == target), None)


def may_take(membership: CiteMembership, action: Action, s: Step) -> bool:
    """Whether this member may take this step on this action."""
    if membership.cite_id != action.cite_id or not membership.active:
        return False
    if any(membership.can(c) for c in s.capabilities):
        return True
    return (
        s.lead_partner_may
        and membership.can(Cap.EDIT_OWN_ACTIONS)
        and action.is_led_by(membership.partner_id)
    )


def available_steps(membership: CiteMembership, action: Action) -> list[Step]:
    """The steps this member may take now (the buttons of the action's page)."""
    return [s for s in STEPS if s.source == action.status and may_take(membership, action, s)]


@transaction.atomic
def move(action: Action, target: str, *, membership: CiteMembership, comment: str = "") -> Transition:
    """Take a step, log it, and return the log entry.

    Raises:
        TransitionRefused: the step does not exist from the current state, or this member may not take it.
    """
    action = Action.objects.select_for_update().get(pk=action.pk)
    s = step(action.status, target)
    if s is None:
        raise TransitionRefused(
            f"Une action « {action.get_status_display()} » ne peut pas passer à « {Status(target).label} »."
        )
    if not may_take(membership, action, s):
        raise TransitionRefused("Votre rôle ne permet pas ce changement d'état.")
    if s.target == Status.ABANDONED and s.source == Status.PROPOSED and not comment.strip():
        raise TransitionRefused("Indiquez le motif du refus.")
    previous = action.status
    action.status = s.target
    action.save(update_fields=["status"])
    return Transition.objects.create(
        action=action, from_status=previous, to_status=s.target, by=membership.user, comment=comment
    )


def may_edit(membership: CiteMembership, action: Action) -> bool:
    """The CPO edits every action; a partner only the actions its organisation leads."""
    if membership.cite_id != action.cite_id or not membership.active:
        return False
    if membership.can(Cap.EDIT_ALL_ACTIONS):
        return True
    return membership.can(Cap.EDIT_OWN_ACTIONS) and action.is_led_by(membership.partner_id)
