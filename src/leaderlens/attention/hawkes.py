"""Self-exciting (Hawkes) attention with exogenous marks: the numeric core.

The brand's mentions arrive at times ``t_i`` (hours) with intensity

    lambda(t) = mu(t)
              + sum_m alpha_m beta_m sum_{s_j in posts of mark m, s_j < t} exp(-beta_m (t - s_j))
              + n theta sum_{t_i < t} exp(-theta (t - t_i))

(Hawkes 1971; with exogenous marks as in Rizoiu et al., WWW 2017, and Zhao et al., KDD 2015).
``alpha_m`` is the number of mentions one post of mark ``m`` triggers directly, ``1/beta_m`` the
decay time of that response; ``n`` is the branching ratio (mentions triggered by one mention),
``1/(1 - n)`` the cascade multiplier, ``1/theta`` the decay time of the cascade. The baseline
``mu(t) = exp(x(t)' gamma)`` is piecewise constant on an hourly grid (or the buckets given),
with a slow trend (linear B-spline "hats" every few weeks), and daily and weekly Fourier cycles.

The likelihood ``sum_i log lambda(t_i) - int lambda`` (Ogata 1978) is maximised by L-BFGS-B on
log-parameters; the exponential kernels make every kernel sum an O(n log n) array operation
(:func:`decayed_sums`), never a loop over events. Standard errors come from the observed
information (the Hessian of the log-likelihood, by differences of the gradient).

No Python Hawkes library does this on 3.11 (tick fails at construction, hawkeslib does not
build), so the likelihood is written here; ``tests/attention/test_cascade.py`` checks it
against an independent branching-construction simulator and a direct O(n^2) sum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import optimize, signal, stats

from leaderlens.errors import BadInputError, MissingDataError

# One-dimensional dot products go through np.einsum: a BLAS ``@`` on long vectors costs
# milliseconds on the shared machines' OpenBLAS builds, einsum microseconds.
# Segment width on the ``beta * t`` scale for the vectorised kernel sums: within a segment the
# terms lie in (exp(-W), 1], so nothing overflows and nothing cancels badly.
_W = 4.0
# Decay rates (per hour) are kept between one minute (60/h) and sixty days (1/1440 h).
LOG_BETA_BOUNDS = (np.log(1.0 / 1440.0), np.log(60.0))
LOG_N_BOUNDS = (np.log(1e-4), np.log(0.999))
_STEP = 1e-4  # step of the forward differences behind the observed information


def decayed_sums(
    targets: np.ndarray, sources: np.ndarray, beta: float, before: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``R(t) = sum_{s_j < t} exp(-beta u_j)`` and ``U(t) = sum_{s_j < t} beta u_j
    exp(-beta u_j)`` with ``u_j = t - s_j``, at each target (``-U/beta`` is ``dR/dbeta``);
    both inputs sorted; ``before`` (optional) is ``searchsorted(sources, targets, "left")``.

    Vectorised form of the O(n) recursion ``R_i = exp(-beta dt)(R_{i-1} + 1)``: the axis
    ``z = beta t`` is cut into segments of width ``_W``; sums inside a segment are cumulative
    sums of terms in (exp(-W), 1], and the carries from earlier segments follow the constant-
    coefficient recursions ``C_{g+1} = exp(-W) C_g + S_g`` and
    ``D_{g+1} = exp(-W) (D_g + W C_g) + T_g``, run by ``scipy.signal.lfilter``.
    Shapes: like ``targets``."""
    if len(sources) == 0 or len(targets) == 0:
        return np.zeros(len(targets)), np.zeros(len(targets))
    origin = min(float(targets[0]), float(sources[0]))
    zs = beta * (sources - origin)
    zt = beta * (targets - origin)
    gs = np.floor(zs / _W).astype(np.int64)
    gt = np.floor(zt / _W).astype(np.int64)
    lag = _W * (gs + 1) - zs  # distance to the end of the source's segment, in [0, W)
    terms = np.exp(-lag)
    weighted = lag * terms
    size = int(max(gs[-1], gt[-1])) + 2
    decay = np.exp(-_W)
    totals = np.bincount(gs, weights=terms, minlength=size)
    carry = signal.lfilter([0.0, 1.0], [1.0, -decay], totals)
    carry_w = signal.lfilter(
        [0.0, 1.0],
        [1.0, -decay],
        np.bincount(gs, weights=weighted, minlength=size) + _W * decay * carry,
    )
    if before is None:
        before = np.searchsorted(sources, targets, side="left")
    first = np.concatenate([[0], np.cumsum(np.bincount(gs, minlength=size))])[gt]
    cum = np.concatenate([[0.0], np.cumsum(terms)])
    cum_w = np.concatenate([[0.0], np.cumsum(weighted)])
    inside = cum[before] - cum[first] + decay * carry[gt]
    inside_w = cum_w[before] - cum_w[first] + decay * (carry_w[gt] + _W * carry[gt])
    scale = np.exp(_W * (gt + 1) - zt)
    offset = zt - _W * (gt + 1)  # in [-W, 0)
    return scale * inside, scale * (offset * inside + inside_w)


