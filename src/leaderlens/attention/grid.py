"""Attention series on their own bucket grid, and posts counted per bucket.

An attention series is modelled on ``y = log(1 + value)`` (METHODS.md sections 2 and 4) on the
series' own grid of buckets: UTC days (``1d``) or hours (``1h``). A post belongs to the bucket
that contains its instant (24/7 alignment, METHODS.md section 1), so a post at 23:59 UTC counts
on that day and its lift starts there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.options import ATTENTION_FREQS as FREQS

_STEP = {"1d": pd.Timedelta(days=1), "1h": pd.Timedelta(hours=1)}
# Buckets per day, for windows stated in hours or days whatever the grid.
PER_DAY = {"1d": 1, "1h": 24}


@dataclass(frozen=True)
class AttentionSeries:
    """One attention series on a complete bucket grid.

    Fields
    ------
    labels: bucket starts, UTC, regular with step ``freq``; shape (n,).
    value: the raw values (NaN for buckets the source did not report); shape (n,).
    y: ``log(1 + value)``, the modelled scale; shape (n,).
    freq: ``1d`` (UTC days) or ``1h``.
    name: what the series is (e.g. ``voltra mentions``).
    """

    labels: pd.DatetimeIndex
    value: np.ndarray
    y: np.ndarray
    freq: str
    name: str

    def __len__(self) -> int:
        return len(self.labels)


def attention_series(frame: pd.DataFrame, freq: str = "1d", name: str = "") -> AttentionSeries:
    """Put a frame with ``ts`` (UTC instants or bucket starts) and ``value`` on a complete grid.

    Values falling in the same bucket are summed (counts aggregate that way; give one value per
    bucket for indices such as search interest). Buckets with no value are NaN, never zero: a
    missing report is not zero attention.
    """
    check_choice("freq", freq, FREQS)
    for column in ("ts", "value"):
        if column not in frame.columns:
            raise BadInputError(f"attention frame needs a {column!r} column", field=column)
    if frame.empty:
        raise MissingDataError(f"attention series {name!r} is empty", field="value")
    ts = pd.DatetimeIndex(pd.to_datetime(frame["ts"], utc=True))
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=np.float64)
    if np.any(value[np.isfinite(value)] < 0):
        raise BadInputError("attention values must be >= 0 (log(1 + value) scale)", field="value")
    bucket = ts.floor(_STEP[freq])
    labels = pd.date_range(bucket.min(), bucket.max(), freq=_STEP[freq], tz="UTC")
    pos = ((bucket - labels[0]) // _STEP[freq]).to_numpy(dtype=np.int64)
    ok = np.isfinite(value)
    total = np.bincount(pos[ok], weights=value[ok], minlength=len(labels))
    seen = np.bincount(pos[ok], minlength=len(labels)) > 0
    full = np.where(seen, total, np.nan)
    return AttentionSeries(labels=labels, value=full, y=np.log1p(full), freq=freq, name=name)


def bucket_index(labels: pd.DatetimeIndex, ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Index of the bucket containing each instant; -1 when outside the grid; shape (m,)."""
    instants = pd.DatetimeIndex(pd.to_datetime(ts, utc=True)).as_unit("us").asi8
    starts = labels.as_unit("us").asi8
    step = starts[1] - starts[0] if len(starts) > 1 else 1
    pos = np.searchsorted(starts, instants, side="right") - 1
    inside = (pos >= 0) & (instants < starts[-1] + step)
    return np.where(inside, pos, -1)


def counts_per_bucket(
    labels: pd.DatetimeIndex, ts: pd.Series | pd.DatetimeIndex, group: np.ndarray, groups: list[str]
) -> np.ndarray:
    """Posts per bucket and group (posts outside the grid are dropped); shape (n, len(groups))."""
    pos = bucket_index(labels, ts)
    code = pd.Categorical(np.asarray(group, dtype=object), categories=groups).codes
    keep = (pos >= 0) & (code >= 0)
    flat = pos[keep] * len(groups) + code[keep]
    out = np.bincount(flat, minlength=len(labels) * len(groups))
    return out.reshape(len(labels), len(groups)).astype(np.float64)
