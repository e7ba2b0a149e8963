"""Scoring a list of flagged children against the truth of a synthetic commune."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd


def _read_truth(truth: pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(truth, pd.DataFrame):
        return truth
    return pd.read_csv(truth, dtype=str, keep_default_na=False, encoding="utf-8")


def _read_flags(flags_csv: str | Path) -> dict[str, str]:
    with open(flags_csv, encoding="utf-8-sig", newline="") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        return {row["identifiant"]: row["statut"] for row in csv.DictReader(handle, delimiter=delimiter)}


def score_flags(flags_csv: str | Path, truth: pd.DataFrame | str | Path) -> dict[str, Any]:
    """Recall and precision of a flag list (``identifiant,statut``: non_trouve or incertain).

    Restricted to the children subject to compulsory instruction (statut_reel scolarise or
    non_scolarise), as a cell only acts on those. ``recall`` counts an unschooled child found when it
    is flagged either way; ``precision_non_trouve`` is the share of unschooled children among those
    flagged non_trouve. ``flagged_share_all`` is over every child of the files (what a cell would
    have to check by hand). ``missed_difficulties`` counts the difficulty tags of the unschooled
    children the list missed, to see what the matcher trips on.
    """
    frame = _read_truth(truth)
    flags = _read_flags(flags_csv)
    status = dict(zip(frame["identifiant"], frame["statut_reel"], strict=True))
    difficulties = dict(zip(frame["identifiant"], frame["difficultes"], strict=True))
    compulsory = {ident for ident, value in status.items() if value != "hors_obligation"}
    unschooled = {ident for ident, value in status.items() if value == "non_scolarise"}
    flagged = {ident for ident in flags if ident in compulsory}
    non_trouve = {ident for ident in flagged if flags[ident] == "non_trouve"}
    incertain = flagged - non_trouve
    found = unschooled & flagged
    missed = sorted(unschooled - flagged)
    tags: Counter[str] = Counter()
    for ident in missed:
        tags.update(tag for tag in difficulties[ident].split("|") if tag)

    def ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    return {
        "children": len(status),
        "compulsory": len(compulsory),
        "unschooled": len(unschooled),
        "flagged_all": len(flags),
        "flagged_share_all": ratio(len(flags), len(status)),
        "non_trouve": len(non_trouve),
        "incertain": len(incertain),
        "incertain_share": ratio(len(incertain), len(compulsory)),
        "recall": ratio(len(found), len(unschooled)),
        "recall_non_trouve": ratio(len(unschooled & non_trouve), len(unschooled)),
        "precision_non_trouve": ratio(len(unschooled & non_trouve), len(non_trouve)),
        "precision_flagged": ratio(len(found), len(flagged)),
        "missed": missed,
        "missed_difficulties": dict(tags.most_common()),
    }
