"""The engine layer's door: a clear message when pyspark or Java is missing, closed choices."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from leaderlens.engines import spark_engine
from leaderlens.engines.base import get_engine
from leaderlens.errors import BadInputError, EngineError


def test_missing_pyspark_says_how_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(EngineError, match=r"pip install leaderlens\[spark\]"):
        get_engine("spark")


def test_missing_java_is_named(monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_engine.shutil, "which", lambda name: None)
    with pytest.raises(EngineError, match="Java runtime"):
        spark_engine.check_java()
    # a new session on an explicit master checks Java before starting the JVM
    with pytest.raises(EngineError, match="Java runtime"):
        spark_engine.session("local[1]")


def test_engine_names_are_a_closed_set():
    with pytest.raises(BadInputError, match="engine must be one of duckdb, spark; got 'polars'"):
        get_engine("polars")
    with pytest.raises(BadInputError, match="spark engine only"):
        get_engine("duckdb", master="local[2]")


def test_registering_a_name_again_replaces_what_it_held(tmp_path: Path) -> None:
    eng = get_engine("duckdb")
    eng.register("ll_events", pd.DataFrame({"a": [1, 2]}))
    pd.DataFrame({"a": [5, 6, 7]}).to_parquet(tmp_path / "f.parquet")
    eng.register("ll_events", tmp_path / "f.parquet")
    assert eng.query("SELECT COUNT(*) AS n FROM ll_events")["n"].tolist() == [3]
    eng.register("ll_events", pd.DataFrame({"a": [1]}))
    assert eng.query("SELECT COUNT(*) AS n FROM ll_events")["n"].tolist() == [1]
