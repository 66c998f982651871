"""``preflight_backtest``: how well pre-flight predictions would have done on the leader's own
past, fitted on the past only (see :mod:`leaderlens.preflight.rolling` for the rules).

The verdict of the last backtest is kept in the workspace (table ``preflight_backtests``) with
the settings and the workspace's last load, so a later pre-flight check of the same leader
shows it while no new data has arrived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.preflight.history import StatementHistory, statement_history
from leaderlens.preflight.rolling import TargetBacktest, rolling_backtest
from leaderlens.preflight.space import text_space
from leaderlens.preflight.tables import has_table
from leaderlens.risk.common import result_html
from leaderlens.store.sql import first_row

LEVEL = 0.8


@dataclass(frozen=True)
class Backtest:
    """A time-ordered backtest of pre-flight predictions for one leader.

    targets: one :class:`TargetBacktest` per target (``car`` when an asset was given,
    ``lift`` when the brand has an attention series). similarity: the method used and why.
    k, min_history, level, start: the settings. car_source, lift_source: how the realised
    values were computed. notes.
    """

    leader: str
    asset: str | None
    similarity: str
    similarity_detail: str
    k: int
    min_history: int
    level: float
    start: str | None
    targets: tuple[TargetBacktest, ...]
    car_source: str | None
    lift_source: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def beats_baseline(self) -> dict[str, bool]:
        return {t.target: t.beats_baseline for t in self.targets}

    def summary(self) -> str:
        lines = [
            f"pre-flight backtest of {self.leader}"
            + (f" on {self.asset}" if self.asset else "")
            + f": time-ordered, {self.k} nearest past statements by {self.similarity}, "
            f"{self.level:.0%} intervals, after {self.min_history} known values",
        ]
        for t in self.targets:
            m, b = t.model, t.baseline
            lines.append(
                f"  {t.target}: {m.n:,} predicted; coverage {m.coverage:.1%} (baseline "
                f"{b.coverage:.1%}), Spearman {m.spearman:+.3f} (p {m.spearman_p:.3g}; "
                f"baseline {b.spearman:+.3f}), mean absolute error {m.mae:.4g} (baseline "
                f"{b.mae:.4g})"
            )
            lines.append(f"  verdict: {t.verdict}")
        for source in (self.car_source, self.lift_source):
            if source:
                lines.append(f"  values: {source}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe: leader, asset, similarity, similarity_detail, k, min_history, level,
        start, targets (list of target, model, baseline, improvement_p, beats_baseline,
        verdict; model and baseline hold n, spearman, spearman_p, coverage, mae, level),
        car_source, lift_source, notes."""
        return {
            "leader": self.leader,
            "asset": self.asset,
            "similarity": self.similarity,
            "similarity_detail": self.similarity_detail,
            "k": self.k,
            "min_history": self.min_history,
            "level": self.level,
            "start": self.start,
            "targets": [t.to_dict() for t in self.targets],
            "car_source": self.car_source,
            "lift_source": self.lift_source,
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per (target, predicted statement)."""
        frames = [t.predictions.assign(target=t.target) for t in self.targets]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def backtest_history(
    ws: Any,
    history: StatementHistory,
    *,
    k: int = 25,
    min_history: int = 50,
    start: str | None = None,
    level: float = LEVEL,
) -> Backtest:
    """Backtest on a gathered :class:`StatementHistory` (see :func:`preflight_backtest`)."""
    frame = history.frame
    ts = np.asarray(pd.DatetimeIndex(frame["ts"]).as_unit("ns").asi8, dtype=np.int64)
    space = text_space(ws, history.leader, frame)
    targets = {}
    if history.car_source is not None:
        targets["car"] = (frame["car"].to_numpy(float), frame["car_end"].to_numpy(np.int64))
    if history.lift_source is not None:
        targets["lift"] = (frame["lift"].to_numpy(float), frame["lift_end"].to_numpy(np.int64))
    if not targets:
        raise BadInputError(
            "nothing to backtest: give an asset, or add an attention series of the brand",
            field="asset",
        )
    predict_from = None
    if start is not None:
        stamp = pd.Timestamp(start)
        if stamp.tzinfo is None:
            raise BadInputError(f"start {start!r} has no time zone", field="start")
        predict_from = int(stamp.tz_convert("UTC").as_unit("ns").value)
    results = rolling_backtest(
        space.blocks(ts),
        ts,
        targets,
        k=k,
        min_history=min_history,
        predict_from=predict_from,
        level=level,
    )
    ids = frame["statement_id"].to_numpy()
    done = []
    for result in results.values():
        pred = result.predictions
        pos = pred["position"].to_numpy(np.int64)
        pred = pred.assign(statement_id=ids[pos], ts=frame["ts"].to_numpy()[pos])
        done.append(
            TargetBacktest(
                result.target,
                result.model,
                result.baseline,
                result.improvement_p,
                result.beats_baseline,
                result.verdict,
                pred,
            )
        )
    notes = list(history.notes)
    if history.car_source is not None:
        shared = frame["car"].notna() & frame.duplicated("car_end", keep=False)
        if shared.any():
            notes.append(
                "statements of one event bar share one realised CAR: the tests' n overstates "
                "the independent information"
            )
    return Backtest(
        leader=history.leader,
        asset=history.asset,
        similarity=space.method,
        similarity_detail=space.detail,
        k=k,
        min_history=min_history,
        level=level,
        start=start,
        targets=tuple(done),
        car_source=history.car_source,
        lift_source=history.lift_source,
        notes=tuple(notes),
    )


def _settings_key(asset: str | None, **settings: object) -> str:
    return json.dumps({"asset": asset, **settings}, sort_keys=True, default=str)


def data_key(ws: Any) -> str:
    """Changes whenever a load adds or replaces rows, or embeddings are added."""
    row = first_row(
        ws.connection,
        "SELECT (SELECT coalesce(max(load_id), 0) FROM loads), (SELECT count(*) FROM embeddings)",
    )
    loads, vectors = row if row is not None else (0, 0)
    return f"load {loads}/embeddings {vectors}"


def preflight_backtest(
    ws: Any,
    leader: str,
    *,
    asset: str | None = None,
    start: str | None = None,
    min_history: int = 50,
    k: int = 25,
    window: tuple[int, int] = (0, 1),
    channel: str | None = None,
    metric: str | None = None,
    level: float = LEVEL,
    store: bool = True,
) -> Backtest:
    """Time-ordered backtest of the pre-flight check on ``leader``'s statements: each one
    after ``min_history`` known values (and at or after ``start``, an ISO instant with offset)
    is predicted from the ``k`` most similar statements whose values were known before it, and
    compared with what happened; the naive baseline is the unconditional past quantiles.

    Targets: CAR on ``asset`` over bars ``window`` (when ``asset`` is given) and the attention
    lift of the leader's brand (when a series exists). With ``store`` (and a writable
    workspace) the verdict is kept for later pre-flight checks.
    """
    history = statement_history(
        ws, leader, asset=asset, window=window, channel=channel, metric=metric
    )
    result = backtest_history(ws, history, k=k, min_history=min_history, start=start, level=level)
    if store:
        store_backtest(ws, result, window=window, channel=channel, metric=metric)
    return result


def store_backtest(
    ws: Any,
    result: Backtest,
    *,
    window: tuple[int, int],
    channel: str | None,
    metric: str | None,
) -> bool:
    """Keep the verdict for later pre-flight checks; False (nothing kept) when the workspace
    is open read-only."""
    if getattr(ws, "read_only", False) or not has_table(ws, "preflight_backtests"):
        return False
    key = _settings_key(result.asset, window=list(window), channel=channel, metric=metric)
    ws.connection.execute(
        "INSERT OR REPLACE INTO preflight_backtests VALUES (?, ?, ?, ?, ?)",
        [result.leader, key, data_key(ws), json.dumps(result.to_dict()), datetime.now(UTC)],
    )
    return True


def stored_backtest(
    ws: Any,
    leader: str,
    *,
    asset: str | None,
    window: tuple[int, int],
    channel: str | None,
    metric: str | None,
) -> dict[str, Any] | None:
    """The stored verdict of a backtest with these settings, while no new data arrived."""
    if not has_table(ws, "preflight_backtests"):
        return None
    key = _settings_key(asset, window=list(window), channel=channel, metric=metric)
    row = first_row(
        ws.connection,
        "SELECT data_key, payload FROM preflight_backtests WHERE leader_id = ? AND settings = ?",
        [leader, key],
    )
    if row is None or row[0] != data_key(ws):
        return None
    payload: dict[str, Any] = json.loads(row[1])
    return payload
