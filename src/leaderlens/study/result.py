"""The result of one hypothesis test, and the two-sided p-values the battery uses.

Every test in the event-study battery answers with a :class:`TestResult` that names its
statistic, the reference distribution it was compared with and the null hypothesis in words
(the shape of linearmodels' ``WaldTestStatistic``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats


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
    """Two-sided p-value of a standard-normal statistic."""
    return np.asarray(2.0 * stats.norm.sf(np.abs(np.asarray(z, dtype=float))), dtype=float)


def t_p(t: ArrayLike, df: ArrayLike) -> NDArray[np.float64]:
    """Two-sided p-value of a Student-t statistic with ``df`` degrees of freedom."""
    t_arr = np.asarray(t, dtype=float)
    return np.asarray(2.0 * stats.t.sf(np.abs(t_arr), np.asarray(df, dtype=float)), dtype=float)


def df_label(df: float) -> str:
    """``"t(24)"`` for whole degrees of freedom, ``"t(233.14)"`` otherwise."""
    return f"t({df:.0f})" if float(df).is_integer() else f"t({df:.2f})"
