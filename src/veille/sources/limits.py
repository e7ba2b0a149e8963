"""Limits on what one file may hold, checked while reading, before the memory is spent.

A file of 50 MB can hide far more once decompressed: an XLSX or ODS is a ZIP of XML (a 1.5 MB «zip
bomb» unpacks to 360 MB of XML), a 7z archive likewise, and an ODS cell can repeat itself a million
times with one attribute. Every reader checks the decompressed size of what it is about to read, and
the number of rows and columns, as it goes, and stops with a French message naming the file.

The lengths of the cells that are stored as they are (identifiers, names) are checked at validation:
a longer value would fail at confirmation on PostgreSQL.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any
from xml.etree.ElementTree import iterparse

import numpy as np
import pandas as pd

from veille.sources.problems import Problem, SourceError

MB = 1024 * 1024
#: the largest content of one file once decompressed (the upload form caps the compressed file too)
MAX_DECOMPRESSED_BYTES = 50 * MB
#: the most data rows one file may have (a commune of 100 000 children sends about 100 000)
MAX_ROWS = 500_000
#: the most columns a sheet may have (the formats have about fifteen)
MAX_COLUMNS = 200

#: canonical column -> the most characters it may have (the database's limit for that column)
FIELD_LIMITS = {
    "identifiant": 64,
    "nom": 200,
    "prenoms": 200,
    "nom_allocataire": 200,
    "prenom_allocataire": 200,
}


def _error(fichier: str, message: str) -> SourceError:
    text = f"le fichier « {fichier} » {message}"
    return SourceError(text[:1].upper() + text[1:], [Problem(fichier, None, None, None, text)])


def too_big(fichier: str, size: int | None = None) -> SourceError:
    amount = f" ({size / MB:.0f} Mo)" if size else ""
    return _error(
        fichier,
        f"dépasse, une fois décompressé{amount}, la taille permise de {MAX_DECOMPRESSED_BYTES // MB} Mo. "
        "Découpez-le en plusieurs fichiers plus petits (par exemple par organisme ou par établissement) "
        "et déposez-les ensemble.",
    )


def too_many_rows(fichier: str) -> SourceError:
    return _error(
        fichier,
        f"compte plus de {MAX_ROWS:,} lignes".replace(",", " ")
        + " : c'est plus qu'un fichier d'une commune. Vérifiez qu'il s'agit du bon export, ou "
        "découpez-le en plusieurs fichiers.",
    )


def too_many_columns(fichier: str) -> SourceError:
    return _error(
        fichier,
        f"a plus de {MAX_COLUMNS} colonnes remplies : ce n'est pas un export de la CAF, de la MSA ni "
        "d'une base élèves. Enregistrez la bonne feuille seule, au format CSV, et réessayez.",
    )


def check_size(fichier: str, size: int) -> None:
    if size > MAX_DECOMPRESSED_BYTES:
        raise too_big(fichier, size)


def check_csv(fichier: str, data: bytes) -> None:
    """Size, rows (counted as line ends, before any parsing) and the longest line of a CSV file."""
    check_size(fichier, len(data))
    lines = data.count(b"\n")
    if lines > MAX_ROWS + 1:
        raise too_many_rows(fichier)


class _Counter(io.RawIOBase):
    """A ZIP member read through a budget: reading past the budget raises :func:`too_big`."""

    def __init__(self, raw: IO[bytes], fichier: str, budget: list[int]) -> None:
        self.raw, self.fichier, self.budget = raw, fichier, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.raw.read(len(buffer))
        self.budget[0] -= len(chunk)
        if self.budget[0] < 0:
            raise too_big(self.fichier)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def check_zip(fichier: str, data: bytes) -> None:
    """The declared sizes of an XLSX or ODS file's members, before anything is decompressed.

    A member cannot yield more than its declared size (``zipfile`` stops there and checks the CRC), so
    the sum of the declared sizes bounds what opening the workbook decompresses.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception:  # BadZipFile, NotImplementedError (an unknown version) and others on damage
        return  # the reader reports the damaged file in its own words
    check_size(fichier, sum(member.file_size for member in members))


def check_ods(fichier: str, data: bytes) -> None:
    """Rows and columns of an ODS file's first sheet, repetitions counted, read as a stream of XML.

    ``table:number-rows-repeated`` and ``table:number-columns-repeated`` let 300 bytes describe a
    billion cells; only the repetitions followed by a filled row or cell are counted, as the reader
    keeps only those.
    """
    check_zip(fichier, data)
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    text = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    rows = pending_rows = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as raw:
            budget = [MAX_DECOMPRESSED_BYTES]
            stream = io.BufferedReader(_Counter(raw, fichier, budget))
            columns = pending_columns = 0
            filled_row = False
            for event, element in iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    continue
                if tag == f"{table}table-cell" or tag == f"{table}covered-table-cell":
                    repeat = int(element.get(f"{table}number-columns-repeated", "1") or 1)
                    filled = element.find(f"{text}p") is not None or element.get(
                        "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value"
                    )
                    if filled:
                        columns += pending_columns + repeat
                        pending_columns = 0
                        filled_row = True
                        if columns > MAX_COLUMNS:
                            raise too_many_columns(fichier)
                    else:
                        pending_columns += repeat
                    element.clear()
                elif tag == f"{table}table-row":
                    repeat = int(element.get(f"{table}number-rows-repeated", "1") or 1)
                    if filled_row:
                        rows += pending_rows + repeat
                        pending_rows = 0
                        if rows > MAX_ROWS + 1:
                            raise too_many_rows(fichier)
                    else:
                        pending_rows += repeat
                    columns = pending_columns = 0
                    filled_row = False
                    element.clear()
                elif tag == f"{table}table":
                    return  # the first sheet only is read
    except SourceError:
        raise
    except Exception:
        return  # damaged XML or no content.xml: the reader reports it in its own words


def bounded_rows(fichier: str, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The rows of a sheet, stopping at :data:`MAX_ROWS`; cells past :data:`MAX_COLUMNS` must be empty.

    An XLSX row can name its last cell « XFD1 »: the reader then yields 16 384 cells for each row.
    """
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise too_many_rows(fichier)
        if len(row) > MAX_COLUMNS:
            if any(value not in (None, "") for value in row[MAX_COLUMNS:]):
                raise too_many_columns(fichier)
            row = row[:MAX_COLUMNS]
        yield row


def overlong_cells(frame: pd.DataFrame) -> list[tuple[str, np.ndarray, int]]:
    """For each limited column of ``frame``: the mask of its cells longer than the database allows."""
    found = []
    for column, limit in FIELD_LIMITS.items():
        if column in frame:
            values = frame[column].to_numpy()
            if pd.api.types.infer_dtype(values, skipna=False) == "string":
                # All text (the usual case): len through map, without a Python test per cell.
                mask = np.fromiter(map(len, values), np.int64, len(values)) > limit
            else:
                # A plain loop: pandas' .str.len() builds a float Series per column, three times slower.
                mask = np.fromiter((isinstance(v, str) and len(v) > limit for v in values), bool, len(values))
            if mask.any():
                found.append((column, mask, limit))
    return found
