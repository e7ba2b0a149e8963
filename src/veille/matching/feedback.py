"""Learning from the cell's decisions, without the bias of learning from hard pairs only.

The pairs a cell reviews are not a sample of all pairs: they are the pairs the model placed in the
review band (between the ``incertain`` and ``rapproche`` weights). Re-estimating m and u from them would
teach the model that agreeing on a name and a date is a weak sign (it is, among those pairs), and the
whole model would drift. What they do tell, without bias, is how the pairs *of the band* turn out:
among the pairs the model hesitates on, which patterns the cell always confirms (a twin's record
never is; the other parent's surname with the same date always is). So Veille learns a correction of
the band only, from the band only:

- a logistic model of "même enfant" on the pair's weight and its levels (full agreement, full
  disagreement, missing value, per field), fitted on the decided pairs that fall in the band today;
- applied to the band's undecided pairs that are their child's best (the pairs a person is asked
  about): a pair it gives a probability of at least ``P_SAME`` is
  matched, one it gives at most ``P_DIFFERENT`` is left (the child is then ``non_trouve`` with that
  record shown as the nearest), the others stay ``incertain``;
- only once the decisions are enough (``MIN_DECISIONS``, both answers represented), and never outside
  the band: a decision changes nothing about the pairs the model is sure of.

A pair decided by a person is applied as decided, whatever this correction says (``cross``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from veille.matching.comparisons import Comparison

MIN_DECISIONS = 20
MIN_EACH_ANSWER = 5
#: Probability of "même enfant" above which a band pair is matched without review. Clearing an
#: unschooled child is the costly mistake, hence the higher bar.
P_SAME = 0.99
#: ... and below which it is left (the child goes to ``non_trouve``).
P_DIFFERENT = 0.02
#: L2 penalty of the logistic fit: the decisions of a cell are a few dozen to a few hundred.
PENALTY = 0.05


@dataclass(frozen=True)
class BandCorrection:
    """A logistic model of "même enfant" for the pairs of the review band."""

    coefficients: np.ndarray
    n_same: int
    n_different: int

    def probability(self, pairs: pd.DataFrame, comparisons: tuple[Comparison, ...]) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-features(pairs, comparisons) @ self.coefficients))

    def as_dict(self) -> dict[str, object]:
        return {
            "decisions_meme_enfant": self.n_same,
            "decisions_enfant_different": self.n_different,
            "seuils_probabilite": {"rapproche": P_SAME, "non_trouve": P_DIFFERENT},
            "coefficients": [round(float(c), 4) for c in self.coefficients],
        }


def features(pairs: pd.DataFrame, comparisons: tuple[Comparison, ...]) -> np.ndarray:
    columns = [np.ones(len(pairs)), pairs["match_weight"].to_numpy(dtype=float) / 10.0]
    for comparison in comparisons:
        gamma = pairs[f"gamma_{comparison.name}"].to_numpy()
        columns += [gamma == comparison.top, gamma == 0, gamma == -1]
    return np.column_stack(columns).astype(float)


def learn(decided: pd.DataFrame, comparisons: tuple[Comparison, ...]) -> BandCorrection | None:
    """Fit the band's correction on decided band pairs (column ``same``); None if too few."""
    same = decided["same"].to_numpy(dtype=bool)
    if len(decided) < MIN_DECISIONS or same.sum() < MIN_EACH_ANSWER or (~same).sum() < MIN_EACH_ANSWER:
        return None
    x, y = features(decided, comparisons), same.astype(float)
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], PENALTY)
    penalty[0] = 0.0  # the intercept is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-x @ beta))
        gradient = x.T @ (y - p) - penalty * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-6:
            break
    return BandCorrection(beta, int(same.sum()), int((~same).sum()))


def correct_band(
    pairs: pd.DataFrame,
    decided_keys: set[tuple[int, int]],
    correction: BandCorrection,
    comparisons: tuple[Comparison, ...],
    *,
    uncertain: float,
    match: float,
) -> tuple[pd.DataFrame, int, int]:
    """Move the band's undecided pairs the correction is sure about; returns (pairs, matched, left)."""
    weight = pairs["match_weight"].to_numpy()
    keys = zip(pairs["child_uid"].to_numpy(), pairs["record_uid"].to_numpy(), strict=True)
    undecided = np.array([key not in decided_keys for key in keys], dtype=bool)
    # The reviewed pairs were each child's best: the correction applies to the same population only
    # (a brother's record in the band of a child is not a pair any person was asked about).
    best = pairs.groupby("child_uid")["match_weight"].transform("max").to_numpy() == weight
    band = (weight >= uncertain) & (weight < match) & undecided & best
    if not band.any():
        return pairs, 0, 0
    probability = correction.probability(pairs[band], comparisons)
    sure_same = np.zeros(len(pairs), dtype=bool)
    sure_different = np.zeros(len(pairs), dtype=bool)
    sure_same[np.flatnonzero(band)] = probability >= P_SAME
    sure_different[np.flatnonzero(band)] = probability <= P_DIFFERENT
    pairs = pairs.copy()
    pairs.loc[sure_same, "match_weight"] = match
    # Just below the band: never assigned, still shown as the nearest record.
    pairs.loc[sure_different, "match_weight"] = uncertain - 0.01
    return pairs, int(sure_same.sum()), int(sure_different.sum())
