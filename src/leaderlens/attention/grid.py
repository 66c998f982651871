"""Attention series on their own bucket grid, and posts counted per bucket.

An attention series is modelled on ``y = log(1 + value)`` (docs/methods.md, attention) on the
series' own grid of buckets: UTC hours (``1h``), days (``1d``), weeks (``1w``, starting on the
weekday of the series' first label, e.g. Google Trends' Sundays) or calendar months (``1mo``).
A post belongs to the bucket that contains its instant (24/7 alignment), so a post at 23:59 UTC
counts on that day (week, month) and its lift starts there.

Windows are stated in buckets of the series, so their defaults depend on the grain
(:data:`DEFAULTS`): a 7-bucket lift window is a week of days but would be two months of weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.options import GRID_FREQS as FREQS

_STEP = {"1d": pd.Timedelta(days=1), "1h": pd.Timedelta(hours=1), "1w": pd.Timedelta(days=7)}
# Buckets per day, for rules stated in hours or days (spikes): hourly and daily grids only.
PER_DAY = {"1d": 1, "1h": 24}
UNIT = {"1h": "hours", "1d": "days", "1w": "weeks", "1mo": "months"}
GRAIN = {"1h": "hourly", "1d": "daily", "1w": "weekly", "1mo": "monthly"}


@dataclass(frozen=True)
class GrainDefaults:
    """Defaults of the attention analyses on one grain, in buckets of that grain.

    horizon: last bucket of the lift window and of the distributed-lag model (lift,
    amplification, playbook). estimation: the lift's estimation window. seasonal: the baseline
    (``weekly`` day-of-week dummies need buckets shorter than a week).
    """

    horizon: int
    estimation: tuple[int, int]
    seasonal: str


DEFAULTS = {
    "1h": GrainDefaults(7, (-60, -8), "weekly"),
    "1d": GrainDefaults(7, (-60, -8), "weekly"),
    "1w": GrainDefaults(2, (-52, -4), "none"),  # two weeks after; a year before
    "1mo": GrainDefaults(1, (-36, -3), "none"),  # the month after; three years before
}


def unit_of(labels: pd.DatetimeIndex) -> str:
    """The unit of a grid's buckets (hours, days, weeks or months), from its labels."""
    if len(labels) < 2:
        return "buckets"
    step = labels[1] - labels[0]
    named = {pd.Timedelta(hours=1): "hours", pd.Timedelta(days=1): "days"}
    return named.get(step, "weeks" if step == pd.Timedelta(days=7) else "months")


def check_seasonal(seasonal: str, series: AttentionSeries) -> None:
    """A day-of-week baseline needs buckets shorter than a week."""
    if seasonal == "weekly" and series.freq not in PER_DAY:
        raise BadInputError(
            f"seasonal 'weekly' (a day-of-week baseline) needs daily or hourly buckets; "
            f"{series.name!r} is {GRAIN[series.freq]}: use seasonal 'none'",
            field="seasonal",
        )


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
    labels, pos = _grid(ts, freq)
    ok = np.isfinite(value)
    total = np.bincount(pos[ok], weights=value[ok], minlength=len(labels))
    seen = np.bincount(pos[ok], minlength=len(labels)) > 0
    full = np.where(seen, total, np.nan)
    return AttentionSeries(labels=labels, value=full, y=np.log1p(full), freq=freq, name=name)


def _grid(ts: pd.DatetimeIndex, freq: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The complete grid of buckets covering ``ts`` and each instant's bucket position."""
    if freq == "1mo":
        months = ts.year.to_numpy() * 12 + ts.month.to_numpy() - 1
        first = pd.Timestamp(year=int(months.min()) // 12, month=int(months.min()) % 12 + 1, day=1)
        n = int(months.max() - months.min()) + 1
        labels = pd.date_range(first, periods=n, freq="MS", tz="UTC")
        return labels, (months - months.min()).astype(np.int64)
    step = _STEP[freq]
    # Weeks start on the weekday of the first label (Google Trends: Sundays), days at 00:00.
    anchor = ts.min().floor(pd.Timedelta(days=1)) if freq == "1w" else ts.min().floor(step)
    pos = ((ts - anchor) // step).to_numpy(dtype=np.int64)
    labels = pd.date_range(anchor, periods=int(pos.max()) + 1, freq=step)
    return labels, pos


def bucket_index(labels: pd.DatetimeIndex, ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Index of the bucket containing each instant; -1 when outside the grid; shape (m,)."""
    instants = pd.DatetimeIndex(pd.to_datetime(ts, utc=True)).as_unit("us").asi8
    starts = labels.as_unit("us").asi8
    # The grid's last bucket ends one step after its start: a calendar month on monthly grids
    # (labels made by attention_series carry their frequency), else the grid's regular step.
    if labels.freq is not None and len(labels):
        last = pd.Timestamp(labels[-1] + labels.freq).value // 1000
    else:
        last = starts[-1] + (starts[1] - starts[0] if len(starts) > 1 else 1)
    pos = np.searchsorted(starts, instants, side="right") - 1
    inside = (pos >= 0) & (instants < last)
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
