"""What a crossing returns: plain typed dataclasses, no framework types."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd


class Status(StrEnum):
    """Outcome of a child of the children files (the values are the words the files use)."""

    MATCHED = "rapproche"
    UNCERTAIN = "incertain"
    UNFOUND = "non_trouve"
    OUT_OF_SCOPE = "hors_obligation"


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
        levels: comparison name -> French label of the level it reached ("date identique"...).
    """

    source: str
    identifiant: str
    nom: str
    prenoms: str
    date_naissance: str
    etablissement: str
    match_weight: float
    match_probability: float
    levels: dict[str, str]


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
        model: the trained Splink model, to explain a decision and replay the run.
        thresholds: the match weights that separate the statuses.
        school_year: e.g. "2026-2027".
        timings: seconds per step.
    """

    children: pd.DataFrame
    matches: pd.DataFrame
    model: dict[str, Any]
    thresholds: dict[str, float]
    school_year: str
    timings: Timings

    def count(self, status: Status) -> int:
        return int((self.children["statut"] == status.value).sum())

    def outcomes(self) -> Iterator[ChildOutcome]:
        """The children one by one as dataclasses (for library users; the CLI writes the frame)."""
        for row in self.children.itertuples(index=False):
            candidate = None
            if getattr(row, "candidat_identifiant", ""):
                candidate = Candidate(
                    source=row.candidat_source,
                    identifiant=row.candidat_identifiant,
                    nom=row.candidat_nom,
                    prenoms=row.candidat_prenoms,
                    date_naissance=row.candidat_date_naissance,
                    etablissement=row.candidat_etablissement,
                    match_weight=float(row.poids),
                    match_probability=float(row.score),
                    levels=_parse_levels(row.niveaux),
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


def _parse_levels(text: str) -> dict[str, str]:
    if not text:
        return {}
    return dict(part.split(" : ", 1) for part in text.split(" ; "))
