"""Lead-lag between leader activity and brand attention (METHODS.md section 4).

* Cross-correlation ``corr(x_t, y_{t+k})`` for ``k = -K..K``: positive ``k`` with a large
  value means activity ``x`` leads attention ``y``.
* Granger causality (Granger 1969) both ways: the F test that the ``p`` lags of the other
  series add nothing to ``p`` own lags and a constant, ``F = ((SSR_r - SSR_u) / p) /
  (SSR_u / (n - 2p - 1))`` with F(p, n - 2p - 1) (the ``ssr_ftest`` of statsmodels'
  ``grangercausalitytests``); ``p`` chosen by AIC of the bivariate VAR (Luetkepohl 2005,
  sec. 4.3: ``log det Sigma_ML + 2 p k^2 / n`` on the common sample after ``maxlags``).
* Impulse responses of the VAR(p) (Luetkepohl 2005, sec. 2.3): ``Phi_0 = I``,
  ``Phi_i = sum_{j=1..min(i, p)} Phi_{i-j} A_j``; orthogonalised by the Cholesky factor of
  the residual covariance with activity ordered first (activity may move attention within
  the bucket, not the other way round). Residual covariance uses ``n - kp - 1`` (statsmodels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from leaderlens.errors import BadInputError, MissingDataError


def _lags(z: np.ndarray, p: int, start: int) -> np.ndarray:
    """``[1, z_{t-1}, ..., z_{t-p}]`` for t = start..n-1; shape (n - start, 1 + p k)."""
    n = len(z)
    cols = [np.ones((n - start, 1))]
    cols += [z[start - j : n - j] for j in range(1, p + 1)]
    return np.column_stack(cols)


def cross_correlation(x: np.ndarray, y: np.ndarray, max_lag: int) -> pd.DataFrame:
    """``corr(x_t, y_{t+k})`` for ``k = -max_lag..max_lag`` (Pearson, on overlapping pairs)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    lags = np.arange(-max_lag, max_lag + 1)
    out = np.empty(len(lags))
    n = len(x)
    for i, k in enumerate(lags):  # 2K + 1 correlations
        a, b = (x[: n - k], y[k:]) if k >= 0 else (x[-k:], y[: n + k])
        out[i] = np.corrcoef(a, b)[0, 1]
    return pd.DataFrame({"lag": lags, "correlation": out})


def select_lag_aic(z: np.ndarray, maxlags: int) -> tuple[int, np.ndarray]:
    """VAR lag order by AIC on the common sample after ``maxlags``; also the AIC per order
    ``1..maxlags``."""
    n, k = z.shape
    aic = np.empty(maxlags)
    nobs = n - maxlags
    for p in range(1, maxlags + 1):  # a handful of candidate orders
        x = _lags(z, p, maxlags)
        beta = np.linalg.lstsq(x, z[maxlags:], rcond=None)[0]
        resid = z[maxlags:] - x @ beta
        sigma = resid.T @ resid / nobs
        aic[p - 1] = np.log(np.linalg.det(sigma)) + 2.0 * p * k**2 / nobs
    return int(np.argmin(aic)) + 1, aic


def granger_f(cause: np.ndarray, effect: np.ndarray, p: int) -> tuple[float, float, int, int]:
    """F statistic, p-value and degrees of freedom of "``cause`` does not Granger-cause
    ``effect``" with ``p`` lags."""
    z = np.column_stack([effect, cause])
    n = len(z)
    full = _lags(z, p, p)  # const, then (effect, cause) per lag
    own = full[:, [0, *range(1, 1 + 2 * p, 2)]]
    target = effect[p:]
    ssr_u = float(np.sum((target - full @ np.linalg.lstsq(full, target, rcond=None)[0]) ** 2))
    ssr_r = float(np.sum((target - own @ np.linalg.lstsq(own, target, rcond=None)[0]) ** 2))
    df2 = n - p - (2 * p + 1)
    f = ((ssr_r - ssr_u) / p) / (ssr_u / df2)
    return f, float(stats.f.sf(f, p, df2)), p, df2


