"""The result of one hypothesis test, and the two-sided p-values the battery uses.

Every test in the event-study battery answers with a :class:`TestResult` that names its
statistic, the reference distribution it was compared with and the null hypothesis in words
(the shape of linearmodels' ``WaldTestStatistic``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test.

    Attributes:
        name: the test, with its source (e.g. ``"Patell (1976) Z"``).
        statistic: the value of the test statistic.
        p_value: two-sided p-value under ``distribution`` (NaN when undefined).
        distribution: the reference distribution, e.g. ``"N(0,1)"`` or ``"t(24)"``.
        null: the null hypothesis in words.
        n: the number of events the statistic used.
    """

    __test__ = False  # a result type, not a pytest test class

    name: str
    statistic: float
    p_value: float
    distribution: str
    null: str
    n: int

    def summary(self) -> str:
        """One line: name, statistic, p-value, distribution and n."""
        return (
            f"{self.name}: {self.statistic:.4f} (p = {self.p_value:.4g}, "
            f"{self.distribution}, n = {self.n}); H0: {self.null}"
        )


def normal_p(z: ArrayLike) -> NDArray[np.float64]:
    """Two-sided p-value of a standard-normal statistic: 2 Phi(-|z|) (the function
    ``scipy.stats.norm.sf`` evaluates, without its argument handling)."""
    return np.asarray(2.0 * special.ndtr(-np.abs(np.asarray(z, dtype=float))), dtype=float)


def t_p(t: ArrayLike, df: ArrayLike) -> NDArray[np.float64]:
    """Two-sided p-value of a Student-t statistic with ``df`` degrees of freedom: 2 F(-|t|)
    with F the t(df) distribution function (``scipy.special.stdtr``, which
    ``scipy.stats.t.sf`` evaluates, without its argument handling)."""
    t_arr = np.abs(np.asarray(t, dtype=float))
    return np.asarray(2.0 * special.stdtr(np.asarray(df, dtype=float), -t_arr), dtype=float)


def df_label(df: float) -> str:
    """``"t(24)"`` for whole degrees of freedom, ``"t(233.14)"`` otherwise."""
    return f"t({df:.0f})" if float(df).is_integer() else f"t({df:.2f})"
