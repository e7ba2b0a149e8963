"""From scored and assigned pairs to a status per child, with the reason in French."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from veille.matching.results import Status


@dataclass(frozen=True)
class Thresholds:
    """Match weights (log2 Bayes factors) that separate the statuses.

    Attributes:
        match: at or above, the child is ``rapproche``.
        uncertain: at or above (and below ``match``), a person must decide: ``incertain``.
        shown: below ``uncertain``, the nearest record is still shown to the agent, as a hint.
    """

    # Chosen with bench/calibrate.py on synthetic communes whose seeds the benchmark does not use.
    # ``uncertain``: from 1 to 4 bits changes nothing at 20,000 children (seeds 101 and 102); at
    # 500,000 each child has many more candidates, and an unschooled child's nearest stranger scores
    # 1 to 3 bits by chance (a third of the incertain there), hence 3.
    match: float = 16.0
    uncertain: float = 3.0
    shown: float = -4.0

    def as_dict(self) -> dict[str, float]:
        return {"rapproche": self.match, "incertain": self.uncertain, "candidat_affiche": self.shown}


def classify(
    n_children: int,
    compulsory: np.ndarray,
    pairs: pd.DataFrame,
    assigned: pd.DataFrame,
    thresholds: Thresholds,
) -> pd.DataFrame:
    """Status, reason and retained (or nearest) record of each child.

    Args:
        n_children: number of children; ``child_uid`` runs from 0 to ``n_children - 1``.
        compulsory: boolean per child, subject to compulsory instruction this school year.
        pairs: every scored pair (``child_uid``, ``record_uid``, ``match_weight``, ...).
        assigned: the pairs kept by the one-to-one assignment.
        thresholds: the weights separating the statuses.

    Returns:
        One row per child (index ``child_uid``): ``statut``, ``motif``, ``record_uid`` (-1 if none),
        ``match_weight`` (NaN if none) and ``autre_enfant`` (the child who took the nearest record).
    """
    best_assigned = (
        assigned.sort_values("match_weight", ascending=False)
        .drop_duplicates("child_uid")
        .set_index("child_uid")
    )
    owner = assigned.set_index("record_uid")["child_uid"]
    # The nearest record of a child left without one: shown to the agent, with who took it if anyone.
    nearest = (
        pairs.sort_values("match_weight", ascending=False).drop_duplicates("child_uid").set_index("child_uid")
    )

    out = pd.DataFrame(index=pd.RangeIndex(n_children, name="child_uid"))
    out["record_uid"] = pd.to_numeric(best_assigned["record_uid"].reindex(out.index))
    out["match_weight"] = pd.to_numeric(best_assigned["match_weight"].reindex(out.index))
    has_assigned = out["record_uid"].notna()
    fallback_record = pd.to_numeric(nearest["record_uid"].reindex(out.index))
    fallback_weight = pd.to_numeric(nearest["match_weight"].reindex(out.index))
    use_nearest = ~has_assigned & (fallback_weight >= thresholds.shown)
    out.loc[use_nearest, "record_uid"] = fallback_record[use_nearest]
    out.loc[use_nearest, "match_weight"] = fallback_weight[use_nearest]
    other = pd.to_numeric(out["record_uid"].map(owner))
    out["autre_enfant"] = other.where(~has_assigned & other.notna(), -1).fillna(-1).astype(np.int64)
    out["record_uid"] = out["record_uid"].fillna(-1).astype(np.int64)

    assigned_to = has_assigned.to_numpy()
    sure = assigned_to & (out["match_weight"].to_numpy() >= thresholds.match)
    statut = np.where(sure, 0, np.where(assigned_to, 1, 2))
    out["statut"] = STATUSES[np.where(compulsory, statut, 3)]
    out["motif"] = _reasons(out, compulsory, assigned_to)
    return out


#: the statuses by number (``classify``)
STATUSES = np.array(
    [Status.MATCHED.value, Status.UNCERTAIN.value, Status.UNFOUND.value, Status.OUT_OF_SCOPE.value],
    dtype=object,
)

#: each child's reason, in the order ``_reasons`` tests the cases; the last when none applies
REASONS = np.array(
    [
        "hors obligation d'instruction pour l'année scolaire",
        "",
        "candidat plausible, à vérifier par une personne",
        "le dossier le plus proche correspond mieux à un autre enfant (jumeau, frère ou sœur ?)",
        "aucun dossier assez ressemblant ; le plus proche est indiqué pour information",
        "aucun dossier de scolarité ressemblant",
    ],
    dtype=object,
)


def _reasons(out: pd.DataFrame, compulsory: np.ndarray, has_assigned: np.ndarray) -> np.ndarray:
    statut = out["statut"].to_numpy()
    taken = out["autre_enfant"].to_numpy() >= 0
    has_candidate = out["record_uid"].to_numpy() >= 0
    # The case's number, then its text: a selection among the texts themselves made one wide string
    # array per case (90 characters by 100,000 children, each).
    case = np.select(
        [
            ~compulsory,
            statut == Status.MATCHED.value,
            statut == Status.UNCERTAIN.value,
            taken,
            has_candidate,
        ],
        np.arange(5),
        default=5,
    )
    return REASONS[case]
