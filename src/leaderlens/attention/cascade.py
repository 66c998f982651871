"""The brand's attention as a self-exciting cascade: how much the leader's posts trigger
directly, how much the brand's own posts do, how much is baseline, and how much comes from the
cascades they all set off (see :mod:`leaderlens.attention.hawkes` for the model and
:mod:`leaderlens.attention.censored` for counts per bucket).

With exact mention times (the workspace's mentions table) the process is fitted on them; for
any other attention series (search interest, counts per day or hour) by the bucketed
likelihood. Marks are the leader's statements and the brand's posts, split by channel or by
topic (each statement's first topic; ``other`` without one).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.attention import censored, hawkes
from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.jsonsafe import plain, records
from leaderlens.options import CASCADE_SPLITS, CascadeSplit

_HOUR_NS = 3_600_000_000_000
# Posts this long before the window still act through their tails.
_HISTORY_HOURS = 24.0 * 14
# Filimonov & Sornette (2015): n near one is where a misspecified baseline shows up.
NEAR_ONE = 0.9


def hours(ts: Any) -> np.ndarray:
    """UTC instants as float hours since the Unix epoch."""
    index = pd.DatetimeIndex(pd.to_datetime(ts, utc=True)).as_unit("ns")
    return np.asarray(index.asi8, dtype=np.float64) / _HOUR_NS


@dataclass(frozen=True)
class Cascade:
    """A brand's attention decomposed by a marked Hawkes process.

    Fields
    ------
    brand, leader, metric: what was modelled; mode: ``exact`` (mention times) or ``counts``
        (counts per bucket); freq: the decomposition's bucket (``1h`` or ``1d``).
    marks: mark names ``side:group`` (side ``leader`` or ``brand``); n_posts: posts per mark
        inside the window; fit: the fitted process; labels: bucket starts (UTC) of
        ``fit.by_bucket``.
    n_alt: the branching ratio refitted with trend knots twice as dense (Filimonov &
        Sornette's check: a stable n does not hinge on how the baseline's trend is drawn).
    warnings: plain sentences, empty when none applies.
    """

    brand: str
    leader: str
    metric: str
    mode: str
    freq: str
    marks: tuple[str, ...]
    n_posts: np.ndarray
    fit: hawkes.HawkesFit
    labels: pd.DatetimeIndex
    n_alt: float
    warnings: tuple[str, ...]

    @property
    def sides(self) -> np.ndarray:
        return np.array([m.split(":", 1)[0] for m in self.marks])

    def multiplier(self, level: float = 0.95) -> tuple[float, float, float]:
        """Cascade multiplier ``1/(1 - n)`` (total attention per unit of direct attention):
        estimate, low, high (the transformed interval of ``n``; infinite past ``n = 1``)."""
        n, low, high = self.fit.branching(level)
        with np.errstate(divide="ignore"):
            vals = 1.0 / np.maximum(1.0 - np.array([n, low, high]), 0.0)
        return float(vals[0]), float(vals[1]), float(vals[2])

    def shares(self) -> dict[str, float]:
        """Share of all attention that is baseline, leader-triggered, brand-triggered (each
        directly) and cascade (triggered by earlier attention)."""
        total = self.fit.by_bucket.sum()
        direct = self.fit.by_bucket[1:-1].sum(axis=1)
        return {
            "baseline": float(self.fit.by_bucket[0].sum() / total),
            "leader": float(direct[self.sides == "leader"].sum() / total),
            "brand": float(direct[self.sides == "brand"].sum() / total),
            "cascade": float(self.fit.by_bucket[-1].sum() / total),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per mark: posts, mentions triggered directly per post with its interval,
        decay time (hours) with its interval, the share of all attention it triggered
        directly, and that share with the cascades it set off (the cascade divided among the
        roots in proportion, as in a stationary branching process)."""
        rows = []
        total = self.fit.by_bucket.sum()
        roots = self.fit.by_bucket[:-1].sum()
        for k, name in enumerate(self.marks):
            size, s_low, s_high = self.fit.size(k)
            decay, d_low, d_high = self.fit.decay_hours(k)
            share = float(self.fit.by_bucket[1 + k].sum() / total)
            side, group = name.split(":", 1)
            rows.append(
                {
                    "mark": name,
                    "side": side,
                    "group": group,
                    "n_posts": int(self.n_posts[k]),
                    "per_post": size,
                    "per_post_low": s_low,
                    "per_post_high": s_high,
                    "decay_hours": decay,
                    "decay_low": d_low,
                    "decay_high": d_high,
                    "share": share,
                    "share_with_cascade": share * total / roots,
                }
            )
        return pd.DataFrame(rows)

    def decomposition(self) -> pd.DataFrame:
        """Attention per bucket: baseline, leader, brand (direct triggers) and cascade."""
        by = self.fit.by_bucket
        sides = self.sides
        return pd.DataFrame(
            {
                "ts": self.labels,
                "baseline": by[0],
                "leader": by[1:-1][sides == "leader"].sum(axis=0),
                "brand": by[1:-1][sides == "brand"].sum(axis=0),
                "cascade": by[-1],
            }
        )

    def summary(self) -> str:
        n, n_low, n_high = self.fit.branching()
        mult = self.multiplier()
        tau = self.fit.cascade_decay_hours()
        sh = self.shares()
        source = "mention times" if self.mode == "exact" else f"counts per {self.freq}"
        lines = [
            f"attention cascade of {self.brand} ({self.metric}, {source}; leader {self.leader}; "
            f"marked Hawkes process, {self.fit.n_obs:,} "
            f"{'mentions' if self.mode == 'exact' else 'buckets'})",
            f"  branching ratio n = {n:.3f} (95% CI {n_low:.3f} to {n_high:.3f}); cascade "
            f"multiplier 1/(1-n) = {mult[0]:.2f} ({mult[1]:.2f} to {mult[2]:.2f}); cascade "
            f"decay {tau[0]:.2f} h; n with twice as many trend knots {self.n_alt:.3f}",
            f"  attention: baseline {sh['baseline']:.1%}, leader-triggered {sh['leader']:.1%}, "
            f"brand-triggered {sh['brand']:.1%}, cascade {sh['cascade']:.1%}",
        ]
        for row in self.to_frame().itertuples():
            lines.append(
                f"  {row.mark}: {row.n_posts} posts, {row.per_post:.2f} mentions each "
                f"directly (95% CI {row.per_post_low:.2f} to {row.per_post_high:.2f}), decay "
                f"{row.decay_hours:.2f} h; {row.share:.1%} of attention directly, "
                f"{row.share_with_cascade:.1%} with its cascades"
            )
        if self.mode == "counts":
            lines.append(
                f"  quasi-Poisson dispersion {self.fit.dispersion:.2f} (intervals scaled by it)"
            )
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        n, n_low, n_high = self.fit.branching()
        tau = self.fit.cascade_decay_hours()
        mult = self.multiplier()
        return {
            "brand": self.brand,
            "leader": self.leader,
            "metric": self.metric,
            "mode": self.mode,
            "freq": self.freq,
            "observations": self.fit.n_obs,
            "loglik": plain(self.fit.loglik),
            "branching_ratio": {"estimate": n, "ci_low": n_low, "ci_high": n_high},
            "multiplier": plain({"estimate": mult[0], "ci_low": mult[1], "ci_high": mult[2]}),
            "cascade_decay_hours": plain({"estimate": tau[0], "ci_low": tau[1], "ci_high": tau[2]}),
            "n_with_denser_trend": plain(self.n_alt),
            "dispersion": self.fit.dispersion,
            "shares": self.shares(),
            "marks": records(self.to_frame()),
            "warnings": list(self.warnings),
        }

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(index=False, escape=True, na_rep="")
        return f"<pre>{html.escape(self.summary())}</pre>{table}"

    def plot(self) -> Any:
        """Stacked area of the decomposition over time (plotly; daily sums for hourly fits
        longer than 60 days)."""
        import plotly.graph_objects as go

        frame = self.decomposition().set_index("ts")
        if self.freq == "1h" and len(frame) > 24 * 60:
            frame = frame.resample("1D").sum()
        fig = go.Figure()
        for column in ("baseline", "leader", "brand", "cascade"):
            fig.add_trace(
                go.Scatter(
                    x=frame.index,
                    y=frame[column],
                    name=column,
                    stackgroup="attention",
                    mode="lines",
                )
            )
        fig.update_layout(
            title=html.escape(f"{self.brand}: where the {self.metric} come from"),
            yaxis_title=html.escape(self.metric),
            template="plotly_white",
        )
        return fig


