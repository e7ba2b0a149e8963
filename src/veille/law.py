"""The legal rule table: every act of the five procedures, its author, preconditions, deadline, document,
articles and remedies, as data (no Django, so that ``veille droit`` prints it without a database).

The case state machine (``web/cellule/cases/procedure.py``) reads this table and nothing else; the
letters read ``DOCUMENTS`` for their authority, letterhead and *voies et délais de recours*.
``docs/procedures.md`` is generated from it (``veille droit --format md``) and a test checks they are
the same. Sources: ``shared/domain/LEGAL-REVIEW.md`` (December 2026) and ``PROCEDURES.md``; a row whose
text could not be checked says so in ``to_verify`` and the interface shows « à vérifier ».

A change of law adds a version: bump ``VERSION``, keep the act names (stored in ``CaseEvent.kind``).
"""

# ruff: noqa: E501 (a table: one act per block, its texts kept whole so a jurist reads them)
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

VERSION = "2"
VALID_FROM = date(2026, 12, 1)
#: the table before issue 9 (the first procedure): events recorded under it carry this version
PREVIOUS_VERSION = "1"
TO_VERIFY = "à vérifier"


# Who performs and signs an act, and which roles of the cell record it in Veille.


@dataclass(frozen=True)
class Authority:
    code: str
    label: str
    roles: tuple[str, ...]  # values of ``accounts.roles.Role``
    #: the optional appeal a decision of this authority's letter offers, besides the court (CRPA L411-2)
    gracious: str = ""


_MAYOR_ROLES = ("referent", "agent")
AUTHORITIES: dict[str, Authority] = {
    a.code: a
    for a in (
        Authority("maire", "Le maire ou ses agents", _MAYOR_ROLES,
                  "un recours gracieux auprès du maire, qui prolonge le délai du recours contentieux"),
        Authority("dasen", "Le DASEN (DSDEN) ou l'IEN par délégation", ("education",),
                  "un recours gracieux auprès du directeur académique des services de l'Éducation nationale ou "
                  "un recours hiérarchique auprès du recteur d'académie, qui prolonge le délai du recours "
                  "contentieux"),
        Authority("prefet", "Le préfet de département", ("prefecture",),
                  "un recours gracieux auprès du préfet ou un recours hiérarchique auprès du ministre de "
                  "l'Intérieur, qui prolonge le délai du recours contentieux"),
        Authority(
            "chef_etablissement", "Le directeur d'école ou le chef d'établissement (saisi par la DSDEN)",
            ("education",),
        ),
        Authority(
            "equipe_educative", "L'équipe éducative (1er degré) ou la commission éducative (2d degré)",
            ("education",),
        ),
        Authority(
            "commission_academique", "La commission académique présidée par le recteur", ("education",)
        ),
        Authority("procureur", "Le procureur de la République", ("prosecutor",)),
        Authority("departement", "Le président du conseil départemental (services sociaux)", ("department",)),
        Authority(
            "famille", "La famille (démarche enregistrée par la DSDEN ou la mairie qui la reçoit)",
            ("education", *_MAYOR_ROLES),
        ),
        Authority(
            "cellule", "La cellule (usage : mairie et Éducation nationale)", (*_MAYOR_ROLES, "education")
        ),
        Authority(
            "cellule_sociale", "La cellule avec les services sociaux (usage)",
            (*_MAYOR_ROLES, "education", "department"),
        ),
        Authority(
            "constat", "Qui constate (mairie, DSDEN, préfecture ; police par la mairie)",
            (*_MAYOR_ROLES, "education", "prefecture"),
        ),
        Authority(
            "opposants", "Le maire, le DASEN ou le préfet (chacun pour ses motifs)",
            (*_MAYOR_ROLES, "education", "prefecture"),
        ),
        Authority(
            "signalant", "Le DASEN (ou le maire, CPP 40 al. 2)", ("education", "referent"),
        ),
    )
}  # fmt: skip


# The five domains (a case is in one).

ABSENCE, ABSENTEEISM, HOME, PRIVATE, UNDECLARED = (
    "absence_instruction",
    "absenteisme",
    "controle_ief",
    "hors_contrat",
    "ecole_de_fait",
)
DOMAINS: dict[str, tuple[str, str]] = {
    # value -> (label, what the case is about)
    ABSENCE: ("Absence d'instruction", "enfant"),
    ABSENTEEISM: ("Absentéisme", "enfant"),
    HOME: ("Instruction dans la famille", "enfant"),
    PRIVATE: ("Établissement hors contrat", "établissement"),
    UNDECLARED: ("École de fait (non déclarée)", "lieu"),
}


# Remedies and documents.


@dataclass(frozen=True)
class Recourse:
    """The *voies et délais de recours* an appealable decision's letter carries (CJA R421-1, R421-5):
    the table prints them in a line, the letters in sentences, both from these fields."""

    court: str = "tribunal administratif territorialement compétent"
    court_months: int = 2
    court_basis: str = "code de justice administrative, article R421-1"
    #: the compulsory prior administrative appeal (RAPO), if any: to whom, within how many days, why
    rapo_to: str = ""
    rapo_days: int = 0
    rapo_basis: str = ""
    #: the optional recours gracieux or hiérarchique (its addressee: the author's ``Authority.gracious``)
    gracious: bool = True
    references: str = "CJA R421-1, R421-5"
    to_verify: str = ""

    @property
    def rapo_compulsory(self) -> bool:
        return bool(self.rapo_to)

    @property
    def time_limit(self) -> str:
        start = "de la décision prise sur le recours préalable" if self.rapo_compulsory else "de la décision"
        return f"{self.court_months} mois à compter de la notification {start}"

    @property
    def rapo(self) -> str:
        return f"recours administratif préalable obligatoire auprès de {self.rapo_to} ({self.rapo_basis})"

    @property
    def rapo_time_limit(self) -> str:
        return f"{self.rapo_days} jours à compter de la notification de la décision" if self.rapo_days else ""


TA_2_MONTHS = Recourse()
RAPO_IEF = Recourse(
    rapo_to="la commission présidée par le recteur d'académie (commission académique)",
    rapo_days=15,
    rapo_basis="code de l'éducation, article D131-11-10, décret 2022-849",
    gracious=False,
    references="D131-11-10 (décret 2022-849) ; CJA R421-1, R421-5",
)


@dataclass(frozen=True)
class Signer:
    """One author who may sign a document, on their own letterhead, under their own article; when the
    texts give a document several authors, each is a ``Signer`` (``domains``: only in these domains)."""

    authority: str  # key of AUTHORITIES: one authority, not a group
    letterhead: str
    references: str
    domains: tuple[str, ...] = ()  # empty: every domain that uses the document
    to_verify: str = ""


@dataclass(frozen=True)
class Document:
    """A document an act produces. ``letterhead`` is whose letterhead it is drafted on."""

    code: str
    label: str
    authority: str  # key of AUTHORITIES: who signs it (a group when the texts name several authors)
    letterhead: str  # "commune", "dsden", "prefecture", "rectorat", "etablissement"
    references: str
    recourse: Recourse | None = None
    to_verify: str = ""
    #: the authors one by one, when the texts give several (default: ``authority`` on ``letterhead``)
    signers: tuple[Signer, ...] = ()
    #: a letter of the mairie to the family, built on the CAF / MSA data: the first one gives the GDPR
    #: art. 14 information (the art. 14 §5(c) exemption is not relied on: docs/protection-des-donnees.md)
    privacy_notice: bool = False

    @property
    def appealable(self) -> bool:
        return self.recourse is not None

    @property
    def signatories(self) -> tuple[Signer, ...]:
        return self.signers or (Signer(self.authority, self.letterhead, self.references),)

    def signers_in(self, domain: str | None) -> tuple[Signer, ...]:
        """Who may sign it in a case of this domain (``None``: in any domain)."""
        return tuple(s for s in self.signatories if domain is None or not s.domains or domain in s.domains)

    def roles_of(self, signer: Signer) -> tuple[str, ...]:
        """The roles of the cell that act for this signer: the document's author's roles that are the
        signer's (the mayor's referral: the référent only, as for the act)."""
        own = AUTHORITIES[signer.authority].roles
        return tuple(r for r in AUTHORITIES[self.authority].roles if r in own)

    @property
    def unverified(self) -> list[str]:
        found = [self.to_verify] if self.to_verify else []
        if self.recourse and self.recourse.to_verify:
            found.append(f"recours : {self.recourse.to_verify}")
        found += [s.to_verify for s in self.signers if s.to_verify]
        return found


