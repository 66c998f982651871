"""Bayesian structural time series by Gibbs sampling: R CausalImpact's model and priors.

The model (Brodersen et al. 2015, "Inferring causal impact using Bayesian structural time-series
models", Ann. Appl. Stat. 9(1); Scott & Varian 2014)::

    y_t   = mu_t (+ tau_t) + x_t' beta + e_t,          e_t ~ N(0, s_obs^2)
    mu_t+1 = mu_t (+ delta_t) + u_t,                     u_t ~ N(0, s_level^2)
    (delta_t+1 = delta_t + v_t: local linear trend; tau_t: dummy seasonal, both optional)

with R's defaults (CausalImpact 1.2/1.3 ``ConstructModel`` and ``bsts``/``BoomSpikeSlab``):
the response and the controls are standardised on the fitted (pre-period) rows
(``standardize.data = TRUE``); 1/s_level^2 ~ Gamma(32/2, 32 (0.01 sd_y)^2 / 2) truncated to
s_level <= sd_y (``prior.level.sd = 0.01``, ``kLocalLevelPriorSampleSize = 32``); the regression
has a spike-and-slab prior with expected model size 3 (prior inclusion probability min(1, 3/K)),
expected R^2 0.8 and prior df 50 (1/s_obs^2 ~ Gamma(50/2, 50 (1 - 0.8) sd_y^2 / 2)), and a
Zellner-type slab beta | s_obs ~ N(0, s_obs^2 Omega^-1), Omega = 0.01 [(1 - 0.5) X'X/n +
0.5 diag(X'X/n)] (``prior.information.weight = 0.01``, ``diagonal.shrinkage = 0.5``). The
intercept is left to the local level (it is not identified beside it). The initial level is
N(y_1, sd_y^2). niter = 1000, the first 10% discarded as burn-in (``SuggestBurn(0.1, ...)``).

One sweep of the sampler: (1) the states given beta and the variances, by the Durbin-Koopman
simulation smoother of statsmodels (missing responses, the post-periods, are simply skipped by
the Kalman filter, so the counterfactual is drawn with the states); (2) each state variance
from its conjugate Gamma posterior on the state increments; (3) the inclusion indicators
(single-site Gibbs in random order with beta and s_obs integrated out, as BoomSpikeSlab does),
then s_obs^2 and beta from their conjugate posteriors given the level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.tsa.statespace.structural import UnobservedComponents

from leaderlens.errors import BadInputError


@dataclass(frozen=True)
class BstsPrior:
    """The priors; the defaults are R CausalImpact's (see the module docstring)."""

    level_sd: float = 0.01
    sd_sample_size: float = 32.0
    expected_model_size: float = 3.0
    expected_r2: float = 0.8
    prior_df: float = 50.0
    information_weight: float = 0.01
    diagonal_shrinkage: float = 0.5


@dataclass(frozen=True)
class BstsDraws:
    """Posterior draws after burn-in, in the response's own units.

    Attributes
    ----------
    mean: (D, T) the model's expected response per draw (states + regression): its column
        mean is the point prediction.
    response: (D, T) ``mean`` plus a draw of observation noise: the posterior predictive of
        the counterfactual, whose quantiles give the intervals.
    beta: (D, K) regression coefficients per unit of each control (0 when excluded).
    included: (D, K) whether each control was in the model at that draw.
    sigma_obs: (D,) observation noise s.d.; sigma_state: (D, S) s.d. of each state
        disturbance (level, then slope, then seasonal).
    burn: the sweeps discarded.
    """

    mean: np.ndarray
    response: np.ndarray
    beta: np.ndarray
    included: np.ndarray
    sigma_obs: np.ndarray
    sigma_state: np.ndarray
    burn: int

    @property
    def inclusion(self) -> np.ndarray:
        """(K,) posterior inclusion probability of each control."""
        return self.included.mean(axis=0)


