"""The engine layer: where the relational steps run, chosen by name.

``get_engine("duckdb")`` is the embedded engine (default, nothing to install);
``get_engine("spark", master=...)`` runs the same SQL text (:mod:`leaderlens.engines.relational`)
on Apache Spark. Both take inputs as Parquet files (or folders of them), as frames, or (Spark)
as table names of the session's catalog, and bring back only small results as NumPy columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, TypeAlias

import numpy as np
import pandas as pd

from leaderlens.errors import check_choice
from leaderlens.options import ENGINES

Source: TypeAlias = str | Path | pd.DataFrame


class Engine(Protocol):
    """What the studies ask of an engine."""

    name: str

    def register(self, name: str, source: Source, rename: dict[str, str] | None = None) -> None:
        """Make ``source`` (a Parquet file or folder, a frame, or a table name the engine
        knows) queryable as the relation ``name``, columns renamed by ``rename``."""
        ...

    def query(self, sql: str) -> dict[str, np.ndarray]:
        """Run ``sql`` and return its (small) result as one NumPy array per column."""
        ...

    def materialize(self, name: str, sql: str) -> None:
        """Keep the result of ``sql`` as the relation ``name`` for the next queries (computed
        once, read by several)."""
        ...

    def columns(self, name: str) -> list[str]:
        """Column names of the registered relation ``name``."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a Spark session started by leaderlens is kept for
        reuse within the process; see :mod:`leaderlens.engines.spark_engine`)."""
        ...


def get_engine(name: str = "duckdb", master: str | None = None) -> Engine:
    """The engine called ``name`` ("duckdb" or "spark").

    ``master`` is the Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``; None:
    the active session's, or ``local[*]``); it is refused for DuckDB. Raises
    :class:`~leaderlens.errors.EngineError` when pyspark or Java is missing.
    """
    check_choice("engine", name, ENGINES)
    if name == "duckdb":
        from leaderlens.engines.duckdb_engine import DuckDBEngine

        if master is not None:
            from leaderlens.errors import BadInputError

            raise BadInputError("--spark-master applies to the spark engine only", field="master")
        return DuckDBEngine()
    from leaderlens.engines.spark_engine import SparkEngine

    return SparkEngine(master)


def is_path(source: Source) -> bool:
    """Whether ``source`` names a file or folder (as opposed to a frame or a table name)."""
    if isinstance(source, Path):
        return True
    if isinstance(source, str):
        return source.endswith(".parquet") or "/" in source or Path(source).exists()
    return False
