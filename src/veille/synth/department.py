"""Several synthetic communes of one department, with the department's schooling files and the truth.

The case of a departmental crossing: the CAF/MSA lists of each commune against the schooling extracts
the DSDEN makes for the whole department (ONDE, SIECLE…). Who runs it is to be verified: D131-4-1 says
the departmental body fosters such crossings, not who runs them (docs/echelle.md). ``generate_department``
builds that case: each commune is a :func:`veille.synth.generate_commune` of its own seed, name and
postcode (invented: INSEE codes and postcodes ``599NN``, which no commune of the Nord has), and the
schooling files are the union of the communes' records and of the pupils of the rest of the
department, who are on no commune's list.

Identifiers are unique across the department, as the CAF's and the schools' are: a claimant number
or a record identifier that two communes drew alike is drawn again (deterministically).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from veille.synth.generator import SOURCES, SyntheticCommune, generate_commune
from veille.synth.writer import CHILD_FILES, SCHOOLING_FILES

#: where ``write_department`` puts each part
COMMUNES_FOLDER = "communes"
SCHOOLING_FOLDER = "scolarite"
TRUTH_FILE = "verite.csv"


@dataclass(frozen=True)
class SyntheticCommuneOfDepartment:
    """One commune of a synthetic department: its code, name, children files and truth."""

    code: str
    name: str
    children: pd.DataFrame
    truth: pd.DataFrame

    @property
    def folder(self) -> str:
        """The folder name ``veille croiser-departement`` expects: INSEE code, then the name."""
        return f"{self.code}_{re.sub(r'[^A-Za-z0-9]+', '-', self.name).strip('-')}"


@dataclass(frozen=True)
class SyntheticDepartment:
    """The communes of a department and the department's schooling files (one table per source)."""

    communes: list[SyntheticCommuneOfDepartment]
    schooling: dict[str, pd.DataFrame]
    school_year: str
    seed: int

    @property
    def n_children(self) -> int:
        return sum(len(commune.children) for commune in self.communes)

    @property
    def n_records(self) -> int:
        return sum(len(table) for table in self.schooling.values())


def commune_identity(index: int) -> tuple[str, str, str]:
    """(INSEE code, name, postcode) of the ``index``-th invented commune (from 0)."""
    code = f"599{index + 1:02d}"
    return code, f"COMMUNE FICTIVE {index + 1:02d}", code


