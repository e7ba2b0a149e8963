"""Candidate pairs, comparison vectors and match weights, in SQL (DuckDB by default, or Spark).

The SQL comes from the domain data of ``comparisons``; the weights from a ``Model``. The weight of a
pair is the one Splink's ``predict()`` computes for the same model (log2 Bayes factors of each level,
term-frequency adjustment of exact agreement on a name), without Splink's prior: a contract test
(``tests/test_splink_contract.py``) checks it. Doing it here rather than through Splink's pipeline
lets Veille materialise only the pairs it keeps, compare on integer ids, and learn from pattern counts
instead of pair tables (``training``): most of the time of a crossing went there.

The queries are written once, in what DuckDB and Spark both accept (``backends`` says how Spark is
made to accept DuckDB's functions); what they spell differently (turning a list into rows, integer
division) is an attribute of the backend.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from types import TracebackType
from typing import Any, NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from veille.matching.backends import DUCKDB, Backend, DuckDBBackend, make_backend
from veille.matching.comparisons import LIST_COLUMNS, MATCH_COLUMNS, BlockingRule, Comparison
from veille.matching.frames import identity_table
from veille.matching.model import CLAMP, Model

CHILDREN, RECORDS = "enfants", "scolarite"


class Scored(NamedTuple):
    """What :meth:`PairEngine.score` keeps of the candidate pairs.

    Attributes:
        pairs: the kept pairs (``child_uid``, ``record_uid``, ``match_weight``, ``gamma_*``).
        n_candidates: how many candidate pairs were at or above the shown threshold.
        dropped: per child (index ``child_uid``), the weight of its best pair left out; only the
            children that had one. A monthly update needs it to know which children's left-out pairs
            could come back (``veille.matching.monthly``).
    """

    pairs: pd.DataFrame
    n_candidates: int
    dropped: pd.Series


def _rule_keys_sql(rule: BlockingRule, table: str, explode: str = "unnest", *, distinct: bool = True) -> str:
    if rule.explode:
        # Every column by name rather than DuckDB's EXCLUDE, which Spark does not know.
        others = ", ".join(column for column in MATCH_COLUMNS if column != rule.explode)
        source = f"(SELECT {others}, {explode}({rule.explode}) AS {rule.explode} FROM {table}) AS exploded"
    else:
        source = table
    keys = ", ".join(f"{key} AS k{i}" for i, key in enumerate(rule.keys))
    # Only the bare columns are tested: an equi-join never matches a NULL key, and a NULL key's rows
    # make a block of their own, so testing an expression only computed it twice over every row (the
    # swapped names' and dates' keys, computed twice, were a quarter of a restricted build).
    not_null = " AND ".join(f"{key} IS NOT NULL" for key in rule.keys if key in MATCH_COLUMNS)
    where = f" WHERE {not_null}" if not_null else ""
    # A row gives its keys once unless a list repeats an element; the union removes duplicate pairs
    # anyway, and a DISTINCT over every row of both tables, rule after rule, was a good part of the
    # candidates' time with department-wide files.
    chosen = "DISTINCT " if rule.explode and distinct else ""
    rows = f"SELECT {chosen}unique_id, {keys} FROM {source}{where}"
    if rule.max_block is None:
        return rows
    names = ", ".join(f"k{i}" for i in range(len(rule.keys)))
    return (
        f"SELECT unique_id, {names} FROM (SELECT *, count(*) OVER (PARTITION BY {names}) AS block_size "
        f"FROM ({rows}) AS keyed) AS blocks WHERE block_size <= {rule.max_block}"
    )


def candidate_pairs_sql(
    left: str,
    right: str,
    rules: Iterable[BlockingRule] | None = None,
    only: tuple[str, str] | None = None,
    n_right: int | None = None,
    *,
    explode: str = "unnest",
    divide: str = "//",
) -> str:
    """SQL of the distinct (left id, right id) pairs that agree on at least one rule.

    Each rule is a plain equi-join, and the union removes duplicates once: cheaper and more
    predictable than excluding, rule after rule, the pairs found by the previous ones.

    ``only``: two tables holding some rows of ``left`` and of ``right`` (a monthly update's changed
    records): then only the pairs with their left row in the first or their right row in the second.
    A rule with ``max_block`` counts its blocks on the whole tables, as a full run does.

    ``n_right``: more rows than ``right`` has (its ids are row positions). The union then removes
    duplicates on one integer per pair: millions of pairs from many rules, half of them found twice,
    and a two-column union spilled to disk at 500,000 children.

    ``explode``, ``divide``: the backend's function turning a list into rows, and its integer division.
    """
    from veille.matching.comparisons import BLOCKING_RULES

    joins = []
    for rule in BLOCKING_RULES if rules is None else rules:
        joins += rule_joins_sql(rule, left, right, only, n_right, explode=explode)
    union = "\nUNION\n".join(joins)
    if n_right is None:
        return union
    return decoded_pairs_sql(union, n_right, divide)


def rule_joins_sql(
    rule: BlockingRule,
    left: str,
    right: str,
    only: tuple[str, str] | None = None,
    n_right: int | None = None,
    *,
    explode: str = "unnest",
) -> list[str]:
    """The joins of one rule (two with ``only``), each giving ``uid_l, uid_r``, or ``pair`` (one
    integer, ``uid_l * n_right + uid_r``) with ``n_right``: see :func:`candidate_pairs_sql`."""
    if n_right is None:
        pair = "l.unique_id AS uid_l, r.unique_id AS uid_r"
    else:
        pair = f"l.unique_id * {int(n_right)} + r.unique_id AS pair"
    on = " AND ".join(f"l.k{i} = r.k{i}" for i in range(len(rule.keys)))
    keys_l, keys_r = _rule_keys_sql(rule, left, explode), _rule_keys_sql(rule, right, explode)
    sides = [(keys_l, keys_r)]
    if only is not None and rule.max_block is None:
        # The whole table's side without the DISTINCT of a list's elements: against a few changed
        # rows, a repeated element repeats only a few pairs, which the union removes, and the
        # DISTINCT over every element of the table was most of the time of a rule that explodes one.
        whole_l = _rule_keys_sql(rule, left, explode, distinct=False)
        whole_r = _rule_keys_sql(rule, right, explode, distinct=False)
        sides = [
            (_rule_keys_sql(rule, only[0], explode), whole_r),
            (whole_l, _rule_keys_sql(rule, only[1], explode)),
        ]
    elif only is not None:
        sides = [
            (
                f"SELECT * FROM ({keys_l}) AS kl WHERE unique_id IN (SELECT unique_id FROM {only[0]})",
                keys_r,
            ),
            (
                keys_l,
                f"SELECT * FROM ({keys_r}) AS kr WHERE unique_id IN (SELECT unique_id FROM {only[1]})",
            ),
        ]
    return [f"SELECT {pair} FROM ({one}) AS l JOIN ({other}) AS r ON {on}" for one, other in sides]


def decoded_pairs_sql(pairs: str, n_right: int, divide: str = "//") -> str:
    """``uid_l, uid_r`` of the ``pair`` integers of the query ``pairs``."""
    return f"SELECT pair {divide} {n_right} AS uid_l, pair % {n_right} AS uid_r FROM ({pairs}) AS pairs"


def _tf_columns(comparisons: Iterable[Comparison]) -> list[str]:
    return [level.tf_column for c in comparisons for level in c.levels if level.tf_column]


def gamma_sql(comparison: Comparison) -> str:
    """The comparison-vector value of a pair (Splink's numbering: -1 null, then top level down to 0)."""
    whens = [f"WHEN {comparison.null_sql} THEN -1"]
    for i, level in enumerate(comparison.levels):
        if level.sql is not None:
            whens.append(f"WHEN {level.sql} THEN {comparison.gamma(i)}")
    return f"CAST(CASE {' '.join(whens)} ELSE 0 END AS TINYINT) AS gamma_{comparison.name}"


def double(value: float) -> str:
    """A SQL literal of type DOUBLE.

    Both DuckDB and Spark read ``9.2259`` as a DECIMAL: a CASE of such literals was computed in
    DECIMAL for every pair, then converted to add it up, and weighing the pairs took six times as
    long. The cast gives the same double the conversion gave, hence the same weights to the bit.
    """
    return f"CAST({float(value)!r} AS DOUBLE)"


ZERO = double(0.0)


def weight_sql(model: Model) -> str:
    """The evidence of a pair (log2 Bayes factor), from its gammas and the term frequencies."""
    terms = []
    for comparison in model.comparisons:
        weights = model.level_weights(comparison)
        column = f"gamma_{comparison.name}"
        cases = " ".join(f"WHEN {comparison.gamma(i)} THEN {double(w)}" for i, w in enumerate(weights))
        terms.append(f"(CASE {column} {cases} ELSE {ZERO} END)")
        for i, level in enumerate(comparison.levels):
            if level.tf_column is None:
                continue
            # Splink's adjustment: the exact level's u replaced by the frequency of the shared value.
            # Exact agreement means one value, hence one frequency (counted over both sides): Splink's
            # greatest() of the two is either.
            tf = f"coalesce(tf_{level.tf_column}_l, tf_{level.tf_column}_r)"
            log_u = float(np.log2(max(float(model.u[comparison.name][i]), CLAMP)))
            terms.append(
                f"(CASE WHEN {column} = {comparison.gamma(i)} "
                f"THEN coalesce({double(model.tf_weight)} * ({double(log_u)} - log2({tf})), {ZERO}) "
                f"ELSE {ZERO} END)"
            )
    return " + ".join(terms) if terms else ZERO


def canonical_order(table: pa.Table) -> np.ndarray:
    """The ``unique_id`` of the rows sorted on their compared values, whatever order the files came in.

    The random pairs that teach u are drawn by rank in this order: the same files given in another
    order (ONDE's one file per school rather than one file for all, the folders listed otherwise)
    teach the same model and give the same result. Rows equal on every compared value are
    interchangeable for that count, so how they are ordered among themselves does not matter.

    A missing value sorts as the empty string, and strings by their UTF-8 bytes, which is the order of
    their code points (Python's): Arrow sorts in a twentieth of the time pandas took.
    """
    # The lists are made from the names and first names: sorting on those is enough.
    columns = [c for c in MATCH_COLUMNS if c != "unique_id" and c not in LIST_COLUMNS]
    keys = pa.table({**{c: pc.fill_null(table[c], "") for c in columns}, "unique_id": table["unique_id"]})
    order = pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in [*columns, "unique_id"]])
    return np.asarray(table["unique_id"].take(order).to_numpy(), dtype=np.int64)


