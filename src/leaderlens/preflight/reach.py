"""Pre-flight reach: likes, reposts and replies of a draft from what is known before it goes out.

For every statement (and the draft) the features use only earlier statements of the leader:
the reply-aware trailing 30-day median of ``log(1 + target)`` (the **baseline**, shown beside
every prediction), the other kind's 30-day median, the same kind's 7-day median, the mean of
the last day (the leader's current streak: the cascade state of the audience), posts in the
last day and 30 days, hours since the previous post, reply or not, hour of day (two Fourier
harmonics), text length, links, @-mentions, questions, topic flags (Tesla, SpaceX, crypto), and
the most similar of the 3,000 earlier statements' value relative to the baseline when its
similarity
(character n-gram TF-IDF cosine, :mod:`leaderlens.preflight.similarity`) reaches a threshold.

The model is least squares on ``log(1 + target)``, refitted every month on all earlier
statements (an expanding, time-ordered backtest); the similarity threshold is the one of a
grid that fits the statements before the backtest best. Intervals are the backtest's own
out-of-sample residual quantiles. The backtest reports, per target, Spearman's rank
correlation of prediction and baseline with the realised count, their mean absolute errors on
the log scale, and the one-sided Wilcoxon signed-rank p-value of "the model's absolute errors
are smaller" (scipy).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.jsonsafe import plain, records
from leaderlens.preflight.similarity import idf_weights, ngram_counts, tfidf_rows

TARGETS: tuple[str, ...] = ("likes", "reposts", "replies")
THRESHOLDS = np.round(np.arange(0.2, 0.91, 0.1), 2)
TOPICS = {
    "tesla": r"tesla|model [3sxy]\b|cybertruck|\bfsd\b|autopilot",
    "spacex": r"spacex|starship|falcon|rocket|mars|starlink",
    "crypto": r"doge|bitcoin|crypto|\bbtc\b",
}
_BLOCK = 512  # rows per block of the nearest-earlier-statement search
_RECENT = 3000  # earlier statements searched (about a year of a prolific poster)


def _trailing(ts: pd.DatetimeIndex, values: np.ndarray, window: str, how: str) -> np.ndarray:
    """A trailing statistic over ``window`` before each row (the row itself excluded); rows
    whose value is NaN do not count."""
    series = pd.Series(values, index=ts)
    return getattr(series.rolling(window, closed="left", min_periods=1), how)().to_numpy()


def nearest_earlier(rows: sparse.csr_matrix, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the most similar strictly earlier row among the ``_RECENT`` rows before
    it (index, -1 for none) and the cosine similarity, over unit-length TF-IDF rows; blocks of
    ``_BLOCK`` rows."""
    n = rows.shape[0]
    best = np.full(n, -1, dtype=np.int64)
    sim = np.zeros(n)
    for lo in range(0, n, _BLOCK):  # dense blocks of (block, recent) similarities
        hi = min(lo + _BLOCK, n)
        first = max(0, lo - _RECENT)
        block = np.asarray((rows[lo:hi] @ rows[first:hi].T).toarray())
        block[ts[first:hi][None, :] >= ts[lo:hi][:, None]] = -1.0
        idx = block.argmax(axis=1)
        top = block[np.arange(hi - lo), idx]
        best[lo:hi] = np.where(top > 0, first + idx, -1)
        sim[lo:hi] = np.maximum(top, 0.0)
    return best, sim


@dataclass(frozen=True)
class ReachFeatures:
    """Features of time-ordered statements (the draft last, when given).

    frame: the statements (ts, text, is_reply and targets); design: (n, p) regressors without
    the similarity columns; baseline: (n, T) reply-aware trailing 30-day medians of
    ``log(1 + target)``; y: (n, T) the realised ``log(1 + target)`` (NaN for the draft);
    nearest, similarity: the most similar earlier statement and its cosine.
    """

    frame: pd.DataFrame
    design: np.ndarray
    baseline: np.ndarray
    y: np.ndarray
    nearest: np.ndarray
    similarity: np.ndarray

    def with_similar(self, t: int, threshold: float) -> np.ndarray:
        """The design plus two similarity columns for target ``t``: whether an earlier
        statement reaches ``threshold``, and then its value minus this row's baseline."""
        has = (self.similarity >= threshold) & (self.nearest >= 0)
        gap = np.where(has, self.y[np.maximum(self.nearest, 0), t] - self.baseline[:, t], 0.0)
        gap = np.nan_to_num(gap)
        return np.column_stack([self.design, has, gap])