def department_sizes(total: int, communes: int) -> list[int]:
    """``total`` children shared among ``communes``, from the town to the village (weights 1/rank).

    Example:
        >>> department_sizes(10_000, 4)
        [4800, 2400, 1600, 1200]
    """
    weights = [1.0 / (rank + 1) for rank in range(communes)]
    sizes = [max(1, int(total * weight / sum(weights))) for weight in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def generate_department(
    sizes: Sequence[int],
    *,
    seed: int,
    school_year: str = "2026-2027",
    department_pupils: int = 0,
) -> SyntheticDepartment:
    """Communes of ``sizes`` children each, and the schooling files of their whole department.

    Args:
        sizes: the number of children in each commune's files (at most 99 communes).
        seed: the department's seed; commune ``i`` uses ``seed * 100 + i``.
        school_year: e.g. ``"2026-2027"``.
        department_pupils: about how many records the department's schooling files hold in all; the
            pupils beyond the communes' own are of the rest of the department (on no commune's list).

    Returns:
        A :class:`SyntheticDepartment`; each commune's ``truth`` has the columns of ``verite.csv``.

    Example:
        >>> department = generate_department([300, 200], seed=1)
        >>> [commune.code for commune in department.communes]
        ['59901', '59902']
    """
    if not sizes or len(sizes) > 99 or min(sizes) < 1:
        raise ValueError("il faut de 1 à 99 communes, chacune d'au moins un enfant")
    rng = random.Random(seed)
    used_claimants: set[tuple[str, str]] = set()
    used_records: set[tuple[str, str]] = set()
    communes: list[SyntheticCommuneOfDepartment] = []
    schooling: dict[str, list[pd.DataFrame]] = {source: [] for source in SOURCES}
    for index, size in enumerate(sizes):
        code, name, postcode = commune_identity(index)
        commune = generate_commune(
            size, seed=seed * 100 + index, school_year=school_year, commune=(name, postcode)
        )
        children, truth, records = _unique_ids(commune, used_claimants, used_records, rng)
        communes.append(SyntheticCommuneOfDepartment(code, name, children, truth))
        for source in SOURCES:
            schooling[source].append(records[source])
    made = sum(len(table) for tables in schooling.values() for table in tables)
    if department_pupils > made:
        # The rest of the department: pupils on no commune's list (one child of a filler commune whose
        # records are all of other communes; that child is on no list either).
        rest = generate_commune(
            1, seed=seed * 100 + 99, school_year=school_year, department_pupils=department_pupils - made
        )
        empty = pd.DataFrame(columns=rest.children.columns)
        _, _, records = _unique_ids(
            SyntheticCommune(empty, rest.schooling, rest.truth.iloc[0:0], rest.seed, 0, school_year),
            used_claimants,
            used_records,
            rng,
        )
        for source in SOURCES:
            schooling[source].append(records[source])
    tables = {source: pd.concat(parts, ignore_index=True) for source, parts in schooling.items()}
    # The DSDEN's extract is not sorted by commune.
    tables = {
        source: table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        for source, table in tables.items()
    }
    return SyntheticDepartment(communes, tables, school_year, seed)


def _unique_ids(
    commune: SyntheticCommune,
    used_claimants: set[tuple[str, str]],
    used_records: set[tuple[str, str]],
    rng: random.Random,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """The commune's tables with the identifiers another commune already holds drawn again."""
    children, truth = commune.children.copy(), commune.truth.copy()
    claimant = children["identifiant"].str.rsplit("-", n=1).str[0]
    renamed: dict[tuple[str, str], str] = {}
    for organisme, number in dict.fromkeys(zip(children["organisme"], claimant, strict=True)):
        key = (organisme, number)
        while key in used_claimants:
            fresh = (
                f"M-{rng.randrange(10_000, 999_999)}"
                if organisme == "MSA"
                else f"{rng.randrange(10**6, 10**7):07d}"
            )
            key = (organisme, fresh)
        used_claimants.add(key)
        if key[1] != number:
            renamed[(organisme, number)] = key[1]
    if renamed:
        for table in (children, truth):
            base = table["identifiant"].str.rsplit("-", n=1)
            new = [
                f"{renamed[(org, head)]}-{tail}" if (org, head) in renamed else f"{head}-{tail}"
                for org, head, tail in zip(table["organisme"], base.str[0], base.str[1], strict=True)
            ]
            table["identifiant"] = new
    records: dict[str, pd.DataFrame] = {}
    record_renamed: dict[str, str] = {}
    for source in SOURCES:
        table = commune.schooling[source].copy()
        new_ids = []
        for ident in table["identifiant"]:
            candidate = ident
            while (source, candidate) in used_records:
                candidate = f"{ident}{rng.randrange(10)}"
            used_records.add((source, candidate))
            if candidate != ident:
                record_renamed[ident] = candidate
            new_ids.append(candidate)
        table["identifiant"] = new_ids
        records[source] = table
    if record_renamed:
        truth["identifiants_scolarite"] = [
            "|".join(record_renamed.get(ident, ident) for ident in value.split("|")) if value else value
            for value in truth["identifiants_scolarite"]
        ]
    return children, truth, records


def write_department(department: SyntheticDepartment, out_dir: str | Path) -> dict[str, Path]:
    """Write ``communes/<code>_<nom>/enfants_*.csv``, ``scolarite/scolarite_*.csv`` and ``verite.csv``.

    The layout is the one ``veille croiser-departement --communes … --scolarite …`` reads; the truth
    (with a ``code_commune`` column) is outside both folders, so that it is never read as data.
    """
    out = Path(out_dir)
    written: dict[str, Path] = {}
    for commune in department.communes:
        folder = out / COMMUNES_FOLDER / commune.folder
        folder.mkdir(parents=True, exist_ok=True)
        for name, organisme, encoding, separator, terminator in CHILD_FILES:
            frame = commune.children[commune.children["organisme"] == organisme]
            if frame.empty:
                continue
            path = folder / name
            frame.to_csv(path, sep=separator, encoding=encoding, index=False, lineterminator=terminator)
            written[f"{commune.code}/{name}"] = path
    schooling = out / SCHOOLING_FOLDER
    schooling.mkdir(parents=True, exist_ok=True)
    for source, name in SCHOOLING_FILES.items():
        path = schooling / name
        department.schooling[source].to_csv(path, sep=",", encoding="utf-8", index=False, lineterminator="\n")
        written[name] = path
    truth = pd.concat(
        [commune.truth.assign(code_commune=commune.code) for commune in department.communes],
        ignore_index=True,
    )
    path = out / TRUTH_FILE
    truth.to_csv(path, sep=",", encoding="utf-8", index=False, lineterminator="\n")
    written[TRUTH_FILE] = path
    return written
