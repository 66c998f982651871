"""Nonparametric tests across events (METHODS section 3, tests 7-13).

Signs, ranks and signed ranks of abnormal values. The rank tests rank each event's abnormal
values over its *full period*: the estimation-window residuals followed by the event-window
ARs (missing values left out, average ranks for ties); n_i is the number of ranked values and
n_bar their mean over events. Days are aligned in event time (panel columns).

Daily sums: the ``"textbook"`` convention sums the events present on a day, D_tau = sum_i x_itau.
estudy2 0.10.0 uses D_tau = N * mean_i x_itau (N = all events), which scales up days where
only N_tau < N events are present; ``convention="estudy2"`` on the fit reproduces that.

Multi-bar windows sum the daily terms and divide by sqrt(L) (Cowan 1992; Campbell & Wasley
1993), so a one-bar window gives the daily test.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats

from leaderlens.errors import BadInputError
from leaderlens.study.abnormal import AbnormalReturns
from leaderlens.study.models import BoolArray, FloatArray
from leaderlens.study.result import TestResult, df_label, normal_p, t_p
from leaderlens.study.tests_parametric import valid_cumulative, valid_rows

NULL_MEDIAN = "abnormal values are symmetric around zero (median zero)"

# Rows per thread when ranking a large panel: numpy's sort releases the GIL.
_CHUNK = 1024


def row_ranks(x: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Average ranks (1..n_i) within each row, NaN kept out and left NaN; rows with ties flagged.

    Rows without ties take an argsort (the common case for continuous data); rows with ties
    fall back to :func:`scipy.stats.rankdata` with the average method. Large panels are ranked
    in blocks on two threads (numpy's sorts release the GIL).
    """
    ranks, tied, _ = _ranks_and_order(x)
    return ranks, tied


def _ranks_and_order(x: FloatArray) -> tuple[FloatArray, BoolArray, np.ndarray]:
    """:func:`row_ranks` and the argsort of each row it came from (one sort per row)."""
    n_rows, n_cols = x.shape
    ranks = np.empty_like(x)
    tied = np.zeros(n_rows, dtype=bool)
    orders = np.empty(x.shape, dtype=np.intp)
    positions = np.arange(1.0, n_cols + 1.0)

    def work(lo: int) -> None:
        block = x[lo : lo + _CHUNK]
        order = np.argsort(block, axis=1)  # NaN sorts last, so ranks 1..n_i go to values
        out = np.empty_like(block)
        out[np.arange(block.shape[0])[:, None], order] = positions
        ordered = np.take_along_axis(block, order, axis=1)  # the sorted rows, without a sort
        tied[lo : lo + _CHUNK] = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        ranks[lo : lo + _CHUNK] = out
        orders[lo : lo + _CHUNK] = order

    _run_blocks(work, n_rows)
    missing = np.isnan(x)
    if tied.any():
        block = np.where(missing[tied], np.inf, x[tied])  # inf ranks above every value
        ranks[tied] = stats.rankdata(block, method="average", axis=1)
    ranks[missing] = np.nan
    return ranks, tied, orders


@dataclass(frozen=True)
class RankPanel:
    """Each valid event's full period and its within-event ranks (compute once, test many).

    Attributes:
        full: (N_valid, T + L) estimation residuals followed by the event-window ARs.
        centred: (N_valid, T + L) rank minus the mean rank (n_i + 1)/2; 0 where ``full`` is
            missing (so a missing value adds nothing to a daily sum).
        n_tau: (T + L,) events with a value per column; n_i: (N_valid,) values per event.
        tied: (N_valid,) rows that hold ties; offset: T, where the event window starts.
        order: (N_valid, T + L) the argsort of each row of ``full`` the ranks came from, as
            small integers (None when not kept); GRANK-T reuses it instead of sorting again.
    """

    full: FloatArray
    centred: FloatArray
    n_tau: FloatArray
    n_i: FloatArray
    tied: BoolArray
    offset: int
    order: np.ndarray | None = None