class PairEngine:
    """One DuckDB database holding both sides, their term frequencies and the candidate pairs."""

    def __init__(
        self,
        children: pd.DataFrame | pa.Table,
        records: pd.DataFrame | pa.Table,
        comparisons: tuple[Comparison, ...],
        *,
        memory_limit: str | None = None,
        backend: str | Backend = DUCKDB,
    ) -> None:
        self.comparisons = comparisons
        self.n_children, self.n_records = len(children), len(records)
        self._materialised = 0
        self._rule_tables: list[str] = []
        self.backend = (
            make_backend(backend, memory_limit=memory_limit) if isinstance(backend, str) else backend
        )
        self._children, self._records = identity_table(children), identity_table(records)
        try:
            self.backend.scan(f"{CHILDREN}_raw", self._children)
            self.backend.scan(f"{RECORDS}_raw", self._records)
            self._add_term_frequencies()
        except BaseException:
            self.backend.close()
            raise

    # Row positions in an order that depends on the identities only (see ``canonical_order``): for
    # training alone, which a monthly update does not do.
    @functools.cached_property
    def canonical_children(self) -> np.ndarray:
        return canonical_order(self._children)

    @functools.cached_property
    def canonical_records(self) -> np.ndarray:
        return canonical_order(self._records)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for tests and benchmarks that query the tables themselves."""
        if not isinstance(self.backend, DuckDBBackend):
            raise TypeError(f"pas de connexion DuckDB : le moteur est {self.backend.name}")
        return self.backend.connection

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        return self.backend.errors

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.backend.rows(sql)

    def __enter__(self) -> PairEngine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    def _add_term_frequencies(self) -> None:
        # Frequencies over both sides together, as Splink computes them. Each side is kept once, with
        # its frequencies: a second copy of the wide tables pushed DuckDB to disk at 500,000 children.
        columns = _tf_columns(self.comparisons)
        for column in columns:
            self.backend.create(
                f"tf_{column}",
                f"SELECT {column} AS value, count(*) / sum(count(*)) OVER () AS tf FROM "
                f"(SELECT {column} FROM {CHILDREN}_raw UNION ALL SELECT {column} FROM {RECORDS}_raw) AS s "
                f"WHERE {column} IS NOT NULL GROUP BY {column}",
            )
        if isinstance(self.backend, DuckDBBackend):
            self._sides_with_frequencies(columns)
            return
        for side in (CHILDREN, RECORDS):
            joins = [f"LEFT JOIN tf_{c} ON s.{c} = tf_{c}.value" for c in columns]
            extra = "".join(f", tf_{c}.tf AS tf_{c}" for c in columns)
            self.backend.create(
                side, f"SELECT s.*{extra} FROM {side}_raw AS s {' '.join(joins)} ORDER BY s.unique_id"
            )
            self.backend.forget(f"{side}_raw")
        for column in columns:
            self.backend.drop(f"tf_{column}")

    def _sides_with_frequencies(self, columns: list[str]) -> None:
        """Each side as a DuckDB table with the frequency of its values, joined in Arrow.

        The same frequencies as the SQL join, found by ``index_in``: joining and ordering 100,000
        rows of 20 columns (lists of names) in SQL was half of loading both sides, which a monthly
        update does in full however little changed. The sides stay DuckDB tables: the candidate
        pairs scan them dozens of times, twice as slowly from Arrow.
        """
        assert isinstance(self.backend, DuckDBBackend)
        frequencies = {c: self.backend.arrow(f"SELECT value, tf FROM tf_{c}") for c in columns}
        for side, table in ((CHILDREN, self._children), (RECORDS, self._records)):
            for column in columns:
                tf = frequencies[column]
                where = pc.index_in(table.column(column), value_set=tf.column("value"))
                table = table.append_column(f"tf_{column}", pc.take(tf.column("tf"), where))
            self.backend.forget(f"{side}_raw")
            self.backend.load(side, table)
        for column in columns:
            self.backend.drop(f"tf_{column}")

    def pairs_sql(self, pairs: str, comparisons: Iterable[Comparison] | None = None) -> str:
        """Gammas (and term frequencies) of the pairs of ``pairs`` (a query with ``uid_l``, ``uid_r``)."""
        chosen = list(self.comparisons if comparisons is None else comparisons)
        columns = sorted({c for comparison in chosen for c in (*comparison.columns, comparison.null_column)})
        tf = _tf_columns(chosen)
        sides = [f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns]
        sides += [f"l.tf_{c} AS tf_{c}_l, r.tf_{c} AS tf_{c}_r" for c in tf]
        gammas = ", ".join(gamma_sql(c) for c in chosen)
        tf_columns = "".join(f", tf_{c}_l, tf_{c}_r" for c in tf)
        return f"""
            SELECT child_uid, record_uid, {gammas}{tf_columns} FROM (
                SELECT p.uid_l AS child_uid, p.uid_r AS record_uid, {", ".join(sides)}
                FROM ({pairs}) AS p
                JOIN {CHILDREN} AS l ON l.unique_id = p.uid_l
                JOIN {RECORDS} AS r ON r.unique_id = p.uid_r
            ) AS sides
        """

    def pattern_counts(self, pairs: str, comparisons: Iterable[Comparison]) -> pd.DataFrame:
        """How many pairs of ``pairs`` show each combination of gammas (what EM learns from).

        In the order of the gammas: EM adds up floating-point numbers pattern by pattern, and the
        order a parallel GROUP BY gives changed the model's last digits from one run to the next on a
        busy machine (once, the nearest record shown for a child).
        """
        chosen = list(comparisons)
        names = ", ".join(f"gamma_{c.name}" for c in chosen)
        return self.backend.frame(
            f"SELECT {names}, count(*) AS n FROM ({self.pairs_sql(pairs, chosen)}) AS pairs GROUP BY {names} "
            f"ORDER BY {names}"
        )

    def build_candidates(self, only: tuple[Iterable[int], Iterable[int]] | None = None) -> int:
        """Create the ``candidate_pairs`` table; returns how many pairs it holds.

        ``only``: children ids and record ids (``unique_id``): only the pairs of these (a monthly
        update scores what changed, ``veille.matching.monthly``).
        """
        restricted = None
        if only is not None:
            for name, table, uids in (("l", CHILDREN, only[0]), ("r", RECORDS, only[1])):
                ids = pd.DataFrame({"unique_id": pd.array(list(uids), dtype="int64")})
                self.backend.load(f"only_{name}_ids", ids)
                self.backend.create(
                    f"only_{name}",
                    f"SELECT * FROM {table} WHERE unique_id IN (SELECT unique_id FROM only_{name}_ids)",
                )
            restricted = ("only_l", "only_r")
        n_right = max(self.n_records, 1)
        if self.backend.unites_rules:
            pairs = candidate_pairs_sql(
                CHILDREN,
                RECORDS,
                only=restricted,
                n_right=n_right,
                explode=self.backend.explode,
                divide=self.backend.divide,
            )
        else:
            pairs = self._pairs_rule_by_rule(restricted, n_right)
        self.backend.create("candidate_pairs", f"SELECT uid_l, uid_r FROM ({pairs}) AS candidates")
        for name in self._rule_tables:
            self.backend.drop(name)
        self._rule_tables = []
        count = int(self.backend.rows("SELECT count(*) FROM candidate_pairs")[0][0])
        self.backend.spread("candidate_pairs", count)
        return count

    def _pairs_rule_by_rule(self, restricted: tuple[str, str] | None, n_right: int) -> str:
        """Each rule's pairs as a table of its own, then their distinct union (see ``Backend``)."""
        from veille.matching.comparisons import BLOCKING_RULES

        self._rule_tables = []
        for i, rule in enumerate(BLOCKING_RULES):
            joins = rule_joins_sql(rule, CHILDREN, RECORDS, restricted, n_right, explode=self.backend.explode)
            name = f"rule_pairs_{i}"
            self.backend.create(name, "\nUNION ALL\n".join(joins))
            self._rule_tables.append(name)
        every = " UNION ALL ".join(f"SELECT pair FROM {name}" for name in self._rule_tables)
        distinct = f"SELECT DISTINCT pair FROM ({every}) AS found"
        return decoded_pairs_sql(distinct, n_right, self.backend.divide)

    def weights_sql(self, model: Model, pairs: str) -> str:
        """``child_uid``, ``record_uid``, ``match_weight`` (evidence less the size offset), gammas."""
        gamma_columns = ", ".join(f"gamma_{c.name}" for c in model.comparisons)
        source = self.pairs_sql(pairs, model.comparisons)
        if not self.backend.inlines_gammas:
            self._materialised += 1
            name = f"gammas_{self._materialised}"
            self.backend.create(name, source)
            source = f"SELECT * FROM {name}"
        return f"""
            SELECT child_uid, record_uid,
                {weight_sql(model)} - {double(model.size_offset)} AS match_weight, {gamma_columns}
            FROM ({source}) AS pairs
        """

    def score(self, model: Model, *, shown: float, keep: float | None) -> Scored:
        """Weights of the candidate pairs: those at or above ``shown``; of those below ``keep``, each
        child's two best only (and, per child, the weight of the best pair left out)."""
        gamma_columns = [f"gamma_{c.name}" for c in model.comparisons]

        def kept(weight: str, rank: str) -> str:
            condition = f"{weight} >= {float(shown)!r}"
            if keep is not None:
                condition += f" AND ({weight} >= {float(keep)!r} OR {rank} <= 2)"
            return condition

        scored = self.weights_sql(model, "SELECT uid_l, uid_r FROM candidate_pairs")
        # A child's pairs left out are the last ones by weight: the best of them is the first after
        # the kept ones, which the same window as the rank finds (a second window, partitioned again
        # by child for the maximum, was a tenth of the time of the scoring). Rank 1 of a child that
        # keeps nothing is that pair.
        frame = self.backend.frame(
            f"""
            WITH scored AS ({scored}), ranked AS (
                SELECT *,
                    row_number() OVER by_weight AS rank,
                    lag(match_weight) OVER by_weight AS previous_weight,
                    sum(CASE WHEN match_weight >= {float(shown)!r} THEN 1 ELSE 0 END) OVER ()
                        AS n_candidates
                FROM scored
                WINDOW by_weight AS (PARTITION BY child_uid ORDER BY match_weight DESC, record_uid)
            ), flagged AS (
                SELECT *, ({kept("match_weight", "rank")}) AS kept,
                    (rank = 1 OR ({kept("previous_weight", "rank - 1")})) AS follows_kept
                FROM ranked
            )
            SELECT child_uid, record_uid, match_weight, {", ".join(gamma_columns)}, kept, n_candidates,
                CASE WHEN NOT kept THEN match_weight END AS dropped
            FROM flagged WHERE kept OR follows_kept
            ORDER BY child_uid, record_uid
            """
        )
        n_candidates = int(frame["n_candidates"].max()) if len(frame) else 0
        dropped = frame.loc[frame["dropped"].notna(), ["child_uid", "dropped"]]
        pairs = frame[frame["kept"].astype(bool)].drop(columns=["kept", "n_candidates", "dropped"])
        return Scored(
            pairs.reset_index(drop=True),
            n_candidates,
            dropped.set_index("child_uid")["dropped"].astype(np.float64),
        )

    def reweigh(self, model: Model, pairs: pd.DataFrame) -> pd.DataFrame:
        """The weights of known pairs (``child_uid``, ``record_uid``, ``gamma_*``) from their gammas.

        A monthly update does not compare again the pairs whose child and record did not change: their
        gammas stand, but the term frequencies are this month's. The weight is the same SQL as
        :meth:`weights_sql` over the same values, hence the weight a full run gives, to the bit.
        """
        gamma_columns = [f"gamma_{c.name}" for c in model.comparisons]
        if pairs.empty:
            empty = pairs.loc[:, ["child_uid", "record_uid", *gamma_columns]]
            return empty.assign(match_weight=np.float64(0))
        self._materialised += 1
        name = f"known_{self._materialised}"
        self.backend.load(name, pairs.loc[:, ["child_uid", "record_uid", *gamma_columns]])
        tf = _tf_columns(model.comparisons)
        sides = "".join(f", l.tf_{c} AS tf_{c}_l, r.tf_{c} AS tf_{c}_r" for c in tf)
        frame = self.backend.frame(
            f"""
            SELECT child_uid, record_uid,
                {weight_sql(model)} - {double(model.size_offset)} AS match_weight, {", ".join(gamma_columns)}
            FROM (
                SELECT p.*{sides} FROM {name} AS p
                JOIN {CHILDREN} AS l ON l.unique_id = p.child_uid
                JOIN {RECORDS} AS r ON r.unique_id = p.record_uid
            ) AS pairs
            ORDER BY child_uid, record_uid
            """
        )
        self.backend.drop(name)
        for column in gamma_columns:
            frame[column] = frame[column].astype(np.int8)
        return frame

    def term_frequencies(self) -> pd.DataFrame:
        """Per child (row position), the frequency of its own value of each term-frequency column.

        An exactly agreeing pair is weighed by the frequency of the value both share, which is the
        child's: how far a child's pairs can move from one month to the next follows from these.
        """
        columns = _tf_columns(self.comparisons)
        if not columns:
            return pd.DataFrame(index=pd.RangeIndex(self.n_children))
        frame = self.backend.frame(
            f"SELECT unique_id, {', '.join(f'tf_{c}' for c in columns)} FROM {CHILDREN} ORDER BY unique_id"
        )
        return frame.drop(columns=["unique_id"]).astype(np.float64).reset_index(drop=True)

    def open_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Per child and per record, one bit per capped blocking rule: whether its block is compared.

        A rule with ``max_block`` compares a key's records only while the key is shared by at most that
        many on each side: a block can open or close from one month to the next without any of its
        rows changing (``veille.matching.monthly`` rescores their rows then).
        """
        from veille.matching.comparisons import BLOCKING_RULES

        capped = [rule for rule in BLOCKING_RULES if rule.max_block is not None]
        if not capped:
            return np.zeros(self.n_children, dtype=np.int64), np.zeros(self.n_records, dtype=np.int64)
        opened: list[str] = []
        terms: dict[str, list[tuple[str, str, int]]] = {CHILDREN: [], RECORDS: []}
        for bit, rule in enumerate(capped):
            if rule.explode:
                raise ValueError(f"règle plafonnée sur une liste, non prise en charge : {rule.name}")
            keys = ", ".join(f"{key} AS k{i}" for i, key in enumerate(rule.keys))
            names = ", ".join(f"k{i}" for i in range(len(rule.keys)))
            not_null = " AND ".join(f"({key}) IS NOT NULL" for key in rule.keys)
            sizes = {
                side: f"SELECT {names}, count(*) AS n FROM (SELECT {keys} FROM {side} WHERE {not_null}) "
                f"AS keyed GROUP BY {names}"
                for side in (CHILDREN, RECORDS)
            }
            either = ", ".join(f"coalesce(a.k{i}, b.k{i}) AS k{i}" for i in range(len(rule.keys)))
            on = " AND ".join(f"a.k{i} = b.k{i}" for i in range(len(rule.keys)))
            cap = rule.max_block or 0
            # The keys whose block is compared: shared by at most ``cap`` rows on each side. A table,
            # counted once for both sides' queries.
            self.backend.create(
                f"open_{bit}",
                f"SELECT {either} FROM ({sizes[CHILDREN]}) AS a "
                f"FULL OUTER JOIN ({sizes[RECORDS]}) AS b ON {on} "
                f"WHERE coalesce(a.n, 0) <= {cap} AND coalesce(b.n, 0) <= {cap}",
            )
            opened.append(f"open_{bit}")
            match = " AND ".join(f"o{bit}.k{i} = ({key})" for i, key in enumerate(rule.keys))
            for side in terms:
                terms[side].append((f"LEFT JOIN open_{bit} AS o{bit} ON {match}", f"o{bit}.k0", 1 << bit))
        bits = {}
        for side, parts in terms.items():
            joins = " ".join(join for join, _, _ in parts)
            total = " + ".join(
                f"(CASE WHEN {seen} IS NULL THEN 0 ELSE {value} END)" for _, seen, value in parts
            )
            frame = self.backend.frame(
                f"SELECT s.unique_id, {total} AS bits FROM {side} AS s {joins} ORDER BY s.unique_id"
            )
            bits[side] = frame["bits"].to_numpy(np.int64)
        for name in opened:
            self.backend.drop(name)
        return bits[CHILDREN], bits[RECORDS]
