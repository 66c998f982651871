"""Parametric tests of the mean abnormal value across events (METHODS section 3, tests 1-6, 15).

Every test takes the :class:`~leaderlens.study.abnormal.AbnormalReturns` of a study and a window
in relative bars (inclusive; a single bar ``(t, t)`` gives the daily test) and returns a
:class:`~leaderlens.study.result.TestResult` with a two-sided p-value. Only valid events enter.
N is the number of valid events, L the window length, SCAR_i = CAR_i / sqrt(Var(CAR_i)).

Sources: Brown & Warner (1980, 1985); Patell (1976); Boehmer, Musumeci & Poulsen (1991);
Kolari & Pynnönen (2010); Lamb (1995); Hall (1992); Lyon, Barber & Tsai (1999);
Campbell, Lo & MacKinlay (1997) section 4.4 (J1); MacKinlay (1997).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.study.abnormal import AbnormalReturns, BuyAndHold, Cumulative, cumulate
from leaderlens.study.models import BoolArray, FloatArray
from leaderlens.study.result import TestResult, df_label, normal_p, t_p

NULL = "the mean abnormal value over the window is zero"
# Events per block in :func:`residual_cross_correlation`.
_ROWS = 4096


def valid_cumulative(abn: AbnormalReturns, window: tuple[int, int] | None) -> Cumulative:
    """:func:`cumulate` over ``window``, checked to hold at least two valid events."""
    if abn.n_events < 2:
        raise MissingDataError(
            f"a test across events needs at least 2 valid events; {abn.n_events} are valid"
        )
    return cumulate(abn, window)


def valid_rows(panel: FloatArray, valid: BoolArray) -> FloatArray:
    """The rows of the valid events (the panel itself, uncopied, when every event is valid)."""
    return panel if valid.all() else panel[valid]


def pooled_j1(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """J1: CAAR / sqrt(sum_i Var(CAR_i) / N^2), N(0,1) (Campbell, Lo & MacKinlay 1997 4.4.22)."""
    c = valid_cumulative(abn, window)
    v = c.valid
    n = int(v.sum())
    stat = float(c.car[v].mean() / np.sqrt(c.var_car[v].sum() / n**2))
    return TestResult("J1 pooled (CLM 1997)", stat, float(normal_p(stat)), "N(0,1)", NULL, n)


def cross_sectional_t(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """sqrt(N) mean(CAR) / sd(CAR), t(N-1) (Brown & Warner 1985)."""
    c = valid_cumulative(abn, window)
    car = c.car[c.valid]
    n = car.size
    stat = float(np.sqrt(n) * car.mean() / car.std(ddof=1))
    return TestResult(
        "cross-sectional t (Brown & Warner 1985)",
        stat,
        float(t_p(stat, n - 1)),
        df_label(n - 1),
        NULL,
        n,
    )


def brown_warner_1980(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """CAAR / (sqrt(L sum_i s_i^2) / N): independence across events (Brown & Warner 1980).

    The reference distribution is t(mean_i T_i - 1), as in estudy2 0.10.0.
    """
    c = valid_cumulative(abn, window)
    v = c.valid
    n = int(v.sum())
    sigma = np.sqrt(c.length * abn.s2[v].sum()) / n
    stat = float(c.car[v].mean() / sigma)
    df = float(abn.n_obs[v].mean() - 1)
    return TestResult("Brown & Warner (1980) t", stat, float(t_p(stat, df)), df_label(df), NULL, n)


def crude_dependence(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Crude dependence adjustment: CAAR / (sqrt(L) sd_E(AAR)), t(T_E - 1) (Brown & Warner 1985).

    sd_E(AAR) is the sample sd (n - 1) of the estimation-window AAR series (event time); T_E
    is the number of its bars.
    """
    c = valid_cumulative(abn, window)
    v = c.valid
    aar_e = abn.estimation_aar
    stat = float(c.car[v].mean() / (np.sqrt(c.length) * aar_e.std(ddof=1)))
    df = aar_e.size - 1
    return TestResult(
        "crude dependence adjustment (Brown & Warner 1985)",
        stat,
        float(t_p(stat, df)),
        df_label(df),
        NULL,
        int(v.sum()),
    )


