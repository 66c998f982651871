"""A leader's past statements with what each one was followed by: the CAR of its event on an
asset and the lift of its brand's attention, each with the instant it became known.

* CAR: ``ws.event_study(leader=..., asset=..., tests="per-event", window=window)`` (market
  model against the asset's benchmark, simple returns; MacKinlay 1997). Statements in one
  event bar share their event's CAR. It is known at the close of the window's last session
  (the exchange calendar's close; the end of the UTC day for 24/7 assets).
* Lift: :func:`leaderlens.attention_lift` of the leader's brand (docs/methods.md, with the
  defaults of the series' grain: days [0, 7] with a weekly baseline, weeks [0, 2], months
  [0, 1]), known at the end of the window's last bucket. When posts
  are too dense for masked estimation windows, the lifts are computed without masking and a
  note says so (other posts' effects then sit in the baseline, so lifts are understated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import LeaderlensError, MissingDataError

METRICS: tuple[str, ...] = ("mentions", "search_interest")


@dataclass(frozen=True)
class StatementHistory:
    """Past statements of one leader, oldest first.

    frame: statement_id, ts (UTC), channel, text, car, car_t, car_p, car_end (UTC ns; the
    instant the CAR was known), lift, lift_p, lift_end (UTC ns); values NaN (ends int64 max)
    where unknown. car_source / lift_source: how the values were computed (None when not).
    notes: what could not be computed and why.
    """

    leader: str
    asset: str | None
    window: tuple[int, int]
    frame: pd.DataFrame
    car_source: str | None
    lift_source: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)


NEVER = np.iinfo(np.int64).max


def _ns(values: Any) -> np.ndarray:
    idx = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    return np.asarray(idx.as_unit("ns").asi8, dtype=np.int64)


def window_closes(ws: Any, asset: str, day0: pd.Series, last: int) -> np.ndarray:
    """UTC ns instant at which the bar ``last`` bars after each day 0 (session date) closed."""
    from leaderlens.align.calendars import get_calendar

    bars = _ns(ws.bars(asset, freq="1d")["ts"])
    days = _ns(day0)
    pos = np.searchsorted(bars, days, side="left") + last
    inside = (pos >= 0) & (pos < bars.size)
    end_day = np.where(inside, bars[np.clip(pos, 0, max(bars.size - 1, 0))], 0)
    assets = ws.assets()
    calendar = str(assets.loc[assets["asset_id"] == asset, "calendar"].iloc[0])
    day = np.int64(86_400 * 10**9)
    if calendar == "24/7":
        return np.where(inside, end_day + day, NEVER)
    cal = get_calendar(calendar)
    sessions = cal.sessions.astype("datetime64[D]").astype(np.int64) * day
    at = np.clip(np.searchsorted(sessions, end_day), 0, max(sessions.size - 1, 0))
    closes = cal.closes.view(np.int64)[at]
    # a bar off the calendar (should not happen) is known at the end of its UTC day
    closes = np.where(sessions[at] == end_day, closes, end_day + day)
    return np.where(inside, closes, NEVER)


def _cars(
    ws: Any, leader: str, asset: str, window: tuple[int, int], channel: str | None
) -> tuple[pd.DataFrame, str]:
    result = ws.event_study(
        leader=leader, asset=asset, tests="per-event", window=window, channel=channel
    )
    events = result.events_frame()
    events = events.assign(car_end=window_closes(ws, asset, events["day0"], window[1]))
    per = events[["statement_ids", "car", "car_t", "car_p", "car_end"]].explode("statement_ids")
    per = per.rename(columns={"statement_ids": "statement_id"}).drop_duplicates("statement_id")
    s = result.settings
    source = (
        f"CAR on {asset} over bars [{window[0]}, {window[1]}], {s.model} model"
        f"{' vs ' + s.benchmark if s.benchmark else ''}, {s.returns} returns, estimation "
        f"{list(s.estimation)}"
    )
    return per, source


def _brand_of(ws: Any, leader: str) -> str | None:
    brands = ws.brands()
    mine = brands[brands["leader_ids"].map(lambda ids: leader in list(ids or []))]
    return str(mine["brand_id"].iloc[0]) if len(mine) else None


def _lifts(
    ws: Any, leader: str, metric: str | None, notes: list[str]
) -> tuple[pd.DataFrame | None, str | None]:
    from leaderlens.attention.api import attention_lift

    brand = _brand_of(ws, leader)
    if brand is None:
        notes.append(f"no brand names {leader!r} among its leaders: no attention lifts")
        return None, None
    stored = set(
        ws.connection.execute(
            "SELECT DISTINCT metric FROM attention WHERE subject_kind = 'brand' AND subject_id = ?",
            [brand],
        ).df()["metric"]
    )
    chosen = metric or next((m for m in METRICS if m in stored), None)
    if chosen is None or chosen not in stored:
        notes.append(f"brand {brand!r} has no attention series {metric or METRICS}: no lifts")
        return None, None
    masked = True
    try:
        result = attention_lift(ws, brand, metric=chosen, leader=leader)
    except LeaderlensError:
        masked = False
        try:
            result = attention_lift(ws, brand, metric=chosen, leader=leader, mask_events=False)
        except LeaderlensError as exc:
            notes.append(f"attention lifts unavailable ({exc})")
            return None, None
        notes.append(
            "posts are too dense for masked estimation windows: lifts computed without "
            "masking (other posts' effects sit in the baseline, so lifts are understated)"
        )
    lifts = result.lifts
    labels = result.labels
    step = labels[1] - labels[0] if len(labels) > 1 else pd.Timedelta(days=1)
    ends = _ns(labels[lifts.event_index] + step * (lifts.window[1] + 1))
    per = pd.DataFrame(
        {
            "statement_id": list(result.post_ids),
            "lift": lifts.lift,
            "lift_p": lifts.p_value,
            "lift_end": np.where(lifts.valid, ends, NEVER),
        }
    ).explode("statement_id")
    source = (
        f"attention lift of {brand} {chosen} (log(1 + value), {lifts.seasonal} baseline over "
        f"{list(lifts.estimation)}, window {list(lifts.window)} buckets"
        f"{'' if masked else ', unmasked'})"
    )
    return per.drop_duplicates("statement_id"), source


def statement_history(
    ws: Any,
    leader: str,
    *,
    asset: str | None = None,
    window: tuple[int, int] = (0, 1),
    channel: str | None = None,
    metric: str | None = None,
) -> StatementHistory:
    """The leader's statements (one ``channel`` or all) with their CARs on ``asset`` (when
    given) and their brand's attention lifts (when an attention series exists)."""
    statements = ws.statements(leader, channel=channel)
    if statements.empty:
        where = f" on channel {channel!r}" if channel else ""
        raise MissingDataError(f"leader {leader!r} has no statements{where}", field="leader")
    frame = statements[["statement_id", "ts", "channel", "text"]].copy()
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    frame = frame.sort_values(["ts", "statement_id"], kind="stable").reset_index(drop=True)
    notes: list[str] = []
    car_source = None
    if asset is not None:
        cars, car_source = _cars(ws, leader, asset, window, channel)
        frame = frame.merge(cars, on="statement_id", how="left")
    else:
        notes.append("no asset given: no CARs")
    for col in ("car", "car_t", "car_p"):
        if col not in frame:
            frame[col] = np.nan
    lifts, lift_source = _lifts(ws, leader, metric, notes)
    if lifts is not None:
        frame = frame.merge(lifts, on="statement_id", how="left")
    for col in ("lift", "lift_p"):
        if col not in frame:
            frame[col] = np.nan
    for col in ("car_end", "lift_end"):
        values = frame[col] if col in frame else pd.Series(NEVER, index=frame.index)
        frame[col] = values.fillna(NEVER).astype(np.int64)
    for col in ("car", "car_t", "car_p", "lift", "lift_p"):
        frame[col] = frame[col].astype(np.float64)
    return StatementHistory(
        leader=leader,
        asset=asset,
        window=(int(window[0]), int(window[1])),
        frame=frame,
        car_source=car_source,
        lift_source=lift_source,
        notes=tuple(notes),
    )
