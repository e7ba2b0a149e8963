"""Benchmark of the monthly update: month 2 crossed against month 1, side by side with full runs.

    python bench/monthly.py --tailles 1000 10000 100000 500000 --departement --formats-reels
    python bench/run.py --mensuel 1000 10000 100000 500000   # the same, inside the whole benchmark

For each size: the synthetic commune of ``bench/run.py`` (month 1) and its next month
(``veille.synth.monthly.next_month``: arrivals, departures, newly enrolled, moves); with
``--departement``, a commune of 6,000 children against the schooling files of a department of
120,000 pupils; with ``--formats-reels``, a commune of 10,000 children whose ONDE and SIECLE files
are the schools' own exports (``CSVExtraction``, ``ExportXML``), both months. Four processes, each
with the command line of ``veille croiser``, timed from outside:

1. month 1, a full crossing (it also writes the state month 2 reuses);
2. month 2 with ``--precedent`` (the monthly update);
3. month 2 in full with month 1's model (``--modele``): the statuses month 2 must give;
4. month 2 in full, the model learnt anew: how far a crossing from scratch would differ anyway (up to
   ``--reappris-jusqua`` children: on a shared machine, the longest of the four).

Target (issue « Le croisement », item 4): month 2 ≤ 30 % of month 1's time at 100,000 children, with
the same statuses as a full run.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import OTHER_BENCHES, OUT, ROOT, SEED, compile_veille, ensure_commune, pct, run_measured

MONTH_SEED = SEED + 1
#: where the crossings write (``--resultats``)
RUNS = OUT
TARGET_SIZE, TARGET_RATIO = 100_000, 0.30
SECTION = "## Mise à jour mensuelle (mois 2 après le mois 1)"
HEADER = (
    "| forme | enfants | mois 1 | mois 2 (--precedent) | rapport (durée) | rapport (temps CPU) | "
    "statuts = croisement complet, même modèle | écarts avec un croisement complet réappris | rappel | "
    "précision de non_trouve | incertains | changements |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
)


@dataclass(frozen=True)
class Shape:
    """What month 1 and month 2 look like: the commune's size, its schooling files' extent and format."""

    children: int
    #: the schooling files are a department's, of about this many pupils (0: the commune's own)
    department_pupils: int = 0
    #: ``csv`` or ``reels`` (``veille.synth.writer.FORMATS``)
    formats: str = "csv"

    @property
    def label(self) -> str:
        size = f"{self.children:,}".replace(",", " ")
        if self.department_pupils:
            pupils = f"{self.department_pupils:,}".replace(",", " ")
            label = f"département : {size} enfants / {pupils} élèves"
        else:
            label = f"commune {size}"
        return label + (" formats réels" if self.formats == "reels" else "")

    @property
    def name(self) -> str:
        """The folders' name (``bench/out``)."""
        name = f"{self.children}" + (f"_dep{self.department_pupils}" if self.department_pupils else "")
        return name + ("_reels" if self.formats == "reels" else "")

    @property
    def is_target(self) -> bool:
        """The shape of the issue's target: a commune's own CSV files, 100,000 children or more."""
        return self.children >= TARGET_SIZE and not self.department_pupils and self.formats == "csv"


DEPARTMENT = Shape(6_000, department_pupils=120_000)
REAL_FORMATS = Shape(10_000, formats="reels")


@dataclass(frozen=True)
class ChainedMonth:
    """One month after month 2, crossed with ``--precedent`` the month before's folder."""

    month: int
    seconds: float
    cpu_seconds: float
    #: children whose status differs from the same month crossed in full with month 1's model
    differences: int


@dataclass
class MonthlyRow:
    shape: Shape
    month_1: float
    month_2: float
    month_1_cpu: float
    month_2_cpu: float
    same_model_differences: int
    retrained_differences: int | None
    recall: float
    precision: float
    uncertain: float
    changes: str
    #: seconds of each step inside each process (``synthese.json``), month 1 then month 2
    phases: tuple[dict[str, float], dict[str, float]] = ({}, {})
    #: months 3, 4… each crossed against the month before (``--mois-enchaines``)
    chained: list[ChainedMonth] = field(default_factory=list)

    @property
    def children(self) -> int:
        return self.shape.children

    @property
    def ratio(self) -> float:
        return self.month_2 / self.month_1

    @property
    def cpu_ratio(self) -> float:
        return self.month_2_cpu / self.month_1_cpu