def reach_features(frame: pd.DataFrame, idf_rows: int) -> ReachFeatures:
    """Features of ``frame`` (sorted by ts; columns ts, text, is_reply and the targets); the
    TF-IDF idf is fitted on the first ``idf_rows`` rows only."""
    ts = pd.DatetimeIndex(pd.to_datetime(frame["ts"], utc=True))
    reply = frame["is_reply"].fillna(False).to_numpy(dtype=bool)
    y = np.column_stack([np.log1p(frame[t].to_numpy(dtype=np.float64)) for t in TARGETS])
    base = np.empty_like(y)
    columns = [np.ones(len(frame))]
    for t in range(len(TARGETS)):  # three targets, each a few rolling windows
        same = np.full(len(frame), np.nan)
        other = np.full(len(frame), np.nan)
        week = np.full(len(frame), np.nan)
        for kind in (False, True):
            mine = reply == kind
            same[mine] = _trailing(ts, np.where(mine, y[:, t], np.nan), "30D", "median")[mine]
            other[mine] = _trailing(ts, np.where(~mine, y[:, t], np.nan), "30D", "median")[mine]
            week[mine] = _trailing(ts, np.where(mine, y[:, t], np.nan), "7D", "median")[mine]
        base[:, t] = same
        day = _trailing(ts, y[:, t], "1D", "mean")
        columns += [
            np.nan_to_num(same),
            *(np.where(np.isfinite(v), v, same) for v in (other, week, day)),
        ]
    ones = np.ones(len(frame))
    hours = (ts.hour + ts.minute / 60.0).to_numpy()
    gap = np.r_[24.0, np.diff(ts.as_unit("ns").asi8) / 3.6e12]
    text = frame["text"].fillna("").astype(str)
    columns += [
        np.log1p(_trailing(ts, ones, "1D", "sum")),
        np.log1p(_trailing(ts, ones, "30D", "sum")),
        np.log1p(np.clip(gap, 0.0, 24.0 * 30)),
        reply.astype(float),
        *(f(2 * np.pi * k * hours / 24.0) for k in (1, 2) for f in (np.sin, np.cos)),
        np.log1p(text.str.len().to_numpy(dtype=np.float64)),
        text.str.contains("http", regex=False).to_numpy(dtype=float),
        np.log1p(text.str.count("@").to_numpy(dtype=np.float64)),
        text.str.contains("?", regex=False).to_numpy(dtype=float),
        *(text.str.contains(p, case=False).to_numpy(dtype=float) for p in TOPICS.values()),
    ]
    design = np.nan_to_num(np.column_stack(columns))
    counts = ngram_counts(text.tolist()).matrix
    rows = tfidf_rows(counts, idf_weights(counts, max(idf_rows, 1)))
    nearest, sim = nearest_earlier(rows, ts.as_unit("ns").asi8)
    return ReachFeatures(frame, design, base, y, nearest, sim)


