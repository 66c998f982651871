"""Spikes in attention and mention series, confirmed by a change point and attributed to posts.

The flag (METHODS.md section 4): bucket ``t`` is flagged when the mean of the last 24 hours
(the buckets ending at ``t``) exceeds the mean of the 7 days before them plus ``k`` standard
deviations of those 7 days' buckets (``k = 2`` by default). The 7-day baseline stops where the
24 hours start, so a spike does not raise its own bar. Consecutive flagged buckets form one
spike.

Confirmation: inside the stretch from 7 days before a spike's first bucket to 24 hours after
it, the single mean-shift change point is located by the largest two-sample statistic
``n1 n2 / n (mean_1 - mean_2)^2`` over all splits (the Gaussian likelihood-ratio scan for one
change in mean; Hinkley 1970, Killick & Eckley 2014). The spike is confirmed when that split
falls within 24 hours of its first bucket and the Welch t of the two segments exceeds ``k``.

Attribution: the latest statement or brand post at or before the end of the spike's first
bucket and at most ``lookback`` earlier; without one the spike is ``unexplained``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.attention.grid import PER_DAY, AttentionSeries
from leaderlens.errors import BadInputError


@dataclass(frozen=True)
class Spikes:
    """Spikes of one series.

    Fields
    ------
    flags: per-bucket flag; shape (n,). z: ``(mean_24h - mean_7d) / sd_7d``; shape (n,).
    table: one row per spike: ``start``, ``end`` (bucket starts), ``peak``, ``peak_value``,
        ``max_z``, ``confirmed``, ``change_at``, ``post_id``, ``post_kind`` (statement,
        brand_post or ``unexplained``), ``post_ts``, ``lead_hours`` (from the post to the end
        of the spike's first bucket).
    k: threshold; freq: bucket size.
    """

    flags: np.ndarray
    z: np.ndarray
    table: pd.DataFrame
    k: float
    freq: str

    def summary(self) -> str:
        t = self.table
        explained = int((t["post_kind"] != "unexplained").sum()) if len(t) else 0
        confirmed = int(t["confirmed"].sum()) if len(t) else 0
        return (
            f"{len(t)} spikes (24 h vs 7 d rule, k = {self.k:g}), {confirmed} confirmed by a "
            f"change point, {explained} attributed to a preceding post"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def _window_sums(v: np.ndarray, width: int, end_offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of finite values in ``v[t - end_offset - width + 1 : t - end_offset + 1]``
    for every t; NaN-sized windows at the start give count < width."""
    ok = np.isfinite(v)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, v, 0.0))])
    m = np.concatenate([[0], np.cumsum(ok)])
    hi = np.arange(len(v)) - end_offset + 1
    lo = hi - width
    valid = lo >= 0
    hi_c, lo_c = np.clip(hi, 0, len(v)), np.clip(lo, 0, len(v))
    return np.where(valid, c[hi_c] - c[lo_c], np.nan), np.where(valid, m[hi_c] - m[lo_c], 0)


