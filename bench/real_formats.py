"""Bench scenario: the synthetic commune's schooling files as the schools export them (ONDE, SIECLE).

Called from ``run.py``. The same commune (same seed, same size as a ``commune`` row) is written a
second time with ``veille demo-donnees --formats reels``: one ONDE ``CSVExtraction`` per school, one
SIECLE ``ExportXML_ElevesSansAdresses.zip`` and ``ResponsablesAvecAdresses.xml`` per collège or
lycée, plus pupils who left (``DATE_SORTIE``) that the CSV files do not list. ``veille croiser`` reads
them as they come; the row is scored like the others, and its note says how many children got the
same status (and the same schooling record) as with the CSV files.

``bench(6000, department_pupils=120_000)``: the same for a commune crossed against the exports of a
whole department (``--eleves-departement``), the shape the DSDEN sends.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

SIZE = 10_000


def _outcomes(out: Path) -> dict[tuple[str, str], str]:
    """Child -> status (flagged children) or matched record (the others), from a crossing's files."""
    found: dict[tuple[str, str], str] = {}
    for name, value in (
        ("enfants_sans_scolarite.csv", "statut"),
        ("rapprochements.csv", "source_identifiant"),
    ):
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=";" if first.count(";") > first.count(",") else ",")
            for row in reader:
                key = (row["organisme"], row["identifiant"])
                found[key] = found.get(key, "") + "|" + row[value]
    return found


def bench(size: int = SIZE, department_pupils: int = 0) -> list:
    from run import OUT, ROOT, SEED, Row, ensure_commune, format_row, run_measured

    from veille.synth.scoring import score_flags

    veille = str(ROOT / ".venv" / "bin" / "veille")
    # The CSV files are crossed again here, side by side with the real formats (same machine load).
    shape = f"{size}_{department_pupils}" if department_pupils else f"{size}"
    csv_out = OUT / f"resultats_{shape}_csv_cote_a_cote"
    commune = ensure_commune(size, department_pupils=department_pupils)
    csv_seconds = run_measured(
        [
            veille,
            "croiser",
            "--enfants",
            *sorted(str(p) for p in commune.glob("enfants_*.csv")),
            "--scolarite",
            *sorted(str(p) for p in commune.glob("scolarite_*.csv")),
            "--sortie",
            str(csv_out),
            "--annee-scolaire",
            "2026-2027",
        ]
    ).seconds
    folder = OUT / ((f"departement_{shape}" if department_pupils else f"commune_{shape}") + "_formats_reels")
    if not (folder / "verite.csv").exists():
        subprocess.run(
            [
                veille,
                "demo-donnees",
                str(folder),
                "--enfants",
                str(size),
                "--graine",
                str(SEED),
                "--formats",
                "reels",
                *(["--eleves-departement", str(department_pupils)] if department_pupils else []),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out = OUT / f"resultats_{shape}_formats_reels"
    schooling = [
        *sorted(str(p) for p in folder.glob("scolarite_*.csv")),
        *sorted(str(p) for p in folder.glob("onde/*/CSVExtraction-*.csv")),
        *sorted(str(p) for p in folder.glob("siecle/*/*")),
    ]
    command = [
        veille,
        "croiser",
        "--enfants",
        *sorted(str(p) for p in folder.glob("enfants_*.csv")),
        "--scolarite",
        *schooling,
        "--sortie",
        str(out),
        "--annee-scolaire",
        "2026-2027",
    ]
    load = os.getloadavg()[0]
    measured = run_measured(command)
    scores = score_flags(out / "enfants_sans_scolarite.csv", folder / "verite.csv")
    with_csv, with_real = _outcomes(csv_out), _outcomes(out)
    children = scores["children"]
    differing = sum(
        1 for key in with_csv.keys() | with_real.keys() if with_csv.get(key) != with_real.get(key)
    )
    files = len(schooling)
    reading = {
        name: json.loads((folder_out / "synthese.json").read_text(encoding="utf-8"))["durees_secondes"][
            "lecture"
        ]
        for name, folder_out in (("csv", csv_out), ("reels", out))
    }
    if department_pupils:
        name = f"département : {size:,} enfants / {department_pupils:,} élèves en formats réels"
    else:
        name = f"commune {size:,} formats réels"
    row = Row(
        name.replace(",", " "),
        "veille",
        children,
        scores["recall"],
        scores["precision_non_trouve"],
        scores["incertain_share"],
        measured.seconds,
        measured.peak_gb,
        note=f"{files} fichiers ONDE/SIECLE/CSV ; lecture {reading['reels']:.1f} s, "
        f"total {measured.seconds:.0f} s "
        f"(les CSV côte à côte : lecture {reading['csv']:.1f} s, total {csv_seconds:.0f} s) ; "
        f"même statut et même dossier qu'avec les CSV : {children - differing} / {children} enfants",
        cpu_seconds=measured.cpu_seconds,
        load=load,
        department=bool(department_pupils),
    )
    print(format_row(row), flush=True)
    return [row]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    bench()
    bench(6_000, department_pupils=120_000)
