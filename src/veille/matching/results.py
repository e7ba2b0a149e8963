"""What a crossing returns: plain typed dataclasses, no framework types."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from veille.matching.monthly import MonthlyState
    from veille.matching.vanishing import VanishedSchool


class Status(StrEnum):
    """Outcome of a child of the children files (the values are the words the files use)."""

    MATCHED = "rapproche"
    UNCERTAIN = "incertain"
    UNFOUND = "non_trouve"
    OUT_OF_SCOPE = "hors_obligation"


class Agreement(StrEnum):
    """How far a comparison level says two records agree (the values are the words the pages use)."""

    AGREE = "accord"
    PARTIAL = "partiel"
    DISAGREE = "desaccord"
    MISSING = "absent"


@dataclass(frozen=True)
class Level:
    """The level a pair reached on one comparison.

    Attributes:
        comparison: the comparison's name (``nom``, ``prenom``, ``date_naissance``…).
        gamma: the level's number in the model (-1 a missing value, 0 the "different" level, the
            highest the exact agreement).
        label: the level in French ("date identique", "jour et mois inversés"…).
        agreement: read from the level's place in its comparison, never from its wording: the first
            (most specific) level agrees, the last ("else") level disagrees, the levels between agree in
            part, the null level is a missing value.
    """

    comparison: str
    gamma: int
    label: str
    agreement: Agreement


#: comparison name -> gamma -> level, for every level of every comparison of a model
LevelScale = dict[str, dict[int, Level]]

#: the level of a comparison absent from the model of a pair (a pair forced by a person's decision)
UNKNOWN_GAMMA = -2


def level_scale(comparisons: list[dict[str, Any]]) -> LevelScale:
    """Every level of every comparison, from the comparisons of a saved model.

    Args:
        comparisons: per comparison, its ``output_column_name`` and its ``comparison_levels`` in the
            model's order (most specific first), each with ``label_for_charts`` and ``is_null_level``.
    """
    scale: LevelScale = {}
    for comparison in comparisons:
        name = comparison["output_column_name"]
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        top = len(levels) - 1
        # Levels are numbered from the most specific (highest gamma) down to 0, the "else" level.
        by_gamma = {
            top - i: Level(
                name,
                top - i,
                lvl.get("label_for_charts", ""),
                Agreement.AGREE if i == 0 else Agreement.DISAGREE if i == top else Agreement.PARTIAL,
            )
            for i, lvl in enumerate(levels)
        }
        by_gamma[-1] = Level(name, -1, "valeur absente", Agreement.MISSING)
        by_gamma[UNKNOWN_GAMMA] = Level(name, UNKNOWN_GAMMA, "?", Agreement.MISSING)
        scale[name] = by_gamma
    return scale


def levels_of(scale: LevelScale, gammas: dict[str, int]) -> tuple[Level, ...]:
    """The levels of one pair, in the model's order of comparisons; gamma columns missing are skipped."""
    return tuple(
        by_gamma.get(gammas[name], by_gamma[UNKNOWN_GAMMA])
        for name, by_gamma in scale.items()
        if name in gammas
    )


def levels_text(levels: tuple[Level, ...]) -> str:
    """The levels in one line of the result files: ``"nom : nom identique ; prenom : …"``."""
    return " ; ".join(f"{level.comparison} : {level.label}" for level in levels)


@dataclass(frozen=True)
class PairDecision:
    """A person's verdict on a child and a schooling record, applied by every later crossing.

    Attributes:
        organisme: the child's organisation (CAF, MSA).
        identifiant: the child's id in the children file.
        source: the record's source (ONDE, SIECLE …).
        source_identifiant: the record's id in its source.
        same: True for "même enfant" (the pair is matched), False for "enfant différent" (never again).
    """

    organisme: str
    identifiant: str
    source: str
    source_identifiant: str
    same: bool


@dataclass(frozen=True)
class Candidate:
    """The schooling record that best matches a child, and why.

    Attributes:
        source: ONDE, SIECLE, PRIVE, CNED, IEF, MEDICO_SOCIAL or AUTRE.
        identifiant: the record's id in its source.
        match_weight: log2 Bayes factor of the match (positive means more likely the same child).
        match_probability: the model's probability that it is the same child.
        levels: the level reached on each comparison, in the model's order.
    """

    source: str
    identifiant: str
    nom: str
    prenoms: str
    date_naissance: str
    etablissement: str
    match_weight: float
    match_probability: float
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class ChildOutcome:
    """One child of the children files and what the crossing concluded."""

    organisme: str
    identifiant: str
    nom: str
    prenoms: str
    date_naissance: str
    sexe: str
    adresse: str
    statut: Status
    motif: str
    candidate: Candidate | None


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each step."""

    steps: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.steps.values())


@dataclass(frozen=True)
class CrossingResult:
    """Everything a crossing produced.

    Attributes:
        children: one row per child of the children files with its ``statut``, ``motif``, ``score``
            (match probability of the retained or best candidate) and candidate columns
            (``candidat_*``), in the order of the input.
        matches: one row per accepted match (a child may have several records, e.g. ONDE and CNED),
            with its ``match_weight``, ``match_probability`` and one French level label per comparison.
            The children frame also carries one ``gamma_<comparison>`` column per comparison (the
            level of the retained or nearest candidate, ``UNKNOWN_GAMMA`` without one), which
            ``levels`` turns into :class:`Level` values.
        model: the trained Splink model, to explain a decision and replay the run.
        thresholds: the match weights that separate the statuses.
        school_year: e.g. "2026-2027".
        timings: seconds per step.
        levels: every level of every comparison of the model.
        state: what a later month's crossing reuses (``veille.matching.monthly``).
        vanished: in a monthly update, the schools that lost most of last month's records
            (``veille.matching.vanishing``): a schooling file missing, most likely.
    """

    children: pd.DataFrame
    matches: pd.DataFrame
    model: dict[str, Any]
    thresholds: dict[str, float]
    school_year: str
    timings: Timings
    levels: LevelScale = field(default_factory=dict)
    state: MonthlyState | None = None
    vanished: list[VanishedSchool] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return int((self.children["statut"] == status.value).sum())

    def outcomes(self) -> Iterator[ChildOutcome]:
        """The children one by one as dataclasses (for library users; the CLI writes the frame)."""
        gamma_columns = [f"gamma_{name}" for name in self.levels if f"gamma_{name}" in self.children]
        gammas = self.children[gamma_columns].to_numpy() if gamma_columns else None
        names = [column.removeprefix("gamma_") for column in gamma_columns]
        for position, row in enumerate(self.children.itertuples(index=False)):
            candidate = None
            if getattr(row, "candidat_identifiant", ""):
                reached = (
                    {}
                    if gammas is None
                    else {name: int(g) for name, g in zip(names, gammas[position], strict=True)}
                )
                candidate = Candidate(
                    source=row.candidat_source,
                    identifiant=row.candidat_identifiant,
                    nom=row.candidat_nom,
                    prenoms=row.candidat_prenoms,
                    date_naissance=row.candidat_date_naissance,
                    etablissement=row.candidat_etablissement,
                    match_weight=float(row.poids),
                    match_probability=float(row.score),
                    levels=levels_of(self.levels, reached),
                )
            yield ChildOutcome(
                organisme=row.organisme,
                identifiant=row.identifiant,
                nom=row.nom,
                prenoms=row.prenoms,
                date_naissance=row.date_naissance,
                sexe=row.sexe,
                adresse=row.adresse,
                statut=Status(row.statut),
                motif=row.motif,
                candidate=candidate,
            )
