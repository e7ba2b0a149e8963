"""Rebuild the prior model shipped with Veille (``src/veille/matching/data/modele_a_priori.json``).

    python bench/prior.py                       # 60 000 enfants, graine 4242
    python bench/prior.py --enfants 20000 --graines 1 2

On synthetic communes whose ground truth is known (seeds apart from the benchmark's), m is counted on
the true pairs (a child and each of its own records) and u on random pairs of different children:
no EM, no guess. A commune's crossing starts from these figures and corrects them with what its own
files teach (``veille.matching.training``). The national identifier is not in the synthetic files: its
prior is left to ``training._prior_m`` (full agreement for 99 % of true pairs).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from veille.matching.comparisons import COMPARISONS
from veille.matching.frames import match_frame
from veille.matching.model import PRIOR_FILE
from veille.matching.scoring import PairEngine
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "veille" / "matching" / "data" / PRIOR_FILE


def counts(n: int, seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], int]:
    with tempfile.TemporaryDirectory() as folder:
        written = write_commune(generate_commune(n, seed=seed), folder)
        children = read_children_files([p for k, p in written.items() if k.startswith("enfants")]).table
        files = [
            p
            for k, p in written.items()
            if k.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
        ]
        schooling = read_schooling_files(files).table
        truth = pd.read_csv(Path(folder) / "verite.csv", dtype=str, keep_default_na=False)
    child_uid = {k: i for i, k in enumerate(zip(children["organisme"], children["identifiant"], strict=True))}
    record_uid = {k: i for i, k in enumerate(schooling["identifiant"])}
    true_pairs = [
        (child_uid[(row.organisme, row.identifiant)], record_uid[ident])
        for row in truth.itertuples()
        for ident in row.identifiants_scolarite.split("|")
        if ident and ident in record_uid
    ]
    left, right = match_frame(children, claimant=True), match_frame(schooling, claimant=False)
    m_counts, u_counts = {}, {}
    with PairEngine(left, right, COMPARISONS) as engine:
        engine.connection.register("true_pairs_df", pd.DataFrame(true_pairs, columns=["uid_l", "uid_r"]))
        engine.connection.execute("CREATE TABLE true_pairs AS SELECT * FROM true_pairs_df")
        matched = engine.pattern_counts("SELECT uid_l, uid_r FROM true_pairs", COMPARISONS)
        random_sql = (
            f"SELECT hash(i, {seed}) % {len(left)} AS uid_l, hash(i, {seed + 1}) % {len(right)} AS uid_r "
            "FROM range(1500000) AS t(i) "
            "WHERE (uid_l, uid_r) NOT IN (SELECT (uid_l, uid_r) FROM true_pairs)"
        )
        strangers = engine.pattern_counts(random_sql, COMPARISONS)
    for comparison in COMPARISONS:
        for frame, out in ((matched, m_counts), (strangers, u_counts)):
            gamma = frame[f"gamma_{comparison.name}"].to_numpy()
            n = frame["n"].to_numpy(dtype=float)
            out[comparison.name] = np.array(
                [n[gamma == comparison.gamma(i)].sum() for i in range(len(comparison.levels))]
            )
    return m_counts, u_counts, len(true_pairs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enfants", type=int, default=60_000)
    parser.add_argument("--graines", type=int, nargs="+", default=[4242])
    args = parser.parse_args()
    started = time.perf_counter()
    total_m: dict[str, np.ndarray] = {}
    total_u: dict[str, np.ndarray] = {}
    n_true = 0
    for seed in args.graines:
        m, u, k = counts(args.enfants, seed)
        n_true += k
        for name in m:
            total_m[name] = total_m.get(name, 0) + m[name]
            total_u[name] = total_u.get(name, 0) + u[name]
    out = {}
    for comparison in COMPARISONS:
        # Half a pair in each level: a level never seen keeps a small, finite weight.
        m = (total_m[comparison.name] + 0.5) / (total_m[comparison.name].sum() + 0.5 * len(comparison.levels))
        u = (total_u[comparison.name] + 0.5) / (total_u[comparison.name].sum() + 0.5 * len(comparison.levels))
        out[comparison.name] = {
            "niveaux": [level.label for level in comparison.levels],
            "m": [float(f"{x:.6g}") for x in m],
            "u": [float(f"{x:.6g}") for x in u],
        }
    description = (
        f"m comptés sur les {n_true} vraies paires et u sur 1,5 million de paires aléatoires de communes "
        f"synthétiques de {args.enfants} enfants (graines {', '.join(map(str, args.graines))}), "
        "par bench/prior.py"
    )
    TARGET.write_text(
        json.dumps({"description": description, "comparaisons": out}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"{TARGET} écrit en {time.perf_counter() - started:.0f} s : {description}")


if __name__ == "__main__":
    main()
