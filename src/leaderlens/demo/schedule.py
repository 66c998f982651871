"""When the demo's leaders and brands post, about what, in which tone, and how it is received.

One :class:`~leaderlens.demo.cast.Plan` becomes a table of posts with one vectorised draw per
column. Times are UTC instants in whole seconds, kept as int64 microseconds until the frames are
assembled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leaderlens.demo.cast import Plan
from leaderlens.demo.markets import US_PER_DAY, US_PER_HOUR, to_micros

SOCIAL = ("x", "weibo")  # channels on which a post can be a reply
TONES = np.array(["pos", "neu", "neg"], dtype=object)
SIGNS = np.array([1, 0, -1], dtype=np.int8)


def schedule(rng: np.random.Generator, plan: Plan, start: str, end: str) -> pd.DataFrame:
    """The posts of one plan between ``start`` and ``end`` (UTC dates, inclusive).

    Columns: ``micros`` (int64 UTC), ``owner``, ``channel``, ``topic``, ``sentiment`` (+1, 0,
    -1), ``tone``, ``language``, ``is_reply``, ``likes``, ``reposts``, ``replies``,
    ``quotes``, ``views`` (float, NaN when the channel has no such count).
    """
    micros = (
        _poisson_times(rng, plan, start, end)
        if plan.rate > 0
        else _calendar_times(rng, plan, start, end)
    )
    n = len(micros)
    names = np.array([t for t, _ in plan.topics], dtype=object)
    probs = np.array([p for _, p in plan.topics])
    mood = rng.choice(3, size=n, p=np.asarray(plan.sentiment))
    frame = pd.DataFrame(
        {
            "micros": micros,
            "owner": plan.owner,
            "channel": plan.channel,
            "topic": names[rng.choice(len(names), size=n, p=probs / probs.sum())],
            "sentiment": SIGNS[mood],
            "tone": TONES[mood],
            "language": np.where(rng.random(n) < plan.chinese, "zh", "en").astype(object),
            "is_reply": (rng.random(n) < plan.replies) & (plan.channel in SOCIAL),
        }
    )
    return pd.concat([frame, engagement(rng, plan, n)], axis=1)


def engagement(
    rng: np.random.Generator, plan: Plan, n: int, reply_ratio: np.ndarray | None = None
) -> pd.DataFrame:
    """Likes, reposts, replies, quotes and views of ``n`` posts (NaN where not counted).

    Replies are a share of likes (about 6 %) unless ``reply_ratio`` gives it per post: a high
    replies/likes ratio is the controversy proxy of METHODS.md section 4.
    """
    if plan.likes_log is None:
        missing = np.full(n, np.nan)
        views = np.round(np.exp(rng.normal(plan.views_log, 0.5, n)))
        return pd.DataFrame(
            {
                "likes": missing,
                "reposts": missing,
                "replies": missing,
                "quotes": missing,
                "views": views,
            }
        )
    likes = np.round(np.exp(rng.normal(plan.likes_log, plan.likes_sd, n)))
    ratio = reply_ratio if reply_ratio is not None else np.exp(rng.normal(np.log(0.06), 0.4, n))
    return pd.DataFrame(
        {
            "likes": likes,
            "reposts": np.round(likes * np.exp(rng.normal(np.log(0.1), 0.5, n))),
            "replies": np.round(likes * ratio),
            "quotes": np.round(likes * np.exp(rng.normal(np.log(0.01), 0.5, n))),
            "views": np.round(likes * np.exp(rng.normal(np.log(60.0), 0.3, n))),
        }
    )


def _poisson_times(rng: np.random.Generator, plan: Plan, start: str, end: str) -> np.ndarray:
    days = pd.date_range(start, end, freq="D", tz="UTC")
    weekend = days.day_of_week.to_numpy() >= 5
    rates = plan.rate * np.where(weekend, plan.weekend_factor, 1.0)
    day = np.repeat(to_micros(days), rng.poisson(rates))
    n = len(day)
    # Time of day: a wrapped normal around the owner's usual hour, mixed with a uniform share
    # so that some posts land at any hour (night, before the open, after the close).
    hour = np.where(
        rng.random(n) < plan.hour_uniform,
        rng.uniform(0.0, 24.0, n),
        np.mod(rng.normal(plan.hour_mean, plan.hour_sd, n), 24.0),
    )
    return day + _whole_seconds(hour * US_PER_HOUR)


def _calendar_times(rng: np.random.Generator, plan: Plan, start: str, end: str) -> np.ndarray:
    years = np.arange(pd.Timestamp(start).year, pd.Timestamp(end).year + 1)
    months = np.array(plan.months + plan.optional_months, dtype=np.int64)
    optional = np.isin(months, plan.optional_months)
    year_grid, month_grid = (a.ravel() for a in np.meshgrid(years, months, indexing="ij"))
    keep = ~np.tile(optional, len(years)) | (rng.random(len(year_grid)) < 0.5)
    year_grid, month_grid = year_grid[keep], month_grid[keep]
    n = len(year_grid)
    day = rng.integers(plan.days[0], plan.days[1] + 1, n)
    dates = pd.to_datetime(pd.DataFrame({"year": year_grid, "month": month_grid, "day": day}))
    if plan.weekday is not None:
        # Move forward to the planned weekday (e.g. keynotes on a Tuesday).
        dates = dates + pd.to_timedelta((plan.weekday - dates.dt.day_of_week) % 7, unit="D")
    hour = np.asarray(plan.hours)[rng.integers(0, len(plan.hours), n)]
    micros = to_micros(pd.DatetimeIndex(dates).tz_localize("UTC")) + _whole_seconds(
        hour * US_PER_HOUR
    )
    inside = (micros >= to_micros(pd.DatetimeIndex([pd.Timestamp(start, tz="UTC")]))[0]) & (
        micros < to_micros(pd.DatetimeIndex([pd.Timestamp(end, tz="UTC")]))[0] + US_PER_DAY
    )
    return np.sort(micros[inside])


def _whole_seconds(micros: np.ndarray) -> np.ndarray:
    return (np.floor(micros / 1e6) * 1_000_000).astype(np.int64)
