"""Foundations scorecard: could the brand's own product, team and innovation signals carry it
without its leader? (METHODS section 5; issue "the other side of the amplifier").

The user tags attention-like series of the brand (metric names of ``ws.attention(metric,
brand=...)``) as ``product`` (product search interest, review sentiment), ``team`` (mentions of
other executives, employer sentiment) or ``innovation`` (launch cadence, patents, R&D news).
For each series, on its UTC days:

* ``level``: mean value over the whole series, ``recent``: over its last 365 days;
* ``trend``: OLS slope of ``log(1 + value)`` on time in years, with Newey-West (1987) HAC
  standard errors (Bartlett kernel, ``floor(4 (n/100)^(2/9))`` lags: daily attention noise is
  autocorrelated) and a normal 95% interval; ``growth = exp(trend) - 1`` per year;
* ``corr_share``: Pearson correlation of the series' weekly mean ``log(1 + value)`` with the
  leader's weekly share of the brand's mentions (weeks with at least ``min_week_mentions``
  mention texts), beside the leader's overall share of voice;
* ``silence_ratio``: mean value on the leader's silent days over the mean on active days, with
  Welch's t on ``log(1 + value)`` (:func:`leaderlens.risk.dependence.silence_contrast`; silent
  day: inside a run of at least ``min_silence`` days without a statement).

A pillar's numbers are the plain means over its series. A pillar *holds up* when its silence
ratio is at least ``hold_ratio`` (0.9: it keeps nine tenths of its level without the leader),
and is *shrinking* when the whole trend interval lies below zero. The verdict is built only
from these numbers, each sentence naming the ones it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from leaderlens.errors import BadInputError, LeaderlensError, MissingDataError
from leaderlens.jsonsafe import plain, records
from leaderlens.risk.common import result_html
from leaderlens.risk.dependence import day_groups, only_leader, silence_contrast, utc_day_ns

PILLARS: tuple[str, ...] = ("product", "team", "innovation")
_NS_PER_YEAR = 365.25 * 86_400 * 10**9


@dataclass(frozen=True)
class Trend:
    """OLS slope of ``y`` on time in years with HAC standard error.

    slope: log points a year; se: Newey-West standard error; low, high: normal interval at
    ``level``; lags: Bartlett lags; n: observations."""

    slope: float
    se: float
    low: float
    high: float
    level: float
    lags: int
    n: int


def hac_lags(n: int) -> int:
    """The Newey-West (1994) rule of thumb ``floor(4 (n/100)^(2/9))``."""
    return int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def trend_per_year(y: np.ndarray, years: np.ndarray, level: float = 0.95) -> Trend:
    """Slope of ``y`` (n,) on ``years`` (n,) by OLS with an intercept; Newey-West HAC variance
    ``(X'X)^-1 S (X'X)^-1``, ``S = sum_l w_l (Gamma_l + Gamma_l')``, Bartlett weights
    ``w_l = 1 - l/(L+1)`` (Newey & West 1987, Econometrica 55), no small-sample correction."""
    y = np.asarray(y, dtype=float)
    t = np.asarray(years, dtype=float)
    ok = np.isfinite(y) & np.isfinite(t)
    y, t = y[ok], t[ok]
    n = y.size
    if n < 10:
        raise MissingDataError(f"a trend needs at least 10 points; got {n}", field="metric")
    x = np.column_stack([np.ones(n), t])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    u = y - x @ beta
    g = x * u[:, None]  # (n, 2) scores
    lags = hac_lags(n)
    s = g.T @ g
    for lag in range(1, lags + 1):  # L is about 8 for a few years of days: a short loop
        gamma = g[lag:].T @ g[:-lag]
        s += (1.0 - lag / (lags + 1.0)) * (gamma + gamma.T)
    cov = xtx_inv @ s @ xtx_inv
    se = float(np.sqrt(cov[1, 1]))
    z = float(stats.norm.ppf(0.5 + level / 2))
    slope = float(beta[1])
    return Trend(slope, se, slope - z * se, slope + z * se, level, lags, n)


def week_id(days: np.ndarray) -> np.ndarray:
    """Monday-to-Sunday week number of UTC instants (ns): 1970-01-01 was a Thursday, so day
    ``d`` since the epoch lies in week ``(d + 3) // 7``."""
    return (np.asarray(days, dtype=np.int64) // (86_400 * 10**9) + 3) // 7


def weekly_correlation(days: np.ndarray, y: np.ndarray, week_share: pd.Series) -> tuple[float, int]:
    """Pearson correlation of the weekly mean of ``y`` (daily, ``days`` UTC ns) with
    ``week_share`` (index: :func:`week_id`), and the number of weeks both have."""
    weekly = pd.Series(y).groupby(week_id(days)).mean()
    both = pd.concat([weekly, week_share], axis=1, join="inner").dropna()
    if len(both) < 3 or both.iloc[:, 0].std() == 0 or both.iloc[:, 1].std() == 0:
        return float("nan"), len(both)
    return float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1]), len(both)