DOCUMENTS: dict[str, Document] = {
    d.code: d
    for d in (
        Document("information", "Courrier d'information à la famille", "maire", "commune",
                 "L131-1, L131-5, L131-6 ; RGPD art. 14", privacy_notice=True),
        Document("convocation", "Convocation de la famille", "maire", "commune",
                 "L131-6 (usage de la cellule) ; RGPD art. 14", privacy_notice=True),
        Document("signalement_dasen", "Signalement du maire à la DASEN (enfant sans instruction connue)",
                 "maire", "commune", "R131-4"),
        Document("mise_en_demeure", "Mise en demeure d'inscrire l'enfant (15 jours)", "dasen", "dsden",
                 "CP 227-17-1 al. 1 ; L131-10 ; instruction du 5 janvier 2023 ; CAA Lyon 3 juin 2024 n° 23LY02549",
                 TA_2_MONTHS),
        Document("signalement_procureur", "Signalement au procureur de la République", "signalant", "dsden",
                 "CP 227-17-1 al. 1 ; CPP 40 al. 2", signers=(
                     Signer("dasen", "dsden", "CP 227-17-1 al. 1 (mise en demeure de la DASEN restée sans effet) ; "
                            "CPP 40 al. 2", domains=(ABSENCE, HOME)),
                     Signer("maire", "commune", "CPP 40 al. 2 (le maire, qui a connaissance du délit) ; CP 227-17-1 "
                            "al. 1", domains=(ABSENCE, HOME),
                            to_verify="signalement par le maire lui-même : la revue le fonde sur CPP 40 al. 2 sans "
                            "le trancher (R131-4 : le maire signale l'enfant à la DASEN)"),
                 )),
        Document("compte_rendu_equipe_educative",
                 "Synthèse signée de l'équipe ou de la commission éducative (mesures décidées)",
                 "equipe_educative", "etablissement", "R131-7 I"),
        Document("avertissement", "Avertissement de la DASEN aux personnes responsables", "dasen", "dsden",
                 "L131-8 ; R131-7", to_verify="caractère de décision susceptible de recours"),
        Document("compte_rendu_communaute_educative",
                 "Compte rendu de la communauté éducative et désignation du personnel d'éducation référent",
                 "chef_etablissement", "etablissement", "L131-8 (loi 2013-108)", to_verify="rédaction actuelle de L131-8 (loi 2013-108)"),
        Document("saisine_contravention", "Saisine du procureur : contravention d'absentéisme (R624-7)",
                 "dasen", "dsden", "CP R624-7 ; R131-7", to_verify="rédaction de R131-7"),
        Document("ief_accuse_reception", "Accusé de réception de la demande d'autorisation d'IEF", "dasen",
                 "dsden", "R131-11 ; CRPA L112-3"),
        Document("ief_autorisation", "Autorisation d'instruction dans la famille", "dasen", "dsden",
                 "L131-5 ; R131-11-1 et suivants"),
        Document("ief_refus", "Refus d'autorisation d'instruction dans la famille (motivé)", "dasen", "dsden",
                 "L131-5 ; D131-11-10 ; CE 13 déc. 2022 n° 462274", RAPO_IEF),
        Document("ief_decision_commission", "Décision de la commission académique sur le recours préalable",
                 "commission_academique", "rectorat", "D131-11-10", TA_2_MONTHS),
        Document("enquete_mairie", "Formulaire d'enquête de la mairie (instruction dans la famille)", "maire",
                 "commune", "L131-10 (version en vigueur depuis le 1er septembre 2022)"),
        Document("resultat_enquete_mairie", "Résultat de l'enquête de la mairie (à la DASEN et à la famille)",
                 "maire", "commune", "L131-10"),
        Document("resultat_controle", "Notification des résultats du contrôle pédagogique", "dasen", "dsden",
                 "L131-10", to_verify="caractère de décision susceptible de recours"),
        Document("retrait_autorisation_ief", "Retrait de l'autorisation d'instruction dans la famille", "dasen",
                 "dsden", "L131-5", TA_2_MONTHS, to_verify="article réglementaire et RAPO éventuel"),
        Document("opposition_ouverture", "Opposition à l'ouverture d'un établissement hors contrat",
                 "opposants", "dsden", "L441-1 II", TA_2_MONTHS,
                 to_verify="autorités qui forment l'opposition (L441-1 II : maire, DASEN, préfet ; le procureur ?)",
                 signers=(Signer("maire", "commune", "L441-1 II"), Signer("dasen", "dsden", "L441-1 II"),
                          Signer("prefet", "prefecture", "L441-1 II"))),
        Document("rapport_controle_etablissement", "Rapport de contrôle de l'établissement hors contrat",
                 "dasen", "dsden", "L442-2"),
        Document("mise_en_demeure_directeur",
                 "Mise en demeure du directeur de remédier aux manquements (précise et circonstanciée)",
                 "dasen", "dsden", "L442-2 ; CE 20 mars 2023 n° 456984", TA_2_MONTHS),
        Document("signalement_procureur_etablissement",
                 "Signalement au procureur : directeur d'établissement hors contrat", "dasen", "dsden",
                 "CP 227-17-1 al. 2 et 3 ; L442-2"),
        Document("mise_en_demeure_parents",
                 "Mise en demeure des parents d'inscrire leur enfant dans un autre établissement (15 jours)",
                 "dasen", "dsden", "L442-2 ; L441-3-1", TA_2_MONTHS),
        Document("fermeture_etablissement", "Arrêté de fermeture de l'établissement hors contrat", "prefet",
                 "prefecture", "L442-2 IV ; CE 16 févr. 2024 n° 489634", TA_2_MONTHS),
        Document("constat_ecole_de_fait", "Constat : enfants accueillis dans un lieu sans déclaration",
                 "constat", "commune", "L441-1 ; L441-3-1"),
        Document("avis_dasen", "Avis de la DASEN au préfet (école de fait)", "dasen", "dsden", "L441-3-1"),
        Document("arrete_fermeture_ecole_de_fait",
                 "Arrêté du préfet : cessation de l'accueil des enfants et fermeture des locaux", "prefet",
                 "prefecture", "L441-3-1 (loi 2021-1109 art. 53)", TA_2_MONTHS),
        Document("signalement_procureur_ecole_de_fait",
                 "Signalement au procureur : école de fait (ouverture sans déclaration ou malgré opposition)",
                 "signalant", "dsden", "L441-4 ; L914-5 ; CPP 40 al. 2", signers=(
                     Signer("dasen", "dsden", "L441-4 ; L914-5 ; CPP 40 al. 2"),
                     Signer("maire", "commune", "L441-4 ; CPP 40 al. 2 (le maire, qui a connaissance du délit)",
                            to_verify="signalement par le maire lui-même : la revue ne le tranche pas"),
                 )),
    )
}  # fmt: skip


# Deadlines: the national version of each; a commune's jurist may correct one (``DeadlineRule``).

START_POINTS = {
    "acte": "date de l'acte",
    "notification": "date de notification enregistrée (avis de réception, remise en main propre)",
    "reception": "date de réception par l'administration",
    "rentree": "rentrée de l'année scolaire concernée (autorisation donnée de mars à août : rentrée suivante)",
}


@dataclass(frozen=True)
class Deadline:
    key: str  # ``DeadlineRule.key``
    label: str
    days: int
    months: int
    start: str  # key of START_POINTS
    legal_basis: str
    source: str
    to_verify: str = ""
    practice: bool = False  # no legal deadline: the cell's practice

    @property
    def duration(self) -> str:
        parts = [f"{self.months} mois"] if self.months else []
        if self.days:
            parts.append(f"{self.days} jour{'s' if self.days > 1 else ''}")
        return " et ".join(parts)


