"""Search interest from Google Trends through pytrends (``leaderlens fetch attention``).

Google serves daily points only for windows of up to about nine months, each on its own 0-100
scale, so a daily series is fetched in overlapping windows (:func:`plan_windows`) and stitched
onto one scale by overlap chaining (:mod:`leaderlens.fetchers.stitch`, which documents the
method and its error). Each window is stored as soon as it is placed, so an interrupted fetch
keeps whole windows; the next run extends the stored series, chaining onto the stored values,
which are never rewritten. The scale is the first stored window's: 100 is its peak.

Days are requested in UTC (pytrends ``TrendReq(tz=0)``: the ``tz`` parameter of Google's
``/trends/api/explore`` is the requester's offset in minutes), so the daily buckets are UTC
days. The day still running (``isPartial``) is left out.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, EngineError, MissingDataError
from leaderlens.fetchers.common import (
    Backoff,
    Clock,
    FetchReport,
    Progress,
    RateLimited,
    SystemClock,
    as_utc,
    require,
    utc_now,
    with_backoff,
)
from leaderlens.fetchers.stitch import chain_window

SOURCE = "google-trends"
DAY = pd.Timedelta(days=1)
MAX_DAILY_WINDOW = 269  # longer windows come back weekly


def plan_windows(
    start: pd.Timestamp,
    end: pd.Timestamp,
    stored_first: pd.Timestamp | None,
    stored_last: pd.Timestamp | None,
    *,
    window: int,
    overlap: int,
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The inclusive day windows ``(first, last)`` to request, in the order to chain them.

    ``[start, end)`` is covered except what is stored. Without a stored series the windows run
    forward from ``start``, each overlapping the previous one by ``overlap`` days. With one,
    windows run backward from the stored first day (when ``start`` is earlier) and forward from
    the stored last day, each overlapping the stored or already fetched days.
    """
    last_day = (end - DAY).normalize()
    start = start.normalize()
    step = pd.Timedelta(days=window - 1)
    back = pd.Timedelta(days=overlap - 1)
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    if stored_first is not None and stored_last is not None:
        if start < stored_first:
            b = stored_first + back  # ``overlap`` stored days, then earlier ones
            while True:
                a = max(b - step, start)
                out.append((a, b))
                if a <= start:
                    break
                b = a + back
        if stored_last >= last_day:
            return out
        a = stored_last - back
    else:
        a = start
    while True:
        b = min(a + step, last_day)
        if b <= a:
            break
        out.append((a, b))
        if b >= last_day:
            break
        a = b - back
    return out


