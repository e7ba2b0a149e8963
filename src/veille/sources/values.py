"""Cell values with a closed vocabulary (sexe, organisme, source) and how to read them.

The tables are data: add a spelling seen in a real file to its entry.
"""

from __future__ import annotations

import re
import unicodedata

from veille.columns import CHILD_ORGANISATIONS, SCHOOLING_SOURCES

#: normalised spelling -> "M" or "F" (an empty cell stays empty)
SEX_VALUES: dict[str, str] = {
    "m": "M",
    "masculin": "M",
    "masc": "M",
    "garcon": "M",
    "g": "M",
    "h": "M",
    "homme": "M",
    "1": "M",
    "f": "F",
    "feminin": "F",
    "fem": "F",
    "fille": "F",
    "femme": "F",
    "2": "F",
    "mme": "F",
    "mlle": "F",
}
SEX_HINT = "M, F ou vide ; masculin, féminin, garçon, fille, H, G, 1, 2 sont aussi compris"

#: normalised spelling -> organisation of the children file
ORGANISATION_VALUES: dict[str, str] = {
    **{name.lower(): name for name in CHILD_ORGANISATIONS},
    "mutualitesocialeagricole": "MSA",
    "caissedallocationsfamiliales": "CAF",
}

#: normalised spelling -> source of the schooling file
SOURCE_VALUES: dict[str, str] = {
    **{name.replace("_", "").lower(): name for name in SCHOOLING_SOURCES},
    "privee": "PRIVE",
    "horscontrat": "PRIVE",
    "instructionfamille": "IEF",
    "instructiondanslafamille": "IEF",
    "medicosociale": "MEDICO_SOCIAL",
    "medsoc": "MEDICO_SOCIAL",
    "ime": "MEDICO_SOCIAL",
    "itep": "MEDICO_SOCIAL",
}


def normalise_value(text: str) -> str:
    """Lower case, no accent, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", "", ascii_only)


def _ascii_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


# A schooling source is recognised in a file name as a word of its own: "scolarite_onde.csv",
# "ONDE-2025.xlsx", but not "seconde.csv".
_SOURCE_IN_NAME: dict[str, re.Pattern[str]] = {
    source: re.compile(r"(?<![A-Z])" + source.replace("_", r"[ _\-.]?") + r"(?![A-Z])")
    for source in SCHOOLING_SOURCES
    if source != "AUTRE"
}


def organisation_from_name(name: str) -> list[str]:
    """The organisations (CAF, MSA) a file name contains, case-insensitively."""
    upper = _ascii_upper(name)
    return [organisation for organisation in CHILD_ORGANISATIONS if organisation in upper]


def source_from_name(name: str) -> list[str]:
    """The schooling sources a file name contains as words (ONDE, SIECLE, PRIVE, CNED, IEF, MEDICO_SOCIAL)."""
    upper = _ascii_upper(name)
    return [source for source, pattern in _SOURCE_IN_NAME.items() if pattern.search(upper)]
