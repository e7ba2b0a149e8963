"""A departmental run: one crossing for all the communes of a department, split per commune.

The departmental body for the prevention of school avoidance (created by L131-5-2, organised by
D131-4-1) fosters the crossing of the communes', the département's, CAF/MSA's and DSDEN's information;
whether it holds and crosses the communes' CAF/MSA lists itself is to be verified (docs/echelle.md).
Where those lists are gathered, the DSDEN extracts ONDE and SIECLE for the whole department. Crossing
each commune alone against those extracts repeats the department-wide work once per commune, and lets
two communes both claim a pupil's record (a child on the CAF list of one commune whose homonym of
another commune is the real pupil). One crossing of all the communes at once:

- compares each child with the whole department's schooling (a child schooled in another commune's
  school is found), with one model learnt on the whole department (a village gets the department's
  evidence, not only its own few pairs). Each child meets the strangers of the whole department, as
  when its commune is crossed alone: its pairs lose the size offset of its own commune's share of
  the files (``training.size_offset``), not the smaller one of all the communes together;
- gives each schooling record to at most one child of the whole department (``assignment``, per
  source, as in a commune's crossing): the pupil goes to the child it fits best, whatever the commune;
- splits the result per commune: each commune's :class:`CommuneResult` holds only its own children
  and their matches. The nearest record of a child left unfound is not shown when it was given to a
  child of another commune (that pupil is someone else's, confirmed there): the child's status and
  reason say so, without naming the pupil.

What stays out of a commune's result: the other communes' children, and the monthly state
(``CrossingResult.state`` is ``None``): it would carry the normalised identities of every pupil of
the department. The monthly update of a departmental run is the departmental run again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from veille.compulsory import SchoolYear
from veille.matching.backends import DUCKDB
from veille.matching.classification import Thresholds
from veille.matching.results import UNKNOWN_GAMMA, CrossingResult, PairDecision, Status, Timings
from veille.matching.training import WIDER_THAN_COMMUNE

#: a commune's INSEE code: department (2 digits, 2A/2B, or 97x overseas) and commune number
INSEE_CODE = re.compile(r"^(?:\d{2}|2[AB])\d{3}$")

#: the reason of an unfound child whose nearest record went to a child of another commune
TAKEN_ELSEWHERE_REASON = (
    "le dossier le plus proche correspond mieux à un enfant d'une autre commune du département "
    "(il n'est pas montré)"
)

#: separates the commune's position from a child's identifier while the communes are crossed together
_SEPARATOR = "\x1f"
_CANDIDATE_COLUMNS = (
    "candidat_source",
    "candidat_identifiant",
    "candidat_nom",
    "candidat_prenoms",
    "candidat_date_naissance",
    "candidat_etablissement",
    "niveaux",
)


@dataclass(frozen=True)
class CommuneChildren:
    """The children files of one commune of the department.

    Attributes:
        code: the commune's INSEE code (``59350``, ``2A004``, ``97411``).
        children: its table, from ``veille.sources.read_children_files``.
        name: the commune's name, for the summaries.
        decisions: the commune's cell's verdicts on (child, record) pairs (``cross(decisions=…)``).
    """

    code: str
    children: pd.DataFrame
    name: str = ""
    decisions: Sequence[PairDecision] = ()


@dataclass(frozen=True)
class CommuneResult:
    """One commune's share of a departmental run.

    Attributes:
        code: the commune's INSEE code.
        name: its name.
        result: its children only, in the order of its files, and their matches: what ``veille
            croiser`` writes for a commune (``veille.outputs.write_outputs``); ``state`` is ``None``.
        withheld_candidates: the unfound children whose nearest record went to another commune's child
            (the record is not shown).
    """

    code: str
    name: str
    result: CrossingResult
    withheld_candidates: int = 0

    def count(self, status: Status) -> int:
        return self.result.count(status)


@dataclass(frozen=True)
class DepartmentResult:
    """A departmental run: each commune's result, and what the whole department shares.

    Attributes:
        communes: each commune's result by INSEE code, in the order given.
        model: the model learnt on the whole department (the same in every commune's result).
        thresholds: the match weights separating the statuses.
        school_year: e.g. "2026-2027".
        timings: seconds per step of the one crossing.
        n_records: how many schooling records the department's files hold.
        records_matched: how many of them were matched to a child (each to one child only).
        shared_children: children (organisme and identifier) listed by two communes or more.
    """

    communes: dict[str, CommuneResult]
    model: dict[str, Any]
    thresholds: dict[str, float]
    school_year: str
    timings: Timings
    n_records: int
    records_matched: int
    shared_children: int = 0
    by_source: dict[str, int] = field(default_factory=dict)

    def count(self, status: Status) -> int:
        """Children of the whole department with that status."""
        return sum(commune.count(status) for commune in self.communes.values())


def check_communes(communes: Sequence[CommuneChildren]) -> None:
    """Refuse, in French, communes without a valid and distinct INSEE code or without a child."""
    if not communes:
        raise ValueError("aucune commune n'est donnée : il faut les fichiers enfants d'au moins une commune.")
    seen: set[str] = set()
    for commune in communes:
        if not INSEE_CODE.match(commune.code):
            raise ValueError(
                f"« {commune.code} » n'est pas un code INSEE de commune (cinq caractères : le département "
                "sur deux chiffres, ou 2A/2B, puis trois chiffres ; par exemple 59350)."
            )
        if commune.code in seen:
            raise ValueError(
                f"la commune {commune.code} est donnée deux fois : donnez chaque commune une seule fois."
            )
        seen.add(commune.code)
        if commune.children.empty:
            raise ValueError(f"la commune {commune.code} n'a aucun enfant dans ses fichiers.")


def cross_department(
    communes: Sequence[CommuneChildren],
    schooling: pd.DataFrame,
    *,
    school_year: str | SchoolYear,
    thresholds: Thresholds | None = None,
    progress: Callable[[str], None] | None = None,
    model: dict[str, Any] | None = None,
    seed: int = 42,
    backend: str = DUCKDB,
) -> DepartmentResult:
    """Cross the children files of every commune of a department with the department's schooling.

    One crossing (``veille.matching.cross``) of all the communes' children against all the schooling
    records: one model, each record given to at most one child of the department, then the result
    split per commune (``CommuneResult``), each holding only its own children.

    Args:
        communes: each commune's code, children table and, optionally, its cell's decisions.
        schooling: the department's schooling table, from ``veille.sources.read_schooling_files``.
        school_year: the school year whose compulsory-instruction ages apply, e.g. "2026-2027".
        thresholds: match weights separating the statuses (``cross``'s defaults).
        progress: called with a French label at the start of each step.
        model: a saved model to replay a departmental run instead of training anew.
        seed: seed of the model's random sampling.
        backend: ``"duckdb"`` (default) or ``"spark"``, as for ``cross``.

    Returns:
        A :class:`DepartmentResult`, whose ``communes[code].result`` is that commune's crossing result.

    Raises:
        ValueError: a commune without a valid INSEE code, given twice, or without any child (French).

    Example:
        >>> from veille.matching import CommuneChildren, cross_department
        >>> run = cross_department(
        ...     [CommuneChildren("59901", caf_59901.table), CommuneChildren("59902", caf_59902.table)],
        ...     read_schooling_files(["onde_departement.csv", "siecle_departement.csv"]).table,
        ...     school_year="2026-2027",
        ... )  # doctest: +SKIP
        >>> run.communes["59901"].count(Status.UNFOUND)  # doctest: +SKIP
        12
    """
    from veille.matching import cross

    check_communes(communes)
    tags = [f"{position}{_SEPARATOR}" for position in range(len(communes))]
    tables = []
    for tag, commune in zip(tags, communes, strict=True):
        table = commune.children.reset_index(drop=True).copy()
        table["identifiant"] = tag + table["identifiant"].astype(str)
        tables.append(table)
    children = pd.concat(tables, ignore_index=True)
    position = np.repeat(np.arange(len(communes)), [len(table) for table in tables])
    decisions = [
        replace(decision, identifiant=tag + decision.identifiant)
        for tag, commune in zip(tags, communes, strict=True)
        for decision in commune.decisions
    ]
    crossed = cross(
        children,
        schooling,
        school_year=school_year,
        thresholds=thresholds,
        progress=progress,
        model=model,
        seed=seed,
        decisions=decisions or None,
        backend=backend,
        child_offsets=_commune_offsets(communes, schooling)[position],
    )
    table = crossed.children.reset_index(drop=True)
    matches = crossed.matches.reset_index(drop=True)
    match_position = matches["identifiant"].str.split(_SEPARATOR, n=1).str[0].astype(int).to_numpy()
    owner = _record_owners(table, position, matches, match_position)
    results: dict[str, CommuneResult] = {}
    for index, (tag, commune) in enumerate(zip(tags, communes, strict=True)):
        own = table[position == index].reset_index(drop=True)
        own["identifiant"] = own["identifiant"].str.slice(len(tag))
        own, withheld = _withhold_others_records(own, owner, index)
        own_matches = matches[match_position == index].reset_index(drop=True)
        own_matches["identifiant"] = own_matches["identifiant"].str.slice(len(tag))
        results[commune.code] = CommuneResult(
            commune.code,
            commune.name,
            replace(crossed, children=own, matches=own_matches, state=None),
            withheld,
        )
    keys = pd.DataFrame(
        {
            "organisme": children["organisme"].to_numpy(),
            "identifiant": [value.split(_SEPARATOR, 1)[1] for value in children["identifiant"]],
            "commune": position,
        }
    ).drop_duplicates()
    twice = keys.duplicated(["organisme", "identifiant"], keep=False)
    shared = len(keys.loc[twice, ["organisme", "identifiant"]].drop_duplicates())
    return DepartmentResult(
        communes=results,
        model=crossed.model,
        thresholds=crossed.thresholds,
        school_year=crossed.school_year,
        timings=crossed.timings,
        n_records=len(schooling),
        records_matched=int(matches[["source", "source_identifiant"]].drop_duplicates().shape[0]),
        shared_children=shared,
        by_source={str(k): int(v) for k, v in schooling["source"].value_counts().sort_index().items()},
    )


def _commune_offsets(communes: Sequence[CommuneChildren], schooling: pd.DataFrame) -> np.ndarray:
    """Per commune, the bits its pairs lose beyond the offset of all the communes together.

    ``training.size_offset`` for one commune: log2 of how much wider the files are than the records of
    the commune's postcodes (or without one), beyond ``WIDER_THAN_COMMUNE``. The model of the run takes
    off the offset of all the communes' postcodes together; each commune's children take off the rest.
    """
    records = schooling["code_postal"].astype(str).str.strip().to_numpy()
    total = len(records)

    def offset(postcodes: set[str]) -> float:
        own = max(int(sum(1 for code in records if code == "" or code in postcodes)), 1)
        return max(0.0, math.log2(total / own / WIDER_THAN_COMMUNE)) if total else 0.0

    each = [set(commune.children["code_postal"].astype(str).str.strip()) - {""} for commune in communes]
    together = offset(set().union(*each))
    return np.array([max(0.0, offset(codes) - together) for codes in each], dtype=float)


def _record_owners(
    table: pd.DataFrame, position: np.ndarray, matches: pd.DataFrame, match_position: np.ndarray
) -> dict[tuple[str, str], int]:
    """(source, identifier) of each record given to a child -> that child's commune position."""
    owner: dict[tuple[str, str], int] = {}
    held = table["statut"].isin([Status.MATCHED.value, Status.UNCERTAIN.value]).to_numpy()
    for source, ident, where in zip(
        table["candidat_source"].to_numpy()[held],
        table["candidat_identifiant"].to_numpy()[held],
        position[held],
        strict=True,
    ):
        owner[(source, ident)] = int(where)
    for source, ident, where in zip(
        matches["source"], matches["source_identifiant"], match_position, strict=True
    ):
        owner[(source, ident)] = int(where)
    return owner


def _withhold_others_records(
    own: pd.DataFrame, owner: Mapping[tuple[str, str], int], index: int
) -> tuple[pd.DataFrame, int]:
    """Blank the nearest record of an unfound child when a child of another commune holds it."""
    unfound = own["statut"].to_numpy() == Status.UNFOUND.value
    keys: Iterable[tuple[str, str]] = zip(own["candidat_source"], own["candidat_identifiant"], strict=True)
    elsewhere = np.array([owner.get(key, index) != index for key in keys], dtype=bool) & unfound
    if not elsewhere.any():
        return own, 0
    own = own.copy()
    for column in _CANDIDATE_COLUMNS:
        own.loc[elsewhere, column] = ""
    own.loc[elsewhere, ["poids", "score"]] = np.nan
    for column in [c for c in own.columns if c.startswith("gamma_")]:
        own.loc[elsewhere, column] = UNKNOWN_GAMMA
    own.loc[elsewhere, "motif"] = TAKEN_ELSEWHERE_REASON
    return own, int(elsewhere.sum())