def fetch_attention(
    ws: Any,
    query: str,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp | None = None,
    geo: str = "",
    brand: str | None = None,
    leader: str | None = None,
    metric: str | None = None,
    window: int = 180,
    overlap: int = 30,
    language: str = "en-US",
    client: Any = None,
    clock: Clock | None = None,
    backoff: Backoff | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch Google Trends daily search interest for ``query`` into the workspace ``ws``.

    Parameters
    ----------
    ws: an open :class:`~leaderlens.store.workspace.Workspace`.
    query: the search term, as typed on trends.google.com.
    start, end: the days (``end`` exclusive, default now).
    geo: a country or region code (``US``, ``GB``, ``US-CA``); empty for worldwide.
    brand, leader: whose attention it is (default: the brand named like the query).
    metric: the series name (default ``search_interest:<query>``, plus ``@<geo>``).
    window, overlap: days per request (at most 269, Google's daily limit) and days shared by
        consecutive windows (at least 7).
    language: Google's ``hl``.
    client: a pytrends ``TrendReq`` to use instead of a new one.
    clock, backoff: how time is read and waited, and the rate-limit bounds.
    progress: called after each stored window.
    """
    if not query or not query.strip():
        raise BadInputError("the query must be a non-empty search term", field="query")
    if not 7 <= overlap < window <= MAX_DAILY_WINDOW:
        raise BadInputError(
            f"need 7 <= overlap < window <= {MAX_DAILY_WINDOW} days; got window {window}, "
            f"overlap {overlap}",
            field="window",
        )
    if brand is not None and leader is not None:
        raise BadInputError("give at most one of brand or leader", field="brand")
    clock = clock or SystemClock()
    backoff = backoff or Backoff(first_wait=60.0)
    first = as_utc(start, "start")
    assert first is not None  # required by the signature
    last = as_utc(end, "end") or utc_now(clock)
    if last.normalize() - first.normalize() < 2 * DAY:
        raise BadInputError("ask for at least two days", field="start")
    subject = {"leader": leader} if leader is not None else {"brand": brand or query.strip()}
    kind, owner = next(iter(subject.items()))
    name = metric or f"search_interest:{query.strip()}" + (f"@{geo}" if geo else "")
    stored = _stored(ws, kind, owner, name)
    have_first = stored["ts"].min() if len(stored) else None
    have_last = stored["ts"].max() if len(stored) else None
    windows = plan_windows(first, last, have_first, have_last, window=window, overlap=overlap)
    if client is None and windows:
        client = _client(language)
    ref_ts = stored["ts"].dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    ref_values = stored["value"].to_numpy(dtype=np.float64)
    waited: list[float] = []
    loads, factors = [], []
    for done, (a, b) in enumerate(windows, start=1):
        days, values = with_backoff(
            partial(_window, client, query.strip(), geo, a, b),
            source=SOURCE,
            classify=_rate_limited,
            backoff=backoff,
            clock=clock,
            waited=waited,
        )
        placed = chain_window(ref_ts, ref_values, days, values, min_overlap=min(7, overlap))
        factors.append((a, placed.factor, placed.overlap))
        held = ~placed.new
        # The overlap goes in again with its stored values (unchanged rows) so that every page
        # has the points the reader needs to tell the frequency.
        kept_ts = np.concatenate([ref_ts[np.isin(ref_ts, days[held])], placed.ts[placed.new]])
        kept_values = np.concatenate(
            [ref_values[np.isin(ref_ts, days[held])], placed.values[placed.new]]
        )
        frame = pd.DataFrame(
            {"ts": pd.to_datetime(kept_ts).tz_localize("UTC"), "value": kept_values}
        ).sort_values("ts")
        if placed.new.any():
            loads.append(ws.ingest_attention(frame, metric=name, **subject))
        ref_ts = np.concatenate([ref_ts, placed.ts[placed.new]])
        ref_values = np.concatenate([ref_values, placed.values[placed.new]])
        if progress is not None:
            progress(f"{SOURCE} {query}", done, len(windows))
    notes = [
        f"Google Trends daily interest for {query.strip()!r}, "
        f"{'worldwide' if not geo else 'region ' + geo}, days in UTC (tz=0)",
        "windows stitched by overlap chaining onto one scale (100 = the peak of the first "
        "stored window; later points may exceed 100)",
        *(
            f"window from {a:%Y-%m-%d}: factor {f:.4g} from {n} overlapping days"
            for a, f, n in factors
            if n
        ),
    ]
    return FetchReport(
        source=SOURCE,
        target=f"{owner}/{name}",
        spans=tuple((a, b + DAY) for a, b in windows),
        requests=len(windows),
        loads=tuple(loads),
        waited=float(sum(waited)),
        notes=tuple(notes),
    )


def _stored(ws: Any, kind: str, owner: str, metric: str) -> pd.DataFrame:
    frame = ws.attention(metric, **{kind: owner})
    return frame[frame["freq"] == "1d"][["ts", "value"]].reset_index(drop=True)


def _client(language: str) -> Any:
    request = require("pytrends.request", "fetching Google Trends")
    try:
        return request.TrendReq(hl=language, tz=0)
    except Exception as exc:
        raise _failure(exc, "the first request (a cookie)") from exc


def _window(
    client: Any, query: str, geo: str, a: pd.Timestamp, b: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
    """One request: the window's finished days and values (0-100 on the window's scale)."""
    timeframe = f"{a:%Y-%m-%d} {b:%Y-%m-%d}"
    try:
        client.build_payload([query], timeframe=timeframe, geo=geo)
        frame = client.interest_over_time()
    except Exception as exc:
        if type(exc).__name__ == "TooManyRequestsError":
            raise
        raise _failure(exc, f"the window {timeframe}") from exc
    if frame is None or frame.empty:
        raise MissingDataError(
            f"Google Trends has no data for {query!r} from {a:%Y-%m-%d} to {b:%Y-%m-%d} "
            f"(too few searches in this region and period); try a broader region or term",
            field="query",
        )
    if query not in frame.columns:
        raise _malformed(f"no column for {query!r} (columns {list(frame.columns)})")
    if "isPartial" in frame.columns:
        frame = frame[~frame["isPartial"].astype(bool).to_numpy()]
    days = pd.DatetimeIndex(frame.index).as_unit("us")
    if days.tz is not None:
        days = days.tz_convert("UTC").tz_localize(None)
    spacing = np.diff(days.to_numpy())
    if len(days) > 1 and (spacing != np.timedelta64(1, "D")).any():
        raise _malformed("points that are not one day apart (Google answered weekly or hourly)")
    values = pd.to_numeric(frame[query], errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(values).any() or (values < 0).any() or (values > 100).any():
        raise _malformed("values that are not numbers on the 0-100 scale")
    return days.to_numpy(dtype="datetime64[us]"), values


def _rate_limited(exc: Exception) -> RateLimited | None:
    if type(exc).__name__ != "TooManyRequestsError":
        return None
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    retry_after = headers.get("Retry-After")
    try:
        return RateLimited(float(retry_after) if retry_after is not None else None)
    except ValueError:
        return RateLimited(None)


def _malformed(what: str) -> EngineError:
    return EngineError(
        f"Google Trends sent a response leaderlens cannot read ({what}); Google may have changed "
        f"it: try again later or upgrade pytrends (pip install -U pytrends)"
    )


def _failure(exc: Exception, what: str) -> EngineError:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    module = type(exc).__module__
    if status is not None:
        return EngineError(
            f"Google Trends refused {what} (HTTP {status}); try again later (pages already "
            f"fetched are stored)"
        )
    if module.startswith(("requests", "urllib3")) or isinstance(exc, OSError):
        return EngineError(
            f"cannot reach Google Trends for {what} ({type(exc).__name__}: {exc}); check the "
            f"network connection and run the same command again (pages already fetched are "
            f"stored)"
        )
    if isinstance(exc, ValueError | KeyError | TypeError | IndexError):
        return _malformed(f"{type(exc).__name__}: {exc}")
    raise exc