def rank_panel(abn: AbnormalReturns) -> RankPanel:
    """Rank every valid event's full period (estimation residuals then event ARs).

    Done in blocks of rows on two threads: one sort per row gives the ranks, the tie check
    and the order kept for GRANK-T, and the temporaries of a block stay small.
    """
    v = abn.valid
    est, ar = valid_rows(abn.est_residuals, v), valid_rows(abn.ar, v)
    n, n_est = est.shape
    width = n_est + ar.shape[1]
    full = np.empty((n, width))
    centred = np.empty((n, width))
    # Column numbers fit in 16 bits for any ordinary window: a quarter of the memory to touch.
    orders = np.empty((n, width), dtype=np.int16 if width < 2**15 else np.int32)
    tied = np.zeros(n, dtype=bool)
    n_i = np.empty(n)
    positions = np.arange(1.0, width + 1.0)
    per_block: dict[int, np.ndarray] = {}

    def work(lo: int) -> None:
        hi = min(lo + _CHUNK, n)
        block = full[lo:hi]
        block[:, :n_est], block[:, n_est:] = est[lo:hi], ar[lo:hi]
        order = np.argsort(block, axis=1)  # NaN sorts last, so ranks 1..n_i go to values
        out = centred[lo:hi]
        out[np.arange(hi - lo)[:, None], order] = positions
        ordered = np.take_along_axis(block, order, axis=1)  # the sorted rows, without a sort
        tied[lo:hi] = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        present = np.isfinite(block)
        n_i[lo:hi] = present.sum(axis=1)
        out -= (n_i[lo:hi, None] + 1.0) / 2.0
        out[~present] = 0.0
        orders[lo:hi] = order
        per_block[lo] = present.sum(axis=0)

    _run_blocks(work, n)
    if tied.any():
        rows = full[tied]
        ranks = stats.rankdata(np.where(np.isnan(rows), np.inf, rows), method="average", axis=1)
        present = np.isfinite(rows)
        centred[tied] = np.where(present, ranks - (n_i[tied, None] + 1.0) / 2.0, 0.0)
    n_tau = np.zeros(width)
    for counts in per_block.values():
        n_tau += counts
    return RankPanel(full, centred, n_tau, n_i, tied, n_est, orders)


def _run_blocks(work: Callable[[int], None], n_rows: int) -> None:
    """``work(lo)`` for every block of :data:`_CHUNK` rows; on two threads when there are
    several blocks (NumPy's sorts and ufuncs release the GIL)."""
    starts = range(0, n_rows, _CHUNK)
    if n_rows > _CHUNK:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(work, starts))
    else:
        for lo in starts:
            work(lo)


def _daily_scaled(
    scores: FloatArray, n_tau: FloatArray, power: float, convention: str
) -> FloatArray:
    """Per column: D_tau / N_tau^power, with D_tau by ``convention`` (0 for empty columns).

    ``scores`` is 0 where a value is missing, so the column sum is the sum over the present.
    """
    total = scores.sum(axis=0)
    if convention == "estudy2":
        total = np.divide(scores.shape[0] * total, n_tau, out=np.zeros_like(total), where=n_tau > 0)
    return np.divide(total, n_tau**power, out=np.zeros_like(total), where=n_tau > 0)


def scaled_sum_test(
    abn: AbnormalReturns,
    window: tuple[int, int] | None,
    scores: FloatArray,
    power: float,
    rp: RankPanel,
    name: str,
) -> TestResult:
    """sum_W q_t / (sqrt(L) sqrt(sum_tau q_tau^2 / n_bar)), q_tau = D_tau / N_tau^power, N(0,1)."""
    cols = abn.columns(window)
    q = _daily_scaled(scores, rp.n_tau, power, abn.convention)
    n_bar = float(rp.n_i.mean())
    offset = rp.offset
    sd = np.sqrt((q * q).sum() / n_bar)
    length = cols.stop - cols.start
    stat = float(q[offset + cols.start : offset + cols.stop].sum() / (np.sqrt(length) * sd))
    return TestResult(name, stat, float(normal_p(stat)), "N(0,1)", NULL_MEDIAN, abn.n_events)


