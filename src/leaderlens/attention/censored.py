"""The marked Hawkes process observed as counts per bucket: exact post times against
bucketed attention (a search-interest index, mention counts per hour or day).

When only counts ``y_b`` on a regular grid of width ``D`` hours are known, the intensity of
:mod:`leaderlens.attention.hawkes` integrates over bucket ``b`` to

    C_b = E_b + n (g_0 C_b + sum_{k >= 1} g_k y_{b-k}),
    E_b = mu_b D + sum_m alpha_m int_b (beta_m sum_j exp(-beta_m (t - s_j))) dt,

with ``g_k`` the share of an exponential cascade kernel that falls ``k`` buckets after a parent
spread evenly over its bucket: ``g_0 = 1 - (1 - r)/(theta D)``, ``g_k = (1 - r)^2 r^(k-1) /
(theta D)``, ``r = exp(-theta D)``. The post times stay exact (the mark integrals are exact);
the cascade is driven by the observed counts of earlier buckets, which makes the bucketed
Hawkes process an INAR(infinity) / Poisson autoregression (Kirchner 2016, *Stochastic
Processes and their Applications* 126) and gives a conditional likelihood. This is the
partially interval-censored setting of Rizoiu et al. (WWW 2017, the Hawkes Intensity Process)
and Calderon, Soen & Rizoiu (2023). Counts get the Poisson quasi-likelihood: estimates are
those of the Poisson likelihood, standard errors are scaled by the Pearson dispersion (an
index such as Google Trends is not a count).
"""

from __future__ import annotations

import numpy as np
from scipy import signal, special

from leaderlens.attention.hawkes import (
    HawkesFit,
    bounds,
    decayed_sums,
    maximise,
    start_values,
)
from leaderlens.errors import BadInputError, MissingDataError

_STEP = 1e-5  # central-difference step of log(theta)


