import numpy as np
import pandas as pd

from veille.matching.assignment import assign_one_to_one
from veille.matching.classification import Thresholds, classify

THRESHOLDS = Thresholds(match=4.0, uncertain=0.0, shown=-8.0)


def decide(rows, n_children, compulsory=None):
    scored = pd.DataFrame(rows, columns=["child_uid", "record_uid", "source", "match_weight"])
    assigned = assign_one_to_one(scored, min_weight=THRESHOLDS.uncertain)
    mask = np.ones(n_children, dtype=bool) if compulsory is None else np.array(compulsory)
    return classify(n_children, mask, scored, assigned, THRESHOLDS)


def test_it_matches_a_child_whose_record_scores_above_the_match_threshold():
    out = decide([(0, 5, "ONDE", 12.0)], 1)
    assert out.loc[0, "statut"] == "rapproche"
    assert out.loc[0, "record_uid"] == 5


def test_it_leaves_an_intermediate_score_to_a_person():
    out = decide([(0, 5, "ONDE", 2.0)], 1)
    assert out.loc[0, "statut"] == "incertain"


def test_it_flags_a_child_with_no_candidate_as_not_found():
    out = decide([], 1)
    assert out.loc[0, "statut"] == "non_trouve"
    assert out.loc[0, "motif"] == "aucun dossier de scolarité ressemblant"


def test_it_says_when_the_nearest_record_went_to_a_twin():
    out = decide([(0, 5, "ONDE", 18.0), (1, 5, "ONDE", 6.0)], 2)
    assert out["statut"].tolist() == ["rapproche", "non_trouve"]
    assert "jumeau" in out.loc[1, "motif"]
    assert out.loc[1, "autre_enfant"] == 0


def test_it_shows_a_weak_nearest_record_as_a_hint_only():
    out = decide([(0, 5, "ONDE", -3.0)], 1)
    assert out.loc[0, "statut"] == "non_trouve"
    assert out.loc[0, "record_uid"] == 5


def test_it_never_flags_a_child_outside_compulsory_instruction():
    out = decide([], 2, compulsory=[True, False])
    assert out["statut"].tolist() == ["non_trouve", "hors_obligation"]
