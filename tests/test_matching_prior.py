"""The shipped prior model: villages, files with nothing to learn, department-wide files, decisions."""

import numpy as np
import pandas as pd
import pytest

from veille.matching import PairDecision, Status, cross, feedback
from veille.matching.comparisons import COMPARISONS
from veille.matching.model import prior
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


def _tables(tmp_path, n, seed, department_pupils=0):
    written = write_commune(generate_commune(n, seed=seed, department_pupils=department_pupils), tmp_path)
    non_empty = [p for p in written.values() if len(p.read_bytes().splitlines()) > 1]
    children = read_children_files([p for p in non_empty if p.name.startswith("enfants")]).table
    schooling = read_schooling_files([p for p in non_empty if p.name.startswith("scolarite")]).table
    truth = pd.read_csv(tmp_path / "verite.csv", dtype=str, keep_default_na=False)
    return children, schooling, truth


def _with_truth(result, truth):
    table = result.children.merge(truth, on=["organisme", "identifiant"])
    return table[table["statut"] != Status.OUT_OF_SCOPE.value]


def test_the_prior_model_ships_with_veille_and_says_how_it_was_made():
    shipped = prior()
    assert "bench/prior.py" in shipped.description
    for comparison in COMPARISONS:
        assert len(shipped.m[comparison.name]) == len(comparison.levels)
        assert np.isclose(shipped.m[comparison.name].sum(), 1.0, atol=1e-3)
        # Full agreement is the common case of a child and its record, and a rare one of two strangers.
        assert shipped.m[comparison.name][0] > shipped.u[comparison.name][0]


def test_a_village_of_100_children_crosses_with_the_shipped_prior(tmp_path):
    children, schooling, truth = _tables(tmp_path, 100, seed=3)

    result = cross(children, schooling, school_year="2026-2027")

    table = _with_truth(result, truth)
    unschooled = table["statut_reel"] == "non_scolarise"
    assert (table.loc[unschooled, "statut"] == Status.UNFOUND.value).all()
    assert (table["statut"] == Status.UNCERTAIN.value).sum() <= 2
    shares = result.model["veille"]["provenance"]["part_locale_m"]
    # A village's own pairs teach less than the prior knows.
    assert all(share < 0.5 for share in shares.values()), shares


def test_a_pair_agreeing_on_every_field_is_never_sent_to_review(tmp_path):
    children, _, _ = _tables(tmp_path, 39, seed=8)
    # Each child's school record says exactly what the CAF file says.
    schooling = pd.DataFrame(
        {
            "source": "ONDE",
            "identifiant": [f"E{i:03d}" for i in range(len(children))],
            "nom": children["nom"],
            "prenoms": children["prenoms"],
            "date_naissance": children["date_naissance"],
            "sexe": children["sexe"],
            "etablissement": "École des Tilleuls",
            "uai": "0599999Z",
            "niveau": "CE1",
            "adresse": children["adresse"],
            "code_postal": children["code_postal"],
            "commune": children["commune"],
        }
    )

    result = cross(children, schooling, school_year="2026-2027")

    statuses = result.children["statut"]
    assert (statuses != Status.UNCERTAIN.value).all()
    assert (statuses[statuses != Status.OUT_OF_SCOPE.value] == Status.MATCHED.value).all()


def test_files_where_no_child_matches_fall_back_to_the_prior_with_a_french_warning(tmp_path):
    children, _, _ = _tables(tmp_path / "a", 200, seed=1)
    _, strangers, _ = _tables(tmp_path / "b", 200, seed=2)

    result = cross(children, strangers, school_year="2026-2027")

    warnings = result.model["veille"]["avertissements"]
    assert warnings and "modèle livré avec Veille" in warnings[0]
    compulsory = result.children[result.children["statut"] != Status.OUT_OF_SCOPE.value]
    assert (compulsory["statut"] != Status.MATCHED.value).mean() > 0.95


