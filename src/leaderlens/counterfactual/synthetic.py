"""Synthetic control (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010, JASA 105).

The synthetic unit is a convex combination of donors, w >= 0, sum(w) = 1, chosen to reproduce
the treated unit before the moment. Without predictors the fit is on the pre-period outcomes
themselves (every pre-period value a predictor, equal weights). With predictors (k rows, one
column per unit, the treated unit first) the weights minimise (X1 - X0 w)' V (X1 - X0 w), V
diagonal, and V is chosen, as ADH do, to minimise the pre-period outcome MSPE of the resulting
synthetic unit (predictors scaled to unit variance across units first).

Inference: placebo-in-space (every donor in turn treated as if it had the moment, the treated
unit left out of its donor pool; the rank of the treated unit's post/pre RMSPE ratio among all
units gives the permutation p-value, rank / number of units) and placebo-in-time (a fake moment
inside the pre-period, fitted on the data before it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize

from leaderlens.errors import BadInputError, check_choice

VWeights = Literal["equal", "fitted"]


@dataclass(frozen=True)
class SyntheticFit:
    """weights: (J,) on the simplex; v: (k,) predictor weights (None: outcomes only);
    synthetic: (T,) the synthetic unit; gap: (T,) treated - synthetic; pre_rmspe and
    post_rmspe over the pre and post rows."""

    weights: np.ndarray
    v: np.ndarray | None
    synthetic: np.ndarray
    gap: np.ndarray
    pre_rmspe: float
    post_rmspe: float

    @property
    def ratio(self) -> float:
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf


def simplex_weights(
    target: np.ndarray, donors: np.ndarray, v: np.ndarray | None = None
) -> np.ndarray:
    """argmin_w sum_i v_i (target_i - donors_i . w)^2 over the simplex (w >= 0, sum 1).

    Lawson-Hanson non-negative least squares (scipy) on the rows augmented with a heavily
    weighted row sum(w) = 1 finds the support; the weights are then solved exactly on it from
    the equality-constrained normal equations (KKT), which removes the penalty's bias.
    """
    target = np.asarray(target, dtype=float)
    donors = np.asarray(donors, dtype=float)
    scale = np.sqrt(np.ones(len(target)) if v is None else np.asarray(v, dtype=float))
    a, b = donors * scale[:, None], target * scale
    norm = max(float(np.abs(a).max()), 1e-300)
    a, b = a / norm, b / norm
    heavy = 1e3 * max(1.0, float(np.sqrt((a**2).sum(axis=0)).max()))
    w, _ = optimize.nnls(
        np.vstack([a, np.full(a.shape[1], heavy)]), np.append(b, heavy), maxiter=50 * a.shape[1]
    )
    if w.sum() <= 0:
        raise BadInputError("no convex combination of the donors fits", field="controls")
    return _polish(a.T @ a, a.T @ b, w / w.sum())


def _polish(ata: np.ndarray, atb: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Solve min w'Aw - 2w'b with sum(w) = 1 exactly on the support of ``w``; keep ``w`` when
    the exact solution leaves the simplex (the support was not yet the right one)."""
    support = np.flatnonzero(w > 1e-7)
    k = support.size
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = 2 * ata[np.ix_(support, support)]
    kkt[:k, k] = kkt[k, :k] = 1.0
    rhs = np.append(2 * atb[support], 1.0)
    try:
        exact = np.linalg.solve(kkt, rhs)[:k]
    except np.linalg.LinAlgError:
        return w
    if (exact < 0).any():
        return w
    out = np.zeros_like(w)
    out[support] = exact
    return out