def corrado_rank(abn: AbnormalReturns, bar: int, *, ranks: RankPanel | None = None) -> TestResult:
    """Corrado (1989) rank test on one event bar, N(0,1).

    K_it = rank of AR_it in event i's full period; statistic
    (D_t / N_t) / sqrt(sum_tau (D_tau / N_tau)^2 / n_bar), D summing K_itau - (n_i + 1)/2.
    ``ranks`` may pass a :func:`rank_panel` computed once for several tests.
    """
    valid_cumulative(abn, (bar, bar))
    rp = rank_panel(abn) if ranks is None else ranks
    return scaled_sum_test(abn, (bar, bar), rp.centred, 1.0, rp, "Corrado (1989) rank")


def cowan_cumulative_rank(
    abn: AbnormalReturns, window: tuple[int, int] | None = None, *, ranks: RankPanel | None = None
) -> TestResult:
    """Cowan (1992) cumulative rank: the Corrado day terms summed over W, divided by sqrt(L)."""
    valid_cumulative(abn, window)
    rp = rank_panel(abn) if ranks is None else ranks
    return scaled_sum_test(abn, window, rp.centred, 1.0, rp, "Cowan (1992) cumulative rank")


def corrado_zivney_rank(
    abn: AbnormalReturns, window: tuple[int, int] | None = None, *, ranks: RankPanel | None = None
) -> TestResult:
    """Corrado & Zivney (1992) modified rank, N(0,1) (Kolari & Pynnönen 2010 form).

    U_it = K_it / (n_i + 1) - 1/2; q_tau = D_tau / sqrt(N_tau); statistic
    sum_W q_t / (sqrt(L) sqrt(sum_tau q_tau^2 / n_bar)). Missing days get weight N_tau / N.
    """
    valid_cumulative(abn, window)
    rp = rank_panel(abn) if ranks is None else ranks
    weight = 1.0 / (rp.n_i + 1.0)
    if abn.convention == "estudy2":
        u = rp.centred * weight[:, None]  # K/(n+1) - 1/2, and 0 where missing
    else:
        # Only the daily sums D_tau = sum_i U_itau enter: one product, no (N, T + L) panel.
        u = (weight @ rp.centred)[None, :]
    return scaled_sum_test(abn, window, u, 0.5, rp, "Corrado & Zivney (1992) modified rank")


def corrado_zivney_sign(
    abn: AbnormalReturns, window: tuple[int, int] | None = None, *, ranks: RankPanel | None = None
) -> TestResult:
    """Corrado & Zivney (1992) sign test, N(0,1).

    G_it = sign(AR_it - median of event i's full period); q_tau = D_tau / sqrt(N_tau);
    statistic sum_W q_t / (sqrt(L) sqrt(sum_tau q_tau^2 / n_bar)).
    """
    valid_cumulative(abn, window)
    rp = rank_panel(abn) if ranks is None else ranks
    # Without ties, the sign of (rank - mean rank) is the sign against the median.
    g = np.sign(rp.centred)
    if rp.tied.any():
        sub = rp.full[rp.tied]
        g[rp.tied] = np.nan_to_num(np.sign(sub - np.nanmedian(sub, axis=1, keepdims=True)))
    return scaled_sum_test(abn, window, g, 0.5, rp, "Corrado & Zivney (1992) sign")


