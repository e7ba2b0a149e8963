"""The crossing: which children of the CAF/MSA files appear in no schooling file.

The public face of the engine is one function, :func:`cross`, and for all the communes of a
department at once, :func:`cross_department` (``veille.matching.department``):

Examples:
    >>> from veille.sources import read_children_files, read_schooling_files
    >>> from veille.matching import cross
    >>> result = cross(read_children_files(["enfants.csv"]).table,
    ...                read_schooling_files(["onde.csv"]).table,
    ...                school_year="2026-2027")  # doctest: +SKIP
    >>> result.count(Status.UNFOUND)  # doctest: +SKIP
    3

Steps: standardise identities (``veille.identity``), score candidate pairs with a probabilistic model
(``comparisons`` says what is compared, ``training`` learns it from the shipped prior and the files
themselves, ``scoring`` weighs the pairs in DuckDB as Splink would), assign each schooling record to at
most one child (``assignment``), then give each child a status (``classification``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from veille.compulsory import SchoolYear, compulsory_mask
from veille.identity.features import FeatureMemo
from veille.matching import feedback
from veille.matching.assignment import assign_one_to_one, prefetch_solver
from veille.matching.backends import DUCKDB, SPARK, BackendUnavailable, check_spark
from veille.matching.classification import Thresholds, classify
from veille.matching.comparisons import comparisons_for
from veille.matching.department import CommuneChildren, CommuneResult, DepartmentResult, cross_department
from veille.matching.model import Model, prior
from veille.matching.monthly import (
    CHILD_IDENTITY,
    CHILD_KEY,
    RECORD_IDENTITY,
    RECORD_KEY,
    MonthlyState,
    RowFacts,
    fingerprints,
    key_hashes,
    merge,
    plan,
    settle,
    standardised,
    state_of,
)
from veille.matching.results import (
    UNKNOWN_GAMMA,
    Agreement,
    Candidate,
    ChildOutcome,
    CrossingResult,
    Level,
    LevelScale,
    PairDecision,
    Status,
    Timings,
    level_scale,
    levels_of,
    levels_text,
)
from veille.matching.scoring import PairEngine
from veille.matching.training import prior_model, train
from veille.matching.vanishing import VanishedSchool, vanished_schools

__all__ = [
    "Agreement",
    "BackendUnavailable",
    "Candidate",
    "ChildOutcome",
    "CommuneChildren",
    "CommuneResult",
    "CrossingResult",
    "DepartmentResult",
    "Level",
    "MonthlyState",
    "PairDecision",
    "Status",
    "Thresholds",
    "VanishedSchool",
    "cross",
    "cross_department",
]

#: Match weight given to a pair a person declared the same child: above any threshold, and above any
#: competing pair, so that the assignment keeps it.
DECIDED_SAME_WEIGHT = 60.0
DECIDED_SAME_REASON = "rapprochement confirmé par la cellule"


def cross(
    children: pd.DataFrame,
    schooling: pd.DataFrame,
    *,
    school_year: str | SchoolYear,
    thresholds: Thresholds | None = None,
    progress: Callable[[str], None] | None = None,
    model: dict[str, Any] | None = None,
    seed: int = 42,
    decisions: Iterable[PairDecision] | None = None,
    previous: MonthlyState | None = None,
    backend: str = DUCKDB,
    child_offsets: np.ndarray | None = None,
) -> CrossingResult:
    """Cross the children files with the schooling files.

    Args:
        children: the table of ``veille.sources.read_children_files``.
        schooling: the table of ``veille.sources.read_schooling_files``.
        school_year: the school year whose compulsory-instruction ages apply, e.g. "2026-2027".
        thresholds: match weights separating the statuses (defaults tuned on synthetic communes).
        progress: called with a French label at the start of each step.
        model: a saved model (``CrossingResult.model``) to replay a run instead of training anew.
        seed: seed of the model's random sampling, for reproducible runs.
        decisions: people's verdicts on (child, record) pairs: a pair declared different is never
            matched, a pair declared the same is matched (whatever the model says). Decisions naming
            a child or a record absent from the tables are ignored.
        previous: last month's state (``CrossingResult.state``): its model is reused (unless ``model``
            is given) and only the pairs of new or changed children and records are scored
            (``veille.matching.monthly``).
        backend: where the pairs are compared, ``"duckdb"`` (in this process, the default) or
            ``"spark"`` (a local Spark, or the cluster of ``spark-submit``: ``docs/echelle.md``); the
            same model, the same results. Raises ``BackendUnavailable`` (in French) when Spark
            cannot start here (no Java, no pyspark).
        child_offsets: bits taken off every pair of each child (one value per row of ``children``),
            on top of the model's size offset: the departmental run gives each commune's children the
            offset of that commune's own share of the files (``veille.matching.department``).

    Returns:
        A :class:`CrossingResult`: every child with its status, the accepted matches, the model.
    """
    year = school_year if isinstance(school_year, SchoolYear) else SchoolYear.parse(school_year)
    thresholds = thresholds or Thresholds()
    say = progress or (lambda _label: None)
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 3)
        clock = now

    say("Normalisation des identités")
    # Row positions are the ids; the tables are only read, so a table numbered so already is used
    # as it is (renumbering copies every column).
    children, schooling = _numbered(children), _numbered(schooling)
    # Each row's identity fingerprint: what next month recognises it by, and this month last month's.
    child_prints = fingerprints(children, CHILD_IDENTITY)
    record_prints = fingerprints(schooling, RECORD_IDENTITY)
    child_keys, record_keys = key_hashes(children, CHILD_KEY), key_hashes(schooling, RECORD_KEY)
    memo: FeatureMemo = {}
    left = standardised(
        children, claimant=True, previous=previous, prints=child_prints, keys=child_keys, memo=memo
    )
    right = standardised(
        schooling, claimant=False, previous=previous, prints=record_prints, keys=record_keys, memo=memo
    )
    del memo
    lap("normalisation")

    national_id = bool(left["ine"].null_count < len(left) and right["ine"].null_count < len(right))
    if previous is not None:
        model = model or previous.model
    if backend == SPARK:
        check_spark()
    monthly = None
    with PairEngine(left, right, comparisons_for(national_id=national_id), backend=backend) as engine:
        lap("chargement")
        if model is not None:
            trained = Model.from_dict(model)
        else:
            say("Apprentissage du modèle")
            trained = _train(engine, seed)
            lap("apprentissage")
        facts = RowFacts(engine.term_frequencies(), *engine.open_blocks())
        if previous is not None:
            monthly = plan(
                children,
                schooling,
                previous,
                facts=facts,
                child_prints=child_prints,
                record_prints=record_prints,
                child_keys=child_keys,
                record_keys=record_keys,
            )
            monthly = settle(
                monthly,
                engine.reweigh(trained, monthly.reused),
                previous,
                facts.child_tf,
                trained.tf_weight,
                shown=thresholds.shown,
                keep=thresholds.uncertain,
            )
            lap("reprise du mois precedent")
        say("Comparaison des paires candidates")
        prefetch_solver()
        engine.build_candidates(
            only=None if monthly is None else (monthly.children_to_score, monthly.records_to_score)
        )
        scored = engine.score(trained, shown=thresholds.shown, keep=thresholds.uncertain)
    pairs, n_candidates = scored.pairs, scored.n_candidates
    left_out = np.full(len(children), np.nan)
    left_out[scored.dropped.index.to_numpy(np.int64)] = scored.dropped.to_numpy()
    if monthly is not None and previous is not None:
        pairs, trimmed = merge(monthly.reused, pairs, thresholds.uncertain, thresholds.shown)
        if monthly.left_out is not None:
            left_out = np.fmax(left_out, monthly.left_out)
        where = trimmed.index.to_numpy(np.int64)
        left_out[where] = np.fmax(left_out[where], trimmed.to_numpy())
        # The pairs left out last month are not known one by one: their count follows the kept ones.
        n_candidates = round(previous.n_candidates * len(pairs) / max(len(previous.pairs), 1))
    if child_offsets is not None and len(pairs):
        pairs = pairs.assign(
            match_weight=pairs["match_weight"].to_numpy() - child_offsets[pairs["child_uid"].to_numpy()]
        )
    # What next month reuses: the model's pairs, before this run's rules and people's decisions.
    raw_pairs = pairs
    lap("comparaison")

    say("Attribution des dossiers et classement")
    labels = level_labels(trained)
    pairs = _full_agreement_is_a_match(pairs, trained, thresholds)
    confirmed: set[tuple[int, int]] = set()
    saved = trained.as_dict()
    if decisions is not None:
        confirmed, different = _resolve_decisions(children, schooling, list(decisions))
        pairs, learnt = _learn_from_decisions(pairs, confirmed, different, trained, thresholds)
        saved["veille"]["apprentissage_decisions"] = learnt
        pairs = _apply_decisions(pairs, confirmed, different)
    pairs["source"] = schooling["source"].to_numpy()[pairs["record_uid"].to_numpy()]
    assigned = assign_one_to_one(pairs, min_weight=thresholds.uncertain, confident=thresholds.match)
    compulsory = compulsory_mask(children["date_naissance"], year).to_numpy()
    decided = classify(len(children), compulsory, pairs, assigned, thresholds)
    if confirmed:
        retained = list(zip(decided.index, decided["record_uid"], strict=True))
        by_person = np.array([pair in confirmed for pair in retained], dtype=bool)
        decided.loc[by_person & compulsory, "motif"] = DECIDED_SAME_REASON
    prior_odds = _candidate_prior(len(assigned), n_candidates)
    table = _children_table(children, schooling, decided, pairs, labels, prior_odds)
    matches = _matches_table(children, schooling, assigned, thresholds, labels, prior_odds)
    vanished = [] if previous is None else vanished_schools(previous.records, schooling)
    state = state_of(
        children,
        schooling,
        decided["statut"].to_numpy(),
        raw_pairs,
        trained.as_dict(),
        str(year),
        n_candidates,
        left=left,
        right=right,
        facts=facts,
        left_out=left_out,
        child_fingerprints=child_prints,
        record_fingerprints=record_prints,
        child_keys=child_keys,
        record_keys=record_keys,
    )
    lap("classement")
    return CrossingResult(
        children=table,
        matches=matches,
        model=saved,
        thresholds=thresholds.as_dict(),
        school_year=str(year),
        timings=Timings(steps),
        levels=labels,
        state=state,
        vanished=vanished,
    )


def _numbered(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its rows numbered from 0, as they come."""
    if isinstance(table.index, pd.RangeIndex) and table.index.start == 0 and table.index.step == 1:
        return table
    return table.reset_index(drop=True)


