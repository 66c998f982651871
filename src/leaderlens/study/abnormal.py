"""Abnormal values, their prediction-error variances, CARs, average paths and BHARs.

The event window is a dense panel ``R_evt`` (N events x L bars) with the regressors ``X_evt``
aligned to it; column j is the relative bar ``first_bar + j``. Windows are given in relative
bars, inclusive: ``(t1, t2)``.

Formulas (MacKinlay 1997, *J. Econ. Lit.* 35, eqs. (7)-(16); Campbell, Lo & MacKinlay 1997
section 4.4; METHODS section 2), with x the regressors of a bar and X the estimation design:

* AR_t = R_t - x_t' theta,  Var(AR_t) = s^2 (1 + x_t'(X'X)^-1 x_t)
  (market model: s^2 C_t, C_t = 1 + 1/T + (R_mt - mean_E R_m)^2 / sum_E (R_m - mean)^2);
* CAR = sum_W AR_t, Var(CAR) = s^2 1'(I + X_W (X'X)^-1 X_W')1
  = s^2 [L + L^2/T + v' S_xx^-1 v], v = sum_W (x_t - mean_E x);
* AR and CAR t = value / sqrt(variance), two-sided p from t(T - K);
* AAR_t, CAAR: means over the events with a value, with N_t;
* BHAR = prod_W (1 + R) - prod_W (1 + R_benchmark) (simple returns; Barber & Lyon 1997).

Market-adjusted returns estimate nothing, so their variance is s^2 per bar (L s^2 for a CAR).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from leaderlens.errors import BadInputError
from leaderlens.study.models import (
    BoolArray,
    FloatArray,
    IntArray,
    ModelFit,
    StrArray,
    as_panel,
    predict,
    regressor_panel,
)
from leaderlens.study.result import t_p


@dataclass(frozen=True)
class AbnormalReturns:
    """Event-window abnormal values of N events over L bars, with all a test needs.

    Attributes:
        model, convention: copied from the :class:`~leaderlens.study.models.ModelFit`.
        bars: (L,) relative bar of each column.
        ar: (N, L) abnormal values; NaN for invalid events.
        var_ar: (N, L) prediction-error variance of each AR.
        t: (N, L) AR / sqrt(var_ar), t(T_i - K) under H0.
        x_dev: (N, L, P) event-window regressors minus their estimation means.
        sxx_inv: (N, P, P), h0: (N,), s2: (N,), dof: (N,), n_obs: (N,): from the fit.
        est_residuals: (N, T) estimation-window abnormal values (NaN where not used).
        valid: (N,) events usable in every test; reason: (N,) why not ("" when valid).
    """

    model: str
    convention: str
    bars: IntArray
    ar: FloatArray
    var_ar: FloatArray
    t: FloatArray
    x_dev: FloatArray
    sxx_inv: FloatArray
    h0: FloatArray
    s2: FloatArray
    dof: IntArray
    n_obs: IntArray
    est_residuals: FloatArray
    valid: BoolArray
    reason: StrArray

    @property
    def n_events(self) -> int:
        """Number of valid events."""
        return int(self.valid.sum())

    def columns(self, window: tuple[int, int] | None) -> slice:
        """The column slice of ``window`` (relative bars, inclusive); None is the whole panel."""
        first, last = int(self.bars[0]), int(self.bars[-1])
        if window is None:
            return slice(0, len(self.bars))
        t1, t2 = (int(w) for w in window)
        if not first <= t1 <= t2 <= last:
            raise BadInputError(
                f"window must satisfy {first} <= t1 <= t2 <= {last} (the event panel); "
                f"got {window!r}",
                field="window",
            )
        return slice(t1 - first, t2 - first + 1)

    @cached_property
    def estimation_aar(self) -> FloatArray:
        """AAR_tau of the estimation window: per bar (event time), the mean over the events
        present there; bars without any event drop out. Computed once, on first use."""
        n_tau = np.zeros(self.est_residuals.shape[1], dtype=np.int64)
        total = np.zeros(self.est_residuals.shape[1])
        for lo in range(0, self.est_residuals.shape[0], 4096):  # small temporaries
            block = self.est_residuals[lo : lo + 4096]
            present = np.isfinite(block)
            n_tau += present.sum(axis=0)
            total += np.where(present, block, 0.0).sum(axis=0)
        return total[n_tau > 0] / n_tau[n_tau > 0]

    def ar_p_values(self) -> FloatArray:
        """(N, L) two-sided p-values of the AR t statistics, t(T_i - K)."""
        return t_p(self.t, self.dof[:, None])


@dataclass(frozen=True)
class Cumulative:
    """CARs of N events over one window.

    Attributes:
        window: (t1, t2) relative bars, inclusive; length: L = t2 - t1 + 1.
        car: (N,) cumulative abnormal value; NaN for invalid events.
        var_car: (N,) its variance s^2 [L + L^2 h0 + v' S_xx^-1 v].
        t: (N,) CAR / sqrt(var_car), t(T_i - K) under H0 (SCAR in the Patell and BMP tests).
        dof: (N,) T_i - K; valid: (N,) as in :class:`AbnormalReturns`.
    """

    window: tuple[int, int]
    length: int
    car: FloatArray
    var_car: FloatArray
    t: FloatArray
    dof: IntArray
    valid: BoolArray

    def p_values(self) -> FloatArray:
        """(N,) two-sided p-values of the CAR t statistics, t(T_i - K)."""
        return t_p(self.t, self.dof)


@dataclass(frozen=True)
class AveragePath:
    """Average abnormal path: AAR_t, CAAR_t (cumulated from the first bar) and N_t, each (L,)."""

    bars: IntArray
    aar: FloatArray
    caar: FloatArray
    n: IntArray


@dataclass(frozen=True)
class BuyAndHold:
    """Buy-and-hold abnormal returns of N events over one window.

    Attributes:
        window: (t1, t2) relative bars, inclusive.
        bhar: (N,) prod(1 + R) - prod(1 + R_benchmark); NaN for invalid events.
        valid: (N,) False where a value in the window is missing; reason: (N,) why.
    """

    window: tuple[int, int]
    bhar: FloatArray
    valid: BoolArray
    reason: StrArray


def abnormal_returns(
    fit: ModelFit, R_evt: ArrayLike, X_evt: ArrayLike | None = None, *, first_bar: int = 0
) -> AbnormalReturns:
    """Abnormal values and prediction-error variances over the event window.

    Args:
        fit: the fitted normal-return model of the same N events.
        R_evt: (N, L) event-window values.
        X_evt: (N, L) market values or (N, L, P) factors (None for the constant-mean model).
        first_bar: relative bar of column 0 (e.g. -5 for the window [-5, +5]).

    An event with a missing value or regressor anywhere in the panel is invalid, with the
    first such relative bar in its reason (an event keeps the reason of its fit if it has one).

    Source: MacKinlay (1997) eqs. (7)-(8); Campbell, Lo & MacKinlay (1997) eq. (4.4.9).
    """
    R = as_panel(R_evt, "R_evt")
    if R.shape[0] != fit.params.shape[0]:
        raise BadInputError(
            f"R_evt has {R.shape[0]} events but the fit has {fit.params.shape[0]}", field="R_evt"
        )
    X = regressor_panel(fit.model, X_evt, (R.shape[0], R.shape[1]), "X_evt")
    if fit.model != "market_adjusted" and X.shape[2] != fit.x_mean.shape[1]:
        raise BadInputError(
            f"X_evt has {X.shape[2]} regressors but the fit used {fit.x_mean.shape[1]}",
            field="X_evt",
        )
    n_bars = R.shape[1]
    bars = np.arange(first_bar, first_bar + n_bars, dtype=np.int64)

    missing = ~(np.isfinite(R) & np.isfinite(X).all(axis=2))
    gap = missing.any(axis=1) & fit.valid
    reason = fit.reason.astype(object)
    reason[gap] = np.strings.add(
        "missing value in the event window at relative bar ",
        bars[missing[gap].argmax(axis=1)].astype(str),
    )
    valid = fit.valid & ~gap

    ar = np.where(valid[:, None], R - predict(fit, X), np.nan)
    if fit.model == "market_adjusted":
        x_dev = np.zeros((R.shape[0], n_bars, 0))
    else:
        x_dev = X - fit.x_mean[:, None, :]
    quad = np.einsum("nlp,npq,nlq->nl", x_dev, fit.sxx_inv, x_dev)
    var_ar = np.where(valid[:, None], fit.s2[:, None] * (1.0 + fit.h0[:, None] + quad), np.nan)
    return AbnormalReturns(
        model=fit.model,
        convention=fit.convention,
        bars=bars,
        ar=ar,
        var_ar=var_ar,
        t=ar / np.sqrt(var_ar),
        x_dev=x_dev,
        sxx_inv=fit.sxx_inv,
        h0=fit.h0,
        s2=np.where(valid, fit.s2, np.nan),
        dof=fit.dof,
        n_obs=fit.n_obs,
        # The fit already blanks invalid events; only event-window gaps remain to blank.
        est_residuals=np.where(valid[:, None], fit.residuals, np.nan)
        if gap.any()
        else fit.residuals,
        valid=valid,
        reason=reason.astype(str),
    )


def cumulate(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> Cumulative:
    """CAR over ``window`` with its closed-form variance, t and p-value per event.

    Var(CAR) = s^2 [L + L^2/T + v' S_xx^-1 v] with v = sum_W (x_t - mean_E x) is the closed
    form of s^2 1'(I + X_W (X'X)^-1 X_W')1 (MacKinlay 1997 eq. (12); Campbell, Lo & MacKinlay
    1997 eq. (4.4.14)); for the market model v = sum_W (R_mt - mean_E R_m).
    """
    cols = abn.columns(window)
    length = cols.stop - cols.start
    car = abn.ar[:, cols].sum(axis=1)
    v = abn.x_dev[:, cols].sum(axis=1)
    quad = np.einsum("np,npq,nq->n", v, abn.sxx_inv, v)
    var_car = abn.s2 * (length + length * length * abn.h0 + quad)
    t = car / np.sqrt(var_car)
    span = (int(abn.bars[cols.start]), int(abn.bars[cols.stop - 1]))
    return Cumulative(
        window=span,
        length=length,
        car=car,
        var_car=var_car,
        t=t,
        dof=abn.dof,
        valid=abn.valid,
    )


def cumulative_variance_path(abn: AbnormalReturns) -> FloatArray:
    """(N, L) Var(CAR) from the first event bar up to each bar: :func:`cumulate`'s closed form
    with v_t the running sum of x_t - mean_E x (one array operation for all bars)."""
    length = np.arange(1, abn.ar.shape[1] + 1, dtype=np.float64)
    v = np.cumsum(abn.x_dev, axis=1)
    quad = np.einsum("nlp,npq,nlq->nl", v, abn.sxx_inv, v) if v.shape[2] else 0.0
    return np.asarray(
        abn.s2[:, None] * (length + length * length * abn.h0[:, None] + quad), dtype=np.float64
    )


def average_path(abn: AbnormalReturns) -> AveragePath:
    """AAR_t and CAAR_t over the valid events, with N_t per bar (METHODS section 2)."""
    present = np.isfinite(abn.ar)
    n = present.sum(axis=0).astype(np.int64)
    total = np.where(present, abn.ar, 0.0).sum(axis=0)
    aar = np.divide(total, n, out=np.full(n.shape, np.nan), where=n > 0)
    return AveragePath(bars=abn.bars, aar=aar, caar=np.cumsum(aar), n=n)


def buy_and_hold(
    R_evt: ArrayLike,
    benchmark_evt: ArrayLike,
    *,
    window: tuple[int, int] | None = None,
    first_bar: int = 0,
) -> BuyAndHold:
    """BHAR = prod_W (1 + R) - prod_W (1 + R_benchmark) per event (Barber & Lyon 1997).

    Both panels are (N, L) *simple* returns (convert log returns with ``exp(r) - 1``).
    An event with a missing value in the window is invalid, with the first missing bar named.
    """
    R = as_panel(R_evt, "R_evt")
    B = as_panel(benchmark_evt, "benchmark_evt")
    if B.shape != R.shape:
        raise BadInputError(
            f"benchmark_evt must have the shape of R_evt {R.shape}; got {B.shape}",
            field="benchmark_evt",
        )
    bars = np.arange(first_bar, first_bar + R.shape[1], dtype=np.int64)
    t1, t2 = (int(bars[0]), int(bars[-1])) if window is None else (int(window[0]), int(window[1]))
    if not bars[0] <= t1 <= t2 <= bars[-1]:
        raise BadInputError(
            f"window must lie within relative bars {bars[0]}..{bars[-1]}; got {window!r}",
            field="window",
        )
    cols = slice(t1 - first_bar, t2 - first_bar + 1)
    r, b = R[:, cols], B[:, cols]
    missing = ~(np.isfinite(r) & np.isfinite(b))
    valid = np.asarray(~missing.any(axis=1), dtype=np.bool_)
    reason = np.full(R.shape[0], "", dtype=object)
    reason[~valid] = np.strings.add(
        "missing value in the BHAR window at relative bar ",
        bars[cols][missing[~valid].argmax(axis=1)].astype(str),
    )
    bhar = np.prod(1.0 + r, axis=1) - np.prod(1.0 + b, axis=1)
    return BuyAndHold(
        window=(t1, t2),
        bhar=np.where(valid, bhar, np.nan),
        valid=valid,
        reason=reason.astype(str),
    )
