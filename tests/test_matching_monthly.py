"""Monthly updates: month 2 is crossed against month 1, reuses what did not change, says what changed.

One synthetic commune of 1,000 children and its next month (``veille.synth.monthly.next_month``),
crossed once per module.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.feather
import pyarrow.parquet
import pytest

from veille.cli import main
from veille.matching import Agreement, Status, Thresholds, cross
from veille.matching.comparisons import BLOCKING_RULES, BlockingRule, comparisons_for
from veille.matching.monthly import (
    ARRIVED,
    BLOCKS,
    CHANGES_COLUMNS,
    KEY_HASH,
    LEFT,
    LEFT_OUT,
    NEWLY_SCHOOLED,
    STATE_FILE,
    MonthlyState,
    Plan,
    RowFacts,
    changes,
    merge,
    plan,
    settle,
    standardised,
)
from veille.matching.results import level_scale
from veille.matching.scoring import CHILDREN, RECORDS, PairEngine, candidate_pairs_sql
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune
from veille.synth.monthly import next_month

YEAR = "2026-2027"


def _tables(commune, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Path]]:
    written = write_commune(commune, folder)
    kept = {name: path for name, path in written.items() if len(path.read_bytes().splitlines()) > 1}
    children = read_children_files([p for n, p in kept.items() if n.startswith("enfants_")]).table
    schooling = read_schooling_files([p for n, p in kept.items() if n.startswith("scolarite_")]).table
    return children, schooling, kept


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    first = generate_commune(1000, seed=11, school_year=YEAR)
    second = next_month(first, seed=12)
    folder = tmp_path_factory.mktemp("mois")
    children_1, schooling_1, files_1 = _tables(first, folder / "mois1")
    children_2, schooling_2, files_2 = _tables(second, folder / "mois2")
    month_1 = cross(children_1, schooling_1, school_year=YEAR)
    month_2 = cross(children_2, schooling_2, school_year=YEAR, previous=month_1.state)
    return {
        "first": first,
        "second": second,
        "month_1": month_1,
        "month_2": month_2,
        "tables_2": (children_2, schooling_2),
        "files_1": files_1,
        "files_2": files_2,
    }


def test_month_2_gives_the_same_statuses_as_a_full_crossing(months):
    children, schooling = months["tables_2"]
    full = cross(children, schooling, school_year=YEAR, model=months["month_1"].model)

    assert full.children["statut"].tolist() == months["month_2"].children["statut"].tolist()
    assert len(full.matches) == len(months["month_2"].matches)


def _deciding(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs the statuses read (at or above the review threshold) and each child's best pair."""
    best = pairs.sort_values(["child", "match_weight", "record"], ascending=[True, False, True])
    best = best.drop_duplicates("child")
    deciding = pd.concat([pairs[pairs["match_weight"] >= Thresholds().uncertain], best])
    return (
        deciding.drop_duplicates(["child", "record"]).sort_values(["child", "record"]).reset_index(drop=True)
    )


def test_month_2_keeps_the_deciding_pairs_of_a_full_crossing_with_its_weights_to_the_bit(months):
    children, schooling = months["tables_2"]
    full = cross(children, schooling, school_year=YEAR, model=months["month_1"].model)
    ours, theirs = months["month_2"].state.pairs, full.state.pairs

    # Reused pairs are weighed again with this month's term frequencies, as a full run weighs them.
    pd.testing.assert_frame_equal(_deciding(ours), _deciding(theirs), check_exact=True)
    both = ours.merge(theirs, on=["child", "record"])
    assert len(both) > 0.95 * len(theirs)
    assert (both["match_weight_x"] == both["match_weight_y"]).all()
    assert full.children["poids"].equals(months["month_2"].children["poids"])


def test_month_2_scores_only_what_changed(months):
    children, schooling = months["tables_2"]

    monthly = plan(children, schooling, months["month_1"].state)

    # A few arrivals, departures, enrolments and moves among 1,000 children: most pairs stand.
    assert 0 < len(monthly.children_to_score) < 0.1 * len(children)
    assert 0 < len(monthly.records_to_score) < 0.1 * len(schooling)
    assert len(monthly.reused) > 0.8 * len(months["month_1"].state.pairs)


