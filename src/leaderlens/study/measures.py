"""What an event study measures: returns (the default), trading volume or volatility.

The measure chooses the series that feeds the one event-study machinery (alignment, clusters,
the normal model on the estimation window, abnormal values, CARs, the battery, JSON and
plots), so a volume or volatility study is a returns study with another ``y``:

* ``volume``: abnormal log trading volume (Ajinkya & Jain 1989; Campbell & Wasley 1996).
  ``y = log(1 + V)`` with V the bar's volume, or, when the asset's shares outstanding S are
  given, log turnover ``y = log(100 V / S + 0.000255)`` (Campbell & Wasley 1996: turnover in
  percent plus a small constant, so that zero-volume bars stay finite). The normal model is
  ``constant-mean`` (the mean-adjusted volume model), ``market`` (the market volume model:
  ``y`` on the benchmark's log volume by OLS over the estimation window) or
  ``market-adjusted``. The battery's t and rank tests on abnormal log volume are the standard
  volume tests (Campbell & Wasley 1996 report the t, Corrado rank and sign tests).
* ``volatility``: event-induced variance. The abnormal returns of the chosen returns model are
  standardized, squared and compared with the estimation window's variance. The abnormal
  volatility of a bar is ``AV = SAR^2 / E0[SAR^2] - 1`` (0 under H0, 1 = twice the usual
  variance), where

  - ``volatility_model="estimation"``: SAR = AR / sqrt(prediction-error variance), which is
    t(d) under H0 with d = T - K, so ``E0[SAR^2] = d / (d - 2)``; Var0(AV) = 2 (d-1)/(d-4);
  - ``volatility_model="garch"``: SAR = AR / sigma_t with sigma_t^2 the GARCH(1,1)
    conditional variance (Bollerslev 1986) fitted by the ``arch`` package to the event's
    estimation-window abnormal returns and forecast ``t - e2`` bars past the window's last
    bar e2; ``E0[SAR^2] = 1`` and Var0(AV) = 2 (normal innovations).

  The battery's tests that assume abnormal values symmetric about zero (the sign, generalized
  sign, GRANK-T and Wilcoxon tests) are left out: AV is skewed (a scaled chi-square minus one)
  and they over-reject under H0 (``bench/volume_volatility.py``). Two tests join the
  battery: the variance ratio (the mean over events and window bars of ``AV + 1``, times N L
  chi2(N L) under H0 with normal errors; upper tail) and the cross-sectional
  variance test of Boehmer, Musumeci & Poulsen (1991): ``(N - 1) s^2 / kappa`` with s^2 the
  cross-sectional variance of the standardized CARs and kappa their variance under H0,
  chi2(N - 1), upper tail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from leaderlens.errors import MissingDataError
from leaderlens.study.abnormal import AbnormalReturns, cumulate
from leaderlens.study.battery import Battery
from leaderlens.study.result import TestResult

if TYPE_CHECKING:
    from leaderlens.study.eventize import Computed
    from leaderlens.study.series import Grid
    from leaderlens.study.settings import StudySettings

TURNOVER_CONSTANT = 0.000255  # Campbell & Wasley (1996), turnover in percent
GARCH_SCALE = 100.0  # arch fits best with variances between 1 and 1000: returns in percent
GARCH_TOL = 1e-12  # the likelihood is flat where returns show little GARCH: fit it tightly
NULL_VARIANCE = "the event window's variance equals the estimation window's"


def log_volume(volume: np.ndarray, shares_outstanding: float | None = None) -> np.ndarray:
    """``log(1 + V)``, or log turnover ``log(100 V / S + 0.000255)`` with S shares outstanding."""
    v = np.asarray(volume, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if shares_outstanding is None:
            return np.log1p(v)
        return np.log(100.0 * v / shares_outstanding + TURNOVER_CONSTANT)


def measure_grid(
    grid: Grid, bars: pd.DataFrame, settings: StudySettings, needed: Sequence[str]
) -> Grid:
    """The grid whose ``r`` the study models: returns as built, or log volume (log turnover
    for ``settings.asset`` when its shares outstanding are given) placed on the same bars.
    Raises :class:`MissingDataError` when an asset of ``needed`` has no volume at all."""
    if settings.measure != "volume":
        return grid
    codes = pd.Index(grid.assets).get_indexer(bars["asset_id"])
    where = grid.positions(codes, pd.DatetimeIndex(bars["ts"]).tz_convert("UTC").as_unit("ns").asi8)
    volume = np.full(grid.ts.size, np.nan)
    found = where >= 0
    volume[where[found]] = pd.to_numeric(bars["volume"], errors="coerce").to_numpy(float)[found]
    for i, asset in enumerate(grid.assets):
        if asset in needed and not np.isfinite(volume[grid.segment(i)]).any():
            raise MissingDataError(f"the bars of {asset!r} carry no volume", asset=asset)
    y = log_volume(volume)
    if settings.shares_outstanding is not None and settings.asset in grid.assets:
        seg = grid.segment(grid.assets.index(settings.asset))
        y[seg] = log_volume(volume[seg], settings.shares_outstanding)
    return replace(grid, r=y)


def measure_notes(settings: StudySettings) -> tuple[str, ...]:
    """What the measure's series is, for the result's notes."""
    if settings.measure == "volume":
        series = (
            f"log turnover log(100 V / {settings.shares_outstanding:g} + {TURNOVER_CONSTANT})"
            f" for {settings.asset}"
            if settings.shares_outstanding is not None
            else "log volume log(1 + V)"
        )
        return (
            f"measure volume: abnormal {series} (Campbell & Wasley 1996); AR and CAR are "
            "log points, printed as percentages (100% = 1 log point)",
        )
    if settings.measure == "volatility":
        how = (
            "GARCH(1,1) conditional variance (arch)"
            if settings.volatility_model == "garch"
            else "estimation-window prediction-error variance"
        )
        return (
            f"measure volatility: AV = SAR^2 / E0[SAR^2] - 1 against the {how}, printed as "
            "percentages (100% = twice the usual variance)",
        )
    return ()


def for_measure(settings: StudySettings, c: Computed) -> Computed:
    """The computed study of the measure: volume and returns as they are; volatility with the
    abnormal returns replaced by abnormal volatility and the two variance tests attached.
    The placebo test of returns does not apply to volatility and is dropped."""
    if settings.measure != "volatility":
        return c
    vol, tests = abnormal_volatility(c.abn, settings.volatility_model, settings.estimation[1])
    return replace(c, abn=vol, placebo=None, extra_tests=tests)


SYMMETRIC_TESTS: tuple[str, ...] = ("sign test", "generalized sign", "GRANK", "Wilcoxon")


def volatility_battery(battery: Battery, extra: tuple[TestResult, ...]) -> Battery:
    """The battery on abnormal volatility: without the tests in :data:`SYMMETRIC_TESTS` (by
    name prefix), with the variance tests ``extra`` appended."""
    kept = tuple(t for t in battery.results if not t.name.startswith(SYMMETRIC_TESTS))
    return replace(battery, results=kept + extra)


def abnormal_volatility(
    abn: AbnormalReturns, volatility_model: str, last_estimation_bar: int
) -> tuple[AbnormalReturns, tuple[TestResult, ...]]:
    """Abnormal volatility of the abnormal returns ``abn`` against ``volatility_model``
    (``estimation`` or ``garch``; module docstring), and the variance ratio and
    cross-sectional variance tests over the whole event window (none with < 2 events).
    ``last_estimation_bar``: relative bar e2 that GARCH forecasts start from."""
    if volatility_model == "garch":
        vol, sar = garch_volatility(abn, last_estimation_bar)
        scar = sar.sum(axis=1) / np.sqrt(sar.shape[1])
        kappa = np.ones(len(vol.valid))
    else:
        vol = estimation_volatility(abn)
        scar = cumulate(abn).t
        d = abn.dof.astype(float)
        kappa = np.divide(d, d - 2.0, out=np.full(d.size, np.nan), where=d > 2)  # t(d) variance
    if int(vol.valid.sum()) < 2:
        return vol, ()
    window = (int(abn.bars[0]), int(abn.bars[-1]))
    return vol, (
        variance_ratio_test(vol, window),
        cross_sectional_variance_test(scar, kappa, vol.valid),
    )


def _volatility(
    abn: AbnormalReturns, av: np.ndarray, est: np.ndarray, var0: np.ndarray, valid: np.ndarray
) -> AbnormalReturns:
    """An :class:`AbnormalReturns` of abnormal volatility: each bar's AV with variance
    ``var0`` (a CAR of L bars has L var0), no regressors, estimation values ``est``."""
    reason = np.where(valid | ~abn.valid, abn.reason, "too few estimation bars for a variance")
    n, length = abn.ar.shape
    var_ar = np.where(valid[:, None], np.broadcast_to(var0[:, None], (n, length)), np.nan)
    av = np.where(valid[:, None], av, np.nan)
    return AbnormalReturns(
        model=abn.model,
        convention=abn.convention,
        bars=abn.bars,
        ar=av,
        var_ar=var_ar,
        t=av / np.sqrt(var_ar),
        x_dev=np.zeros((n, length, 0)),
        sxx_inv=np.zeros((n, 0, 0)),
        h0=np.zeros(n),
        s2=np.where(valid, var0, np.nan),
        dof=abn.dof,
        n_obs=abn.n_obs,
        est_residuals=np.where(valid[:, None], est, np.nan),
        valid=valid,
        reason=reason.astype(str),
    )


def estimation_volatility(abn: AbnormalReturns) -> AbnormalReturns:
    """Abnormal volatility against the estimation window (module docstring)."""
    d = abn.dof.astype(float)
    valid = abn.valid & (d > 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        av = abn.t**2 * ((d - 2.0) / d)[:, None] - 1.0
        e2 = abn.est_residuals**2
        present = np.isfinite(e2)
        mean = np.where(present, e2, 0.0).sum(axis=1, keepdims=True) / present.sum(
            axis=1, keepdims=True
        )  # NaN (no warning) for events without estimation residuals
        est = e2 / mean - 1.0
        var0 = 2.0 * (d - 1.0) / (d - 4.0)
    return _volatility(abn, av, est, var0, valid)


def garch_volatility(
    abn: AbnormalReturns, last_estimation_bar: int
) -> tuple[AbnormalReturns, np.ndarray]:
    """Abnormal volatility against each event's GARCH(1,1) forecast (module docstring), and the
    (N, L) standardized abnormal returns AR / sigma_t."""
    sigma2_evt, sigma2_est = garch_variances(
        abn.est_residuals, abn.bars - last_estimation_bar, abn.valid
    )
    valid = abn.valid & np.isfinite(sigma2_evt).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z2 = abn.ar**2 / sigma2_evt
        est = abn.est_residuals**2 / sigma2_est - 1.0
    sar = abn.ar / np.sqrt(sigma2_evt)
    return _volatility(abn, z2 - 1.0, est, np.full(len(valid), 2.0), valid), sar


def garch_variances(
    residuals: np.ndarray, horizons: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """GARCH(1,1) conditional variances of each event: (N, L) forecasts ``horizons`` bars past
    the estimation window and (N, T) in-sample variances (NaN where no fit converged).

    One zero-mean GARCH(1,1) with normal innovations per event on its finite estimation-window
    residuals, in percent (``arch_model(100 e, mean="Zero", vol="GARCH", p=1, q=1,
    rescale=False)``). arch fits one series at a time, so this is the one loop over events.
    """
    from arch import arch_model

    n = residuals.shape[0]
    evt = np.full((n, horizons.size), np.nan)
    est = np.full(residuals.shape, np.nan)
    for i in np.flatnonzero(valid):
        ok = np.isfinite(residuals[i])
        model = arch_model(
            GARCH_SCALE * residuals[i, ok], mean="Zero", vol="GARCH", p=1, q=1, rescale=False
        )
        fit = model.fit(disp="off", show_warning=False, tol=GARCH_TOL)  # convergence: next
        if fit.convergence_flag != 0:
            continue
        forecast = fit.forecast(horizon=int(horizons.max()), reindex=False).variance
        evt[i] = forecast.to_numpy()[-1, horizons - 1] / GARCH_SCALE**2
        est[i, ok] = np.asarray(fit.conditional_volatility) ** 2 / GARCH_SCALE**2
    return evt, est


def variance_ratio_test(vol: AbnormalReturns, window: tuple[int, int]) -> TestResult:
    """The variance ratio: the mean over events and window bars of SAR^2 / E0[SAR^2]
    (= AV + 1); N L times it is chi2(N L) under H0 with normal errors. The p-value is the upper
    tail (variance rises after events)."""
    cols = vol.columns(window)
    x = vol.ar[vol.valid, cols] + 1.0
    dof = int(x.size)
    ratio = float(x.mean())
    return TestResult(
        "variance ratio (event-induced variance)",
        ratio,
        float(stats.chi2.sf(ratio * dof, dof)),
        f"chi2({dof})/{dof}, upper tail",
        NULL_VARIANCE,
        int(vol.valid.sum()),
    )


def cross_sectional_variance_test(
    scar: np.ndarray, kappa: np.ndarray, valid: np.ndarray
) -> TestResult:
    """Boehmer, Musumeci & Poulsen (1991): (N - 1) s^2 / kappa, chi2(N - 1), upper tail, with
    s^2 the cross-sectional variance of the (N,) standardized CARs and kappa their mean
    variance under H0 (SCAR = CAR / sd(CAR), t(d), kappa = d / (d - 2), against the estimation
    window; sum_t AR_t / sigma_t / sqrt(L), kappa = 1, with GARCH)."""
    x = scar[valid]
    n = int(x.size)
    stat = float((n - 1) * x.var(ddof=1) / kappa[valid].mean())
    return TestResult(
        "cross-sectional variance (Boehmer, Musumeci & Poulsen 1991)",
        stat,
        float(stats.chi2.sf(stat, n - 1)),
        f"chi2({n - 1}), upper tail",
        NULL_VARIANCE,
        n,
    )