def _utc(value: str | pd.Timestamp) -> pd.Timestamp:
    """An instant in UTC; naive values are read as UTC."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Plain least squares; a tiny ridge keeps all-zero columns (no link yet, say) harmless.
    gram = x.T @ x + 1e-6 * np.eye(x.shape[1])
    return np.linalg.solve(gram, x.T @ y)


@dataclass(frozen=True)
class ReachBacktest:
    """Time-ordered backtest of pre-flight reach (see the module docstring).

    scores: one row per target: n, spearman (prediction vs realised count), spearman_baseline,
    mae and mae_baseline (log scale), wilcoxon_p (one-sided, H0: the model's absolute errors
    are not smaller), threshold (the similarity threshold chosen), resid_low, resid_high (the
    residual quantiles behind the intervals). level, start.
    """

    scores: pd.DataFrame
    level: float
    start: str

    def beats_baseline(self, target: str = "likes", alpha: float = 0.05) -> bool:
        row = self.scores.set_index("target").loc[target]
        return bool(row["spearman"] > row["spearman_baseline"] and row["wilcoxon_p"] < alpha)

    def summary(self) -> str:
        lines = [f"pre-flight reach backtest from {self.start} (monthly refits on the past)"]
        for r in self.scores.itertuples():
            lines.append(
                f"  {r.target}: {r.n:,} statements; Spearman {r.spearman:.3f} (baseline "
                f"{r.spearman_baseline:.3f}); mean |error| {r.mae:.3f} vs {r.mae_baseline:.3f} "
                f"log points, Wilcoxon one-sided p = {r.wilcoxon_p:.2g}; similarity "
                f"threshold {r.threshold:.1f}; "
                + (
                    "beats the baseline"
                    if self.beats_baseline(r.target)
                    else "does NOT beat the baseline: read the prediction as a rough range"
                )
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.scores.copy()

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "start": self.start, "scores": records(self.scores)}

    def _repr_html_(self) -> str:
        table = self.scores.to_html(index=False, escape=True)
        return f"<pre>{html.escape(self.summary())}</pre>{table}"


def _threshold(feat: ReachFeatures, t: int, train: np.ndarray) -> float:
    """The grid threshold whose similarity columns fit the training rows best."""
    best, best_ssr = float(THRESHOLDS[-1]), np.inf
    for thr in THRESHOLDS:  # eight candidate thresholds
        x = feat.with_similar(t, float(thr))[train]
        beta = _fit(x, feat.y[train, t])
        ssr = float(np.sum((feat.y[train, t] - x @ beta) ** 2))
        if ssr < best_ssr:
            best, best_ssr = float(thr), ssr
    return best


def reach_backtest(
    feat: ReachFeatures, start: str | pd.Timestamp, *, level: float = 0.8
) -> tuple[ReachBacktest, np.ndarray]:
    """Monthly expanding refits from ``start``: the backtest and the predictions (n, T)."""
    ts = pd.DatetimeIndex(pd.to_datetime(feat.frame["ts"], utc=True))
    begin = _utc(start)
    if not (ts < begin).any() or not (ts >= begin).any():
        raise MissingDataError(
            f"the backtest needs statements before and after {start}", field="start"
        )
    pred = np.full(feat.y.shape, np.nan)
    months = ts.tz_convert(None).to_period("M")
    rows = []
    for t, name in enumerate(TARGETS):  # three targets
        usable = np.isfinite(feat.baseline[:, t]) & np.isfinite(feat.y[:, t])
        thr = _threshold(feat, t, usable & (ts < begin))
        x = feat.with_similar(t, thr)
        for month in months[ts >= begin].unique():  # one refit per month
            cut = month.start_time.tz_localize("UTC")
            train = usable & (ts < cut)
            now = usable & (months == month)
            pred[now, t] = x[now] @ _fit(x[train], feat.y[train, t])
        ev = usable & (ts >= begin) & np.isfinite(pred[:, t])
        if ev.sum() < 20:
            raise MissingDataError(f"{int(ev.sum())} statements to backtest {name}", field=name)
        realised = np.expm1(feat.y[ev, t])
        err_m = np.abs(pred[ev, t] - feat.y[ev, t])
        err_b = np.abs(feat.baseline[ev, t] - feat.y[ev, t])
        resid = feat.y[ev, t] - pred[ev, t]
        rows.append(
            {
                "target": name,
                "n": int(ev.sum()),
                "spearman": float(stats.spearmanr(pred[ev, t], realised).statistic),
                "spearman_baseline": float(
                    stats.spearmanr(feat.baseline[ev, t], realised).statistic
                ),
                "mae": float(err_m.mean()),
                "mae_baseline": float(err_b.mean()),
                "wilcoxon_p": float(stats.wilcoxon(err_b - err_m, alternative="greater").pvalue),
                "threshold": thr,
                "resid_low": float(np.quantile(resid, (1 - level) / 2)),
                "resid_high": float(np.quantile(resid, (1 + level) / 2)),
            }
        )
    return ReachBacktest(pd.DataFrame(rows), level, str(begin.date())), pred


@dataclass(frozen=True)
class ReachForecast:
    """Pre-flight reach of one draft: per target the predicted median count with its interval
    and the baseline's count (``prediction``, a frame), the similar past statements above the
    backtest's threshold (``similar``; empty means no similar statement), the backtest, and
    with a brand the attention lift the cascade model gives a post of the draft's channel
    (``attention``: brand, mark, mentions triggered directly with interval, with the cascade
    ``1/(1 - n)`` multiplier; None without a brand)."""

    leader: str
    text: str
    prediction: pd.DataFrame
    similar: pd.DataFrame
    backtest: ReachBacktest
    attention: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        lines = [f"pre-flight reach of a draft by {self.leader}: {self.text[:80]!r}"]
        for r in self.prediction.itertuples():
            lines.append(
                f"  {r.target}: {r.median:,.0f} ({self.backtest.level:.0%} interval "
                f"{r.low:,.0f} to {r.high:,.0f}); baseline (trailing 30-day median) "
                f"{r.baseline:,.0f}"
            )
        if self.similar.empty:
            lines.append("  no similar statement (none above the backtest's threshold)")
        for r in self.similar.itertuples():
            lines.append(
                f"  similar ({r.similarity:.2f}): {str(r.text)[:70]!r}, {r.likes:,.0f} likes"
            )
        if self.attention is not None:
            a = self.attention
            lines.append(
                f"  attention lift on {a['brand']} ({a['mark']}): {a['direct']:.2f} mentions "
                f"directly (95% CI {a['direct_low']:.2f} to {a['direct_high']:.2f}), "
                f"{a['with_cascade']:.2f} with the cascade they set off"
            )
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join([*lines, *("  " + s for s in self.backtest.summary().splitlines())])

    def to_frame(self) -> pd.DataFrame:
        return self.prediction.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "leader": self.leader,
            "text": self.text,
            "prediction": records(self.prediction),
            "similar": records(self.similar),
            "no_similar_statement": bool(self.similar.empty),
            "backtest": plain(self.backtest.to_dict()),
            "attention": plain(self.attention),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        table = self.prediction.to_html(index=False, escape=True)
        return f"<pre>{html.escape(self.summary())}</pre>{table}"


def forecast_reach(
    history: pd.DataFrame,
    text: str,
    *,
    leader: str,
    when: str | pd.Timestamp | None = None,
    is_reply: bool = False,
    start: str | pd.Timestamp | None = None,
    level: float = 0.8,
) -> ReachForecast:
    """Reach of a draft ``text`` posted at ``when`` (default now) by ``leader`` whose past
    statements are ``history`` (ts, text, is_reply, likes, reposts, replies); the backtest
    runs from ``start`` (default: after the first third of the history)."""
    if not isinstance(text, str) or not text.strip():
        raise BadInputError("the draft text is empty", field="text")
    missing = [c for c in ("ts", "text", "is_reply", *TARGETS) if c not in history.columns]
    if missing:
        raise BadInputError(f"statements lack {missing}", field=missing[0])
    at = pd.Timestamp.now(tz="UTC") if when is None else _utc(when)
    past = history[pd.to_datetime(history["ts"], utc=True) < at].sort_values("ts")
    if past.empty:
        raise MissingDataError(f"no statement of {leader!r} before {at}", field="when")
    notes = []
    last = pd.Timestamp(pd.to_datetime(past["ts"], utc=True).iloc[-1])
    if at - last > pd.Timedelta(days=30):
        notes.append(
            f"no statement in the 30 days before {at:%Y-%m-%d %H:%M}; predicted as if posted "
            f"an hour after the last one ({last:%Y-%m-%d %H:%M} UTC)"
        )
        at = last + pd.Timedelta(hours=1)
    draft = pd.DataFrame({"ts": [at], "text": [text], "is_reply": [is_reply]})
    frame = pd.concat([past, draft], ignore_index=True)
    if start is None:  # the first third of the history only fits, the rest is backtested
        start = pd.to_datetime(past["ts"], utc=True).iloc[len(past) // 3]
    begin = _utc(start)
    feat = reach_features(frame, int((pd.to_datetime(past["ts"], utc=True) < begin).sum()))
    backtest, _ = reach_backtest(
        ReachFeatures(
            feat.frame.iloc[:-1],
            feat.design[:-1],
            feat.baseline[:-1],
            feat.y[:-1],
            feat.nearest[:-1],
            feat.similarity[:-1],
        ),
        begin,
        level=level,
    )
    rows = []
    scores = backtest.scores.set_index("target")
    for t, name in enumerate(TARGETS):
        thr = float(scores.loc[name, "threshold"])
        x = feat.with_similar(t, thr)
        usable = np.isfinite(feat.baseline[:-1, t]) & np.isfinite(feat.y[:-1, t])
        mid = float(x[-1] @ _fit(x[:-1][usable], feat.y[:-1][usable, t]))
        rows.append(
            {
                "target": name,
                "median": float(np.expm1(mid)),
                "low": float(np.expm1(mid + scores.loc[name, "resid_low"])),
                "high": float(np.expm1(mid + scores.loc[name, "resid_high"])),
                "baseline": float(np.expm1(feat.baseline[-1, t])),
            }
        )
    thr = float(scores.loc["likes", "threshold"])
    similar = pd.DataFrame(columns=["ts", "text", "similarity", "likes"])
    if feat.nearest[-1] >= 0 and feat.similarity[-1] >= thr:
        row = past.iloc[int(feat.nearest[-1])]
        similar = pd.DataFrame(
            [
                {
                    "ts": row["ts"],
                    "text": row["text"],
                    "similarity": feat.similarity[-1],
                    "likes": row["likes"],
                }
            ]
        )
    return ReachForecast(leader, text, pd.DataFrame(rows), similar, backtest, notes=tuple(notes))


def preflight_reach(
    ws: Any,
    leader: str,
    text: str,
    *,
    when: str | pd.Timestamp | None = None,
    is_reply: bool = False,
    start: str | pd.Timestamp | None = None,
    level: float = 0.8,
    brand: str | None = None,
    channel: str = "x",
) -> ReachForecast:
    """:func:`forecast_reach` on the leader's statements in the workspace; with ``brand``, also
    the attention lift of a post on ``channel`` from the brand's cascade model
    (:func:`leaderlens.attention.cascade.cascade`, marks by channel)."""
    history = ws.statements(leader)
    if history.empty:
        raise MissingDataError(f"no statements of {leader!r}", field="leader")
    history = history.assign(is_reply=history["is_reply"].fillna(False).astype(bool))
    out = forecast_reach(
        history, text, leader=leader, when=when, is_reply=is_reply, start=start, level=level
    )
    if brand is None:
        return out
    return replace(out, attention=_attention_lift(ws, brand, leader, channel))


def _attention_lift(ws: Any, brand: str, leader: str, channel: str) -> dict[str, Any]:
    from leaderlens.attention.cascade import cascade

    fit = cascade(ws, brand, leader=leader, by="channel")
    mark = f"leader:{channel}"
    if mark not in fit.marks:
        raise MissingDataError(
            f"the cascade model of {brand!r} has no mark {mark!r} (marks: {list(fit.marks)})",
            field="channel",
        )
    size, low, high = fit.fit.size(fit.marks.index(mark))
    return {
        "brand": brand,
        "mark": mark,
        "direct": size,
        "direct_low": low,
        "direct_high": high,
        "with_cascade": size * fit.multiplier()[0],
        "metric": fit.metric,
    }
