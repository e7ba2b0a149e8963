"""Encrypted exports for a partner: 7z archives, AES-256, file names hidden, one-time password.

The password is generated here, handed back to the caller to show once on the page, and never
stored nor logged: the partner receives it by another channel (telephone, SMS).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import py7zr

from veille.spreadsheet_safety import neutralise_row

# No 0/o, 1/l/i: the password is read out over the telephone.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS = 5
PASSWORD_GROUP_LENGTH = 4


def generate_password() -> str:
    """A random password of 20 characters in five groups (about 99 bits), easy to read out.

    Example:
        >>> len(generate_password())
        24
    """
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )


@dataclass(frozen=True)
class EncryptedExport:
    """An archive ready to download, and the password to show once (never to keep)."""

    filename: str
    content: bytes
    password: str
    count: int

    def __repr__(self) -> str:  # the password must not reach a log through a repr
        return f"EncryptedExport(filename={self.filename!r}, count={self.count}, {len(self.content)} octets)"


def encrypted_archive(members: Mapping[str, bytes], password: str) -> bytes:
    """A 7z archive of ``members`` (name → content), AES-256 encrypted, headers included."""
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, mode="w", password=password, header_encryption=True) as archive:
        for name, content in members.items():
            archive.writestr(content, name)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[tuple[str, str]]) -> bytes:
    """CSV the way a French spreadsheet opens it: UTF-8 with BOM, ``;`` separator, French headers.

    Args:
        rows: mappings (read by column key) or sequences (in column order).
        columns: ``(key, header)`` pairs.
    """
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        values = [row.get(key, "") for key, _ in columns] if isinstance(row, Mapping) else list(row)
        # Names come from outside: a cell a spreadsheet would run as a formula is neutralised.
        writer.writerow(neutralise_row(["" if value is None else value for value in values]))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def export_rows(
    rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[tuple[str, str]], name: str
) -> EncryptedExport:
    """A list for a partner, as ``name.csv`` inside ``name.7z`` encrypted with a new password.

    Args:
        rows: the lines of the list, mappings or sequences (see :func:`csv_bytes`).
        columns: ``(key, header)`` pairs; the headers are what the partner reads.
        name: the file name without extension (no personal data in it: it is not encrypted).

    Returns:
        The archive, its row count and the password to show once.
    """
    materialised = list(rows)
    password = generate_password()
    content = encrypted_archive({f"{name}.csv": csv_bytes(materialised, columns)}, password)
    return EncryptedExport(f"{name}.7z", content, password, len(materialised))
