"""A small declarative state machine: transitions as data, guards that explain a refusal, one error.

A wing declares its ``Transition`` rows (which states they leave from, the state they lead to, the
roles that may fire them, the guards they need) in a ``Workflow``; ``Workflow.check`` says in French
why a move is refused (``TransitionRefused``), and the model applies the move and writes its own
transition log (``CaseEvent`` for the cases; the Cité's actions can use the same mechanism).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: a guard returns None when the move may happen, else the French reason it may not
Guard = Callable[[Any, dict[str, Any]], str | None]


class TransitionRefused(Exception):
    """A move the workflow does not allow; the message is French and shown to the user as is."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False
    guards: tuple[Guard, ...] = field(default=(), compare=False)
    data: Any = field(default=None, compare=False)  # what the wing attaches (e.g. the law's act)

    def allows(self, role: str | None) -> bool:
        return role is not None and role in self.roles


class Workflow:
    """The transitions of one kind of object (or of one procedure), in their declared order."""

    def __init__(self, transitions: Iterable[Transition], *, state_label: Callable[[str], str] = str) -> None:
        self.transitions = tuple(transitions)
        self.by_name = {t.name: t for t in self.transitions}
        self.state_label = state_label

    def get(self, name: str) -> Transition | None:
        return self.by_name.get(name)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def available(self, state: str, role: str | None) -> list[Transition]:
        return [t for t in self.from_state(state) if t.allows(role)]

    def check(
        self,
        obj: Any,
        name: str,
        *,
        state: str,
        role: str | None,
        check_role: bool = True,
        note: str = "",
        context: dict[str, Any] | None = None,
    ) -> Transition:
        """The transition if it may be fired now on ``obj``; raises ``TransitionRefused`` otherwise.

        Checked in this order: it exists, it leaves from ``state``, the role is named, the note is
        given, then each guard (the first refusal is the one shown).
        """
        transition = self.get(name)
        if transition is None:
            raise TransitionRefused(f"Étape inconnue : « {name} ».")
        if state not in transition.sources:
            raise TransitionRefused(
                f"« {transition.label} » n'est pas possible à l'étape « {self.state_label(state)} »."
            )
        if check_role and not transition.allows(role):
            raise TransitionRefused(f"Votre rôle ne permet pas l'étape « {transition.label} ».")
        if transition.needs_note and not note.strip():
            raise TransitionRefused(f"Une note est nécessaire pour « {transition.label} ».")
        for guard in transition.guards:
            reason = guard(obj, context or {})
            if reason:
                raise TransitionRefused(reason)
        return transition
