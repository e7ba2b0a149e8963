"""The standardised identity of every row of a table, computed column-wise for the matcher.

Each standardisation runs once per distinct value of its input column (``pandas.factorize``), never
once per row: a commune's files repeat the same surnames, first names and addresses many times, and a
million rows are processed in a few seconds.

Empty values: string columns hold ``""`` and list columns ``[]`` for an empty or missing input, never
``None`` or ``NaN``. The list objects are shared between rows that have the same input value: treat them
as read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from veille.identity.addresses import standardise_address
from veille.identity.first_names import canonical_first_name, first_name_tokens
from veille.identity.phonetic import phonetic_key
from veille.identity.surnames import surname_tokens, surname_variants

#: The columns of :func:`identity_features`, in order.
FEATURE_COLUMNS: tuple[str, ...] = (
    "nom_std",
    "nom_colle",
    "nom_tokens",
    "nom_phon",
    "nom1_phon",
    "noms_famille",
    "prenom1",
    "prenom1_canon",
    "prenom1_phon",
    "prenoms_canon",
    "prenoms_colle",
    "adresse_num",
    "adresse_voie",
    "adresse_cle",
)

_SURNAME_FIELDS = ("nom_std", "nom_colle", "nom_tokens", "nom_phon", "nom1_phon")
_FIRST_NAME_FIELDS = ("prenom1", "prenom1_canon", "prenom1_phon", "prenoms_canon", "prenoms_colle")
_ADDRESS_FIELDS = ("adresse_num", "adresse_voie", "adresse_cle")


def _surname_fields(raw: str) -> tuple[Any, ...]:
    tokens = surname_tokens(raw)
    glued = "".join(tokens)
    return (
        " ".join(tokens),
        glued,
        surname_variants(tokens),
        phonetic_key(glued),
        phonetic_key(tokens[0]) if tokens else "",
    )


def _first_name_fields(raw: str) -> tuple[Any, ...]:
    tokens = first_name_tokens(raw)
    first = tokens[0] if tokens else ""
    canonicals = list(dict.fromkeys(canonical_first_name(token) for token in tokens))
    return (
        first,
        canonical_first_name(first) if first else "",
        phonetic_key(first),
        canonicals,
        "".join(tokens),
    )


def _address_fields(raw: str) -> tuple[Any, ...]:
    address = standardise_address(raw)
    return (address.number, address.street, address.key)


def _clean(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str)


def _per_distinct(
    column: pd.Series, compute: Callable[[str], tuple[Any, ...]], names: Sequence[str]
) -> dict[str, np.ndarray]:
    """Run ``compute`` once per distinct value and spread its fields back to every row."""
    codes, distinct = pd.factorize(_clean(column), sort=False)
    results = [compute(value) for value in distinct]
    fields: dict[str, np.ndarray] = {}
    for position, name in enumerate(names):
        # Filled element by element: np.array() would turn equal-length lists into a 2-D array.
        values = np.empty(len(results), dtype=object)
        for index, result in enumerate(results):
            values[index] = result[position]
        fields[name] = values[codes]
    return fields


def _family_names(table: pd.DataFrame, nom_tokens: np.ndarray) -> np.ndarray:
    """Child's surname tokens followed by the claimant's, once per distinct (child, claimant) pair."""
    child_codes, _child_names = pd.factorize(_clean(table["nom"]), sort=False)
    claimant_codes, claimant_names = pd.factorize(_clean(table["nom_allocataire"]), sort=False)
    pair_codes, pairs = pd.factorize(
        child_codes.astype(np.int64) * (len(claimant_names) + 1) + claimant_codes
    )
    # Any row of a pair carries the child's tokens, already computed: take one per pair.
    some_rows = np.zeros(len(pairs), dtype=np.int64)
    some_rows[pair_codes] = np.arange(len(pair_codes))
    claimant_variants: dict[int, list[str]] = {}
    values = np.empty(len(pairs), dtype=object)
    for index, pair in enumerate(pairs):
        claimant_code = int(pair % (len(claimant_names) + 1))
        variants = claimant_variants.get(claimant_code)
        if variants is None:
            variants = surname_variants(surname_tokens(claimant_names[claimant_code]))
            claimant_variants[claimant_code] = variants
        values[index] = list(dict.fromkeys([*nom_tokens[some_rows[index]], *variants]))
    return values[pair_codes]


def identity_features(table: pd.DataFrame, *, claimant: bool) -> pd.DataFrame:
    """The standardised identity of each row, for the matcher.

    Args:
        table: string columns ``nom``, ``prenoms``, ``adresse`` and, when ``claimant`` is true,
            ``nom_allocataire``; missing values are read as empty.
        claimant: whether the table carries the claimant's surname (CAF/MSA children files).

    Returns:
        A new DataFrame with the same index and the columns of :data:`FEATURE_COLUMNS`:

        * ``nom_std`` (str): surname tokens joined by a space (``"MARTIN DIALLO"``);
        * ``nom_colle`` (str): the tokens glued (``"MARTINDIALLO"``, ``"BENAHMED"``);
        * ``nom_tokens`` (list[str]): the tokens, plus the glued whole when there are several
          (``["MARTIN", "DIALLO", "MARTINDIALLO"]``), so that a school's MARTIN, DIALLO or MARTINDIALLO
          is a subset of it;
        * ``nom_phon`` (str): phonetic key of ``nom_colle``; ``nom1_phon`` (str): of the first token;
        * ``noms_famille`` (list[str]): ``nom_tokens`` then, when ``claimant``, the claimant's surname
          tokens and glued whole (usage name, other parent's name), without repeats;
          ``nom_tokens`` otherwise;
        * ``prenom1`` (str): the first first-name token; ``prenom1_canon`` (str): its canonical
          spelling; ``prenom1_phon`` (str): its phonetic key;
        * ``prenoms_canon`` (list[str]): canonical spelling of every first-name token, without repeats;
        * ``prenoms_colle`` (str): every first-name token glued (``"LOUISMARIE"``);
        * ``adresse_num`` (str), ``adresse_voie`` (str), ``adresse_cle`` (str): house number, street
          and :attr:`veille.identity.addresses.Address.key` (``""`` when there is no street).

        Empty or missing inputs give ``""`` and ``[]``, never ``None`` or ``NaN``.

    Example:
        >>> frame = pd.DataFrame(
        ...     {"nom": ["BEN AHMED"], "prenoms": ["Yanis Karim"], "adresse": ["12 rue de l'Épeule"]}
        ... )
        >>> identity_features(frame, claimant=False).loc[0, ["nom_colle", "prenom1", "adresse_cle"]].tolist()
        ['BENAHMED', 'YANIS', '12||RUE DE LEPEULE']
    """
    fields: dict[str, np.ndarray] = {}
    fields.update(_per_distinct(table["nom"], _surname_fields, _SURNAME_FIELDS))
    fields.update(_per_distinct(table["prenoms"], _first_name_fields, _FIRST_NAME_FIELDS))
    fields.update(_per_distinct(table["adresse"], _address_fields, _ADDRESS_FIELDS))
    if claimant:
        fields["noms_famille"] = _family_names(table, fields["nom_tokens"])
    else:
        fields["noms_famille"] = fields["nom_tokens"]
    return pd.DataFrame({name: fields[name] for name in FEATURE_COLUMNS}, index=table.index)