def _mark_frames(ws: Any, brand: str, leader: str, by: str) -> list[tuple[str, pd.DataFrame]]:
    """Posts per mark: the leader's statements and the brand's posts, split by ``by``."""
    if by == "topic":
        from leaderlens.attention.api import _annotated_statements

        statements = _annotated_statements(ws, leader)
        statements = statements.assign(
            group=[t[0] if t is not None and len(t) else "other" for t in statements["topics"]]
        )
    else:
        statements = ws.statements(leader)
        statements = statements.assign(group=statements["channel"] if by == "channel" else "all")
    brand_posts = ws.brand_posts(brand)
    brand_posts = brand_posts.assign(group="all" if by != "channel" else brand_posts["channel"])
    out = []
    for side, frame in (("leader", statements), ("brand", brand_posts)):
        for group, part in frame.groupby("group", sort=True):
            out.append((f"{side}:{group}", part))
    return out


def cascade(
    ws: Any,
    brand: str,
    *,
    leader: str | None = None,
    metric: str = "mentions",
    by: CascadeSplit = "channel",
    trend_days: float = 28.0,
) -> Cascade:
    """Fit the brand's attention as a marked Hawkes process (exact mention times for
    ``mentions`` when the workspace holds them; counts per bucket of the series otherwise).

    ``by``: how posts split into marks (``none``, ``channel`` or ``topic``; topic needs
    annotations); ``trend_days``: spacing of the baseline's trend knots."""
    from leaderlens.attention.api import _leader_of, load_series

    check_choice("by", by, CASCADE_SPLITS)
    if not np.isfinite(trend_days) or trend_days <= 0:
        raise BadInputError(f"trend_days must be > 0; got {trend_days}", field="trend_days")
    leader = _leader_of(ws, brand, leader)
    mentions = ws.mentions(brand) if metric == "mentions" else pd.DataFrame()
    frames = _mark_frames(ws, brand, leader, by)
    if len(mentions):
        times = np.sort(hours(mentions["ts"]))
        edges = hawkes.hourly_edges(times[0], times[-1])
        freq, mode, y = "1h", "exact", None
    else:
        series = load_series(ws, brand, metric)
        step = 1.0 if series.freq == "1h" else 24.0
        edges = np.r_[hours(series.labels), hours(series.labels[-1:]) + step]
        freq, mode, y = series.freq, "counts", series.value
    posts = [(name, np.sort(hours(part["ts"]))) for name, part in frames]
    posts = [(name, t[(t >= edges[0] - _HISTORY_HOURS) & (t < edges[-1])]) for name, t in posts]
    inside = [(name, t) for name, t in posts if np.sum(t >= edges[0]) >= 3]
    if not inside:
        raise MissingDataError(
            f"no mark has 3 posts inside the {metric!r} window of {brand!r}", field="brand"
        )
    names = tuple(name for name, _ in inside)
    marks = [t for _, t in inside]

    def fit_with(days: float) -> hawkes.HawkesFit:
        design = hawkes.baseline_design(edges, trend_days=days, daily=freq == "1h")
        if y is None:
            return hawkes.fit_hawkes(hawkes.Layout(times, tuple(marks), edges, design))
        return censored.fit_counts(y, edges, marks, design)

    fit = fit_with(trend_days)
    n_alt = fit_with(trend_days / 2).branching()[0]
    labels = pd.DatetimeIndex(pd.to_datetime(edges[:-1] * _HOUR_NS, utc=True))
    n_posts = np.array([int(np.sum(t >= edges[0])) for t in marks])
    return Cascade(
        brand=brand,
        leader=leader,
        metric=metric,
        mode=mode,
        freq=freq,
        marks=names,
        n_posts=n_posts,
        fit=fit,
        labels=labels,
        n_alt=float(n_alt),
        warnings=tuple(_warnings(fit, n_alt, trend_days)),
    )


def _warnings(fit: hawkes.HawkesFit, n_alt: float, trend_days: float) -> list[str]:
    n, low, high = fit.branching()
    out = []
    if n >= NEAR_ONE or high >= 0.95:
        out.append(
            f"n = {n:.3f} (upper bound {high:.3f}) is near 1: the cascade multiplier is "
            "unstable and a runaway regime cannot be excluded; a baseline that moves faster "
            "than its trend allows also pushes n towards 1 (Filimonov & Sornette 2015)"
        )
    if abs(n_alt - n) > max(0.05, high - low):
        out.append(
            f"n moves from {n:.3f} to {n_alt:.3f} when the trend knots are twice as dense: the "
            "baseline is not stationary enough for n to be read on its own (Filimonov & "
            f"Sornette 2015); try trend_days below {trend_days:g}"
        )
    if not fit.converged:
        out.append("the likelihood maximiser did not meet its tolerance")
    if fit.at_bound:
        out.append("n or a decay time rests on its bound (1 minute to 60 days; n < 0.999)")
    return out