def kernel_mass(sources: np.ndarray, beta: float, start: float, end: float) -> tuple[float, float]:
    """``sum_j int_start^end beta exp(-beta (t - s_j)) 1{t > s_j} dt`` over sources < end (the
    compensator of a unit exponential kernel on the window; sources before ``start`` count
    with their remaining tail), and its derivative in ``log beta``."""
    s = sources[sources < end]
    lead = beta * np.maximum(start - s, 0.0)
    tail = beta * (end - s)
    e_lead, e_tail = np.exp(-lead), np.exp(-tail)
    return float(np.sum(e_lead - e_tail)), float(np.sum(tail * e_tail - lead * e_lead))


@dataclass(frozen=True)
class Layout:
    """What the likelihood needs besides the parameters.

    events: mention times in hours, sorted, inside ``[edges[0], edges[-1])``; shape (N,).
    marks: one sorted array of post times (hours) per mark type; posts before ``edges[0]``
        act through their tail.
    edges: baseline bucket edges in hours; shape (B + 1,).
    design: baseline regressors per bucket; shape (B, p).
    past: earlier mentions (before ``edges[0]``) that still excite the window but are not
        modelled in it: a held-out window is scored with them as history.
    """

    events: np.ndarray
    marks: tuple[np.ndarray, ...]
    edges: np.ndarray
    design: np.ndarray
    past: np.ndarray = field(default_factory=lambda: np.empty(0))

    @cached_property
    def widths(self) -> np.ndarray:
        return np.diff(self.edges)

    @cached_property
    def event_bucket(self) -> np.ndarray:
        return np.searchsorted(self.edges, self.events, side="right") - 1

    @cached_property
    def sources(self) -> tuple[np.ndarray, ...]:
        """Every kernel's sources: the marks, then the mentions themselves (the cascade)."""
        return (*self.marks, np.concatenate([self.past, self.events]))

    @cached_property
    def before(self) -> tuple[np.ndarray, ...]:
        """For each kernel, how many of its sources lie strictly before each event."""
        return tuple(np.searchsorted(s, self.events, side="left") for s in self.sources)

    @property
    def n_params(self) -> int:
        return self.design.shape[1] + 2 * len(self.marks) + 2


