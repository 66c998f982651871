"""What a careful user should know about a price series: frequency, gaps, splits, calendar.

All functions are vectorised over the bars and pure (no I/O, inputs untouched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import PRICE_FREQS
from leaderlens.readers.price_times import describe_step, modal_step

STEP_US: dict[str, int] = {"1m": 60_000_000, "1h": 3_600_000_000, "1d": 86_400_000_000}
NAT = np.iinfo(np.int64).min  # a missing time, as an integer
_UNIT = {"1m": "minute", "1h": "hour", "1d": "day"}
# Split factors checked by :func:`suspected_splits` (k for a k:1 split; 1.5 is a 3:2 split).
SPLIT_FACTORS: tuple[float, ...] = (2, 3, 4, 5, 7, 8, 10, 15, 20, 1.5)
_CRYPTO_SYMBOL = re.compile(
    r"[A-Z0-9]{2,12}(?:-USD[TC]?|/[A-Z]{3,5}|USDT|USDC|BUSD)", re.IGNORECASE
)


def _micros(ts: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """UTC microseconds since the epoch (naive values are taken as UTC)."""
    # A zoned index holds UTC values already: its integers need no conversion (nor a copy).
    return pd.DatetimeIndex(ts).as_unit("us").asi8


def detect_freq(ts: pd.Series, *, daily: bool, source: str, field: str) -> str | None:
    """The bar frequency of sorted unique times.

    Daily labels are ``1d`` when some two consecutive dates are at most 4 days apart (so
    weekends, holidays and short files pass) or there are fewer than 3; weekly and monthly
    files are refused. Intraday bars are ``1m`` or ``1h`` when that is the modal spacing;
    other spacings (4 h, 5 min) are refused: leaderlens studies 1m, 1h and 1d bars. Returns
    ``None`` for a single intraday bar (nothing to measure).
    """
    v = _micros(ts)
    step = modal_step(v)
    if step is None:
        return "1d" if daily else None
    if daily:
        d = np.diff(v)
        d = d[d > 0]
        if d.size < 2 or d.min() <= 4 * STEP_US["1d"]:
            return "1d"
        spacing = f"at least {describe_step(int(d.min()))} apart"
    else:
        for name in ("1m", "1h"):
            if step == STEP_US[name]:
                return name
        spacing = f"{describe_step(step)} apart (the most common spacing)"
    raise BadInputError(
        f"the bars are {spacing}; leaderlens reads 1-minute, hourly and daily bars: "
        f"resample the file to one of them",
        file=source,
        field=field,
    )


def missing_bars(ts: pd.Series, freq: str) -> tuple[int, pd.DataFrame]:
    """Bars absent from the regular grid of a series that trades around the clock.

    ``ts`` are bar start times (or daily labels); ``freq`` is ``1m``, ``1h`` or ``1d``. Only
    meaningful for 24/7 assets: for an exchange calendar nights, weekends and holidays are
    not missing bars.

    Returns ``(count, gaps)``: the number of missing bars, and one row per gap with ``start``
    (the first missing bar), ``end`` (the last missing bar) and ``bars`` (how many), times in
    UTC, gaps in time order.
    """
    check_choice("freq", freq, PRICE_FREQS)
    step = STEP_US[freq]
    v = _micros(pd.Series(ts).dropna())
    if v.size > 1 and not np.all(np.diff(v) > 0):
        v = np.unique(v)
    lacking = np.diff(v) // step - 1
    at = np.flatnonzero(lacking > 0)
    start = v[at] + step
    end = v[at] + lacking[at] * step
    gaps = pd.DataFrame(
        {
            "start": pd.to_datetime(start, unit="us", utc=True),
            "end": pd.to_datetime(end, unit="us", utc=True),
            "bars": lacking[at].astype(np.int64),
        }
    )
    return int(lacking[at].sum()), gaps


def missing_bars_note(ts: pd.Series, freq: str) -> str:
    """``"44 missing hours, longest gap 9 h from 2019-08-15 03:00 UTC"`` (or none missing)."""
    count, gaps = missing_bars(ts, freq)
    unit = _UNIT[freq]
    if count == 0:
        return f"no missing {unit}s between the first and the last bar"
    longest = gaps.loc[gaps["bars"].idxmax()]
    fmt = "%Y-%m-%d" if freq == "1d" else "%Y-%m-%d %H:%M UTC"
    plural = "s" if count != 1 else ""
    return (
        f"{count} missing {unit}{plural} in {len(gaps)} gap{'s' if len(gaps) != 1 else ''}; "
        f"the longest: {int(longest['bars'])} {unit}{'s' if longest['bars'] != 1 else ''} "
        f"from {longest['start'].strftime(fmt)} to {longest['end'].strftime(fmt)}"
    )


@dataclass(frozen=True)
class SuspectedSplit:
    """A one-bar close-to-close jump that looks like a split left unadjusted.

    Attributes
    ----------
    ts: the bar whose close jumped (UTC; a date label for daily bars).
    previous_ts: the bar before it.
    ratio: ``close[ts] / close[previous_ts]``.
    factor: the split it resembles, in shares per old share: 5.0 for a 5:1 split (price
        divided by 5, ratio near 1/5), 1.5 for 3:2, 0.2 for a 1:5 reverse split (ratio near 5).
    """

    ts: pd.Timestamp
    previous_ts: pd.Timestamp
    ratio: float
    factor: float

    def describe(self) -> str:
        """The note shown to users."""
        day = "%Y-%m-%d"
        target = Fraction(1 / self.factor).limit_denominator(20)
        split = Fraction(self.factor).limit_denominator(20)
        kind = "split" if self.factor > 1 else "reverse split"
        return (
            f"close {self.ts.strftime(day)} / {self.previous_ts.strftime(day)} = "
            f"{self.ratio:.4f}, close to {target}: possibly an unadjusted "
            f"{split.numerator}:{split.denominator} {kind}; use adjusted prices"
        )


def suspected_splits(
    ts: pd.Series,
    close: pd.Series | np.ndarray,
    *,
    tolerance: float = 0.01,
    min_jump: float = 1.8,
) -> list[SuspectedSplit]:
    """Consecutive closes whose ratio looks like an unadjusted split.

    A jump is reported when its ratio ``r`` is within ``tolerance`` (relative) of ``1/k`` or
    ``k`` for ``k`` in :data:`SPLIT_FACTORS` *and* ``|log r| > log(min_jump)``: with the
    default 1.8 a 3:2 split (ratio 2/3) is below the threshold and never reported; lower
    ``min_jump`` (e.g. to 1.4) to look for those too, at the price of more false alarms from
    real crashes and rallies. Bars must be in time order; non-positive or missing closes
    are skipped. The closest factor wins.
    """
    c = np.asarray(close, dtype=np.float64)
    times = pd.DatetimeIndex(ts)
    ok = np.isfinite(c) & (c > 0)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return []
    r = c[idx[1:]] / c[idx[:-1]]
    jump = np.flatnonzero(np.abs(np.log(r)) > np.log(min_jump))
    if jump.size == 0:
        return []
    factors = np.asarray(SPLIT_FACTORS, dtype=np.float64)
    rj = r[jump][:, None]
    # distance to 1/k (a k:1 split) and to k (a 1:k reverse split), relative to the target
    forward = np.abs(rj * factors - 1)
    reverse = np.abs(rj / factors - 1)
    both = np.concatenate([forward, reverse], axis=1)
    best = both.argmin(axis=1)
    hit = both[np.arange(jump.size), best] <= tolerance
    chosen = np.where(
        best < factors.size, factors[best % factors.size], 1 / factors[best % factors.size]
    )
    return [
        SuspectedSplit(
            ts=times[idx[j + 1]],
            previous_ts=times[idx[j]],
            ratio=float(r[j]),
            factor=float(f),
        )
        for j, f in zip(jump[hit], chosen[hit], strict=True)
    ]


def crypto_symbol(symbol: str | None) -> bool:
    """Whether a ticker looks like a crypto pair (``BTC-USD``, ``BTC/USDT``, ``DOGEUSDT``)."""
    return symbol is not None and _CRYPTO_SYMBOL.fullmatch(symbol.strip()) is not None


def weekend_share(ts: pd.Series) -> tuple[bool, float]:
    """Whether both Saturday and Sunday bars occur (UTC days), and the share of weekend bars."""
    micros = _micros(ts)
    # Monday is 0 and 1970-01-01 was a Thursday; a missing time is on no day (-1).
    days = np.where(micros == NAT, -1, (micros // STEP_US["1d"] + 3) % 7)
    if days.size == 0:
        return False, 0.0
    both = bool((days == 5).any() and (days == 6).any())
    return both, float(np.mean(days >= 5))


def partial_last_bar_note(ts: pd.Series, volume: np.ndarray, freq: str) -> str | None:
    """A note when the last bar's volume is under a quarter of the median of the 20 before it:
    the file was likely saved while that bar was still trading."""
    if volume.size < 21 or not np.isfinite(volume[-1]):
        return None
    before = volume[-21:-1]
    median = float(np.nanmedian(before)) if np.isfinite(before).any() else np.nan
    if not median > 0 or volume[-1] >= 0.25 * median:
        return None
    last = pd.Timestamp(pd.DatetimeIndex(ts)[-1])
    label = last.strftime("%Y-%m-%d") if freq == "1d" else last.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"the last bar ({label}) has volume {volume[-1]:,.0f}, under a quarter of the median "
        f"{median:,.0f} of the 20 bars before it: it may be a partial bar saved mid-session; "
        f"drop it if so"
    )
