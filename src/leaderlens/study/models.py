"""Normal-return models, fitted per event and batched over events.

Input is a dense estimation panel: ``R_est`` (N events x T bars, NaN where a bar is missing)
and, for models with regressors, ``X_est`` aligned with it (N x T for the market return, or
N x T x P for P factors). A bar enters event i's fit when the value and every regressor are
finite there, so T_i differs per event. Everything is solved for all events at once on centred
cross-products (centring keeps the sums free of floating-point cancellation).

Models (MacKinlay 1997, *J. Econ. Lit.* 35, section 4; Campbell, Lo & MacKinlay 1997, ch. 4):

* constant_mean: AR = R - mean_E(R); s^2 divisor T - 1; d.o.f. T - 1.
* market_adjusted: AR = R - R_m (nothing estimated); s^2 = variance of AR around its mean over
  E, divisor T - 1; d.o.f. T - 1.
* market: AR = R - a - b R_m, OLS on E; s^2 divisor T - 2; d.o.f. T - 2.
* factor: AR = R - x'theta, intercept + K-1 factors; s^2 divisor T - K; d.o.f. T - K. Day-of-week
  dummies for attention series (METHODS section 2) are factors too (six of them: the intercept
  stands for the seventh day).

For the factor model pass excess returns (R - R_f) and the factor values; the intercept is added
here. Conventions (``convention``):

* ``"textbook"`` (default, METHODS section 2): s^2 = SSR / (T - K); the regressor moments used
  in the prediction-error variance come from the bars of the fit.
* ``"estudy2"`` (the R package estudy2 0.10.0, Rudnytskyi 2021): s^2 = SSR / (T - 1) (R's
  ``sd`` of the estimation residuals) and the regressor mean / centred cross-product for the
  prediction-error correction are taken over *every* bar where the regressors are finite, also
  bars where the event's own value is missing. Parameters and d.o.f. are unchanged.

The convention travels with the fit into the tests: under ``"estudy2"`` the rank tests also
form daily sums as N * mean (see :mod:`.tests_rank`) and the generalized sign test pools the
estimation-window share of positive residuals over all events.

Events are never dropped silently: an event with fewer than ``min_estimation`` usable bars,
regressors without variation or a zero residual variance is marked invalid with a reason.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import CONVENTIONS, Convention

Model = Literal["constant_mean", "market_adjusted", "market", "factor"]
MODELS: tuple[str, ...] = ("constant_mean", "market_adjusted", "market", "factor")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
StrArray = NDArray[np.str_]

# Cells (events x bars) fitted at once; larger panels go in blocks of rows on two threads.
_BLOCK_CELLS = 1_000_000

# A centred cross-product whose correlation matrix has an eigenvalue below this is singular:
# the regressors are (nearly) collinear or constant in the estimation window.
_SINGULAR = 1e-12


@dataclass(frozen=True)
class ModelFit:
    """Normal-return model fitted to N events (shapes: N events, T bars, P regressors, K params).

    Attributes:
        model: which model (see the module table).
        convention: ``"textbook"`` or ``"estudy2"`` (module docstring).
        params: (N, K) intercept first, then slopes; constant mean: (N, 1) the mean;
            market-adjusted: (N, 2) fixed at (0, 1). NaN for invalid events.
        s2: (N,) residual variance s^2 with the divisor of ``convention``.
        dof: (N,) degrees of freedom T_i - K of the AR / CAR t statistics.
        n_obs: (N,) T_i, the number of bars used in the fit.
        n_params: K, the number of estimated parameters that enter the d.o.f.
        x_mean: (N, P) regressor means for the prediction-error correction.
        sxx_inv: (N, P, P) inverse centred cross-product of the regressors, so that
            x'(X'X)^-1 x = h0 + (x - x_mean)' sxx_inv (x - x_mean).
        h0: (N,) 1/T_i when an intercept is estimated; 0 for market-adjusted returns.
        residuals: (N, T) estimation-window abnormal values, NaN where a bar was not used or
            the event is invalid.
        valid: (N,) True where the event can be used.
        reason: (N,) why an event is invalid; empty string for valid events.
    """

    model: str
    convention: str
    params: FloatArray
    s2: FloatArray
    dof: IntArray
    n_obs: IntArray
    n_params: int
    x_mean: FloatArray
    sxx_inv: FloatArray
    h0: FloatArray
    residuals: FloatArray
    valid: BoolArray
    reason: StrArray

    @property
    def n_events(self) -> int:
        """Number of valid events."""
        return int(self.valid.sum())


def as_panel(values: ArrayLike, name: str, ndim: int = 2) -> FloatArray:
    """A panel as float64 (no copy when it already is), checked for its number of dimensions."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != ndim:
        raise BadInputError(
            f"{name} must be a {ndim}-dimensional array (events x bars"
            f"{' x factors' if ndim == 3 else ''}); got shape {arr.shape}",
            field=name,
        )
    return arr