def sample_bsts(
    y: np.ndarray,
    X: np.ndarray,
    fit: np.ndarray,
    *,
    niter: int = 1000,
    trend: bool = False,
    nseasons: int = 1,
    prior: BstsPrior | None = None,
    seed: int = 1,
) -> BstsDraws:
    """Draw the posterior of the model on ``y`` (T,) with controls ``X`` (T, K).

    ``fit`` (T,) marks the rows whose response informs the fit (the pre-period); the response
    of every other row is treated as missing and drawn as the counterfactual. Seeded: the same
    inputs and ``seed`` give the same draws.
    """
    prior = prior or BstsPrior()
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    fit = np.asarray(fit, dtype=bool)
    _check(y, X, fit)
    rng = np.random.default_rng(seed)
    my, sy = y[fit].mean(), y[fit].std(ddof=1)
    mx, sx = X[fit].mean(axis=0), X[fit].std(axis=0, ddof=1)
    ys = np.where(fit, (y - my) / sy, np.nan)
    xs = (X - mx) / sx
    model = _state_model(ys, fit, trend, nseasons)
    regression = _Regression(xs[fit], prior)
    smoother = model.simulation_smoother()
    ssm = model.ssm
    design = ssm["design"][0]
    transition = ssm["transition"]
    selection = ssm["selection"]
    n_state = selection.shape[1]
    # 1/s^2 ~ Gamma(n/2, n s_guess^2 / 2) on each state disturbance, s <= sd_y (= 1 here)
    a_state = prior.sd_sample_size / 2
    b_state = prior.sd_sample_size * prior.level_sd**2 / 2
    var_state = np.full(n_state, prior.level_sd**2)
    var_obs = 1 - prior.expected_r2
    beta = np.zeros(xs.shape[1])
    included = np.ones(xs.shape[1], dtype=bool)
    burn = int(niter * 0.1)
    keep = niter - burn
    out_mean = np.empty((keep, len(y)))
    out_sd = np.empty(keep)
    out_beta = np.empty((keep, xs.shape[1]))
    out_inc = np.empty((keep, xs.shape[1]), dtype=bool)
    out_state = np.empty((keep, n_state))
    for it in range(niter):
        xb = xs @ beta
        ssm["obs_intercept"][0] = xb
        ssm["obs_cov", 0, 0] = var_obs
        ssm["state_cov"] = np.diag(var_state)
        smoother.simulate(rng=rng)
        states = smoother.simulated_state
        level = design @ states
        shocks = selection.T @ (states[:, 1:] - transition @ states[:, :-1])
        var_state = _draw_variances(
            rng, a_state + shocks.shape[1] / 2, b_state + (shocks**2).sum(axis=1) / 2
        )
        included, beta, var_obs = regression.draw(rng, ys[fit] - level[fit], included)
        if it >= burn:
            k = it - burn
            out_mean[k] = level + xs @ beta
            out_sd[k] = np.sqrt(var_obs)
            out_beta[k] = beta
            out_inc[k] = included
            out_state[k] = np.sqrt(var_state)
    noise = rng.standard_normal(out_mean.shape) * out_sd[:, None]
    return BstsDraws(
        mean=out_mean * sy + my,
        response=(out_mean + noise) * sy + my,
        beta=out_beta * sy / sx,
        included=out_inc,
        sigma_obs=out_sd * sy,
        sigma_state=out_state * sy,
        burn=burn,
    )


def _check(y: np.ndarray, X: np.ndarray, fit: np.ndarray) -> None:
    if fit.shape != y.shape:
        raise BadInputError("the fit mask must have one entry per observation", field="fit")
    if fit.sum() < 3 or not np.isfinite(y[fit]).all():
        raise BadInputError(
            "the pre-period needs at least 3 observed, finite values", field="pre_period"
        )
    if not np.isfinite(X).all():
        raise BadInputError("the controls must be finite on every row", field="controls")
    if np.std(y[fit]) == 0:
        raise BadInputError("the response is constant over the pre-period", field="series")
    flat = np.flatnonzero(X[fit].std(axis=0) == 0)
    if flat.size:
        raise BadInputError(
            f"control number {int(flat[0]) + 1} is constant over the pre-period", field="controls"
        )


def _state_model(
    ys: np.ndarray, fit: np.ndarray, trend: bool, nseasons: int
) -> UnobservedComponents:
    """The state-space form, initialised as bsts does: level ~ N(y_1, sd_y^2), slope and
    seasonal states ~ N(0, sd_y^2) (sd_y = 1 after standardising)."""
    model = UnobservedComponents(
        ys,
        level="llevel" if not trend else "lltrend",
        seasonal=nseasons if nseasons > 1 else None,
    )
    start = np.zeros(model.k_states)
    start[0] = ys[np.flatnonzero(fit)[0]]
    model.ssm.initialize_known(start, np.eye(model.k_states))
    # a time-varying intercept carries x_t' beta; set before the smoother binds the shapes
    model.ssm["obs_intercept"] = np.zeros((1, len(ys)))
    return model


