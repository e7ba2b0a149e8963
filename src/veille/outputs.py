"""The files a crossing writes, and its French summary."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from veille import __version__
from veille.compulsory import SchoolYear, ages_on
from veille.matching.department import DepartmentResult
from veille.matching.monthly import CHANGES_FILE, KEY_HASH, MonthlyState, changes, count_changes
from veille.matching.results import CrossingResult, Status
from veille.spreadsheet_safety import NEUTRALISED_SQL, neutralise_frame

UNSCHOOLED_FILE = "enfants_sans_scolarite.csv"
MATCHES_FILE = "rapprochements.csv"
SUMMARY_FILE = "synthese.json"
MODEL_FILE = "modele.json"
DEPARTMENT_SUMMARY_FILE = "synthese_departement.json"
DEPARTMENT_TABLE_FILE = "synthese_departement.csv"

UNSCHOOLED_COLUMNS = (
    "organisme",
    "identifiant",
    "nom",
    "prenoms",
    "date_naissance",
    "sexe",
    "adresse",
    "code_postal",
    "commune",
    "nom_allocataire",
    "prenom_allocataire",
    "statut",
    "score",
    "motif",
    "candidat_source",
    "candidat_identifiant",
    "candidat_nom",
    "candidat_prenoms",
    "candidat_date_naissance",
    "candidat_etablissement",
    "niveaux",
)

STATUS_LABELS = {
    Status.MATCHED.value: "rapprochés (scolarisés)",
    Status.UNCERTAIN.value: "incertains (à vérifier)",
    Status.UNFOUND.value: "non trouvés (sans scolarité connue)",
    Status.OUT_OF_SCOPE.value: "hors obligation d'instruction",
}


@dataclass(frozen=True)
class InputFile:
    """A file given to the crossing, as the summary records it."""

    path: str
    kind: str  # "enfants" or "scolarite"
    rows: int
    sha256: str


def fingerprint(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def summary(
    result: CrossingResult,
    schooling: pd.DataFrame,
    inputs: Sequence[InputFile],
    timings: dict[str, float],
) -> dict[str, Any]:
    children = result.children
    year = SchoolYear.parse(result.school_year)
    ages = ages_on(children["date_naissance"], year.start)
    by_age = pd.crosstab(ages, children["statut"]).sort_index() if len(children) else pd.DataFrame()
    return {
        "veille": __version__,
        "annee_scolaire": result.school_year,
        "fichiers": [vars(f) for f in inputs],
        "enfants": {
            "total": len(children),
            "par_organisme": children["organisme"].value_counts().sort_index().to_dict(),
            "par_statut": {s.value: result.count(s) for s in Status},
            "par_age_au_1er_septembre": {
                str(age): {k: int(v) for k, v in row.items() if v} for age, row in by_age.iterrows()
            },
        },
        "scolarite": {
            "total": len(schooling),
            "par_source": schooling["source"].value_counts().sort_index().to_dict(),
            "rapproches": len(result.matches),
        },
        "seuils_poids": result.thresholds,
        "durees_secondes": timings,
    }


def write_outputs(
    result: CrossingResult,
    out_dir: str | Path,
    synthesis: dict[str, Any],
    *,
    previous: MonthlyState | None = None,
) -> dict[str, Path]:
    """Write the result files; returns their paths by role.

    ``previous``: last month's state, to write ``changements.csv`` too (``write_changes``); its counts
    go in ``synthesis["changements"]``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # What next month's crossing reuses (``veille croiser --precedent``), written meanwhile: Arrow
    # compresses and the file is written without Python's lock, while the lists hold it (a third of a
    # second at 100,000 children). Same care as the lists.
    with ThreadPoolExecutor(max_workers=1) as pool:
        state = None if result.state is None else pool.submit(result.state.write, out)
        paths = _write_lists(result, out, synthesis, previous)
        if state is not None:
            paths["etat"] = state.result()
    return paths


