"""Attention lifts where the data lie: the event study on ``y = log(1 + value)`` through an
engine (DuckDB or Apache Spark) on Parquet files, frames or Spark tables.

DESIGN "Computing at scale": the gather and reduce steps are the shared SQL of
:mod:`leaderlens.engines.relational` (:func:`~leaderlens.engines.relational.lift_reduce_sql`);
one row per event comes back, the reduced table :class:`~leaderlens.attention.lift.LiftSums`,
and the finish is :func:`~leaderlens.attention.lift.finish_lifts`, the in-memory path's own.

Layouts (several series in one relation):

* attention: ``series`` (text), ``ts`` (UTC instant or bucket start), ``value`` (>= 0; NULL or
  NaN: not reported). A series' grid runs from its first to its last bucket; values of one
  bucket are summed; buckets without a finite value are missing, never zero
  (:func:`leaderlens.attention.grid.attention_series`).
* events: ``series`` (the series each post is measured on), ``time`` (UTC instant), optional
  ``id``. A post belongs to the bucket containing its instant; the posts of one bucket are one
  event; posts outside their series' grid are dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from leaderlens.attention.lagged import SEASONALS
from leaderlens.attention.lift import EventLifts, LiftSums, check_windows, finish_lifts
from leaderlens.engines import relational as rel
from leaderlens.engines.base import Engine, Source, get_engine
from leaderlens.engines.duckdb_engine import as_floats
from leaderlens.errors import BadInputError, MissingDataError, check_choice

ENGINE_FREQS = ("1d", "1h")


@dataclass(frozen=True)
class EngineLifts:
    """Event-by-event attention lifts of one or more series, computed on an engine.

    Fields
    ------
    events: one row per event: ``series``, ``day0`` (bucket start, UTC), ``first_post`` (its
        first post's instant), ``n_posts``, ``post_ids`` (sorted; empty without an ``id``
        column), ``event_index`` (day 0's bucket on its series' grid).
    lifts: the events' :class:`EventLifts`, rows in the order of ``events``.
    grids: one row per series: ``series``, ``start``, ``end`` (first and last bucket),
        ``buckets`` (grid length), ``finite`` (buckets with a value).
    dropped_events, dropped_posts: events (buckets) and posts outside their series' grid.
    freq: ``1d`` or ``1h``; engine: where the gather and reduce ran.
    """

    events: pd.DataFrame
    lifts: EventLifts
    grids: pd.DataFrame
    dropped_events: int
    dropped_posts: int
    freq: str
    engine: str

    def of(self, series: str) -> EventLifts:
        """The lifts of one series' events."""
        rows = (self.events["series"] == series).to_numpy()
        if not rows.any():
            raise BadInputError(f"no events of series {series!r}", field="series")
        return _take(self.lifts, rows)

    def mean_test(self, level: float = 0.95) -> pd.DataFrame:
        """:meth:`EventLifts.mean_test` for each series with at least two valid events (H0:
        mean CAR = 0, cross-sectional t(N - 1)); one row per series, NaN for the others."""
        rows = []
        for name in self.grids["series"]:
            in_series = (self.events["series"] == name).to_numpy()
            n_valid = int(self.lifts.valid[in_series].sum())
            test = self.of(name).mean_test(level) if n_valid >= 2 else {"n_events": n_valid}
            rows.append({"series": name, **test})
        return pd.DataFrame(rows).set_index("series")

    def summary(self) -> str:
        ev = self.lifts
        lines = [
            f"attention lift on {self.engine} (log(1 + value), {self.freq} buckets, "
            f"{ev.seasonal} baseline over {ev.estimation}, window {ev.window}): "
            f"{len(self.events)} events in {len(self.grids)} series, {int(ev.valid.sum())} "
            f"valid; {self.dropped_posts} posts ({self.dropped_events} buckets) outside their "
            "series' grid dropped"
        ]
        for name, m in self.mean_test().iterrows():
            if pd.isna(m.get("mean_car")):
                lines.append(f"  {name}: {int(m['n_events'])} valid events, no mean test")
                continue
            lines.append(
                f"  {name}: {int(m['n_events'])} events, mean CAR {m['mean_car']:.4f} log points "
                f"(95% CI {m['car_ci_low']:.4f} to {m['car_ci_high']:.4f}), t = {m['t']:.2f}, "
                f"p = {m['p_value']:.3g} (cross-sectional t, H0: no lift); mean Lift "
                f"{m['mean_lift']:.4f}, level lift {m['mean_level_lift']:.1%}; "
                f"{int(m['overlapping'])} overlap another's window"
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per event: the events' columns and their lifts (:meth:`EventLifts.to_frame`)."""
        lifts = self.lifts.to_frame().drop(columns="event_index")
        return pd.concat([self.events.reset_index(drop=True), lifts], axis=1)


def _take(lifts: EventLifts, rows: np.ndarray) -> EventLifts:
    """The events ``rows`` (bool, shape (m,)) of ``lifts``."""
    values = {f.name: getattr(lifts, f.name) for f in fields(lifts)}
    return replace(lifts, **{k: v[rows] for k, v in values.items() if isinstance(v, np.ndarray)})


def lifts_on(
    series: Source,
    events: Source,
    *,
    freq: str = "1d",
    window: tuple[int, int] = (0, 7),
    estimation: tuple[int, int] = (-60, -8),
    seasonal: str = "none",
    mask_events: bool = True,
    min_estimation: int = 20,
    engine: str | Engine = "duckdb",
    master: str | None = None,
) -> EngineLifts:
    """Abnormal attention after each event, with the attention series and the events read
    where they lie (module docstring for the layouts; windows in buckets of ``freq``).

    Same baseline, masking, statistics and conventions as
    :func:`leaderlens.attention.lift.event_lifts` (METHODS.md section 4): ``seasonal`` is
    ``none`` (constant mean) or ``weekly`` (UTC day-of-week means); ``mask_events`` leaves the
    buckets inside any event's window out of estimation windows and out of the centring mean.
    ``engine``: ``"duckdb"`` (embedded, default), ``"spark"`` (``master``: the Spark master
    URL) or an engine object. Results do not depend on the engine.
    """
    check_choice("freq", freq, ENGINE_FREQS)
    check_choice("seasonal", seasonal, SEASONALS)
    check_windows(window, estimation)
    eng = get_engine(engine, master) if isinstance(engine, str) else engine
    has_ids = _register(eng, series, events)
    eng.materialize(rel.GRID, rel.lift_grid_sql(freq=freq, seasonal=seasonal))
    grids = _grids(eng.query(rel.lift_bounds_sql()), freq, series)
    got = eng.query(
        rel.lift_reduce_sql(
            freq=freq,
            seasonal=seasonal,
            window=window,
            estimation=estimation,
            mask_events=mask_events,
            ids=has_ids,
        )
    )
    frame, sums, dropped = _reduced(got, freq=freq, seasonal=seasonal, window=window)
    lifts = finish_lifts(
        sums,
        window=window,
        estimation=estimation,
        seasonal=seasonal,
        min_estimation=min_estimation,
    )
    return EngineLifts(
        events=frame,
        lifts=lifts,
        grids=grids,
        dropped_events=int(dropped.size),
        dropped_posts=int(dropped.sum()),
        freq=freq,
        engine=eng.name,
    )


def _where(source: Source, what: str) -> str:
    return what if isinstance(source, pd.DataFrame) else str(source)


def _register(eng: Engine, series: Source, events: Source) -> bool:
    """Register both relations and check their columns; whether the events carry ``id``."""
    for name, source, needed, what in (
        (rel.ATTENTION, series, ("series", "ts", "value"), "attention series"),
        (rel.EVENTS, events, ("series", "time"), "events"),
    ):
        eng.register(name, source)
        have = {c.lower() for c in eng.columns(name)}
        for column in needed:
            if column not in have:
                raise BadInputError(
                    f"{what} need a column {column!r}", file=_where(source, what), field=column
                )
    return "id" in {c.lower() for c in eng.columns(rel.EVENTS)}


def _grids(got: dict[str, np.ndarray], freq: str, source: Source) -> pd.DataFrame:
    """The per-series bounds as a frame; negative values are refused."""
    names = np.asarray(got["series"]).astype(str)
    if names.size == 0:
        raise MissingDataError(
            "the attention series hold no rows with a time", file=_where(source, "series"),
            field="ts",
        )  # fmt: skip
    negative = as_floats(got["negative"])
    if np.any(negative > 0):
        bad = str(names[negative > 0][0])
        raise BadInputError(
            f"attention values must be >= 0 (log(1 + value) scale); series {bad!r} has "
            f"{int(negative[names == bad][0])} below zero",
            file=_where(source, "attention series"),
            field="value",
        )
    start = np.asarray(got["b_first"], dtype=np.int64)
    end = np.asarray(got["b_last"], dtype=np.int64)
    return pd.DataFrame(
        {
            "series": names,
            "start": pd.to_datetime(start, unit="us", utc=True),
            "end": pd.to_datetime(end, unit="us", utc=True),
            "buckets": (end - start) // rel.BUCKET_US[freq] + 1,
            "finite": np.asarray(got["finite"], dtype=np.int64),
        }
    )


def _reduced(
    got: dict[str, np.ndarray], *, freq: str, seasonal: str, window: tuple[int, int]
) -> tuple[pd.DataFrame, LiftSums, np.ndarray]:
    """The engine's rows as the events frame and :class:`LiftSums` of the events on their
    grids, and the post counts of those outside."""
    inside = np.asarray(got["inside"], dtype=np.int64) == 1
    n_posts = np.asarray(got["n_posts"], dtype=np.int64)
    if not inside.any():
        raise MissingDataError("no events inside the attention series", field="time")

    def column(name: str) -> np.ndarray:
        return as_floats(got[name])[inside]

    def per(prefix: str, count: int) -> np.ndarray:
        return np.column_stack([np.nan_to_num(column(f"{prefix}_{d}")) for d in range(count)])

    b0 = np.asarray(got["b0"], dtype=np.int64)[inside]
    first = column("b_first").astype(np.int64)
    length = window[1] - window[0] + 1
    n_cls = 7 if seasonal == "weekly" else 1
    cls_win = (
        per("c", length).astype(np.int64)
        if seasonal == "weekly"
        else np.zeros((int(inside.sum()), length), np.int64)
    )
    sums = LiftSums(
        event_index=(b0 - first) // rel.BUCKET_US[freq],
        centre=column("centre"),
        e_centre=column("e_centre"),
        t_d=per("t", n_cls),
        s1_d=per("s1", n_cls),
        s2_d=per("s2", n_cls),
        l_d=per("l", n_cls),
        w_d=per("w", n_cls),
        e_d=per("e", n_cls),
        y_win=np.column_stack([column(f"y_{j}") for j in range(length)]),
        cls_win=cls_win,
        overlaps=column("overlaps") > 0,
    )
    ids = (
        [tuple(map(str, v)) for v in np.asarray(got["ids"], dtype=object)[inside]]
        if "ids" in got
        else [()] * int(inside.sum())
    )
    frame = pd.DataFrame(
        {
            "series": np.asarray(got["series"]).astype(str)[inside],
            "day0": pd.to_datetime(b0, unit="us", utc=True),
            "first_post": pd.to_datetime(
                np.asarray(got["te"], dtype=np.int64)[inside], unit="us", utc=True
            ),
            "n_posts": n_posts[inside],
            "post_ids": ids,
            "event_index": sums.event_index,
        }
    )
    return frame, sums, n_posts[~inside]


__all__ = ["EngineLifts", "lifts_on"]