def _draw_variances(
    rng: np.random.Generator, shape: np.ndarray | float, rate: np.ndarray
) -> np.ndarray:
    """s^2 = 1/precision, precision ~ Gamma(shape, rate) truncated to s <= 1 (bsts's
    ``upper.limit = sd_y`` on standardised data), by inverting the Gamma CDF."""
    low = stats.gamma.cdf(1.0, shape, scale=1 / rate)
    u = low + rng.random(np.shape(rate)) * (1 - low)
    precision = stats.gamma.ppf(np.minimum(u, 1 - 1e-16), shape, scale=1 / rate)
    return 1 / np.maximum(precision, 1.0)


class _Regression:
    """The spike-and-slab regression step on the residual of the states (BoomSpikeSlab's
    ``SpikeSlabPrior`` with CausalImpact's arguments; beta and s_obs integrated out for the
    indicators)."""

    def __init__(self, X: np.ndarray, prior: BstsPrior) -> None:
        n, k = X.shape
        self.X = X
        self.xtx = X.T @ X
        scaled = self.xtx / n
        shrink = prior.diagonal_shrinkage
        self.omega = prior.information_weight * (
            (1 - shrink) * scaled + shrink * np.diag(np.diag(scaled))
        )
        self.pi = min(1.0, prior.expected_model_size / k) if k else 0.0
        if k:
            self.df0, self.ss0 = prior.prior_df, prior.prior_df * (1 - prior.expected_r2)
        else:  # bsts without regression: SdPrior(sigma.guess = sd_y, sample.size = 0.01)
            self.df0, self.ss0 = 0.01, 0.01

    def draw(
        self, rng: np.random.Generator, r: np.ndarray, included: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, float]:
        xtr = self.X.T @ r
        rtr = float(r @ r)
        included = included.copy()
        if 0 < self.pi < 1:
            for j in rng.permutation(len(included)):
                on, off = included.copy(), included.copy()
                on[j], off[j] = True, False
                odds = self._log_marginal(on, xtr, rtr, len(r)) - self._log_marginal(
                    off, xtr, rtr, len(r)
                )
                odds += np.log(self.pi) - np.log1p(-self.pi)
                included[j] = rng.random() < 1 / (1 + np.exp(-odds))
        chol, z, ss = self._posterior(included, xtr, rtr)
        var = (self.ss0 + ss) / rng.chisquare(self.df0 + len(r))
        beta = np.zeros(len(included))
        if chol is not None:
            noise = np.sqrt(var) * rng.standard_normal(z.size)
            beta[included] = np.linalg.solve(chol.T, z + noise)
        return included, beta, var

    def _posterior(
        self, inc: np.ndarray, xtr: np.ndarray, rtr: float
    ) -> tuple[np.ndarray | None, np.ndarray, float]:
        """Cholesky factor L of V = Omega + X'X on the included controls, z = L^-1 X'r and
        the residual sum of squares r'r - z'z (None, empty, r'r with no control)."""
        idx = np.flatnonzero(inc)
        if idx.size == 0:
            return None, np.zeros(0), rtr
        sub = np.ix_(idx, idx)
        chol = np.linalg.cholesky(self.omega[sub] + self.xtx[sub])
        z = np.linalg.solve(chol, xtr[idx])
        return chol, z, float(rtr - z @ z)

    def _log_marginal(self, inc: np.ndarray, xtr: np.ndarray, rtr: float, n: int) -> float:
        """log p(r | inclusion) up to a constant, beta and s_obs integrated out."""
        chol, _, ss = self._posterior(inc, xtr, rtr)
        fit = -0.5 * (self.df0 + n) * np.log(self.ss0 + ss)
        if chol is None:
            return float(fit)
        sub = np.ix_(inc, inc)
        logdet_v = 2 * np.log(np.diag(chol)).sum()
        return float(fit + 0.5 * (np.linalg.slogdet(self.omega[sub])[1] - logdet_v))