_PRACTICE = "Aucun délai légal : usage de la cellule."
DEADLINES: dict[str, Deadline] = {
    d.key: d
    for d in (
        Deadline("verification", "Vérifier la situation de l'enfant", 30, 0, "acte", _PRACTICE,
                 "Usage de la cellule", practice=True),
        Deadline("dasen_control", "Contrôle de la DSDEN après le signalement du maire", 8, 0, "acte",
                 "Le maire signale l'enfant à la DASEN sans délai (R131-4) ; contrôle « sans délai » (instruction "
                 "du 5 janvier 2023). 8 jours : usage de la cellule.",
                 "ih2ef.gouv.fr (instruction du 5 janvier 2023)", practice=True),
        Deadline("family_formalities", "Réponse de la famille au courrier d'information", 8, 0, "acte",
                 "Usage de la cellule : les 8 jours de L131-5 suivent un changement de résidence, pas un "
                 "courrier d'information.", "LEGAL-REVIEW point 9", practice=True),
        Deadline("convocation", "Suite de la convocation de la famille", 15, 0, "acte", _PRACTICE,
                 "Usage de la cellule", practice=True),
        Deadline("mediation", "Bilan de la médiation", 0, 1, "acte", _PRACTICE, "Usage de la cellule",
                 practice=True),
        Deadline("formal_notice", "Inscription de l'enfant après la mise en demeure", 15, 0, "notification",
                 "Mise en demeure de la DASEN d'inscrire l'enfant dans les 15 jours de sa notification ; le "
                 "maire en est informé (CP 227-17-1 ; L131-10 ; instruction du 5 janvier 2023).",
                 "lexbase.fr (CP 227-17-1) ; CAA Lyon 23LY02549",
                 to_verify="base de la mise en demeure hors IEF (L131-5-1 ?)"),
        Deadline("prosecutor_followup", "Suites données par le Parquet au signalement", 0, 3, "acte",
                 "Délai de relance : usage de la cellule.", "Usage de la cellule", practice=True),
        Deadline("attendance_check", "Assiduité après la rescolarisation", 0, 1, "acte", _PRACTICE,
                 "Usage de la cellule", practice=True),
        Deadline("enquiry_followup", "Résultat de l'enquête", 0, 3, "acte", _PRACTICE, "Usage de la cellule",
                 practice=True),
        Deadline("parenting_course_followup", "Suivi du stage de responsabilité parentale", 0, 3, "acte",
                 _PRACTICE, "Usage de la cellule", practice=True),
        Deadline("educational_team", "Réunion de l'équipe ou de la commission éducative", 15, 0, "acte",
                 "R131-7 I : réunion après le signalement de 4 demi-journées ; délai : usage de la cellule.",
                 "LEGAL-REVIEW point 8", practice=True),
        Deadline("warning_followup", "Assiduité après l'avertissement", 0, 1, "acte",
                 "Avertissement de la DASEN (L131-8) ; on regarde le mois suivant : usage de la cellule.",
                 "doctrine.fr (L131-8)", practice=True),
        Deadline("ief_silence", "Décision de la DASEN sur la demande d'IEF (silence : acceptation)", 0, 2,
                 "reception", "Le silence gardé 2 mois vaut acceptation (L131-5 ; R131-11).",
                 "lesenfantsdabord.org ; LEGAL-REVIEW point 6"),
        Deadline("rapo_window", "Recours préalable obligatoire contre le refus d'IEF", 15, 0, "notification",
                 "RAPO dans les 15 jours de la notification du refus, devant la commission académique "
                 "(D131-11-10, décret 2022-849).", "LEGAL-REVIEW point 6"),
        Deadline("rapo_decision", "Décision de la commission académique sur le RAPO", 0, 1, "reception",
                 "La commission se réunit dans le mois et notifie sa décision dans les 5 jours ouvrés "
                 "(D131-11-10).", "LEGAL-REVIEW point 6", to_verify="point de départ du mois"),
        Deadline("ief_validity", "Fin de l'autorisation d'IEF (une année scolaire)", 0, 12, "rentree",
                 "L'autorisation vaut pour une année scolaire (L131-5).", "LEGAL-REVIEW point 6"),
        Deadline("ief_validity_health", "Fin de l'autorisation d'IEF pour santé ou handicap (3 ans au plus)",
                 0, 36, "rentree",
                 "Jusqu'à trois années scolaires pour raison de santé ou de handicap (L131-5) ; la décision "
                 "fixe la durée.", "LEGAL-REVIEW point 6"),
        Deadline("first_control", "Premier contrôle pédagogique (à partir du 3e mois)", 0, 3, "acte",
                 "Le contrôle de la DASEN a lieu à partir du 3e mois suivant l'autorisation, au moins une "
                 "fois par an (L131-10).", "LEGAL-REVIEW point 6"),
        Deadline("mayor_enquiry", "Réalisation de l'enquête de la mairie", 0, 2, "acte",
                 "Enquête du maire la 1re année puis tous les 2 ans (L131-10) ; délai de réalisation : usage "
                 "de la cellule.", "Code de l'éducation L131-10", practice=True),
        Deadline("mayor_enquiry_cycle", "Prochaine enquête de la mairie", 0, 24, "acte",
                 "Enquête de la mairie la 1re année d'IEF puis tous les 2 ans (L131-10).",
                 "Code de l'éducation L131-10"),
        Deadline("pedagogical_control", "Prochain contrôle pédagogique de la DSDEN", 0, 12, "acte",
                 "Au moins un contrôle par an (L131-10).", "Code de l'éducation L131-10"),
        Deadline("second_control", "Second contrôle pédagogique", 0, 2, "notification",
                 "Résultats notifiés avec un délai pour s'améliorer, puis second contrôle (L131-10) ; la "
                 "notification fixe la durée.", "Code de l'éducation L131-10", to_verify="durée fixée par la notification des résultats"),
        Deadline("opposition_window", "Délai d'opposition à l'ouverture", 0, 3, "reception",
                 "Opposition dans les 3 mois de la déclaration (L441-1 II).", "LEGAL-REVIEW point 4"),
        Deadline("first_year_control", "Contrôle de la première année d'exercice", 0, 12, "acte",
                 "Un contrôle au cours de la première année d'exercice (L442-2, loi 2018-266).",
                 "LEGAL-REVIEW point 4", to_verify="borne exacte de la première année"),
        Deadline("director_remedy", "Délai laissé au directeur pour remédier", 0, 1, "notification",
                 "Délai fixé par la mise en demeure (L442-2) ; 1 mois : valeur par défaut de la cellule.",
                 "LEGAL-REVIEW point 4", to_verify="délai fixé par la mise en demeure (1 mois par défaut)", practice=True),
        Deadline("closure_followup", "Vérifier la fermeture effective des locaux", 15, 0, "notification",
                 _PRACTICE, "Usage de la cellule", practice=True),
        Deadline("dasen_opinion", "Avis de la DASEN au préfet", 15, 0, "acte", _PRACTICE,
                 "Usage de la cellule", practice=True),
    )
}  # fmt: skip


# Preconditions: what the case's history must hold before an act.


@dataclass(frozen=True)
class Requires:
    """An earlier act (any of ``acts``) recorded on the case, at least ``count`` times.

    ``notified``: its notification date is recorded. ``elapsed``: its deadline (the rule it started,
    from its starting point) has run by the date of the new act. ``within``: the new act comes before
    that deadline ends (e.g. the RAPO within 15 days of the refusal's notification).
    """

    acts: tuple[str, ...]
    label: str
    count: int = 1
    notified: bool = False
    elapsed: bool = False
    within: bool = False
    months_after: int = 0  # the new act comes at least this many months after it


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Requires | LinkedTo, ...]
    label: str


@dataclass(frozen=True)
class Window:
    """The act's date falls in a yearly window (month, day) to (month, day) inclusive."""

    start: tuple[int, int]
    end: tuple[int, int]
    label: str


@dataclass(frozen=True)
class LinkedChildren:
    """The case (a school or a place) has at least one linked child's case."""

    label: str = "au moins un dossier d'enfant rattaché (« Rattacher un enfant »)"


@dataclass(frozen=True)
class LinkedTo:
    """The case is linked to a school's or a place's case on which one of ``acts`` is recorded."""

    acts: tuple[str, ...]
    label: str


Precondition = Requires | AnyOf | Window | LinkedChildren | LinkedTo


# Acts.

