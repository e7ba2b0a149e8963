"""Benchmark: the crossing on Spark beside the crossing on DuckDB, on the same synthetic communes.

    make bench-spark                                  # 1,000 and 10,000 children
    python bench/spark.py --tailles 1000 10000 100000 --maitre 'local[2]'

For each size, the commune is crossed once on each backend in this process (DuckDB first); the
Spark session is started before the first crossing and its start-up is reported apart. Parity: the
share of children with the same status, the share of matches found by both, the largest difference
of weight between the two. Prints a table (Markdown) and writes it to ``bench/SPARK.md``.

Large sizes, one backend per process (each measured alone, on the same files):

    nice python bench/spark.py --tailles 1000000 --moteurs duckdb --dossier /tmp/communes --sortie d.md
    nice python bench/spark.py --tailles 1000000 --moteurs spark --dossier /tmp/communes --sortie s.md

``--dossier`` writes each synthetic commune there once (later runs read it) and keeps each
backend's statuses and matches beside it: the second backend's run measures parity against the
first's. Every line of progress is printed with the time, the memory and the CPU so far, so that a
run stopped before its end says how far it got.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from veille.matching import cross
from veille.matching.backends import BACKENDS, DUCKDB, MASTER_ENV, SPARK, spark_session
from veille.matching.scoring import PairEngine
from veille.sources import read_children_files, read_schooling_files
from veille.sources.limits import MAX_DECOMPRESSED_BYTES
from veille.synth import generate_commune, write_commune

OUT = Path(__file__).resolve().parent / "SPARK.md"
KEYS = ["organisme", "identifiant", "source", "source_identifiant"]


def split_large_files(folder: Path) -> None:
    """Cut the files a cell could not drop in one piece (``veille.sources.limits``: 50 MB, 500,000
    rows) into parts of 200,000 rows, each with the header, as the refusal tells the cell to do."""
    for path in sorted(folder.glob("*.csv")):
        if path.name == "verite.csv" or path.stat().st_size <= MAX_DECOMPRESSED_BYTES * 0.9:
            continue
        # Bytes as they are: the exports are not all UTF-8.
        header, *lines = path.read_bytes().splitlines(keepends=True)
        for part, start in enumerate(range(0, len(lines), 200_000), start=1):
            target = path.with_name(f"{path.stem}_partie{part}.csv")
            target.write_bytes(header + b"".join(lines[start : start + 200_000]))
        path.unlink()


def commune(size: int, seed: int, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not (folder / "verite.csv").exists():
        write_commune(generate_commune(size, seed=seed), folder)
    split_large_files(folder)
    written = {p.name: p for p in sorted(folder.glob("*.csv"))}
    children = read_children_files([p for n, p in written.items() if n.startswith("enfants")]).table
    files = [
        p for n, p in written.items() if n.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
    ]
    return children, read_schooling_files(files).table


class Meter:
    """The memory and CPU of this process and of its children (the JVM, Spark's Python workers),
    sampled every second: the JVM's peak is its own resident memory at its highest."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.jvm_peak = self.workers_peak = self.total_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()

    def sample(self) -> None:
        import psutil

        jvm = workers = 0.0
        try:
            for child in self.me.children(recursive=True):
                try:
                    rss = child.memory_info().rss / 1e9
                    if "java" in child.name():
                        jvm += rss
                    else:
                        workers += rss
                except psutil.Error:
                    continue
            mine = self.me.memory_info().rss / 1e9
        except psutil.Error:
            return
        self.jvm_peak, self.workers_peak = max(self.jvm_peak, jvm), max(self.workers_peak, workers)
        self.total_peak = max(self.total_peak, mine + jvm + workers)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds (user + system) of this process, and of its children alive or reaped."""
        import psutil

        own = self.me.cpu_times()
        children = own.children_user + own.children_system
        for child in self.me.children(recursive=True):
            try:
                times = child.cpu_times()
                children += times.user + times.system
            except psutil.Error:
                continue
        return own.user + own.system, children

    def python_peak(self) -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6

    def line(self, started: float) -> str:
        mine, children = self.cpu()
        return (
            f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, {time.perf_counter() - started:.0f} s, "
            f"CPU Python {mine:.0f} s, CPU JVM {children:.0f} s, Python pic {self.python_peak():.2f} Go, "
            f"JVM pic {self.jvm_peak:.2f} Go, charge {os.getloadavg()[0]:.1f}"
        )


#: How many candidate pairs the last crossing scored (``PairEngine.build_candidates`` returns it,
#: ``cross`` keeps only those above the shown threshold).
CANDIDATES: list[int] = []
_build_candidates = PairEngine.build_candidates


def _counting_build_candidates(self: PairEngine, only: Any = None) -> int:
    count = _build_candidates(self, only)
    CANDIDATES.append(count)
    print(f"  {count:,} paires candidates".replace(",", " "), flush=True)
    return count


PairEngine.build_candidates = _counting_build_candidates  # type: ignore[method-assign]


def markdown(rows: list[dict[str, object]]) -> str:
    names = list(rows[0])
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(str(row[name]) for name in names) + " |" for row in rows]
    return "\n".join(lines)


def parity(mine: Any, other_children: pd.DataFrame, other_matches: pd.DataFrame) -> dict[str, str]:
    same_status = float(np.mean(mine.children["statut"].to_numpy() == other_children["statut"].to_numpy()))
    both = other_matches.merge(mine.matches, on=KEYS, suffixes=("_duckdb", "_spark"))
    union = len(other_matches) + len(mine.matches) - len(both)
    gap = (both["poids_duckdb"] - both["poids_spark"]).abs().max() if len(both) else 0.0
    return {
        "mêmes statuts": f"{same_status:.2%}",
        "mêmes rapprochements": f"{len(both) / max(union, 1):.2%}",
        "écart de poids max": f"{gap:.1e}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--maitre", default="local[2]", help="le maître Spark (local[2])")
    parser.add_argument("--moteurs", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--dossier", type=Path, help="où garder les communes et les résultats")
    parser.add_argument("--sortie", type=Path, default=OUT, help="le tableau Markdown (bench/SPARK.md)")
    args = parser.parse_args()
    os.environ[MASTER_ENV] = args.maitre
    meter = Meter()
    origin = time.perf_counter()

    def say(label: str) -> None:
        print(f"  {label} — {meter.line(origin)}", flush=True)

    start_up = 0.0
    if SPARK in args.moteurs:
        started = time.perf_counter()
        spark_session()
        start_up = time.perf_counter() - started
    rows: list[dict[str, object]] = []
    for size in args.tailles:
        with tempfile.TemporaryDirectory(prefix="veille-spark-") as scratch:
            folder = (args.dossier or Path(scratch)) / f"commune_{size}_g{args.graine}"
            folder.mkdir(parents=True, exist_ok=True)
            say(f"{size} enfants : lecture des fichiers")
            children, schooling = commune(size, args.graine, folder)
        results = {}
        for backend in args.moteurs:
            say(f"{size} enfants sur {backend}")
            load = os.getloadavg()[0]
            cpu_before = meter.cpu()
            clock = time.perf_counter()
            result = cross(children, schooling, school_year="2026-2027", backend=backend, progress=say)
            seconds = time.perf_counter() - clock
            cpu_after = meter.cpu()
            meter.sample()
            results[backend] = result
            row: dict[str, object] = {
                "enfants": size,
                "moteur": backend,
                "paires candidates": CANDIDATES[-1] if CANDIDATES else "—",
                "temps (s)": round(seconds, 1),
                "CPU Python (s)": round(cpu_after[0] - cpu_before[0], 1),
                "CPU JVM (s)": round(cpu_after[1] - cpu_before[1], 1) if backend == SPARK else "—",
                "charge": round(load, 1),
                "Python, pic (Go)": round(meter.python_peak(), 2),
                "JVM, pic (Go)": round(meter.jvm_peak, 2) if backend == SPARK else "—",
                "ouvriers Python, pic (Go)": round(meter.workers_peak, 2) if backend == SPARK else "—",
            }
            other = DUCKDB if backend == SPARK else SPARK
            stored = folder / f"resultats_{other}"
            if other in results:
                row |= parity(results[backend], results[other].children, results[other].matches)
            elif args.dossier and (stored / "statuts.parquet").exists():
                row |= parity(
                    result,
                    pd.read_parquet(stored / "statuts.parquet"),
                    pd.read_parquet(stored / "rapprochements.parquet"),
                )
            else:
                row |= {"mêmes statuts": "—", "mêmes rapprochements": "—", "écart de poids max": "—"}
            row["étapes (s)"] = ", ".join(f"{k} {v:.0f}" for k, v in result.timings.steps.items())
            if args.dossier:
                kept = folder / f"resultats_{backend}"
                kept.mkdir(exist_ok=True)
                result.children[["statut"]].to_parquet(kept / "statuts.parquet")
                result.matches[[*KEYS, "poids"]].to_parquet(kept / "rapprochements.parquet")
            rows.append(row)
            say(f"{size} enfants sur {backend} : fini")
            print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
            # Written after each run: the largest may not finish in the time there is.
            header = (
                f"# Spark beside DuckDB\n\n`python bench/spark.py --tailles "
                f"{' '.join(map(str, args.tailles))} --moteurs {' '.join(args.moteurs)} "
                f"--maitre '{args.maitre}'` on {platform.node()} ({os.cpu_count()} cores). Spark "
                f"start-up, once: {start_up:.0f} s (not in the times below).\n\n"
            )
            args.sortie.write_text(header + markdown(rows) + "\n", encoding="utf-8")
        del results
    print(markdown(rows))


if __name__ == "__main__":
    main()
