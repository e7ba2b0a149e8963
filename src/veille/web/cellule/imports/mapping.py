"""The one place where the engine's typed results become the imports app's rows, and back.

The engine (``veille.matching``) hands over typed values: a :class:`~veille.matching.Status` per
child, a :class:`~veille.matching.Level` per comparison with its :class:`~veille.matching.Agreement`.
They are stored as their values (``"rapproche"``, ``"accord"``), and nothing here or in the pages reads
a French label to guess what it means.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from veille.matching import ChildOutcome, Level, PairDecision, Status
from veille.matching.monthly import CHANGE_KINDS

#: the statuses of the engine, as the pages say them
STATUS_LABELS: dict[str, str] = {
    Status.MATCHED: "Scolarisé (rapproché)",
    Status.UNCERTAIN: "À vérifier",
    Status.UNFOUND: "Non trouvé",
    Status.OUT_OF_SCOPE: "Hors obligation d'instruction",
}

#: the engine's comparisons, as the pages name them
COMPARISON_LABELS = {
    "nom": "Nom",
    "prenom": "Prénoms",
    "date_naissance": "Date de naissance",
    "sexe": "Sexe",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "ine": "Identifiant national",
}


def levels_json(levels: Iterable[Level]) -> list[dict[str, str]]:
    """``Outcome.levels``: one entry per comparison, in the model's order."""
    return [
        {"comparison": level.comparison, "label": level.label, "agreement": level.agreement.value}
        for level in levels
    ]


def comparison_rows(levels: list[dict[str, str]]) -> list[dict[str, str]]:
    """What the review page shows of ``Outcome.levels``: the comparison's name, its level, its agreement."""
    return [
        {
            "name": COMPARISON_LABELS.get(entry["comparison"], entry["comparison"]),
            "level": entry["label"],
            "agreement": entry["agreement"],
        }
        for entry in levels
    ]


def candidate_json(outcome: ChildOutcome) -> dict[str, str] | None:
    """``Outcome.candidate``: the retained or nearest record, as the pages show it."""
    candidate = outcome.candidate
    if candidate is None:
        return None
    return {
        "source": candidate.source,
        "identifiant": candidate.identifiant,
        "nom": candidate.nom,
        "prenoms": candidate.prenoms,
        "date_naissance": candidate.date_naissance,
        "etablissement": candidate.etablissement,
    }


def outcome_fields(outcome: ChildOutcome) -> dict[str, Any]:
    """The fields of an ``Outcome`` row for one child of a crossing."""
    candidate = outcome.candidate
    weight = (
        None
        if candidate is None or candidate.match_weight != candidate.match_weight
        else candidate.match_weight
    )
    score = (
        None
        if candidate is None or candidate.match_probability != candidate.match_probability
        else candidate.match_probability
    )
    return {
        "status": outcome.statut.value,
        "engine_status": outcome.statut.value,
        "score": score,
        "weight": weight,
        "motif": outcome.motif[:200],
        "candidate": candidate_json(outcome),
        "levels": levels_json(candidate.levels) if candidate is not None else [],
    }


def pair_decisions(decisions: Iterable[Any]) -> list[PairDecision]:
    """The engine's form of people's decisions (``MatchDecision`` rows, their child selected)."""
    return [
        PairDecision(d.child.organisme, d.child.source_id, d.source, d.record_id, d.same) for d in decisions
    ]


def decided_status(same: bool) -> Status:
    """The status a person's verdict gives: the same child is matched, a different one is to verify."""
    return Status.MATCHED if same else Status.UNFOUND


def previous_children(outcomes: Iterable[Any]) -> pd.DataFrame:
    """The reference run's children as ``veille.matching.monthly.changes`` reads them.

    The status is the one the cell sees (after people's decisions), so that a child a person declared
    schooled last month is not reported "newly schooled" when the decision matches it again.
    """
    rows = [(o.child.organisme, o.child.source_id, o.status) for o in outcomes]
    return pd.DataFrame(rows, columns=["organisme", "identifiant", "statut"])


def changes_json(table: pd.DataFrame, child_ids: dict[tuple[str, str], int]) -> dict[str, list[int]]:
    """``CrossingRun.changes``: kind of change -> ids of the children concerned (every kind present)."""
    out: dict[str, list[int]] = {kind: [] for kind in CHANGE_KINDS}
    for kind, organisme, identifiant in zip(
        table["changement"], table["organisme"], table["identifiant"], strict=True
    ):
        child = child_ids.get((organisme, identifiant))
        if child is not None:
            out[kind].append(child)
    return out
