"""The cell's result indicators: one table of what each counts, written once for the pages, the
report, the export and ``docs/indicateurs.md``.

Every figure is counted from the case events (``CaseEvent.kind`` is the name of the transition fired);
nothing is typed in. An event is dated by the day the act happened (``effective_date``), or by the day
it was recorded (``at``) when it has none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One result indicator.

    Attributes:
        key: stable identifier, used in the aggregate export (never renamed: the format depends on it).
        number: its number in the préfecture's list (1 to 7); indicator 2 has two parts.
        label: French name.
        definition: French definition printed next to the figure.
        kinds: event kinds (transition names) that count.
        distinct_cases: count cases having such an event in the period, not the events.
        after_kind: only events of a case on which an event of this kind was recorded before.
    """

    key: str
    number: str
    label: str
    definition: str
    kinds: tuple[str, ...]
    distinct_cases: bool = False
    after_kind: str = ""


#: every referral to the procureur, whatever the domain (``veille.law``)
REFERRAL_KINDS = (
    "refer_to_prosecutor",
    "refer_contravention",
    "refer_director",
    "refer_not_closed",
    "refer_place",
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "descolarisations",
        "1",
        "Déscolarisations constatées",
        "Nombre de dossiers dont l'enfant a été signalé à la DASEN dans la période, faute d'instruction "
        "connue (étape « Signaler l'enfant à la DASEN : aucune instruction connue »), un dossier ne "
        "comptant qu'une fois.",
        ("confirm_alert",),
        distinct_cases=True,
    ),
    Indicator(
        "controles_ief_mairie",
        "2a",
        "Contrôles de l'instruction dans la famille par la commune",
        "Nombre d'enquêtes de la mairie achevées et transmises à la DASEN dans la période "
        "(étape « Résultat de l'enquête transmis à la DASEN et à la famille »).",
        ("send_mayor_enquiry",),
    ),
    Indicator(
        "controles_ief_education",
        "2b",
        "Contrôles de l'instruction dans la famille par l'Éducation nationale",
        "Nombre de contrôles pédagogiques réalisés dans la période, satisfaisants ou non "
        "(étape « Contrôle pédagogique satisfaisant », étape « Contrôle insuffisant : résultats notifiés, "
        "second contrôle », étape « Second contrôle insuffisant »).",
        ("control_satisfactory", "control_insufficient", "second_control_insufficient"),
    ),
    Indicator(
        "mises_en_demeure",
        "3",
        "Mises en demeure de régularisation adressées aux familles",
        "Nombre de mises en demeure d'inscrire l'enfant envoyées dans la période "
        "(étape « Mise en demeure de la DASEN d'inscrire l'enfant (15 jours) »).",
        ("send_formal_notice",),
    ),
    Indicator(
        "rescolarisations",
        "4",
        "Rescolarisations suite aux mises en demeure",
        "Nombre d'inscriptions d'un enfant dans une école enregistrées dans la période "
        "(étape « Enfant inscrit dans une école : suivre son assiduité ») sur un dossier qui avait reçu "
        "auparavant une mise en demeure.",
        ("record_return_to_school",),
        after_kind="send_formal_notice",
    ),
    Indicator(
        "signalements",
        "5",
        "Signalements au procureur de la République",
        "Nombre de signalements au procureur faits dans la période : défaut d'inscription, contravention "
        "d'absentéisme, directeur d'établissement hors contrat (n'a pas remédié, établissement non fermé) et "
        "école de fait. Un établissement ou un lieu compte pour un signalement ; ses élèves sont comptés sur "
        "leurs propres dossiers.",
        REFERRAL_KINDS,
    ),
    Indicator(
        "enquetes",
        "6",
        "Enquêtes de police et enquêtes sociales suite aux signalements",
        "Nombre d'enquêtes de police ou d'enquêtes sociales ordonnées dans la période "
        "(étape « Enquête de police ordonnée », étape « Enquête sociale ordonnée »).",
        ("open_police_enquiry", "open_social_enquiry"),
    ),
    Indicator(
        "stages_parentalite",
        "7",
        "Obligations de stage de responsabilité parentale suite aux signalements",
        "Nombre de stages de responsabilité parentale ordonnés dans la période "
        "(étape « Stage de responsabilité parentale ordonné »).",
        ("order_parenting_course",),
    ),
)

BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}

#: what the cell does with a family once the alert is given: the « actions » step of the funnel
ACTION_KINDS = (
    "issue_warning",
    "inform_family",
    "convene_family",
    "start_mediation",
    "start_mayor_enquiry",
    "control_satisfactory",
    "control_insufficient",
    "send_formal_notice",
    "record_educational_team",
    "request_ief",
    "request_ief_late",
    "refuse_ief",
    "second_control_insufficient",
    *REFERRAL_KINDS,
)

#: outcome of a case -> (French label, event kinds that reach it)
OUTCOMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rescolarise": ("Rescolarisés", ("record_return_to_school", "close_schooled_elsewhere")),
    "regularise": ("Situation régularisée", ("close_resolved", "close_ief_authorised")),
    "demenage": ("Partis de la commune", ("close_moved_away",)),
    "transmis": ("Transmis au Parquet", REFERRAL_KINDS),
}
