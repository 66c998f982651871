"""Multiple-testing control: q-values and discovery counts wherever many events are tested.

A leader with thousands of statements is tested thousands of times; the lowest p-values among
them are expected to be small by chance. The false discovery rate (FDR) controls the expected
share of false discoveries among the rejections:

* Benjamini & Hochberg (1995): q_(i) = min_{j >= i} m p_(j) / j over the m finite p-values in
  ascending order (valid under independence or positive regression dependence);
* Benjamini & Yekutieli (2001): the same times c(m) = sum_{k<=m} 1/k, valid under any
  dependence (statements about one asset share calendar time, so their tests are dependent).

A discovery at rate ``alpha`` is a test with q <= alpha. q-values are computed with
``scipy.stats.false_discovery_control`` over the finite p-values only; NaN p-values (excluded
events) stay NaN and do not count in m. Tests check them against
``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import FDR_METHODS

METHOD_NAMES = {"bh": "Benjamini-Hochberg", "by": "Benjamini-Yekutieli"}


def check_fdr(rate: float, method: str) -> tuple[float, str]:
    """The FDR rate (0 < rate < 1) and method, checked at the door."""
    check_choice("fdr_method", method, FDR_METHODS)
    value = float(rate)
    if not 0.0 < value < 1.0:
        raise BadInputError(f"fdr must lie strictly between 0 and 1; got {rate!r}", field="fdr")
    return value, method


def q_values(p: ArrayLike, method: str = "bh") -> np.ndarray:
    """q-values of ``p`` (any shape) by ``method`` (``bh`` or ``by``); NaN where p is NaN."""
    check_choice("fdr_method", method, FDR_METHODS)
    arr = np.asarray(p, dtype=float)
    out = np.full(arr.shape, np.nan)
    finite = np.isfinite(arr)
    if finite.any():
        out[finite] = stats.false_discovery_control(np.clip(arr[finite], 0.0, 1.0), method=method)
    return out


@dataclass(frozen=True)
class Discoveries:
    """How many of m tests reject at ``rate``: raw (p <= rate) and controlling the FDR.

    Attributes: rate, method (``bh`` / ``by``), m (finite p-values), raw (p <= rate),
    discoveries (q <= rate by ``method``), discoveries_bh and discoveries_by (both methods).
    """

    rate: float
    method: str
    m: int
    raw: int
    discoveries: int
    discoveries_bh: int
    discoveries_by: int

    def summary(self) -> str:
        return (
            f"{self.raw} of {self.m} tests with p <= {self.rate:g}; {self.discoveries} "
            f"discoveries at FDR {self.rate:g} ({METHOD_NAMES[self.method]}; BH "
            f"{self.discoveries_bh}, BY {self.discoveries_by})"
        )

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def to_frame(self) -> pd.DataFrame:
        """One row: the fields of :meth:`to_dict`."""
        return pd.DataFrame([self.to_dict()])

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>"


def discoveries(p: ArrayLike, rate: float = 0.05, method: str = "bh") -> Discoveries:
    """Count raw rejections and FDR discoveries among the finite p-values of ``p``."""
    rate, method = check_fdr(rate, method)
    arr = np.asarray(p, dtype=float).ravel()
    finite = arr[np.isfinite(arr)]
    counts = {m: int(np.sum(q_values(finite, m) <= rate)) for m in FDR_METHODS}
    return Discoveries(
        rate=rate,
        method=method,
        m=int(finite.size),
        raw=int(np.sum(finite <= rate)),
        discoveries=counts[method],
        discoveries_bh=counts["bh"],
        discoveries_by=counts["by"],
    )


def with_q_values(frame: pd.DataFrame, p_columns: Sequence[str] = ("car_p",)) -> pd.DataFrame:
    """A copy of ``frame`` with, for each p-value column ``x_p`` present, the columns
    ``x_q_bh`` and ``x_q_by`` (``p_value`` gives ``q_value_bh`` / ``q_value_by``) placed right
    after it; the family is the column's rows. Existing columns are kept as they are."""
    out = frame.copy()
    for col in (c for c in p_columns if c in frame.columns):
        stem = col[: -len("_p")] + "_q" if col.endswith("_p") else "q_value"
        where = int(out.columns.get_loc(col))
        p = pd.to_numeric(out[col], errors="coerce").to_numpy(float)
        for k, method in enumerate(FDR_METHODS, start=1):
            out.insert(where + k, f"{stem}_{method}", q_values(p, method))
    return out
