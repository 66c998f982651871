"""Apache Spark as an engine: the shared SQL of :mod:`leaderlens.engines.relational` on a
Spark session (local mode on a laptop, a cluster through ``master`` or ``spark-submit``).

pyspark is an optional extra (``pip install leaderlens[spark]``) imported only here, and only
when the engine is asked for; Spark needs a Java runtime (17 or newer). Results come back to
the driver as Arrow batches and only ever hold the small reduced tables.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.engines.base import is_path
from leaderlens.errors import BadInputError, EngineError

INSTALL_HINT = "pip install leaderlens[spark]"


def load_pyspark() -> Any:
    """The pyspark.sql module, or an :class:`EngineError` saying how to install it."""
    try:
        import pyspark.sql
    except ImportError as exc:
        raise EngineError(
            f"the spark engine needs pyspark, which is not installed: {INSTALL_HINT}"
        ) from exc
    return pyspark.sql


def check_java() -> None:
    """Raise :class:`EngineError` when no Java runtime can be found (Spark runs on the JVM)."""
    import os

    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise EngineError(
            "the spark engine needs a Java runtime (17 or newer) and none was found: install "
            "one (e.g. 'apt-get install openjdk-17-jre-headless') or set JAVA_HOME"
        )


def session(master: str | None = None) -> Any:
    """The active Spark session, or a new one on ``master`` (default ``local[*]``).

    A session leaderlens starts binds its driver to 127.0.0.1, has no web UI and computes in
    UTC. A session that already runs (``spark-submit``, a managed service, a notebook) is used
    as it is, so its cluster settings win; only its SQL time zone is set to UTC.
    """
    sql = load_pyspark()
    active = sql.SparkSession.getActiveSession()
    if active is not None and master is None:
        active.conf.set("spark.sql.session.timeZone", "UTC")
        return active
    check_java()
    builder = (
        sql.SparkSession.builder.appName("leaderlens")
        .master(master or "local[*]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master is None or master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: name it, keep the cause
        raise EngineError(f"spark could not start on {master or 'local[*]'}: {exc}") from exc
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkEngine:
    """The shared SQL on Spark: inputs are Parquet paths, frames, or catalog table names."""

    name = "spark"

    def __init__(self, master: str | None = None) -> None:
        self.spark = session(master)
        from pyspark import StorageLevel

        self.storage = StorageLevel
        self._kept: dict[str, Any] = {}

    def register(
        self, name: str, source: str | Path | pd.DataFrame, rename: dict[str, str] | None = None
    ) -> None:
        if isinstance(source, pd.DataFrame):
            frame = self.spark.createDataFrame(source)
        elif is_path(source):
            path = Path(source)
            if "://" not in str(source) and not path.exists():
                raise BadInputError(f"no Parquet file or folder at {str(path)!r}", file=str(path))
            try:
                frame = self.spark.read.parquet(str(source))
            except Exception as exc:
                if "NANOS" in str(exc):
                    raise BadInputError(
                        "Spark reads Parquet timestamps in micro- or milliseconds, not "
                        "nanoseconds: write the file with coerce_timestamps='us' (pandas / "
                        "pyarrow) or TIMESTAMP columns from SQL engines",
                        file=str(path),
                    ) from exc
                raise EngineError(f"spark could not read {str(path)!r}: {exc}") from exc
        else:
            try:
                frame = self.spark.table(str(source))
            except Exception as exc:
                raise BadInputError(
                    f"{source!r} is neither a Parquet path nor a table of the Spark catalog",
                    file=str(source),
                ) from exc
        for old, new in (rename or {}).items():
            frame = frame.withColumnRenamed(old, new)
        frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> dict[str, np.ndarray]:
        try:
            table = self.spark.sql(sql).toArrow()
        except Exception as exc:
            raise EngineError(f"spark: {exc}") from exc
        out: dict[str, np.ndarray] = {}
        for name in table.column_names:
            column = table.column(name)
            if column.null_count:
                values = column.to_numpy(zero_copy_only=False)
                out[name] = np.ma.masked_array(values, mask=column.is_null().to_numpy(False))
            else:
                out[name] = column.to_numpy(zero_copy_only=False)
        return out

    def materialize(self, name: str, sql: str) -> None:
        """Persisted (memory, spilling to disk) on first use and replaced by the next study's."""
        old = self._kept.pop(name, None)
        if old is not None:
            old.unpersist()
        try:
            frame = self.spark.sql(sql).persist(self.storage.MEMORY_AND_DISK)
        except Exception as exc:
            raise EngineError(f"spark: {exc}") from exc
        frame.createOrReplaceTempView(name)
        self._kept[name] = frame

    def columns(self, name: str) -> list[str]:
        return list(self.spark.table(name).columns)

    def close(self) -> None:
        """Drop nothing: temporary views are replaced on the next study, and the session is
        kept for reuse (starting a JVM costs seconds)."""
