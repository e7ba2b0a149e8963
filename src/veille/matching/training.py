"""Learning a commune's model: u from random pairs, m by EM, both blended with the shipped prior.

- u (how often two different children agree at a level): counted on random pairs of a child and a
  record. Random pairs hold a few true pairs (one in a hundred in a village of 100 children), which
  would make agreeing on a name look common: the u of a comparison is counted on the random pairs
  that the other fields show to be different children (another birth date for the names and the
  address, another name for the date). The address is compared within a postcode: across a
  department, two records sharing an address share the postcode too, and counting that twice would
  let a neighbour of the same street pass for the child. The counts are blended with the prior's u
  (``U_PSEUDO_PAIRS``), so that a village's few random pairs do not decide alone.
- m (how often a child and its own record agree at a level): EM without labels, on the pattern
  counts of pairs blocked on some fields (``comparisons.TRAINING_PASSES``), each teaching the m of the
  comparisons reading none of the blocked fields. The estimate is blended with the prior's m in
  proportion to the pairs EM attributes to matches (``M_PSEUDO_MATCHES``): a village of 100 children
  keeps mostly the prior, a city mostly its own. When EM finds nothing to learn (no child matches,
  a degenerate file), the prior is used and the agent is told.
- The size of the files: with department-wide schooling files, each child of the commune meets
  twenty times more strangers than in the commune's own files. The evidence of a pair is taken down
  by log2 of how much larger the files are than the commune's own share of them (``size_offset``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from veille.matching.backends import DuckDBBackend
from veille.matching.comparisons import (
    ADDRESS,
    BIRTH_DATE,
    FIRST_NAME,
    POSTCODE,
    SURNAME,
    TRAINING_PASSES,
    Comparison,
    TrainingPass,
)
from veille.matching.model import Model, Prior
from veille.matching.scoring import CHILDREN, RECORDS, PairEngine

#: Random pairs sampled to count u: five per child, between these bounds (beyond, the counts hardly
#: move; below, the prior's u holds the rare levels steady). Sampling was a third of the time of a
#: crossing of 10,000 children at 400,000 pairs.
U_SAMPLE_MIN, U_SAMPLE_MAX, U_SAMPLE_PER_CHILD = 50_000, 200_000, 5
#: Weight of the prior's u, in random pairs.
U_PSEUDO_PAIRS = 5_000.0
#: Weight of the prior's m, in matched pairs: a commune's EM counts as much as the prior once it
#: attributes this many pairs to matches.
M_PSEUDO_MATCHES = 1_000.0
#: Records (both sides) from which a value's frequency means something: the term-frequency adjustment
#: applies in proportion below (a village of 100 children: a hundredth of it). In a village, a first
#: name written by the CAF and by the school counts 2 in 200, as "frequent" as a common one, and a
#: twin's close variant beat the twin's own exact first name.
TF_FULL_RECORDS = 20_000
#: EM passes whose expected matches fall below this teach nothing.
MIN_EM_MATCHES = 20.0
#: Files are wider than the commune when they hold more than this many records per record of the
#: commune's postcodes (commune-only files: about 1.15, the pupils of other communes at its schools;
#: department-wide: about 20). Measured on a commune of 6,000 children in a department of 120,000
#: pupils: without the offset, 2 strangers of other communes in 3 sent to review are named like the
#: child and born the same day, and one unschooled child was taken for a stranger's record.
WIDER_THAN_COMMUNE = 1.5

FALLBACK_WARNING = (
    "Le modèle n'a pas pu être appris sur ces fichiers ({why}) : le modèle livré avec Veille "
    "(appris sur des communes synthétiques) est utilisé tel quel. Vérifiez les résultats avec soin."
)


@dataclass(frozen=True)
class PassResult:
    """What one EM pass learnt: m of the comparisons it could learn, and how many matches it saw."""

    keys: tuple[str, ...]
    m: dict[str, np.ndarray]
    matches: float
    iterations: int
    #: comparison name -> the levels this pass cannot see (their m is the one it started from)
    hidden: dict[str, np.ndarray] = field(default_factory=dict)
    #: the pass only teaches the levels that the others cannot see (``TrainingPass.fills_hidden``)
    fills_hidden: bool = False


def train(engine: PairEngine, prior: Prior, *, seed: int) -> Model:
    """The model of these files: u counted, m learnt, both blended with the prior."""
    comparisons = engine.comparisons
    u, u_pairs = estimate_u(engine, prior, seed=seed)
    m = {c.name: _prior_m(prior, c) for c in comparisons}
    warnings: list[str] = []
    passes: list[PassResult] = []
    failures: list[str] = []
    for training_pass in TRAINING_PASSES:
        result = em_pass(engine, training_pass, m, u)
        if result is None:
            failures.append(" + ".join(training_pass.keys))
        else:
            passes.append(result)
    share: dict[str, float] = {}
    for comparison in comparisons:
        seen = [p for p in passes if comparison.name in p.m]
        learnt = [p for p in seen if not p.fills_hidden] or seen
        matches = float(np.mean([p.matches for p in learnt])) if learnt else 0.0
        if not learnt:
            share[comparison.name] = 0.0
            continue
        local = _combined(comparison, learnt, [p for p in seen if p not in learnt])
        weight = matches / (matches + M_PSEUDO_MATCHES)
        m[comparison.name] = weight * local + (1 - weight) * m[comparison.name]
        share[comparison.name] = round(weight, 3)
    if not passes:
        warnings.append(FALLBACK_WARNING.format(why="aucun enfant ne se retrouve assez nettement"))
    offset = size_offset(engine)
    lambda_ = _lambda(engine, passes)
    return Model(
        comparisons=comparisons,
        m=m,
        u=u,
        lambda_=lambda_,
        size_offset=offset,
        tf_weight=tf_weight(engine),
        provenance={
            "origine": "modèle livré avec Veille, corrigé par les fichiers de la commune",
            "a_priori": prior.description,
            "part_locale_m": share,
            "paires_aleatoires_u": u_pairs,
            "part_locale_u": round(u_pairs / (u_pairs + U_PSEUDO_PAIRS), 3),
            "passes_em": [
                {
                    "blocage": list(p.keys),
                    "appariements_estimes": round(p.matches, 1),
                    "iterations": p.iterations,
                }
                for p in passes
            ],
            "passes_em_sans_resultat": failures,
        },
        warnings=warnings,
    )


def prior_model(engine: PairEngine, prior: Prior, why: str) -> Model:
    """The prior as it is (u too), for files on which nothing can be learnt."""
    comparisons = engine.comparisons
    return Model(
        comparisons=comparisons,
        m={c.name: _prior_m(prior, c) for c in comparisons},
        u={c.name: _prior_u(prior, c) for c in comparisons},
        size_offset=size_offset(engine),
        tf_weight=tf_weight(engine),
        provenance={"origine": "modèle livré avec Veille", "a_priori": prior.description},
        warnings=[FALLBACK_WARNING.format(why=why)],
    )


def _prior_m(prior: Prior, comparison: Comparison) -> np.ndarray:
    if comparison.name in prior.m:
        return prior.m[comparison.name].copy()
    # A comparison the prior does not know: full agreement for nearly every true pair.
    m = np.full(len(comparison.levels), 0.01 / max(1, len(comparison.levels) - 1))
    m[0] = 0.99
    return m


def _prior_u(prior: Prior, comparison: Comparison) -> np.ndarray:
    if comparison.name in prior.u:
        u = prior.u[comparison.name].copy()
    else:
        u = np.full(len(comparison.levels), 1e-4)
        u[-1] = 1.0 - 1e-4 * (len(comparison.levels) - 1)
    for i, level in enumerate(comparison.levels):
        if level.fixed_u is not None:
            u[i] = level.fixed_u
    return u


def _random_pairs_sql(engine: PairEngine, *, seed: int, limit: int) -> tuple[str, int]:
    n_left, n_right = engine.n_children, engine.n_records
    if n_left * n_right <= limit:
        return f"SELECT l.unique_id AS uid_l, r.unique_id AS uid_r FROM {CHILDREN} AS l, {RECORDS} AS r", (
            n_left * n_right
        )
    # DuckDB's hash draws ranks on every backend (the same seed, the same sample: a crossing on Spark
    # learns the same u); a rank is a row in the canonical order, so the sample does not depend on
    # the order of the files either.
    draw = (
        f"SELECT hash(i, {seed}) % {n_left} AS rank_l, hash(i, {seed + 1}) % {n_right} AS rank_r "
        f"FROM range({limit}) AS t(i)"
    )
    if isinstance(engine.backend, DuckDBBackend):
        # The engine's own connection: opening another took a tenth of the sampling's time.
        ranks = engine.backend.connection.sql(draw).fetchnumpy()
    else:
        with duckdb.connect() as own:
            ranks = own.sql(draw).fetchnumpy()
    drawn = pd.DataFrame(
        {
            "uid_l": engine.canonical_children[ranks["rank_l"].astype(np.int64)],
            "uid_r": engine.canonical_records[ranks["rank_r"].astype(np.int64)],
        }
    )
    engine.backend.load("random_pairs", drawn)
    # Their counts are whole numbers, whose sums do not depend on the order in which the cores
    # return the patterns: the pairs can be shared among them.
    engine.backend.spread("random_pairs", limit)
    return _DRAWN_PAIRS, limit


_DRAWN_PAIRS = "SELECT uid_l, uid_r FROM random_pairs"


# The fields whose disagreement shows two records to be different children, per comparison.
def _is_stranger(comparison: Comparison, patterns: pd.DataFrame) -> np.ndarray:
    if comparison is BIRTH_DATE:
        return (
            (patterns[f"gamma_{SURNAME.name}"] == 0) | (patterns[f"gamma_{FIRST_NAME.name}"] == 0)
        ).to_numpy()
    different_day = (patterns[f"gamma_{BIRTH_DATE.name}"] == 0).to_numpy()
    if comparison is ADDRESS:
        same_place = (patterns[f"gamma_{POSTCODE.name}"] == POSTCODE.top).to_numpy()
        counted = patterns["n"].to_numpy()[different_day & same_place].sum()
        if counted >= 1_000:
            return different_day & same_place
    return different_day


def estimate_u(engine: PairEngine, prior: Prior, *, seed: int) -> tuple[dict[str, np.ndarray], int]:
    """u of every level from random pairs (see the module's docstring), blended with the prior."""
    if engine.n_children == 0 or engine.n_records == 0:
        return {c.name: _prior_u(prior, c) for c in engine.comparisons}, 0
    limit = min(U_SAMPLE_MAX, max(U_SAMPLE_MIN, U_SAMPLE_PER_CHILD * engine.n_children))
    sql, n_pairs = _random_pairs_sql(engine, seed=seed, limit=limit)
    patterns = engine.pattern_counts(sql, engine.comparisons)
    if sql == _DRAWN_PAIRS:
        engine.backend.drop("random_pairs")
    counts = patterns["n"].to_numpy(dtype=float)
    u = {}
    for comparison in engine.comparisons:
        gamma = patterns[f"gamma_{comparison.name}"].to_numpy()
        stranger = _is_stranger(comparison, patterns) & (gamma >= 0)
        observed = np.array(
            [counts[stranger & (gamma == comparison.gamma(i))].sum() for i in range(len(comparison.levels))]
        )
        total = observed.sum()
        values = (observed + U_PSEUDO_PAIRS * _prior_u(prior, comparison)) / (total + U_PSEUDO_PAIRS)
        for i, level in enumerate(comparison.levels):
            if level.fixed_u is not None:
                values[i] = level.fixed_u
        u[comparison.name] = values
    return u, n_pairs


def _blocked_pairs_sql(keys: tuple[str, ...]) -> str:
    on = " AND ".join(f"l.{key} = r.{key}" for key in keys)
    return (
        f"SELECT l.unique_id AS uid_l, r.unique_id AS uid_r FROM {CHILDREN} AS l JOIN {RECORDS} AS r ON {on}"
    )


def em_pass(
    engine: PairEngine,
    training_pass: TrainingPass,
    m: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
    *,
    max_iterations: int = 25,
    tolerance: float = 1e-4,
) -> PassResult | None:
    """EM (u fixed) over the pairs agreeing on ``training_pass.keys``; None if it finds no matches."""
    learnable = [c for c in engine.comparisons if not set(c.columns) & set(training_pass.keys)]
    if not learnable:
        return None
    patterns = engine.pattern_counts(_blocked_pairs_sql(training_pass.keys), learnable)
    counts = patterns["n"].to_numpy(dtype=float)
    if counts.sum() < MIN_EM_MATCHES:
        return None
    # Level index of each pattern (0 = most alike), -1 for a missing value.
    index = {
        c.name: np.where(g >= 0, c.top - g, -1)
        for c in learnable
        for g in [patterns[f"gamma_{c.name}"].to_numpy()]
    }
    m_now = {c.name: np.clip(m[c.name].copy(), 1e-6, 1.0) for c in learnable}
    hidden_levels = {
        c.name: np.array(
            [
                any(
                    re.search(rf"\b{column}\b", key)
                    for column in level.hidden_by
                    for key in training_pass.keys
                )
                for level in c.levels
            ]
        )
        for c in learnable
    }
    log_u = sum(
        np.where(index[c.name] >= 0, np.log(np.maximum(u[c.name], 1e-300))[np.maximum(index[c.name], 0)], 0.0)
        for c in learnable
    )
    lam = 0.5
    iterations = 0
    p = np.zeros_like(counts)
    while iterations < max_iterations:
        iterations += 1
        log_m = sum(
            np.where(index[c.name] >= 0, np.log(m_now[c.name])[np.maximum(index[c.name], 0)], 0.0)
            for c in learnable
        )
        logit = math.log(lam) - math.log(1 - lam) + log_m - log_u
        p = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        weighted = counts * p
        new_lam = float(weighted.sum() / counts.sum())
        change = abs(new_lam - lam)
        for c in learnable:
            idx = index[c.name]
            present = idx >= 0
            total = weighted[present].sum()
            if total <= 0:
                continue
            estimate = np.bincount(idx[present], weights=weighted[present], minlength=len(c.levels)) / total
            estimate = np.clip(estimate, 1e-6, 1.0)
            hidden = hidden_levels[c.name]
            if hidden.any():
                # Levels this pass cannot see keep their m; the others share what is left.
                seen = estimate * ~hidden
                estimate = np.where(
                    hidden, m_now[c.name], seen / seen.sum() * (1 - m_now[c.name][hidden].sum())
                )
            else:
                estimate = estimate / estimate.sum()
            change = max(change, float(np.abs(estimate - m_now[c.name]).max()))
            m_now[c.name] = estimate
        lam = min(max(new_lam, 1e-9), 1 - 1e-9)
        if change < tolerance:
            break
    matches = float((counts * p).sum())
    if not np.isfinite(matches) or matches < MIN_EM_MATCHES:
        return None
    return PassResult(
        training_pass.keys, m_now, matches, iterations, hidden_levels, training_pass.fills_hidden
    )


def _combined(comparison: Comparison, passes: list[PassResult], fillers: list[PassResult]) -> np.ndarray:
    """The m of ``comparison`` over the passes that learnt it, each in proportion to its matches.

    A level that some of ``passes`` cannot see (``Level.hidden_by``) is taken from those, and from
    ``fillers``, that can: averaged with the blind passes, which keep the prior's m, the swapped names
    of FEBRL4 (4 % of its pairs, 0.4 % in the prior) stayed at a tenth of what the files show.
    """
    name = comparison.name
    weights = np.array([p.matches for p in passes])
    local = sum(w * p.m[name] for w, p in zip(weights, passes, strict=True)) / weights.sum()
    every = [*passes, *fillers]
    hidden = np.array([p.hidden.get(name, np.zeros(len(comparison.levels), dtype=bool)) for p in every])
    blind = hidden[: len(passes)].any(axis=0)
    seeing = (~hidden).astype(float) * np.array([p.matches for p in every])[:, None]
    fill = blind & (seeing.sum(axis=0) > 0)
    if not fill.any():
        return local
    learnt = (seeing * np.array([p.m[name] for p in every])).sum(axis=0) / np.maximum(
        seeing.sum(axis=0), 1e-300
    )
    out = np.where(fill, learnt, local)
    rest = ~fill
    out[rest] = local[rest] / local[rest].sum() * max(1.0 - out[fill].sum(), 0.0)
    return out


def tf_weight(engine: PairEngine) -> float:
    """Share of the term-frequency adjustment that applies (see ``TF_FULL_RECORDS``)."""
    return round(min(1.0, (engine.n_children + engine.n_records) / TF_FULL_RECORDS), 3)


def size_offset(engine: PairEngine) -> float:
    """Bits taken off every pair when the schooling files are far wider than the commune.

    The commune's own share of the records is the records whose postcode is one of the children's
    (or missing); beyond ``WIDER_THAN_COMMUNE`` times that, each child meets more strangers in
    proportion, and the evidence needed to believe a pair grows by log2 of the ratio.
    """
    row = engine.rows(
        f"""
        SELECT count(*) AS total,
            sum(CASE WHEN r.code_postal IS NULL OR c.code_postal IS NOT NULL THEN 1 ELSE 0 END) AS own
        FROM {RECORDS} AS r
        LEFT JOIN (SELECT DISTINCT code_postal FROM {CHILDREN} WHERE code_postal IS NOT NULL) AS c
            ON r.code_postal = c.code_postal
        """
    )[0]
    total, own = int(row[0]), max(int(row[1] or 0), 1)
    ratio = total / own
    return max(0.0, math.log2(ratio / WIDER_THAN_COMMUNE)) if total else 0.0


def _lambda(engine: PairEngine, passes: list[PassResult]) -> float:
    # About one record per schooled child: the expected matches over all the pairs.
    pairs = float(engine.n_children) * float(engine.n_records)
    matches = max((p.matches for p in passes), default=0.8 * min(engine.n_children, engine.n_records))
    return min(max(matches / pairs, 1e-12), 0.5) if pairs else 1e-4
