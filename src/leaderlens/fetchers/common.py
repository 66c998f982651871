"""What every live source shares: lazy imports, the clock, bounded back-off, spans and reports.

A fetcher asks a source only for what the workspace lacks (:func:`missing_spans`), loads each
page through the workspace's public ``ingest_*`` methods as soon as it arrives (so an
interrupted fetch keeps whole pages and the next run continues after them), and waits when the
source says so (:func:`with_backoff`), never longer than a bound. Time is read and slept through
a :class:`Clock` so that tests run with a fake one and never really sleep.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from types import ModuleType
from typing import Protocol, TypeVar

import pandas as pd

from leaderlens.errors import BadInputError, EngineError
from leaderlens.store.sql import first_row
from leaderlens.store.workspace import LoadReport

T = TypeVar("T")
EXTRA = "pip install 'leaderlens[fetch]'"

# (what is being fetched, pages done, pages expected or None when unknown)
Progress = Callable[[str, int, int | None], None]


def require(module: str, source: str) -> ModuleType:
    """Import an optional connector library, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EngineError(
            f"{source} needs the Python package {module.split('.')[0]!r}, which is not "
            f"installed: run {EXTRA}"
        ) from exc


class Clock(Protocol):
    """Where fetchers read the time and wait."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def utc_now(clock: Clock) -> pd.Timestamp:
    return pd.Timestamp(clock.now(), unit="s", tz="UTC")


@dataclass(frozen=True)
class Backoff:
    """How long to wait when a source answers "too many requests" (HTTP 429).

    attempts: requests tried in all before giving up.
    first_wait: seconds waited after the first refusal when the source names no time; doubled
        after each further refusal.
    max_wait: the longest single wait; a source that asks for more is not waited for (the fetch
        stops with a message saying when to run it again; stored pages are kept).
    """

    attempts: int = 5
    first_wait: float = 5.0
    max_wait: float = 300.0


class RateLimited(Exception):
    """Raised by a fetcher's classifier: the source refused for rate, maybe saying how long."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def with_backoff(
    call: Callable[[], T],
    *,
    source: str,
    classify: Callable[[Exception], RateLimited | None],
    backoff: Backoff,
    clock: Clock,
    waited: list[float],
) -> T:
    """Run ``call``, waiting and retrying while ``classify`` says the source rate-limited it.

    The wait is the source's own ``Retry-After`` / reset time when it gives one, else
    ``first_wait * 2**k``; each wait is appended to ``waited``. A wait longer than
    ``backoff.max_wait``, or more than ``backoff.attempts`` refusals, raises
    :class:`~leaderlens.errors.EngineError` naming the source and what to do.
    """
    for attempt in range(backoff.attempts):
        try:
            return call()
        except Exception as exc:
            limited = classify(exc)
            if limited is None:
                raise
            wait = (
                limited.retry_after
                if limited.retry_after is not None
                else backoff.first_wait * 2**attempt
            )
            if wait > backoff.max_wait:
                resume = utc_now(clock) + pd.Timedelta(seconds=wait)
                raise EngineError(
                    f"{source} rate limit: the source asks to wait {wait:,.0f} s, longer than "
                    f"the {backoff.max_wait:,.0f} s leaderlens waits; run the same command again "
                    f"after {resume:%Y-%m-%d %H:%M} UTC (pages already fetched are stored)"
                ) from exc
            if attempt == backoff.attempts - 1:
                raise EngineError(
                    f"{source} rate limit: still refused after {backoff.attempts} attempts; run "
                    f"the same command again later (pages already fetched are stored)"
                ) from exc
            waited.append(max(wait, 0.0))
            clock.sleep(max(wait, 0.0))
    raise AssertionError("unreachable")  # the loop returns or raises


def missing_spans(
    start: pd.Timestamp,
    end: pd.Timestamp,
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
    step: pd.Timedelta,
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The half-open spans of ``[start, end)`` outside the stored ``[first, last]``.

    Gaps inside the stored range are not asked for again: a source's own outages (exchange
    maintenance, holidays) would otherwise be re-requested on every run. ``step`` is one bar, so
    the span after the stored range starts at ``last + step``.
    """
    if start >= end:
        return []
    if first is None or last is None:
        return [(start, end)]
    spans = []
    if start < first:
        spans.append((start, min(first, end)))
    after = last + step
    if after < end:
        spans.append((max(after, start), end))
    return spans


def chunks(
    start: pd.Timestamp, end: pd.Timestamp, size: pd.Timedelta
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``[start, end)`` cut into consecutive windows of at most ``size``."""
    edges = [*pd.date_range(start, end, freq=size, inclusive="left"), end]
    return [(a, b) for a, b in pairwise(edges) if a < b]


@dataclass(frozen=True)
class FetchReport:
    """What one fetch did.

    source: the live source (``yahoo``, ``binance``, ``google-trends``, ``x``).
    target: what was fetched (asset, ``brand/metric``, leader).
    spans: the half-open ``(start, end)`` spans asked for (UTC), empty when nothing was missing.
    requests: requests that returned data pages (retries not counted).
    loads: one :class:`~leaderlens.store.workspace.LoadReport` per stored page.
    waited: seconds waited for rate limits (pacing and back-off).
    notes: what a careful user should know (adjustment, time zone, stitching, dropped bars).
    """

    source: str
    target: str
    spans: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    requests: int
    loads: tuple[LoadReport, ...] = ()
    waited: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows_added(self) -> int:
        return sum(r.rows_added for r in self.loads)

    @property
    def rows_unchanged(self) -> int:
        return sum(r.rows_unchanged for r in self.loads)

    def summary(self) -> str:
        asked = (
            ", ".join(f"{a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M}" for a, b in self.spans)
            if self.spans
            else "nothing (the workspace already holds the range)"
        )
        lines = [
            f"{self.source}: {self.target}",
            f"  asked for {asked} (UTC)",
            f"  {self.requests:,} requests, {len(self.loads):,} pages stored: rows added "
            f"{self.rows_added:,}, unchanged {self.rows_unchanged:,}",
        ]
        if self.waited:
            lines.append(f"  waited {self.waited:,.1f} s for the source's rate limit")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "spans": [[a.isoformat(), b.isoformat()] for a, b in self.spans],
            "requests": self.requests,
            "rows_added": self.rows_added,
            "rows_unchanged": self.rows_unchanged,
            "waited": self.waited,
            "notes": list(self.notes),
            "loads": [r.to_dict() for r in self.loads],
        }


def stored_range(
    ws: object, sql: str, params: list[object]
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``(min ts, max ts)`` of stored rows selected by ``sql`` (UTC), ``None`` when there are none.

    ``sql`` selects ``min(ts), max(ts)``; read through the workspace's read-only connection so a
    long series is not loaded just to find its ends.
    """
    row = first_row(ws.connection, sql, params)  # type: ignore[attr-defined]
    if row is None or row[0] is None:
        return None, None
    return pd.Timestamp(row[0]).tz_convert("UTC"), pd.Timestamp(row[1]).tz_convert("UTC")


def as_utc(value: str | pd.Timestamp | None, name: str) -> pd.Timestamp | None:
    """A user's date or instant as a UTC timestamp (naive values are read as UTC)."""
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise BadInputError(
            f"{name} {value!r} is not a date (use YYYY-MM-DD or an ISO-8601 time)", field=name
        ) from exc
    if stamp is pd.NaT:
        raise BadInputError(f"{name} is empty", field=name)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