def run_timed(command: list[str]) -> tuple[float, float]:
    """Run a command; returns (wall seconds, CPU seconds) of its process."""
    measured = run_measured(command)
    return measured.seconds, measured.cpu_seconds


def ensure_months(shape: Shape, last: int = 2) -> list[Path]:
    """The folders of months 1 to ``last`` of ``shape``, each month the one after the month before
    (written once, then reused)."""
    from veille.synth import generate_commune, write_commune
    from veille.synth.monthly import next_month

    if shape.formats == "csv":
        # The commune of bench/run.py (the same seed): month 1's files are its own.
        first = ensure_commune(shape.children, department_pupils=shape.department_pupils)
    else:
        first = OUT / f"mensuel_donnees_{shape.name}_mois1"
    folders = [first, *(OUT / f"mensuel_donnees_{shape.name}_mois{month}" for month in range(2, last + 1))]
    if all((folder / "verite.csv").exists() for folder in folders):
        return folders
    commune = generate_commune(shape.children, seed=SEED, department_pupils=shape.department_pupils)
    for month, folder in enumerate(folders, start=1):
        if month > 1:
            commune = next_month(commune, seed=MONTH_SEED + month - 2)
        if not (folder / "verite.csv").exists():
            write_commune(commune, folder, formats=shape.formats)
    return folders


def _crossing(folder: Path, out: Path, *extra: str) -> tuple[float, float]:
    children = sorted(str(p) for p in folder.glob("enfants_*.csv"))
    # The CSV files, and the schools' own exports where the shape has them (as ``real_formats.py``).
    schooling = [
        *sorted(str(p) for p in folder.glob("scolarite_*.csv") if _has_rows(p)),
        *sorted(str(p) for p in folder.glob("onde/*/CSVExtraction-*.csv")),
        *sorted(str(p) for p in folder.glob("siecle/*/*")),
    ]
    command = [
        str(ROOT / ".venv" / "bin" / "veille"),
        "croiser",
        "--enfants",
        *children,
        "--scolarite",
        *schooling,
        "--sortie",
        str(out),
        "--annee-scolaire",
        "2026-2027",
        *extra,
    ]
    return run_timed(command)


def _has_rows(path: Path) -> bool:
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip()) > 1


def _statuses(out: Path) -> pd.Series:
    from veille.matching.monthly import MonthlyState

    children = MonthlyState.read(out).children
    return children.set_index(["organisme", "identifiant"])["statut"]


def _differences(one: pd.Series, other: pd.Series) -> int:
    joined = pd.concat([one.rename("a"), other.rename("b")], axis=1)
    return int((joined["a"] != joined["b"]).sum())


def chain_months(shape: Shape, last: int) -> list[ChainedMonth]:
    """Months 3 to ``last`` after ``bench_month(shape)``: does the update stay exact and as fast?

    Each month's state comes from a monthly update, not a full run: its left-out weights are bounds
    carried from month to month, and the count of candidate pairs an estimate.
    """
    model = OUT / f"mensuel_{shape.name}_mois1" / "modele.json"
    before = OUT / f"mensuel_{shape.name}_mois2"
    months = []
    for month, folder in enumerate(ensure_months(shape, last)[2:], start=3):
        out = OUT / f"mensuel_{shape.name}_mois{month}"
        seconds, cpu = _crossing(folder, out, "--precedent", str(before))
        full = OUT / f"mensuel_{shape.name}_mois{month}_complet_meme_modele"
        _crossing(folder, full, "--modele", str(model))
        months.append(ChainedMonth(month, seconds, cpu, _differences(_statuses(out), _statuses(full))))
        before = out
    return months


