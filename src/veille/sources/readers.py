"""Reading the cells' children files and schooling files into canonical tables."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from veille.columns import BOOKKEEPING_COLUMNS
from veille.sources import exports
from veille.sources.formats import RawTable, detect_format, empty_file_error, file_error, read_table
from veille.sources.headers import accepted_headers, map_headers
from veille.sources.problems import PasswordOption, Problem, SourceError, invalid_rows_error
from veille.sources.validation import CHILDREN, SCHOOLING, Kind, validate
from veille.spreadsheet_safety import neutralise_row


@dataclass(frozen=True)
class InMemoryFile:
    """A file already in memory (an upload), read like a path: its name tells the format and source.

    Example:
        >>> read_children_files([InMemoryFile("enfants_caf.csv", data)])  # doctest: +SKIP
    """

    name: str
    data: bytes


#: what the readers accept for one file
FileInput = str | Path | InMemoryFile


@dataclass
class FileReport:
    """What was read from one file (or one member of an archive)."""

    path: str  # as given; for an archive member "path/to/archive.7z:member.csv"
    given_path: str  # the path exactly as the caller gave it (the archive's, for a member)
    fichier: str  # as shown in messages: base name, "archive.7z:member.csv" for a member
    format: str  # "csv", "xlsx", "ods", "7z:csv", …
    encoding: str | None = None
    separator: str | None = None
    rows_read: int = 0  # data rows, blank rows excluded
    rows_kept: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0  # entirely empty rows, skipped
    header_mapping: dict[str, str] = field(default_factory=dict)  # original header -> canonical column
    ignored_headers: list[str] = field(default_factory=list)  # headers that could not be placed
    #: canonical column -> value taken from the file name because the column was absent
    inferred: dict[str, str] = field(default_factory=dict)
    #: what the user should know without it stopping the reading (French sentences)
    warnings: list[str] = field(default_factory=list)
    #: pupils a real export lists as gone (SIECLE: DATE_SORTIE past), not counted as schooled
    rows_left: int = 0


@dataclass
class ReadResult:
    """The canonical table of all files read, what was read from each, and the rows set aside."""

    table: pd.DataFrame
    files: list[FileReport]
    rejects: list[Problem]
    #: what real exports (ONDE, SIECLE) say beyond the canonical columns, one row per pupil, joined to
    #: ``table`` on (fichier, ligne): ``exports.DETAIL_COLUMNS``
    details: pd.DataFrame = field(default_factory=exports.empty_details)
    #: the pupils' responsables that real exports give, by pupil (fichier, ligne, identifiant):
    #: ``exports.RESPONSIBLE_COLUMNS``
    responsables: pd.DataFrame = field(default_factory=exports.empty_responsibles)


def read_children_files(
    paths: Sequence[FileInput], *, password: PasswordOption = None, skip_invalid: bool = False
) -> ReadResult:
    """Read children files (CAF, MSA): CSV, XLSX, ODS, or 7z archives of them.

    Each file is a path, or an :class:`InMemoryFile` (content never written to disk).

    By default any invalid row raises :class:`SourceError` listing the problems; with
    ``skip_invalid`` the invalid rows are left out of the table and listed in ``rejects``.
    """
    return _read_files(paths, CHILDREN, password, skip_invalid)


def read_schooling_files(
    paths: Sequence[FileInput], *, password: PasswordOption = None, skip_invalid: bool = False
) -> ReadResult:
    """Read schooling files (ONDE, SIECLE, private schools, CNED, IEF, médico-social …)."""
    return _read_files(paths, SCHOOLING, password, skip_invalid)


def write_rejects(path: str | Path, problems: Sequence[Problem]) -> None:
    """Write the rejected rows' problems as CSV (UTF-8, ``,``): fichier,ligne,colonne,valeur,motif."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fichier", "ligne", "colonne", "valeur", "motif"])
        for problem in problems:
            writer.writerow(
                neutralise_row(
                    [
                        problem.fichier,
                        "" if problem.ligne is None else problem.ligne,
                        problem.colonne or "",
                        problem.valeur or "",
                        problem.message,
                    ]
                )
            )


# ----------------------------------------------------------------------------------------------


@dataclass
class _FileOutcome:
    frame: pd.DataFrame
    bad: np.ndarray
    problems: list[Problem]
    report: FileReport
    details: pd.DataFrame | None = None
    responsibles: pd.DataFrame | None = None
    #: False for a file with only its header line (and for a responsables export)
    counts_as_data: bool = True


