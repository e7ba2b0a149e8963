"""Revelation of the few: the holder hands over the rows the cell must see, and only those.

The cell's list names pseudonymous identifiers; the holder recomputes the identifier of each of its
own rows (its key, the list's campaign) and writes the matching rows in the exchange format, in a 7z
archive encrypted with AES-256 (headers included, as Veille's other exports), which the cell imports
as any children or schooling file.
"""

from __future__ import annotations

import csv
import io
import secrets
from pathlib import Path

import pandas as pd
import py7zr

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.pprl.encoding import pseudonyms

LIST_COLUMNS = ("campagne", "detenteur", "identifiant", "statut", "motif")
#: The revealed rows carry their identifier of the list, so that the cell ties each one back to its
#: status (and checks that nothing outside its list was sent); the readers ignore the column.
PSEUDONYM_COLUMN = "identifiant_chiffre"
# No 0/o, 1/l/i: the password is read out over the telephone.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class ListError(ValueError):
    """A revelation list that cannot be used (message in French)."""


def write_list(path: Path | io.StringIO, campaign: str, holder: str, rows: pd.DataFrame) -> None:
    out = rows.assign(campagne=campaign, detenteur=holder)[list(LIST_COLUMNS)]
    out.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")


def read_list(path: str | Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as error:
        raise ListError(f"la liste « {path} » est illisible ({error}).") from None
    missing = [column for column in LIST_COLUMNS if column not in frame]
    if missing:
        raise ListError(f"la liste « {path} » n'a pas les colonnes {', '.join(missing)}.")
    if frame["campagne"].nunique() > 1:
        raise ListError(f"la liste « {path} » mêle plusieurs campagnes.")
    return frame


def reveal(table: pd.DataFrame, listing: pd.DataFrame, holder_key: bytes) -> tuple[pd.DataFrame, int]:
    """The rows of ``table`` named by the list, in the exchange format; and how many names matched none.

    Args:
        table: the holder's own table (``veille.sources`` reader), the one it encoded.
        listing: the cell's list (``read_list``), for this holder.
        holder_key: the key the holder encoded with.
    """
    canonical = CHILD_COLUMNS if "organisme" in table else SCHOOLING_COLUMNS
    if listing.empty:
        return pd.DataFrame(columns=[*canonical, PSEUDONYM_COLUMN]), 0
    campaign = str(listing["campagne"].iloc[0])
    table = table.reset_index(drop=True)
    own = pseudonyms(table, holder_key, campaign)
    wanted = set(listing["identifiant"])
    keep = pd.Series(own).isin(wanted).to_numpy()
    columns = [c for c in canonical if c in table]
    unknown = len(wanted - set(own[keep]))
    out = table.loc[keep, columns].reset_index(drop=True)
    out[PSEUDONYM_COLUMN] = own[keep]
    return out, unknown


def new_password() -> str:
    """About 99 bits in five groups of four letters or digits, easy to read out."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(5))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    text = io.StringIO()
    frame.to_csv(text, sep=";", index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return text.getvalue().encode("utf-8")


def write_revealed(frame: pd.DataFrame, path: str | Path, *, password: str | None, member: str) -> None:
    """A 7z AES-256 archive holding ``member`` (the CSV), or the plain CSV when ``path`` ends in .csv."""
    path = Path(path)
    content = csv_bytes(frame)
    if path.suffix.lower() == ".csv":
        path.write_bytes(content)
        return
    with py7zr.SevenZipFile(path, mode="w", password=password, header_encryption=True) as archive:
        archive.writestr(content, member)