def regressor_panel(
    model: str, X: ArrayLike | None, shape: tuple[int, int], name: str
) -> FloatArray:
    """The regressors as (N, T, P) (P = 0 for constant mean), checked against ``shape``."""
    if model == "constant_mean":
        if X is not None:
            raise BadInputError(
                f"the constant-mean model takes no regressors; {name} was given", field=name
            )
        return np.zeros((*shape, 0))
    if X is None:
        raise BadInputError(f"model {model!r} needs {name}", field=name)
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[:2] != shape:
        raise BadInputError(
            f"{name} must have shape {shape} (or {shape} x factors); got {arr.shape}", field=name
        )
    if model in ("market", "market_adjusted") and arr.shape[2] != 1:
        raise BadInputError(
            f"model {model!r} takes one market series; {name} has {arr.shape[2]} columns",
            field=name,
        )
    return arr


def fit_normal_model(
    model: Model,
    R_est: ArrayLike,
    X_est: ArrayLike | None = None,
    *,
    min_estimation: int = 30,
    convention: Convention = "textbook",
) -> ModelFit:
    """Fit the normal-return model of every event on its estimation window.

    Args:
        model: ``"constant_mean"``, ``"market_adjusted"``, ``"market"`` or ``"factor"``.
        R_est: (N, T) values in the estimation window, NaN where missing.
        X_est: (N, T) market values or (N, T, P) factor values aligned with ``R_est``
            (None for the constant-mean model).
        min_estimation: fewest usable bars an event needs (at least K + 3, so that Patell's
            (T - K) / (T - K - 2) is finite).
        convention: ``"textbook"`` or ``"estudy2"`` (see the module docstring).

    Returns:
        A :class:`ModelFit`; invalid events carry their reason.

    Source: MacKinlay (1997) eqs. (5)-(12); Campbell, Lo & MacKinlay (1997) section 4.4.
    """
    check_choice("model", model, MODELS)
    check_choice("convention", convention, CONVENTIONS)
    R = as_panel(R_est, "R_est")
    X = regressor_panel(model, X_est, (R.shape[0], R.shape[1]), "X_est")
    n_slopes = 0 if model == "market_adjusted" else X.shape[2]
    n_params = 1 + n_slopes
    if not isinstance(min_estimation, int | np.integer) or min_estimation < n_params + 3:
        raise BadInputError(
            f"min_estimation must be an integer >= {n_params + 3} for model {model!r}; "
            f"got {min_estimation!r}",
            field="min_estimation",
        )
    n_rows = max(1, _BLOCK_CELLS // max(R.shape[1], 1))
    if R.shape[0] <= n_rows:
        return _fit(model, R, X, min_estimation, convention, n_slopes, n_params)
    # Large panels: blocks of rows that stay in cache, fitted on two threads (NumPy releases
    # the GIL); every event's fit only reads its own row, so the blocks are independent.
    starts = range(0, R.shape[0], n_rows)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(
            pool.map(
                lambda lo: _fit(
                    model,
                    R[lo : lo + n_rows],
                    X[lo : lo + n_rows],
                    min_estimation,
                    convention,
                    n_slopes,
                    n_params,
                ),
                starts,
            )
        )
    first = parts[0]
    return ModelFit(
        model=first.model,
        convention=first.convention,
        n_params=first.n_params,
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in (
                "params",
                "s2",
                "dof",
                "n_obs",
                "x_mean",
                "sxx_inv",
                "h0",
                "residuals",
                "valid",
                "reason",
            )
        },
    )