def _empty_table(kind: Kind) -> pd.DataFrame:
    table = pd.DataFrame({column: pd.Series([], dtype=object) for column in (*kind.columns, "fichier")})
    table["ligne"] = pd.Series([], dtype="int64")
    return table[[*kind.columns, *BOOKKEEPING_COLUMNS]]


def _read_files(
    paths: Sequence[FileInput], kind: Kind, password: PasswordOption, skip_invalid: bool
) -> ReadResult:
    if isinstance(paths, str | Path | InMemoryFile):
        paths = [paths]
    slots: list[_FileOutcome | exports.ExportPart] = []
    for path in paths:
        if isinstance(path, InMemoryFile):
            slots.extend(_read_content(path.name, path.name, path.data, path.data, kind, password))
        else:
            slots.extend(_read_path(Path(path), kind, password))
    outcomes, details, responsibles = _with_exports(slots, kind)
    _check_not_all_empty(outcomes)

    problems = [problem for outcome in outcomes for problem in outcome.problems]
    if problems and not skip_invalid:
        raise invalid_rows_error(problems)

    frames = []
    for outcome in outcomes:
        # Copied only when rows are left out: concat copies everything once anyway.
        kept = outcome.frame[~outcome.bad] if outcome.bad.any() else outcome.frame
        outcome.report.rows_kept = len(kept)
        outcome.report.rows_rejected = int(outcome.bad.sum())
        frames.append(kept)
    table = pd.concat(frames, ignore_index=True) if frames else _empty_table(kind)
    columns = [*kind.columns, *BOOKKEEPING_COLUMNS]
    if list(table.columns) != columns:
        table = table[columns]
    # concat (ignore_index) and _empty_table already number the rows from 0: no reset_index copy.
    table["ligne"] = table["ligne"].astype("int64")
    return ReadResult(table, [outcome.report for outcome in outcomes], problems, details, responsibles)


def _with_exports(
    slots: list[_FileOutcome | exports.ExportPart], kind: Kind
) -> tuple[list[_FileOutcome], pd.DataFrame, pd.DataFrame]:
    """Pair the real exports' files, validate their rows like any file's, keep the given order."""
    parts = [slot for slot in slots if isinstance(slot, exports.ExportPart)]
    if not parts:
        return (
            [slot for slot in slots if isinstance(slot, _FileOutcome)],
            exports.empty_details(),
            exports.empty_responsibles(),
        )
    assembled = iter(exports.assemble(parts))
    outcomes = [
        slot if isinstance(slot, _FileOutcome) else _export_outcome(next(assembled), kind) for slot in slots
    ]
    done = [outcome for outcome in outcomes if outcome.details is not None]
    details = pd.concat(
        [exports.empty_details(), *(o.details for o in done if o.details is not None)], ignore_index=True
    )
    responsibles = pd.concat(
        [exports.empty_responsibles(), *(o.responsibles for o in done if o.responsibles is not None)],
        ignore_index=True,
    )
    return outcomes, details, responsibles


def _export_outcome(assembled: exports.AssembledFile, kind: Kind) -> _FileOutcome:
    part = assembled.part
    report = FileReport(
        path=part.path,
        given_path=part.given_path,
        fichier=part.fichier,
        format=part.format
        if part.kind not in exports.LABELS
        else f"{part.format} ({exports.LABELS[part.kind]})",
        encoding=part.encoding,
        separator=part.separator,
        rows_read=assembled.rows_read,
        blank_rows=assembled.blank_rows,
        header_mapping=assembled.header_mapping,
        ignored_headers=assembled.ignored_headers,
        warnings=list(assembled.warnings),
        rows_left=assembled.rows_left,
    )
    frame = assembled.frame
    if frame.empty:
        if part.kind in (exports.ONDE_PUPILS, exports.SIECLE_PUPILS) and not assembled.rows_read:
            report.warnings.append(_EMPTY_WARNING)
        empty = _empty_table(kind)
        return _FileOutcome(
            empty,
            np.zeros(0, dtype=bool),
            [],
            report,
            assembled.details,
            assembled.responsibles,
            counts_as_data=False,
        )
    frame = frame.copy()
    frame["fichier"] = part.fichier
    frame, problems, bad = validate(frame, kind, part.fichier, assembled.bad_lines)
    origin = assembled.origin
    problems = [
        replace(problem, colonne=origin.get(problem.colonne or "", problem.colonne)) for problem in problems
    ]
    return _FileOutcome(
        frame, bad, problems, report, assembled.details, assembled.responsibles, counts_as_data=True
    )


_EMPTY_WARNING = (
    "le fichier n'a que sa ligne d'en-têtes, aucun enfant : il est lu comme une liste vide et le croisement "
    "se fait avec les autres fichiers. Vérifiez que l'export est complet."
)


