"""The crossing on Spark gives the crossing on DuckDB: same model, same pairs, same statuses.

One small commune, crossed once on each backend (a local Spark of one core: starting it costs
seconds, a commune of 200 children a few more).
"""

import numpy as np
import pytest

from veille.cli import main
from veille.matching import BackendUnavailable, cross
from veille.matching import backends as backends_module
from veille.matching.backends import SparkBackend
from veille.matching.comparisons import comparisons_for
from veille.matching.monthly import standardised
from veille.matching.scoring import PairEngine
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    written = write_commune(generate_commune(200, seed=11), tmp_path_factory.mktemp("commune"))
    children = read_children_files([p for n, p in written.items() if n.startswith("enfants")]).table
    files = [
        p for n, p in written.items() if n.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
    ]
    return children, read_schooling_files(files).table


@pytest.fixture(scope="module")
def both(commune, spark):
    children, schooling = commune
    on_duckdb = cross(children, schooling, school_year="2026-2027")
    on_spark = cross(children, schooling, school_year="2026-2027", backend="spark")
    return on_duckdb, on_spark


def test_every_child_has_the_same_status_on_spark_and_on_duckdb(both):
    on_duckdb, on_spark = both
    assert len(on_duckdb.children) == len(on_spark.children) > 100
    assert (on_duckdb.children["statut"].to_numpy() == on_spark.children["statut"].to_numpy()).all()


def test_spark_matches_the_same_pairs(both):
    on_duckdb, on_spark = both
    keys = ["organisme", "identifiant", "source", "source_identifiant"]
    ours = on_duckdb.matches.sort_values(keys).reset_index(drop=True)
    theirs = on_spark.matches.sort_values(keys).reset_index(drop=True)
    assert len(ours) > 100
    assert ours[keys].equals(theirs[keys])
    # The files show weights to the hundredth: the same weight may round either side of it.
    assert np.allclose(ours["poids"], theirs["poids"], atol=0.01 + 1e-9)


def test_spark_scores_the_same_pairs_with_the_same_weights(both):
    on_duckdb, on_spark = both
    keys = ["child", "record"]
    ours = on_duckdb.state.pairs.sort_values(keys).reset_index(drop=True)
    theirs = on_spark.state.pairs.sort_values(keys).reset_index(drop=True)
    assert len(ours) > 100
    assert ours[keys].equals(theirs[keys])
    gap = float(np.abs(ours["match_weight"] - theirs["match_weight"]).max())
    assert gap < 1e-3, f"écart de poids : {gap}"


def test_spark_learns_the_same_model(both):
    on_duckdb, on_spark = both
    for mine, other in zip(on_duckdb.model["comparisons"], on_spark.model["comparisons"], strict=True):
        for level, same in zip(mine["comparison_levels"], other["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in level:
                    assert level[key] == pytest.approx(same[key], rel=1e-4, abs=1e-9), (
                        mine["output_column_name"],
                        key,
                    )


def _pairs(engine, sql):
    return {(int(a), int(b)) for a, b in engine.rows(f"SELECT uid_l, uid_r FROM ({sql}) AS p")}


@pytest.fixture(scope="module")
def engines(commune, spark):
    children, schooling = commune
    left = standardised(children.reset_index(drop=True), claimant=True, previous=None)
    right = standardised(schooling.reset_index(drop=True), claimant=False, previous=None)
    comparisons = comparisons_for(national_id=False)
    with (
        PairEngine(left, right, comparisons) as on_duckdb,
        PairEngine(left, right, comparisons, backend=SparkBackend(spark)) as on_spark,
    ):
        yield on_duckdb, on_spark


def test_spark_restricts_the_candidates_to_changed_rows_as_duckdb_does(engines):
    on_duckdb, on_spark = engines
    changed = ([3, 17, 40, 41, 150], [0, 9, 120, 200])
    found = []
    for engine in (on_duckdb, on_spark):
        count = engine.build_candidates(only=changed)
        found.append(_pairs(engine, "SELECT uid_l, uid_r FROM candidate_pairs"))
        assert count == len(found[-1])
        for name in ("candidate_pairs", "only_l", "only_r", "only_l_ids", "only_r_ids"):
            engine.backend.drop(name)
    assert len(found[0]) > 5
    assert found[0] == found[1]


def test_without_java_the_spark_crossing_says_so_in_french_and_exits_with_two(
    commune, monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(backends_module, "java_available", lambda: False)
    with pytest.raises(BackendUnavailable, match="Java"):
        cross(*commune, school_year="2026-2027", backend="spark")
    code = main(
        [
            "croiser",
            "--enfants",
            str(tmp_path / "enfants.csv"),
            "--scolarite",
            str(tmp_path / "scolarite.csv"),
            "--sortie",
            str(tmp_path / "sortie"),
            "--moteur",
            "spark",
        ]
    )
    assert code == 2
    error = capsys.readouterr().err
    assert "Erreur : le moteur Spark a besoin de Java" in error
    assert "openjdk-17-jre-headless" in error


def test_the_tests_spark_driver_has_the_heap_they_ask_for(spark):
    from tests.conftest import SPARK_TEST_DRIVER_MEMORY

    heap = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory()
    assert heap > 0.8 * int(SPARK_TEST_DRIVER_MEMORY.rstrip("g")) * 2**30


def test_spark_builds_the_same_candidates_rule_by_rule_and_keeps_no_rule_table(engines):
    on_duckdb, on_spark = engines
    found = []
    for engine in (on_duckdb, on_spark):
        count = engine.build_candidates()
        found.append(_pairs(engine, "SELECT uid_l, uid_r FROM candidate_pairs"))
        assert count == len(found[-1])
    assert len(found[0]) > 100
    assert found[0] == found[1]
    assert [name for name in on_spark.backend._views if name.startswith("rule_pairs")] == []
    # The candidates' plan is a scan of stored rows, not the 34 joins that made them: a query reading
    # them does not plan those joins again.
    plan = on_spark.backend.sql("SELECT * FROM candidate_pairs")._jdf.queryExecution().analyzed().toString()
    assert "Join" not in plan
    for engine in (on_duckdb, on_spark):
        engine.backend.drop("candidate_pairs")


def test_dropping_a_spark_table_frees_its_stored_rows(engines, spark):
    _, on_spark = engines
    stored = spark.sparkContext._jsc.getPersistentRDDs().size()
    on_spark.backend.create("a_few_ids", "SELECT unique_id FROM enfants WHERE unique_id < 10")
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == stored + 1
    on_spark.backend.drop("a_few_ids")
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == stored