def test_the_same_files_again_score_no_pair(months):
    children, schooling = months["tables_2"]
    state = months["month_2"].state

    again = plan(children, schooling, state)
    result = cross(children, schooling, school_year=YEAR, previous=state)

    assert len(again.children_to_score) == 0 and len(again.records_to_score) == 0
    assert result.children["statut"].tolist() == months["month_2"].children["statut"].tolist()


def test_a_row_whose_capped_block_opened_or_closed_is_scored_again(months):
    children, schooling = months["tables_2"]
    state = months["month_2"].state
    child_blocks = state.children[BLOCKS].to_numpy().copy()
    record_blocks = state.records[BLOCKS].to_numpy().copy()
    record, child = int(state.pairs["record"].iloc[0]), int(state.pairs["child"].iloc[0])
    child_blocks[3] ^= 1
    record_blocks[record] ^= 2
    facts = RowFacts(pd.DataFrame(index=range(len(children))), child_blocks, record_blocks)

    again = plan(children, schooling, state, facts=facts)

    assert 3 in again.children_to_score
    assert list(again.records_to_score) == [record]
    # The record's child lost a kept pair: it keeps its others, and its row of last month, whose
    # left-out weight ``settle`` weighs (its weaker candidates may have to be scored again).
    assert child != 3 and child not in again.children_to_score
    assert again.previous_rows is not None and again.previous_rows[child] == child
    reused = again.reused
    assert not ((reused["child_uid"] == child) & (reused["record_uid"] == record)).any()
    assert (reused["child_uid"] == child).sum() == (state.pairs["child"] == child).sum() - 1


def _pairs(engine: PairEngine, sql: str) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in engine.rows(f"SELECT uid_l, uid_r FROM ({sql}) AS pairs")}


