"""The headline test: the correlation shared event days imply, and the rule that picks the test.

Witnesses: the pair definition of the shared-day correlation written as a plain double loop
(shared days / L times the Pearson correlation of the two events' residuals over the bars both
hold), numpy.corrcoef, and the Kolari-Pynnönen factor applied by hand to scipy's BMP t.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from leaderlens.study.abnormal import abnormal_returns, cumulate
from leaderlens.study.battery import run_battery
from leaderlens.study.headline import BMP, KP_SHARED, choose_headline
from leaderlens.study.models import fit_normal_model
from leaderlens.study.sharing import shared_window_correlation

T, L = 60, 3


def _pairs_by_loop(e, cal, win):
    """sum_{i != j} shared_ij / L * rho_ij / (n (n - 1)) from the definition, pair by pair."""
    ok = np.isfinite(e).any(axis=1)
    idx = np.flatnonzero(ok)
    total = 0.0
    for i in idx:
        for j in idx:
            if i == j:
                continue
            shared = len(set(win[i][win[i] >= 0]) & set(win[j][win[j] >= 0]))
            if shared == 0:
                continue
            zi = {c: v for c, v in zip(cal[i], e[i] - np.nanmean(e[i]), strict=True)}
            zj = {c: v for c, v in zip(cal[j], e[j] - np.nanmean(e[j]), strict=True)}
            ni = np.sqrt(np.nansum([v * v for v in zi.values()]))
            nj = np.sqrt(np.nansum([v * v for v in zj.values()]))
            both = [c for c in zi if c in zj and np.isfinite(zi[c]) and np.isfinite(zj[c])]
            rho = sum(zi[c] * zj[c] for c in both) / (ni * nj)
            total += shared / L * rho
    return total / (idx.size * (idx.size - 1))


def _one_asset(starts, rng, effect=0.0, gap=False):
    """Events of one asset at day-0 positions ``starts`` of one long series (``gap``: the
    first event misses 20 estimation bars)."""
    days = int(max(starts)) + L + 1
    m = rng.normal(0, 0.01, days + T)
    r = 1.2 * m + rng.normal(0, 0.02, days + T)
    k0 = np.asarray(starts) + T
    r = r.copy()
    r[k0] += effect
    est = k0[:, None] + np.arange(-T, 0)[None, :] - 1
    win = k0[:, None] + np.arange(-1, L - 1)[None, :]
    r_est = r[est]
    if gap:
        r_est[0, :20] = np.nan
    fit = fit_normal_model("market", r_est, m[est])
    abn = abnormal_returns(fit, r[win], m[win], first_bar=-1)
    return abn, est, win


def test_shared_day_correlation_equals_its_pair_definition():
    rng = np.random.default_rng(3)
    e = rng.normal(size=(7, 12))
    e[2, :4] = np.nan
    e[5] = np.nan  # an event without residuals counts nowhere
    cal = np.arange(12)[None, :] + np.array([0, 0, 1, 3, 30, 0, 31])[:, None]
    win = np.array([[12, 13, 14], [13, 14, 15], [14, 15, 16], [40, 41, 42], [41, -1, 43]])
    win = np.vstack([win, [[12, 13, 14], [41, 42, 43]]])
    got = shared_window_correlation(e, cal, win)
    assert got == pytest.approx(_pairs_by_loop(e, cal, win), rel=1e-12)


def test_separate_windows_imply_zero_and_full_sharing_the_residual_correlation():
    rng = np.random.default_rng(4)
    e = rng.normal(size=(5, 40))
    cal = np.broadcast_to(np.arange(40), (5, 40))
    apart = 100 + 10 * np.arange(5)[:, None] + np.arange(L)[None, :]
    assert shared_window_correlation(e, cal, apart) == 0.0
    same = np.broadcast_to(100 + np.arange(L), (5, L))
    rho = np.corrcoef(e)
    mean_rho = (rho.sum() - 5) / 20
    assert shared_window_correlation(e, cal, same) == pytest.approx(mean_rho, rel=1e-12)


def test_one_asset_apart_heads_with_bmp_and_shared_days_with_the_adjusted_bmp():
    rng = np.random.default_rng(5)
    abn, est, win = _one_asset(np.arange(20) * 10, rng, effect=0.01)
    battery = run_battery(abn, calendar_index=est, window_index=win, n_bootstrap=0)
    assert battery.r_window == 0.0 and battery.r > 0.1  # estimation windows overlap
    head = choose_headline(battery, n_assets=1, windows_share_days=False)
    scar = cumulate(abn).t
    assert head.name == BMP and head.statistic == pytest.approx(
        stats.ttest_1samp(scar, 0.0).statistic, rel=1e-12
    )
    assert "no two event windows share" in head.why

    abn, est, win = _one_asset(np.arange(20), rng)  # a burst: events on consecutive days
    battery = run_battery(abn, calendar_index=est, window_index=win, n_bootstrap=0)
    head = choose_headline(battery, n_assets=1, windows_share_days=True)
    assert head.name == KP_SHARED
    r, n = battery.r_window, abn.n_events
    assert r == pytest.approx(_pairs_by_loop(abn.est_residuals, est, win), rel=1e-12)
    bmp = stats.ttest_1samp(cumulate(abn).t, 0.0).statistic
    assert head.statistic == pytest.approx(bmp * np.sqrt((1 - r) / (1 + (n - 1) * r)), rel=1e-12)
    df = n / (1 + (n - 1) * r) - 1  # the effective number of events, less one
    assert head.p_value == pytest.approx(2 * stats.t.sf(abs(head.statistic), df), rel=1e-9)
    assert head.distribution == f"t({df:.2f})"
    assert f"r = {r:.4g}" in head.why


def test_a_rank_test_equal_to_another_is_shown_once_and_said_why():
    rng = np.random.default_rng(6)
    abn, _, _ = _one_asset(np.arange(15) * 9, rng)  # no missing values: equal n_i
    full = run_battery(abn, n_bootstrap=0)
    names = [t.name for t in full.results]
    assert "Corrado & Zivney (1992) modified rank" in names
    assert "Cowan (1992) cumulative rank" not in names
    (note,) = full.notes
    assert "Cowan (1992) cumulative rank is not shown" in note
    from leaderlens.study import tests_rank as tr

    cowan = tr.cowan_cumulative_rank(abn, (-1, 1))
    modified = tr.corrado_zivney_rank(abn, (-1, 1))
    assert cowan.statistic == pytest.approx(modified.statistic, rel=1e-10)  # why it is dropped
    gappy, _, _ = _one_asset(np.arange(15) * 9, rng, gap=True)  # unequal n_i: both stay
    names = [t.name for t in run_battery(gappy, n_bootstrap=0).results]
    assert {"Cowan (1992) cumulative rank", "Corrado & Zivney (1992) modified rank"} <= set(names)


def test_cumulative_variance_path_equals_cumulate_bar_by_bar():
    from leaderlens.study.abnormal import cumulative_variance_path

    abn, _, _ = _one_asset(np.arange(5) * 20, np.random.default_rng(7))
    path = cumulative_variance_path(abn)
    for j, bar in enumerate(abn.bars):
        want = cumulate(abn, (int(abn.bars[0]), int(bar))).var_car
        np.testing.assert_allclose(path[:, j], want, rtol=1e-12)
