"""Postal addresses reduced to a house number, a suffix and a street, for exact joins.

Households are often found by address when names differ too much; the CAF and the school type the same
address in different ways (``12 rue de l'Épeule``, ``12 RUE DE L EPEULE``, ``12 r. de l'Epeule``), so the
street type is expanded, apostrophes are glued, complements (building, flat, floor…) are dropped.

Example:
    >>> standardise_address("12 r. de l'Epeule").key
    '12||RUE DE LEPEULE'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from veille.identity.text import normalise

#: Street types, expanded when they are the first word of the street.
STREET_TYPES: dict[str, str] = {
    "ALL": "ALLEE", "AL": "ALLEE", "ALLE": "ALLEE",
    "AV": "AVENUE", "AVE": "AVENUE", "AVN": "AVENUE", "AVEN": "AVENUE",
    "BD": "BOULEVARD", "BLD": "BOULEVARD", "BVD": "BOULEVARD", "BOUL": "BOULEVARD", "BOULV": "BOULEVARD",
    "CAR": "CARREFOUR", "CARR": "CARREFOUR",
    "CH": "CHEMIN", "CHE": "CHEMIN", "CHEM": "CHEMIN", "CHM": "CHEMIN",
    "CHS": "CHAUSSEE", "CHAU": "CHAUSSEE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "ESP": "ESPLANADE", "ESPL": "ESPLANADE",
    "FG": "FAUBOURG", "FBG": "FAUBOURG", "FAUB": "FAUBOURG",
    "HAM": "HAMEAU",
    "IMP": "IMPASSE",
    "LD": "LIEU DIT", "LIEUDIT": "LIEU DIT",
    "LOT": "LOTISSEMENT", "LOTISS": "LOTISSEMENT",
    "MTE": "MONTEE",
    "PARV": "PARVIS",
    "PAS": "PASSAGE", "PASS": "PASSAGE", "PSG": "PASSAGE",
    "PL": "PLACE", "PLA": "PLACE",
    "PRO": "PROMENADE", "PROM": "PROMENADE",
    "QU": "QUAI", "QAI": "QUAI",
    "R": "RUE",
    "RES": "RESIDENCE", "RESID": "RESIDENCE", "RESI": "RESIDENCE", "RCE": "RESIDENCE",
    "RPT": "ROND POINT", "RDPT": "ROND POINT",
    "RTE": "ROUTE",
    "SEN": "SENTE", "SENT": "SENTIER",
    "SQ": "SQUARE",
    "TRA": "TRAVERSE", "TRAV": "TRAVERSE",
    "VLA": "VILLA",
}  # fmt: skip

#: Abbreviations expanded wherever they stand in the street name.
STREET_WORDS: dict[str, str] = {
    "ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS",
    "GAL": "GENERAL", "GEN": "GENERAL", "GL": "GENERAL",
    "MAL": "MARECHAL", "MCHL": "MARECHAL",
    "PDT": "PRESIDENT",
    "PR": "PROFESSEUR", "PROF": "PROFESSEUR",
    "DR": "DOCTEUR", "DOC": "DOCTEUR",
    "CDT": "COMMANDANT", "CMDT": "COMMANDANT",
    "CNE": "CAPITAINE", "CPT": "CAPITAINE",
    "LT": "LIEUTENANT", "MGR": "MONSEIGNEUR", "ND": "NOTRE DAME", "NOTREDAME": "NOTRE DAME",
}  # fmt: skip

#: Complement words: the word and the identifier that follows it (``BAT C``, ``APPT 12``) are dropped.
COMPLEMENTS: frozenset[str] = frozenset(
    {
        "BAT", "BATIMENT", "BATI", "BT", "IMMEUBLE", "IMM",
        "APT", "APPT", "APP", "APPART", "APPARTEMENT", "LOGT", "LOGEMENT", "LGT",
        "ESC", "ESCALIER", "ETG", "ETAGE", "ETA", "CHAMBRE", "CH.", "BOITE", "BAL",
        "BP", "CS", "TSA", "CEDEX", "PORTE", "PTE", "ENTREE", "HALL", "CAGE", "BLOC", "TOUR",
    }
)  # fmt: skip
# Complement words that stand alone (no identifier follows them).
_LONE_COMPLEMENTS: frozenset[str] = frozenset({"RDC"})
# REZ DE CHAUSSEE, as a whole only: CHAUSSEE alone is a street type.
_GROUND_FLOOR = re.compile(r"\bREZ DE CHAUSSEE\b")

_SUFFIXES: dict[str, str] = {
    "B": "BIS",
    "BIS": "BIS",
    "T": "TER",
    "TER": "TER",
    "Q": "QUATER",
    "QUATER": "QUATER",
}
_NUMBER = re.compile(r"^(\d{1,5})(BIS|TER|QUATER|[A-Z])?$")
_ORDINAL = re.compile(r"^\d+(?:E|EME|ER|ERE|ND|NDE)$")
_POSTCODE = re.compile(r"^\d{5}$")
# "N°", "No", "Num" before a house number.
_NUMBER_SIGNS: frozenset[str] = frozenset({"N", "NO", "NUM", "NUMERO"})
# Articles written with an apostrophe (DE L'EPEULE): glued to the next word whatever the typing.
_ELIDED: frozenset[str] = frozenset({"L", "D"})


@dataclass(frozen=True)
class Address:
    """A standardised address.

    Attributes:
        number: the house number without its suffix (``"12"``), ``""`` when none.
        suffix: ``"BIS"``, ``"TER"``, ``"QUATER"``, another letter (``"A"``, ``"C"``…) or ``""``.
        street: the normalised street, street type expanded (``"RUE DE LEPEULE"``), ``""`` when none.
    """

    number: str
    suffix: str
    street: str

    @property
    def key(self) -> str:
        """``number|suffix|street``, for exact joins; ``""`` when there is no street.

        Example:
            >>> Address("12", "BIS", "RUE DE LEPEULE").key
            '12|BIS|RUE DE LEPEULE'
        """
        if not self.street:
            return ""
        return f"{self.number}|{self.suffix}|{self.street}"


_EMPTY = Address("", "", "")


def _drop_complements(words: list[str]) -> list[str]:
    kept: list[str] = []
    skip_next = False
    for index, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        if word in _LONE_COMPLEMENTS:
            continue
        if word in COMPLEMENTS:
            # A leading ordinal (3EME ETAGE) is the complement's identifier: nothing to drop after it.
            if kept and _ORDINAL.match(kept[-1]):
                kept.pop()
                continue
            following = words[index + 1] if index + 1 < len(words) else ""
            # The identifier is short (C, 12, 3EME, A2); a long word is the street that follows.
            skip_next = bool(following) and (len(following) <= 3 or following[0].isdigit())
            continue
        kept.append(word)
    return kept


def _street(words: list[str]) -> str:
    return _cached_street(tuple(words)) if words else ""


@functools.lru_cache(maxsize=1 << 16)
def _cached_street(words: tuple[str, ...]) -> str:
    # Cached: the same street comes back with every house number, and on both sides of a crossing.
    # The postcode and commune typed into the address field are not part of the street.
    for index, word in enumerate(words):
        if _POSTCODE.match(word) and index > 0:
            words = words[:index]
            break
    expanded = [STREET_TYPES.get(words[0], words[0])]
    expanded += [STREET_WORDS.get(word, word) for word in words[1:]]
    glued: list[str] = []
    pending = ""
    for word in " ".join(expanded).split():
        if word in _ELIDED:
            pending += word
            continue
        glued.append(pending + word)
        pending = ""
    if pending:
        glued.append(pending)
    return " ".join(glued)


def standardise_address(raw: str) -> Address:
    """Cut an address into house number, suffix and street.

    Rules:

    * the text is normalised (apostrophes glued, hyphens and commas become spaces);
    * complements are dropped with their identifier (``Bât. C``, ``appt 12``, ``esc. B``, ``3e étage``,
      ``BP 12``, ``RDC``);
    * the first number is the house number; a letter glued to it or a lone B/T/Q/BIS/TER/QUATER after it
      is the suffix (``12B`` and ``12 b`` → ``12``, ``BIS``); a second number right after it (``12-14``)
      is dropped; words before the number (a residence name) are dropped when a street follows it;
    * the first word of the street is expanded when it is a street type (:data:`STREET_TYPES`), other
      abbreviations wherever they are (:data:`STREET_WORDS`: ST→SAINT, GAL→GENERAL…);
    * articles are kept (DE, DU, DES, LA, LE) and an elided one is glued to its word (``DE L EPEULE`` →
      ``DE LEPEULE``, as ``de l'Épeule`` gives);
    * a postcode and what follows it are dropped.

    Args:
        raw: the address as typed.

    Returns:
        The :class:`Address`; every field is ``""`` when the input has nothing usable.

    Examples:
        >>> standardise_address("12 rue de l'Épeule") == standardise_address("12 RUE DE L EPEULE")
        True
        >>> standardise_address("Bât. C, appt 12, 3 bis all. des Tilleuls")
        Address(number='3', suffix='BIS', street='ALLEE DES TILLEULS')
    """
    return standardise_normalised_address(normalise(raw))


def standardise_normalised_address(text: str) -> Address:
    """:func:`standardise_address` of an address already normalised (:func:`normalise`): what follows
    depends on the normalised text only, so differently typed addresses can share the work."""
    words = _drop_complements(_GROUND_FLOOR.sub(" ", text).split())
    number = suffix = ""
    for index, word in enumerate(words):
        match = _NUMBER.match(word)
        if match is None:
            continue
        before, after = words[:index], words[index + 1 :]
        if index > 0 and before[-1] in _NUMBER_SIGNS:
            before = before[:-1]
        number, letters = match.group(1), match.group(2) or ""
        if letters:
            suffix = _SUFFIXES.get(letters, letters)
        elif after and after[0] in _SUFFIXES and len(after) > 1:
            suffix = _SUFFIXES[after[0]]
            after = after[1:]
        if after and _NUMBER.match(after[0]) and not _POSTCODE.match(after[0]):
            after = after[1:]
        street = _street(after) or _street(before)
        return Address(number, suffix, street) if street else Address(number, suffix, "")
    street = _street(words)
    return Address("", "", street) if street else _EMPTY
