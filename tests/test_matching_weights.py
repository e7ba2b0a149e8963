"""The weights of the pairs are written as DOUBLE constants that are the model's floats to the bit."""

import duckdb
import numpy as np

from veille.matching.scoring import double


def test_a_weight_constant_is_a_double_equal_to_the_float_and_to_the_old_decimal_spelling():
    rng = np.random.default_rng(5)
    values = [
        *rng.normal(0.0, 8.0, 300),
        *np.log2(rng.uniform(1e-9, 1.0, 300)),
        0.0,
        1e-05,
        -2.5e-10,
        123456789.125,
        1e16,
    ]
    spelt = [double(v) for v in values]
    with duckdb.connect() as connection:
        # One CASE as the weights are written: DOUBLE, and every branch the float itself...
        case = " ".join(f"WHEN {i} THEN {s}" for i, s in enumerate(spelt))
        query = f"SELECT i, CASE i {case} ELSE 0.0 END AS w FROM range({len(values)}) AS t(i) ORDER BY i"
        assert connection.sql(f"SELECT typeof(CASE 1 {case} ELSE 0.0 END)").fetchall() == [("DOUBLE",)]
        got = connection.sql(query).fetchnumpy()["w"]
        # ...which the DECIMAL constants of before gave too, converted to DOUBLE pair by pair.
        old = " ".join(f"WHEN {i} THEN {float(v)!r}" for i, v in enumerate(values))
        converted = f"CAST(CASE i {old} ELSE 0.0 END AS DOUBLE)"
        before = connection.sql(
            f"SELECT i, {converted} AS w FROM range({len(values)}) AS t(i) ORDER BY i"
        ).fetchnumpy()["w"]
    expected = np.array(values, dtype=np.float64)
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert np.array_equal(before, expected)


def test_a_spread_table_is_read_and_dropped_as_the_table_was():
    from veille.matching.backends import SPREAD_BATCH_ROWS, DuckDBBackend

    backend = DuckDBBackend()
    try:
        rows = 3 * SPREAD_BATCH_ROWS + 5
        backend.create("pairs", f"SELECT range AS uid_l, range % 7 AS uid_r FROM range({rows})")
        before = backend.frame("SELECT * FROM pairs ORDER BY uid_l")
        backend.spread("pairs", rows)
        assert backend.frame("SELECT * FROM pairs ORDER BY uid_l").equals(before)
        backend.drop("pairs")
        backend.create("pairs", "SELECT range AS uid_l, range AS uid_r FROM range(0)")
        backend.spread("pairs", 0)
        assert backend.rows("SELECT count(*) FROM pairs") == [(0,)]
        assert backend.frame("SELECT * FROM pairs").dtypes.tolist() == before.dtypes.tolist()
    finally:
        backend.close()
