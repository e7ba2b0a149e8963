"""How the default thresholds were chosen: sweep them on synthetic communes (seeds apart from the bench).

    python bench/calibrate.py --enfants 20000 --graines 101 102

Runs one crossing per commune with a permissive uncertain threshold, then replays the classification
for each pair of thresholds (evidence in bits) and prints recall, precision of ``non_trouve`` and the
share of ``incertain``. Not a test: a tool to revisit the defaults when the model changes.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from veille.matching import Thresholds, cross
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


def evidence_by_child(n: int, seed: int, floor: float) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        commune = generate_commune(n, seed=seed)
        write_commune(commune, folder)
        children = read_children_files(sorted(Path(folder).glob("enfants_*.csv")), skip_invalid=True).table
        schooling = read_schooling_files(
            sorted(Path(folder).glob("scolarite_*.csv")), skip_invalid=True
        ).table
        truth = pd.read_csv(Path(folder) / "verite.csv", dtype=str, keep_default_na=False)
    result = cross(
        children, schooling, school_year="2026-2027", thresholds=Thresholds(match=floor, uncertain=floor)
    )
    table = result.children.merge(
        truth[["organisme", "identifiant", "statut_reel"]], on=["organisme", "identifiant"]
    )
    table = table[table["statut"] != "hors_obligation"]
    assigned = table["statut"] == "rapproche"
    return pd.DataFrame(
        {
            "weight": np.where(assigned, table["poids"], -np.inf),
            "unschooled": table["statut_reel"] == "non_scolarise",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enfants", type=int, default=20_000)
    parser.add_argument("--graines", type=int, nargs="+", default=[101, 102])
    parser.add_argument("--plancher", type=float, default=-10.0)
    args = parser.parse_args()
    frames = [evidence_by_child(args.enfants, seed, args.plancher) for seed in args.graines]
    data = pd.concat(frames, ignore_index=True)
    weight, unschooled = data["weight"].to_numpy(), data["unschooled"].to_numpy()
    print(f"{len(data)} enfants soumis à l'obligation, dont {unschooled.sum()} non scolarisés")
    print("incertain  rapproche  rappel    précision  incertains")
    for t_unc in np.arange(args.plancher, 4.01, 1.0):
        for t_match in np.arange(max(t_unc, 8.0), 20.01, 2.0):
            unfound = weight < t_unc
            uncertain = (weight >= t_unc) & (weight < t_match)
            recall = (unschooled & (unfound | uncertain)).sum() / unschooled.sum()
            precision = (unschooled & unfound).sum() / max(unfound.sum(), 1)
            print(f"{t_unc:9.1f}  {t_match:9.1f}  {recall:7.4f}  {precision:9.4f}  {uncertain.mean():9.4f}")


if __name__ == "__main__":
    main()