STEPS: dict[str, str] = {
    "verification": "Vérification en cours",
    "alerte": "Signalé à la DASEN : aucune instruction connue",
    "ief_demande": "Demande d'autorisation d'IEF en cours d'instruction",
    "famille_informee": "Famille informée de ses obligations",
    "famille_convoquee": "Famille convoquée",
    "mediation": "Médiation en cours",
    "mise_en_demeure": "Mise en demeure d'inscrire l'enfant (15 jours après notification)",
    "rescolarise": "Rescolarisé : suivi de l'assiduité",
    "signale_parquet": "Signalé au procureur de la République",
    "enquete": "Enquête de police ou enquête sociale en cours",
    "stage_parental": "Stage de responsabilité parentale",
    "equipe_educative": "Synthèse de l'équipe (ou commission) éducative signée",
    "avertissement": "Avertissement de la DASEN adressé à la famille",
    "communaute_educative": "Communauté éducative réunie (absentéisme persistant)",
    "referent_designe": "Personnel d'éducation référent désigné",
    "ief_autorisee": "Instruction dans la famille autorisée",
    "ief_refusee": "Refus d'IEF notifié : délai de recours préalable (15 jours)",
    "rapo_en_cours": "Recours préalable devant la commission académique",
    "refus_definitif": "Refus d'IEF définitif : l'enfant doit être inscrit",
    "enquete_mairie": "Enquête de la mairie en cours (IEF)",
    "suivi_ief": "Instruction dans la famille suivie (prochain contrôle attendu)",
    "second_controle": "Second contrôle pédagogique à réaliser",
    "controles_insuffisants": "Deux contrôles insuffisants",
    "controle_refuse": "Contrôle refusé par la famille",
    "autorisation_retiree": "Autorisation d'IEF retirée",
    "declaration_recue": "Déclaration d'ouverture reçue (opposition possible 3 mois)",
    "opposition": "Opposition à l'ouverture notifiée",
    "etablissement_ouvert": "Établissement ouvert : contrôles",
    "manquements": "Manquements constatés au contrôle",
    "mise_en_demeure_directeur": "Directeur mis en demeure de remédier",
    "parents_mis_en_demeure": "Parents des élèves mis en demeure (15 jours)",
    "etablissement_ferme": "Fermeture ordonnée par le préfet",
    "constat": "Accueil d'enfants sans déclaration constaté",
    "avis_dasen": "Avis de la DASEN rendu au préfet",
    "fermeture_ordonnee": "Arrêté du préfet : cessation de l'accueil et fermeture",
    "clos": "Clos",
}

CLOSURE_REASONS: dict[str, str] = {
    "demenagement": "La famille a quitté la commune",
    "scolarise_ailleurs": "L'enfant est scolarisé (ailleurs ou sous un autre nom)",
    "erreur_source": "Erreur dans un fichier source",
    "ief_autorisee": "Instruction dans la famille autorisée",
    "situation_regularisee": "Situation régularisée (assiduité ou instruction satisfaisante)",
    "hors_obligation": "L'enfant n'est plus soumis à l'obligation d'instruction (16 ans)",
    "suites_judiciaires_terminees": "Suites judiciaires terminées",
    "activite_cessee": "L'établissement ou le lieu a cessé d'accueillir des enfants",
}


@dataclass(frozen=True)
class Act:
    """One act of one domain's procedure: a transition of the case's state machine.

    ``name`` is stored in ``CaseEvent.kind``; the same name in two domains is the same act there (same
    label), with each domain's own steps and preconditions.
    """

    domain: str
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    authority: str
    references: str
    preconditions: tuple[Precondition, ...] = ()
    deadline: str = ""  # key of DEADLINES
    document: str = ""  # key of DOCUMENTS
    needs_note: bool = False
    needs_date: bool = True
    asks_ground: bool = False  # the IEF ground is asked (one of IEF_GROUNDS)
    closure_reason: str = ""
    transmit_to: str = ""
    notice_children: bool = False  # fires the 15-day mise en demeure on each linked child's case
    to_verify: str = ""
    comment: str = ""

    @property
    def roles(self) -> tuple[str, ...]:
        return AUTHORITIES[self.authority].roles

    @property
    def appealable(self) -> bool:
        return bool(self.document) and DOCUMENTS[self.document].appealable

    @property
    def needs_notification(self) -> bool:
        """The deadline runs from the notification: the step records it."""
        return bool(self.deadline) and DEADLINES[self.deadline].start == "notification"

    @property
    def unverified(self) -> list[str]:
        """What in this row could not be verified (the act, its deadline or its document)."""
        found = [f"acte : {self.to_verify}"] if self.to_verify else []
        if self.deadline and DEADLINES[self.deadline].to_verify:
            found.append(f"délai : {DEADLINES[self.deadline].to_verify}")
        if self.document:
            found += [f"document : {what}" for what in DOCUMENTS[self.document].unverified]
        return found


@dataclass(frozen=True)
class Forbidden:
    """An act that does not exist in a domain, with why (shown when someone tries it)."""

    domain: str
    name: str
    reason: str


IEF_GROUNDS: dict[str, str] = {
    "sante_handicap": "1° L'état de santé de l'enfant ou son handicap",
    "activites": "2° La pratique d'activités sportives ou artistiques intensives",
    "itinerance": "3° L'itinérance de la famille en France ou l'éloignement géographique de tout établissement",
    "situation_propre": "4° L'existence d'une situation propre à l'enfant motivant le projet éducatif",
}

# Shorthands for the table below.
_FORMAL_NOTICE_RAN = Requires(
    ("send_formal_notice",),
    "une mise en demeure de la DASEN notifiée dont les 15 jours sont écoulés",
    notified=True,
    elapsed=True,
)
_REPORTED = Requires(("confirm_alert",), "le signalement du maire à la DASEN (R131-4)")
_FROM_SCHOOL = LinkedTo(
    ("notice_parents_place", "notice_parents_school"),
    "un dossier d'école de fait ou d'établissement rattaché où les parents sont mis en demeure",
)
_AUTHORISATIONS = (
    "record_authorisation",
    "authorise_ief",
    "authorise_ief_health",
    "ief_implicit",
    "rapo_grants",
)
_CHILD_OPEN = ("verification", "alerte", "famille_informee", "famille_convoquee", "mediation")
_JUSTICE = ("signale_parquet", "enquete", "stage_parental")
_CP = "CP 227-17-1 al. 1"


def _closures(domain: str, open_steps: tuple[str, ...], *, child: bool = True) -> tuple[Act, ...]:
    """The closures every domain has, each with its reason."""
    common = (
        Act(
            domain,
            "close_source_error",
            "Clore : erreur dans un fichier source ou signalement infondé",
            ("verification",),
            "clos",
            "cellule",
            "—",
            needs_note=True,
            needs_date=False,
            closure_reason="erreur_source",
        ),
        Act(
            domain,
            "close_judicial_end",
            "Clore : suites judiciaires terminées",
            _JUSTICE,
            "clos",
            "procureur",
            "CPP 40-1",
            needs_note=True,
            needs_date=False,
            closure_reason="suites_judiciaires_terminees",
        ),
        Act(
            domain,
            "reopen",
            "Rouvrir le dossier",
            ("clos",),
            "verification",
            "maire",
            "—",
            needs_note=True,
            needs_date=False,
            deadline="verification",
        ),
    )
    if not child:
        return (
            *common,
            Act(
                domain,
                "close_activity_ceased",
                "Clore : le lieu ou l'établissement n'accueille plus d'enfants",
                open_steps,
                "clos",
                "constat",
                "L441-3-1 ; L442-2",
                needs_note=True,
                closure_reason="activite_cessee",
            ),
        )
    return (
        *common,
        Act(domain, "close_moved_away", "Clore : la famille a quitté la commune", open_steps, "clos", "cellule",
            "R131-10-4 (effacement au départ de la commune)", closure_reason="demenagement"),
        Act(domain, "close_out_of_age", "Clore : l'enfant n'est plus soumis à l'obligation d'instruction",
            open_steps, "clos", "cellule", "L131-1", needs_date=False, closure_reason="hors_obligation"),
    )  # fmt: skip


def _justice(domain: str) -> tuple[Act, ...]:
    """What the Parquet records once a case is referred to it."""
    return (
        Act(domain, "open_police_enquiry", "Enquête de police ordonnée", ("signale_parquet",), "enquete",
            "procureur", "CPP 40-1", deadline="enquiry_followup"),
        Act(domain, "open_social_enquiry", "Enquête sociale ordonnée", ("signale_parquet",), "enquete",
            "procureur", "CPP 40-1 ; CPP 81 al. 6", deadline="enquiry_followup", to_verify="qui l'ordonne (CPP 81 al. 6 vise le juge d'instruction)"),
        Act(domain, "order_parenting_course", "Stage de responsabilité parentale ordonné",
            ("signale_parquet", "enquete"), "stage_parental", "procureur", "CPP 41-1 2° ; CP 131-35-1",
            deadline="parenting_course_followup", to_verify="alternative aux poursuites (CPP 41-1 2°) ou peine (CP 131-35-1)"),
    )  # fmt: skip


