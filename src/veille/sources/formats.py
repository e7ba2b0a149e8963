"""Table formats: CSV (``;`` or ``,``, UTF-8 or Windows-1252), XLSX and ODS (first sheet), Parquet.

Parquet is what a cluster run reads and writes on shared storage (``docs/echelle.md``): its column
names are the header row and its rows are numbered as a CSV's would be (first row = line 2).

Every reader turns the bytes of one file into a :class:`RawTable`: the header row as written and
the data rows as strings, positioned by column, indexed by their line number as a spreadsheet shows
it (header = line 1, first data row = line 2).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from veille.sources import limits
from veille.sources.problems import Problem, SourceError

SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_PARQUET_MAGIC = b"PAR1"
_SEPARATORS = (";", ",", "\t")
_SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}

CONVERT_HINT = "Enregistrez-le au format CSV, XLSX, ODS (première feuille) ou Parquet et relancez."


@dataclass
class RawTable:
    """One sheet as read, before any header mapping."""

    headers: list[str]
    #: columns 0..n-1 (position in the header row), values are strings, index = line number
    rows: pd.DataFrame
    format: str
    encoding: str | None = None
    separator: str | None = None
    #: line number -> what is wrong with the shape of that line (too many fields)
    bad_lines: dict[int, str] = field(default_factory=dict)


def file_error(fichier: str, message: str) -> SourceError:
    """An error about a whole file (``message`` names it), carrying one problem without line or column."""
    shown = message if message.startswith(fichier) else message[:1].upper() + message[1:]
    return SourceError(shown, [Problem(fichier, None, None, None, message)])


def empty_file_error(fichier: str) -> SourceError:
    return file_error(
        fichier,
        f"le fichier « {fichier} » ne contient aucune ligne de données. "
        "Vérifiez que l'export est complet (une ligne d'en-têtes puis une ligne par enfant).",
    )


def detect_format(fichier: str, data: bytes) -> str:
    """``"7z"``, ``"xlsx"``, ``"ods"``, ``"parquet"`` or ``"csv"``, from the content (not the extension)."""
    if data.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if data.startswith(_PARQUET_MAGIC):
        return "parquet"
    if data.startswith(_ZIP_MAGIC):
        if data[30:38] == b"mimetype" and _ODS_MIMETYPE in data[38:120]:
            return "ods"
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            raise file_error(
                fichier, f"le fichier « {fichier} » est une archive ZIP abîmée. {CONVERT_HINT}"
            ) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names:
            return "ods"
        raise file_error(
            fichier,
            f"le fichier « {fichier} » est une archive ZIP, pas un tableau. "
            "Extrayez-en le fichier CSV, XLSX ou ODS et donnez-le directement "
            "(seules les archives 7z chiffrées sont lues telles quelles).",
        )
    if data.startswith(_OLE_MAGIC):
        raise file_error(
            fichier,
            f"le fichier « {fichier} » est un classeur Excel ancien (.xls) ou protégé par mot de passe, "
            f"qui ne peut pas être lu. {CONVERT_HINT}",
        )
    if data.startswith(b"%PDF"):
        raise file_error(fichier, f"le fichier « {fichier} » est un PDF, pas un tableau. {CONVERT_HINT}")
    head = data[:4096]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise file_error(
            fichier,
            f"le fichier « {fichier} » n'est pas un fichier texte ni un tableur reconnu. {CONVERT_HINT}",
        )
    return "csv"


def read_table(fichier: str, data: bytes, fmt: str) -> RawTable:
    """Read one table file (``fmt`` from :func:`detect_format`)."""
    if not data.strip():
        raise empty_file_error(fichier)
    if fmt == "csv":
        limits.check_csv(fichier, data)
        return read_csv_bytes(fichier, data)
    if fmt == "xlsx":
        limits.check_zip(fichier, data)
        return read_xlsx_bytes(fichier, data)
    if fmt == "ods":
        limits.check_ods(fichier, data)
        return read_ods_bytes(fichier, data)
    if fmt == "parquet":
        return read_parquet_bytes(fichier, data)
    raise file_error(fichier, f"le format du fichier « {fichier} » n'est pas pris en charge. {CONVERT_HINT}")


# --------------------------------------------------------------------------------------------- CSV


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252
    (Latin-1 when the file uses one of the few bytes Windows-1252 leaves undefined)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8",)
    for encoding in (*candidates, "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def sniff_separator(header_line: str) -> str:
    """The separator used by a header line: the most frequent of ``;``, ``,`` and tab (``;`` wins ties)."""
    outside_quotes = "".join(header_line.split('"')[::2])
    counts = {separator: outside_quotes.count(separator) for separator in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] > 0 else ";"


def read_csv_bytes(fichier: str, data: bytes) -> RawTable:
    encoding = detect_encoding(data)
    head = data[:65536].decode(encoding, errors="replace").lstrip("\ufeff")
    separator = sniff_separator(head.split("\n", 1)[0].rstrip("\r"))
    bad_lines: dict[int, str] = {}
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            sep=separator,
            header=None,
            # object, not str: with na_filter off every cell is already text, and str costs a pass more.
            dtype=object,
            keep_default_na=False,
            na_filter=False,  # no NaN: empty and missing trailing fields are ""
            skip_blank_lines=False,  # keeps the line numbers right
            index_col=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise empty_file_error(fichier) from None
    except pd.errors.ParserError:
        frame, bad_lines = _read_csv_slowly(fichier, data.decode(encoding), separator)
    except UnicodeError:
        raise file_error(
            fichier,
            f"le fichier « {fichier} » n'a pas pu être décodé ({encoding}). "
            "Enregistrez-le à nouveau depuis le tableur en choisissant « CSV UTF-8 ».",
        ) from None
    if len(frame) == 0:
        raise empty_file_error(fichier)
    headers = [str(value).strip().lstrip("\ufeff") for value in frame.iloc[0].tolist()]
    rows = frame.iloc[1:]
    rows.index = pd.RangeIndex(2, len(frame) + 1)
    rows.columns = pd.RangeIndex(rows.shape[1])
    return RawTable(headers, rows, "csv", encoding, separator, bad_lines)


def _read_csv_slowly(fichier: str, text: str, separator: str) -> tuple[pd.DataFrame, dict[int, str]]:
    """Fallback for files whose lines do not all have as many fields as the header.

    Lines with too many non-empty fields are kept (truncated) and reported as bad lines; lines with
    fewer fields are padded with empty cells (some exports drop trailing empty cells).
    """
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text), delimiter=separator, strict=True):
            records.append(record)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            # An opening quote never closed swallows every following line: refuse rather than lose rows.
            raise file_error(
                fichier,
                f"le fichier « {fichier} » a un guillemet ouvert ligne {len(records) + 1} qui n'est jamais "
                "fermé : toutes les lignes suivantes seraient perdues. Corrigez ce guillemet dans le fichier "
                "source.",
            ) from None
        try:  # other oddities ('"abc"def') are read leniently, as a spreadsheet would
            records = list(csv.reader(io.StringIO(text), delimiter=separator))
        except csv.Error as lenient_exc:
            raise file_error(
                fichier,
                f"le fichier « {fichier} » n'a pas pu être lu comme un CSV ({lenient_exc}). "
                "Vérifiez les guillemets et le séparateur, ou enregistrez-le à nouveau depuis le tableur.",
            ) from None
    if not records:
        raise empty_file_error(fichier)
    width = len(records[0])
    bad_lines: dict[int, str] = {}
    rows: list[list[str]] = []
    for number, record in enumerate(records, start=1):
        if len(record) > width:
            if any(value.strip() for value in record[width:]):
                bad_lines[number] = (
                    f"la ligne compte {len(record)} champs au lieu de {width} : "
                    "une valeur contient sans doute le séparateur "
                    f"({_SEPARATOR_NAMES[separator]}) sans être entre guillemets"
                )
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        rows.append(record)
    return pd.DataFrame(rows, dtype=object), bad_lines


# ------------------------------------------------------------------------------------ spreadsheets


def cell_text(value: Any) -> str:
    """The text of a spreadsheet cell: integral numbers without ``.0``, dates as ``AAAA-MM-JJ``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is pd.NaT:
        return ""
    return str(value)


