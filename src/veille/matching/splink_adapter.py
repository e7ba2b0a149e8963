"""The one door to Splink (pinned in pyproject.toml to the tested version, ``splink==5.0.0``).

Veille's model is Splink's: the same Fellegi-Sunter weights, the same comparison levels, the same
term-frequency adjustment, and ``modele.json`` holds Splink's settings as they are. Veille computes
them itself (``scoring``, ``training``), on integer ids and pattern counts, because Splink's pipeline
writes every pair with both records' columns before anything can be trimmed and its EM passes over
pair tables took most of a crossing's time. This module is what ties the two together: it loads a
Veille model into Splink through Splink's public API only (no ``splink.internals``), so that

- the contract test (``tests/test_splink_contract.py``) checks on a small commune that Veille's
  weights are those of Splink's public ``predict()``;
- a user can open a crossing's ``modele.json`` in Splink (charts, ``explain``) without Veille.

Only DuckDB is wired here; the settings carry ``sql_dialect`` and the conditions are written in a
dialect sqlglot transpiles, for a later Spark backend.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd

from veille.matching.comparisons import MATCH_COLUMNS


def splink_linker(
    children: pd.DataFrame, records: pd.DataFrame, model: dict[str, Any], blocking: list[str]
) -> Any:
    """A Splink ``Linker`` over the two frames with Veille's model (``Model.as_dict()``).

    ``blocking``: Splink blocking rules as SQL (``"l.dob = r.dob"``).
    """
    from splink import DuckDBAPI, Linker

    settings = {key: value for key, value in model.items() if key != "veille"}
    settings["blocking_rules_to_generate_predictions"] = blocking
    # The weight of each comparison is kept, to tell which one disagrees.
    settings["retain_intermediate_calculation_columns"] = True
    db_api = DuckDBAPI()
    left = db_api.register(children.loc[:, list(MATCH_COLUMNS)], dataset_display_name="enfants")
    right = db_api.register(records.loc[:, list(MATCH_COLUMNS)], dataset_display_name="scolarite")
    return Linker([left, right], settings, log_level=logging.ERROR)


def splink_evidence(
    children: pd.DataFrame, records: pd.DataFrame, model: dict[str, Any], blocking: list[str]
) -> pd.DataFrame:
    """Splink's ``predict()`` weights of the blocked pairs, prior removed (Veille's ``match_weight``).

    Returns: ``child_uid``, ``record_uid``, ``match_weight``, and Splink's ``mw_*`` columns (the
    weight of each comparison, and of its term-frequency adjustment).
    """
    linker = splink_linker(children, records, model, blocking)
    predicted = linker.inference.predict().as_pandas_dataframe()
    rate = float(model["probability_two_random_records_match"])
    prior = math.log2(rate / (1 - rate))
    child_left = predicted["source_dataset_l"] == "enfants"
    out = pd.DataFrame(
        {
            "child_uid": predicted["unique_id_l"].where(child_left, predicted["unique_id_r"]).astype("int64"),
            "record_uid": predicted["unique_id_r"]
            .where(child_left, predicted["unique_id_l"])
            .astype("int64"),
            "match_weight": predicted["match_weight"] - prior,
        }
    )
    for column in predicted.columns:
        if column.startswith("mw_"):
            out[column] = predicted[column].to_numpy()
    return out