def synthetic_control(
    y: np.ndarray,
    donors: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    predictors: np.ndarray | None = None,
    v: VWeights = "equal",
) -> SyntheticFit:
    """Fit the synthetic unit of ``y`` (T,) from ``donors`` (T, J) on the ``pre`` rows.

    ``predictors`` (k, 1 + J), treated unit first, fits on those instead of every pre-period
    outcome: with ``v="equal"`` as they are, with ``v="fitted"`` by ADH's V-weighting.
    """
    check_choice("v", v, ("equal", "fitted"))
    y = np.asarray(y, dtype=float)
    donors = np.asarray(donors, dtype=float)
    pre, post = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
    if donors.ndim != 2 or donors.shape[1] < 1:
        raise BadInputError("synthetic control needs at least one donor", field="controls")
    if pre.sum() < 2:
        raise BadInputError("synthetic control needs at least two pre-period bars", field="pre")
    v_fit = None
    if predictors is None:
        w = simplex_weights(y[pre], donors[pre])
    elif v == "equal":
        w = simplex_weights(predictors[:, 0], predictors[:, 1:])
    else:
        w, v_fit = _v_weighted(y[pre], donors[pre], np.asarray(predictors, dtype=float))
    synthetic = donors @ w
    gap = y - synthetic
    return SyntheticFit(
        weights=w,
        v=v_fit,
        synthetic=synthetic,
        gap=gap,
        pre_rmspe=float(np.sqrt(np.mean(gap[pre] ** 2))),
        post_rmspe=float(np.sqrt(np.mean(gap[post] ** 2))),
    )


def _v_weighted(
    y_pre: np.ndarray, donors_pre: np.ndarray, predictors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ADH's nested problem: V minimising the pre-period outcome MSPE of w*(V)."""
    sd = predictors.std(axis=1, ddof=1)
    x = predictors / np.where(sd > 0, sd, 1.0)[:, None]
    x1, x0 = x[:, 0], x[:, 1:]

    def weights(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = np.exp(theta - theta.max())
        v /= v.sum()
        return simplex_weights(x1, x0, v), v

    def loss(theta: np.ndarray) -> float:
        return float(np.mean((y_pre - donors_pre @ weights(theta)[0]) ** 2))

    k = x.shape[0]
    simplex = np.vstack([np.zeros(k), np.eye(k) * 2.0])  # steps of e^2 in the ratios of V
    best = optimize.minimize(
        loss,
        np.zeros(k),
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": 1e-3, "fatol": 1e-10, "maxiter": 400 * k},
    )
    return weights(best.x)


@dataclass(frozen=True)
class PlaceboSpace:
    """Every unit treated in turn: units[0] is the treated one. ``pre_rmspe``, ``post_rmspe``
    and ``ratio`` per unit; ``rank`` of the treated unit's ratio (1 = largest) and
    ``p = rank / units``, the permutation p-value (ADH 2010, section 4)."""

    pre_rmspe: np.ndarray
    post_rmspe: np.ndarray
    ratio: np.ndarray
    rank: int
    p: float


def placebo_in_space(
    units: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    predictors: np.ndarray | None = None,
    v: VWeights = "equal",
) -> PlaceboSpace:
    """``units`` (T, 1 + J), the treated unit first (``predictors`` (k, 1 + J) likewise); each
    unit's donors are the other donors (never the treated unit). One fit per unit: units are
    few, each fit is an optimisation."""
    n_units = units.shape[1]
    pre_r, post_r = np.empty(n_units), np.empty(n_units)
    for j in range(n_units):
        others = [i for i in range(1, n_units) if i != j]
        own = None if predictors is None else predictors[:, [j, *others]]
        fit = synthetic_control(units[:, j], units[:, others], pre, post, own, v)
        pre_r[j], post_r[j] = fit.pre_rmspe, fit.post_rmspe
    ratio = post_r / pre_r
    rank = int((ratio >= ratio[0]).sum())
    return PlaceboSpace(pre_r, post_r, ratio, rank, rank / n_units)


def placebo_in_time(y: np.ndarray, donors: np.ndarray, pre: np.ndarray, fake: int) -> SyntheticFit:
    """The same fit with a fake moment at row ``fake`` inside the pre-period: fitted on the
    pre-period rows before it, judged on the pre-period rows from it on (a real effect should
    not appear there)."""
    rows = np.arange(len(y))
    pre = np.asarray(pre, dtype=bool)
    if not (pre[fake] and (pre & (rows < fake)).sum() >= 2):
        raise BadInputError(
            "the placebo moment must fall inside the pre-period, after two bars of it",
            field="placebo_time",
        )
    return synthetic_control(y, donors, pre & (rows < fake), pre & (rows >= fake))
