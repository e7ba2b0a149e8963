"""The standardised identity of every row of a table, computed column-wise for the matcher.

Each standardisation runs once per distinct value of its input column (``pandas.factorize``), never
once per row: a commune's files repeat the same surnames, first names and addresses many times, and a
million rows are processed in a few seconds.

Empty values: string columns hold ``""`` and list columns ``[]`` for an empty or missing input, never
``None`` or ``NaN``. The list objects are shared between rows that have the same input value: treat them
as read-only.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from veille.identity.addresses import standardise_normalised_address
from veille.identity.first_names import normalised_first_name_tokens, variant_table
from veille.identity.phonetic import phonetic_key
from veille.identity.surnames import normalised_surname_tokens, surname_tokens, surname_variants
from veille.identity.text import normalise

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


# Each function below takes the normalised text (``normalise``): every field depends on it only.


def _surname_fields(text: str) -> tuple[Any, ...]:
    tokens = normalised_surname_tokens(text)
    glued = "".join(tokens)
    return (
        " ".join(tokens),
        glued,
        surname_variants(tokens),
        phonetic_key(glued),
        phonetic_key(tokens[0]) if tokens else "",
    )


def _first_name_fields(text: str, canonical: Callable[[str, str], str]) -> tuple[Any, ...]:
    tokens = normalised_first_name_tokens(text)
    first = tokens[0] if tokens else ""
    canonicals = list(dict.fromkeys(canonical(token, token) for token in tokens))
    return (first, canonical(first, first), phonetic_key(first), canonicals, "".join(tokens))


def _address_fields(text: str) -> tuple[Any, ...]:
    address = standardise_normalised_address(text)
    return (address.number, address.street, address.key)


def _factorize(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Row codes into the distinct values of ``column``; a missing value is read as ``""``."""
    codes, uniques = pd.factorize(column, sort=False)
    distinct = [value if isinstance(value, str) else str(value) for value in uniques]
    # Missing values (code -1) point to an extra "" at the end, which spares a fillna over every row.
    codes[codes < 0] = len(distinct)
    distinct.append("")
    return codes, distinct


#: Fields already computed, by input column then raw value (and by ``column:normalise`` then normalised
#: value): one crossing gives the same memo to its two sides, whose names and addresses are mostly the
#: same (a schooled child is in both files).
FeatureMemo = dict[str, dict[str, tuple[Any, ...]]]


