"""Learning from the cell's decisions (issue 12, item 5): before/after on a synthetic commune.

    python bench/decisions.py --enfants 40000 --graine 777

A simulated reviewer answers from the ground truth the review questions (``incertain`` children) of
half of the children (a hash of their id); the commune is then crossed again with those decisions.
The other half, whose questions nobody answered, is where the learning is measured: its share of
``incertain``, the recall of the unschooled and the precision of ``non_trouve``, before and after.
(The answered half is trivially right after: its decisions are applied as they are.)
"""

from __future__ import annotations

import argparse
import tempfile
import zlib
from pathlib import Path

import pandas as pd

from veille.matching import PairDecision, cross
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


def measure(table: pd.DataFrame) -> dict[str, float]:
    compulsory = table[table["statut"] != "hors_obligation"]
    unschooled = compulsory["statut_reel"] == "non_scolarise"
    flagged = compulsory["statut"].isin(["non_trouve", "incertain"])
    unfound = compulsory["statut"] == "non_trouve"
    return {
        "enfants": len(compulsory),
        "incertains": int((compulsory["statut"] == "incertain").sum()),
        "rappel": float((unschooled & flagged).sum() / max(unschooled.sum(), 1)),
        "precision_non_trouve": float((unschooled & unfound).sum() / max(unfound.sum(), 1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enfants", type=int, default=40_000)
    parser.add_argument("--graine", type=int, default=777)
    parser.add_argument("--eleves-departement", type=int, default=0)
    parser.add_argument(
        "--dossier", help="une commune déjà écrite (veille demo-donnees) au lieu d'en créer une"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.dossier or scratch)
        if not args.dossier:
            commune = generate_commune(
                args.enfants, seed=args.graine, department_pupils=args.eleves_departement
            )
            write_commune(commune, folder)
        written = sorted(folder.glob("*.csv"))
        children = read_children_files([p for p in written if p.name.startswith("enfants")]).table
        files = [
            p for p in written if p.name.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
        ]
        schooling = read_schooling_files(files).table
        truth = pd.read_csv(folder / "verite.csv", dtype=str, keep_default_na=False)
    before = cross(children, schooling, school_year="2026-2027").children.merge(
        truth, on=["organisme", "identifiant"]
    )
    answered = before["identifiant"].map(lambda ident: zlib.crc32(ident.encode()) % 2 == 0)
    questions = before[answered & (before["statut"] == "incertain")]
    decisions = [
        PairDecision(
            row.organisme,
            row.identifiant,
            row.candidat_source,
            row.candidat_identifiant,
            row.candidat_identifiant in row.identifiants_scolarite.split("|"),
        )
        for row in questions.itertuples()
    ]
    result = cross(children, schooling, school_year="2026-2027", decisions=decisions)
    after = result.children.merge(truth, on=["organisme", "identifiant"])
    held_out = ~answered
    print(
        f"Commune de {len(children)} enfants ({args.dossier or f'graine {args.graine}'}), "
        f"{len(decisions)} décisions simulées ({sum(d.same for d in decisions)} « même enfant »)"
    )
    print(f"Apprentissage : {result.model['veille'].get('apprentissage_decisions')}")
    print("| moitié sans décision | enfants | incertains | rappel | précision de non_trouve |")
    print("|---|---|---|---|---|")
    for label, table in (("avant", before), ("après", after)):
        m = measure(table[held_out.to_numpy()])
        print(
            f"| {label} | {m['enfants']} | {m['incertains']} | {100 * m['rappel']:.2f} % | "
            f"{100 * m['precision_non_trouve']:.2f} % |"
        )


if __name__ == "__main__":
    main()
