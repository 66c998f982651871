"""Do mean CARs differ between groups of events (channel, topic, leader)?

* two groups: Welch (1947) t with Welch-Satterthwaite degrees of freedom;
* more groups: one-way ANOVA F (Fisher) and Kruskal-Wallis (1952) H with tie correction,
  chi2(g - 1).

Group sums come from :func:`numpy.bincount` over integer group codes: one pass, no loop over
events or groups.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from leaderlens.errors import BadInputError
from leaderlens.study.result import TestResult, df_label, t_p


def group_difference(values: ArrayLike, labels: ArrayLike) -> tuple[TestResult, ...]:
    """Tests of equal group means of ``values`` (e.g. CARs); NaN values are left out.

    Returns (Welch t,) for two groups, (ANOVA F, Kruskal-Wallis H) for three or more.
    The Welch t is group 2 minus group 1 in sorted label order.
    """
    x = np.asarray(values, dtype=np.float64)
    lab = np.asarray(labels)
    if lab.shape != x.shape:
        raise BadInputError(
            f"labels must have the shape of values {x.shape}; got {lab.shape}", field="labels"
        )
    keep = np.isfinite(x)
    names, code = np.unique(lab[keep], return_inverse=True)
    x = x[keep]
    g = names.size
    counts = np.bincount(code, minlength=g).astype(np.float64)
    if g < 2 or (counts < 2).any():
        sizes = dict(zip(names.tolist(), counts.astype(int).tolist(), strict=True))
        raise BadInputError(
            f"need at least 2 groups of at least 2 values; got group sizes {sizes}",
            field="labels",
        )
    means = np.bincount(code, weights=x, minlength=g) / counts
    dev = x - means[code]
    var = np.bincount(code, weights=dev * dev, minlength=g) / (counts - 1.0)
    n = x.size
    if g == 2:
        se2 = var / counts
        stat = float((means[1] - means[0]) / np.sqrt(se2.sum()))
        df = float(se2.sum() ** 2 / (se2**2 / (counts - 1.0)).sum())
        return (
            TestResult(
                f"Welch t ({names[1]} - {names[0]})",
                stat,
                float(t_p(stat, df)),
                df_label(df),
                "the two groups have the same mean",
                n,
            ),
        )
    grand = x.mean()
    between = (counts * (means - grand) ** 2).sum() / (g - 1)
    within = (dev * dev).sum() / (n - g)
    f = float(between / within)
    ranks = stats.rankdata(x)
    rank_sums = np.bincount(code, weights=ranks, minlength=g)
    h = 12.0 / (n * (n + 1)) * (rank_sums**2 / counts).sum() - 3.0 * (n + 1)
    _, ties = np.unique(x, return_counts=True)
    h = float(h / (1.0 - (ties**3 - ties).sum() / (n**3 - n)))
    return (
        TestResult(
            "one-way ANOVA F",
            f,
            float(stats.f.sf(f, g - 1, n - g)),
            f"F({g - 1}, {n - g})",
            "all groups have the same mean",
            n,
        ),
        TestResult(
            "Kruskal-Wallis H",
            h,
            float(stats.chi2.sf(h, g - 1)),
            f"chi2({g - 1})",
            "all groups come from the same distribution",
            n,
        ),
    )
