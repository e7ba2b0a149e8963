"""Benchmark: Veille side by side with the two reference approaches, in one run.

    make bench                     # 10 000, 100 000 and 500 000 children, and FEBRL4
    python bench/run.py --tailles 10000 --sans-febrl   # a quick look

Each approach runs as its own process, with the same command line as ``veille croiser``; its wall time
and peak memory (maximum resident set size of that process) are measured from outside. The quality of
its ``enfants_sans_scolarite.csv`` is scored against the synthetic commune's ``verite.csv``.
Prints a table and writes it to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANCHORS = ROOT.parent / "shared" / "anchors"
OUT = ROOT / "bench" / "out"
SEED = 20261123


@dataclass
class Row:
    dataset: str
    approach: str
    children: int
    recall: float | None
    precision: float | None
    uncertain: float | None
    seconds: float
    peak_gb: float
    note: str = ""


def run_measured(command: list[str], *, cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command; returns (wall seconds, peak RSS in GB of the process, output tail)."""
    # A fresh interpreter per measure, so that RUSAGE_CHILDREN only sees this command.
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(p.stdout[-3000:] + p.stderr[-3000:])\n"
        "print(f'@@ {s} {rss} {p.returncode}')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, cwd=cwd)
    last = [line for line in done.stdout.splitlines() if line.startswith("@@ ")][-1].split()
    seconds, rss_kb, code = float(last[1]), int(last[2]), int(last[3])
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} a échoué ({code}) :\n{done.stdout[-3000:]}")
    return seconds, rss_kb / 1024 / 1024, done.stdout


def ensure_commune(n: int) -> Path:
    folder = OUT / f"commune_{n}"
    if not (folder / "verite.csv").exists():
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "veille"),
                "demo-donnees",
                str(folder),
                "--enfants",
                str(n),
                "--graine",
                str(SEED),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


def bench_commune(n: int, approaches: list[str]) -> list[Row]:
    from veille.synth.scoring import score_flags

    folder = ensure_commune(n)
    children = sorted(str(p) for p in folder.glob("enfants_*.csv"))
    schooling = sorted(str(p) for p in folder.glob("scolarite_*.csv"))
    rows = []
    for approach in approaches:
        out = OUT / f"resultats_{n}_{approach}"
        args = ["--enfants", *children, "--scolarite", *schooling, "--sortie", str(out)]
        if approach == "veille":
            command = [
                str(ROOT / ".venv" / "bin" / "veille"),
                "croiser",
                *args,
                "--annee-scolaire",
                "2026-2027",
            ]
        else:
            command = [sys.executable, str(ANCHORS / f"{approach}.py"), *args]
        seconds, peak, _ = run_measured(command, cwd=ANCHORS)
        scores = score_flags(out / "enfants_sans_scolarite.csv", folder / "verite.csv")
        rows.append(
            Row(
                f"commune {n:,}".replace(",", " "),
                approach,
                scores["children"],
                scores["recall"],
                scores["precision_non_trouve"],
                scores["incertain_share"],
                seconds,
                peak,
            )
        )
        print(format_row(rows[-1]), flush=True)
    return rows


def bench_febrl() -> Row:
    seconds, peak, output = run_measured([sys.executable, str(ROOT / "bench" / "febrl4.py")])
    f1 = float([line for line in output.splitlines() if line.startswith("F1 ")][-1].split()[1])
    row = Row(
        "FEBRL4 (5 000 × 5 000)", "veille", 5000, None, None, None, seconds, peak, note=f"F1 = {f1:.6f}"
    )
    print(format_row(row), flush=True)
    return row


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f} %"


def format_row(row: Row) -> str:
    return (
        f"| {row.dataset} | {row.approach} | {row.children:,} | {pct(row.recall)} | {pct(row.precision)} | "
        f"{pct(row.uncertain)} | {row.seconds:.1f} s | {row.peak_gb:.2f} GB | {row.note} |"
    ).replace(",", " ")


# The targets, checked on every line of the table that they apply to.
QUALITY = {"recall": 0.995, "precision": 0.97, "uncertain": 0.005}
SPEED = {100_000: (30.0, 2.0), 500_000: (180.0, 4.0)}  # children: (seconds, GB)
FEBRL_F1 = 0.999