def _fit(
    model: str,
    R: FloatArray,
    X: FloatArray,
    min_estimation: int,
    convention: str,
    n_slopes: int,
    n_params: int,
) -> ModelFit:
    """:func:`fit_normal_model` on checked panels (``X``: (N, T, P))."""
    used = np.isfinite(R) & np.isfinite(X).all(axis=2)
    n_obs = used.sum(axis=1).astype(np.int64)
    t_safe = np.maximum(n_obs, 1).astype(np.float64)
    y = R - X[:, :, 0] if model == "market_adjusted" else R
    y_mean = np.where(used, y, 0.0).sum(axis=1) / t_safe
    y_c = np.where(used, y - y_mean[:, None], 0.0)
    n = R.shape[0]

    if n_slopes == 1:
        # One regressor (the market model): the same sums on (N, T) arrays, no 3-D einsums.
        x_mean, x_c = _centre(X[:, :, 0], used, t_safe)
        sxx = np.einsum("nt,nt->n", x_c, x_c)
        singular = ~(sxx > 0)
        sxx_safe = np.where(singular, 1.0, sxx)
        slope = np.einsum("nt,nt->n", x_c, y_c) / sxx_safe
        alpha = y_mean - x_mean * slope
        resid = y_c - x_c * slope[:, None]
        x_mean, sxx_safe = x_mean[:, None], sxx_safe[:, None, None]
        params = np.column_stack([alpha, slope])
    elif n_slopes:
        x_mean, x_c = _centre(X, used, t_safe)
        sxx = np.einsum("ntp,ntq->npq", x_c, x_c)
        sxy = np.einsum("ntp,nt->np", x_c, y_c)
        singular = _is_singular(sxx)
        sxx_safe = np.where(singular[:, None, None], np.eye(n_slopes), sxx)
        beta = np.linalg.solve(sxx_safe, sxy[:, :, None])[:, :, 0]
        alpha = y_mean - (x_mean * beta).sum(axis=1)
        resid = y_c - np.einsum("ntp,np->nt", x_c, beta)
        params = np.column_stack([alpha, beta])
    else:
        singular = np.zeros(n, dtype=bool)
        resid = y_c
        if model == "market_adjusted":
            params = np.tile([0.0, 1.0], (n, 1))
        else:
            params = y_mean[:, None].copy()

    ssr = np.einsum("nt,nt->n", resid, resid)
    divisor = n_obs - n_params if convention == "textbook" else n_obs - 1
    s2 = ssr / np.maximum(divisor, 1)

    too_few = n_obs < min_estimation
    flat = ~too_few & ~singular & ~(s2 > 0)
    reason = np.full(n, "", dtype=object)
    reason[flat] = "zero residual variance in the estimation window"
    reason[singular & ~too_few] = "regressors do not vary (singular X'X) in the estimation window"
    # Which series had the gaps: the asset's own return, or a regressor (benchmark, factors).
    own_gap = (~np.isfinite(R)).sum(axis=1)
    regressor_gap = (np.isfinite(R) & ~np.isfinite(X).all(axis=2)).sum(axis=1)
    parts = np.where(
        regressor_gap > 0,
        np.strings.add(
            np.strings.add("; the benchmark or factors lack ", regressor_gap.astype(str)),
            " bars where the asset has one",
        ),
        "",
    )
    gaps = np.strings.add(
        np.strings.add(": the asset lacks ", own_gap.astype(str)), np.strings.add(" bars", parts)
    )
    reason[too_few] = np.strings.add(
        np.strings.add("estimation window has ", n_obs[too_few].astype(str)),
        np.strings.add(f" usable bars (< min_estimation {min_estimation})", gaps[too_few]),
    )
    valid = reason == ""

    if model == "market_adjusted":
        # Abnormal values are R - R_m themselves; s^2 is their variance around the mean.
        residuals = np.where(used, y, np.nan)
    else:
        residuals = np.where(used, resid, np.nan)
    residuals[~valid] = np.nan

    if n_slopes:
        if convention == "estudy2":
            moments_used = np.asarray(np.isfinite(X).all(axis=2), dtype=np.bool_)
            t_mom = np.maximum(moments_used.sum(axis=1), 1).astype(np.float64)
            x_mean, x_c = _centre(X, moments_used, t_mom)
            sxx = np.einsum("ntp,ntq->npq", x_c, x_c)
            sxx_safe = np.where(_is_singular(sxx)[:, None, None], np.eye(n_slopes), sxx)
        sxx_inv = 1.0 / sxx_safe if n_slopes == 1 else np.linalg.inv(sxx_safe)
    else:
        x_mean = np.zeros((n, 0))
        sxx_inv = np.zeros((n, 0, 0))

    h0 = np.zeros(n) if model == "market_adjusted" else 1.0 / t_safe
    params = np.where(valid[:, None], params, np.nan)
    s2 = np.where(valid, s2, np.nan)
    return ModelFit(
        model=model,
        convention=convention,
        params=params,
        s2=s2,
        dof=(n_obs - n_params).astype(np.int64),
        n_obs=n_obs,
        n_params=n_params,
        x_mean=x_mean,
        sxx_inv=sxx_inv,
        h0=h0,
        residuals=residuals,
        valid=valid,
        reason=reason.astype(str),
    )


def predict(fit: ModelFit, X: FloatArray) -> FloatArray:
    """Normal values (N, L) of ``fit`` for regressors ``X`` (N, L, P; P = 0 for constant mean)."""
    if fit.model == "constant_mean":
        return np.broadcast_to(fit.params[:, :1], X.shape[:2]).copy()
    if fit.model == "market_adjusted":
        return X[:, :, 0].copy()
    return fit.params[:, :1] + np.einsum("nlp,np->nl", X, fit.params[:, 1:])


def _centre(X: FloatArray, used: BoolArray, t_safe: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per-event means over the used bars, and the centred regressors (0 on unused bars);
    ``X`` is (N, T, P), or (N, T) for one regressor."""
    mask = used if X.ndim == 2 else used[:, :, None]
    scale = t_safe if X.ndim == 2 else t_safe[:, None]
    x_mean = np.where(mask, X, 0.0).sum(axis=1) / scale
    return x_mean, np.where(mask, X - np.expand_dims(x_mean, 1), 0.0)


def _is_singular(sxx: FloatArray) -> BoolArray:
    """True where a centred cross-product (N, P, P) has no usable inverse."""
    d = np.sqrt(np.einsum("npp->np", sxx))
    zero = ~(d > 0).all(axis=1)
    d_safe = np.where(d > 0, d, 1.0)
    corr = sxx / (d_safe[:, :, None] * d_safe[:, None, :])
    if sxx.shape[1] == 1:
        return zero
    return zero | (np.linalg.eigvalsh(corr)[:, 0] < _SINGULAR)