def _write_lists(
    result: CrossingResult, out: Path, synthesis: dict[str, Any], previous: MonthlyState | None
) -> dict[str, Path]:
    if previous is not None:
        synthesis["changements"] = write_changes(previous, result, out)
    paths = {
        "sans_scolarite": out / UNSCHOOLED_FILE,
        "rapprochements": out / MATCHES_FILE,
        "synthese": out / SUMMARY_FILE,
        "modele": out / MODEL_FILE,
    }
    flagged = result.children[result.children["statut"].isin([Status.UNFOUND.value, Status.UNCERTAIN.value])]
    # Unfound first, then the ones to check; each by file order, as agents work through them.
    flagged = flagged.assign(_order=flagged["statut"].ne(Status.UNFOUND.value)).sort_values(
        "_order", kind="stable"
    )
    # Names come from outside: a cell a spreadsheet would run as a formula is neutralised.
    write_csv(flagged.loc[:, [c for c in UNSCHOOLED_COLUMNS if c in flagged]], paths["sans_scolarite"])
    write_csv(result.matches, paths["rapprochements"])
    write_summary(paths["synthese"], synthesis)
    model = {"seuils_poids": result.thresholds, "annee_scolaire": result.school_year, "splink": result.model}
    paths["modele"].write_text(json.dumps(model, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths


def write_changes(previous: MonthlyState, result: CrossingResult, out_dir: str | Path) -> dict[str, int]:
    """Write ``changements.csv`` (what changed since last month); returns the count of each change."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keys = None if result.state is None else result.state.children[KEY_HASH].to_numpy(np.uint64)
    table = changes(previous.children, result.children, keys)
    # The children who left are named: the same care as the lists.
    write_csv(table, out / CHANGES_FILE)
    return count_changes(table)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as ``pandas.to_csv(index=False)`` does, its text cells neutralised.

    DuckDB writes the frames of text, numbers and booleans: ``rapprochements.csv`` of 100,000
    children took pandas a second, DuckDB a fifth. DuckDB quotes an empty string, where pandas leaves
    the cell empty as for a missing value, and writes booleans in lower case: both are given pandas'
    spelling. Any other column (dates, a number among names) and pandas writes the frame.

    DuckDB neutralises the text cells as it writes them (``NEUTRALISED_SQL``, the rule of
    ``neutralise``): looking for them in Python first was a quarter of a second at 100,000 children.
    """
    columns = []
    for name, kind in frame.dtypes.items():
        quoted = '"' + str(name).replace('"', '""') + '"'
        if pd.api.types.is_bool_dtype(kind):
            columns.append(f"CASE WHEN {quoted} THEN 'True' WHEN NOT {quoted} THEN 'False' END AS {quoted}")
        elif pd.api.types.is_numeric_dtype(kind):
            columns.append(quoted)
        elif pd.api.types.infer_dtype(frame[name], skipna=True) in ("string", "empty"):
            columns.append(f"nullif({NEUTRALISED_SQL.format(column=quoted)}, '') AS {quoted}")
        else:
            neutralise_frame(frame).to_csv(path, index=False, encoding="utf-8")
            return
    target = str(path).replace("'", "''")
    # A cursor of one database for every file: opening a database took as long as writing the
    # 9,000 matches of 10,000 children. Each cursor sees only the frame it registers.
    with _database().cursor() as connection:
        connection.register("frame", frame)
        connection.execute(f"COPY (SELECT {', '.join(columns)} FROM frame) TO '{target}' (HEADER)")


@functools.cache
def _database() -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB database that writes the CSV files (``write_csv``)."""
    return duckdb.connect()


def write_summary(path: Path, synthesis: dict[str, Any]) -> None:
    path.write_text(json.dumps(synthesis, ensure_ascii=False, indent=2), encoding="utf-8")


def summary_text(synthesis: dict[str, Any], paths: dict[str, Path]) -> str:
    """The short French summary printed at the end of a crossing."""
    children = synthesis["enfants"]
    statuses = children["par_statut"]
    compulsory = sum(v for k, v in statuses.items() if k != Status.OUT_OF_SCOPE.value)
    lines = [
        f"Croisement terminé — année scolaire {synthesis['annee_scolaire']}",
        "",
        f"Enfants des fichiers CAF/MSA : {children['total']}"
        + "".join(f"  {k} : {v}" for k, v in children["par_organisme"].items()),
        f"Dossiers de scolarité : {synthesis['scolarite']['total']}"
        + "".join(f"  {k} : {v}" for k, v in synthesis["scolarite"]["par_source"].items()),
        f"Enfants soumis à l'obligation d'instruction : {compulsory}",
    ]
    for status in (Status.MATCHED, Status.UNCERTAIN, Status.UNFOUND, Status.OUT_OF_SCOPE):
        lines.append(f"  {STATUS_LABELS[status.value]:<40} {statuses[status.value]:>8}")
    total = synthesis["durees_secondes"].get("total", 0.0)
    lines += [
        "",
        f"Durée : {total:.1f} s",
        "",
        "Fichiers produits :",
        f"  enfants à examiner : {paths['sans_scolarite']}",
        f"  rapprochements     : {paths['rapprochements']}",
        f"  synthèse           : {paths['synthese']}",
        f"  modèle             : {paths['modele']}",
    ]
    return "\n".join(lines)


def department_summary(
    run: DepartmentResult,
    folders: Mapping[str, str],
    children_inputs: Mapping[str, Sequence[InputFile]],
    schooling_inputs: Sequence[InputFile],
    timings: dict[str, float],
    *,
    engine: str,
    rejected: dict[str, int],
) -> dict[str, Any]:
    """The departmental summary: counts per commune and for the department, never a child's data."""
    communes = []
    for code, commune in run.communes.items():
        children = commune.result.children
        communes.append(
            {
                "code_commune": code,
                "nom": commune.name,
                "dossier": folders.get(code, code),
                "enfants": len(children),
                "par_organisme": children["organisme"].value_counts().sort_index().to_dict(),
                "par_statut": {status.value: commune.count(status) for status in Status},
                "rapprochements": len(commune.result.matches),
                "candidats_non_montres": commune.withheld_candidates,
                "fichiers": [vars(f) for f in children_inputs.get(code, ())],
            }
        )
    return {
        "veille": __version__,
        "annee_scolaire": run.school_year,
        "moteur": engine,
        "communes": communes,
        "enfants": {
            "total": sum(item["enfants"] for item in communes),
            "par_statut": {status.value: run.count(status) for status in Status},
            "dans_plusieurs_communes": run.shared_children,
        },
        "scolarite": {
            "total": run.n_records,
            "par_source": run.by_source,
            "rapproches": run.records_matched,
            "fichiers": [vars(f) for f in schooling_inputs],
        },
        "lignes_rejetees": rejected,
        "seuils_poids": run.thresholds,
        "durees_secondes": timings,
    }


def write_department_summary(out_dir: str | Path, synthesis: dict[str, Any]) -> dict[str, Path]:
    """Write ``synthese_departement.json`` and ``synthese_departement.csv`` (one line per commune)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / DEPARTMENT_SUMMARY_FILE, "csv": out / DEPARTMENT_TABLE_FILE}
    write_summary(paths["json"], synthesis)
    table = pd.DataFrame(
        [
            {
                "code_commune": item["code_commune"],
                "nom": item["nom"],
                "dossier": item["dossier"],
                "enfants": item["enfants"],
                **item["par_statut"],
                "candidats_non_montres": item["candidats_non_montres"],
            }
            for item in synthesis["communes"]
        ]
    )
    write_csv(table, paths["csv"])
    return paths
