"""Turn a source table into the frame the model compares (``splink_adapter.MATCH_COLUMNS``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from veille.distinct import per_distinct_text
from veille.identity.features import FeatureMemo, identity_feature_arrays, paused_garbage_collection
from veille.matching.comparisons import LIST_COLUMNS, MATCH_COLUMNS

_LIST = pa.list_(pa.string())

# Columns where an empty value means "unknown": the model treats them as missing, not as a value that
# two records could share.
_NULLABLE = (
    "nom_colle",
    "nom_phon",
    "nom1_phon",
    "prenom1",
    "prenom1_canon",
    "prenoms_colle",
    "prenom1_phon",
    "dob",
    "sexe",
    "adresse_cle",
    "adresse_voie",
    "code_postal",
    "ine",
)


def match_frame(table: pd.DataFrame, *, claimant: bool, memo: FeatureMemo | None = None) -> pd.DataFrame:
    """The standardised identity of each row, with ``unique_id`` = row position.

    Args:
        table: a children table (``claimant=True``, with ``nom_allocataire``) or a schooling table.
        claimant: whether the table carries the claimant's surname (children files).
        memo: shared with the other side of the crossing (``identity_features``).
    """
    with paused_garbage_collection():
        return _match_frame(table, claimant, memo)


def _match_frame(table: pd.DataFrame, claimant: bool, memo: FeatureMemo | None) -> pd.DataFrame:
    features = identity_feature_arrays(table, claimant=claimant, memo=memo)
    # Plain arrays, all in the table's row order: the frame is built once and numbered from 0.
    arrays: dict[str, np.ndarray] = {
        "unique_id": np.arange(len(table), dtype=np.int64),
        "nom_colle": features["nom_colle"],
        "nom_tokens": features["nom_tokens"],
        "noms_famille": features["noms_famille"],
        "nom_phon": features["nom_phon"],
        "nom1_phon": features["nom1_phon"],
        "prenom1": features["prenom1"],
        "prenom1_canon": features["prenom1_canon"],
        "prenoms_canon": features["prenoms_canon"],
        "prenoms_colle": features["prenoms_colle"],
        "prenom1_phon": features["prenom1_phon"],
        "noms_prenoms": _names(features),
        "dob": table["date_naissance"].to_numpy(dtype=object),
        "sexe": table["sexe"].to_numpy(dtype=object),
        "adresse_cle": features["adresse_cle"],
        "adresse_voie": features["adresse_voie"],
        "code_postal": per_distinct_text(table["code_postal"], str.strip),
        # Optional: the national identifier, where a file carries one.
        "ine": (
            per_distinct_text(table["ine"], lambda v: v.strip().upper())
            if "ine" in table
            else np.full(len(table), "", dtype=object)
        ),
    }
    for name in _NULLABLE:
        # A copy: dob and sexe are the table's own arrays, which must not change.
        values = arrays[name].copy()
        values[values == ""] = None
        arrays[name] = values
    return pd.DataFrame(arrays)


def _names(features: dict[str, np.ndarray]) -> np.ndarray:
    """Surname, first first name and every first name glued, once each: what a school that typed the
    surname in the first-name column and the reverse still shares with the child (a blocking key)."""
    names = [
        # The usual row (three non-empty names, the surname apart) spelt out: dict.fromkeys costs more.
        ([a, b] if b == c or not c else [a, b, c])
        if a and b and a != b and a != c
        else [name for name in dict.fromkeys((a, b, c)) if name]
        for a, b, c in zip(
            features["nom_colle"].tolist(),
            features["prenom1"].tolist(),
            features["prenoms_colle"].tolist(),
            strict=True,
        )
    ]
    out = np.empty(len(names), dtype=object)
    out[:] = names
    return out


#: The Arrow types of ``match_frame``'s columns: the state keeps them as they are, and DuckDB reads
#: Arrow without converting each Python string and list again (at 100,000 children, a third of a
#: second per side to load, and as much to save).
IDENTITY_SCHEMA = pa.schema(
    [
        pa.field(
            column, pa.int64() if column == "unique_id" else _LIST if column in LIST_COLUMNS else pa.string()
        )
        for column in MATCH_COLUMNS
    ]
)


def identity_table(frame: pd.DataFrame | pa.Table) -> pa.Table:
    """The ``MATCH_COLUMNS`` of a ``match_frame`` as an Arrow table of :data:`IDENTITY_SCHEMA`."""
    if isinstance(frame, pa.Table):
        return frame.select(list(MATCH_COLUMNS)).cast(IDENTITY_SCHEMA)
    columns = []
    for field in IDENTITY_SCHEMA:
        values = frame[field.name].to_numpy()
        if field.name in LIST_COLUMNS and len(values):
            # Rows of the same name share one list object (``identity_features``): each list is
            # converted once, then repeated.
            codes = pd.factorize(np.fromiter(map(id, values), dtype=np.int64, count=len(values)))[0]
            first = np.unique(codes, return_index=True)[1]
            if len(first) < len(values) // 2:
                columns.append(pa.array(list(values[first]), type=field.type).take(pa.array(codes)))
                continue
        columns.append(pa.array(values, type=field.type, from_pandas=True))
    return pa.Table.from_arrays(columns, schema=IDENTITY_SCHEMA)
