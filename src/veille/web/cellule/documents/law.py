"""Each kind of letter as the law has it: its author, whether it is an appealable decision, its appeal.

This module is data, each entry with its articles. The rule table of the procedures points to these
codes (``LetterKind`` values); the views read ``SPECS`` to decide who may produce a letter, on which
letterhead it is printed, which mentions its template must keep and which fields its form requires.
What could not be checked against a stored text says so in ``to_verify`` (shown as « à vérifier »).

Sources: ``shared/domain/LEGAL-REVIEW.md`` (December 2026) and the articles quoted on each entry. The
codes are those of the documents of the rule table (``veille.law.DOCUMENTS`` on the law-procedures
branch).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from veille.web.common.accounts.roles import Role


class Authority(models.TextChoices):
    """Who signs: the letterhead a letter is printed on follows its author."""

    COMMUNE = "commune", "Commune (le maire ou ses agents)"
    DSDEN = "dsden", "DSDEN (le DASEN, autorité de l'État compétente en matière d'éducation)"
    PREFECTURE = "prefecture", "Préfecture (le préfet, représentant de l'État dans le département)"


#: the roles of the cell that act for each authority (and so may produce and edit its letters)
AUTHORITY_ROLES: dict[Authority, frozenset[str]] = {
    Authority.COMMUNE: frozenset({Role.REFERENT, Role.AGENT}),
    Authority.DSDEN: frozenset({Role.EDUCATION}),
    Authority.PREFECTURE: frozenset({Role.PREFECTURE}),
}


@dataclass(frozen=True)
class Appeal:
    """The *voies et délais de recours* of an appealable decision (CJA R421-5: without them printed on
    the decision, no time limit runs against its addressee).

    Attributes:
        prior_authority: where the compulsory prior appeal (RAPO) goes; empty when there is none.
        prior_days: its time limit, in days from the notification of the decision.
        prior_basis: the article that makes it compulsory.
        court: the court of the contentious appeal.
        court_months: its time limit, in months from notification (or from the RAPO's answer).
        court_basis: the article of that time limit.
        optional_appeal: the recours gracieux or hiérarchique the addressee may also make.
    """

    court: str
    court_months: int
    court_basis: str
    prior_authority: str = ""
    prior_days: int = 0
    prior_basis: str = ""
    optional_appeal: str = ""

    @property
    def compulsory_prior_appeal(self) -> bool:
        return bool(self.prior_authority)


@dataclass(frozen=True)
class LetterSpec:
    """One kind of letter.

    Attributes:
        code: the ``LetterKind`` value (stored on templates and letters; the rule table points to it).
        authority: who signs it, hence its letterhead and who may produce it.
        addressee: to whom it goes.
        legal_basis: its articles.
        appealable: a decision that can be challenged: it carries its reasons (required when producing
            it) and its ``appeal``.
        appeal: the voies et délais de recours, for an appealable decision.
        family_letter: a letter of the commune to the family, built on the CAF / MSA data: the first
            one gives the GDPR art. 14 information.
        to_verify: what could not be checked against a stored text (shown « à vérifier »).
        requires_text: not a decision, but the letter's content is typed for the case (``motifs``).
    """

    code: str
    authority: Authority
    addressee: str
    legal_basis: str
    appealable: bool = False
    appeal: Appeal | None = None
    family_letter: bool = False
    to_verify: str = ""
    requires_text: bool = False

    @property
    def roles(self) -> frozenset[str]:
        return AUTHORITY_ROLES[self.authority]

    @property
    def needs_reasons(self) -> bool:
        return self.appealable or self.requires_text


TRIBUNAL = "le tribunal administratif territorialement compétent"
TWO_MONTHS = "code de justice administrative, article R421-1"
GRACIEUX_DASEN = (
    "un recours gracieux auprès du directeur académique des services de l'Éducation nationale ou un "
    "recours hiérarchique auprès du recteur d'académie, qui prolonge le délai du recours contentieux"
)
GRACIEUX_PREFET = (
    "un recours gracieux auprès du préfet ou un recours hiérarchique auprès du ministre de l'Intérieur, "
    "qui prolonge le délai du recours contentieux"
)

#: appeal of a DASEN decision with no compulsory prior appeal (mise en demeure: CAA Lyon 3 juin 2024
#: n° 23LY02549 reviews one; CE 20 mars 2023 n° 456984 for hors contrat schools)
DASEN_APPEAL = Appeal(court=TRIBUNAL, court_months=2, court_basis=TWO_MONTHS, optional_appeal=GRACIEUX_DASEN)
#: refusal of home instruction: RAPO within 15 days to the commission presided by the recteur, which
#: decides within one month; the court only after it (D131-11-10, décret 2022-849)
IEF_REFUSAL_APPEAL = Appeal(
    court=TRIBUNAL,
    court_months=2,
    court_basis=TWO_MONTHS,
    prior_authority="la commission présidée par le recteur d'académie (commission académique)",
    prior_days=15,
    prior_basis="code de l'éducation, article D131-11-10",
)
PREFECT_APPEAL = Appeal(
    court=TRIBUNAL, court_months=2, court_basis=TWO_MONTHS, optional_appeal=GRACIEUX_PREFET
)

A = Authority
SPECS: dict[str, LetterSpec] = {
    spec.code: spec
    for spec in (
        # The mairie's letters (the maire keeps the list and watches over the obligation: L131-6).
        LetterSpec(
            "information", A.COMMUNE, "la famille",
            "code de l'éducation, articles L131-1, L131-5 et L131-6 ; RGPD, article 14", family_letter=True,
        ),
        LetterSpec(
            "convocation", A.COMMUNE, "la famille",
            "code de l'éducation, articles L131-1 et L131-6 ; RGPD, article 14", family_letter=True,
        ),
        LetterSpec(
            "enquete_mairie", A.COMMUNE, "le dossier de la mairie (formulaire rempli lors de l'enquête)",
            "code de l'éducation, article L131-10 (rédaction en vigueur depuis le 1er septembre 2022)",
        ),
        LetterSpec(
            "resultat_enquete_mairie", A.COMMUNE, "la famille et le DASEN",
            "code de l'éducation, article L131-10 (le résultat est communiqué au DASEN et aux personnes "
            "responsables de l'enfant)",
            requires_text=True,
        ),
        LetterSpec(
            "signalement_procureur", A.COMMUNE, "le procureur de la République",
            "code de procédure pénale, article 40 ; code pénal, article 227-17-1",
        ),
        # The DSDEN's acts: the DASEN is the « autorité de l'État compétente en matière d'éducation ».
        LetterSpec(
            "avertissement", A.DSDEN, "la famille",
            "code de l'éducation, articles L131-8 et R131-7",
            to_verify="caractère de décision susceptible de recours de l'avertissement",
        ),
        LetterSpec(
            "mise_en_demeure", A.DSDEN, "la famille",
            "code de l'éducation, articles L131-5 et L131-10 ; code pénal, article 227-17-1 ; "
            "instruction du 5 janvier 2023 (instance départementale)",
            appealable=True, appeal=DASEN_APPEAL,
        ),
        LetterSpec(
            "mise_en_demeure_parents", A.DSDEN, "les parents d'un enfant accueilli",
            "code de l'éducation, articles L442-2 et L441-3-1 ; code pénal, article 227-17-1",
            appealable=True, appeal=DASEN_APPEAL,
        ),
        LetterSpec(
            "mise_en_demeure_directeur", A.DSDEN, "le directeur de l'établissement",
            "code de l'éducation, article L442-2 ; CE 20 mars 2023 n° 456984 (mise en demeure précise et "
            "circonstanciée)",
            appealable=True, appeal=DASEN_APPEAL,
        ),
        LetterSpec(
            "ief_autorisation", A.DSDEN, "la famille",
            "code de l'éducation, articles L131-5 et R131-11 et suivants (validité : une année scolaire, "
            "jusqu'à trois pour l'état de santé ou le handicap)",
        ),
        LetterSpec(
            "ief_refus", A.DSDEN, "la famille",
            "code de l'éducation, articles L131-5, R131-11 et suivants, D131-11-10",
            appealable=True, appeal=IEF_REFUSAL_APPEAL,
        ),
        LetterSpec(
            "retrait_autorisation_ief", A.DSDEN, "la famille",
            "code de l'éducation, articles L131-5 et L131-10",
            appealable=True, appeal=DASEN_APPEAL,
            to_verify="recours administratif préalable obligatoire contre un retrait (D131-11-10 "
            "vise les refus)",
        ),
        # The préfet's acts on a school or a place (the rule table links the children's cases).
        LetterSpec(
            "arrete_fermeture_ecole_de_fait", A.PREFECTURE, "la personne qui accueille les enfants",
            "code de l'éducation, articles L441-3-1 et L441-4 (loi 2021-1109, article 53)",
            appealable=True, appeal=PREFECT_APPEAL,
        ),
        LetterSpec(
            "fermeture_etablissement", A.PREFECTURE, "le directeur de l'établissement",
            "code de l'éducation, article L442-2 IV ; code pénal, article 227-17-1 alinéa 3",
            appealable=True, appeal=PREFECT_APPEAL,
        ),
        LetterSpec(
            "opposition_ouverture", A.PREFECTURE, "le déclarant de l'établissement",
            "code de l'éducation, article L441-1 (opposition dans les trois mois)",
            appealable=True, appeal=PREFECT_APPEAL,
            to_verify="autorité qui forme l'opposition (L441-1 en nomme plusieurs : maire, DASEN, préfet, "
            "procureur) et juridiction du recours",
        ),
    )
}  # fmt: skip


def spec(code: str) -> LetterSpec:
    return SPECS[code]


def kinds_for_role(role: str) -> list[str]:
    """The kinds of letters a role may produce (and, for the State's, edit)."""
    return [code for code, s in SPECS.items() if role in s.roles]
