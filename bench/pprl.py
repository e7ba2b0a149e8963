"""The encrypted crossing beside the clear one, on the benchmark's synthetic communes.

    .venv/bin/python bench/pprl.py                      # 10,000 children
    .venv/bin/python bench/pprl.py --tailles 10000 100000

Each holder (CAF, MSA, each schooling source) encodes its own file with `veille encoder` (timed, one
process per holder), the cell links them with `veille croiser --chiffre` (timed), and the statuses,
under pseudonyms, are tied back to the children with the holders' keys (only the benchmark holds them
all) and scored against ``verite.csv`` as ``bench/run.py`` scores the clear crossing, run beside it.
Prints a table in French, with the targets of issue 15, and writes it to bench/out/pprl_resultats.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import OUT, ensure_commune  # noqa: E402

VEILLE = str(ROOT / ".venv" / "bin" / "veille")
CAMPAIGN = "banc-2026-12"
TARGETS = {"recall": 0.995, "precision": 0.97, "review": 0.01, "gap": 0.01, "seconds": 60.0}


#: CPU seconds (user + system) of the children processes, per command timed: the machine is shared
CPU: dict[str, float] = {}


def timed(command: list[str]) -> float:
    """Wall seconds of one process; its CPU seconds go to ``CPU`` under its output (``--sortie``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = command[command.index("--sortie") + 1] if "--sortie" in command else command[-1]
    CPU[output] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall


def _files(folder: Path) -> tuple[list[Path], list[Path]]:
    children = sorted(folder.glob("enfants_*.csv"))
    schooling = [p for p in sorted(folder.glob("scolarite_*.csv")) if len(p.read_bytes().splitlines()) > 1]
    return children, schooling


def _key(path: Path) -> Path:
    if not path.exists():
        subprocess.run(
            [VEILLE, "encoder", "--nouvelle-cle", str(path)], check=True, stdout=subprocess.DEVNULL
        )
    return path


def clear(folder: Path) -> tuple[dict, float]:
    from veille.synth.scoring import score_flags

    children, schooling = _files(folder)
    out = OUT / f"pprl_clair_{folder.name}"
    command = [VEILLE, "croiser", "--enfants", *map(str, children), "--scolarite", *map(str, schooling)]
    seconds = timed([*command, "--sortie", str(out), "--annee-scolaire", "2026-2027"])
    return score_flags(out / "enfants_sans_scolarite.csv", folder / "verite.csv"), seconds


#: the encodings measured: option of `veille encoder`, name in the table, folder suffix
VARIANTS = {
    "chiffre": ([], "chiffré", ""),
    "plie": (["--pliage-xor"], "chiffré, pliage XOR", "_plie"),
    "equilibre": (["--equilibre"], "chiffré, filtres équilibrés", "_equilibre"),
}


def encrypted(folder: Path, *, variant: str = "chiffre") -> tuple[dict, dict[str, float], float]:
    from veille.pprl import pseudonyms
    from veille.sources import read_children_files
    from veille.synth.scoring import score_flags

    option, _, suffix = VARIANTS[variant]
    work = OUT / f"pprl_chiffre{suffix}_{folder.name}"
    keys = OUT / "pprl_cles"
    keys.mkdir(parents=True, exist_ok=True)
    secret = _key(keys / "secret_partage.txt")
    children, schooling = _files(folder)
    encoded: dict[str, list[str]] = {"enfants": [], "scolarite": []}
    encoding: dict[str, float] = {}
    encoding_cpu: dict[str, float] = {}
    back: dict[str, str] = {}
    for kind, paths in (("enfants", children), ("scolarite", schooling)):
        for path in paths:
            key = _key(keys / f"{path.stem}.cle")
            out = work / f"{path.stem}.npz"
            out.parent.mkdir(parents=True, exist_ok=True)
            command = [VEILLE, "encoder", str(path), "--type", kind, "--secret", str(secret)]
            command += ["--cle-detenteur", str(key), "--campagne", CAMPAIGN, "--annee-scolaire", "2026-2027"]
            encoding[path.stem] = timed([*command, *option, "--sortie", str(out)])
            encoding_cpu[path.stem] = CPU[str(out)]
            encoded[kind].append(str(out))
            if kind == "enfants":
                table = read_children_files([path]).table
                ids = pseudonyms(table, key.read_bytes().strip(), CAMPAIGN)
                back.update(zip(ids, table["identifiant"], strict=True))
    results = work / "resultats"
    command = [VEILLE, "croiser", "--chiffre", "--enfants", *encoded["enfants"]]
    linking = timed([*command, "--scolarite", *encoded["scolarite"], "--sortie", str(results)])
    statuses = pd.read_csv(results / "statuts_chiffres.csv", sep=";", dtype=str)
    flagged = statuses[statuses["statut"].isin(["non_trouve", "incertain"])]
    flags = work / "signalements.csv"
    pd.DataFrame({"identifiant": flagged["identifiant"].map(back), "statut": flagged["statut"]}).to_csv(
        flags, index=False
    )
    scores = score_flags(flags, folder / "verite.csv")
    scores["cpu_encodage"], scores["cpu_croisement"] = encoding_cpu, CPU[str(results)]
    return scores, encoding, linking


def load() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tailles", nargs="+", type=int, default=[10_000])
    parser.add_argument(
        "--variantes",
        nargs="+",
        choices=list(VARIANTS),
        default=list(VARIANTS),
        help="les encodages mesurés (tous par défaut) : sans option, pliage XOR, filtres équilibrés",
    )
    args = parser.parse_args()
    header = (
        "| commune | croisement | rappel | précision non_trouve | relecture "
        "| encodage (max. par détenteur), mur / CPU | croisement, mur / CPU | charge (1 / 5 / 15 min) |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for n in args.tailles:
        folder = ensure_commune(n)
        plain, plain_seconds = clear(folder)
        label = f"{n:,}".replace(",", " ")
        lines.append(
            f"| {label} | en clair | {pct(plain['recall'])} | {pct(plain['precision_non_trouve'])} | "
            f"{pct(plain['incertain_share'])} ({plain['incertain']}) | — | "
            f"{plain_seconds:.1f} s / {CPU[str(OUT / f'pprl_clair_{folder.name}')]:.1f} s | {load()} |"
        )
        print(lines[-1], flush=True)
        for variant in args.variantes:
            secret, encoding, linking = encrypted(folder, variant=variant)
            name = VARIANTS[variant][1]
            slowest = max(encoding, key=lambda stem: encoding[stem])
            lines.append(
                f"| {label} | {name} | {pct(secret['recall'])} | {pct(secret['precision_non_trouve'])} | "
                f"{pct(secret['incertain_share'])} ({secret['incertain']}) | "
                f"{encoding[slowest]:.1f} s / {secret['cpu_encodage'][slowest]:.1f} s ({slowest}) | "
                f"{linking:.1f} s / {secret['cpu_croisement']:.1f} s | {load()} |"
            )
            print(lines[-1], flush=True)
            verdicts.extend(_verdicts(f"{label}, {name}", plain, secret, encoding[slowest], linking))
    text = "\n".join([*lines, "", *verdicts])
    print("\n" + text)
    (OUT / "pprl_resultats.md").write_text(text + "\n", encoding="utf-8")
    return 0


def _verdicts(label: str, plain: dict, secret: dict, encoding: float, linking: float) -> list[str]:
    verdicts = []
    checks = [
        ("rappel", secret["recall"] >= TARGETS["recall"], plain["recall"] - secret["recall"]),
        (
            "précision de non_trouve",
            secret["precision_non_trouve"] >= TARGETS["precision"],
            plain["precision_non_trouve"] - secret["precision_non_trouve"],
        ),
        (
            "relecture",
            secret["incertain_share"] <= TARGETS["review"],
            secret["incertain_share"] - plain["incertain_share"],
        ),
    ]
    for what, met, gap in checks:
        ok = met and gap <= TARGETS["gap"]
        verdicts.append(
            f"{label} : {what} {'atteint' if ok else 'MANQUÉ'} (écart au clair : {100 * gap:+.2f} point)"
        )
    fast = max(encoding, linking) <= TARGETS["seconds"]
    verdicts.append(
        f"{label} : encodage {encoding:.1f} s, croisement {linking:.1f} s "
        f"({'atteint' if fast else 'MANQUÉ'}, 60 s au plus)"
    )
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
