"""Activity regression for a prolific poster (METHODS section 3).

When a leader posts on most days, events overlap and an event study loses its clean
benchmark. The activity regression measures the same effect on the whole series:

    R_t = a + b R_mt + c activity_t (+ d sentiment_t) + e_t

by OLS with Newey & West (1987) heteroskedasticity- and autocorrelation-consistent standard
errors (Bartlett kernel). It is one regression, so statsmodels fits it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from numpy.typing import ArrayLike

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.study.models import FloatArray
from leaderlens.study.result import TestResult


@dataclass(frozen=True)
class ActivityRegression:
    """OLS fit with Newey-West standard errors.

    Attributes:
        names: ("const", "market", "activity"[, "sentiment"]).
        params, se, t, p_value: (k,) coefficients, HAC standard errors, t = params / se and
            two-sided normal p-values (asymptotic, as the HAC theory gives them).
        nobs: bars used (rows with a missing value are left out); maxlags: Bartlett lags;
        r2: R squared; small_sample: whether the n / (n - k) correction was applied.
    """

    names: tuple[str, ...]
    params: FloatArray
    se: FloatArray
    t: FloatArray
    p_value: FloatArray
    nobs: int
    maxlags: int
    r2: float
    small_sample: bool

    def summary(self) -> str:
        """Coefficients with Newey-West errors as a text table."""
        lines = [
            f"Activity regression (OLS, Newey-West errors with {self.maxlags} lags): "
            f"{self.nobs} sessions, R^2 = {self.r2:.4f}",
            f"  {'term':<10}{'coef':>12}{'se':>12}{'z':>8}{'p':>8}",
        ]
        lines += [
            f"  {n:<10}{b:>12.6f}{e:>12.6f}{z:>8.2f}{p:>8.4f}"
            for n, b, e, z, p in zip(
                self.names, self.params, self.se, self.t, self.p_value, strict=True
            )
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """Coefficients by term (coef, se, z, p), nobs, lags, R^2."""
        return {
            "terms": {
                n: {"coef": float(b), "se": float(e), "z": float(z), "p_value": float(p)}
                for n, b, e, z, p in zip(
                    self.names, self.params, self.se, self.t, self.p_value, strict=True
                )
            },
            "nobs": self.nobs,
            "maxlags": self.maxlags,
            "r2": self.r2,
            "small_sample": self.small_sample,
        }

    def test(self, name: str = "activity") -> TestResult:
        """The z test of one coefficient being zero."""
        if name not in self.names:
            raise BadInputError(
                f"name must be one of {', '.join(self.names)}; got {name!r}", field="name"
            )
        i = self.names.index(name)
        return TestResult(
            f"Newey-West z of {name}",
            float(self.t[i]),
            float(self.p_value[i]),
            "N(0,1)",
            f"the {name} coefficient is zero",
            self.nobs,
        )


def newey_west_lags(nobs: int) -> int:
    """floor(4 (n / 100)^(2/9)), the Newey & West (1994) rule of thumb."""
    return int(np.floor(4.0 * (nobs / 100.0) ** (2.0 / 9.0)))


def activity_regression(
    returns: ArrayLike,
    market: ArrayLike,
    activity: ArrayLike,
    sentiment: ArrayLike | None = None,
    *,
    maxlags: int | None = None,
    small_sample: bool = False,
) -> ActivityRegression:
    """Fit R_t = a + b R_mt + c activity_t (+ d sentiment_t) + e_t with Newey-West SEs.

    Args:
        returns, market, activity, sentiment: aligned series of one asset (same length).
        maxlags: Bartlett lags; default :func:`newey_west_lags` of the bars used.
        small_sample: multiply the covariance by n / (n - k) (statsmodels ``use_correction``).
    """
    cols = [returns, market, activity] + ([] if sentiment is None else [sentiment])
    arrays = [np.asarray(c, dtype=np.float64).ravel() for c in cols]
    if len({a.size for a in arrays}) != 1:
        raise BadInputError(
            f"series must have one length; got {[a.size for a in arrays]}", field="activity"
        )
    data = np.column_stack(arrays)
    data = data[np.isfinite(data).all(axis=1)]
    names = ("const", "market", "activity") + (() if sentiment is None else ("sentiment",))
    if data.shape[0] <= len(names) + 1:
        raise MissingDataError(
            f"the activity regression needs more than {len(names) + 1} "
            f"complete bars; got {data.shape[0]}"
        )
    lags = newey_west_lags(data.shape[0]) if maxlags is None else int(maxlags)
    design = np.column_stack([np.ones(data.shape[0]), data[:, 1:]])
    res = sm.OLS(data[:, 0], design).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": small_sample}
    )
    return ActivityRegression(
        names=names,
        params=np.asarray(res.params),
        se=np.asarray(res.bse),
        t=np.asarray(res.tvalues),
        p_value=np.asarray(res.pvalues),
        nobs=int(res.nobs),
        maxlags=lags,
        r2=float(res.rsquared),
        small_sample=small_sample,
    )