_ABSENCE_OPEN = (*_CHILD_OPEN, "ief_demande", "mise_en_demeure", "rescolarise", *_JUSTICE)
ABSENCE_ACTS: tuple[Act, ...] = (
    Act(ABSENCE, "confirm_alert", "Signaler l'enfant à la DASEN : aucune instruction connue",
        ("verification", "ief_demande"), "alerte", "maire", "R131-4 (sans délai)", deadline="dasen_control",
        document="signalement_dasen", needs_note=True),
    Act(ABSENCE, "await_ief_decision", "La famille dit avoir demandé l'autorisation d'IEF",
        ("verification", "alerte"), "ief_demande", "famille", "L131-5 ; R131-11", deadline="ief_silence",
        comment="La demande elle-même est suivie dans un dossier « Instruction dans la famille »."),
    Act(ABSENCE, "inform_family", "Courrier d'information envoyé à la famille", ("verification", "alerte"),
        "famille_informee", "maire", "L131-6 (usage de la cellule)", deadline="family_formalities",
        document="information"),
    Act(ABSENCE, "convene_family", "Famille convoquée à un entretien",
        ("alerte", "famille_informee", "famille_convoquee", "mediation", "rescolarise"), "famille_convoquee",
        "cellule", "L131-6 (usage de la cellule)", deadline="convocation", document="convocation"),
    Act(ABSENCE, "start_mediation", "Médiation engagée avec la famille",
        ("alerte", "famille_informee", "famille_convoquee", "mediation"), "mediation", "cellule_sociale",
        "Usage de la cellule ; CASF L141-2", deadline="mediation"),
    Act(ABSENCE, "send_formal_notice", "Mise en demeure de la DASEN d'inscrire l'enfant (15 jours)",
        ("verification", "alerte", "famille_informee", "famille_convoquee", "mediation", "ief_demande"),
        "mise_en_demeure", "dasen",
        "CP 227-17-1 al. 1 ; instruction du 5 janvier 2023 ; L131-5-1 ; élève d'une école de fait ou d'un établissement fermé : L441-3-1, L442-2",
        preconditions=(AnyOf((_REPORTED, _FROM_SCHOOL),
                             "le signalement du maire à la DASEN, ou un dossier d'établissement ou de lieu rattaché où la mise en demeure des parents est décidée"),),
        deadline="formal_notice", document="mise_en_demeure",
        comment="Les 15 jours courent de la notification enregistrée, pas de la date du courrier."),
    Act(ABSENCE, "record_return_to_school", "Enfant inscrit dans une école : suivre son assiduité",
        ("alerte", "famille_informee", "famille_convoquee", "mediation", "mise_en_demeure", *_JUSTICE),
        "rescolarise", "cellule", "L131-5 ; L131-6", deadline="attendance_check"),
    Act(ABSENCE, "refer_to_prosecutor", "Signalement au procureur : défaut d'inscription malgré mise en demeure",
        ("mise_en_demeure",), "signale_parquet", "signalant", f"{_CP} ; CPP 40",
        preconditions=(_FORMAL_NOTICE_RAN,), deadline="prosecutor_followup", document="signalement_procureur",
        needs_note=True, transmit_to="prosecutor"),
    *_justice(ABSENCE),
    Act(ABSENCE, "close_schooled_elsewhere", "Clore : l'enfant est scolarisé",
        ("verification", *_CHILD_OPEN[1:], "ief_demande", "mise_en_demeure"), "clos", "cellule", "L131-5",
        needs_note=True, needs_date=False, closure_reason="scolarise_ailleurs"),
    Act(ABSENCE, "close_ief_authorised", "Clore : instruction dans la famille autorisée",
        ("verification", "alerte", "ief_demande"), "clos", "cellule", "L131-5", needs_date=False,
        closure_reason="ief_autorisee"),
    Act(ABSENCE, "close_resolved", "Clore : situation régularisée",
        ("famille_informee", "famille_convoquee", "mediation", "rescolarise"), "clos", "cellule", "—",
        needs_note=True, needs_date=False, closure_reason="situation_regularisee"),
    *_closures(ABSENCE, ("verification", *_ABSENCE_OPEN)),
)  # fmt: skip

_ABSENTEEISM_OPEN = (
    "equipe_educative",
    "avertissement",
    "communaute_educative",
    "referent_designe",
    *_JUSTICE,
)
ABSENTEEISM_ACTS: tuple[Act, ...] = (
    Act(ABSENTEEISM, "record_educational_team", "Synthèse signée de l'équipe ou de la commission éducative",
        ("verification",), "equipe_educative", "equipe_educative", "R131-7 I ; L131-8",
        deadline="warning_followup", document="compte_rendu_equipe_educative", needs_note=True,
        comment="Note : les mesures décidées. Équipe éducative dans le 1er degré, commission éducative dans "
        "le 2d degré."),
    Act(ABSENTEEISM, "issue_warning", "Avertissement de la DASEN adressé à la famille", ("equipe_educative",),
        "avertissement", "dasen", "L131-8 ; R131-7", deadline="warning_followup", document="avertissement",
        preconditions=(Requires(("record_educational_team",),
                                "la synthèse signée de l'équipe ou de la commission éducative (R131-7 I)"),),
        comment="Le maire est informé ; la DASEN lui adresse la liste des élèves avertis (périodicité à "
        "vérifier)."),
    Act(ABSENTEEISM, "convene_educational_community",
        "Absentéisme persistant : réunion de la communauté éducative", ("avertissement",),
        "communaute_educative", "chef_etablissement", "L131-8 (loi 2013-108)",
        preconditions=(Requires(("issue_warning",), "l'avertissement de la DASEN"),), needs_note=True,
        document="compte_rendu_communaute_educative", to_verify="rédaction actuelle de L131-8 (loi 2013-108)"),
    Act(ABSENTEEISM, "designate_education_referent", "Personnel d'éducation référent désigné",
        ("communaute_educative",), "referent_designe", "chef_etablissement", "L131-8 (loi 2013-108)",
        preconditions=(Requires(("convene_educational_community",), "la réunion de la communauté éducative"),),
        deadline="warning_followup", needs_note=True, to_verify="rédaction actuelle de L131-8 (loi 2013-108)"),
    Act(ABSENTEEISM, "refer_contravention",
        "Saisine du procureur : contravention d'absentéisme (CP R624-7)", ("referent_designe",),
        "signale_parquet", "dasen", "CP R624-7 ; R131-7 ; L131-8",
        preconditions=(
            Requires(("issue_warning",), "l'avertissement de la DASEN"),
            Requires(("convene_educational_community",), "la réunion de la communauté éducative"),
            Requires(("designate_education_referent",), "la désignation du personnel d'éducation référent"),
        ),
        deadline="prosecutor_followup", document="saisine_contravention", needs_note=True,
        transmit_to="prosecutor", to_verify="rédaction exacte de R131-7"),
    *_justice(ABSENTEEISM),
    Act(ABSENTEEISM, "close_resolved", "Clore : situation régularisée", ("verification", *_ABSENTEEISM_OPEN[:4]),
        "clos", "cellule", "L131-8", needs_note=True, needs_date=False, closure_reason="situation_regularisee"),
    *_closures(ABSENTEEISM, ("verification", *_ABSENTEEISM_OPEN)),
)  # fmt: skip