def _per_distinct(
    codes: np.ndarray,
    distinct: list[str],
    compute: Callable[[str], tuple[Any, ...]],
    names: Sequence[str],
    memo: dict[str, tuple[Any, ...]],
    by_normalised: dict[str, tuple[Any, ...]],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run ``compute`` once per distinct normalised value; its fields per distinct value and per row.

    ``memo``: results already computed by raw value, ``by_normalised`` by normalised value (both filled
    with the new ones): ``Martin``, ``MARTIN`` and ``MARTIN `` are standardised once. The results are
    shared, not copied: nothing downstream changes a field in place.
    """
    results = [
        memo[value]
        if value in memo
        else memo.setdefault(value, _by_normalised(value, compute, by_normalised))
        for value in distinct
    ]
    per_value: dict[str, np.ndarray] = {}
    per_row: dict[str, np.ndarray] = {}
    # zip(*results): one tuple per field (there is always a value, the "" of _factorize).
    for name, field_values in zip(names, zip(*results, strict=True), strict=True):
        # Built with fromiter: np.array() would turn equal-length lists into a 2-D array.
        values = np.fromiter(field_values, dtype=object, count=len(results))
        per_value[name] = values
        per_row[name] = values[codes]
    return per_row, per_value


def _by_normalised(
    raw: str, compute: Callable[[str], tuple[Any, ...]], by_normalised: dict[str, tuple[Any, ...]]
) -> tuple[Any, ...]:
    text = normalise(raw)
    found = by_normalised.get(text)
    if found is None:
        found = by_normalised[text] = compute(text)
    return found


def _family_names(
    child_codes: np.ndarray,
    child_lists: list[list[str]],
    claimant_column: pd.Series,
    surnames: dict[str, tuple[Any, ...]],
) -> np.ndarray:
    """Child's surname tokens followed by the claimant's, once per distinct (child, claimant) pair.

    ``surnames``: the surnames' fields by raw value; a claimant's surname is mostly a child's too.
    """
    claimant_codes, claimant_names = _factorize(claimant_column)
    position = _SURNAME_FIELDS.index("nom_tokens")
    claimant_lists = [
        surnames[name][position] if name in surnames else surname_variants(surname_tokens(name))
        for name in claimant_names
    ]
    width = len(claimant_names)
    pair_codes, pairs = pd.factorize(child_codes.astype(np.int64) * width + claimant_codes, sort=False)
    pairs = np.asarray(pairs, dtype=np.int64)
    merged: list[list[str]] = []
    for child, claimant in zip((pairs // width).tolist(), (pairs % width).tolist(), strict=True):
        own, other = child_lists[child], claimant_lists[claimant]
        # Most claimants share the child's surname: reuse the child's list rather than build a copy.
        merged.append(own if other == own or not other else list(dict.fromkeys(own + other)))
    return np.fromiter(merged, dtype=object, count=len(merged))[pair_codes]


def identity_features(
    table: pd.DataFrame, *, claimant: bool, memo: FeatureMemo | None = None
) -> pd.DataFrame:
    """The standardised identity of each row, for the matcher.

    Args:
        table: string columns ``nom``, ``prenoms``, ``adresse`` and, when ``claimant`` is true,
            ``nom_allocataire``; missing values are read as empty.
        claimant: whether the table carries the claimant's surname (CAF/MSA children files).
        memo: fields computed for another table of the same crossing (``{}`` to start one): each
            distinct surname, first names or address is standardised once for both.

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
    fields = identity_feature_arrays(table, claimant=claimant, memo=memo)
    return pd.DataFrame({name: fields[name] for name in FEATURE_COLUMNS}, index=table.index)


def identity_feature_arrays(
    table: pd.DataFrame, *, claimant: bool, memo: FeatureMemo | None = None
) -> dict[str, np.ndarray]:
    """:func:`identity_features` as one object array per column, in the table's row order: for a caller
    that builds its own frame (``match_frame``) rather than take the columns out of this one."""
    with paused_garbage_collection():
        return _feature_arrays(table, claimant, {} if memo is None else memo)


@contextlib.contextmanager
def paused_garbage_collection() -> Iterator[None]:
    """No cyclic garbage collection inside: the lists and tuples made here hold no cycle, but their
    number (one or more per row) triggers full collections that walk every object of the process,
    up to a third of the time of a standardisation. Collection resumes as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _feature_arrays(table: pd.DataFrame, claimant: bool, memos: FeatureMemo) -> dict[str, np.ndarray]:
    nom_codes, noms = _factorize(table["nom"])
    surnames = memos.setdefault("nom", {})
    fields, per_surname = _per_distinct(
        nom_codes, noms, _surname_fields, _SURNAME_FIELDS, surnames, memos.setdefault("nom:normalise", {})
    )
    # The table's own dict.get, looked up once rather than through canonical_first_name for every name.
    canonical = variant_table().get
    fields.update(
        _per_distinct(
            *_factorize(table["prenoms"]),
            lambda text: _first_name_fields(text, canonical),
            _FIRST_NAME_FIELDS,
            memos.setdefault("prenoms", {}),
            memos.setdefault("prenoms:normalise", {}),
        )[0]
    )
    fields.update(
        _per_distinct(
            *_factorize(table["adresse"]),
            _address_fields,
            _ADDRESS_FIELDS,
            memos.setdefault("adresse", {}),
            memos.setdefault("adresse:normalise", {}),
        )[0]
    )
    if claimant:
        child_lists = per_surname["nom_tokens"].tolist()
        fields["noms_famille"] = _family_names(nom_codes, child_lists, table["nom_allocataire"], surnames)
    else:
        fields["noms_famille"] = fields["nom_tokens"]
    return fields