def test_restricted_candidates_are_the_full_runs_pairs_of_the_changed_rows(months):
    children, schooling = months["tables_2"]
    left = standardised(children, claimant=True, previous=None)
    right = standardised(schooling, claimant=False, previous=None)
    # Caps that a commune of 1,000 children reaches, on a plain column, with the postcode, on a list.
    capped = (
        BlockingRule("même prénom, plafonné", ("prenom1_canon",), max_block=4),
        BlockingRule("code postal, prénom proche, plafonné", ("code_postal", "prenom1_phon"), max_block=8),
        BlockingRule("partie du nom, plafonnée", ("noms_famille",), "noms_famille", max_block=3),
    )
    rules = (*BLOCKING_RULES, *capped)
    # Random changed rows, and children whose first name's block is just at the cap or just over it.
    blocks = pd.Series(left.column("prenom1_canon").to_pandas())
    size = blocks.map(blocks.value_counts())
    near = np.flatnonzero(size.isin([4, 5]).to_numpy())[::3]
    rng = np.random.default_rng(5)
    only_children = np.union1d(rng.choice(len(children), 60, replace=False), near)
    only_records = np.sort(rng.choice(len(schooling), 40, replace=False))
    assert len(near) > 5

    with PairEngine(left, right, comparisons_for(national_id=False)) as engine:
        engine.build_candidates()
        everything = _pairs(engine, "SELECT uid_l, uid_r FROM candidate_pairs")
        engine.backend.drop("candidate_pairs")
        engine.build_candidates(only=(only_children, only_records))
        restricted = _pairs(engine, "SELECT uid_l, uid_r FROM candidate_pairs")
        everything_capped = _pairs(engine, candidate_pairs_sql(CHILDREN, RECORDS, rules))
        restricted_capped = _pairs(
            engine, candidate_pairs_sql(CHILDREN, RECORDS, rules, ("only_l", "only_r"))
        )
        for rule in capped:
            uncapped = BlockingRule(rule.name, rule.keys, rule.explode)
            # The cap keeps some blocks and drops others.
            assert (
                0
                < len(_pairs(engine, candidate_pairs_sql(CHILDREN, RECORDS, [rule])))
                < len(_pairs(engine, candidate_pairs_sql(CHILDREN, RECORDS, [uncapped])))
            )

    def of_changed(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
        changed_children, changed_records = set(only_children.tolist()), set(only_records.tolist())
        return {(c, r) for c, r in pairs if c in changed_children or r in changed_records}

    assert len(of_changed(everything)) > 100
    assert restricted == of_changed(everything)
    assert restricted_capped == of_changed(everything_capped)
    assert everything_capped > everything


def _previous_with(frequency_then: list[float], left_out: list[float]) -> MonthlyState:
    empty = pd.DataFrame()
    children = pd.DataFrame({"tf_nom_colle": frequency_then, LEFT_OUT: left_out})
    return MonthlyState({}, YEAR, children, empty, empty, 0)


def test_a_child_whose_left_out_pair_may_now_be_kept_is_scored_again():
    # Child 0's name became rarer (frequency halved): its pairs agreeing on the name gained up to one
    # bit, so the pair it left out at 2.5 may now weigh 3.5, above the review threshold of 3.
    # Child 1's frequency did not move: its left-out pair stays at 2.5, below its two kept pairs.
    previous = _previous_with([0.02, 0.02], [2.5, 2.5])
    reused = pd.DataFrame(
        {"child_uid": [0, 0, 1, 1], "record_uid": [0, 1, 2, 3], "match_weight": [9.0, 8.0, 9.0, 8.0]}
    )
    monthly = Plan(
        reused,
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int64),
        np.array([2.5, 2.5]),
        np.array([0, 1]),
    )
    now = pd.DataFrame({"tf_nom_colle": [0.01, 0.02]})

    settled = settle(monthly, reused, previous, now, 1.0, shown=-4.0, keep=3.0)

    assert list(settled.children_to_score) == [0]
    assert set(settled.reused["child_uid"]) == {1}
    assert settled.left_out is not None and np.isnan(settled.left_out[0])
    assert settled.left_out[1] == pytest.approx(2.5)


def test_a_left_out_pair_that_cannot_reach_the_kept_ones_leaves_the_child_reused():
    # The name became rarer, but the left-out pair (at most -6 + 1 bits) stays below the shown one.
    previous = _previous_with([0.02], [-6.0])
    reused = pd.DataFrame({"child_uid": [0], "record_uid": [0], "match_weight": [9.0]})
    monthly = Plan(
        reused, np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([-6.0]), np.array([0])
    )

    settled = settle(
        monthly, reused, previous, pd.DataFrame({"tf_nom_colle": [0.01]}), 1.0, shown=-4.0, keep=3.0
    )

    assert len(settled.children_to_score) == 0 and len(settled.reused) == 1


def test_a_child_who_lost_its_best_pair_is_scored_again_only_if_a_left_out_pair_could_take_its_place():
    # Both children's best record left. Child 0 kept nothing else: its pair left out at -1 may now be
    # its nearest record, shown. Child 1 still has a pair at 5, above anything it left out (at most 2).
    previous = _previous_with([0.02, 0.02], [-1.0, 2.0])
    reused = pd.DataFrame({"child_uid": [1], "record_uid": [3], "match_weight": [5.0]})
    monthly = Plan(
        reused,
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int64),
        np.array([-1.0, 2.0]),
        np.array([0, 1]),
    )

    settled = settle(
        monthly, reused, previous, pd.DataFrame({"tf_nom_colle": [0.02, 0.02]}), 1.0, shown=-4.0, keep=3.0
    )

    assert list(settled.children_to_score) == [0]
    assert set(settled.reused["child_uid"]) == {1}