def test_department_wide_files_take_the_evidence_down_by_the_communes_share(tmp_path):
    children, schooling, truth = _tables(tmp_path, 400, seed=4, department_pupils=8_000)

    result = cross(children, schooling, school_year="2026-2027")

    assert result.model["veille"]["decalage_taille_bits"] > 3
    table = _with_truth(result, truth)
    unschooled = table["statut_reel"] == "non_scolarise"
    assert table.loc[unschooled, "statut"].isin([Status.UNFOUND.value, Status.UNCERTAIN.value]).all()
    assert (table["statut"] == Status.UNCERTAIN.value).sum() <= 4


def _band_pairs(n, same_pattern):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"child_uid": np.arange(n), "record_uid": np.arange(n) + 1000})
    frame["match_weight"] = rng.uniform(4, 15, n)
    for comparison in COMPARISONS:
        frame[f"gamma_{comparison.name}"] = comparison.top
    # Pairs whose date differs are the different children; the others are the same.
    frame.loc[~same_pattern, "gamma_date_naissance"] = 0
    return frame


def test_decisions_teach_the_band_what_the_reviewed_patterns_turn_out_to_be():
    same = np.arange(60) % 3 != 0
    decided = _band_pairs(60, same).assign(same=same)
    correction = feedback.learn(decided, COMPARISONS)
    assert correction is not None
    fresh = _band_pairs(30, np.arange(30) % 2 == 0)
    fresh["child_uid"] += 100
    fresh["record_uid"] += 100

    corrected, matched, left = feedback.correct_band(
        fresh, set(), correction, COMPARISONS, uncertain=3.0, match=16.0
    )

    assert matched == 15 and left == 15
    date_differs = fresh["gamma_date_naissance"].to_numpy() == 0
    assert (corrected["match_weight"].to_numpy()[~date_differs] == 16.0).all()
    assert (corrected["match_weight"].to_numpy()[date_differs] < 3.0).all()


def test_too_few_decisions_change_nothing():
    decided = _band_pairs(10, np.arange(10) % 2 == 0).assign(same=np.arange(10) % 2 == 0)
    assert feedback.learn(decided, COMPARISONS) is None


@pytest.mark.parametrize("same", [True, False])
def test_the_model_file_says_what_the_decisions_taught(tmp_path, same):
    children, schooling, _ = _tables(tmp_path, 100, seed=3)
    first = cross(children, schooling, school_year="2026-2027")
    row = first.children[first.children["candidat_identifiant"] != ""].iloc[0]
    decision = PairDecision(
        row.organisme, row.identifiant, row.candidat_source, row.candidat_identifiant, same
    )

    again = cross(children, schooling, school_year="2026-2027", decisions=[decision])

    learnt = again.model["veille"]["apprentissage_decisions"]
    assert learnt["utilisees"] is False and learnt["minimum"] == feedback.MIN_DECISIONS


def test_an_em_pass_blocked_on_the_first_name_keeps_the_m_of_swapped_names_it_cannot_see(tmp_path):
    from veille.matching.comparisons import SURNAME, TrainingPass, comparisons_for
    from veille.matching.frames import match_frame
    from veille.matching.scoring import PairEngine
    from veille.matching.training import em_pass

    children, schooling, _ = _tables(tmp_path, 1_000, seed=5)
    left, right = match_frame(children, claimant=True), match_frame(schooling, claimant=False)
    shipped = prior()
    m = {c.name: shipped.m[c.name].copy() for c in COMPARISONS}
    u = {c.name: shipped.u[c.name].copy() for c in COMPARISONS}
    swap = [level.label for level in SURNAME.levels].index("nom et prénom inversés")
    with PairEngine(left, right, comparisons_for(national_id=False)) as engine:
        blind = em_pass(engine, TrainingPass(("dob", "prenom1_canon")), m, u)
        seeing = em_pass(engine, TrainingPass(("dob", "adresse_cle")), m, u)
    assert blind is not None and seeing is not None
    # Blocked on the first name, a swapped pair cannot share it: its m is left as the prior has it …
    assert blind.m["nom"][swap] == pytest.approx(m["nom"][swap])
    assert blind.m["nom"].sum() == pytest.approx(1.0)
    # … whereas a pass that can see swapped pairs learns it from the files.
    assert seeing.m["nom"][swap] != pytest.approx(m["nom"][swap])