def _table_from_rows(fichier: str, rows: list[list[str]], fmt: str) -> RawTable:
    # Trailing empty rows and columns are formatting, not data.
    while rows and not any(value.strip() for value in rows[-1]):
        rows.pop()
    if not rows:
        raise empty_file_error(fichier)
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    headers = [value.strip() for value in padded[0]]
    frame = pd.DataFrame(padded[1:], columns=pd.RangeIndex(width), dtype=object)
    frame.index = pd.RangeIndex(2, len(padded) + 1)
    return RawTable(headers, frame, fmt)


def read_xlsx_bytes(fichier: str, data: bytes) -> RawTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise file_error(
            fichier,
            f"le classeur « {fichier} » n'a pas pu être ouvert ({type(exc).__name__}). {CONVERT_HINT}",
        ) from None
    try:
        if not workbook.worksheets:
            raise empty_file_error(fichier)
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows = [
            [cell_text(value) for value in row]
            for row in limits.bounded_rows(fichier, sheet.iter_rows(values_only=True))
        ]
    finally:
        workbook.close()
    return _table_from_rows(fichier, rows, "xlsx")


def read_ods_bytes(fichier: str, data: bytes) -> RawTable:
    try:
        frame = pd.read_excel(io.BytesIO(data), engine="odf", header=None, dtype=object, sheet_name=0)
    except Exception as exc:  # odfpy raises many kinds of errors on a damaged file
        raise file_error(
            fichier,
            f"le classeur « {fichier} » n'a pas pu être ouvert ({type(exc).__name__}). {CONVERT_HINT}",
        ) from None
    rows = [[cell_text(value) for value in row] for row in frame.itertuples(index=False, name=None)]
    return _table_from_rows(fichier, rows, "ods")