def spike_flags(value: np.ndarray, per_day: int, k: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-bucket spike flags and z scores of the 24 h vs 7 d rule; shapes (n,)."""
    v = np.asarray(value, dtype=np.float64)
    short_sum, short_n = _window_sums(v, per_day, 0)
    long_sum, long_n = _window_sums(v, 7 * per_day, per_day)
    sq_sum, _ = _window_sums(v**2, 7 * per_day, per_day)
    with np.errstate(invalid="ignore", divide="ignore"):
        short_mean = short_sum / short_n
        long_mean = long_sum / long_n
        long_var = (sq_sum - long_n * long_mean**2) / (long_n - 1)
        sd = np.sqrt(np.maximum(long_var, 0.0))
        z = (short_mean - long_mean) / sd
    enough = (short_n >= max(1, per_day // 2)) & (long_n >= 3 * per_day)
    flags = enough & (short_mean > long_mean + k * sd) & (sd > 0)
    return flags, np.where(enough, z, np.nan)


def change_point(segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best single mean-shift split of each row (NaN-free rows, shape (m, w)) and the Welch t
    at it; the split ``s`` separates ``[:s]`` from ``[s:]``; shapes (m,)."""
    m, w = segments.shape
    c = np.cumsum(segments, axis=1)
    c2 = np.cumsum(segments**2, axis=1)
    s = np.arange(1, w)  # candidate splits, at least one value each side
    n1, n2 = s.astype(float), (w - s).astype(float)
    mean1 = c[:, :-1] / n1
    mean2 = (c[:, -1:] - c[:, :-1]) / n2
    scan = n1 * n2 / w * (mean1 - mean2) ** 2
    best = np.argmax(scan, axis=1)
    rows = np.arange(m)
    a, b = n1[best], n2[best]
    mu1, mu2 = mean1[rows, best], mean2[rows, best]
    var1 = (c2[rows, best] - a * mu1**2) / np.maximum(a - 1, 1)
    var2 = (c2[:, -1] - c2[rows, best] - b * mu2**2) / np.maximum(b - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (mu2 - mu1) / np.sqrt(np.maximum(var1, 0) / a + np.maximum(var2, 0) / b)
    return s[best], t


def detect_spikes(
    series: AttentionSeries,
    posts: pd.DataFrame | None = None,
    *,
    k: float = 2.0,
    lookback: pd.Timedelta = pd.Timedelta(hours=48),
) -> Spikes:
    """Flag, confirm and attribute spikes of ``series`` (raw values). ``posts`` has ``ts``,
    ``post_id`` and ``kind`` (``statement`` or ``brand_post``)."""
    if k <= 0:
        raise BadInputError(f"k must be > 0; got {k}", field="k")
    per_day = PER_DAY[series.freq]
    flags, z = spike_flags(series.value, per_day, k)
    # Runs of consecutive flags: starts where a flag follows a non-flag.
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    v = series.value
    peak = np.array(
        [s + int(np.nanargmax(v[s : e + 1])) for s, e in zip(starts, ends, strict=True)],
        dtype=np.int64,
    )
    before, after = 7 * per_day, per_day
    offsets = np.arange(-before, after)
    at = np.clip(starts[:, None] + offsets[None, :], 0, len(v) - 1)
    seg = v[at] if len(starts) else np.empty((0, len(offsets)))
    complete = np.isfinite(seg).all(axis=1) & (starts - before >= 0) & (starts + after <= len(v))
    split, welch = change_point(np.where(np.isfinite(seg), seg, 0.0))
    near = np.abs(split - before) <= per_day
    confirmed = complete & near & (welch > k)
    labels = series.labels
    step = labels[1] - labels[0] if len(labels) > 1 else pd.Timedelta(days=1)
    table = pd.DataFrame(
        {
            "start": labels[starts],
            "end": labels[ends],
            "peak": labels[peak] if len(peak) else labels[:0],
            "peak_value": v[peak] if len(peak) else np.empty(0),
            "max_z": [float(np.nanmax(z[s : e + 1])) for s, e in zip(starts, ends, strict=True)],
            "confirmed": confirmed,
            "change_at": labels[np.clip(starts - before + split, 0, len(v) - 1)],
        }
    )
    table["post_id"] = None
    table["post_kind"] = "unexplained"
    table["post_ts"] = pd.NaT
    table["lead_hours"] = np.nan
    if posts is not None and len(posts) and len(table):
        ordered = posts.assign(ts=pd.to_datetime(posts["ts"], utc=True)).sort_values("ts")
        post_us = pd.DatetimeIndex(ordered["ts"]).as_unit("us").asi8
        limit = (pd.DatetimeIndex(table["start"]) + step).as_unit("us").asi8
        pos = np.searchsorted(post_us, limit, side="left") - 1
        has = pos >= 0
        lag_us = np.where(has, limit - post_us[np.maximum(pos, 0)], np.iinfo(np.int64).max)
        has &= lag_us <= lookback.value // 1000
        pick = ordered.iloc[np.maximum(pos, 0)]
        table["post_id"] = np.where(has, pick["post_id"].to_numpy(dtype=object), None)
        table["post_kind"] = np.where(has, pick["kind"].to_numpy(dtype=object), "unexplained")
        table["post_ts"] = pd.Series(pick["ts"].to_numpy()).where(has).to_numpy()
        table["lead_hours"] = np.where(has, lag_us / 3.6e9, np.nan)
    return Spikes(flags=flags, z=z, table=table, k=k, freq=series.freq)