@dataclass(frozen=True)
class Foundations:
    """The foundations scorecard of a brand beside its leader.

    Fields
    ------
    brand, leader: what was measured. leader_share, share_low, share_high: the leader's share
    of the brand's mentions and its Wilson interval (NaN without mention texts).
    series: one row per tagged series: pillar, metric, n_days, level, recent, trend, trend_se,
        trend_low, trend_high, growth (``exp(trend) - 1``), corr_share, n_weeks, n_active,
        n_silent, silence_ratio, silence_p, reason (why a number is missing, "" otherwise).
    pillars: one row per pillar: the plain means of its series' numbers, ``holds_up`` and
        ``shrinking``. verdict: the plain-words verdict, one sentence per item.
    min_silence, hold_ratio, level: the settings used.
    """

    brand: str
    leader: str
    leader_share: float
    share_low: float
    share_high: float
    series: pd.DataFrame
    pillars: pd.DataFrame
    verdict: tuple[str, ...]
    min_silence: int
    hold_ratio: float
    level: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        share = (
            f"{self.leader_share:.1%} (95% CI {self.share_low:.1%}-{self.share_high:.1%})"
            if np.isfinite(self.leader_share)
            else "not available"
        )
        lines = [
            f"foundations of {self.brand} beside {self.leader}: leader share of voice {share}; "
            f"trend = OLS slope of log(1 + value) a year with Newey-West HAC "
            f"{self.level:.0%} CI; silence = runs of {self.min_silence}+ days without a "
            f"statement",
        ]
        for row in self.series.itertuples(index=False):
            lines.append(
                f"  {row.pillar:<10} {row.metric:<22} level {row.level:,.2f} (last year "
                f"{row.recent:,.2f}), growth {row.growth:+.1%}/yr, silence ratio "
                f"{row.silence_ratio:.2f}, corr with leader share {row.corr_share:+.2f}"
                + (f" [{row.reason}]" if row.reason else "")
            )
        lines.append("verdict:")
        lines += [f"  {s}" for s in self.verdict]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.series.assign(brand=self.brand, leader=self.leader)

    def to_dict(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "leader": self.leader,
            "leader_share": plain(self.leader_share),
            "share_low": plain(self.share_low),
            "share_high": plain(self.share_high),
            "min_silence": self.min_silence,
            "hold_ratio": self.hold_ratio,
            "level": self.level,
            "series": records(self.series),
            "pillars": records(self.pillars),
            "verdict": list(self.verdict),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def _weekly_share(
    ws: Any, brand: str, leader: str, min_mentions: int
) -> tuple[pd.Series, Any, str]:
    """The leader's weekly share of the brand's mentions (index :func:`week_id`; weeks with at
    least ``min_mentions`` mention texts) and the overall result, or an empty series with the
    reason."""
    from leaderlens.attention.api import brand_share_of_voice

    try:
        voice = brand_share_of_voice(ws, brand, leader=leader)
    except LeaderlensError as exc:
        return pd.Series(dtype=float), None, exc.message
    per = voice.share.per_bucket
    weeks = week_id(utc_day_ns(per["ts"]))
    weekly = per[["mentions", "leader_mentions"]].groupby(weeks).sum()
    weekly = weekly[weekly["mentions"] >= max(1, min_mentions)]
    return weekly["leader_mentions"] / weekly["mentions"], voice, ""


def foundations_scorecard(
    ws: Any,
    brand: str,
    *,
    leader: str | None = None,
    product: Sequence[str] = (),
    team: Sequence[str] = (),
    innovation: Sequence[str] = (),
    min_silence: int = 3,
    hold_ratio: float = 0.9,
    min_week_mentions: int = 10,
    level: float = 0.95,
) -> Foundations:
    """The foundations scorecard of ``brand`` (module docstring): each tagged series' level,
    trend, correlation with the leader's weekly share of voice and how it holds up in the
    leader's silent stretches, then per pillar and a plain-words verdict."""
    tags = [
        (p, str(m)) for p, ms in zip(PILLARS, (product, team, innovation), strict=True) for m in ms
    ]
    if not tags:
        have = _metrics(ws, brand)
        raise BadInputError(
            f"tag at least one series of {brand!r} as product, team or innovation; its series: "
            f"{', '.join(have) or 'none'}",
            field="product",
        )
    if not 0 < level < 1:
        raise BadInputError(f"level must be between 0 and 1; got {level}", field="level")
    if not hold_ratio > 0:
        raise BadInputError(f"hold_ratio must be > 0; got {hold_ratio}", field="hold_ratio")
    lead = leader if leader is not None else only_leader(ws, brand)
    said = ws.statements(lead)
    if said.empty:
        raise MissingDataError(f"leader {lead!r} has no statements", field="leader")
    statement_days = np.unique(utc_day_ns(said["ts"]))
    week_share, voice, share_reason = _weekly_share(ws, brand, lead, min_week_mentions)
    rows = [
        _series_row(
            ws, brand, pillar, metric, statement_days, week_share, share_reason, min_silence, level
        )
        for pillar, metric in tags
    ]
    series = pd.DataFrame(rows)
    pillars = _pillar_table(series, hold_ratio)
    share = voice.share if voice is not None else None
    notes = [f"leader share of voice not available: {share_reason}"] if share_reason else []
    return Foundations(
        brand=brand,
        leader=lead,
        leader_share=float(share.share) if share is not None else float("nan"),
        share_low=float(share.ci_low) if share is not None else float("nan"),
        share_high=float(share.ci_high) if share is not None else float("nan"),
        series=series,
        pillars=pillars,
        verdict=verdict(brand, lead, pillars, hold_ratio, level),
        min_silence=int(min_silence),
        hold_ratio=float(hold_ratio),
        level=float(level),
        notes=tuple(notes),
    )


def _metrics(ws: Any, brand: str) -> list[str]:
    found = ws.summary().attention
    mine = found[(found["subject_kind"] == "brand") & (found["subject_id"] == brand)]
    return sorted(mine["metric"].astype(str).unique().tolist())


def _series_row(
    ws: Any,
    brand: str,
    pillar: str,
    metric: str,
    statement_days: np.ndarray,
    week_share: pd.Series,
    share_reason: str,
    min_silence: int,
    level: float,
) -> dict[str, Any]:
    frame = ws.attention(metric, brand=brand)
    if frame.empty:
        raise MissingDataError(
            f"brand {brand!r} has no {metric!r} series (tagged {pillar}); its series: "
            f"{', '.join(_metrics(ws, brand)) or 'none'}",
            field=pillar,
        )
    if (frame["freq"] != "1d").any():
        raise BadInputError(f"the {metric!r} series must be daily (tagged {pillar})", field=pillar)
    days = utc_day_ns(frame["ts"])
    values = frame["value"].to_numpy(float)
    y = np.log1p(values)
    reasons = []
    trend = trend_per_year(y, (days - days[0]) / _NS_PER_YEAR, level)
    recent = values[days > days[-1] - 365 * 86_400 * 10**9]
    corr, n_weeks = weekly_correlation(days, y, week_share)
    if not np.isfinite(corr):
        reasons.append(f"no correlation: {share_reason or f'{n_weeks} weeks with a share'}")
    groups = day_groups(days, statement_days, min_silence)
    try:
        silence = silence_contrast(values, groups, min_silence)
        ratio, p, n_active, n_silent = (
            silence.ratio,
            silence.p_value,
            silence.n_active,
            silence.n_silent,
        )
    except MissingDataError as exc:
        ratio = p = float("nan")
        n_active, n_silent = int((groups == 1).sum()), int((groups == 0).sum())
        reasons.append(f"no silence ratio: {exc.message}")
    return {
        "pillar": pillar,
        "metric": metric,
        "n_days": int(np.isfinite(values).sum()),
        "level": float(np.nanmean(values)),
        "recent": float(np.nanmean(recent)),
        "trend": trend.slope,
        "trend_se": trend.se,
        "trend_low": trend.low,
        "trend_high": trend.high,
        "growth": float(np.expm1(trend.slope)),
        "corr_share": corr,
        "n_weeks": int(n_weeks),
        "n_active": n_active,
        "n_silent": n_silent,
        "silence_ratio": float(ratio),
        "silence_p": float(p),
        "reason": "; ".join(reasons),
    }


def _pillar_table(series: pd.DataFrame, hold_ratio: float) -> pd.DataFrame:
    numbers = [
        "level",
        "trend",
        "trend_low",
        "trend_high",
        "growth",
        "corr_share",
        "silence_ratio",
        "silence_p",
    ]
    out = series.groupby("pillar", sort=False)[numbers].mean()
    out["metrics"] = series.groupby("pillar", sort=False)["metric"].agg(", ".join)
    out["n_silent"] = series.groupby("pillar", sort=False)["n_silent"].min()
    out["holds_up"] = out["silence_ratio"] >= hold_ratio
    out["shrinking"] = out["trend_high"] < 0
    return out.reset_index()


def verdict(
    brand: str, leader: str, pillars: pd.DataFrame, hold_ratio: float, level: float
) -> tuple[str, ...]:
    """Plain-words verdict from the pillar table: one sentence per pillar, then the overall
    reading; every sentence names the numbers it rests on."""
    out = []
    pct = f"{level:.0%}"
    for p in pillars.itertuples(index=False):
        direction = "shrinking" if p.trend_high < 0 else "growing" if p.trend_low > 0 else "flat"
        trend = (
            f"{p.pillar.capitalize()} ({p.metrics}) is {direction}: {p.growth:+.1%} a year "
            f"({pct} CI {np.expm1(p.trend_low):+.1%} to {np.expm1(p.trend_high):+.1%})"
        )
        if np.isfinite(p.silence_ratio):
            hold = "holds up" if p.holds_up else "sags"
            silence = (
                f"; on {leader}'s silent days it {hold} at {p.silence_ratio:.2f}x its level on "
                f"active days (threshold {hold_ratio:.2f}, Welch p {p.silence_p:.3g})"
            )
        else:
            silence = f"; {leader} has too few silent stretches to say how it holds up"
        corr = (
            f"; its weekly correlation with {leader}'s share of voice is {p.corr_share:+.2f}"
            if np.isfinite(p.corr_share)
            else ""
        )
        out.append(trend + silence + corr + ".")
    judged = pillars[np.isfinite(pillars["silence_ratio"])]
    strong = judged[judged["holds_up"] & ~judged["shrinking"]]
    k, m = len(strong), len(judged)
    if m == 0:
        out.append(
            f"No verdict on whether {brand} could stand without {leader}: no pillar has a "
            f"silence ratio."
        )
    elif k == m:
        out.append(
            f"{brand}'s foundations could carry it without {leader}: {k} of {m} pillars hold "
            f"up in silence (ratio >= {hold_ratio:.2f}) and none is shrinking."
        )
    elif k == 0:
        out.append(
            f"{brand} leans on {leader}: none of {m} pillars both holds up in silence (ratio >= "
            f"{hold_ratio:.2f}) and avoids shrinking."
        )
    else:
        out.append(
            f"{brand}'s foundations are mixed: {k} of {m} pillars hold up in silence (ratio >= "
            f"{hold_ratio:.2f}) without shrinking ({', '.join(strong['pillar'])})."
        )
    return tuple(out)