def _check_not_all_empty(outcomes: list[_FileOutcome]) -> None:
    """A file with only its header is a warning; all files empty is an error (nothing to cross)."""
    if outcomes and not any(outcome.counts_as_data for outcome in outcomes):
        first = outcomes[0].report.fichier
        if len(outcomes) == 1:
            raise empty_file_error(first)
        names = ", ".join(f"« {outcome.report.fichier} »" for outcome in outcomes)
        raise file_error(
            first,
            f"aucun des fichiers donnés ({names}) ne contient de ligne de données. "
            "Vérifiez que les exports sont complets (une ligne d'en-têtes puis une ligne par enfant).",
        )


def _read_path(path: Path, kind: Kind, password: PasswordOption) -> list[_FileOutcome | exports.ExportPart]:
    name = path.name or str(path)
    if not path.exists():
        raise file_error(
            name,
            f"le fichier « {name} » est introuvable (chemin : {path.absolute()}). "
            "Vérifiez le chemin et le nom du fichier.",
        )
    if path.is_dir():
        raise file_error(name, f"« {path} » est un dossier, pas un fichier. Donnez le chemin d'un fichier.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(
            name,
            f"le fichier « {name} » n'a pas pu être lu ({exc.strerror or exc}). "
            "Vérifiez qu'il n'est pas ouvert dans un autre programme et que vous avez le droit de le lire.",
        ) from None
    return _read_content(str(path), name, data, path, kind, password)


def _read_content(
    given: str, name: str, data: bytes, source: Path | bytes, kind: Kind, password: PasswordOption
) -> list[_FileOutcome | exports.ExportPart]:
    """Read one file's content; ``source`` is what the archive reader opens (the path, or the bytes)."""
    if not data.strip():
        raise empty_file_error(name)
    export = _sniff_export(name, data, kind)
    if export is not None:
        return list(exports.read_part(export, given, given, name, data, [given, name]))
    fmt = detect_format(name, data)
    if fmt != "7z":
        return [_read_table_file(given, given, name, data, fmt, kind, [name])]

    # py7zr and its ciphers weigh a tenth of a second at start-up: only an archive needs them.
    from veille.sources.archives import extract_archive

    members = extract_archive(source, name, password)
    if not members:
        raise file_error(name, f"l'archive « {name} » ne contient aucun fichier.")
    outcomes: list[_FileOutcome | exports.ExportPart] = []
    for member, content in members:
        display = f"{name}:{member}"
        export = _sniff_export(display, content, kind) if content.strip() else None
        if export is not None:
            outcomes.extend(
                exports.read_part(export, f"{given}:{member}", given, display, content, [member, given])
            )
            continue
        member_format = detect_format(display, content) if content.strip() else "csv"
        if member_format == "7z":
            raise file_error(
                display,
                f"« {display} » est une archive dans l'archive. Extrayez-la et donnez-la directement.",
            )
        member_name = member.replace("\\", "/").rsplit("/", 1)[-1]
        outcomes.append(
            _read_table_file(
                f"{given}:{member}",
                given,
                display,
                content,
                member_format,
                kind,
                [member_name, name],
                prefix="7z:",
            )
        )
    return outcomes


def _sniff_export(fichier: str, data: bytes, kind: Kind) -> str | None:
    """The real export (ONDE, SIECLE) a file is, from its content; refused where a children file is due."""
    export = exports.sniff(fichier, data)
    if export is not None and kind is not SCHOOLING:
        raise exports.refuse_for_children(fichier, export)
    return export


