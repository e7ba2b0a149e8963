"""Where the pair SQL runs: DuckDB (the default, in process) or Spark (a department, a country).

``scoring.PairEngine`` needs only a few operations of a database: load a pandas frame as a table,
create a table from a query, read a query back into pandas. Each backend gives them; the SQL is the
same for both. The comparison levels (``comparisons``) are written in DuckDB's dialect, and Spark
runs them nearly as they are: double quotes are identifiers there too (ANSI mode), and the DuckDB
functions Spark lacks or computes otherwise are declared with DuckDB's meaning under a prefix, the
SQL renamed to call them (``list_has_any``, ``list_has_all``, ``list_contains``, ``starts_with``,
``hamming`` as SQL functions Spark inlines; ``jaro_winkler_similarity`` as a vectorised pandas function over
rapidfuzz). What the two dialects cannot share (DuckDB's ``unnest``, Spark's ``explode``) is one
attribute of the backend.

Jaro-Winkler, measured on 360,000 pairs of names, first names and streets of a synthetic commune:
Splink's Scala jar for Spark 4 differs from DuckDB's on 9 % of them, by up to 0.14, and puts 80
pairs on the other side of 0.8 and 2 of 0.92; Spark 4's own ``jaro_winkler_similarity`` differs too
(0.82 where DuckDB gives 0.70), enough to move the u of exact surname agreement from 0.0046 to
0.0039 on a commune of 200 children. rapidfuzz's is DuckDB's to 1e-16 (the same algorithm, by the
same author), at twice the jar's time (24 s against 13 s for those pairs, on two loaded cores):
parity wins.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from veille.matching.comparisons import LIST_COLUMNS

DUCKDB, SPARK = "duckdb", "spark"
BACKENDS = (DUCKDB, SPARK)

#: Where a Spark crossing runs when nothing else says so: this machine, two cores.
DEFAULT_MASTER = "local[2]"
MASTER_ENV, MEMORY_ENV, PARTITIONS_ENV = (
    "VEILLE_SPARK_MASTER",
    "VEILLE_SPARK_MEMOIRE",
    "VEILLE_SPARK_PARTITIONS",
)

#: DuckDB's memory, beyond which it spills to disk: a modest laptop must keep room for the rest. A
#: server crossing millions of children raises it (``VEILLE_MEMOIRE_DUCKDB=8GB``): some of DuckDB's
#: steps cannot spill, and at 2,000,000 children they need more than the default.
DUCKDB_MEMORY_ENV, DEFAULT_DUCKDB_MEMORY = "VEILLE_MEMOIRE_DUCKDB", "1500MB"
_MEMORY_SIZE = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B)", re.IGNORECASE)


class OutOfMemory(RuntimeError):
    """DuckDB ran out of the memory it may use; the message says what to do, in French."""


def duckdb_memory_limit() -> str:
    """The memory DuckDB may use: ``VEILLE_MEMOIRE_DUCKDB``, or 1500MB.

    Raises:
        BackendUnavailable: the variable is not a size such as ``8GB`` or ``1500MB`` (in French).
    """
    value = os.environ.get(DUCKDB_MEMORY_ENV, "").strip() or DEFAULT_DUCKDB_MEMORY
    if not _MEMORY_SIZE.fullmatch(value):
        raise BackendUnavailable(
            f"la variable {DUCKDB_MEMORY_ENV} vaut « {value} », qui n'est pas une taille de mémoire : "
            "donnez par exemple 8GB ou 1500MB."
        )
    return value


NO_JAVA = (
    "le moteur Spark a besoin de Java (17 ou plus récent) et la commande « java » est introuvable : "
    "installez le paquet openjdk-17-jre-headless (bin/ensure-java le fait), ou croisez sans "
    "« --moteur spark »."
)
NO_PYSPARK = (
    "le moteur Spark a besoin du paquet Python pyspark, absent de cet environnement : "
    "installez-le (make install le fait), ou croisez sans « --moteur spark »."
)


class BackendUnavailable(RuntimeError):
    """The backend asked for cannot run here; the message says why, in French."""


class Backend(Protocol):
    """What ``PairEngine`` asks of a database."""

    name: str
    #: The set-returning function that turns a list into rows, and the integer division operator.
    explode: str
    divide: str
    #: The errors of this backend that mean "the files teach nothing", as DuckDB's do.
    errors: tuple[type[BaseException], ...]
    #: Whether gammas and weights can be one query. Spark's optimiser copies each gamma's CASE into
    #: every weight term that reads it, and took minutes to plan that for 300 children: there, the
    #: gammas are a table first.
    inlines_gammas: bool
    #: Whether the candidate pairs of every blocking rule can be one query (a union). On Spark, that
    #: one query of 34 rules took 79 s of the JVM's CPU for 10,000 children, where the same pairs
    #: rule by rule take 20 s (the rest is planning), and ran out of heap at 100,000: there, each
    #: rule's pairs are a table of their own, and the candidates their distinct union.
    unites_rules: bool

    def load(self, name: str, frame: pd.DataFrame | pa.Table) -> None: ...

    def scan(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        """``frame`` under ``name``, read in place where the backend can (until :meth:`forget`)."""

    def forget(self, name: str) -> None: ...

    def create(self, name: str, sql: str) -> None: ...

    def spread(self, name: str, rows: int) -> None:
        """Hold the table ``name`` (``rows`` rows) so that one heavy query over it keeps every core busy."""

    def frame(self, sql: str) -> pd.DataFrame: ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def drop(self, name: str) -> None: ...

    def close(self) -> None: ...


#: Tables up to this many rows are spread among DuckDB's threads in Arrow batches of this many rows
#: (``DuckDBBackend.spread``).
SPREAD_MAX_ROWS, SPREAD_BATCH_ROWS = 1_000_000, 8_192


class DuckDBBackend:
    """One in-memory DuckDB database, spilling to a temporary directory beyond its memory limit."""

    name = DUCKDB
    explode = "unnest"
    divide = "//"
    inlines_gammas = True
    unites_rules = True
    errors: tuple[type[BaseException], ...] = (duckdb.Error,)

    def __init__(self, *, memory_limit: str | None = None) -> None:
        self.memory_limit = memory_limit or duckdb_memory_limit()
        self.connection = duckdb.connect()
        self.connection.execute("SET preserve_insertion_order = false")
        # DuckDB takes 80 % of the machine by default; it spills to disk beyond its limit.
        self.connection.execute(f"SET memory_limit = '{self.memory_limit}'")
        self._spill = tempfile.mkdtemp(prefix="veille-")
        #: The tables held as Arrow batches (``spread``): dropping one unregisters it.
        self._spread: set[str] = set()
        self.connection.execute(f"SET temp_directory = '{self._spill}'")

    def load(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        self.connection.register(f"_{name}_df", frame)
        with self._memory():
            self.connection.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}_df")
        self.connection.unregister(f"_{name}_df")

    def scan(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        # A view of the Arrow table itself: the one table built from it copies it once, not twice.
        self.connection.register(name, frame)

    def forget(self, name: str) -> None:
        self.connection.unregister(name)

    def create(self, name: str, sql: str) -> None:
        with self._memory():
            self.connection.execute(f"CREATE TABLE {name} AS {sql}")

    def spread(self, name: str, rows: int) -> None:
        # DuckDB shares a table among its threads by row groups of 122,880 rows: the 176,000 candidate
        # pairs of 10,000 children were two, 122,880 pairs compared on one core and 53,000 on the
        # other. Arrow batches of a few thousand rows share them evenly; beyond a few row groups per
        # thread, the table is left as it is (and DuckDB may spill it to disk).
        if rows > SPREAD_MAX_ROWS:
            return
        table = self.arrow(f"SELECT * FROM {name}")
        self.drop(name)
        self.connection.register(
            name, pa.Table.from_batches(table.to_batches(max_chunksize=SPREAD_BATCH_ROWS), table.schema)
        )
        self._spread.add(name)

    def frame(self, sql: str) -> pd.DataFrame:
        with self._memory():
            return self.connection.sql(sql).df()

    def arrow(self, sql: str) -> pa.Table:
        """The result of ``sql`` as an Arrow table."""
        with self._memory():
            fetched = self.connection.sql(sql).arrow()
        # A table up to DuckDB 1.x, a reader of batches from 2.0.
        return fetched.read_all() if isinstance(fetched, pa.RecordBatchReader) else fetched

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self._memory():
            return self.connection.sql(sql).fetchall()

    @contextlib.contextmanager
    def _memory(self) -> Iterator[None]:
        try:
            yield
        except duckdb.OutOfMemoryException:
            raise OutOfMemory(
                f"le croisement a manqué de mémoire : DuckDB peut en prendre {self.memory_limit} et il lui "
                f"en faut davantage pour des fichiers de cette taille. Relancez avec plus de mémoire "
                f"(par exemple {DUCKDB_MEMORY_ENV}=8GB devant la commande, sur une machine qui les a), "
                "ou croisez avec « --moteur spark » sur une grappe (docs/echelle.md)."
            ) from None

    def drop(self, name: str) -> None:
        if name in self._spread:
            self._spread.discard(name)
            self.connection.unregister(name)
            return
        self.connection.execute(f"DROP TABLE {name}")

    def close(self) -> None:
        self.connection.close()
        shutil.rmtree(self._spill, ignore_errors=True)


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and (Path(home) / "bin" / "java").exists())


def check_spark() -> None:
    """Raise ``BackendUnavailable`` (in French) unless a Spark crossing can start here."""
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise BackendUnavailable(NO_PYSPARK) from error
    if not java_available():
        raise BackendUnavailable(NO_JAVA)


def jaro_winkler(left: pd.Series, right: pd.Series) -> pd.Series:
    """DuckDB's ``jaro_winkler_similarity``, pair by pair (0 when a side is empty, null when null)."""
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    missing = (left.isna() | right.isna()).to_numpy()
    a, b = left.fillna("").astype(str).tolist(), right.fillna("").astype(str).tolist()
    values = process.cpdist(a, b, scorer=JaroWinkler.similarity, workers=1, dtype=np.float64)
    values[(left.fillna("") == "").to_numpy() | (right.fillna("") == "").to_numpy()] = 0.0
    out = pd.Series(values, index=left.index, dtype="float64")
    out[missing] = np.nan
    return out