def var_irf(z: np.ndarray, p: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Plain and Cholesky-orthogonalised impulse responses of a VAR(p) with constant;
    shapes (horizon + 1, k, k), entry [h, i, j] = response of variable i to shock j."""
    n, k = z.shape
    x = _lags(z, p, p)
    beta = np.linalg.lstsq(x, z[p:], rcond=None)[0]
    resid = z[p:] - x @ beta
    sigma = resid.T @ resid / (n - p - k * p - 1)
    a = beta[1:].reshape(p, k, k).transpose(0, 2, 1)  # A_j[i, l]: effect of z_l,t-j on z_i,t
    phi = np.zeros((horizon + 1, k, k))
    phi[0] = np.eye(k)
    for h in range(1, horizon + 1):  # recursion over horizons
        for j in range(1, min(h, p) + 1):
            phi[h] += phi[h - j] @ a[j - 1]
    chol = np.linalg.cholesky(sigma)
    return phi, phi @ chol


@dataclass(frozen=True)
class LeadLag:
    """Lead-lag of activity ``x`` and attention ``y``.

    Fields
    ------
    lag_order: VAR lag chosen by AIC; aic: AIC per order 1..maxlags.
    x_causes_y, y_causes_x: (F, p-value, df1, df2) of the Granger F tests (H0: no Granger
        causality; F distribution).
    xcorr: cross-correlation frame (``lag``, ``correlation``).
    irf, orth_irf: impulse responses, shape (horizon + 1, 2, 2), variables (x, y).
    names: (x name, y name); n_obs: buckets used.
    """

    lag_order: int
    aic: np.ndarray
    x_causes_y: tuple[float, float, int, int]
    y_causes_x: tuple[float, float, int, int]
    xcorr: pd.DataFrame
    irf: np.ndarray
    orth_irf: np.ndarray
    names: tuple[str, str]
    n_obs: int

    def summary(self) -> str:
        x, y = self.names
        f1, p1, *_ = self.x_causes_y
        f2, p2, *_ = self.y_causes_x
        peak = self.xcorr.loc[self.xcorr["correlation"].abs().idxmax()]
        return "\n".join(
            [
                f"lead-lag of {x} and {y}: {self.n_obs} buckets, VAR lag {self.lag_order} (AIC)",
                f"  {x} -> {y}: Granger F = {f1:.2f}, p = {p1:.3g}",
                f"  {y} -> {x}: Granger F = {f2:.2f}, p = {p2:.3g}",
                f"  strongest cross-correlation {peak['correlation']:.3f} at lag "
                f"{int(peak['lag'])} (positive: {x} leads)",
                f"  response of {y} to a one-sd shock in {x}: "
                + ", ".join(f"{v:.3f}" for v in self.orth_irf[:, 1, 0]),
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        """The orthogonalised responses of y to an x shock, by horizon."""
        return pd.DataFrame(
            {
                "horizon": np.arange(len(self.orth_irf)),
                "response": self.orth_irf[:, 1, 0],
                "plain_response": self.irf[:, 1, 0],
            }
        )


def lead_lag(
    x: np.ndarray,
    y: np.ndarray,
    *,
    maxlags: int = 14,
    horizon: int = 14,
    names: tuple[str, str] = ("activity", "attention"),
) -> LeadLag:
    """Cross-correlation, Granger tests both ways and VAR impulse responses of ``y`` to ``x``
    (both shape (n,), no missing values)."""
    z = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    if not np.isfinite(z).all():
        raise BadInputError("lead-lag needs complete series (no missing buckets)", field="y")
    if len(z) < 4 * maxlags + 10:
        raise MissingDataError(f"{len(z)} buckets are too few for {maxlags} lags", field="y")
    if np.std(z[:, 0]) == 0 or np.std(z[:, 1]) == 0:
        raise MissingDataError("a constant series has no lead-lag", field="y")
    order, aic = select_lag_aic(z, maxlags)
    irf, orth = var_irf(z, order, horizon)
    return LeadLag(
        lag_order=order,
        aic=aic,
        x_causes_y=granger_f(z[:, 0], z[:, 1], order),
        y_causes_x=granger_f(z[:, 1], z[:, 0], order),
        xcorr=cross_correlation(z[:, 0], z[:, 1], maxlags),
        irf=irf,
        orth_irf=orth,
        names=names,
        n_obs=len(z),
    )