def mark_mass(edges: np.ndarray, sources: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Triggered mass of one post of unit size in each bucket, summed over ``sources``, and
    its derivative in ``log beta``; shapes (B,). ``F(tau) = sum_{s < tau} (1 - exp(-beta
    (tau - s)))`` differenced over the edges; ``dF/dlog beta = U(tau)``."""
    r, u = decayed_sums(edges, sources, beta)
    before = np.searchsorted(sources, edges, side="left")
    return np.diff(before - r), np.diff(u)


def _kernel_shares(theta: float, width: float) -> tuple[float, float, float]:
    """``g_0``, ``c = g_1`` and ``r`` of the bucketed exponential cascade kernel."""
    r = float(np.exp(-theta * width))
    spread = theta * width
    return 1.0 - (1.0 - r) / spread, (1.0 - r) ** 2 / spread, r


def _cascade(y_parent: np.ndarray, theta: float, width: float) -> tuple[np.ndarray, float, float]:
    """``c Z_b = c sum_{k >= 1} r^(k-1) y_{b-k}`` (the earlier buckets' offspring per unit n)
    and ``g_0``, ``c``."""
    g0, c, r = _kernel_shares(theta, width)
    return c * signal.lfilter([0.0, 1.0], [1.0, -r], y_parent), g0, c


def expected(
    x: np.ndarray, y_parent: np.ndarray, design: np.ndarray, width: float, masses: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected counts ``C`` (B,), their direct components (baseline, each mark; shape
    (M + 1, B)), and the Jacobian ``dC/dx`` (B, P)."""
    p, m = design.shape[1], len(masses)
    sizes = np.exp(x[p : p + m])
    n = float(np.exp(x[-2]))
    base = np.exp(np.einsum("bp,p->b", design, x[:p])) * width
    direct = np.vstack([base[None, :], sizes[:, None] * np.array([f for f, _ in masses])])
    energy = direct.sum(axis=0)

    def counts(log_theta: float) -> tuple[np.ndarray, np.ndarray, float]:
        cz, g0, _ = _cascade(y_parent, float(np.exp(log_theta)), width)
        return (energy + n * cz) / (1.0 - n * g0), cz, g0

    total, cz, g0 = counts(x[-1])
    scale = 1.0 / (1.0 - n * g0)
    jac = np.empty((len(total), len(x)))
    jac[:, :p] = (base * scale)[:, None] * design
    jac[:, p : p + m] = (direct[1:] * scale).T
    jac[:, p + m : p + 2 * m] = np.array([sizes[k] * masses[k][1] for k in range(m)]).T * scale
    jac[:, -2] = n * (cz + g0 * total) * scale
    jac[:, -1] = (counts(x[-1] + _STEP)[0] - counts(x[-1] - _STEP)[0]) / (2 * _STEP)
    return total, direct, jac


def fit_counts(
    y: np.ndarray,
    edges: np.ndarray,
    marks: list[np.ndarray],
    design: np.ndarray,
) -> HawkesFit:
    """Fit the bucketed marked Hawkes process to counts ``y`` (B,) on the regular grid
    ``edges`` (B + 1, hours since the epoch) with exact post times per mark and the baseline
    regressors ``design`` (B, p). Missing counts (NaN) leave the likelihood; as parents of
    later buckets they are interpolated linearly."""
    y = np.asarray(y, dtype=np.float64)
    widths = np.diff(edges)
    if len(y) != len(widths) or design.shape[0] != len(y):
        raise BadInputError("y, edges and design must describe the same buckets", field="y")
    if not np.allclose(widths, widths[0]):
        raise BadInputError("counts need a regular bucket grid", field="edges")
    seen = np.isfinite(y)
    if seen.sum() < design.shape[1] + 2 * len(marks) + 10:
        raise MissingDataError(f"{int(seen.sum())} observed buckets; too few to fit", field="y")
    if np.any(y[seen] < 0):
        raise BadInputError("counts must be >= 0", field="y")
    idx = np.arange(len(y))
    parent = np.interp(idx, idx[seen], y[seen])
    width = float(widths[0])
    p, m = design.shape[1], len(marks)
    const = float(np.sum(special.gammaln(y[seen] + 1.0)))

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        masses = [mark_mass(edges, s, float(np.exp(x[p + m + k]))) for k, s in enumerate(marks)]
        mean, _, jac = expected(x, parent, design, width, masses)
        mean = np.maximum(mean, 1e-300)
        value = float(np.sum(y[seen] * np.log(mean[seen]) - mean[seen])) - const
        return value, np.einsum("bp,b->p", jac[seen], y[seen] / mean[seen] - 1.0)

    x0 = start_values(design, widths, float(np.nansum(y)), [len(s) for s in marks])
    x, value, converged, at_bound = maximise(objective, x0, bounds(p, m))
    masses = [mark_mass(edges, s, float(np.exp(x[p + m + k]))) for k, s in enumerate(marks)]
    mean, direct, jac = expected(x, parent, design, width, masses)
    info = np.einsum("bp,b,bq->pq", jac[seen], 1.0 / mean[seen], jac[seen])
    dof = max(int(seen.sum()) - len(x), 1)
    dispersion = float(np.sum((y[seen] - mean[seen]) ** 2 / mean[seen]) / dof)
    by_bucket = np.vstack([direct, (mean - direct.sum(axis=0))[None, :]])
    return HawkesFit(
        x=x,
        cov=dispersion * np.linalg.pinv(info),
        loglik=value,
        n_obs=int(seen.sum()),
        by_bucket=by_bucket,
        mass=by_bucket.sum(axis=1),
        converged=converged,
        at_bound=at_bound,
        n_baseline=p,
        kind="counts",
        dispersion=dispersion,
    )


def forecast(
    fit: HawkesFit,
    y_history: np.ndarray,
    edges: np.ndarray,
    marks: list[np.ndarray],
    design: np.ndarray,
    origin: int,
    horizon: int,
) -> np.ndarray:
    """Expected counts of buckets ``origin .. origin + horizon - 1`` given the observed counts
    before ``origin`` and the posts made before the forecast is issued (``edges[origin]``);
    later buckets' own forecasts feed the cascade. ``edges``/``design`` cover the history and
    the horizon; shape (horizon,)."""
    cut = edges[origin]
    known = [s[s < cut] for s in marks]
    p, m = design.shape[1], len(marks)
    masses = [mark_mass(edges, s, float(np.exp(fit.x[p + m + k]))) for k, s in enumerate(known)]
    path = np.asarray(y_history[:origin], dtype=np.float64)
    idx = np.arange(len(path))
    ok = np.isfinite(path)
    path = np.interp(idx, idx[ok], path[ok])
    out = np.empty(horizon)
    width = float(edges[1] - edges[0])
    for h in range(horizon):  # each step's forecast is the next step's parent
        b = origin + h
        parent = np.r_[path, 0.0]
        mean, _, _ = expected(
            fit.x, parent, design[: b + 1], width, [(f[: b + 1], d[: b + 1]) for f, d in masses]
        )
        out[h] = mean[b]
        path = np.r_[path, mean[b]]
    return out