def _train(engine: PairEngine, seed: int) -> Model:
    """The commune's model; the shipped prior alone when the files teach nothing (with a warning)."""
    failures: tuple[type[BaseException], ...] = (
        *engine.errors,
        ValueError,
        FloatingPointError,
        ZeroDivisionError,
    )
    try:
        return train(engine, prior(), seed=seed)
    except failures as error:
        return prior_model(engine, prior(), why=f"erreur de calcul : {type(error).__name__}")


def level_labels(model: Model) -> LevelScale:
    """For each comparison, its gamma value -> level (French label, agreement)."""
    return level_scale(model.as_dict()["comparisons"])


#: Why a pair agreeing on every field is matched whatever its weight.
FULL_AGREEMENT_FIELDS = ("nom", "prenom", "date_naissance")


def _full_agreement_is_a_match(pairs: pd.DataFrame, model: Model, thresholds: Thresholds) -> pd.DataFrame:
    """A pair that agrees on every field it has (name, first name and date at least) is a match.

    Such a pair is the child's own record but for a twin born the same day under the same first name,
    which the children files would not hold twice: a person asked to check it learns nothing. A weak
    model (a village's few pairs) must not send it to review.
    """
    if pairs.empty:
        return pairs
    agrees = np.ones(len(pairs), dtype=bool)
    for comparison in model.comparisons:
        gamma = pairs[f"gamma_{comparison.name}"].to_numpy()
        if comparison.name in FULL_AGREEMENT_FIELDS:
            agrees &= gamma == comparison.top
        else:
            agrees &= (gamma == comparison.top) | (gamma == -1)
    if agrees.any():
        pairs = pairs.copy()
        pairs.loc[agrees, "match_weight"] = np.maximum(pairs.loc[agrees, "match_weight"], thresholds.match)
    return pairs