def _sizes_rates(x: np.ndarray, p: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Kernel sizes ``(alpha_1..alpha_M, n)`` and rates ``(beta_1..beta_M, theta)``."""
    sizes = np.exp(np.concatenate([x[p : p + m], x[-2:-1]]))
    rates = np.exp(np.concatenate([x[p + m : p + 2 * m], x[-1:]]))
    return sizes, rates


def intensities(
    x: np.ndarray, lay: Layout
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each component of the intensity at every event (rows: baseline, one per mark,
    cascade), shape (M + 2, N); each component's integral over the window, shape (M + 2,);
    and the derivatives of the triggered rows and integrals in their log decay rate,
    shapes (M + 1, N) and (M + 1,)."""
    p, m = lay.design.shape[1], len(lay.marks)
    sizes, rates = _sizes_rates(x, p, m)
    mu = np.exp(np.einsum("bp,p->b", lay.design, x[:p]))
    start, end = float(lay.edges[0]), float(lay.edges[-1])
    comp = np.empty((m + 2, len(lay.events)))
    mass = np.empty(m + 2)
    d_comp = np.empty((m + 1, len(lay.events)))
    d_mass = np.empty(m + 1)
    comp[0] = mu[lay.event_bucket]
    mass[0] = float(np.sum(mu * lay.widths))
    for k in range(m + 1):  # one vectorised kernel sum per mark type, and the cascade
        r, u = decayed_sums(lay.events, lay.sources[k], rates[k], lay.before[k])
        scale = sizes[k] * rates[k]
        comp[1 + k] = scale * r
        d_comp[k] = scale * (r - u)  # d(beta R)/d log beta = beta (R + beta dR/dbeta)
        km, dkm = kernel_mass(lay.sources[k], rates[k], start, end)
        mass[1 + k] = sizes[k] * km
        d_mass[k] = sizes[k] * dkm
    return comp, mass, d_comp, d_mass


def loglik(x: np.ndarray, lay: Layout) -> float:
    """Log-likelihood ``sum_i log lambda(t_i) - int lambda``."""
    comp, mass, _, _ = intensities(x, lay)
    return float(np.sum(np.log(comp.sum(axis=0))) - mass.sum())


def gradient(x: np.ndarray, lay: Layout) -> tuple[float, np.ndarray]:
    """Log-likelihood and its exact gradient in the log-parameters."""
    p, m = lay.design.shape[1], len(lay.marks)
    comp, mass, d_comp, d_mass = intensities(x, lay)
    lam = comp.sum(axis=0)
    value = float(np.sum(np.log(lam)) - mass.sum())
    inv = 1.0 / lam
    grad = np.empty_like(x)
    mu = np.exp(np.einsum("bp,p->b", lay.design, x[:p]))
    share = np.bincount(lay.event_bucket, weights=comp[0] * inv, minlength=len(mu))
    grad[:p] = np.einsum("bp,b->p", lay.design, share - mu * lay.widths)
    # d/d log(size): the component over lambda, minus its mass; likewise for the decays.
    by_size = np.einsum("kn,n->k", comp[1:], inv) - mass[1:]
    by_rate = np.einsum("kn,n->k", d_comp, inv) - d_mass
    grad[p : p + m], grad[-2] = by_size[:m], by_size[m]
    grad[p + m : p + 2 * m], grad[-1] = by_rate[:m], by_rate[m]
    return value, grad


def observed_information(x: np.ndarray, lay: Layout) -> np.ndarray:
    """Minus the Hessian of the log-likelihood at ``x``, by forward differences of the
    gradient, symmetrised; shape (P, P)."""
    base = gradient(x, lay)[1]
    cols = []
    for k in range(len(x)):  # P gradient evaluations
        step = np.zeros_like(x)
        step[k] = _STEP
        cols.append((gradient(x + step, lay)[1] - base) / _STEP)
    hess = np.column_stack(cols)
    return -(hess + hess.T) / 2.0


@dataclass(frozen=True)
class HawkesFit:
    """A fitted marked Hawkes process (see the module docstring), from exact times or from
    counts per bucket (:mod:`leaderlens.attention.censored`).

    Fields (p baseline regressors, M mark types, P = p + 2 M + 2 parameters, B buckets)
    ------
    x: the log-parameters ``[gamma (p), log alpha (M), log beta (M), log n, log theta]``.
    cov: their covariance: the inverse observed information (exact times) or the quasi-Poisson
        ``dispersion`` times the inverse Fisher information (counts); shape (P, P).
    loglik: the maximised log-likelihood; n_obs: events (exact) or buckets (counts).
    by_bucket: attention per bucket split into baseline, each mark's direct trigger and the
        cascade (exact times: each event's probabilities of coming from each component,
        summed per bucket; counts: the model's expected counts); shape (M + 2, B).
    mass: each component's expected count over the window; shape (M + 2,).
    converged: whether L-BFGS-B met its tolerance; at_bound: whether ``n`` or a decay rests
        on its bound (then its interval is not trustworthy).
    kind: ``exact`` or ``counts``; dispersion: Pearson chi-square over its degrees of
        freedom (1 for exact times).
    """

    x: np.ndarray
    cov: np.ndarray
    loglik: float
    n_obs: int
    by_bucket: np.ndarray
    mass: np.ndarray
    converged: bool
    at_bound: bool
    n_baseline: int
    kind: str
    dispersion: float

    @property
    def n_marks(self) -> int:
        return (len(self.x) - self.n_baseline - 2) // 2

    def _log_interval(self, index: int, level: float) -> tuple[float, float, float]:
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        se = float(np.sqrt(max(self.cov[index, index], 0.0)))
        v = float(self.x[index])
        with np.errstate(over="ignore"):  # an unidentified parameter's bound is infinite
            return float(np.exp(v)), float(np.exp(v - z * se)), float(np.exp(v + z * se))

    def size(self, k: int, level: float = 0.95) -> tuple[float, float, float]:
        """Mentions triggered directly per post of mark ``k``: estimate, low, high."""
        return self._log_interval(self.n_baseline + k, level)

    def decay_hours(self, k: int, level: float = 0.95) -> tuple[float, float, float]:
        """Decay time ``1/beta_k`` in hours: estimate, low, high."""
        return _inverse(self._log_interval(self.n_baseline + self.n_marks + k, level))

    def branching(self, level: float = 0.95) -> tuple[float, float, float]:
        """Branching ratio ``n``: estimate, low, high (log-normal interval)."""
        return self._log_interval(len(self.x) - 2, level)

    def cascade_decay_hours(self, level: float = 0.95) -> tuple[float, float, float]:
        """Decay time ``1/theta`` of the cascade in hours: estimate, low, high."""
        return _inverse(self._log_interval(len(self.x) - 1, level))


def _inverse(rate: tuple[float, float, float]) -> tuple[float, float, float]:
    """A rate's estimate and interval as a time's (the bounds swap; 1/0 is infinite)."""
    with np.errstate(divide="ignore"):
        est, low, high = 1.0 / np.array(rate)
    return float(est), float(high), float(low)


def start_values(
    design: np.ndarray, widths: np.ndarray, total: float, posts: list[int]
) -> np.ndarray:
    """Starting log-parameters: half the mean rate as baseline, a tenth of the attention shared
    among each mark's posts, hour-long decays, ``n = 0.3``."""
    p, m = design.shape[1], len(posts)
    x = np.zeros(p + 2 * m + 2)
    rate = max(total, 1.0) / float(np.sum(widths))
    x[:p] = np.linalg.lstsq(design, np.full(len(design), np.log(rate / 2)), rcond=None)[0]
    x[p : p + m] = np.log(np.maximum(0.1 * total / np.maximum(posts, 1), 1e-3))
    x[-2] = np.log(0.3)
    return x


def bounds(p: int, m: int) -> list[tuple[float | None, float | None]]:
    """L-BFGS-B bounds of the log-parameters (sizes, decay rates and ``n``)."""
    out: list[tuple[float | None, float | None]] = [(None, None)] * p
    out += [(np.log(1e-6), np.log(1e6))] * m + [LOG_BETA_BOUNDS] * m
    return [*out, LOG_N_BOUNDS, LOG_BETA_BOUNDS]


def maximise(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    limits: list[tuple[float | None, float | None]],
) -> tuple[np.ndarray, float, bool, bool]:
    """L-BFGS-B on ``objective`` (log-likelihood and gradient): the maximiser, the maximum,
    whether it converged, and whether a decay rate or ``n`` rests on its bound."""
    res = optimize.minimize(
        lambda x: tuple(-v for v in objective(x)),
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=limits,
        options={"maxiter": 500, "ftol": 1e-12, "gtol": 1e-6},
    )
    lows = np.array([np.nan if lo is None else lo for lo, _ in limits])
    highs = np.array([np.nan if hi is None else hi for _, hi in limits])
    edge = (np.abs(res.x - lows) < 1e-6) | (np.abs(res.x - highs) < 1e-6)
    watched = np.array([lim in (LOG_BETA_BOUNDS, LOG_N_BOUNDS) for lim in limits])
    # A line search that stops on rounding with a flat projected gradient has converged too.
    grad = np.asarray(res.jac)
    free = (
        ~edge
        | ((grad > 0) & (np.abs(res.x - highs) >= 1e-6))
        | ((grad < 0) & (np.abs(res.x - lows) >= 1e-6))
    )
    flat = bool(np.max(np.abs(grad[free]), initial=0.0) < 1e-2)
    return res.x, -float(res.fun), bool(res.success) or flat, bool(np.any(edge & watched))


def fit_hawkes(lay: Layout, *, start: np.ndarray | None = None) -> HawkesFit:
    """Maximum-likelihood fit of the marked Hawkes process on ``lay`` (see the module
    docstring); the covariance is the inverse observed information."""
    if len(lay.events) < 20:
        raise MissingDataError(
            f"{len(lay.events)} mentions; a Hawkes fit needs at least 20", field="events"
        )
    if lay.design.shape[0] != len(lay.edges) - 1:
        raise BadInputError("design needs one row per baseline bucket", field="design")
    p, m = lay.design.shape[1], len(lay.marks)
    x0 = (
        start_values(lay.design, lay.widths, len(lay.events), [len(s) for s in lay.marks])
        if start is None
        else np.asarray(start, dtype=np.float64)
    )
    x, value, converged, at_bound = maximise(lambda v: gradient(v, lay), x0, bounds(p, m))
    cov = np.linalg.pinv(observed_information(x, lay))
    comp, mass, _, _ = intensities(x, lay)
    share = comp / comp.sum(axis=0)
    buckets = len(lay.edges) - 1
    by_bucket = np.stack(
        [np.bincount(lay.event_bucket, weights=row, minlength=buckets) for row in share]
    )
    return HawkesFit(
        x=x,
        cov=cov,
        loglik=value,
        n_obs=len(lay.events),
        by_bucket=by_bucket,
        mass=mass,
        converged=converged,
        at_bound=at_bound,
        n_baseline=p,
        kind="exact",
        dispersion=1.0,
    )


# Unix time 0 fell on a Thursday: hours since the epoch plus 72 count from a Monday 00:00 UTC.
_MONDAY = 72.0


def baseline_design(
    edges: np.ndarray,
    *,
    trend_days: float = 28.0,
    daily: bool = True,
    weekly: bool = True,
    knots: np.ndarray | None = None,
) -> np.ndarray:
    """Baseline regressors on buckets with ``edges`` in hours since the Unix epoch (UTC):
    linear B-spline hats with knots about every ``trend_days`` (they sum to one, so they carry
    the level and the slow trend; past the last knot the level stays at its end value, which
    is how a forecast extrapolates), then two Fourier harmonics of the day (hour of day) and
    two of the week (hour of week) at each bucket's midpoint; shape (B, p)."""
    mid = (edges[:-1] + edges[1:]) / 2.0
    if knots is None:
        knots = trend_knots(edges, trend_days)
    spacing = knots[1] - knots[0]
    at = np.clip(mid, knots[0], knots[-1])
    columns = [np.maximum(0.0, 1.0 - np.abs(at[:, None] - knots[None, :]) / spacing)]
    for period, on in ((24.0, daily), (168.0, weekly)):
        if on:
            phase = 2.0 * np.pi * np.mod(mid + _MONDAY, period)[:, None] / period
            k = np.arange(1, 3)[None, :]
            columns += [np.sin(k * phase), np.cos(k * phase)]
    return np.column_stack(columns)


def trend_knots(edges: np.ndarray, trend_days: float = 28.0) -> np.ndarray:
    """Evenly spaced knots of the trend hats over the window, about ``trend_days`` apart."""
    span = float(edges[-1] - edges[0])
    return np.linspace(edges[0], edges[-1], max(2, round(span / (24.0 * trend_days)) + 1))


def hourly_edges(start: float, end: float) -> np.ndarray:
    """Whole-hour edges covering ``[start, end]`` (hours since the epoch)."""
    return np.arange(np.floor(start), np.floor(end) + 2.0)
