"""Benchmark: the departmental run beside crossing each commune alone, on one synthetic department.

    python bench/departement.py                                   # 8 communes, 60 000 enfants
    python bench/departement.py --communes 8 --enfants 80000 --eleves 200000
    python bench/departement.py --communes 3 --enfants 3000 --eleves 10000 --seul      # DuckDB, puis
    python bench/departement.py --communes 3 --enfants 3000 --eleves 10000 --moteur spark --seul

The department (``veille demo-donnees --communes``: a town and smaller communes, and the schooling
files of the whole department) is crossed twice with the command line, each in a fresh process:

- once with ``veille croiser-departement`` (all the communes at once);
- once commune by commune with ``veille croiser`` against the same department-wide schooling files
  (what each cell does today), the times and CPU summed, the memory the largest of the runs.

Per commune: recall of the unschooled children (flagged ``non_trouve`` or ``incertain``), precision
of ``non_trouve``, share of children sent to review, for both ways; then the totals: wall time, CPU
time (user + system of the process and its children), peak memory, the load average, and how many
schooling records two communes' separate crossings both matched (one-to-one across the department
is what the departmental run guarantees). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as measured
from run import OUT, ROOT, run_measured

from veille.synth.scoring import score_flags

VEILLE = str(ROOT / ".venv" / "bin" / "veille")
YEAR = "2026-2027"
SEED = 20261202


def ensure_department(communes: int, children: int, pupils: int) -> Path:
    folder = OUT / f"departement_{communes}c_{children}_{pupils}"
    if not (folder / "verite.csv").exists():
        subprocess.run(
            [
                *(
                    VEILLE,
                    "demo-donnees",
                    str(folder),
                    "--communes",
                    str(communes),
                    "--enfants",
                    str(children),
                ),
                *("--eleves-departement", str(pupils), "--graine", str(SEED)),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


def schooling_files(folder: Path) -> list[str]:
    return sorted(
        str(p) for p in (folder / "scolarite").glob("*.csv") if len(p.read_bytes().splitlines()) > 1
    )


def measure(command: list[str]) -> tuple[float, float, float, float]:
    """(wall s, CPU s, peak GB, load average) of one command in a fresh process."""
    load = os.getloadavg()[0]
    seconds, peak, _ = run_measured(command)
    return seconds, measured.LAST_CPU_SECONDS, peak, load


def scores(flags: Path, truth: pd.DataFrame) -> dict[str, float]:
    found = score_flags(flags, truth)
    return {
        "recall": found["recall"],
        "precision": found["precision_non_trouve"],
        "review": found["incertain_share"],
        "unschooled": found["unschooled"],
    }


def records(folder: Path) -> set[tuple[str, str]]:
    """The (source, identifier) of the records a commune's crossing matched."""
    matches = pd.read_csv(folder / "rapprochements.csv", dtype=str, keep_default_na=False)
    return set(zip(matches["source"], matches["source_identifiant"], strict=True))


def pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=8)
    parser.add_argument("--enfants", type=int, default=60_000)
    parser.add_argument("--eleves", type=int, default=150_000, help="records of the department's files")
    parser.add_argument("--moteur", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--seul", action="store_true", help="the departmental run only (no separate runs)")
    args = parser.parse_args()

    folder = ensure_department(args.communes, args.enfants, args.eleves)
    communes = sorted(path for path in (folder / "communes").iterdir() if path.is_dir())
    truth = pd.read_csv(folder / "verite.csv", dtype=str, keep_default_na=False)
    schooling = schooling_files(folder)
    n_records = sum(len(Path(p).read_bytes().splitlines()) - 1 for p in schooling)
    out = OUT / f"{folder.name}_resultats_{args.moteur}"

    department = measure(
        [
            *(
                VEILLE,
                "croiser-departement",
                "--communes",
                str(folder / "communes"),
                "--scolarite",
                *schooling,
            ),
            *("--sortie", str(out / "departement"), "--annee-scolaire", YEAR, "--moteur", args.moteur),
        ]
    )
    alone: list[tuple[float, float, float, float]] = []
    if not args.seul:
        for commune in communes:
            children = sorted(str(p) for p in commune.glob("enfants_*.csv"))
            alone.append(
                measure(
                    [
                        *(VEILLE, "croiser", "--enfants", *children, "--scolarite", *schooling),
                        *("--sortie", str(out / "seule" / commune.name), "--annee-scolaire", YEAR),
                        *("--moteur", args.moteur),
                    ]
                )
            )

    rows = []
    claimed: Counter[tuple[str, str]] = Counter()
    claimed_together: Counter[tuple[str, str]] = Counter()
    for commune in communes:
        code = commune.name[:5]
        own = truth[truth["code_commune"] == code]
        together = scores(out / "departement" / commune.name / "enfants_sans_scolarite.csv", own)
        claimed_together.update(records(out / "departement" / commune.name))
        row = {
            "commune": commune.name,
            "enfants": len(own),
            "non scolarisés": together["unschooled"],
            "rappel (dép.)": pct(together["recall"]),
            "précision non_trouve (dép.)": pct(together["precision"]),
            "à vérifier (dép.)": pct(together["review"]),
        }
        reference = (
            OUT
            / f"{folder.name}_resultats_duckdb"
            / "departement"
            / commune.name
            / "enfants_sans_scolarite.csv"
        )
        if args.moteur == "spark" and reference.exists():
            # Parity with the departmental run on DuckDB (run first, same department).
            mine = pd.read_csv(out / "departement" / commune.name / "enfants_sans_scolarite.csv", dtype=str)
            theirs = pd.read_csv(reference, dtype=str)
            same = (
                mine[["identifiant", "statut"]]
                .reset_index(drop=True)
                .equals(theirs[["identifiant", "statut"]].reset_index(drop=True))
            )
            row["même liste que DuckDB"] = "oui" if same else "non"
        if alone:
            apart = scores(out / "seule" / commune.name / "enfants_sans_scolarite.csv", own)
            row |= {
                "rappel (seule)": pct(apart["recall"]),
                "précision non_trouve (seule)": pct(apart["precision"]),
                "à vérifier (seule)": pct(apart["review"]),
            }
            claimed.update(records(out / "seule" / commune.name))
        rows.append(row)

    names = list(rows[0])
    print(
        f"Département synthétique : {len(communes)} communes, {len(truth)} enfants, {n_records} dossiers "
        f"de scolarité ; moteur {args.moteur} ; {os.cpu_count()} cœurs\n"
    )
    print("| " + " | ".join(names) + " |")
    print("|" + "---|" * len(names))
    for row in rows:
        print("| " + " | ".join(str(row[name]) for name in names) + " |")
    print()
    print("| croisement | durée | temps CPU | mémoire max | charge (1 min) |")
    print("|---|---|---|---|---|")
    wall, cpu, peak, load = department
    print(f"| départemental (une fois) | {wall:.1f} s | {cpu:.1f} s | {peak:.2f} GB | {load:.1f} |")
    if alone:
        print(
            f"| chaque commune seule ({len(alone)} fois) | {sum(a[0] for a in alone):.1f} s | "
            f"{sum(a[1] for a in alone):.1f} s | {max(a[2] for a in alone):.2f} GB | "
            f"{min(a[3] for a in alone):.1f}–{max(a[3] for a in alone):.1f} |"
        )
        twice = sum(1 for count in claimed.values() if count > 1)
        twice_together = sum(1 for count in claimed_together.values() if count > 1)
        print(
            f"\nDossiers de scolarité rapprochés dans deux communes : {twice} en croisant chaque commune "
            f"seule, {twice_together} en croisement départemental"
        )


if __name__ == "__main__":
    main()
