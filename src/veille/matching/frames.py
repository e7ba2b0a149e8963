"""Turn a source table into the frame the model compares (``splink_adapter.MATCH_COLUMNS``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from veille.identity import identity_features
from veille.identity.features import FeatureMemo
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
    features = identity_features(table, claimant=claimant, memo=memo)
    frame = pd.DataFrame(
        {
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
            "dob": table["date_naissance"],
            "sexe": table["sexe"],
            "adresse_cle": features["adresse_cle"],
            "adresse_voie": features["adresse_voie"],
            "code_postal": table["code_postal"].str.strip(),
            # Optional: the national identifier, where a file carries one.
            "ine": table["ine"].str.strip().str.upper() if "ine" in table else "",
        }
    ).reset_index(drop=True)
    for column in _NULLABLE:
        frame[column] = frame[column].replace("", None)
    return frame


def _names(features: pd.DataFrame) -> np.ndarray:
    """Surname, first first name and every first name glued, once each: what a school that typed the
    surname in the first-name column and the reverse still shares with the child (a blocking key)."""
    names = [
        [name for name in dict.fromkeys(row) if name]
        for row in zip(features["nom_colle"], features["prenom1"], features["prenoms_colle"], strict=True)
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
    return pa.Table.from_pandas(
        frame.loc[:, list(MATCH_COLUMNS)], schema=IDENTITY_SCHEMA, preserve_index=False
    )