def _resolve_decisions(
    children: pd.DataFrame, schooling: pd.DataFrame, decisions: list[PairDecision]
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The (child_uid, record_uid) declared the same, and those declared different."""
    child_uid = {
        key: uid for uid, key in enumerate(zip(children["organisme"], children["identifiant"], strict=True))
    }
    record_uid = {
        key: uid for uid, key in enumerate(zip(schooling["source"], schooling["identifiant"], strict=True))
    }
    different: set[tuple[int, int]] = set()
    same: set[tuple[int, int]] = set()
    for decision in decisions:
        child = child_uid.get((decision.organisme, decision.identifiant))
        record = record_uid.get((decision.source, decision.source_identifiant))
        if child is None or record is None:
            continue
        (same if decision.same else different).add((child, record))
    return same, different


def _learn_from_decisions(
    pairs: pd.DataFrame,
    same: set[tuple[int, int]],
    different: set[tuple[int, int]],
    model: Model,
    thresholds: Thresholds,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Correct the review band with what the decided pairs of the band teach (``feedback``)."""
    keys = list(zip(pairs["child_uid"].to_numpy(), pairs["record_uid"].to_numpy(), strict=True))
    weight = pairs["match_weight"].to_numpy()
    in_band = (weight >= thresholds.uncertain) & (weight < thresholds.match)
    decided = np.array([key in same or key in different for key in keys], dtype=bool) & in_band
    examples = pairs[decided].assign(same=[keys[i] in same for i in np.flatnonzero(decided)])
    correction = feedback.learn(examples, model.comparisons)
    if correction is None:
        return pairs, {
            "utilisees": False,
            "decisions_dans_la_zone_de_doute": int(decided.sum()),
            "minimum": feedback.MIN_DECISIONS,
        }
    corrected, matched, left = feedback.correct_band(
        pairs,
        same | different,
        correction,
        model.comparisons,
        uncertain=thresholds.uncertain,
        match=thresholds.match,
    )
    return corrected, {
        "utilisees": True,
        **correction.as_dict(),
        "paires_rapprochees_sans_relecture": matched,
        "paires_ecartees": left,
    }


def _apply_decisions(
    pairs: pd.DataFrame, same: set[tuple[int, int]], different: set[tuple[int, int]]
) -> pd.DataFrame:
    """Drop the pairs declared different, force the pairs declared the same.

    A pair declared the same that blocking did not propose is added, with unknown comparison levels.
    """
    if not same and not different:
        return pairs
    keys = list(zip(pairs["child_uid"].to_numpy(), pairs["record_uid"].to_numpy(), strict=True))
    is_different = np.array([key in different for key in keys], dtype=bool)
    is_same = np.array([key in same for key in keys], dtype=bool)
    pairs = pairs.copy()
    pairs.loc[is_same, "match_weight"] = np.maximum(
        pairs.loc[is_same, "match_weight"].to_numpy(), DECIDED_SAME_WEIGHT
    )
    pairs = pairs[~is_different]
    present = {key for key, flag in zip(keys, is_same, strict=True) if flag}
    missing = sorted(same - present)
    if missing:
        added = pd.DataFrame(
            {
                "child_uid": np.array([c for c, _ in missing], dtype=pairs["child_uid"].dtype),
                "record_uid": np.array([r for _, r in missing], dtype=pairs["record_uid"].dtype),
                "match_weight": DECIDED_SAME_WEIGHT,
            }
        )
        pairs = pd.concat([pairs, added], ignore_index=True)
    return pairs.reset_index(drop=True)


def _candidate_prior(n_assigned: int, n_pairs: int) -> float:
    """log2 prior odds that a candidate pair is the same child: the share of candidates assigned.

    The probability shown to agents is the evidence combined with this prior, which is about what a
    person means by "how likely is this record to be this child's", given the candidates there were.
    """
    rate = min(max(n_assigned / n_pairs, 1e-6), 1 - 1e-6) if n_pairs else 0.5
    return float(np.log2(rate / (1 - rate)))


def _probability(weight: np.ndarray, prior: float) -> np.ndarray:
    return np.round(1.0 / (1.0 + np.power(2.0, -(weight + prior))), 4)


def _gammas(frame: pd.DataFrame, scale: LevelScale) -> pd.DataFrame:
    """The gamma column of each comparison; a pair without one (forced by a decision) is unknown."""
    columns = {}
    for name in scale:
        column = f"gamma_{name}"
        values = frame[column] if column in frame else pd.Series(UNKNOWN_GAMMA, index=frame.index)
        columns[column] = values.fillna(UNKNOWN_GAMMA).astype(np.int8)
    return pd.DataFrame(columns, index=frame.index)


def _levels_text(gammas: pd.DataFrame, scale: LevelScale) -> np.ndarray:
    """One line per pair for the result files, from the same levels the typed outcomes carry."""
    names = [column.removeprefix("gamma_") for column in gammas.columns]
    values = gammas.to_numpy(np.int64) - UNKNOWN_GAMMA
    # Few distinct combinations of levels: each one's text is made once, found by one integer per
    # pair (a gamma is a few bits) where the levels fit in 63 bits.
    width = max(int(values.max(initial=0)).bit_length(), 1)
    if width * values.shape[1] <= 63:
        codes = (values << (width * np.arange(values.shape[1], dtype=np.int64))).sum(axis=1)
        which = pd.factorize(codes)[0]
    else:
        which = np.unique(values, axis=0, return_inverse=True)[1].reshape(-1)
    first = np.unique(which, return_index=True)[1]
    combinations = values[first] + UNKNOWN_GAMMA
    text = np.empty(len(combinations), dtype=object)
    text[:] = [
        levels_text(levels_of(scale, dict(zip(names, row.tolist(), strict=True)))) for row in combinations
    ]
    # Spread by NumPy, not a list of 100,000 lines made in Python.
    return text[which]


def _children_table(
    children: pd.DataFrame,
    schooling: pd.DataFrame,
    decided: pd.DataFrame,
    pairs: pd.DataFrame,
    scale: LevelScale,
    prior: float,
) -> pd.DataFrame:
    # A new frame already: copying it again was a third of the table's time.
    table = children.drop(columns=["fichier", "ligne"], errors="ignore")
    table["statut"] = decided["statut"].to_numpy()
    record = decided["record_uid"].to_numpy()
    has = record >= 0
    safe = np.where(has, record, 0)
    weight = decided["match_weight"].to_numpy()
    table["poids"] = np.where(has, np.round(weight, 2), np.nan)
    table["score"] = np.where(has, _probability(weight, prior), np.nan)
    table["motif"] = decided["motif"].to_numpy()
    for column in ("source", "identifiant", "nom", "prenoms", "date_naissance", "etablissement"):
        values = schooling[column].to_numpy()[safe] if len(schooling) else np.full(len(table), "")
        table[f"candidat_{column}"] = np.where(has, values, "")
    # Each child's retained pair among the pairs, by one integer per pair (a pair is there once).
    width = max(len(schooling), 1)
    codes = pairs["child_uid"].to_numpy(np.int64) * width + pairs["record_uid"].to_numpy(np.int64)
    where = pd.Index(codes).get_indexer(np.flatnonzero(has) * width + record[has])
    chosen = pairs.iloc[np.maximum(where, 0)].reset_index(drop=True)
    if (where < 0).any():
        chosen = chosen.astype({c: np.float64 for c in chosen if c.startswith("gamma_")})
        chosen.loc[where < 0, :] = np.nan
    gammas = _gammas(chosen, scale)
    levels = np.full(len(table), "", dtype=object)
    if has.any():
        levels[has] = _levels_text(gammas, scale)
    table["niveaux"] = levels
    for column in gammas.columns:
        values = np.full(len(table), UNKNOWN_GAMMA, dtype=np.int8)
        values[has] = gammas[column].to_numpy()
        table[column] = values
    return table


def _matches_table(
    children: pd.DataFrame,
    schooling: pd.DataFrame,
    assigned: pd.DataFrame,
    thresholds: Thresholds,
    scale: LevelScale,
    prior: float,
) -> pd.DataFrame:
    accepted = assigned[assigned["match_weight"] >= thresholds.match]
    # By child, then weight, ties in their order (the stable sort of ``sort_values`` on two columns).
    accepted = accepted.iloc[
        np.lexsort((accepted["match_weight"].to_numpy(), accepted["child_uid"].to_numpy()))
    ]
    child = accepted["child_uid"].to_numpy()
    record = accepted["record_uid"].to_numpy()
    out = pd.DataFrame(
        {
            "organisme": children["organisme"].to_numpy()[child],
            "identifiant": children["identifiant"].to_numpy()[child],
            "nom": children["nom"].to_numpy()[child],
            "prenoms": children["prenoms"].to_numpy()[child],
            "date_naissance": children["date_naissance"].to_numpy()[child],
            "source": schooling["source"].to_numpy()[record],
            "source_identifiant": schooling["identifiant"].to_numpy()[record],
            "source_nom": schooling["nom"].to_numpy()[record],
            "source_prenoms": schooling["prenoms"].to_numpy()[record],
            "source_date_naissance": schooling["date_naissance"].to_numpy()[record],
            "etablissement": schooling["etablissement"].to_numpy()[record],
            "uai": schooling["uai"].to_numpy()[record],
            "poids": np.round(accepted["match_weight"].to_numpy(), 2),
            "score": _probability(accepted["match_weight"].to_numpy(), prior),
        }
    )
    out["niveaux"] = _levels_text(_gammas(accepted.reset_index(drop=True), scale), scale)
    return out
