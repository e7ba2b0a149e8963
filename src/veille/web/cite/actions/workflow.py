"""The action's state machine: which step follows which, and who may take it.

proposed → validated (troïka) → in_progress → done; proposed, validated or in_progress → abandoned.
Starting and finishing belong to the CPO or to the partner leading the action; validating belongs to
the troïka; abandoning to the troïka or the CPO (a refused proposal is abandoned with a reason).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from veille.web.cite.cites.models import CiteMembership
from veille.web.cite.cites.roles import CiteCapability as Cap
from veille.web.common.workflow import Transition as Step
from veille.web.common.workflow import TransitionRefused, Workflow

from .models import Action, Status, Transition

__all__ = ["STEPS", "TransitionRefused", "available_steps", "may_edit", "may_take", "move"]


def _capable(*capabilities: Cap, lead_partner_may: bool = False) -> dict[str, Any]:
    """Who may take a step: any of ``capabilities``, or the partner leading the action if allowed."""
    return {"capabilities": frozenset(capabilities), "lead_partner_may": lead_partner_may}


def _permitted(action: Action, context: dict[str, Any]) -> str | None:
    if may_take(context["membership"], action, context["step"]):
        return None
    return "Votre rôle ne permet pas ce changement d'état."


def _reason_given(action: Action, context: dict[str, Any]) -> str | None:
    return None if context.get("comment", "").strip() else "Indiquez le motif du refus."


P, V, G, D, A = Status.PROPOSED, Status.VALIDATED, Status.IN_PROGRESS, Status.DONE, Status.ABANDONED
# Roles are the Cité's capabilities, checked by a guard (``roles`` is the cell's notion): the table
# is the same declarative mechanism as the cases' procedure (``common.workflow``).
STEPS = Workflow(
    [
        Step(
            "validate",
            "Valider (troïka)",
            frozenset({P}),
            V,
            frozenset(),
            guards=(_permitted,),
            data=_capable(Cap.VALIDATE_ACTIONS),
        ),
        Step(
            "refuse",
            "Refuser",
            frozenset({P}),
            A,
            frozenset(),
            guards=(_permitted, _reason_given),
            data=_capable(Cap.VALIDATE_ACTIONS, Cap.EDIT_ALL_ACTIONS),
        ),
        Step(
            "start",
            "Démarrer",
            frozenset({V}),
            G,
            frozenset(),
            guards=(_permitted,),
            data=_capable(Cap.EDIT_ALL_ACTIONS, lead_partner_may=True),
        ),
        Step(
            "abandon",
            "Abandonner",
            frozenset({V, G}),
            A,
            frozenset(),
            guards=(_permitted,),
            data=_capable(Cap.VALIDATE_ACTIONS, Cap.EDIT_ALL_ACTIONS),
        ),
        Step(
            "finish",
            "Déclarer réalisée",
            frozenset({G}),
            D,
            frozenset(),
            guards=(_permitted,),
            data=_capable(Cap.EDIT_ALL_ACTIONS, lead_partner_may=True),
        ),
    ],
    state_label=lambda state: Status(state).label,
)


def step(source: str, target: str) -> Step | None:
    return next((s for s in STEPS.from_state(source) if s.target == target), None)


def may_take(membership: CiteMembership, action: Action, s: Step) -> bool:
    """Whether this member may take this step on this action."""
    if membership.cite_id != action.cite_id or not membership.active:
        return False
    if any(membership.can(c) for c in s.data["capabilities"]):
        return True
    return (
        s.data["lead_partner_may"]
        and membership.can(Cap.EDIT_OWN_ACTIONS)
        and action.is_led_by(membership.partner_id)
    )


def available_steps(membership: CiteMembership, action: Action) -> list[Step]:
    """The steps this member may take now (the buttons of the action's page)."""
    return [s for s in STEPS.from_state(action.status) if may_take(membership, action, s)]


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
    STEPS.check(
        action,
        s.name,
        state=action.status,
        role=None,
        check_role=False,
        context={"membership": membership, "step": s, "comment": comment},
    )
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