def bench_month(shape: Shape | int, retrained_up_to: int = 10_000, chained: int = 0) -> MonthlyRow:
    from veille.synth.scoring import score_flags

    shape = Shape(shape) if isinstance(shape, int) else shape
    n = shape.children
    first, second = ensure_months(shape)
    outs = {
        name: OUT / f"mensuel_{shape.name}_{name}"
        for name in ("mois1", "mois2", "complet_meme_modele", "reappris")
    }
    month_1, month_1_cpu = _crossing(first, outs["mois1"])
    month_2, month_2_cpu = _crossing(second, outs["mois2"], "--precedent", str(outs["mois1"]))
    _crossing(second, outs["complet_meme_modele"], "--modele", str(outs["mois1"] / "modele.json"))
    if n <= retrained_up_to:
        _crossing(second, outs["reappris"])
    statuses = _statuses(outs["mois2"])
    scores = score_flags(outs["mois2"] / "enfants_sans_scolarite.csv", second / "verite.csv")
    counts = pd.read_csv(outs["mois2"] / "changements.csv", dtype=str)["changement"].value_counts()
    row = MonthlyRow(
        shape=shape,
        month_1=month_1,
        month_2=month_2,
        month_1_cpu=month_1_cpu,
        month_2_cpu=month_2_cpu,
        same_model_differences=_differences(statuses, _statuses(outs["complet_meme_modele"])),
        retrained_differences=(
            _differences(statuses, _statuses(outs["reappris"])) if n <= retrained_up_to else None
        ),
        recall=scores["recall"],
        precision=scores["precision_non_trouve"],
        uncertain=scores["incertain_share"],
        changes=", ".join(f"{kind} : {count}" for kind, count in counts.items()),
        phases=(_phases(outs["mois1"]), _phases(outs["mois2"])),
        chained=chain_months(shape, chained) if chained > 2 else [],
    )
    print(format_row(row), flush=True)
    return row


def _phases(out: Path) -> dict[str, float]:
    summary = json.loads((out / "synthese.json").read_text(encoding="utf-8"))
    return {name: float(seconds) for name, seconds in summary["durees_secondes"].items()}


def phase_table(row: MonthlyRow) -> list[str]:
    """Where each month's time goes, step by step (inside the process; start-up and imports apart)."""
    first, second = row.phases
    if not first or not second:
        return []
    names = [*first, *(name for name in second if name not in first)]
    names = [name for name in names if name != "total"] + ["total"]
    lines = [
        f"Étapes, {row.shape.label} (secondes dans le processus, sans le "
        "démarrage ni les importations ; `durees_secondes` de `synthese.json`) :",
        "",
        "| étape | mois 1 | mois 2 | mois 2 / mois 1 |",
        "|---|---:|---:|---:|",
    ]
    for name in names:
        one, two = first.get(name), second.get(name)
        share = f"{100 * two / one:.0f} %" if one and two is not None else "—"
        lines.append(
            f"| {name} | {'—' if one is None else f'{one:.2f}'} | {'—' if two is None else f'{two:.2f}'} "
            f"| {share} |"
        )
    return [*lines, ""]


def chained_table(row: MonthlyRow) -> list[str]:
    """Months 3, 4… of ``row``'s shape, each crossed against the month before."""
    if not row.chained:
        return []
    lines = [
        f"Mois suivants, {row.shape.label} : chaque mois croisé avec `--precedent` le dossier du mois "
        "d'avant (son état vient donc lui-même d'une mise à jour), comparé au même mois croisé en "
        "entier avec le modèle du mois 1 :",
        "",
        "| mois | durée | rapport au mois 1 (durée) | rapport au mois 1 (temps CPU) | statuts = croisement "
        "complet, même modèle |",
        "|---|---|---|---|---|",
        f"| 2 | {row.month_2:.1f} s ({row.month_2_cpu:.1f} s CPU) | {100 * row.ratio:.0f} % | "
        f"{100 * row.cpu_ratio:.0f} % | {_same(row.same_model_differences)} |",
    ]
    for month in row.chained:
        lines.append(
            f"| {month.month} | {month.seconds:.1f} s ({month.cpu_seconds:.1f} s CPU) | "
            f"{100 * month.seconds / row.month_1:.0f} % | "
            f"{100 * month.cpu_seconds / row.month_1_cpu:.0f} % | {_same(month.differences)} |"
        )
    return [*lines, ""]


def _same(differences: int) -> str:
    return "oui" if differences == 0 else f"non ({differences} écarts)"


