"""Engines for the engine-parameterised tests: the embedded DuckDB and Spark in local mode.

One Spark session (local[2], bound to 127.0.0.1) serves the whole test run; Spark tests skip,
saying why, when pyspark or a Java runtime is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from leaderlens.engines.base import Engine, get_engine


@pytest.fixture(scope="session")
def spark_engine() -> Any:
    pytest.importorskip("pyspark", reason="pyspark is not installed (leaderlens[spark])")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on this machine: Spark cannot start")
    return get_engine("spark", master="local[2]")


@pytest.fixture(params=["duckdb", "spark"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn (a fresh DuckDB per test, the shared Spark session)."""
    if request.param == "spark":
        return request.getfixturevalue("spark_engine")
    return get_engine("duckdb")


@pytest.fixture
def query_sizes(engine: Engine) -> Iterator[list[int]]:
    """The number of rows of every result ``engine`` hands to the driver during the test."""
    sizes: list[int] = []
    original = engine.query

    def query(sql: str) -> dict[str, np.ndarray]:
        got = original(sql)
        sizes.append(len(next(iter(got.values()))))
        return got

    engine.query = query  # type: ignore[method-assign]
    yield sizes
    del engine.query
