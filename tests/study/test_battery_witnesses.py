"""Each test of the battery against an independent computation.

Witnesses: scipy.stats (t tests, Wilcoxon, skewness, ANOVA, Kruskal-Wallis, bootstrap),
numpy.corrcoef, and plain per-event / per-day loops written from the papers' formulas
(Corrado 1989; Corrado & Zivney 1992; Cowan 1992; Kolari & Pynnönen 2010, 2011).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.study import resampling
from leaderlens.study import tests_parametric as tp
from leaderlens.study import tests_rank as tr
from leaderlens.study.abnormal import abnormal_returns, buy_and_hold, cumulate
from leaderlens.study.battery import run_battery
from leaderlens.study.models import fit_normal_model

N, T, L, FIRST = 25, 80, 5, -2


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(42)
    m = rng.normal(0, 0.01, (N, T + L))
    r = 0.001 + rng.uniform(0.5, 1.5, (N, 1)) * m + rng.standard_t(4, (N, T + L)) * 0.01
    r[:, T + 2] += 0.01
    r[3, :20] = np.nan  # shorter estimation windows
    r[7, 5:9] = np.nan
    r[11, :T] = np.nan  # an invalid event
    fit = fit_normal_model("market", r[:, :T], m[:, :T])
    return abnormal_returns(fit, r[:, T:], m[:, T:], first_bar=FIRST)


def _cars(abn, window):
    c = cumulate(abn, window)
    return c.car[c.valid], c.t[c.valid], c


def test_parametric_tests_against_scipy_and_formulas(study):
    abn = study
    window = (-1, 1)
    car, scar, c = _cars(abn, window)
    n = car.size
    assert n == N - 1 and tp.pooled_j1(abn, window).n == n
    want = stats.ttest_1samp(car, 0.0)
    got = tp.cross_sectional_t(abn, window)
    assert got.statistic == pytest.approx(want.statistic, rel=1e-12)
    assert got.p_value == pytest.approx(want.pvalue, rel=1e-9)
    assert got.distribution == f"t({n - 1})"
    bmp = stats.ttest_1samp(scar, 0.0)
    assert tp.bmp_t(abn, window).statistic == pytest.approx(bmp.statistic, rel=1e-12)
    assert tp.bmp_t(abn, window).p_value == pytest.approx(bmp.pvalue, rel=1e-9)
    var = c.var_car[c.valid]
    assert tp.pooled_j1(abn, window).statistic == pytest.approx(
        car.mean() / np.sqrt(var.sum()) * n, rel=1e-12
    )
    dof = abn.dof[abn.valid]
    patell = scar.sum() / np.sqrt(np.sum((dof) / (dof - 2.0)))
    assert tp.patell_z(abn, window).statistic == pytest.approx(patell, rel=1e-12)
    assert tp.patell_z(abn, window).p_value == pytest.approx(2 * stats.norm.sf(abs(patell)))
    s2 = abn.s2[abn.valid]
    bw80 = car.mean() / (np.sqrt(3 * s2.sum()) / n)
    assert tp.brown_warner_1980(abn, window).statistic == pytest.approx(bw80, rel=1e-12)
    est = abn.est_residuals[abn.valid]
    aar_e = np.array([est[np.isfinite(est[:, j]), j].mean() for j in range(T)])
    bw85 = car.mean() / (np.sqrt(3) * aar_e.std(ddof=1))
    got85 = tp.crude_dependence(abn, window)
    assert got85.statistic == pytest.approx(bw85, rel=1e-12) and got85.distribution == "t(79)"
    r = 0.05
    factor = np.sqrt((1 - r) / (1 + (n - 1) * r))
    assert tp.kolari_pynnonen_bmp(abn, window, r=r).statistic == pytest.approx(
        bmp.statistic * factor, rel=1e-12
    )
    assert tp.kolari_pynnonen_patell(abn, window, r=r).statistic == pytest.approx(
        patell * factor, rel=1e-12
    )
    assert np.isnan(tp.kolari_pynnonen_factor(-0.5, n))


def test_cross_correlation_equals_mean_pairwise_pearson_on_a_common_window():
    rng = np.random.default_rng(0)
    common = rng.normal(size=(1, 60))
    e = 0.4 * common + rng.normal(size=(8, 60))
    cal = np.broadcast_to(np.arange(100, 160), e.shape).copy()
    corr = np.corrcoef(e)
    want = corr[~np.eye(8, dtype=bool)].mean()
    assert tp.residual_cross_correlation(e, cal) == pytest.approx(want, rel=1e-12)


def test_cross_correlation_with_partial_overlap_matches_its_pair_definition():
    rng = np.random.default_rng(1)
    e = rng.normal(size=(6, 40)) + rng.normal(size=(1, 40))
    e[2, :7] = np.nan
    cal = np.arange(40)[None, :] + np.array([0, 0, 5, 10, 30, 200])[:, None]
    z = []
    for row in e:
        ok = np.isfinite(row)
        d = np.where(ok, row - row[ok].mean(), 0.0)
        z.append(d / np.sqrt((d * d).sum()))
    total = 0.0
    for i in range(6):
        for j in range(6):
            if i != j:
                shared = np.intersect1d(cal[i], cal[j], return_indices=True)
                total += (z[i][shared[1]] * z[j][shared[2]]).sum()
    want = total / 30
    assert tp.residual_cross_correlation(e, cal) == pytest.approx(want, rel=1e-12)
    with pytest.raises(BadInputError, match="calendar_index"):
        tp.residual_cross_correlation(e, cal.astype(float))


def _loop_rank_statistics(abn, window):
    """Corrado, Cowan, Corrado-Zivney rank and sign, one event and one day at a time."""
    v = np.flatnonzero(abn.valid)
    full = np.concatenate([abn.est_residuals[v], abn.ar[v]], axis=1)
    k = np.full(full.shape, np.nan)
    sign = np.full(full.shape, np.nan)
    n_i = np.zeros(len(v))
    for i in range(len(v)):
        ok = np.isfinite(full[i])
        n_i[i] = ok.sum()
        k[i, ok] = stats.rankdata(full[i, ok])
        sign[i, ok] = np.sign(full[i, ok] - np.median(full[i, ok]))
    n_bar = n_i.mean()
    cols = [T + t - FIRST for t in range(window[0], window[1] + 1)]
    out = {}
    for name, score, power in [
        ("corrado", k - (n_i[:, None] + 1) / 2, 1.0),
        ("mrank", k / (n_i[:, None] + 1) - 0.5, 0.5),
        ("csign", sign, 0.5),
    ]:
        q = []
        for day in range(full.shape[1]):
            x = score[:, day][np.isfinite(score[:, day])]
            q.append(x.sum() / len(x) ** power if len(x) else 0.0)
        q = np.array(q)
        sd = np.sqrt((q**2).sum() / n_bar)
        out[name] = q[cols].sum() / (np.sqrt(len(cols)) * sd)
    return out


def test_rank_family_against_per_event_loops(study):
    abn = study
    for window in [(0, 0), (-1, 2)]:
        want = _loop_rank_statistics(abn, window)
        if window[0] == window[1]:
            got = tr.corrado_rank(abn, window[0]).statistic
            assert got == pytest.approx(tr.cowan_cumulative_rank(abn, window).statistic)
        else:
            got = tr.cowan_cumulative_rank(abn, window).statistic
        assert got == pytest.approx(want["corrado"], rel=1e-12)
        assert tr.corrado_zivney_rank(abn, window).statistic == pytest.approx(
            want["mrank"], rel=1e-12
        )
        assert tr.corrado_zivney_sign(abn, window).statistic == pytest.approx(
            want["csign"], rel=1e-12
        )


def test_rank_tests_with_ties_fall_back_to_average_ranks(study):
    abn = study
    tied = dataclasses.replace(
        abn, ar=np.round(abn.ar, 3), est_residuals=np.round(abn.est_residuals, 3)
    )
    ranks, flagged = tr.row_ranks(tied.est_residuals[tied.valid])
    assert flagged.any()
    for row, got in zip(tied.est_residuals[tied.valid], ranks, strict=True):
        ok = np.isfinite(row)
        np.testing.assert_array_equal(got[ok], stats.rankdata(row[ok]))
        assert np.isnan(got[~ok]).all()
    want = _loop_rank_statistics(tied, (0, 1))
    assert tr.corrado_zivney_sign(tied, (0, 1)).statistic == pytest.approx(want["csign"])
    assert tr.cowan_cumulative_rank(tied, (0, 1)).statistic == pytest.approx(want["corrado"])


def test_grank_t_against_a_loop_over_events(study):
    abn = study
    window = (-1, 1)
    _, scar, _ = _cars(abn, window)
    v = np.flatnonzero(abn.valid)
    g = np.concatenate(
        [abn.est_residuals[v] / np.sqrt(abn.s2[v])[:, None], (scar / scar.std(ddof=1))[:, None]],
        axis=1,
    )
    u = np.full(g.shape, np.nan)
    for i in range(len(v)):
        ok = np.isfinite(g[i])
        u[i, ok] = stats.rankdata(g[i, ok]) / (ok.sum() + 1) - 0.5
    n = len(v)
    n_t = np.isfinite(u).sum(0)
    u_bar = np.nanmean(u, axis=0)
    s_u = np.sqrt(np.sum(n_t / n * u_bar**2) / g.shape[1])
    z = u_bar[-1] / s_u
    t_grank = z * np.sqrt((g.shape[1] - 2) / (g.shape[1] - 1 - z**2))
    got = tr.grank_t(abn, window)
    assert got.statistic == pytest.approx(t_grank, rel=1e-12)
    assert got.distribution == f"t({T + 1 - 2})"
    assert got.p_value == pytest.approx(2 * stats.t.sf(abs(t_grank), T - 1), rel=1e-9)


def test_sign_tests_against_counts(study):
    abn = study
    car, _, _ = _cars(abn, (0, 0))
    n = car.size
    w = (car > 0).sum()
    assert tr.sign_test(abn, (0, 0)).statistic == pytest.approx((w - n / 2) / np.sqrt(n / 4))
    est = abn.est_residuals[abn.valid]
    p = np.mean([np.mean(row[np.isfinite(row)] > 0) for row in est])
    want = (w - n * p) / np.sqrt(n * p * (1 - p))
    assert tr.generalized_sign(abn, (0, 0)).statistic == pytest.approx(want, rel=1e-12)


def test_wilcoxon_matches_scipy_exact_and_normal_approximation(study):
    abn = study
    car, _, _ = _cars(abn, (-2, 2))
    got = tr.wilcoxon_signed_rank(abn, (-2, 2))
    ref = stats.wilcoxon(car, method="exact")
    assert got.statistic == stats.rankdata(np.abs(car))[car > 0].sum()
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    rng = np.random.default_rng(3)
    big = np.round(rng.normal(0.1, 1, (120, 1)), 1)  # ties and zeros
    half = rng.integers(-5, 6, (120, 20)).astype(float)
    fit = fit_normal_model("constant_mean", np.concatenate([half, -half], axis=1))
    assert (fit.params == 0).all()  # so that AR = big exactly and its ties stay ties
    got = tr.wilcoxon_signed_rank(abnormal_returns(fit, big))
    x = big[:, 0]
    ref = stats.wilcoxon(x, zero_method="wilcox", correction=False, method="approx")
    assert got.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert got.n == int((x != 0).sum())


def test_skewness_adjusted_t_against_scipy_moments():
    rng = np.random.default_rng(4)
    r = np.exp(rng.normal(0.0, 0.05, (300, 10))) - 1
    b = np.exp(rng.normal(0.0, 0.02, (300, 10))) - 1
    bh = buy_and_hold(r, b)
    x = bh.bhar
    n = x.size
    s = x.mean() / x.std(ddof=1)
    gamma = stats.skew(x, bias=True) * ((n - 1) / n) ** 1.5
    want = np.sqrt(n) * (s + gamma * s**2 / 3 + gamma / (6 * n))
    got = tp.skewness_adjusted_t(bh)
    assert got.statistic == pytest.approx(want, rel=1e-12)
    assert got.p_value == pytest.approx(2 * stats.norm.sf(abs(want)), rel=1e-9)
    with pytest.raises(MissingDataError):
        tp.skewness_adjusted_t([0.1, np.nan])


def test_battery_runs_every_test_and_reports_a_frame(study):
    abn = study
    cal = np.broadcast_to(np.arange(T), (N, T))
    battery = run_battery(abn, (-1, 1), calendar_index=cal, n_bootstrap=200)
    frame = battery.to_frame()
    assert len(frame) == 16 and frame.p_value.between(0, 1).all()
    assert battery.r == pytest.approx(tp.residual_cross_correlation(abn.est_residuals, cal))
    assert battery.bootstrap is not None and battery.bootstrap.low < battery.caar
    assert "Patell" in battery.summary() and "<table" in battery._repr_html_()
    single = run_battery(abn, (0, 0), n_bootstrap=0)
    assert "Corrado (1989) rank" in set(single.to_frame().test)
    assert single.r is None and single.bootstrap is None
    empty = dataclasses.replace(abn, valid=np.zeros(N, dtype=bool))
    with pytest.raises(MissingDataError, match="at least 2 valid events"):
        run_battery(empty)


def test_bootstrap_interval_against_scipy_and_blocks(monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.standard_t(5, 400) * 0.02 + 0.003
    got = resampling.bootstrap_caar(x, n_draws=4000, seed=1)
    ref = stats.bootstrap((x,), np.mean, n_resamples=4000, method="percentile", rng=2)
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert got.caar == pytest.approx(x.mean())
    assert got.low == pytest.approx(ref.confidence_interval.low, abs=0.1 * se)
    assert got.high == pytest.approx(ref.confidence_interval.high, abs=0.1 * se)
    assert got.se == pytest.approx(se, rel=0.1)
    monkeypatch.setattr(resampling, "_BLOCK_CELLS", 1000)  # many small blocks, same draws
    assert resampling.bootstrap_caar(x, n_draws=4000, seed=1) == got
    with pytest.raises(BadInputError, match="level"):
        resampling.bootstrap_caar(x, level=95)


def test_placebo_p_value_and_pseudo_events():
    rng = np.random.default_rng(6)
    series = rng.normal(0, 1, 3000)
    events = np.array([100, 500, 501, 2000])
    bars = resampling.pseudo_event_bars(
        3000, events, n_events=4, n_draws=500, window=(-2, 3), estimation=250, seed=7
    )
    assert bars.shape == (500, 4)
    assert (bars >= 252).all() and (bars + 3 < 3000).all()
    assert (np.abs(bars[:, :, None] - events[None, None, :]) > 5).all()
    assert all(len(set(row)) == 4 for row in bars)
    caars = resampling.placebo_caars(series, bars, (-2, 3))
    loop = [np.mean([series[b - 2 : b + 4].sum() for b in row]) for row in bars]
    np.testing.assert_allclose(caars, loop, rtol=1e-10, atol=1e-12)
    observed = 1.5
    got = resampling.placebo_test(observed, caars)
    assert got.p_value == (1 + (np.abs(caars) >= observed).sum()) / 501
    cars = np.array([[series[b - 2 : b + 4].sum() for b in row] for row in bars])
    cars[0, 1] = np.nan  # a pseudo-event without a value drops out of its sample's mean
    from_panel = resampling.placebo_test(observed, cars)
    means = [np.mean(row[np.isfinite(row)]) for row in cars]
    assert from_panel.p_value == (1 + (np.abs(means) >= observed).sum()) / 501
    with pytest.raises(BadInputError, match="placebo"):
        resampling.placebo_test(observed, np.zeros((2, 2, 2)))
    got_callable = resampling.placebo_test(
        observed, lambda g: float(series[g.integers(300, 2900, 4)].mean()), n_draws=200
    )
    assert got_callable.n == 200 and 0 < got_callable.p_value <= 1
    with pytest.raises(MissingDataError):
        resampling.pseudo_event_bars(30, [10], n_events=40, n_draws=2, window=(0, 1))


def test_row_ranks_on_a_panel_large_enough_for_threads():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(3000, 40))
    x[rng.random(x.shape) < 0.05] = np.nan
    x[::7, 3] = x[::7, 5]  # ties in every seventh row
    ranks, tied = tr.row_ranks(x)
    assert tied.sum() == len(range(0, 3000, 7)) - np.isnan(x[::7, 3]).sum()
    for i in range(0, 3000, 37):
        ok = np.isfinite(x[i])
        np.testing.assert_array_equal(ranks[i, ok], stats.rankdata(x[i, ok]))
        assert np.isnan(ranks[i, ~ok]).all()


def test_the_battery_leaves_its_input_untouched(study):
    abn = study
    before = {k: v.copy() for k, v in vars(abn).items() if isinstance(v, np.ndarray)}
    cal = np.broadcast_to(np.arange(T), (N, T))
    run_battery(abn, (-1, 1), calendar_index=cal, n_bootstrap=50)
    tp.skewness_adjusted_t(abn.ar[:, 0])
    for key, value in before.items():
        np.testing.assert_array_equal(getattr(abn, key), value, err_msg=key)
