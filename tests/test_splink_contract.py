"""Veille weighs pairs as Splink's public ``predict()`` does, for the same model (the contract).

If a new Splink changes its weights, its term-frequency adjustment or its settings format, this test
fails before a crossing gives other answers: Splink is pinned to the tested version in pyproject.toml.
"""

import numpy as np
import pytest

from veille.matching import cross
from veille.matching.comparisons import comparisons_for
from veille.matching.frames import match_frame
from veille.matching.model import Model
from veille.matching.scoring import PairEngine
from veille.matching.splink_adapter import splink_evidence
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune

BLOCKING = [
    "l.dob = r.dob",
    "l.nom_colle = r.nom_colle",
    "l.prenom1 = r.prenom1",
    "l.adresse_cle = r.adresse_cle",
]


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    written = write_commune(generate_commune(300, seed=5), tmp_path_factory.mktemp("commune"))
    children = read_children_files([p for n, p in written.items() if n.startswith("enfants")]).table
    files = [
        p for n, p in written.items() if n.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
    ]
    schooling = read_schooling_files(files).table
    result = cross(children, schooling, school_year="2026-2027")
    return match_frame(children, claimant=True), match_frame(schooling, claimant=False), result.model


def test_veille_weights_are_the_weights_of_splink_predict(commune):
    left, right, saved = commune
    model = Model.from_dict(saved)
    model.size_offset = 0.0
    theirs = splink_evidence(left, right, model.as_dict(), BLOCKING)
    assert len(theirs) > 1000
    with PairEngine(left, right, comparisons_for(national_id=False)) as engine:
        engine.connection.register("theirs", theirs[["child_uid", "record_uid"]])
        ours = engine.connection.sql(
            engine.weights_sql(model, "SELECT child_uid AS uid_l, record_uid AS uid_r FROM theirs")
        ).df()
    both = theirs.merge(ours, on=["child_uid", "record_uid"], suffixes=("_splink", "_veille"))
    assert len(both) == len(theirs)
    assert np.allclose(both["match_weight_splink"], both["match_weight_veille"], atol=1e-6)


def test_the_saved_model_is_splink_settings_that_splink_loads(commune):
    left, right, saved = commune
    assert saved["link_type"] == "link_only"
    assert {c["output_column_name"] for c in saved["comparisons"]} >= {"nom", "prenom", "date_naissance"}
    # Loading it is enough for Splink to validate the settings.
    assert len(splink_evidence(left.head(20), right.head(20), saved, ["l.dob = r.dob"])) >= 0
