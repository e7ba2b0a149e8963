import pandas as pd

from veille.matching.assignment import assign_one_to_one


def pairs(*rows):
    return pd.DataFrame(rows, columns=["child_uid", "record_uid", "source", "match_weight"])


def kept(frame, min_weight=0.0):
    out = assign_one_to_one(frame, min_weight=min_weight)
    return sorted(zip(out["child_uid"], out["record_uid"], strict=True))


def test_it_gives_a_twins_record_to_the_twin_it_fits_best():
    # Twin 1 is schooled (record 10), twin 2 is not: record 10 scores well against both.
    assert kept(pairs((1, 10, "ONDE", 18.0), (2, 10, "ONDE", 6.0))) == [(1, 10)]


def test_it_resolves_crossed_twins_by_total_weight():
    # Record 11 slightly prefers child 1, but child 1 fits record 10 far better.
    frame = pairs((1, 10, "ONDE", 20.0), (1, 11, "ONDE", 9.0), (2, 11, "ONDE", 8.5), (2, 10, "ONDE", 7.0))
    assert kept(frame) == [(1, 10), (2, 11)]


def test_it_does_not_hand_a_weak_record_to_a_second_child_to_assign_more_pairs():
    frame = pairs((1, 10, "ONDE", 20.0), (2, 10, "ONDE", 5.0), (1, 11, "ONDE", 6.0))
    assert kept(frame) == [(1, 10)]


def test_it_lets_a_child_hold_records_from_two_sources():
    frame = pairs((1, 10, "ONDE", 15.0), (1, 20, "CNED", 14.0), (2, 20, "CNED", 3.0))
    assert kept(frame) == [(1, 10), (1, 20)]


def test_it_never_assigns_a_pair_below_the_threshold():
    assert kept(pairs((1, 10, "ONDE", -1.0)), min_weight=0.0) == []


def test_it_returns_an_empty_frame_when_nothing_is_scored():
    assert kept(pairs()) == []


def test_it_never_undoes_a_confident_match_to_place_weak_pairs():
    # Exact total weight would give record 10 to child 2 (6 + 14 > 15); a sure match stays.
    frame = pairs((1, 10, "ONDE", 15.0), (1, 11, "ONDE", 6.0), (2, 10, "ONDE", 14.0))
    assert kept(frame) == [(1, 11), (2, 10)]
    out = assign_one_to_one(frame, min_weight=0.0, confident=15.0)
    assert sorted(zip(out["child_uid"], out["record_uid"], strict=True)) == [(1, 10)]


def test_it_solves_each_group_of_linked_pairs_on_its_own():
    # Two independent households: the answer of one must not depend on the other.
    one = pairs((1, 10, "ONDE", 20.0), (1, 11, "ONDE", 9.0), (2, 11, "ONDE", 8.5), (2, 10, "ONDE", 7.0))
    other = pairs((3, 12, "ONDE", 5.0), (4, 12, "ONDE", 4.0), (4, 13, "ONDE", 3.5))
    assert kept(pd.concat([one, other])) == [(1, 10), (2, 11), (3, 12), (4, 13)]


def test_it_gives_each_of_two_homonyms_one_record_when_they_are_in_two_sources():
    # Two children with the same name and birth date, one at a public school, one at a private one:
    # both records fit child 1 a hair better, yet each child is enrolled once far more often than one
    # is enrolled twice beside an unschooled homonym.
    frame = pairs(
        (1, 10, "ONDE", 25.5), (2, 10, "ONDE", 25.0), (1, 20, "PRIVE", 25.5), (2, 20, "PRIVE", 25.0)
    )
    assert kept(frame) == [(1, 10), (2, 20)]


def test_it_lets_a_child_enrolled_twice_keep_both_records_when_they_fit_him_far_better():
    # Twins, one enrolled at two schools, the other unschooled (another first name).
    frame = pairs(
        (1, 10, "ONDE", 45.0), (2, 10, "ONDE", 33.0), (1, 20, "PRIVE", 45.0), (2, 20, "PRIVE", 33.0)
    )
    assert kept(frame) == [(1, 10), (1, 20)]


def test_a_child_holding_a_record_still_takes_an_uncontested_one_of_another_source():
    frame = pairs((1, 10, "ONDE", 20.0), (1, 20, "CNED", 4.0))
    assert kept(frame, min_weight=3.0) == [(1, 10), (1, 20)]


def test_small_groups_of_pairs_keep_the_pairs_the_solver_would_keep():
    # Stars (one child, several records; one record, several children) and squares (two twins, two
    # records) are solved without the solver: on random graphs full of them, with ties (4 + 5.5 = 9.5
    # against 9.5) and chains among them, the same pairs as the solver on every component.
    import numpy as np

    from veille.matching import assignment

    rng = np.random.default_rng(7)
    for attempt in range(60):
        n = 400
        if attempt % 2:
            # Many small groups: stars, squares of twins (three or four pairs), a few larger ones.
            group = rng.integers(0, 120, n)
            child_uid, record_uid = group * 3 + rng.integers(0, 2, n), group * 3 + rng.integers(0, 2, n)
            child_uid[::17] += 1
        else:
            child_uid, record_uid = rng.integers(0, 150, n), rng.integers(0, 300, n)
        frame = pd.DataFrame(
            {
                "child_uid": child_uid,
                "record_uid": record_uid,
                "match_weight": rng.choice([4.0, 6.5, 9.0, 12.0, 5.5, 7.0, *rng.uniform(0, 20, 6)], n),
            }
        ).drop_duplicates(["child_uid", "record_uid"], ignore_index=True)
        # As ``assign_one_to_one`` gives them: the pairs at or above the threshold.
        frame = frame[frame["match_weight"] >= 3.0].reset_index(drop=True)
        child_codes, _ = pd.factorize(frame["child_uid"])
        record_codes, _ = pd.factorize(frame["record_uid"])
        gains = frame["match_weight"].to_numpy() - 3.0 + 1e-9
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        nodes = child_codes.max() + 1 + record_codes.max() + 1
        graph = csr_matrix(
            (np.ones(len(frame)), (child_codes, child_codes.max() + 1 + record_codes)), shape=(nodes, nodes)
        )
        component = connected_components(graph, directed=False)[1][child_codes]
        expected = np.zeros(len(frame), dtype=bool)
        for c in np.unique(component):
            block = np.flatnonzero(component == c)
            expected[block] = assignment._solve_component(
                child_codes[block], record_codes[block], gains[block]
            )
        solved = assignment._solve(frame, min_weight=3.0)
        assert sorted(solved.index) == sorted(np.flatnonzero(expected))
