"""Events files: named moments to study (a health announcement, a launch keynote).

A CSV (or JSONL / Parquet / frame) with a ``time`` column (ISO 8601 *with* a UTC offset, so the
moment is unambiguous) and a ``label``; an optional ``asset`` column overrides the study's asset
row by row. Rows that are not usable are refused naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import RowChecker
from leaderlens.readers.fields import as_text, blank, parse_times
from leaderlens.readers.tables import load_table, missing_column, resolve_columns

ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "datetime", "date", "created_at", "ts"),
    "label": ("label", "event", "name", "title", "text"),
    "asset": ("asset", "asset_id", "ticker", "symbol"),
}


def read_events(source: str | Path | Any, *, encoding: str = "utf-8") -> pd.DataFrame:
    """The events of a file as a frame: ``time`` (UTC), ``label``, ``asset`` (None if absent).

    Times must carry an offset (``2011-08-24T18:00:00-04:00``, ``...Z``); a naive time is
    refused, since an event study on the wrong day is worse than none.
    """
    table = load_table(source, format=None, formats=("csv", "jsonl", "parquet"), encoding=encoding)
    names = resolve_columns(table, ALIASES, None)
    for needed in ("time", "label"):
        if needed not in names:
            raise missing_column(table, needed, ALIASES[needed])
    frame = table.frame
    checker = RowChecker(table.source, len(frame), table.lines, "error")
    try:
        times, _ = parse_times(frame[names["time"]], tz=None, field="time", checker=checker)
    except BadInputError as exc:
        if "no UTC offset" in exc.message or "--tz" in exc.message:
            raise BadInputError(
                "event times need a UTC offset (e.g. 2011-08-24T18:00:00-04:00 or ...Z)",
                file=table.source,
                line=exc.line,
                field="time",
            ) from exc
        raise
    labels = as_text(frame[names["label"]]).str.strip()
    checker.fail(blank(labels), "label", "empty label")
    if "asset" in names:
        assets = as_text(frame[names["asset"]]).str.strip()
        assets = assets.mask(pd.Series(blank(assets), index=assets.index))
    else:
        assets = pd.Series([None] * len(frame), dtype=object)
    keep, _ = checker.finish()
    out = pd.DataFrame(
        {
            "time": times.to_numpy()[keep],
            "label": labels.to_numpy(dtype=object)[keep],
            "asset": assets.astype(object).to_numpy()[keep],
        }
    )
    out["time"] = pd.to_datetime(out["time"], utc=True)
    out["asset"] = out["asset"].astype(object).where(out["asset"].notna(), None)
    if out.empty:
        raise BadInputError("the events file holds no events", file=table.source)
    out["line"] = table.lines.lines()[np.flatnonzero(keep)]
    return out