def _patell_parts(c: Cumulative, abn: AbnormalReturns) -> tuple[float, int]:
    v = c.valid
    dof = abn.dof[v].astype(np.float64)
    return float(c.t[v].sum() / np.sqrt((dof / (dof - 2.0)).sum())), int(v.sum())


def _bmp_parts(c: Cumulative) -> tuple[float, int]:
    scar = c.t[c.valid]
    return float(np.sqrt(scar.size) * scar.mean() / scar.std(ddof=1)), scar.size


def patell_z(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Patell (1976) Z = sum_i SCAR_i / sqrt(sum_i (T_i-K)/(T_i-K-2)), N(0,1).

    SCAR uses the prediction-error variance of the CAR (a single bar: SAR = AR / (s sqrt(C_t))).
    """
    stat, n = _patell_parts(valid_cumulative(abn, window), abn)
    return TestResult("Patell (1976) Z", stat, float(normal_p(stat)), "N(0,1)", NULL, n)


def bmp_t(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Boehmer, Musumeci & Poulsen (1991): sqrt(N) mean(SCAR) / sd(SCAR), t(N-1)."""
    stat, n = _bmp_parts(valid_cumulative(abn, window))
    return TestResult("BMP (1991) t", stat, float(t_p(stat, n - 1)), df_label(n - 1), NULL, n)


def kolari_pynnonen_factor(r: float, n: int) -> float:
    """sqrt((1 - r) / (1 + (N - 1) r)) of Kolari & Pynnönen (2010) eq. (17); NaN when undefined."""
    denom = 1.0 + (n - 1) * r
    return float(np.sqrt((1.0 - r) / denom)) if denom > 0 and r <= 1 else float("nan")


def kolari_pynnonen_bmp(
    abn: AbnormalReturns, window: tuple[int, int] | None = None, *, r: float
) -> TestResult:
    """BMP t times sqrt((1-r)/(1+(N-1)r)), t(N-1) (Kolari & Pynnönen 2010, "adjusted BMP").

    ``r`` is the mean cross-correlation of the events' abnormal values, usually
    :func:`residual_cross_correlation` of the estimation residuals.
    """
    stat, n = _bmp_parts(valid_cumulative(abn, window))
    stat *= kolari_pynnonen_factor(r, n)
    return TestResult(
        "Kolari-Pynnonen (2010) adjusted BMP t",
        stat,
        float(t_p(stat, n - 1)),
        df_label(n - 1),
        NULL,
        n,
    )


def kolari_pynnonen_patell(
    abn: AbnormalReturns, window: tuple[int, int] | None = None, *, r: float
) -> TestResult:
    """Patell Z times sqrt((1-r)/(1+(N-1)r)), N(0,1) (Kolari & Pynnönen 2010)."""
    stat, n = _patell_parts(valid_cumulative(abn, window), abn)
    stat *= kolari_pynnonen_factor(r, n)
    return TestResult(
        "Kolari-Pynnonen (2010) adjusted Patell Z",
        stat,
        float(normal_p(stat)),
        "N(0,1)",
        NULL,
        n,
    )


def lamb_z(abn: AbnormalReturns, window: tuple[int, int] | None = None) -> TestResult:
    """Lamb (1995): CAAR / (sd_E(AAR) sqrt(L + L^2 h + q)), N(0,1).

    h = 1 / mean_i T_i (0 for market-adjusted returns) and q = mean_i v_i' S_xx,i^-1 v_i with
    v_i = sum_W (x_t - mean_E x): with one common market series and window this is estudy2's
    sd(AAR) sqrt(1 + 1/T_bar + (M_t - M_bar)^2 / S_MM) for a single bar.
    """
    c = valid_cumulative(abn, window)
    v = c.valid
    cols = abn.columns(window)
    x = abn.x_dev[v][:, cols].sum(axis=1)
    q = float(np.einsum("np,npq,nq->n", x, abn.sxx_inv[v], x).mean())
    h = 0.0 if abn.model == "market_adjusted" else 1.0 / float(abn.n_obs[v].mean())
    scale = abn.estimation_aar.std(ddof=1) * np.sqrt(c.length + c.length**2 * h + q)
    stat = float(c.car[v].mean() / scale)
    return TestResult("Lamb (1995) Z", stat, float(normal_p(stat)), "N(0,1)", NULL, int(v.sum()))


def unit_rows(block: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Each row centred on its mean and scaled to unit length over its finite values, and
    which rows have any variation; missing values and rows without variation carry 0."""
    ok = np.isfinite(block)
    count = ok.sum(axis=1)
    mean = np.where(ok, block, 0.0).sum(axis=1) / np.maximum(count, 1)
    z = np.where(ok, block - mean[:, None], 0.0)
    norm = np.sqrt(np.einsum("nt,nt->n", z, z))
    rows = norm > 0
    z /= np.where(rows, norm, 1.0)[:, None]
    return z, rows


def residual_cross_correlation(residuals: ArrayLike, calendar_index: ArrayLike) -> float:
    """Mean pairwise correlation r of calendar-aligned estimation residuals (for Kolari-Pynnönen).

    Each event's residuals are centred and scaled to unit length over its valid bars
    (z_i = (e_i - mean e_i) / ||e_i - mean e_i||); the pair (i, j) contributes
    rho_ij = sum over the calendar bars both share of z_it z_jt, and
    r = sum_{i != j} rho_ij / (N (N - 1)). When all events share one estimation window this is
    exactly the mean of the pairwise Pearson correlations (Kolari & Pynnönen 2010, eq. 17);
    pairs with fewer shared bars count proportionally less, and pairs without any count as 0.
    Events of one asset at different dates share estimation bars although their event windows
    do not meet; their r is then high and the adjusted tests are conservative.
    Computed in O(N T) from per-bar sums: sum_{i != j} z_it z_jt = S_t^2 - Q_t.

    Args:
        residuals: (N, T) estimation residuals, NaN where missing (e.g. ``est_residuals``).
        calendar_index: (N, T) integer calendar position of each bar (e.g. the bar's index in
            the asset's or the market's series); distinct within an event.
    """
    e = np.asarray(residuals, dtype=np.float64)
    cal = np.asarray(calendar_index)
    if cal.shape != e.shape or not np.issubdtype(cal.dtype, np.integer):
        raise BadInputError(
            f"calendar_index must be an integer array of shape {e.shape}; "
            f"got {cal.dtype} {cal.shape}",
            field="calendar_index",
        )
    low = int(cal.min()) if cal.size else 0
    n_days = int(cal.max()) - low + 1 if cal.size else 0
    s = np.zeros(n_days)
    n = 0
    # Blocks of rows keep the temporaries small on large panels; each row is independent.
    for lo in range(0, e.shape[0], _ROWS):
        z, rows = unit_rows(e[lo : lo + _ROWS])
        n += int(rows.sum())
        # Unit-length rows: sum_t Q_t = n, so only the per-bar sums S_t are needed.
        idx = cal[lo : lo + _ROWS] - low
        s += np.bincount(idx.ravel(), weights=z.ravel(), minlength=n_days)
    if n < 2:
        raise MissingDataError(f"cross-correlation needs 2 events with residuals; got {n}")
    return float((s @ s - n) / (n * (n - 1)))


def skewness_adjusted_t(bhar: BuyAndHold | ArrayLike) -> TestResult:
    """Skewness-adjusted t of mean BHAR (Hall 1992; Lyon, Barber & Tsai 1999 eq. 5), N(0,1).

    t_sa = sqrt(N) (S + gamma S^2 / 3 + gamma / (6N)), S = mean / sd, gamma =
    sum (x - mean)^3 / (N sd^3), sd the sample standard deviation (n - 1).
    """
    x = np.asarray(bhar.bhar if isinstance(bhar, BuyAndHold) else bhar, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = x.size
    if n < 3:
        raise MissingDataError(f"the skewness-adjusted t needs at least 3 BHARs; got {n}")
    sd = x.std(ddof=1)
    s = x.mean() / sd
    gamma = ((x - x.mean()) ** 3).sum() / (n * sd**3)
    stat = float(np.sqrt(n) * (s + gamma * s * s / 3.0 + gamma / (6.0 * n)))
    return TestResult(
        "skewness-adjusted BHAR t (Hall 1992; Lyon, Barber & Tsai 1999)",
        stat,
        float(normal_p(stat)),
        "N(0,1)",
        "the mean buy-and-hold abnormal return is zero",
        n,
    )