_IEF_FOLLOWED = ("ief_autorisee", "enquete_mairie", "suivi_ief", "second_controle")
_IEF_OPEN = (
    "ief_demande",
    "ief_refusee",
    "rapo_en_cours",
    "refus_definitif",
    *_IEF_FOLLOWED,
    "controles_insuffisants",
    "controle_refuse",
    "autorisation_retiree",
    "mise_en_demeure",
    *_JUSTICE,
)
_GRANTED = AnyOf(
    (
        Requires(_AUTHORISATIONS, "une autorisation d'IEF enregistrée depuis 3 mois", months_after=3),
        Requires(("migration",), "un dossier repris de la table version 1 (autorisation antérieure)"),
    ),
    "une autorisation d'IEF enregistrée depuis 3 mois au moins (contrôle à partir du 3e mois)",
)
HOME_ACTS: tuple[Act, ...] = (
    Act(HOME, "request_ief", "Demande d'autorisation d'IEF reçue (1er mars – 31 mai)",
        ("verification", "ief_autorisee", "suivi_ief"), "ief_demande", "famille",
        "L131-5 ; R131-11 ; CE 13 déc. 2022 n° 462274",
        preconditions=(Window((3, 1), (5, 31), "une demande reçue entre le 1er mars et le 31 mai"),),
        deadline="ief_silence", document="ief_accuse_reception", asks_ground=True,
        comment="Date de l'acte : la réception de la demande. Renouvellement : une nouvelle demande."),
    Act(HOME, "request_ief_late", "Demande d'autorisation d'IEF hors période (motif apparu après le 31 mai)",
        ("verification", "ief_autorisee", "suivi_ief"), "ief_demande", "famille", "L131-5 ; R131-11",
        deadline="ief_silence", document="ief_accuse_reception", asks_ground=True, needs_note=True,
        to_verify="motifs admis hors période (santé, handicap, éloignement ?)",
        comment="Note : le motif apparu après la période de demande."),
    Act(HOME, "record_authorisation", "Autorisation en cours enregistrée (accordée avant le dossier)",
        ("verification",), "ief_autorisee", "dasen", "L131-5", deadline="first_control", needs_note=True,
        comment="Date de l'acte : la date de l'autorisation ; note : sa durée."),
    Act(HOME, "authorise_ief", "Autorisation d'IEF accordée (une année scolaire)", ("ief_demande",),
        "ief_autorisee", "dasen", "L131-5 ; R131-11-1 et suivants", deadline="ief_validity",
        document="ief_autorisation"),
    Act(HOME, "authorise_ief_health", "Autorisation d'IEF pour santé ou handicap (jusqu'à 3 ans)",
        ("ief_demande",), "ief_autorisee", "dasen", "L131-5", deadline="ief_validity_health",
        document="ief_autorisation", needs_note=True, comment="Note : la durée accordée."),
    Act(HOME, "ief_implicit", "Silence de 2 mois : autorisation acquise", ("ief_demande",), "ief_autorisee",
        "dasen", "L131-5 ; R131-11 (silence vaut acceptation)", deadline="ief_validity",
        preconditions=(Requires(("request_ief", "request_ief_late"),
                                "une demande reçue depuis 2 mois au moins", elapsed=True),)),
    Act(HOME, "refuse_ief", "Refus d'autorisation d'IEF notifié (motivé)", ("ief_demande",), "ief_refusee",
        "dasen", "L131-5 ; D131-11-10 ; CE 13 déc. 2022 n° 462274", deadline="rapo_window", document="ief_refus",
        needs_note=True,
        comment="Note : les motifs propres à l'enfant ; la date de la demande seule ne justifie pas un refus."),
    Act(HOME, "file_rapo", "Recours préalable obligatoire formé devant la commission académique",
        ("ief_refusee",), "rapo_en_cours", "famille", "D131-11-10 (décret 2022-849)",
        preconditions=(Requires(("refuse_ief",), "un refus notifié il y a 15 jours au plus", notified=True,
                                within=True),),
        deadline="rapo_decision", comment="Date de l'acte : la réception du recours."),
    Act(HOME, "refusal_final", "Pas de recours préalable dans les 15 jours : refus définitif", ("ief_refusee",),
        "refus_definitif", "dasen", "D131-11-10",
        preconditions=(Requires(("refuse_ief",), "un refus notifié dont les 15 jours de recours sont écoulés",
                                notified=True, elapsed=True),)),
    Act(HOME, "rapo_confirms_refusal", "La commission académique confirme le refus", ("rapo_en_cours",),
        "refus_definitif", "commission_academique", "D131-11-10", document="ief_decision_commission",
        needs_note=True),
    Act(HOME, "rapo_grants", "La commission académique autorise l'instruction dans la famille",
        ("rapo_en_cours",), "ief_autorisee", "commission_academique", "D131-11-10", deadline="ief_validity",
        document="ief_decision_commission"),
    Act(HOME, "start_mayor_enquiry", "Enquête de la mairie engagée (1re année, puis tous les 2 ans)",
        ("ief_autorisee", "suivi_ief"), "enquete_mairie", "maire",
        "L131-10 (réalité des motifs, compatibilité avec la santé et les conditions de vie ; attestation "
        "de suivi médical)", deadline="mayor_enquiry", document="enquete_mairie"),
    Act(HOME, "send_mayor_enquiry", "Résultat de l'enquête transmis à la DASEN et à la famille",
        ("enquete_mairie",), "suivi_ief", "maire", "L131-10", deadline="mayor_enquiry_cycle",
        document="resultat_enquete_mairie"),
    Act(HOME, "prefect_enquiry", "Enquête faite par le préfet (le maire ne l'a pas faite)",
        ("ief_autorisee", "enquete_mairie", "suivi_ief"), "suivi_ief", "prefet", "L131-10",
        deadline="mayor_enquiry_cycle"),
    Act(HOME, "control_satisfactory", "Contrôle pédagogique satisfaisant", _IEF_FOLLOWED, "suivi_ief", "dasen",
        "L131-10 (à partir du 3e mois, au moins une fois par an)", preconditions=(_GRANTED,),
        deadline="pedagogical_control"),
    Act(HOME, "control_insufficient", "Contrôle insuffisant : résultats notifiés, second contrôle",
        ("ief_autorisee", "enquete_mairie", "suivi_ief"), "second_controle", "dasen", "L131-10",
        preconditions=(_GRANTED,), deadline="second_control", document="resultat_controle", needs_note=True),
    Act(HOME, "second_control_insufficient", "Second contrôle insuffisant", ("second_controle",),
        "controles_insuffisants", "dasen", "L131-10",
        preconditions=(Requires(("control_insufficient",), "un premier contrôle insuffisant notifié",
                                notified=True),),
        document="resultat_controle", needs_note=True),
    Act(HOME, "refuse_control", "Refus de contrôle sans motif légitime", _IEF_FOLLOWED, "controle_refuse",
        "dasen", "L131-10", needs_note=True, to_verify="nombre de refus avant la mise en demeure"),
    Act(HOME, "withdraw_authorisation", "Retrait de l'autorisation d'IEF",
        ("ief_autorisee", "suivi_ief", "controles_insuffisants", "controle_refuse"), "autorisation_retiree",
        "dasen", "L131-5", document="retrait_autorisation_ief", needs_note=True, to_verify="article du retrait (L131-5 ou R131-11-x)"),
    Act(HOME, "send_formal_notice", "Mise en demeure de la DASEN d'inscrire l'enfant (15 jours)",
        ("controles_insuffisants", "controle_refuse", "autorisation_retiree", "refus_definitif"),
        "mise_en_demeure", "dasen", "L131-10 ; CP 227-17-1 al. 1 ; CAA Lyon 23LY02549",
        preconditions=(AnyOf((
            Requires(("control_insufficient", "second_control_insufficient"), "deux contrôles insuffisants",
                     count=2),
            Requires(("refuse_control",), "un refus de contrôle sans motif légitime"),
            Requires(("withdraw_authorisation",), "le retrait de l'autorisation"),
            Requires(("refusal_final", "rapo_confirms_refusal"), "un refus d'autorisation définitif"),
        ), "deux contrôles insuffisants, un refus de contrôle, un retrait ou un refus définitif"),),
        deadline="formal_notice", document="mise_en_demeure"),
    Act(HOME, "record_return_to_school", "Enfant inscrit dans une école : suivre son assiduité",
        ("refus_definitif", "controles_insuffisants", "controle_refuse", "autorisation_retiree",
         "mise_en_demeure", *_JUSTICE), "rescolarise", "cellule", "L131-5 ; L131-10",
        deadline="attendance_check"),
    Act(HOME, "refer_to_prosecutor", "Signalement au procureur : défaut d'inscription malgré mise en demeure",
        ("mise_en_demeure",), "signale_parquet", "signalant", f"{_CP} ; CPP 40",
        preconditions=(_FORMAL_NOTICE_RAN,), deadline="prosecutor_followup", document="signalement_procureur",
        needs_note=True, transmit_to="prosecutor"),
    *_justice(HOME),
    Act(HOME, "close_schooled_elsewhere", "Clore : l'enfant est scolarisé",
        ("verification", "ief_demande", "ief_refusee", "refus_definitif", "rescolarise", *_IEF_FOLLOWED,
         "controles_insuffisants", "controle_refuse", "autorisation_retiree", "mise_en_demeure"), "clos",
        "cellule", "L131-5", needs_note=True, needs_date=False, closure_reason="scolarise_ailleurs"),
    Act(HOME, "close_resolved", "Clore : situation régularisée", ("rescolarise",), "clos", "cellule", "—",
        needs_note=True, needs_date=False, closure_reason="situation_regularisee"),
    *_closures(HOME, ("verification", *_IEF_OPEN, "rescolarise")),
)  # fmt: skip