# ----------------------------------------------------------------------------------------- Parquet


def read_parquet_bytes(fichier: str, data: bytes) -> RawTable:
    """A Parquet file: its columns by name, every value as text (as :func:`cell_text` writes it).

    The metadata are read first: the rows, the columns and the uncompressed size are checked against
    the same limits as a spreadsheet's before anything is decompressed. Nested columns (lists,
    structures) are refused: the exchange format has only plain values.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    damaged = (
        f"le fichier « {fichier} » commence comme un fichier Parquet mais n'a pas pu être lu "
        "({why}) : il est sans doute incomplet (copie interrompue) ou chiffré. Exportez-le à nouveau, "
        f"ou {CONVERT_HINT[0].lower()}{CONVERT_HINT[1:]}"
    )
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError… on a damaged file
        raise file_error(fichier, damaged.format(why=type(exc).__name__)) from None
    metadata = parquet.metadata
    if metadata.num_rows > limits.MAX_ROWS:
        raise limits.too_many_rows(fichier)
    if metadata.num_columns > limits.MAX_COLUMNS:
        raise limits.too_many_columns(fichier)
    uncompressed = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    limits.check_size(fichier, max(uncompressed, len(data)))
    schema = parquet.schema_arrow
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        names = ", ".join(f"« {name} »" for name in nested)
        raise file_error(
            fichier,
            f"le fichier « {fichier} » a des colonnes imbriquées ({names}) : une liste ou une structure par "
            "cellule. Le format d'échange n'a que des valeurs simples (texte, nombre, date) : écrivez une "
            "colonne par valeur et relancez.",
        )
    try:
        table = parquet.read()
    except Exception as exc:
        raise file_error(fichier, damaged.format(why=type(exc).__name__)) from None
    if table.num_rows == 0:
        raise empty_file_error(fichier)
    headers = [str(name).strip() for name in table.column_names]
    rows = pd.DataFrame(
        {position: _parquet_text(column) for position, column in enumerate(table.columns)}, dtype=object
    )
    rows.index = pd.RangeIndex(2, table.num_rows + 2)
    return RawTable(headers, rows, "parquet")


def _parquet_text(column: Any) -> Any:
    """One Parquet column as an array of strings: text as it is, other values as ``cell_text`` says."""
    import numpy as np
    import pyarrow as pa

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = column.to_numpy(zero_copy_only=False)
        return np.where(pd.isna(values), "", values).astype(object)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        # Some writers store text as bytes without saying so: read it as UTF-8, as a CSV would be.
        return np.array(
            ["" if v is None else v.decode("utf-8", errors="replace") for v in column.to_pylist()],
            dtype=object,
        )
    return np.array([cell_text(value) for value in column.to_pylist()], dtype=object)