def machine_memory_gb() -> int:
    """The physical memory of this machine, in whole GB (0 when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024**3)
    except (ValueError, OSError, AttributeError):
        return 0


def default_driver_memory() -> str:
    """Half of the machine, at least 2 GB, at most 64 GB: a local session's JVM is the driver and
    its only executor, and the other half is left to Python (both files, the kept pairs) and the
    system. 12 GB on a machine of 24 GB."""
    return f"{min(64, max(2, machine_memory_gb() // 2))}g"


#: Shuffle partitions of a local session. Spark's adaptive execution merges small ones (a commune
#: of 10,000 children runs on one or two), while a million children's pairs need enough of them for
#: each task's sort to fit beside the cached tables.
DEFAULT_PARTITIONS = "32"


def spark_session() -> Any:
    """The Spark session of the crossing: the one ``spark-submit`` made, or a local one.

    A local session gets two cores (``VEILLE_SPARK_MASTER`` says otherwise), half of the machine's
    memory for the driver (``default_driver_memory``, or ``VEILLE_SPARK_MEMOIRE``) and 32 shuffle
    partitions (``VEILLE_SPARK_PARTITIONS``), which adaptive execution merges when they are small.
    """
    check_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # The Python workers of a local session (Jaro-Winkler runs there) are this interpreter, with the
    # same packages.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("veille")
    # Under spark-submit the master and the resources come from its command line.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        memory = os.environ.get(MEMORY_ENV) or default_driver_memory()
        builder = (
            builder.master(os.environ.get(MASTER_ENV, DEFAULT_MASTER))
            .config("spark.driver.memory", memory)
            # The kept pairs come back to the driver in one piece (toPandas): Spark's 1 GB cap
            # would stop a million children's crossing at its last step.
            .config("spark.driver.maxResultSize", memory)
            .config("spark.sql.shuffle.partitions", os.environ.get(PARTITIONS_ENV, DEFAULT_PARTITIONS))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
            # The stored tables are serialised (``SparkBackend``): Kryo writes a row in about the
            # size of its values, Java's serialisation adds its own framing to each.
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# DuckDB's functions that Spark lacks or computes otherwise, as SQL functions Spark inlines. They
# are declared under a prefix, and the SQL renamed to call them: a built-in function of the same
# name wins over a temporary one (Spark 4 has its own jaro_winkler_similarity, which gives 0.82 where
# DuckDB gives 0.70 for DESMASSTRAETE / DESMAUNEAU).
PREFIX = "veille_"
_SPARK_FUNCTIONS = {
    "list_has_any": "(a ARRAY<STRING>, b ARRAY<STRING>) RETURNS BOOLEAN RETURN arrays_overlap(a, b)",
    # Every element of b is in a; DuckDB's list_has_all, nulls alike.
    "list_has_all": "(a ARRAY<STRING>, b ARRAY<STRING>) RETURNS BOOLEAN RETURN size(array_except(b, a)) = 0",
    "list_contains": "(a ARRAY<STRING>, b STRING) RETURNS BOOLEAN RETURN array_contains(a, b)",
    "starts_with": "(a STRING, b STRING) RETURNS BOOLEAN RETURN startswith(a, b)",
    "hamming": "(a STRING, b STRING) RETURNS INT RETURN "
    "IF(length(a) = 0, 0, aggregate(sequence(1, length(a)), 0, "
    "(acc, i) -> acc + IF(substr(a, i, 1) = substr(b, i, 1), 0, 1)))",
}
_RENAMED = re.compile(r"\b(" + "|".join([*_SPARK_FUNCTIONS, "jaro_winkler_similarity"]) + r")\(")


class SparkBackend:
    """Tables as locally checkpointed Spark temporary views; queries read back through Arrow.

    The views live in the session until ``close``, which drops them: crossings sharing one session
    (the communes of a department) run one after the other and never see each other's children.
    """

    name = SPARK
    explode = "explode"
    divide = "div"
    inlines_gammas = False
    unites_rules = False

    def __init__(self, session: Any = None) -> None:
        self.spark = session if session is not None else spark_session()
        # None: a failing Spark job (memory above all) must stop the crossing, not pass for files
        # that teach nothing and quietly leave the commune with the prior model.
        self.errors: tuple[type[BaseException], ...] = ()
        conf = self.spark.conf
        # DuckDB's dialect as it is: double quotes name columns, / divides as floats.
        conf.set("spark.sql.ansi.enabled", "true")
        conf.set("spark.sql.ansi.doubleQuotedIdentifiers", "true")
        conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
        self._register_functions()
        self._cached: list[Any] = []
        self._views: list[str] = []

    def _register_functions(self) -> None:
        from pyspark.sql.functions import pandas_udf
        from pyspark.sql.types import DoubleType

        for name, definition in _SPARK_FUNCTIONS.items():
            self.spark.sql(f"CREATE OR REPLACE TEMPORARY FUNCTION {PREFIX}{name}{definition}")
        self.spark.udf.register(
            f"{PREFIX}jaro_winkler_similarity",
            pandas_udf(jaro_winkler, DoubleType()),  # type: ignore[call-overload]
        )

    def sql(self, text: str) -> Any:
        """A Spark DataFrame of DuckDB-dialect ``text``, DuckDB's functions renamed to Veille's."""
        return self.spark.sql(_RENAMED.sub(lambda match: f"{PREFIX}{match.group(1)}(", text))

    def load(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

        lists = set(LIST_COLUMNS)
        if isinstance(frame, pa.Table):
            # Arrow gives a list column as NumPy arrays; Spark's schema takes Python lists.
            frame = frame.to_pandas()
            for column in lists & set(frame.columns):
                frame[column] = [None if v is None else list(v) for v in frame[column]]
        fields = []
        for column in frame.columns:
            if column in lists:
                kind: Any = ArrayType(StringType())
            elif column == "unique_id" or pd.api.types.is_integer_dtype(frame[column]):
                kind = LongType()
            else:
                kind = StringType()
            fields.append(StructField(column, kind, True))
        data = frame.astype(object).where(frame.notna(), None) if len(frame.columns) > 1 else frame
        table = self.spark.createDataFrame(data, schema=StructType(fields))
        self._keep(name, table)

    def scan(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        self.load(name, frame)

    def forget(self, name: str) -> None:
        self.drop(name)

    def create(self, name: str, sql: str) -> None:
        self._keep(name, self.sql(sql))

    def spread(self, name: str, rows: int) -> None:
        """Spark shares a view's partitions among its executors itself."""

    def _keep(self, name: str, table: Any) -> None:
        from pyspark import StorageLevel

        # A local checkpoint rather than a cache: the view's plan becomes a scan of the stored rows.
        # A cached view keeps its whole plan, which Spark analyses again in every query reading it
        # (the candidate pairs of 34 rules in every later query), before finding it in the cache.
        # Serialised (PySpark's MEMORY_AND_DISK), spilling to disk: a million children's candidate
        # pairs and their gammas are hundreds of millions of rows, each a few Java objects if kept
        # as they are, which the garbage collector would have to walk again and again.
        table = table.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)
        table.createOrReplaceTempView(name)
        self._cached.append(table)
        self._views.append(name)

    @staticmethod
    def _release(table: Any) -> None:
        # A local checkpoint's rows are the blocks of the RDD its plan scans: unpersisting that RDD
        # frees them now rather than when the JVM's garbage collector gets to it.
        table._jdf.queryExecution().analyzed().rdd().unpersist(False)

    def frame(self, sql: str) -> pd.DataFrame:
        return self.sql(sql).toPandas()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.sql(sql).collect()]

    def drop(self, name: str) -> None:
        index = self._views.index(name)
        self.spark.catalog.dropTempView(name)
        self._release(self._cached.pop(index))
        self._views.pop(index)

    def close(self) -> None:
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        for table in self._cached:
            self._release(table)
        self._views, self._cached = [], []


def make_backend(name: str, *, memory_limit: str | None = None) -> Backend:
    """The backend called ``name`` (``duckdb`` or ``spark``)."""
    if name == DUCKDB:
        return DuckDBBackend(memory_limit=memory_limit)
    if name == SPARK:
        return SparkBackend()
    raise ValueError(f"moteur inconnu : {name} (attendu : {', '.join(BACKENDS)})")


__all__ = [
    "BACKENDS",
    "DUCKDB",
    "SPARK",
    "Backend",
    "BackendUnavailable",
    "DuckDBBackend",
    "OutOfMemory",
    "SparkBackend",
    "check_spark",
    "default_driver_memory",
    "duckdb_memory_limit",
    "make_backend",
    "spark_session",
]