def _read_table_file(
    path: str,
    given_path: str,
    fichier: str,
    data: bytes,
    fmt: str,
    kind: Kind,
    names: list[str],
    prefix: str = "",
) -> _FileOutcome:
    raw = read_table(fichier, data, fmt)
    report = FileReport(
        path=path,
        given_path=given_path,
        fichier=fichier,
        format=prefix + raw.format,
        encoding=raw.encoding,
        separator=raw.separator,
    )

    rows = raw.rows
    # Entirely empty rows (trailing formatting, blank lines) are not data.
    stripped = {position: _stripped(rows[position]) for position in rows.columns}
    filled = np.zeros(len(rows), dtype=bool)
    for values in stripped.values():
        filled |= values != ""
    report.blank_rows = int((~filled).sum())
    report.rows_read = int(filled.sum())
    mapping = map_headers(raw.headers, kind.columns)
    if report.rows_read == 0:
        # Only a header line: a list with nobody in it (a small commune has no CNED pupil), not a
        # reason to stop the crossing of the other files; if every file is empty, it is one.
        _check_headers(fichier, raw, mapping.positions, mapping.conflicts, kind)
        report.header_mapping = dict(mapping.mapping)
        report.ignored_headers = list(mapping.ignored)
        report.warnings.append(_EMPTY_WARNING)
        return _FileOutcome(_empty_table(kind), np.zeros(0, dtype=bool), [], report, counts_as_data=False)
    everything = bool(filled.all())

    report.header_mapping = dict(mapping.mapping)
    report.ignored_headers = list(mapping.ignored)
    report.ignored_headers.extend(
        f"(colonne {position + 1} sans en-tête)"
        for position, header in enumerate(raw.headers)
        if not header and position in stripped and (stripped[position] != "").any()
    )
    _check_headers(fichier, raw, mapping.positions, mapping.conflicts, kind)

    found = {column: position for position, column in mapping.positions.items()}
    empty = np.full(report.rows_read, "", dtype=object)
    frame = pd.DataFrame(
        {
            column: (
                (stripped[found[column]] if everything else stripped[found[column]][filled])
                if column in found
                else empty
            )
            for column in kind.columns
        }
    )
    if kind.category not in found:
        value = _infer_category(fichier, names, kind)
        frame[kind.category] = value
        report.inferred[kind.category] = value
    frame["fichier"] = fichier
    frame["ligne"] = rows.index.to_numpy(dtype="int64")[filled]

    frame, problems, bad = validate(frame, kind, fichier, raw.bad_lines)
    return _FileOutcome(frame, bad, problems, report)


def _stripped(column: pd.Series) -> np.ndarray:
    """The column's values without surrounding whitespace, as an object array."""
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        # Every cell is text (the usual case): str.strip mapped in C is three times faster than
        # .str.strip(), which handles missing values at a cost paid on every cell.
        return np.fromiter(map(str.strip, values), dtype=object, count=len(values))
    return column.str.strip().to_numpy(dtype=object)


def _check_headers(
    fichier: str, raw: RawTable, positions: dict[int, str], conflicts: dict[str, list[str]], kind: Kind
) -> None:
    if not positions:
        separator = ""
        if raw.separator is not None:
            separator = " et que le séparateur est « ; » ou « , »"
        raise file_error(
            fichier,
            f"aucun en-tête de colonne reconnu dans « {fichier} ». La première ligne doit donner le nom "
            f"des colonnes ({', '.join(kind.columns)}). Vérifiez que le fichier commence bien par "
            f"une ligne d'en-têtes{separator}.",
        )
    if conflicts:
        details = " ; ".join(
            f"{', '.join(f'« {header} »' for header in headers)} désignent toutes la colonne {column}"
            for column, headers in conflicts.items()
        )
        raise file_error(
            fichier,
            f"colonnes en double dans « {fichier} » : {details}. "
            "Supprimez ou renommez les colonnes en trop dans le fichier source.",
        )
    present = set(positions.values())
    missing = [column for column in kind.required if column not in present]
    if missing:
        details = " ; ".join(
            f"{column} (en-têtes acceptés : {accepted_headers(column)})" for column in missing
        )
        plural = "colonnes obligatoires manquantes" if len(missing) > 1 else "colonne obligatoire manquante"
        raise SourceError(
            f"{fichier} : {plural} : {details}. "
            f"Ajoutez {'ces colonnes' if len(missing) > 1 else 'cette colonne'} au fichier, ou renommez "
            "l'en-tête existant avec un des noms acceptés.",
            [Problem(fichier, 1, column, None, "colonne obligatoire manquante") for column in missing],
        )


def _infer_category(fichier: str, names: list[str], kind: Kind) -> str:
    """The organisation or source of a file without that column, read from its name (or its archive's)."""
    for name in names:
        found = kind.category_from_name(name)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise file_error(
                fichier,
                f"la colonne {kind.category} manque dans « {fichier} », et son nom évoque à la fois "
                f"{' et '.join(found)}. Ajoutez une colonne {kind.category} au fichier, ou renommez-le "
                f"pour qu'il ne contienne que l'un de ces mots.",
            )
    raise file_error(
        fichier,
        f"{fichier} : colonne obligatoire manquante : {kind.category} "
        f"(en-têtes acceptés : {accepted_headers(kind.category)}). Ajoutez cette colonne "
        f"({kind.category_hint}), ou mettez l'un de ces mots dans le nom du fichier "
        f"(par exemple « {kind.label}_{kind.category_hint.split(', ')[0].lower()}.csv »).",
    )