def sign_test(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Sign test: (w - N/2) / sqrt(N/4), w = number of positive CARs, N(0,1)."""
    c = valid_cumulative(abn, window)
    car = c.car[c.valid]
    n = car.size
    stat = float((np.count_nonzero(car > 0) - n / 2.0) / np.sqrt(n / 4.0))
    return TestResult(
        "sign test",
        stat,
        float(normal_p(stat)),
        "N(0,1)",
        "positive and negative abnormal values are equally likely",
        n,
    )


def generalized_sign(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Generalized sign test (Cowan 1992): (w - N p) / sqrt(N p (1 - p)), N(0,1).

    p is the share of positive estimation-window residuals: the mean of the events' shares
    (Cowan 1992, ``"textbook"``) or the share among all residuals pooled (estudy2).
    """
    c = valid_cumulative(abn, window)
    car = c.car[c.valid]
    est = valid_rows(abn.est_residuals, abn.valid)
    ok = np.isfinite(est)
    positive = (est > 0).sum(axis=1)
    if abn.convention == "estudy2":
        p = positive.sum() / ok.sum()
    else:
        p = float((positive / ok.sum(axis=1)).mean())
    return sign_against_share(car, float(p))


def sign_against_share(car: np.ndarray, p: float) -> TestResult:
    """The generalized sign statistic of the valid CARs ``car`` against the share ``p`` of
    positive estimation-window residuals."""
    n = car.size
    stat = float(((car > 0).sum() - n * p) / np.sqrt(n * p * (1.0 - p)))
    return TestResult(
        "generalized sign (Cowan 1992)",
        stat,
        float(normal_p(stat)),
        "N(0,1)",
        "the share of positive abnormal values equals the estimation-window share",
        n,
    )


def grank_t(
    abn: AbnormalReturns, window: tuple[int, int] | None = None, *, ranks: RankPanel | None = None
) -> TestResult:
    """GRANK-T of Kolari & Pynnönen (2011), t(T - 2).

    Generalized standardized abnormal returns: estimation bars AR_it / s_i; the event window is
    collapsed into one point, SCAR_i re-standardized by its cross-sectional sd. Ranks within each
    event give U_it = K_it / (n_i + 1) - 1/2; Z = U_bar_0 / S_U with
    S_U^2 = (1/T) sum_t (N_t / N) U_bar_t^2; GRANK-T = Z sqrt((T - 2) / (T - 1 - Z^2)).
    Degrees of freedom: T - 2, T = number of time points = estimation bars holding any residual
    plus the one collapsed event point (Kolari & Pynnönen 2011, eq. 9).
    ``ranks``: a :func:`rank_panel` of the same events; its sort of the estimation residuals
    orders the GSARs too (s_i > 0), so rows without ties are not sorted again.
    """
    c = valid_cumulative(abn, window)
    v = c.valid
    n = int(v.sum())
    scar = c.t[v]
    est = valid_rows(abn.est_residuals, v)
    present_est = np.isfinite(est)
    used = np.asarray(present_est.any(axis=0), dtype=np.bool_)
    every = bool(used.all())
    scale = np.sqrt(abn.s2[v])
    g0 = scar / scar.std(ddof=1)
    order = ranks.order if ranks is not None and np.isfinite(g0).all() else None
    n_points = int(used.sum()) + 1
    partial: dict[int, FloatArray] = {}

    def work(lo: int) -> None:
        # One block of events: GSARs, their ranks and U, summed per time point.
        hi = min(lo + _CHUNK, n)
        gsar = np.empty((hi - lo, n_points))
        np.divide(
            est[lo:hi] if every else est[lo:hi][:, used], scale[lo:hi, None], out=gsar[:, :-1]
        )
        gsar[:, -1] = g0[lo:hi]
        g_ranks = (
            _grank_block(gsar, order[lo:hi], used) if order is not None else row_ranks(gsar)[0]
        )
        n_i = present_est[lo:hi].sum(axis=1) + 1.0
        g_ranks /= (n_i + 1.0)[:, None]
        g_ranks -= 0.5
        partial[lo] = np.where(np.isnan(g_ranks), 0.0, g_ranks).sum(axis=0)  # missing add 0

    _run_blocks(work, n)
    n_t = np.append(present_est.sum(axis=0)[used], n)
    u_bar = np.sum([partial[lo] for lo in sorted(partial)], axis=0) / n_t
    t_points = n_points
    s_u = np.sqrt((n_t / n * u_bar**2).sum() / t_points)
    z = u_bar[-1] / s_u
    stat = float(z * np.sqrt((t_points - 2) / (t_points - 1 - z * z)))
    return TestResult(
        "GRANK-T (Kolari & Pynnonen 2011)",
        stat,
        float(t_p(stat, t_points - 2)),
        df_label(t_points - 2),
        NULL_MEDIAN,
        n,
    )


def _grank_block(gsar: FloatArray, order: np.ndarray, used: BoolArray) -> FloatArray:
    """Average ranks within each row of ``gsar`` (estimation GSARs on the ``used`` columns, then
    the event point), from ``order``, each row's argsort of its full period (T estimation
    columns, then the event window). Dividing by s_i > 0 keeps the order of the residuals, so
    an estimation value's rank is its place among the estimation values plus one when the
    event point lies below it; rows with ties are ranked afresh (:func:`row_ranks`)."""
    n_rows, n_est = gsar.shape[0], used.size
    g0 = gsar[:, -1:]
    g_est = np.full((n_rows, n_est), np.nan)
    g_est[:, used] = gsar[:, :-1]
    est_order = order[order < n_est].reshape(n_rows, n_est)  # NaN still last
    place = np.empty((n_rows, n_est))
    place[np.arange(n_rows)[:, None], est_order] = np.arange(1.0, n_est + 1.0)
    ordered = np.take_along_axis(g_est, est_order, axis=1)
    tied = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1) | (g_est == g0).any(axis=1)
    place += g_est > g0
    out = np.empty_like(gsar)
    out[:, :-1] = place[:, used]
    out[:, -1] = (g_est < g0).sum(axis=1) + 1.0
    out[:, :-1][np.isnan(gsar[:, :-1])] = np.nan
    if tied.any():
        out[tied] = row_ranks(gsar[tied])[0]
    return out


