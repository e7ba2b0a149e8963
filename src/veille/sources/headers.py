"""Header names as they arrive, and the canonical column each one means.

The synonym table below is data: add a header seen in a real file to the list of its column.
Matching ignores case, accents, spaces, underscores and punctuation, and small words such as
"de", "du", "le" (``Date de naissance`` = ``DATE_NAISSANCE`` = ``date naissance``); a trailing
"enfant" or "élève" is ignored too (``Nom de l'enfant`` = ``Nom``), and so is a remark in
parentheses when the header is not known with it (``Date de naissance (JJ/MM/AAAA)``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Canonical column -> header names accepted for it (the canonical name is always accepted).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "organisme": ("organisme", "caisse", "organisme payeur", "régime", "organisme source"),
    "source": ("source", "origine", "source de scolarisation", "type de scolarisation", "fichier source"),
    "identifiant": (
        "identifiant",
        "id",
        "ident",
        "identifiant enfant",
        "INE",
        "numéro INE",
        "n° INE",
        "numéro",
        "num",
        "n°",
        "no",
        "matricule",
        "numéro élève",
        "identifiant national élève",
        "numéro enfant",
        "numéro d'identification",
        "référence",
    ),
    "nom": ("nom", "nom de famille", "nom d'usage", "nom enfant", "nom élève", "patronyme", "nom usuel"),
    "prenoms": ("prénoms", "prénom", "prenom(s)", "prénom(s)", "prénom usuel", "prénoms enfant"),
    "date_naissance": (
        "date_naissance",
        "date de naissance",
        "date naissance",
        "DDN",
        "né(e) le",
        "né le",
        "née le",
        "date de naiss.",
        "date naiss",
        "naissance",
    ),
    "sexe": ("sexe", "genre", "civilité", "sexe enfant"),
    "nom_allocataire": (
        "nom allocataire",
        "allocataire",
        "nom du parent",
        "nom parent",
        "nom du responsable",
        "nom responsable",
        "nom du représentant légal",
        "nom représentant légal",
        "nom demandeur",
    ),
    "prenom_allocataire": (
        "prénom allocataire",
        "prénoms allocataire",
        "prénom du parent",
        "prénom parent",
        "prénom du responsable",
        "prénom responsable",
        "prénom du représentant légal",
        "prénom représentant légal",
        "prénom demandeur",
    ),
    "adresse": ("adresse", "adresse postale", "adresse domicile", "adresse du domicile", "voie", "rue"),
    "code_postal": ("code postal", "CP", "code_postal", "cp domicile"),
    "commune": ("commune", "ville", "localité", "commune de résidence", "commune domicile"),
    "etablissement": (
        "établissement",
        "nom établissement",
        "nom de l'établissement",
        "établissement scolaire",
        "école",
        "nom école",
        "structure",
    ),
    "uai": ("UAI", "RNE", "code UAI", "code RNE", "numéro UAI", "UAI établissement", "n° UAI"),
    "niveau": ("niveau", "classe", "niveau scolaire", "niveau de classe", "MEF", "division"),
}

_SMALL_WORDS = frozenset({"de", "du", "des", "d", "l", "la", "le", "les", "a", "au"})
_TRAILING_WORDS = frozenset({"enfant", "eleve"})


def _tokens(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    tokens = [token for token in re.split(r"[^a-z0-9]+", ascii_only) if token]
    return [token for token in tokens if token not in _SMALL_WORDS] or tokens


def normalise_header(text: str) -> str:
    """The comparison key of a header: lower case, no accent, no punctuation, no small word."""
    return "".join(_tokens(text))


def _without_trailing_words(tokens: list[str]) -> str:
    while len(tokens) > 1 and tokens[-1] in _TRAILING_WORDS:
        tokens = tokens[:-1]
    return "".join(tokens)


def _lookup_table(columns: Sequence[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in columns:
        for name in (column, *SYNONYMS.get(column, ())):
            table.setdefault(normalise_header(name), column)
    return table


def canonical_column(header: str, columns: Sequence[str]) -> str | None:
    """The canonical column (among ``columns``) a header means, or ``None``."""
    return _find(_lookup_table(columns), header)


def _find(table: dict[str, str], header: str) -> str | None:
    tokens = _tokens(header)
    found = table.get("".join(tokens)) or table.get(_without_trailing_words(tokens))
    if found is None and "(" in header:
        # "Date de naissance (JJ/MM/AAAA)": try again without the remark in parentheses.
        without_remark = re.sub(r"\([^)]*\)", " ", header)
        if without_remark.strip():
            tokens = _tokens(without_remark)
            found = table.get("".join(tokens)) or table.get(_without_trailing_words(tokens))
    return found


def accepted_headers(column: str) -> str:
    """The header names accepted for a column, for an error message."""
    return ", ".join(dict.fromkeys((column, *SYNONYMS.get(column, ()))))


@dataclass
class HeaderMapping:
    """How the headers of one file map to canonical columns."""

    #: position of the column in the file -> canonical column
    positions: dict[int, str] = field(default_factory=dict)
    #: original header -> canonical column
    mapping: dict[str, str] = field(default_factory=dict)
    #: headers that could not be placed (not an error)
    ignored: list[str] = field(default_factory=list)
    #: canonical column -> original headers, when more than one header claims it
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def map_headers(headers: Sequence[str], columns: Sequence[str]) -> HeaderMapping:
    """Map each header to a canonical column of ``columns``; the first header wins a column."""
    result = HeaderMapping()
    claimed: dict[str, str] = {}
    table = _lookup_table(columns)
    for position, header in enumerate(headers):
        original = str(header).strip()
        if not original:
            continue
        column = _find(table, original)
        if column is None:
            result.ignored.append(original)
        elif column in claimed:
            result.conflicts.setdefault(column, [claimed[column]]).append(original)
        else:
            claimed[column] = original
            result.positions[position] = column
            result.mapping[original] = column
    return result
