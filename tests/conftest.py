"""Fixtures shared by the engine's tests."""

import os
import sys

import pytest

#: The heap of the tests' Spark driver. Spark's default (1 GB) is not enough for the text of the
#: plan of the union of the 34 blocking rules, which Spark writes out for every query: a run that
#: happened to keep more of it alive failed with "Java heap space" in ``explainString``.
SPARK_TEST_DRIVER_MEMORY = "4g"


@pytest.fixture(scope="session")
def spark():
    """One local Spark for the whole test session, on one core.

    One only: PySpark keeps its Java process after ``stop()``, and a second session takes the
    first one's heap whatever it asks for, so the memory is set once, here.
    """
    from veille.matching import backends

    if not backends.java_available():
        pytest.fail("Java manque : bin/ensure-java l'installe (make test l'appelle)")
    from pyspark.sql import SparkSession

    # Jaro-Winkler runs in Python workers: this interpreter, which imports Veille.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("veille-tests")
        .config("spark.driver.memory", SPARK_TEST_DRIVER_MEMORY)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
