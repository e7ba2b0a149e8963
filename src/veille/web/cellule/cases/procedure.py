"""The procedure of a case as explicit state machines, one per domain, read from the law's table.

Nothing legal is written here: the steps, the acts, who records them, what they need and the deadline
they start come from ``veille.law`` (the one rule table, versioned). This module turns each domain's
acts into a ``common.workflow.Workflow`` and its preconditions into guards that read the case's history.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models

from veille import law
from veille.web.common.workflow import Transition, TransitionRefused, Workflow

if TYPE_CHECKING:
    from .models import Case, CaseEvent


class CaseStep(models.TextChoices):
    """The steps of all five procedures (labels from ``law.STEPS``; a test checks the two agree)."""

    VERIFICATION = "verification", law.STEPS["verification"]
    ALERT = "alerte", law.STEPS["alerte"]
    IEF_PENDING = "ief_demande", law.STEPS["ief_demande"]
    FAMILY_INFORMED = "famille_informee", law.STEPS["famille_informee"]
    CONVENED = "famille_convoquee", law.STEPS["famille_convoquee"]
    MEDIATION = "mediation", law.STEPS["mediation"]
    FORMAL_NOTICE = "mise_en_demeure", law.STEPS["mise_en_demeure"]
    RETURN_TO_SCHOOL = "rescolarise", law.STEPS["rescolarise"]
    PROSECUTOR_REFERRAL = "signale_parquet", law.STEPS["signale_parquet"]
    ENQUIRY = "enquete", law.STEPS["enquete"]
    PARENTING_COURSE = "stage_parental", law.STEPS["stage_parental"]
    EDUCATIONAL_TEAM = "equipe_educative", law.STEPS["equipe_educative"]
    WARNING = "avertissement", law.STEPS["avertissement"]
    EDUCATIONAL_COMMUNITY = "communaute_educative", law.STEPS["communaute_educative"]
    REFERENT_DESIGNATED = "referent_designe", law.STEPS["referent_designe"]
    IEF_AUTHORISED = "ief_autorisee", law.STEPS["ief_autorisee"]
    IEF_REFUSED = "ief_refusee", law.STEPS["ief_refusee"]
    RAPO_PENDING = "rapo_en_cours", law.STEPS["rapo_en_cours"]
    IEF_REFUSAL_FINAL = "refus_definitif", law.STEPS["refus_definitif"]
    MAYOR_ENQUIRY = "enquete_mairie", law.STEPS["enquete_mairie"]
    IEF_FOLLOWUP = "suivi_ief", law.STEPS["suivi_ief"]
    SECOND_CONTROL = "second_controle", law.STEPS["second_controle"]
    CONTROLS_FAILED = "controles_insuffisants", law.STEPS["controles_insuffisants"]
    CONTROL_REFUSED = "controle_refuse", law.STEPS["controle_refuse"]
    IEF_WITHDRAWN = "autorisation_retiree", law.STEPS["autorisation_retiree"]
    DECLARATION = "declaration_recue", law.STEPS["declaration_recue"]
    OPPOSITION = "opposition", law.STEPS["opposition"]
    SCHOOL_OPEN = "etablissement_ouvert", law.STEPS["etablissement_ouvert"]
    SHORTCOMINGS = "manquements", law.STEPS["manquements"]
    DIRECTOR_NOTICE = "mise_en_demeure_directeur", law.STEPS["mise_en_demeure_directeur"]
    PARENTS_NOTICE = "parents_mis_en_demeure", law.STEPS["parents_mis_en_demeure"]
    SCHOOL_CLOSED = "etablissement_ferme", law.STEPS["etablissement_ferme"]
    OBSERVED = "constat", law.STEPS["constat"]
    DASEN_OPINION = "avis_dasen", law.STEPS["avis_dasen"]
    CLOSURE_ORDERED = "fermeture_ordonnee", law.STEPS["fermeture_ordonnee"]
    CLOSED = "clos", law.STEPS["clos"]


# The stubs know the functional API with bare names only, not with (value, label) members.
ClosureReason = models.TextChoices(  # type: ignore[call-overload]
    "ClosureReason", [(code.upper(), (code, label)) for code, label in law.CLOSURE_REASONS.items()]
)

OPEN_STEPS: frozenset[str] = frozenset(s.value for s in CaseStep if s != CaseStep.CLOSED)


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _matching(case: Case, acts: tuple[str, ...]) -> list[CaseEvent]:
    return list(case.events.filter(kind__in=acts).order_by("at", "pk"))


def _requires_reason(case: Case, pre: law.Requires | law.LinkedTo, on: date) -> str | None:
    """Why ``pre`` does not hold on ``on``, in French; None when it holds."""
    if isinstance(pre, law.LinkedTo):
        parent = case.linked_to
        if parent is not None and parent.events.filter(kind__in=pre.acts).exists():
            return None
        return "aucun dossier d'établissement ou de lieu rattaché n'a décidé cette mise en demeure"
    events = _matching(case, pre.acts)
    if len(events) < pre.count:
        return "aucun acte de ce type n'est enregistré" if not events else f"{len(events)} seulement"
    last = events[-1]
    if (pre.notified or pre.elapsed or pre.within) and last.rule_start is None:
        return f"la date de notification de l'acte du {_fmt(last.effective_date)} n'est pas enregistrée"
    if pre.elapsed and (last.due_on is None or on <= last.due_on):
        return f"le délai court jusqu'au {_fmt(last.due_on)} inclus (à partir du {_fmt(last.rule_start)})"
    if pre.within and last.due_on is not None and on > last.due_on:
        return f"le délai a pris fin le {_fmt(last.due_on)} (à partir du {_fmt(last.rule_start)})"
    if pre.months_after:
        from .models import add_months

        earliest = add_months(last.effective_date or on, pre.months_after)
        if on < earliest:
            after = _fmt(last.effective_date)
            return f"pas avant le {_fmt(earliest)} ({pre.months_after} mois après le {after})"
    return None


def _guard(act: law.Act, pre: law.Precondition) -> Any:
    def check(case: Case, context: dict[str, Any]) -> str | None:
        on: date = context["on"]
        if isinstance(pre, law.Window):
            (m1, d1), (m2, d2) = pre.start, pre.end
            if (m1, d1) <= (on.month, on.day) <= (m2, d2):
                return None
            detail = f"le {_fmt(on)} est hors de la période"
        elif isinstance(pre, law.LinkedChildren):
            if case.linked_cases.exists():
                return None
            detail = "aucun dossier d'enfant n'est rattaché"
        elif isinstance(pre, law.AnyOf):
            reasons = [_requires_reason(case, option, on) for option in pre.options]
            if any(reason is None for reason in reasons):
                return None
            detail = "aucune de ces conditions n'est remplie"
        else:
            found = _requires_reason(case, pre, on)
            if found is None:
                return None
            detail = found
        wanted = pre.label if isinstance(pre, law.AnyOf) else law.describe(pre)
        return f"« {act.label} » n'est pas encore possible : il faut {wanted} ({detail})."

    return check


def _transition(act: law.Act) -> Transition:
    return Transition(
        name=act.name,
        label=act.label,
        sources=frozenset(act.sources),
        target=act.target,
        roles=frozenset(act.roles),
        needs_note=act.needs_note,
        guards=tuple(_guard(act, pre) for pre in act.preconditions),
        data=act,
    )


def _state_label(state: str) -> str:
    return law.STEPS.get(state, state)


WORKFLOWS: dict[str, Workflow] = {
    domain: Workflow((_transition(a) for a in law.acts_of(domain)), state_label=_state_label)
    for domain in law.DOMAINS
}
TRANSITIONS: tuple[Transition, ...] = tuple(t for w in WORKFLOWS.values() for t in w.transitions)
#: an act's label by its name (the same name has the same label in every domain)
BY_NAME: dict[str, Transition] = {}
for _t in TRANSITIONS:
    BY_NAME.setdefault(_t.name, _t)


def workflow(domain: str) -> Workflow:
    return WORKFLOWS[domain]


def act_of(transition: Transition) -> law.Act:
    act: law.Act = transition.data
    return act


def transitions_from(domain: str, step: str) -> list[Transition]:
    """The transitions that may leave ``step`` in a domain, in the table's order."""
    return WORKFLOWS[domain].from_state(step)


def refuse_forbidden(domain: str, name: str) -> None:
    """Raise the law's own reason when an act does not exist in a domain (e.g. 227-17-1 for absenteeism)."""
    refused = law.forbidden(domain, name)
    if refused is not None:
        raise TransitionRefused(refused.reason)


def steps_actionable_by(role: str) -> dict[str, set[str]]:
    """By domain, the steps from which a role can record at least one act other than a closure."""
    return {
        domain: {
            s for t in w.transitions if t.allows(role) and t.target != CaseStep.CLOSED for s in t.sources
        }
        for domain, w in WORKFLOWS.items()
    }