def test_a_child_enrolled_since_last_month_is_reported_newly_schooled(months):
    truth = months["second"].truth
    enrolled = truth[truth["difficultes"].str.contains("inscrit_ce_mois")]
    table = changes(months["month_1"].state.children, months["month_2"].children)

    newly = set(table.loc[table["changement"] == NEWLY_SCHOOLED, "identifiant"])
    was_flagged = months["month_1"].children.set_index("identifiant")["statut"]
    expected = {i for i in enrolled["identifiant"] if was_flagged[i] in (Status.UNFOUND, Status.UNCERTAIN)}
    assert expected and expected <= newly


def test_children_who_arrived_or_left_are_reported_with_their_names(months):
    table = changes(months["month_1"].state.children, months["month_2"].children)
    before = set(months["first"].children["identifiant"])
    after = set(months["second"].children["identifiant"])

    assert set(table.loc[table["changement"] == ARRIVED, "identifiant"]) == after - before
    gone = table[table["changement"] == LEFT]
    assert set(gone["identifiant"]) == before - after
    assert (gone["nom"] != "").all() and (gone["statut"] == "").all()


def test_levels_agree_by_their_place_in_the_comparison_not_by_their_wording(months):
    scale = level_scale(months["month_1"].model["comparisons"])
    by_label = {
        (name, level.label): level.agreement for name, levels in scale.items() for level in levels.values()
    }

    assert by_label[("date_naissance", "date identique")] == Agreement.AGREE
    assert by_label[("nom", "nom différent")] == Agreement.DISAGREE
    assert by_label[("nom", "nom proche")] == Agreement.PARTIAL
    assert by_label[("nom", "valeur absente")] == Agreement.MISSING


def test_the_typed_outcomes_carry_the_levels_of_the_retained_record(months):
    result = months["month_1"]
    outcome = next(o for o in result.outcomes() if o.statut == Status.MATCHED)

    assert outcome.candidate is not None
    assert [level.comparison for level in outcome.candidate.levels] == list(result.levels)
    assert all(isinstance(level.agreement, Agreement) for level in outcome.candidate.levels)


def test_the_state_is_read_back_as_it_was_written(months, tmp_path):
    state = months["month_1"].state
    state.write(tmp_path)

    again = MonthlyState.read(tmp_path)

    assert again.model == state.model and again.n_candidates == state.n_candidates
    pd.testing.assert_frame_equal(again.pairs, state.pairs)
    # The text columns come back in Arrow (``string[pyarrow]``), with the same values.
    pd.testing.assert_frame_equal(again.children, state.children, check_dtype=False)
    children, schooling = months["tables_2"]
    from_disk = cross(children, schooling, school_year=YEAR, previous=again)
    assert from_disk.children["statut"].tolist() == months["month_2"].children["statut"].tolist()


def test_the_standardised_identities_are_read_back_as_they_were_written(months, tmp_path):
    state = months["month_1"].state
    state.write(tmp_path)

    again = MonthlyState.read(tmp_path)

    assert again.left.equals(state.left) and again.right.equals(state.right)


def test_a_state_whose_tables_are_in_parquet_is_still_read(months, tmp_path):
    # Veille wrote the state's tables as Parquet before it wrote Arrow files; the web application
    # keeps such states.
    state = months["month_1"].state
    (tmp_path / "arrow").mkdir()
    with zipfile.ZipFile(state.write(tmp_path / "arrow")) as arrow:
        entries = {name: arrow.read(name) for name in arrow.namelist()}
    (tmp_path / "parquet").mkdir()
    with zipfile.ZipFile(tmp_path / "parquet" / STATE_FILE, "w") as parquet:
        for name, data in entries.items():
            if name.endswith(".arrow"):
                table = pyarrow.feather.read_table(io.BytesIO(data))
                buffer = io.BytesIO()
                pyarrow.parquet.write_table(table, buffer)
                name, data = name.removesuffix(".arrow") + ".parquet", buffer.getvalue()
            parquet.writestr(name, data)

    again = MonthlyState.read(tmp_path / "parquet")

    assert again.left.equals(state.left) and again.right.equals(state.right)
    # The text columns come back in Arrow (``string[pyarrow]``), with the same values.
    pd.testing.assert_frame_equal(again.children, state.children, check_dtype=False)
    pd.testing.assert_frame_equal(again.pairs, state.pairs)


