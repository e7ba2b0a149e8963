"""The procedure of a case as an explicit state machine: its steps and the one table of transitions.

Every move of a case goes through ``TRANSITIONS``: which steps it leaves from, the step it leads to,
which roles of the cell may fire it, what it needs (a note, a date) and which deadline rule it starts.
``docs/procedures.md`` prints this table; a test checks that the two say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from veille.web.common.accounts.roles import Role


class CaseStep(models.TextChoices):
    VERIFICATION = "verification", "Vérification en cours"
    IEF_PENDING = "ief_demande", "Demande d'autorisation d'IEF en cours d'instruction"
    ALERT = "alerte", "Alerte : aucune instruction connue (DSDEN saisie)"
    WARNING = "avertissement", "Avertissement de la DSDEN adressé à la famille"
    FAMILY_INFORMED = "famille_informee", "Famille informée de ses obligations"
    CONVENED = "famille_convoquee", "Famille convoquée"
    MEDIATION = "mediation", "Médiation en cours"
    MAYOR_ENQUIRY = "enquete_mairie", "Enquête de la mairie en cours (IEF)"
    IEF_FOLLOWUP = "suivi_ief", "Instruction dans la famille suivie (prochain contrôle attendu)"
    SECOND_CONTROL = "second_controle", "Second contrôle pédagogique à réaliser"
    FORMAL_NOTICE = "mise_en_demeure", "Mise en demeure d'inscrire l'enfant (15 jours)"
    RETURN_TO_SCHOOL = "rescolarise", "Rescolarisé : suivi de l'assiduité"
    PROSECUTOR_REFERRAL = "signale_parquet", "Signalé au procureur de la République"
    ENQUIRY = "enquete", "Enquête de police ou enquête sociale en cours"
    PARENTING_COURSE = "stage_parental", "Stage de responsabilité parentale"
    CLOSED = "clos", "Clos"


class ClosureReason(models.TextChoices):
    MOVED_AWAY = "demenagement", "La famille a quitté la commune"
    SCHOOLED_ELSEWHERE = "scolarise_ailleurs", "L'enfant est scolarisé (ailleurs ou sous un autre nom)"
    SOURCE_ERROR = "erreur_source", "Erreur dans un fichier source"
    IEF_AUTHORISED = "ief_autorisee", "Instruction dans la famille autorisée"
    RESOLVED = "situation_regularisee", "Situation régularisée (assiduité ou instruction satisfaisante)"
    OUT_OF_AGE = "hors_obligation", "L'enfant n'est plus soumis à l'obligation d'instruction (16 ans)"
    JUDICIAL_END = "suites_judiciaires_terminees", "Suites judiciaires terminées"


S = CaseStep
OPEN_STEPS: frozenset[str] = frozenset(s.value for s in CaseStep if s != S.CLOSED)
MAYOR = frozenset({Role.REFERENT, Role.AGENT})
MAYOR_AND_EDUCATION = MAYOR | {Role.EDUCATION}
EDUCATION = frozenset({Role.EDUCATION})
PROSECUTOR = frozenset({Role.PROSECUTOR})


@dataclass(frozen=True)
class Transition:
    """One move of the procedure.

    Attributes:
        name: identifier, stored in ``CaseEvent.kind``.
        label: French wording of the button.
        sources: steps it may leave from.
        target: step it leads to.
        roles: roles of the cell that may fire it (on top of the ``edit_cases`` capability).
        needs_note: a note is required (what was decided, why).
        needs_date: the date it happened is asked (defaults to today).
        rule: key of the deadline rule it starts (``DeadlineRule.key``), or empty for none.
        closure_reason: set on the case when the transition closes it.
        transmit_to: the case is transmitted to this role when the transition is fired.
    """

    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False
    needs_date: bool = False
    rule: str = ""
    closure_reason: str = ""
    transmit_to: str = ""

    def allows(self, role: str) -> bool:
        return role in self.roles


def _t(name, label, sources, target, roles, **kwargs) -> Transition:  # type: ignore[no-untyped-def]
    return Transition(
        name, label, frozenset(str(s) for s in sources), str(target), frozenset(map(str, roles)), **kwargs
    )


# Steps from which the family can still be found enrolled or gone: most closures start from there.
_BEFORE_JUSTICE = {
    S.VERIFICATION,
    S.IEF_PENDING,
    S.ALERT,
    S.WARNING,
    S.FAMILY_INFORMED,
    S.CONVENED,
    S.MEDIATION,
    S.FORMAL_NOTICE,
}
_ACTION_STEPS = {S.ALERT, S.WARNING, S.FAMILY_INFORMED, S.CONVENED, S.MEDIATION}

TRANSITIONS: tuple[Transition, ...] = (
    # Verification: is the child really schooled nowhere? (crossing, report, observation)
    _t("confirm_alert", "Confirmer l'alerte : aucune instruction connue, informer la DSDEN",
       {S.VERIFICATION, S.IEF_PENDING}, S.ALERT, MAYOR_AND_EDUCATION, needs_note=True, rule="dasen_control"),
    _t("await_ief_decision", "La famille a demandé l'autorisation d'instruction dans la famille",
       {S.VERIFICATION, S.ALERT}, S.IEF_PENDING, MAYOR_AND_EDUCATION, needs_date=True, rule="ief_silence"),
    # Absenteeism (L131-8): the DASEN warns the family.
    _t("issue_warning", "Avertissement de la DSDEN adressé à la famille",
       {S.VERIFICATION}, S.WARNING, EDUCATION, needs_date=True, rule="warning_followup"),
    # Actions of the cell with the family.
    _t("inform_family", "Courrier d'information envoyé à la famille",
       {S.VERIFICATION, S.ALERT, S.WARNING}, S.FAMILY_INFORMED, MAYOR, needs_date=True,
       rule="family_formalities"),
    _t("convene_family", "Famille convoquée à un entretien",
       _ACTION_STEPS | {S.RETURN_TO_SCHOOL}, S.CONVENED, MAYOR_AND_EDUCATION, needs_date=True,
       rule="convocation"),
    _t("start_mediation", "Médiation engagée avec la famille",
       _ACTION_STEPS, S.MEDIATION, MAYOR_AND_EDUCATION | {Role.DEPARTMENT}, needs_date=True,
       rule="mediation"),
    # Home instruction (L131-10): the mayor's enquiry (year 1, then every 2 years), the DSDEN's controls.
    _t("start_mayor_enquiry", "Enquête de la mairie engagée",
       {S.VERIFICATION, S.IEF_FOLLOWUP}, S.MAYOR_ENQUIRY, MAYOR, needs_date=True, rule="mayor_enquiry"),
    _t("send_mayor_enquiry", "Enquête de la mairie transmise à la DSDEN",
       {S.MAYOR_ENQUIRY}, S.IEF_FOLLOWUP, MAYOR, needs_date=True, rule="mayor_enquiry_cycle"),
    _t("control_satisfactory", "Contrôle pédagogique satisfaisant",
       {S.VERIFICATION, S.ALERT, S.IEF_FOLLOWUP, S.MAYOR_ENQUIRY, S.SECOND_CONTROL}, S.IEF_FOLLOWUP,
       EDUCATION, needs_date=True, rule="pedagogical_control"),
    _t("control_insufficient", "Contrôle pédagogique insuffisant : résultats notifiés, second contrôle",
       {S.VERIFICATION, S.ALERT, S.IEF_FOLLOWUP, S.MAYOR_ENQUIRY}, S.SECOND_CONTROL, EDUCATION,
       needs_note=True, needs_date=True, rule="second_control"),
    # Formal notice (L131-5-1, L131-10): enrol within 15 days.
    _t("send_formal_notice", "Mise en demeure d'inscrire l'enfant envoyée (15 jours)",
       _ACTION_STEPS | {S.IEF_PENDING, S.SECOND_CONTROL}, S.FORMAL_NOTICE, EDUCATION, needs_date=True,
       rule="formal_notice"),
    _t("record_return_to_school", "Enfant inscrit dans une école : suivre son assiduité",
       _ACTION_STEPS | {S.FORMAL_NOTICE, S.PROSECUTOR_REFERRAL, S.ENQUIRY, S.PARENTING_COURSE},
       S.RETURN_TO_SCHOOL, MAYOR_AND_EDUCATION | PROSECUTOR, needs_date=True, rule="attendance_check"),
    # Justice (L131-9, R131-7; CP 227-17-1, R624-7): the signalement transmits the case to the Parquet.
    _t("refer_to_prosecutor", "Signalement au procureur de la République",
       {S.ALERT, S.WARNING, S.CONVENED, S.MEDIATION, S.FORMAL_NOTICE, S.RETURN_TO_SCHOOL},
       S.PROSECUTOR_REFERRAL,
       {Role.REFERENT, Role.EDUCATION}, needs_note=True, needs_date=True, rule="prosecutor_followup",
       transmit_to=Role.PROSECUTOR),
    _t("open_police_enquiry", "Enquête de police ordonnée",
       {S.PROSECUTOR_REFERRAL}, S.ENQUIRY, PROSECUTOR, needs_date=True, rule="enquiry_followup"),
    _t("open_social_enquiry", "Enquête sociale ordonnée",
       {S.PROSECUTOR_REFERRAL}, S.ENQUIRY, PROSECUTOR | {Role.DEPARTMENT}, needs_date=True,
       rule="enquiry_followup"),
    _t("order_parenting_course", "Stage de responsabilité parentale ordonné",
       {S.PROSECUTOR_REFERRAL, S.ENQUIRY}, S.PARENTING_COURSE, PROSECUTOR, needs_date=True,
       rule="parenting_course_followup"),
    # Closures, each with its reason.
    _t("close_moved_away", "Clore : la famille a quitté la commune",
       OPEN_STEPS, S.CLOSED, MAYOR_AND_EDUCATION, needs_date=True, closure_reason=ClosureReason.MOVED_AWAY),
    _t("close_schooled_elsewhere", "Clore : l'enfant est scolarisé",
       _BEFORE_JUSTICE, S.CLOSED, MAYOR_AND_EDUCATION, needs_note=True,
       closure_reason=ClosureReason.SCHOOLED_ELSEWHERE),
    _t("close_source_error", "Clore : erreur dans un fichier source",
       {S.VERIFICATION, S.ALERT}, S.CLOSED, MAYOR_AND_EDUCATION, needs_note=True,
       closure_reason=ClosureReason.SOURCE_ERROR),
    _t("close_ief_authorised", "Clore : instruction dans la famille autorisée",
       {S.VERIFICATION, S.ALERT, S.IEF_PENDING}, S.CLOSED, MAYOR_AND_EDUCATION,
       closure_reason=ClosureReason.IEF_AUTHORISED),
    _t("close_resolved", "Clore : situation régularisée",
       {S.WARNING, S.FAMILY_INFORMED, S.CONVENED, S.MEDIATION, S.IEF_FOLLOWUP, S.RETURN_TO_SCHOOL}, S.CLOSED,
       MAYOR_AND_EDUCATION, needs_note=True, closure_reason=ClosureReason.RESOLVED),
    _t("close_out_of_age", "Clore : l'enfant n'est plus soumis à l'obligation d'instruction",
       OPEN_STEPS, S.CLOSED, MAYOR_AND_EDUCATION, closure_reason=ClosureReason.OUT_OF_AGE),
    _t("close_judicial_end", "Clore : suites judiciaires terminées",
       {S.PROSECUTOR_REFERRAL, S.ENQUIRY, S.PARENTING_COURSE}, S.CLOSED, PROSECUTOR | {Role.REFERENT},
       needs_note=True, closure_reason=ClosureReason.JUDICIAL_END),
    _t("reopen", "Rouvrir le dossier", {S.CLOSED}, S.VERIFICATION, {Role.REFERENT}, needs_note=True,
       rule="verification"),
)  # fmt: skip

BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}


def transitions_from(step: str) -> list[Transition]:
    """The transitions that may leave ``step``, in the table's order."""
    return [t for t in TRANSITIONS if step in t.sources]


def steps_actionable_by(role: str) -> set[str]:
    """The steps from which a role can fire at least one transition other than a closure."""
    return {s for t in TRANSITIONS if t.allows(role) and t.target != S.CLOSED for s in t.sources}


def procedure_markdown() -> str:
    """The transition table as ``docs/procedures.md`` prints it."""
    lines = [
        "| transition (`nom`) | depuis | vers | qui | note | date | échéance lancée |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        sources = (
            "toute étape ouverte"
            if t.sources == OPEN_STEPS
            else ", ".join(f"`{s}`" for s in CaseStep.values if s in t.sources)
        )
        roles = ", ".join(r.label for r in Role if r.value in t.roles)
        lines.append(
            f"| {t.label} (`{t.name}`) | {sources} | `{t.target}` | {roles} | "
            f"{'oui' if t.needs_note else '—'} | {'oui' if t.needs_date else '—'} | "
            f"{f'`{t.rule}`' if t.rule else '—'} |"
        )
    return "\n".join(lines) + "\n"