def format_row(row: MonthlyRow) -> str:
    children = f"{row.children:,}".replace(",", " ")
    retrained = "—" if row.retrained_differences is None else str(row.retrained_differences)
    return (
        f"| {row.shape.label} | {children} | {row.month_1:.1f} s ({row.month_1_cpu:.1f} s CPU) | "
        f"{row.month_2:.1f} s ({row.month_2_cpu:.1f} s CPU) | {100 * row.ratio:.0f} % | "
        f"{100 * row.cpu_ratio:.0f} % | "
        f"{_same(row.same_model_differences)} | "
        f"{retrained} | {pct(row.recall)} | {pct(row.precision)} | {pct(row.uncertain)} | "
        f"{row.changes} |"
    )


def section(rows: list[MonthlyRow]) -> list[str]:
    """The French section of bench/RESULTS.md: the table, then the target's verdict."""
    lines = [
        SECTION,
        "",
        "Le mois 2 (arrivées, départs, nouveaux inscrits, déménagements : `veille.synth.monthly`) "
        "croisé avec `--precedent` le dossier du mois 1, comparé au même mois 2 croisé en entier avec "
        "le modèle du mois 1 (`--modele`) et en entier avec un modèle réappris. Durées : processus "
        "entiers, mesurés l'un après l'autre.",
        "",
        HEADER,
        *[format_row(r) for r in rows],
        "",
        *[line for r in rows if r.shape.is_target for line in phase_table(r)],
        *[line for r in rows for line in chained_table(r)],
    ]
    for row in rows:
        if row.shape.is_target:
            met = row.ratio <= TARGET_RATIO and row.same_model_differences == 0
            lines.append(
                f"- {row.shape.label}, mois 2 : {100 * row.ratio:.0f} % de la durée du mois 1 "
                f"({100 * row.cpu_ratio:.0f} % de son temps CPU) (cible ≤ "
                f"{100 * TARGET_RATIO:.0f} %), statuts identiques au croisement complet : "
                f"{'oui' if row.same_model_differences == 0 else 'non'} : "
                f"{'atteinte' if met else '**NON ATTEINTE**'}"
            )
    return [*lines, ""]


def write_section(path: Path, lines: list[str]) -> None:
    """Put the section in RESULTS.md in place of the previous one (the rest of the file is kept)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION in text:
        before, after = text.split(SECTION, 1)
        # The section ends at the next heading, or at the marker of the other benches (``run.py``
        # keeps what follows it): dropping the marker with the section lost those benches once.
        ends = [i for i in (after.find("\n## "), after.find("\n" + OTHER_BENCHES)) if i >= 0]
        rest = after[min(ends) :] if ends else ""
        text = before + "\n".join(lines) + rest
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai de la mise à jour mensuelle.")
    parser.add_argument("--tailles", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--reappris-jusqua", type=int, default=10_000)
    parser.add_argument(
        "--departement",
        action="store_true",
        help="aussi une commune de 6 000 enfants contre les fichiers d'un département de 120 000 élèves",
    )
    parser.add_argument(
        "--formats-reels",
        action="store_true",
        help="aussi une commune de 10 000 enfants dont l'ONDE et SIECLE sont les exports des écoles",
    )
    parser.add_argument(
        "--mois-enchaines",
        type=int,
        default=0,
        help="à 100 000 enfants et plus, croiser aussi les mois 3 à N, chacun après le précédent",
    )
    parser.add_argument("--resultats", default=str(OUT), help="dossier des sorties des croisements")
    parser.add_argument("--sortie", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    compile_veille()
    global RUNS
    RUNS = Path(args.resultats)
    RUNS.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    print(HEADER, flush=True)
    shapes = [
        *(Shape(n) for n in args.tailles),
        *([DEPARTMENT] if args.departement else []),
        *([REAL_FORMATS] if args.formats_reels else []),
    ]
    rows = [
        bench_month(shape, args.reappris_jusqua, args.mois_enchaines if shape.children == TARGET_SIZE else 0)
        for shape in shapes
    ]
    write_section(Path(args.sortie), section(rows))
    print(f"\nSection écrite dans {args.sortie}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