_SCHOOL_OPEN = (
    "declaration_recue",
    "opposition",
    "etablissement_ouvert",
    "manquements",
    "mise_en_demeure_directeur",
    "parents_mis_en_demeure",
    "etablissement_ferme",
    *_JUSTICE,
)
PRIVATE_ACTS: tuple[Act, ...] = (
    Act(PRIVATE, "record_declaration", "Déclaration d'ouverture reçue", ("verification",), "declaration_recue",
        "dasen", "L441-1 I (déclaration à l'autorité de l'État, qui la transmet au maire, au préfet et au "
        "procureur)", deadline="opposition_window", comment="Date de l'acte : la réception du dossier complet."),
    Act(PRIVATE, "oppose_opening", "Opposition à l'ouverture notifiée", ("declaration_recue",), "opposition",
        "opposants", "L441-1 II (4 motifs : ordre public, protection de l'enfance, conditions de l'intérêt "
        "de l'enseignement, titres du directeur)",
        preconditions=(Requires(("record_declaration",), "une déclaration reçue il y a 3 mois au plus",
                                within=True),),
        document="opposition_ouverture", needs_note=True),
    Act(PRIVATE, "record_opening", "Ouverture : pas d'opposition dans les 3 mois", ("declaration_recue",),
        "etablissement_ouvert", "dasen", "L441-1 ; L442-2", deadline="first_year_control",
        preconditions=(Requires(("record_declaration",), "une déclaration reçue depuis 3 mois", elapsed=True),)),
    Act(PRIVATE, "record_existing_school", "Établissement déjà ouvert enregistré", ("verification",),
        "etablissement_ouvert", "dasen", "L442-2", deadline="first_year_control", needs_note=True,
        comment="Date de l'acte : la date d'ouverture."),
    Act(PRIVATE, "control_school_satisfactory", "Contrôle de l'établissement satisfaisant",
        ("etablissement_ouvert",), "etablissement_ouvert", "dasen",
        "L442-2 (contrôle par le préfet et la DASEN ; un contrôle la 1re année)",
        document="rapport_controle_etablissement"),
    Act(PRIVATE, "control_school_insufficient", "Contrôle : manquements constatés", ("etablissement_ouvert",),
        "manquements", "dasen", "L442-2", document="rapport_controle_etablissement", needs_note=True),
    Act(PRIVATE, "notice_director", "Mise en demeure du directeur de remédier aux manquements",
        ("manquements",), "mise_en_demeure_directeur", "dasen", "L442-2 ; CE 20 mars 2023 n° 456984",
        preconditions=(Requires(("control_school_insufficient",), "un contrôle qui a constaté des manquements"),),
        deadline="director_remedy", document="mise_en_demeure_directeur", needs_note=True,
        comment="Note : les manquements précis et les mesures attendues (mise en demeure circonstanciée)."),
    Act(PRIVATE, "control_school_remedied", "Contrôle : le directeur a remédié", ("mise_en_demeure_directeur",),
        "etablissement_ouvert", "dasen", "L442-2", document="rapport_controle_etablissement"),
    Act(PRIVATE, "refer_director", "Signalement au procureur : le directeur n'a pas remédié (CP 227-17-1 al. 2)",
        ("mise_en_demeure_directeur",), "signale_parquet", "dasen", "CP 227-17-1 al. 2 ; L442-2",
        preconditions=(Requires(("notice_director",), "une mise en demeure du directeur notifiée dont le délai "
                                "est écoulé", notified=True, elapsed=True),),
        deadline="prosecutor_followup", document="signalement_procureur_etablissement", needs_note=True,
        transmit_to="prosecutor"),
    Act(PRIVATE, "notice_parents_school", "Mises en demeure des parents d'inscrire leurs enfants ailleurs (15 jours)",
        ("signale_parquet", "etablissement_ferme"), "parents_mis_en_demeure", "dasen", "L442-2",
        preconditions=(AnyOf((
            Requires(("refer_director",), "le signalement du directeur au procureur"),
            Requires(("close_school",), "la fermeture ordonnée par le préfet"),
        ), "le signalement au procureur ou la fermeture"), LinkedChildren()),
        document="mise_en_demeure_parents", notice_children=True,
        comment="Une mise en demeure par enfant soumis à l'obligation d'instruction, sur son propre dossier."),
    Act(PRIVATE, "close_school", "Fermeture de l'établissement ordonnée par le préfet",
        ("manquements", "mise_en_demeure_directeur", "signale_parquet", "parents_mis_en_demeure"),
        "etablissement_ferme", "prefet", "L442-2 IV ; CE 16 févr. 2024 n° 489634", deadline="closure_followup",
        document="fermeture_etablissement", needs_note=True),
    Act(PRIVATE, "refer_not_closed", "Signalement au procureur : établissement non fermé (CP 227-17-1 al. 3)",
        ("etablissement_ferme",), "signale_parquet", "dasen", "CP 227-17-1 al. 3",
        preconditions=(Requires(("close_school",), "un arrêté de fermeture notifié", notified=True),),
        deadline="prosecutor_followup", document="signalement_procureur_etablissement", needs_note=True,
        transmit_to="prosecutor"),
    *_justice(PRIVATE)[:1],
    *_closures(PRIVATE, ("verification", *_SCHOOL_OPEN), child=False),
)  # fmt: skip

_PLACE_OPEN = ("constat", "avis_dasen", "fermeture_ordonnee", "parents_mis_en_demeure", *_JUSTICE)
UNDECLARED_ACTS: tuple[Act, ...] = (
    Act(UNDECLARED, "record_observation", "Constat : enfants accueillis sans déclaration d'ouverture",
        ("verification",), "constat", "constat", "L441-1 ; L441-3-1", deadline="dasen_opinion",
        document="constat_ecole_de_fait", needs_note=True),
    Act(UNDECLARED, "dasen_opinion", "Avis de la DASEN au préfet", ("constat",), "avis_dasen", "dasen",
        "L441-3-1", document="avis_dasen", needs_note=True),
    Act(UNDECLARED, "order_closure", "Arrêté du préfet : cessation de l'accueil des enfants et fermeture des locaux",
        ("avis_dasen",), "fermeture_ordonnee", "prefet", "L441-3-1 (loi 2021-1109 art. 53)",
        preconditions=(Requires(("dasen_opinion",), "l'avis de la DASEN"),), deadline="closure_followup",
        document="arrete_fermeture_ecole_de_fait"),
    Act(UNDECLARED, "notice_parents_place", "Mises en demeure des parents d'inscrire chaque enfant (15 jours)",
        ("fermeture_ordonnee",), "parents_mis_en_demeure", "dasen", "L441-3-1",
        preconditions=(Requires(("order_closure",), "l'arrêté du préfet"), LinkedChildren()),
        document="mise_en_demeure", notice_children=True,
        comment="Chaque enfant a (ou rejoint) son propre dossier, où court sa mise en demeure."),
    Act(UNDECLARED, "refer_place", "Signalement au procureur : école de fait (L441-4, L914-5)",
        ("constat", "avis_dasen", "fermeture_ordonnee", "parents_mis_en_demeure"), "signale_parquet", "signalant",
        "L441-4 (ouverture sans déclaration ou malgré opposition : 1 an, 15 000 €) ; L914-5",
        preconditions=(Requires(("record_observation",), "le constat de l'accueil sans déclaration"),),
        deadline="prosecutor_followup", document="signalement_procureur_ecole_de_fait", needs_note=True,
        transmit_to="prosecutor"),
    *_justice(UNDECLARED)[:1],
    *_closures(UNDECLARED, ("verification", *_PLACE_OPEN), child=False),
)  # fmt: skip

ACTS: tuple[Act, ...] = (*ABSENCE_ACTS, *ABSENTEEISM_ACTS, *HOME_ACTS, *PRIVATE_ACTS, *UNDECLARED_ACTS)

FORBIDDEN: tuple[Forbidden, ...] = (
    Forbidden(ABSENTEEISM, "refer_to_prosecutor",
              "Un dossier d'absentéisme ne peut pas être signalé au titre de l'article 227-17-1 du code pénal : "
              "seule la contravention de l'article R624-7 est possible, après l'avertissement de la DASEN et "
              "les procédures de l'article R131-7 (« Saisine du procureur : contravention d'absentéisme »)."),
    Forbidden(ABSENTEEISM, "send_formal_notice",
              "L'absentéisme d'un élève inscrit ne donne pas lieu à une mise en demeure d'inscrire : la "
              "procédure est celle de L131-8 et R131-7 (équipe éducative, avertissement)."),
    Forbidden(PRIVATE, "refer_to_prosecutor",
              "Pour un établissement hors contrat, le signalement vise le directeur (CP 227-17-1 al. 2 ou 3) ; "
              "les enfants ont chacun leur dossier."),
    Forbidden(UNDECLARED, "refer_to_prosecutor",
              "Pour une école de fait, le signalement vise l'ouverture sans déclaration (L441-4, L914-5) ; "
              "les enfants ont chacun leur dossier."),
)  # fmt: skip


