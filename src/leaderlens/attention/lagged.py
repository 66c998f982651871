"""Pooled lifts of groups of posts from a distributed-lag regression on log attention.

When posts overlap (a leader posting several times a day, brand posts every other day), one
event's window holds the lifts of its neighbours and its pre-event baseline holds earlier ones,
so event-by-event lifts are biased towards each other. Because lifts add on the modelled scale
``y = log(1 + value)``, the mean lift of each group of posts is identified jointly by

    y_t = a + season_t + sum_g sum_{k=0..H} b_{g,k} n_{g,t-k} + e_t

with ``n_{g,t}`` the number of posts of group ``g`` in bucket ``t`` (Almon 1965 / the finite
distributed-lag model, e.g. Stock & Watson, *Introduction to Econometrics*, ch. 15;
the activity regression of METHODS.md section 3 with lags). ``b_{g,0}`` is the mean day-0 lift
of one post in log points, ``sum_k b_{g,k}`` its cumulative abnormal log attention over
``[0, H]``, and METHODS.md section 4's Lift over ``[0, H]`` is that sum divided by
``sum_[0,H] yhat = (H + 1) * mean(yhat)``. Standard errors are Newey-West (1987) HAC with
Bartlett weights (the statsmodels ``cov_type="HAC"`` convention), because attention noise is
autocorrelated; by default after a Cochrane-Orcutt AR(1) quasi-difference. Ratios of group
lifts (the amplification factor) get a moving-block bootstrap (Kuensch 1989) over buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from leaderlens.errors import BadInputError, MissingDataError, check_choice
from leaderlens.options import SEASONALS

Errors = Literal["ar1", "hac"]
ERRORS: tuple[str, ...] = ("ar1", "hac")
Profile = Literal["geometric", "free"]
PROFILES: tuple[str, ...] = ("geometric", "free")
# Decay rates searched when the lag profile is geometric (Koyck 1954): lift_k = b * decay**k.
DECAYS = np.round(np.arange(0.0, 0.951, 0.05), 2)


@dataclass(frozen=True)
class LaggedLifts:
    """Mean lifts per group of posts from the distributed-lag regression.

    Fields (G groups, H + 1 lags, B bootstrap draws)
    ------
    groups: group names, shape (G,).
    horizon: H, in buckets.
    coef: ``b_{g,k}``, log points per post at lag k; shape (G, H + 1).
    coef_se: HAC standard errors of ``coef``; shape (G, H + 1).
    cumulative: ``sum_k b_{g,k}`` (cumulative abnormal log attention per post); shape (G,).
    cumulative_se: its HAC standard error; shape (G,).
    coef_cov: HAC covariance of ``coef``; shape (G, H + 1, G, H + 1).
    test_cumulative, test_se: sum of the free-profile lag coefficients and its HAC standard
        error (same quasi-differencing), behind :meth:`t_stat`; shape (G,).
    lift: METHODS.md Lift over [0, H]: ``cumulative / ((H + 1) * baseline)``; shape (G,).
    baseline: mean fitted ``yhat`` without posts (intercept and season) over the sample.
    n_posts: posts per group inside the sample; shape (G,).
    boot_cumulative: moving-block bootstrap draws of ``cumulative``; shape (B, G).
    n_obs: buckets used; hac_lags: Newey-West lags; block: bootstrap block length in buckets.
    seasonal: ``none`` or ``weekly`` (day-of-week dummies; hourly grids add hour of day).
    profile: ``free`` (one coefficient per lag) or ``geometric`` (``b_g * decay**k``, one
        coefficient per group and a common decay chosen by least squares over a grid; the HAC
        errors are then conditional on the decay, the bootstrap re-chooses it every draw).
    decay: the chosen decay (NaN for ``free``).
    errors: ``ar1`` (Cochrane-Orcutt quasi-differencing by the residuals' AR(1) coefficient
        ``rho``, then HAC errors on the transformed regression: efficient when attention noise
        is autoregressive) or ``hac`` (plain OLS with HAC errors, ``rho`` = 0).
    """

    groups: tuple[str, ...]
    horizon: int
    coef: np.ndarray
    coef_se: np.ndarray
    cumulative: np.ndarray
    cumulative_se: np.ndarray
    coef_cov: np.ndarray
    test_cumulative: np.ndarray
    test_se: np.ndarray
    lift: np.ndarray
    baseline: float
    n_posts: np.ndarray
    boot_cumulative: np.ndarray
    n_obs: int
    hac_lags: int
    block: int
    seasonal: str
    profile: str
    decay: float
    errors: str
    rho: float

    def t_stat(self) -> np.ndarray:
        """t statistics of H0 "the group adds no attention over [0, H]", N(0, 1): the sum of
        the free lag coefficients over its HAC standard error (``test_cumulative`` /
        ``test_se``). The test does not lean on the geometric profile: its decay is chosen
        from the data and, when no group has a lift, a test conditional on it rejects too
        often."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.test_cumulative / self.test_se

    def p_value(self) -> np.ndarray:
        """Two-sided p-values of :meth:`t_stat` under N(0, 1); shape (G,)."""
        return 2.0 * stats.norm.sf(np.abs(self.t_stat()))

    def ci(self, level: float = 0.95) -> np.ndarray:
        """Normal HAC confidence interval of ``cumulative`` (conditional on the decay for the
        geometric profile; the bootstrap draws are not); shape (G, 2)."""
        z = stats.norm.ppf(0.5 + level / 2.0)
        half = z * self.cumulative_se
        return np.column_stack([self.cumulative - half, self.cumulative + half])

    def combine(self, weights: np.ndarray) -> tuple[float, float, float, float, np.ndarray]:
        """A weighted sum of the groups' effects (weights shape (G,)): day-0 lift and its HAC
        standard error, cumulative lift and its standard error, and its bootstrap draws
        (shape (B,)). With post-count weights summing to one this is the mean lift per post
        of the pooled groups, each post with its own group's lift."""
        w = np.asarray(weights, dtype=np.float64)
        day0_var = w @ self.coef_cov[:, 0, :, 0] @ w
        cum_var = np.einsum("g,gkhj,h->", w, self.coef_cov, w)
        return (
            float(w @ self.coef[:, 0]),
            float(np.sqrt(day0_var)),
            float(w @ self.cumulative),
            float(np.sqrt(cum_var)),
            self.boot_cumulative @ w,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group: posts, day-0 lift, cumulative lift with CI, METHODS lift, p."""
        ci = self.ci()
        return pd.DataFrame(
            {
                "group": list(self.groups),
                "n_posts": self.n_posts.astype(np.int64),
                "day0_lift": self.coef[:, 0],
                "day0_lift_se": self.coef_se[:, 0],
                "cumulative_lift": self.cumulative,
                "cumulative_lift_se": self.cumulative_se,
                "ci_low": ci[:, 0],
                "ci_high": ci[:, 1],
                "lift": self.lift,
                "p_value": self.p_value(),
            }
        )


def design(
    counts: np.ndarray,
    labels: pd.DatetimeIndex,
    horizon: int,
    seasonal: str,
    decay: float | None = None,
) -> tuple[np.ndarray, int]:
    """Regressors ``[1, season dummies, n_{g,t-k} for g, k]``; shape (n, p), and the number of
    leading columns (intercept and season) that are not post effects. With ``decay`` the lags
    collapse into one column per group, ``sum_k decay**k n_{g,t-k}``."""
    n, n_groups = counts.shape
    lagged = np.zeros((n, n_groups, horizon + 1))
    for k in range(horizon + 1):  # H + 1 shifted copies, not a loop over posts
        lagged[k:, :, k] = counts[: n - k]
    columns = [np.ones((n, 1))]
    if seasonal == "weekly":
        dow = labels.day_of_week.to_numpy()
        columns.append((dow[:, None] == np.arange(1, 7)[None, :]).astype(np.float64))
        if len(labels) > 1 and labels[1] - labels[0] < pd.Timedelta(days=1):
            hour = labels.hour.to_numpy()
            columns.append((hour[:, None] == np.arange(1, 24)[None, :]).astype(np.float64))
    fixed = sum(c.shape[1] for c in columns)
    if decay is not None:
        effects = lagged @ (decay ** np.arange(horizon + 1))
        return np.column_stack([*columns, effects]), fixed
    return np.column_stack([*columns, lagged.reshape(n, -1)]), fixed


def _best_decay(
    xs: list[np.ndarray], y: np.ndarray, weight: np.ndarray | None = None
) -> tuple[int, np.ndarray]:
    """Index of the design in ``xs`` with the least (weighted) squared residuals, and its fit."""
    best, best_ssr, best_beta = 0, np.inf, np.empty(0)
    w = np.ones(len(y)) if weight is None else weight
    for i, x in enumerate(xs):  # a short grid of decay rates
        xw = x * w[:, None]
        beta = np.linalg.lstsq(xw.T @ x, xw.T @ y, rcond=None)[0]
        ssr = float(np.sum(w * (y - x @ beta) ** 2))
        if ssr < best_ssr:
            best, best_ssr, best_beta = i, ssr, beta
    return best, best_beta


def newey_west(x: np.ndarray, resid: np.ndarray, lags: int) -> np.ndarray:
    """HAC covariance of OLS coefficients, Bartlett kernel, no small-sample factor (statsmodels
    ``cov_type="HAC"`` defaults; Newey & West 1987); shape (p, p)."""
    score = x * resid[:, None]
    meat = score.T @ score
    for lag in range(1, lags + 1):  # lags are few; each step is one matrix product
        gamma = score[lag:].T @ score[:-lag]
        meat += (1.0 - lag / (lags + 1.0)) * (gamma + gamma.T)
    bread = np.linalg.pinv(x.T @ x)
    return bread @ meat @ bread


def lagged_lifts(
    y: np.ndarray,
    counts: np.ndarray,
    labels: pd.DatetimeIndex,
    groups: tuple[str, ...] | list[str],
    *,
    horizon: int = 7,
    seasonal: str = "weekly",
    profile: str = "geometric",
    errors: str = "ar1",
    hac_lags: int | None = None,
    n_boot: int = 499,
    block: int | None = None,
    seed: int = 0,
) -> LaggedLifts:
    """Fit the distributed-lag regression of ``y`` (shape (n,)) on post counts per group
    (shape (n, G)) over ``labels`` (shape (n,)); see the module docstring.

    Buckets with missing ``y`` and the first ``horizon`` buckets (whose lags reach before the
    grid) are left out. ``hac_lags`` defaults to ``max(floor(4 (n/100)^(2/9)), horizon + 1)``,
    ``block`` to ``2 (horizon + 1)``.
    """
    check_choice("seasonal", seasonal, SEASONALS)
    check_choice("profile", profile, PROFILES)
    check_choice("errors", errors, ERRORS)
    y = np.asarray(y, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    n_groups = len(groups)
    if counts.ndim != 2 or counts.shape != (len(y), n_groups) or len(labels) != len(y):
        raise BadInputError("counts must have shape (len(y), len(groups))", field="counts")
    if horizon < 0:
        raise BadInputError(f"horizon must be >= 0; got {horizon}", field="horizon")
    keep = np.isfinite(y)
    keep[:horizon] = False
    yy = y[keep]
    present = counts[keep].sum(axis=0) > 0
    if not present.all():
        empty = [g for g, ok in zip(groups, present, strict=True) if not ok]
        raise MissingDataError(f"no posts inside the series for group(s) {empty}", field="groups")
    decays: list[float | None] = [None] if profile == "free" else [float(d) for d in DECAYS]
    designs = []
    for d in decays:  # one design per decay rate on the grid
        x_full, fixed = design(counts, labels, horizon, seasonal, d)
        designs.append(x_full)
    n_all, p = designs[0].shape
    if int(keep.sum()) <= p + 10:
        raise MissingDataError(
            f"{int(keep.sum())} usable buckets for {p} regressors; need a longer series",
            field="y",
        )
    chosen, beta = _best_decay([x[keep] for x in designs], y[keep])
    rho = 0.0
    rows = keep
    if errors == "ar1":
        # Cochrane-Orcutt (1949) step: quasi-difference with the residuals' AR(1) coefficient,
        # on buckets whose predecessor is also in the sample; then refit (decay re-chosen).
        resid = np.where(keep, y - designs[chosen] @ beta, np.nan)
        pair = np.zeros(n_all, dtype=bool)
        pair[1:] = keep[1:] & keep[:-1]
        prev = np.flatnonzero(pair) - 1
        now = np.flatnonzero(pair)
        rho = float(np.sum(resid[now] * resid[prev]) / np.sum(resid[prev] ** 2))
        xs = [x[now] - rho * x[prev] for x in designs]
        yy = y[now] - rho * y[prev]
        rows = pair
    else:
        xs = [x[keep] for x in designs]
        yy = y[keep]
        now = prev = np.flatnonzero(keep)
    chosen, beta = _best_decay(xs, yy)
    x = xs[chosen]
    n = len(yy)
    resid = yy - x @ beta
    lags = hac_lags if hac_lags is not None else max(int(4 * (n / 100) ** (2 / 9)), horizon + 1)
    cov = newey_west(x, resid, lags)
    decay = decays[chosen]
    if decay is None:
        b = beta[fixed:].reshape(n_groups, horizon + 1)
        coef_cov = cov[fixed:, fixed:].reshape(n_groups, horizon + 1, n_groups, horizon + 1)
    else:
        shape = decay ** np.arange(horizon + 1)
        b = beta[fixed:, None] * shape[None, :]
        coef_cov = np.einsum("gh,k,j->gkhj", cov[fixed:, fixed:], shape, shape)
    se = np.sqrt(np.einsum("gkgk->gk", coef_cov))
    # Var(sum_k b_gk) = 1' V_g 1 over the group's block of the covariance.
    cum_se = np.sqrt(np.einsum("gkgj->g", coef_cov))
    cumulative = b.sum(axis=1)
    baseline = float(np.mean(designs[chosen][keep, :fixed] @ beta[:fixed]))
    if decay is None:
        test_cum, test_se = cumulative, cum_se
    else:
        x_free, _ = design(counts, labels, horizon, seasonal, None)
        xf = x_free[now] - rho * x_free[prev] if errors == "ar1" else x_free[keep]
        beta_f = np.linalg.lstsq(xf, yy, rcond=None)[0]
        cov_f = newey_west(xf, yy - xf @ beta_f, lags)[fixed:, fixed:]
        cov_f = cov_f.reshape(n_groups, horizon + 1, n_groups, horizon + 1)
        test_cum = beta_f[fixed:].reshape(n_groups, horizon + 1).sum(axis=1)
        test_se = np.sqrt(np.einsum("gkgj->g", cov_f))
    size = block if block is not None else 2 * (horizon + 1)
    boot = block_bootstrap(xs, yy, fixed, n_groups, horizon, decays, n_boot, size, seed)
    return LaggedLifts(
        groups=tuple(groups),
        horizon=horizon,
        coef=b,
        coef_se=se,
        cumulative=cumulative,
        cumulative_se=cum_se,
        coef_cov=coef_cov,
        test_cumulative=test_cum,
        test_se=test_se,
        lift=cumulative / ((horizon + 1) * baseline),
        baseline=baseline,
        n_posts=counts[rows].sum(axis=0),
        boot_cumulative=boot,
        n_obs=n,
        hac_lags=lags,
        block=size,
        seasonal=seasonal,
        profile=profile,
        decay=float("nan") if decay is None else decay,
        errors=errors,
        rho=rho,
    )


def block_bootstrap(
    xs: list[np.ndarray],
    y: np.ndarray,
    fixed: int,
    n_groups: int,
    horizon: int,
    decays: list[float | None],
    n_boot: int,
    block: int,
    seed: int,
) -> np.ndarray:
    """Moving-block bootstrap of the cumulative lifts: rows (x_t, y_t) resampled in blocks of
    ``block`` consecutive buckets (Kuensch 1989), the decay re-chosen in every draw;
    shape (n_boot, G)."""
    if n_boot <= 0:
        return np.empty((0, n_groups))
    rng = np.random.default_rng(seed)
    n = len(y)
    size = max(1, min(block, n))
    starts = rng.integers(0, n - size + 1, size=(n_boot, -(-n // size)))
    rows = (starts[:, :, None] + np.arange(size)[None, None, :]).reshape(n_boot, -1)[:, :n]
    out = np.empty((n_boot, n_groups))
    for i in range(n_boot):  # one least-squares fit (per decay) per replicate
        weight = np.bincount(rows[i], minlength=n).astype(np.float64)
        chosen, beta = _best_decay(xs, y, weight)
        decay = decays[chosen]
        if decay is None:
            out[i] = beta[fixed:].reshape(n_groups, horizon + 1).sum(axis=1)
        else:
            out[i] = beta[fixed:] * np.sum(decay ** np.arange(horizon + 1))
    return out