def verdicts(rows: list[Row]) -> list[str]:
    """One French line per target and measured line: the figure, the target, met or not."""
    lines = []
    for row in rows:
        if row.approach != "veille":
            continue
        if row.recall is not None and row.precision is not None and row.uncertain is not None:
            checks = [
                ("rappel", row.recall, f"≥ {pct(QUALITY['recall'])}", row.recall >= QUALITY["recall"]),
                (
                    "précision de non_trouve",
                    row.precision,
                    f"≥ {pct(QUALITY['precision'])}",
                    row.precision >= QUALITY["precision"],
                ),
                (
                    "incertains",
                    row.uncertain,
                    f"≤ {pct(QUALITY['uncertain'])}",
                    row.uncertain <= QUALITY["uncertain"],
                ),
            ]
            for name, value, target, ok in checks:
                lines.append(f"- {row.dataset}, {name} : {pct(value)} (cible {target}) : {_ok(ok)}")
        if row.children in SPEED and row.dataset.startswith("commune"):
            seconds, gb = SPEED[row.children]
            lines.append(
                f"- {row.dataset}, durée : {row.seconds:.1f} s (cible ≤ {seconds:.0f} s) : "
                f"{_ok(row.seconds <= seconds)}"
            )
            lines.append(
                f"- {row.dataset}, mémoire : {row.peak_gb:.2f} GB (cible ≤ {gb:.0f} GB) : "
                f"{_ok(row.peak_gb <= gb)}"
            )
        if row.note.startswith("F1 = "):
            f1 = float(row.note.split("=")[1])
            lines.append(f"- {row.dataset}, F1 : {f1:.6f} (cible ≥ {FEBRL_F1}) : {_ok(f1 >= FEBRL_F1)}")
    return lines


def _ok(met: bool) -> str:
    return "atteinte" if met else "**NON ATTEINTE**"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cœurs ({cpu}), {memory:.0f} Go de mémoire, Python {platform.python_version()}"


def monthly_section(sizes: list[int]) -> list[str]:
    """Month 2 after month 1 (bench/monthly.py), in the same run."""
    if not sizes:
        return []
    import monthly

    return monthly.section([monthly.bench_month(n) for n in sizes])


OTHER_BENCHES = "<!-- autres bancs : bench/load.py, bench/upload_memory.py -->"


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Banc d'essai de Veille contre les deux approches de référence."
    )
    parser.add_argument("--tailles", type=int, nargs="+", default=[10_000, 100_000, 500_000])
    parser.add_argument(
        "--references-jusqua",
        type=int,
        default=100_000,
        help="taille maximale à laquelle lancer les approches de référence",
    )
    parser.add_argument("--sans-febrl", action="store_true")
    parser.add_argument(
        "--mensuel",
        type=int,
        nargs="*",
        default=[1_000, 10_000, 100_000],
        help="tailles de la mise à jour mensuelle (bench/monthly.py) ; sans taille : aucune",
    )
    parser.add_argument("--sortie", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        "| jeu de données | approche | enfants | rappel (non scolarisés) | précision de non_trouve | "
        "incertains | durée | mémoire max | note |\n|---|---|---|---|---|---|---|---|---|"
    )
    print(header, flush=True)
    rows: list[Row] = []
    for n in args.tailles:
        approaches = ["veille"] + (["exact_join", "generic_splink"] if n <= args.references_jusqua else [])
        rows += bench_commune(n, approaches)
    import real_formats  # the ONDE and SIECLE exports, scenario in its own file

    rows += real_formats.bench()
    if not args.sans_febrl:
        rows.append(bench_febrl())
    started = time.strftime("%Y-%m-%d %H:%M")
    text = "\n".join(
        [
            "# Banc d'essai de Veille",
            "",
            f"Mesuré le {started} par `make bench` sur : {machine()}.",
            "Toutes les lignes d'un même tableau viennent du même passage (machines partagées, bruyantes).",
            "",
            "- rappel : part des enfants réellement non scolarisés (et soumis à l'obligation) signalés "
            "`non_trouve` ou `incertain` ;",
            "- précision de non_trouve : part des enfants `non_trouve` réellement non scolarisés ;",
            "- incertains : part des enfants classés `incertain` ;",
            "- durée et mémoire : de la lecture des fichiers à l'écriture des résultats, processus entier.",
            "",
            header,
            *[format_row(r) for r in rows],
            "",
            "## Cibles du ticket « Le croisement »",
            "",
            *verdicts(rows),
            "",
            *monthly_section(args.mensuel),
        ]
    )
    # The other benches' sections (load, memory of an upload) follow the marker: they are kept.
    out = Path(args.sortie)
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    kept = previous[previous.index(OTHER_BENCHES) :] if OTHER_BENCHES in previous else ""
    out.write_text(text.rstrip("\n") + ("\n\n" + kept if kept else "\n"), encoding="utf-8")
    print(f"\nTableau écrit dans {args.sortie}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