def acts_of(domain: str) -> tuple[Act, ...]:
    return tuple(a for a in ACTS if a.domain == domain)


def act(domain: str, name: str) -> Act | None:
    return next((a for a in ACTS if a.domain == domain and a.name == name), None)


def forbidden(domain: str, name: str) -> Forbidden | None:
    return next((f for f in FORBIDDEN if f.domain == domain and f.name == name), None)


def steps_of(domain: str) -> list[str]:
    """The steps a domain's procedure can reach, in the order of ``STEPS``."""
    used = {"verification"} | {a.target for a in acts_of(domain)}
    return [s for s in STEPS if s in used]


# The table as a jurist reads it.

COLUMNS = (
    "version", "domaine", "acte", "libelle", "depuis", "vers", "auteur", "roles_veille", "preconditions",
    "delai", "point_de_depart", "document", "decision_susceptible_de_recours", "voies_et_delais_de_recours",
    "references", "a_verifier",
)  # fmt: skip


def describe(pre: Precondition) -> str:
    if isinstance(pre, AnyOf):
        return "l'un de : " + " ; ".join(o.label for o in pre.options)
    return pre.label


def recourse_text(recourse: Recourse | None) -> str:
    if recourse is None:
        return ""
    parts = []
    if recourse.rapo_compulsory:
        parts.append(f"RAPO obligatoire : {recourse.rapo}, {recourse.rapo_time_limit}")
    elif recourse.gracious:
        parts.append("Recours gracieux auprès de l'auteur de la décision ou hiérarchique, dans le même délai")
    court = recourse.court[:1].upper() + recourse.court[1:]
    parts.append(f"{court} ({recourse.court_basis}), {recourse.time_limit}")
    return " ; ".join(parts)


def rows() -> list[dict[str, str]]:
    """One row per act, with the columns of ``COLUMNS``."""
    out = []
    for a in ACTS:
        deadline = DEADLINES.get(a.deadline)
        document = DOCUMENTS.get(a.document)
        out.append({
            "version": VERSION,
            "domaine": DOMAINS[a.domain][0],
            "acte": a.name,
            "libelle": a.label,
            "depuis": ", ".join(a.sources),
            "vers": a.target,
            "auteur": AUTHORITIES[a.authority].label,
            "roles_veille": ", ".join(a.roles),
            "preconditions": " ; ".join(describe(p) for p in a.preconditions),
            "delai": (f"{deadline.label} : {deadline.duration}" + (" (usage de la cellule)" if deadline.practice
                                                                   else "")) if deadline else "",
            "point_de_depart": START_POINTS[deadline.start] if deadline else "",
            "document": f"{document.label} ({document.code})" if document else "",
            "decision_susceptible_de_recours": "oui" if a.appealable else "non",
            "voies_et_delais_de_recours": recourse_text(document.recourse if document else None),
            "references": a.references,
            "a_verifier": f"{TO_VERIFY} : " + " ; ".join(a.unverified) if a.unverified else "",
        })  # fmt: skip
    return out


def as_csv() -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows())
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def as_markdown() -> str:
    """The table as ``docs/procedures.md`` prints it: one section per domain, then the documents."""
    lines = [
        "# La procédure d'un dossier, acte par acte",
        "",
        "Page produite par `veille droit --format md` depuis la table des règles "
        f"(`src/veille/law.py`, version {VERSION} en vigueur depuis le {VALID_FROM:%d/%m/%Y}) ; un test "
        "vérifie qu'elle est identique. Sources : `LEGAL-REVIEW.md` et `PROCEDURES.md` (notes de recherche, "
        "non relues par un juriste). Une ligne marquée « à vérifier » repose sur un texte que nous n'avons "
        "pas pu vérifier ; l'interface l'affiche aussi.",
        "",
        "Un dossier ne change d'étape que par un acte de cette table (`Case.fire`). Seuls les rôles de "
        "Veille de la colonne « rôles » enregistrent l'acte ; ses conditions sont vérifiées (refus motivé "
        "sinon). Un délai dont le point de départ est la notification ne court qu'une fois la date de "
        "notification enregistrée. Chaque étape de l'historique garde la version de la table. La "
        "préfecture enregistre les actes du préfet sans avoir à faire avancer les autres étapes.",
        "",
    ]
    for domain, (label, about) in DOMAINS.items():
        lines += [
            f"## {label}",
            "",
            f"Dossier sur : {about}. Étapes : "
            + ", ".join(f"`{s}` ({STEPS[s]})" for s in steps_of(domain))
            + ".",
            "",
        ]
        lines += [
            "| acte (`nom`) | depuis → vers | auteur (rôles) | conditions | délai (point de départ) | "
            "document | recours | références |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r, a in zip(rows(), ACTS, strict=True):
            if a.domain != domain:
                continue
            flag = f" **[{r['a_verifier']}]**" if r["a_verifier"] else ""
            delay = f"{r['delai']} ({r['point_de_depart']})" if r["delai"] else ""
            lines.append(
                f"| {_cell(a.label)} (`{a.name}`){flag} | {_cell(r['depuis'])} → `{a.target}` | "
                f"{_cell(r['auteur'])} ({_cell(r['roles_veille'])}) | {_cell(r['preconditions'])} | "
                f"{_cell(delay)} | {_cell(r['document'])} | {_cell(r['voies_et_delais_de_recours'])} | "
                f"{_cell(a.references)} |"
            )
        refused = [f for f in FORBIDDEN if f.domain == domain]
        if refused:
            lines += ["", "Actes refusés dans ce domaine :", ""]
            lines += [f"- `{f.name}` : {f.reason}" for f in refused]
        lines.append("")
    lines += [
        "## Les documents",
        "",
        "Les courriers de Veille lisent cette table : leur auteur, leur en-tête, leurs voies et délais de "
        "recours et leurs articles viennent d'ici. Quand les textes donnent plusieurs auteurs, chacun signe "
        "sur son en-tête, sous son article. « RGPD art. 14 » : le premier courrier de la mairie à la famille "
        "(données de la CAF ou de la MSA) porte l'information de l'article 14 ; l'exemption de l'article 14 "
        "§5 c) n'est pas invoquée (à vérifier : `docs/protection-des-donnees.md`).",
        "",
        "| code | document | signé par | en-tête (article) | recours | RGPD art. 14 | références |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in DOCUMENTS.values():
        flag = f" **[{TO_VERIFY} : {' ; '.join(d.unverified)}]**" if d.unverified else ""
        heads = (
            " ; ".join(
                f"{s.letterhead} ({AUTHORITIES[s.authority].label}, {s.references}"
                + (f", domaines : {', '.join(DOMAINS[x][0] for x in s.domains)}" if s.domains else "")
                + ")"
                for s in d.signers
            )
            or d.letterhead
        )
        lines.append(
            f"| `{d.code}` | {_cell(d.label)}{flag} | {AUTHORITIES[d.authority].label} | {_cell(heads)} | "
            f"{_cell(recourse_text(d.recourse)) if d.appealable else 'non'} | "
            f"{'oui (premier courrier)' if d.privacy_notice else '—'} | {_cell(d.references)} |"
        )
    lines += [
        "",
        "## Les délais (version nationale)",
        "",
        "Le référent d'une commune corrige un délai par une nouvelle version (page « Délais de la "
        "procédure ») ; un dossier garde l'échéance calculée avec la version en vigueur à son étape.",
        "",
        "| règle | échéance | durée | point de départ | base légale | |",
        "|---|---|---|---|---|---|",
    ]
    for rule in DEADLINES.values():
        flag = (
            f"**[{TO_VERIFY} : {rule.to_verify}]**" if rule.to_verify else ("usage" if rule.practice else "—")
        )
        lines.append(
            f"| `{rule.key}` | {_cell(rule.label)} | {rule.duration} | {START_POINTS[rule.start]} | "
            f"{_cell(rule.legal_basis)} | {flag} |"
        )
    lines += [
        "",
        "## Ce qui reste à vérifier",
        "",
        "Actes dont un texte n'a pas pu être vérifié (l'interface affiche « à vérifier » sur chacun) :",
        "",
    ]
    lines += [f"- {domain} : `{name}` — {' ; '.join(what)}" for domain, name, what in unverified_rows()]
    return "\n".join(lines) + "\n"  # fmt: skip


def unverified_rows() -> list[tuple[str, str, list[str]]]:
    """(domain label, act name, what is to verify) for each act still marked « à vérifier »."""
    return [(DOMAINS[a.domain][0], a.name, a.unverified) for a in ACTS if a.unverified]