def wilcoxon_signed_rank(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Wilcoxon signed-rank test of the CARs: W+ = sum of the ranks of |CAR| over positive CARs.

    Zeros are left out (Wilcoxon's convention). The p-value is exact (the null distribution of W+
    by convolution) for up to 50 non-zero values without ties, otherwise the normal
    approximation with tie correction: z = (W+ - n(n+1)/4) / sqrt(n(n+1)(2n+1)/24 -
    sum(t^3 - t)/48). The statistic reported is W+ itself (as estudy2 prints it).
    """
    c = valid_cumulative(abn, window)
    x = c.car[c.valid]
    x = x[x != 0]
    n = x.size
    if n == 0:
        raise BadInputError(
            "every CAR is exactly zero; the signed-rank test is undefined", field="window"
        )
    ranks = stats.rankdata(np.abs(x))
    w_plus = float(ranks[x > 0].sum())
    _, tie_counts = np.unique(np.abs(x), return_counts=True)
    ties = bool((tie_counts > 1).any())
    if n <= 50 and not ties:
        pmf = _signed_rank_pmf(n)
        k = round(w_plus)
        p = float(min(1.0, 2.0 * min(pmf[: k + 1].sum(), pmf[k:].sum())))
        dist = f"exact signed-rank (n={n})"
    else:
        mean = n * (n + 1) / 4.0
        var = n * (n + 1) * (2 * n + 1) / 24.0 - (tie_counts**3 - tie_counts).sum() / 48.0
        p = float(normal_p((w_plus - mean) / np.sqrt(var)))
        dist = f"N({mean:g}, {var:.6g}) approximation of W+"
    return TestResult("Wilcoxon signed rank W+", w_plus, p, dist, NULL_MEDIAN, n)


def _signed_rank_pmf(n: int) -> FloatArray:
    """Exact null distribution of W+ for n values: coefficients of prod_k (1 + x^k) / 2^n."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):  # one pass per rank, not per event
        counts[k:] = counts[k:] + counts[:-k].copy()
    return counts / 2.0**n


__all__ = [
    "RankPanel",
    "corrado_rank",
    "corrado_zivney_rank",
    "corrado_zivney_sign",
    "cowan_cumulative_rank",
    "generalized_sign",
    "grank_t",
    "rank_panel",
    "row_ranks",
    "sign_test",
    "wilcoxon_signed_rank",
]