def test_a_state_without_its_key_hashes_gives_the_same_month(months):
    # A state written before Veille kept each row's key hash: the keys are hashed on reading.
    state = months["month_1"].state
    older = replace(
        state, children=state.children.drop(columns=KEY_HASH), records=state.records.drop(columns=KEY_HASH)
    )
    children, schooling = months["tables_2"]

    again = cross(children, schooling, school_year=YEAR, previous=older)

    assert again.children["statut"].tolist() == months["month_2"].children["statut"].tolist()
    pd.testing.assert_frame_equal(again.state.pairs, months["month_2"].state.pairs)
    pd.testing.assert_frame_equal(
        changes(older.children, again.children), changes(state.children, months["month_2"].children)
    )


def _croiser(files: dict[str, Path], out: Path, *extra: str) -> int:
    return main(
        [
            "croiser",
            "--enfants",
            *[str(p) for n, p in files.items() if n.startswith("enfants_")],
            "--scolarite",
            *[str(p) for n, p in files.items() if n.startswith("scolarite_")],
            "--sortie",
            str(out),
            "--annee-scolaire",
            YEAR,
            *extra,
        ]
    )


def test_the_command_writes_the_changes_since_the_previous_folder(months, tmp_path, capsys):
    assert _croiser(months["files_1"], tmp_path / "mois1") == 0
    assert (tmp_path / "mois1" / STATE_FILE).is_file()

    assert _croiser(months["files_2"], tmp_path / "mois2", "--precedent", str(tmp_path / "mois1")) == 0

    with open(tmp_path / "mois2" / "changements.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CHANGES_COLUMNS
    assert {row["changement"] for row in rows} >= {ARRIVED, LEFT}
    assert "changements" in capsys.readouterr().out
    # The time spent reading last month's state is a step of its own in the summary.
    steps = json.loads((tmp_path / "mois2" / "synthese.json").read_text(encoding="utf-8"))["durees_secondes"]
    assert list(steps)[:2] == ["lecture", "etat du mois precedent"]
    assert (
        "etat du mois precedent"
        not in json.loads((tmp_path / "mois1" / "synthese.json").read_text(encoding="utf-8"))[
            "durees_secondes"
        ]
    )


def test_it_refuses_a_previous_folder_without_a_crossing_state(months, tmp_path, capsys):
    code = _croiser(months["files_2"], tmp_path / "sortie", "--precedent", str(tmp_path))

    assert code == 2
    assert "ne contient pas l'état d'un croisement" in capsys.readouterr().err


def test_fingerprints_stay_those_last_months_state_holds():
    from veille.matching.monthly import fingerprints

    # Hashes written by the Veille of 2026-12-02 (d29f6fa): a state of that month must still be met.
    table = pd.DataFrame(
        {
            "nom": ["DUPONT", "MARTIN", "LEROY"],
            "prenoms": ["Léa", None, "Jean Paul"],
            "date_naissance": ["2018-05-08", "2019-01-02", np.nan],
            "code": [59100, 59000, 59150],
        }
    )
    columns = ("nom", "prenoms", "date_naissance", "code", "absente")
    assert fingerprints(table, columns).tolist() == [
        9236740438503551748,
        17966331770372393323,
        10198414503228569717,
    ]
    assert fingerprints(table[["nom"]], ("nom", "prenoms")).tolist() == [
        15103827538893213103,
        8134147259543172423,
        11082355706501369421,
    ]


def test_a_missing_value_and_an_empty_text_have_the_same_fingerprint():
    from veille.matching.monthly import fingerprints

    with_none = pd.DataFrame({"nom": ["DUPONT", None], "prenoms": ["Léa", "Jean"]})
    with_empty = pd.DataFrame({"nom": ["DUPONT", ""], "prenoms": ["Léa", "Jean"]})
    columns = ("nom", "prenoms")
    assert fingerprints(with_none, columns).tolist() == fingerprints(with_empty, columns).tolist()
    assert len(set(fingerprints(with_empty, columns).tolist())) == 2


@pytest.mark.parametrize("record_ids", [1_000, 2**60], ids=["numbered", "too-wide-to-code"])
def test_merge_keeps_each_childs_pairs_as_a_full_run_ranks_them(record_ids):
    # Ties in weight (broken by the record, as the SQL of a full run does), and a pair scored this
    # month replacing the same pair reused.
    rng = np.random.default_rng(3)
    n = 3_000
    pairs = pd.DataFrame(
        {
            "child_uid": rng.integers(0, 400, n),
            "record_uid": rng.integers(0, record_ids, n),
            "match_weight": rng.choice([-6.0, -3.5, -1.0, 0.0, 2.0, 2.5, 7.0, 20.0], n),
        }
    ).drop_duplicates(["child_uid", "record_uid"])
    reused, scored = pairs.iloc[: len(pairs) // 2], pairs.iloc[len(pairs) // 2 :]
    reused = pd.concat([reused, scored.iloc[:50].assign(match_weight=-9.0)], ignore_index=True)

    kept, trimmed = merge(reused, scored.reset_index(drop=True), 3.0, -4.0)

    ranked = pairs.sort_values(
        ["child_uid", "match_weight", "record_uid"], ascending=[True, False, True]
    ).reset_index(drop=True)
    rank = ranked.groupby("child_uid").cumcount() + 1
    weight = ranked["match_weight"]
    keep = (weight >= -4.0) & ((weight >= 3.0) | (rank <= 2))
    expected = ranked[keep].sort_values(["child_uid", "record_uid"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, expected, check_dtype=False)
    assert trimmed.to_dict() == ranked[~keep].groupby("child_uid")["match_weight"].max().to_dict()


def _largest_school(schooling: pd.DataFrame) -> str:
    onde = schooling[(schooling["source"] == "ONDE") & (schooling["uai"] != "")]
    return str(onde["uai"].value_counts().idxmax())


def test_month_2_names_no_school_when_each_keeps_its_pupils(months):
    # The state knows each record's school: a missing one could be named.
    assert "uai" in months["month_1"].state.records
    assert months["month_2"].vanished == []


def test_a_school_whose_file_is_missing_this_month_is_named(months):
    children, schooling = months["tables_2"]
    uai = _largest_school(schooling)
    without = schooling[schooling["uai"] != uai].reset_index(drop=True)

    result = cross(children, without, school_year=YEAR, previous=months["month_1"].state)

    before = int((months["month_1"].state.records["uai"] == uai).sum())
    assert [(school.uai, school.source, school.before, school.now) for school in result.vanished] == [
        (uai, "ONDE", before, 0)
    ]
    assert f"L'établissement {uai}" in result.vanished[0].message()
    assert "son fichier manque sans doute" in result.vanished[0].message()


def test_the_command_warns_of_a_school_file_missing_this_month(months, tmp_path, capsys):
    assert _croiser(months["files_1"], tmp_path / "mois1") == 0
    onde = pd.read_csv(months["files_2"]["scolarite_onde.csv"], dtype=str, keep_default_na=False)
    uai = _largest_school(onde)
    files = dict(months["files_2"])
    files["scolarite_onde.csv"] = tmp_path / "scolarite_onde.csv"
    onde[onde["uai"] != uai].to_csv(files["scolarite_onde.csv"], index=False)
    capsys.readouterr()

    assert _croiser(files, tmp_path / "mois2", "--precedent", str(tmp_path / "mois1")) == 0

    said = capsys.readouterr()
    assert f"Attention : L'établissement {uai}" in said.err
    assert f"inscriptions disparues depuis le mois dernier ({uai}), voir ci-dessus" in said.out
    summary = json.loads((tmp_path / "mois2" / "synthese.json").read_text(encoding="utf-8"))
    assert [school["uai"] for school in summary["etablissements_en_baisse"]] == [uai]
