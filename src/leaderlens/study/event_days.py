"""Event-day regression: the leader's effect estimated over the whole sample, for prolific posters.

When statements fall on most sessions, every event's estimation window is full of other
statements' effects; the normal-return model absorbs them and the event study's ARs are biased
toward zero (toward minus the average effect). Masking other events' windows then leaves too few
clean bars. The event-day regression estimates the normal model and the effects jointly, on
every session of the sample:

    R_t = a + b R_mt + sum_g sum_{k = t1..t2} c_{g,k} D_{g,t-k} + e_t,

D_{g,t} = 1 when session t is day 0 of at least one statement of group g (a channel, a topic,
or one group "all"). c_{g,k} is the mean abnormal return on relative bar k of a group-g event
day and CAR_g = sum_k c_{g,k} its cumulative effect over the window; a session with statements
of several groups carries each group's effect (one indicator per group, so a cluster of mixed
statements counts for every group it holds). Coefficients by OLS with Newey & West (1987)
heteroskedasticity- and autocorrelation-consistent covariance (Bartlett kernel, statsmodels);
CAR_g's variance is 1' V_g 1 from that covariance, and tests and 95% intervals are normal (the
HAC theory is asymptotic). Sources: Thompson (1985, "Conditional information about events"),
the dummy-variable event study; MacKinlay (1997) section 4; Newey & West (1987, 1994).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike
from scipy import special

from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.study.activity import newey_west_lags
from leaderlens.study.models import FloatArray
from leaderlens.study.result import TestResult, normal_p

NULL = "the group's mean cumulative abnormal return over the window is zero"


@dataclass(frozen=True)
class EventDayRegression:
    """The fitted event-day regression (module docstring).

    Attributes:
        groups: (G,) group names; window: (t1, t2) relative bars of the lead/lag indicators.
        n_days: (G,) event days of each group in the sample.
        car, se, z, p_value, low, high: (G,) cumulative effect over the window, its HAC standard
            error, z, two-sided normal p-value and 95% interval.
        ar, ar_se: (G, L) effect by relative bar and its standard error.
        alpha, beta: the normal model's intercept and market slope (fitted jointly).
        nobs: sessions used; maxlags: Bartlett lags; r2: R squared; event_share: share of the
        sessions that are day 0 of any statement.
    """

    groups: tuple[str, ...]
    window: tuple[int, int]
    n_days: np.ndarray
    car: FloatArray
    se: FloatArray
    z: FloatArray
    p_value: FloatArray
    low: FloatArray
    high: FloatArray
    ar: FloatArray
    ar_se: FloatArray
    alpha: float
    beta: float
    nobs: int
    maxlags: int
    r2: float
    event_share: float

    @property
    def relative_bars(self) -> np.ndarray:
        return np.arange(self.window[0], self.window[1] + 1)

    def to_frame(self) -> pd.DataFrame:
        """One row per group: n_days, car, se, z, p_value, low, high, ar[k] by relative bar."""
        out = pd.DataFrame(
            {
                "group": list(self.groups),
                "n_days": self.n_days,
                "car": self.car,
                "se": self.se,
                "z": self.z,
                "p_value": self.p_value,
                "low": self.low,
                "high": self.high,
            }
        )
        for j, k in enumerate(self.relative_bars):
            out[f"ar[{k}]"] = self.ar[:, j]
        return out

    def summary(self) -> str:
        """The effects by group as a text table."""
        lines = [
            f"Event-day regression (market model fitted jointly, Newey-West errors with "
            f"{self.maxlags} lags): {self.nobs} sessions, {self.event_share:.0%} of them event "
            f"days, window {list(self.window)}, alpha {self.alpha:.6f}, beta {self.beta:.4f}",
            f"  {'group':<20}{'days':>6}{'CAR':>10}{'se':>10}{'z':>8}{'p':>8}  95% interval",
        ]
        lines += [
            f"  {g[:19]:<20}{n:>6}{c:>10.4%}{s:>10.4%}{z:>8.2f}{p:>8.4f}  [{lo:.4%}, {hi:.4%}]"
            for g, n, c, s, z, p, lo, hi in zip(
                self.groups,
                self.n_days,
                self.car,
                self.se,
                self.z,
                self.p_value,
                self.low,
                self.high,
                strict=True,
            )
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        table = self.to_frame().to_html(index=False, escape=True, float_format="%.6f")
        return f"<h4>{head}</h4>{table}"

    def to_dict(self) -> dict[str, Any]:
        """Effects by group (JSON-ready), with the fit's facts."""
        rows = self.to_frame().to_dict(orient="records")
        return {
            "window": list(self.window),
            "groups": [
                {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                for row in rows
            ],
            "alpha": self.alpha,
            "beta": self.beta,
            "nobs": self.nobs,
            "maxlags": self.maxlags,
            "r2": self.r2,
            "event_share": self.event_share,
            "covariance": "Newey-West (Bartlett kernel), normal tests",
        }

    def test(self, group: str) -> TestResult:
        """The z test of one group's CAR being zero."""
        i = self.groups.index(check_choice("group", group, self.groups))
        return TestResult(
            f"event-day regression z ({group})",
            float(self.z[i]),
            float(self.p_value[i]),
            "N(0,1)",
            NULL,
            int(self.n_days[i]),
        )


def lagged(indicator: np.ndarray, k: int) -> np.ndarray:
    """x_t = D_{t-k} (0 where t - k is outside the sample)."""
    out = np.zeros_like(indicator)
    if k >= 0:
        out[k:] = indicator[: indicator.size - k]
    else:
        out[:k] = indicator[-k:]
    return out


def event_day_regression(
    returns: ArrayLike,
    market: ArrayLike,
    indicators: Mapping[str, ArrayLike],
    *,
    window: tuple[int, int] = (-1, 1),
    maxlags: int | None = None,
    level: float = 0.95,
) -> EventDayRegression:
    """Fit the event-day regression (module docstring) on aligned session series.

    Args:
        returns, market: (T,) returns of the asset and its benchmark.
        indicators: group -> (T,) 1 on the group's event days (day 0), else 0.
        window: relative bars (t1, t2) of the lead and lag indicators, inclusive.
        maxlags: Bartlett lags; default :func:`~leaderlens.study.activity.newey_west_lags`.
    """
    r = np.asarray(returns, dtype=np.float64).ravel()
    m = np.asarray(market, dtype=np.float64).ravel()
    groups = tuple(indicators)
    if not groups:
        raise BadInputError("the event-day regression needs at least one group", field="by")
    d = np.column_stack([np.asarray(indicators[g], dtype=np.float64).ravel() for g in groups])
    if d.shape[0] != r.size or m.size != r.size:
        raise BadInputError(
            f"series must have one length; got {r.size}, {m.size}, {d.shape[0]}", field="returns"
        )
    t1, t2 = window
    bars = np.arange(t1, t2 + 1)
    lag_cols = [lagged(d[:, g], int(k)) for g in range(len(groups)) for k in bars]
    design = np.column_stack([np.ones(r.size), m, *lag_cols])
    ok = np.isfinite(r) & np.isfinite(m)
    n_cols = design.shape[1]
    if ok.sum() <= n_cols + 1:
        raise MissingDataError(
            f"the event-day regression needs more than {n_cols + 1} sessions; got {ok.sum()}"
        )
    lags = newey_west_lags(int(ok.sum())) if maxlags is None else int(maxlags)
    res = sm.OLS(r[ok], design[ok]).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    n_groups, length = len(groups), bars.size
    ar = params[2:].reshape(n_groups, length)
    block = cov[2:, 2:].reshape(n_groups, length, n_groups, length)
    ar_se = np.sqrt(np.einsum("gkgk->gk", block))
    car = ar.sum(axis=1)
    se = np.sqrt(np.einsum("gkgl->g", block))
    z = car / se
    half = -special.ndtri((1.0 - level) / 2.0) * se
    return EventDayRegression(
        groups=groups,
        window=(int(t1), int(t2)),
        n_days=(d[ok] > 0).sum(axis=0).astype(np.int64),
        car=car,
        se=se,
        z=z,
        p_value=normal_p(z),
        low=car - half,
        high=car + half,
        ar=ar,
        ar_se=ar_se,
        alpha=float(params[0]),
        beta=float(params[1]),
        nobs=int(res.nobs),
        maxlags=lags,
        r2=float(res.rsquared),
        event_share=float((d[ok] > 0).any(axis=1).mean()),
    )
