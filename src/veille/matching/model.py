"""The model of a crossing: m and u probabilities of every comparison level, where they came from.

A ``Model`` is plain numbers over ``comparisons.COMPARISONS``. It is written to ``modele.json`` in two
forms: Splink's settings (``as_dict()["comparisons"]``, which ``splink.Linker`` loads as it is, see
``splink_adapter``) and Veille's own account of what was learnt on the commune's files
(``as_dict()["veille"]``).

The prior model (``data/modele_a_priori.json``) ships with Veille: m and u learnt with the ground
truth of large synthetic communes (``bench/prior.py`` rebuilds it). A commune's crossing starts from it
and lets its own files correct it in proportion to what they can teach (``training``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from veille.matching.comparisons import COMPARISONS, NATIONAL_ID, SQL_DIALECT, Comparison

# Splink clamps m and u to this before taking logs; so does Veille, so that weights are the same.
CLAMP = 1e-300
PRIOR_FILE = "modele_a_priori.json"
_BY_NAME = {c.name: c for c in (*COMPARISONS, NATIONAL_ID)}


@dataclass
class Model:
    """m and u of each level (definition order, null level excluded), and their provenance.

    Attributes:
        comparisons: the compared fields.
        m: comparison name -> m probability of each level.
        u: comparison name -> u probability of each level.
        lambda_: probability that two random records are the same child (informational: the
            thresholds apply to the evidence, see ``size_offset``).
        size_offset: bits taken off every pair's evidence when the schooling files cover far more
            than the commune (department-wide extracts): the prior of a record being a given child
            comes from the commune's own size, not from the size of the files.
        tf_weight: how much of the term-frequency adjustment applies (Splink's
            ``tf_adjustment_weight``): in a village every name is rare or, written once by the CAF and
            once by the school, "frequent", and its frequency says nothing.
        provenance: what was learnt on these files ("local"), what comes from the prior.
        warnings: French messages for the agent (fallback to the prior…).
    """

    comparisons: tuple[Comparison, ...]
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    lambda_: float = 1e-4
    size_offset: float = 0.0
    tf_weight: float = 1.0
    provenance: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def level_weights(self, comparison: Comparison) -> np.ndarray:
        """log2(m / u) of each level of ``comparison``."""
        m = np.maximum(self.m[comparison.name], CLAMP)
        u = np.maximum(self.u[comparison.name], CLAMP)
        return np.log2(m / u)

    def as_dict(self) -> dict[str, Any]:
        """Splink's settings form (loadable by ``splink.Linker``), with Veille's provenance beside."""
        comparisons = []
        for comparison in self.comparisons:
            levels: list[dict[str, Any]] = [
                {
                    "sql_condition": comparison.null_sql,
                    "label_for_charts": "valeur absente",
                    "is_null_level": True,
                }
            ]
            for i, level in enumerate(comparison.levels):
                entry: dict[str, Any] = {
                    "sql_condition": level.sql if level.sql is not None else "ELSE",
                    "label_for_charts": level.label,
                    "m_probability": float(self.m[comparison.name][i]),
                    "u_probability": float(self.u[comparison.name][i]),
                }
                if level.tf_column:
                    entry["tf_adjustment_column"] = level.tf_column
                    entry["tf_adjustment_weight"] = float(self.tf_weight)
                if level.fixed_u is not None:
                    entry["fix_u_probability"] = True
                levels.append(entry)
            comparisons.append(
                {
                    "output_column_name": comparison.name,
                    "comparison_description": comparison.description,
                    "comparison_levels": levels,
                }
            )
        return {
            "link_type": "link_only",
            "sql_dialect": SQL_DIALECT,
            "probability_two_random_records_match": float(self.lambda_),
            "comparisons": comparisons,
            "retain_matching_columns": False,
            "retain_intermediate_calculation_columns": False,
            "veille": {
                "decalage_taille_bits": round(float(self.size_offset), 4),
                "provenance": self.provenance,
                "avertissements": list(self.warnings),
            },
        }

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> Model:
        """A model written by :meth:`as_dict` (``modele.json``'s ``splink`` entry)."""
        comparisons, m, u = [], {}, {}
        for entry in saved["comparisons"]:
            comparison = _BY_NAME[entry["output_column_name"]]
            levels = [lvl for lvl in entry["comparison_levels"] if not lvl.get("is_null_level")]
            if len(levels) != len(comparison.levels):
                raise ValueError(f"comparaison « {comparison.name} » : nombre de niveaux inattendu")
            comparisons.append(comparison)
            m[comparison.name] = np.array([float(lvl["m_probability"]) for lvl in levels])
            u[comparison.name] = np.array([float(lvl["u_probability"]) for lvl in levels])
        extra = saved.get("veille", {})
        tf_weights = [
            float(lvl.get("tf_adjustment_weight", 1.0))
            for entry in saved["comparisons"]
            for lvl in entry["comparison_levels"]
            if lvl.get("tf_adjustment_column")
        ]
        return cls(
            tf_weight=tf_weights[0] if tf_weights else 1.0,
            comparisons=tuple(comparisons),
            m=m,
            u=u,
            lambda_=float(saved.get("probability_two_random_records_match", 1e-4)),
            size_offset=float(extra.get("decalage_taille_bits", 0.0)),
            provenance={**extra.get("provenance", {}), "origine": "modèle rejoué"},
            warnings=list(extra.get("avertissements", [])),
        )


@dataclass(frozen=True)
class Prior:
    """The shipped prior: m and u per comparison, and how it was made."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    description: str


@cache
def prior() -> Prior:
    """The prior model shipped with Veille (``matching/data/modele_a_priori.json``)."""
    text = resources.files("veille.matching").joinpath("data", PRIOR_FILE).read_text(encoding="utf-8")
    saved = json.loads(text)
    m, u = {}, {}
    for name, values in saved["comparaisons"].items():
        m[name] = np.array(values["m"], dtype=float)
        u[name] = np.array(values["u"], dtype=float)
    return Prior(m=m, u=u, description=saved["description"])


def log2_odds(probability: float) -> float:
    probability = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(probability / (1 - probability))
