"""Benchmark: the crossing on Spark beside the crossing on DuckDB, on the same synthetic communes.

    make bench-spark                                  # 1,000 and 10,000 children
    python bench/spark.py --tailles 1000 10000 100000 --maitre 'local[2]'

For each size, the commune is crossed once on each backend in this process (DuckDB first); the
Spark session is started before the first crossing and its start-up is reported apart. Parity: the
share of children with the same status, the share of matches found by both, the largest difference
of weight between the two. Prints a table (Markdown) and writes it to ``bench/SPARK.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from veille.matching import cross
from veille.matching.backends import MASTER_ENV, spark_session
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune

OUT = Path(__file__).resolve().parent / "SPARK.md"
KEYS = ["organisme", "identifiant", "source", "source_identifiant"]


def commune(size: int, seed: int, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    written = write_commune(generate_commune(size, seed=seed), folder)
    children = read_children_files([p for n, p in written.items() if n.startswith("enfants")]).table
    files = [
        p for n, p in written.items() if n.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
    ]
    return children, read_schooling_files(files).table


def jvm_gb() -> float:
    """Resident memory of the local Spark JVM (it seldom gives memory back: about its peak)."""
    import psutil

    jvms = [p for p in psutil.Process().children(recursive=True) if "java" in p.name()]
    return round(sum(p.memory_info().rss for p in jvms) / 1e9, 2)


def markdown(rows: list[dict[str, object]]) -> str:
    names = list(rows[0])
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(str(row[name]) for name in names) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--maitre", default="local[2]", help="le maître Spark (local[2])")
    args = parser.parse_args()
    os.environ[MASTER_ENV] = args.maitre

    started = time.perf_counter()
    spark_session()
    start_up = time.perf_counter() - started
    rows = []
    for size in args.tailles:
        with tempfile.TemporaryDirectory(prefix="veille-spark-") as folder:
            children, schooling = commune(size, args.graine, Path(folder))
        clock = time.perf_counter()
        on_duckdb = cross(children, schooling, school_year="2026-2027")
        duckdb_seconds = time.perf_counter() - clock
        clock = time.perf_counter()
        on_spark = cross(children, schooling, school_year="2026-2027", backend="spark")
        spark_seconds = time.perf_counter() - clock
        same_status = float(
            np.mean(on_duckdb.children["statut"].to_numpy() == on_spark.children["statut"].to_numpy())
        )
        both = on_duckdb.matches.merge(on_spark.matches, on=KEYS, suffixes=("_duckdb", "_spark"))
        union = len(on_duckdb.matches) + len(on_spark.matches) - len(both)
        rows.append(
            {
                "enfants": size,
                "DuckDB (s)": round(duckdb_seconds, 1),
                "Spark (s)": round(spark_seconds, 1),
                "Spark / DuckDB": round(spark_seconds / duckdb_seconds, 1),
                "mêmes statuts": f"{same_status:.2%}",
                "mêmes rapprochements": f"{len(both) / max(union, 1):.2%}",
                "écart de poids max": f"{(both['poids_duckdb'] - both['poids_spark']).abs().max():.1e}",
                "Python, pic (Go)": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
                "JVM (Go)": jvm_gb(),
                "étapes Spark (s)": ", ".join(f"{k} {v:.0f}" for k, v in on_spark.timings.steps.items()),
            }
        )
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
        # Written after each size: the largest may not finish in the time there is.
        header = (
            f"# Spark beside DuckDB\n\n`python bench/spark.py --tailles {' '.join(map(str, args.tailles))} "
            f"--maitre '{args.maitre}'` on {platform.node()} ({os.cpu_count()} cores). Spark start-up, "
            f"once: {start_up:.0f} s (not in the times below).\n\n"
        )
        OUT.write_text(header + markdown(rows) + "\n", encoding="utf-8")
    print(markdown(rows))


if __name__ == "__main__":
    main()
