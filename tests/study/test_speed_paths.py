"""The fast paths give the numbers of the plain ones.

* the workspace's cached series held in memory (:mod:`leaderlens.study.resident`) against the
  same gather as an equality join in DuckDB (the path taken when the cache is too large to
  hold), for the window-sum finish and for the full battery, on several assets, one of them
  with a bar on a day its calendar says was closed (an irregular grid);
* model fits in blocks of rows on two threads against one fit of the whole panel and against
  statsmodels OLS;
* the rank panel ranked in blocks, and GRANK-T ranked from the rank panel's sort, against
  scipy's ``rankdata`` of each row;
* the two-sided p-values against ``scipy.stats``.
"""

from __future__ import annotations

from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import leaderlens as ll
from leaderlens.study import models, resident, tests_rank
from leaderlens.study.abnormal import abnormal_returns
from leaderlens.study.result import normal_p, t_p

OPTIONS = dict(window=(-2, 2), estimation=(-120, -11), min_estimation=60, n_placebo=0)


def sessions() -> pd.DatetimeIndex:
    cal = xcals.get_calendar("XNYS", start="2018-01-02", end="2022-12-30")
    return pd.DatetimeIndex(cal.schedule.loc["2019-01-02":"2021-12-31"].index)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """Market M and assets A, B, C on XNYS with gaps; C also trades on a Saturday."""
    rng = np.random.default_rng(17)
    days = sessions()
    n = days.size
    m = rng.normal(3e-4, 0.01, n)
    path = tmp_path_factory.mktemp("speed") / "w.duckdb"
    moments = []
    with ll.Workspace.open(path) as ws:
        ws.ingest_prices(
            pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": 3000 * np.cumprod(1 + m)}),
            asset="M",
            calendar="XNYS",
        )
        for k, asset in enumerate(("A", "B", "C")):
            r = 1e-4 + (0.8 + 0.3 * k) * m + rng.normal(0, 0.015, n)
            frame = pd.DataFrame(
                {"date": days.strftime("%Y-%m-%d"), "close": 50 * np.cumprod(1 + r)}
            ).drop(index=rng.choice(n, 10, replace=False))
            if asset == "C":  # a bar on a Saturday: kept, so C's grid is not the calendar's
                extra = pd.DataFrame({"date": ["2020-06-13"], "close": [frame["close"].iloc[300]]})
                frame = pd.concat([frame, extra]).sort_values("date")
            ws.ingest_prices(frame, asset=asset, calendar="XNYS", benchmark="M")
            lo = pd.Timestamp("2019-09-01", tz="UTC").value
            hi = pd.Timestamp("2021-11-30", tz="UTC").value
            instants = pd.to_datetime(np.sort(rng.integers(lo, hi, 30)), utc=True)
            moments.append(
                pd.DataFrame(
                    {"time": instants, "label": [f"{asset} {i}" for i in range(30)], "asset": asset}
                )
            )
    return path, pd.concat(moments, ignore_index=True)


def _both_paths(
    path: Path, events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, **options: object
) -> tuple[ll.EventStudyResult, ll.EventStudyResult]:
    with ll.Workspace.open(path) as ws:
        held = ws.event_study(events=events, **OPTIONS, **options)
        assert resident.resident(ws.connection).size > 0  # the series were held in memory
    monkeypatch.setattr(resident, "MAX_ROWS", 0)  # too large to hold: join in the engine
    with ll.Workspace.open(path) as ws:
        joined = ws.event_study(events=events, **OPTIONS, **options)
        assert resident.resident(ws.connection).size == 0
    return held, joined


@pytest.mark.parametrize("tests", ["per-event", "all"])
def test_series_held_in_memory_agree_with_the_engine_join(
    workspace: tuple[Path, pd.DataFrame], monkeypatch: pytest.MonkeyPatch, tests: str
) -> None:
    path, events = workspace
    held, joined = _both_paths(path, events, monkeypatch, tests=tests, n_bootstrap=200)
    a, b = held.events_frame(), joined.events_frame()
    assert a["excluded"].tolist() == b["excluded"].tolist()
    assert a["day0"].tolist() == b["day0"].tolist()
    assert (a["excluded"] == "").sum() > 60  # most moments studied, on all three assets
    numeric = [c for c in a.columns if c.startswith(("ar", "r[")) or c in ("car", "car_t", "car_p")]
    for column in [*numeric, "alpha", "beta"]:
        np.testing.assert_allclose(
            a[column].to_numpy(float), b[column].to_numpy(float), rtol=1e-12, atol=1e-15
        )
    if tests == "all":
        ta, tb = held.tests_frame(), joined.tests_frame()
        assert ta["test"].tolist() == tb["test"].tolist()
        np.testing.assert_allclose(ta["statistic"], tb["statistic"], rtol=1e-10)
        assert held.battery is not None and joined.battery is not None
        assert held.battery.r == pytest.approx(joined.battery.r, rel=1e-10)


def test_a_bar_off_the_calendar_is_found_by_both_lookups(
    workspace: tuple[Path, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = workspace
    saturday = pd.DataFrame(
        {
            "time": pd.to_datetime(["2020-06-13T15:00:00Z", "2020-06-12T15:00:00Z"], utc=True),
            "label": ["on the Saturday bar", "the Friday before"],
            "asset": "C",
        }
    )
    held, joined = _both_paths(path, saturday, monkeypatch, tests="per-event")
    for result in (held, joined):
        frame = result.events_frame().set_index("label")
        # A Saturday instant aligns to Monday's session (day 0 rule), on the irregular grid.
        assert frame.loc["on the Saturday bar", "day0"] == "2020-06-15"
        assert frame.loc["the Friday before", "day0"] == "2020-06-12"
    np.testing.assert_allclose(
        held.events_frame()["car"].to_numpy(float), joined.events_frame()["car"].to_numpy(float)
    )
    monkeypatch.undo()  # held in memory again
    with ll.Workspace.open(path) as ws:
        ws.event_study(events=saturday, **OPTIONS, tests="per-event")
        store = resident.resident(ws.connection)
        sid = next(s for s, key in store.keys.items() if key[0] == "C")
        ts = store.series(sid, ("ts",))["ts"]
        saturday_ns = pd.Timestamp("2020-06-13").value
        k = int(np.flatnonzero(ts == saturday_ns)[0])
        found = store.locate(np.array([sid, sid]), np.array([saturday_ns, saturday_ns + 1]))
    assert found.tolist() == [k, -1]


def test_statement_ids_are_listed_per_event(workspace: tuple[Path, pd.DataFrame]) -> None:
    path, events = workspace
    burst = events.iloc[:3].copy()
    burst["time"] = pd.to_datetime(
        ["2020-03-02T15:00:00Z", "2020-03-02T16:00:00Z"] * 1 + ["2020-03-10T15:00:00Z"], utc=True
    )
    with ll.Workspace.open(path) as ws:
        result = ws.event_study(events=burst, **OPTIONS, tests="per-event")
    ids = result.events["statement_ids"].tolist()
    assert ids == [["0", "1"], ["2"]]  # the two statements of one session form one event
    assert "statement_ids" not in result.table.columns
    assert result.to_dict()["events"][0]["statement_ids"] == ["0", "1"]


def test_fits_in_blocks_agree_with_one_fit_and_with_statsmodels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(8)
    n, t = 40, 90
    m = rng.normal(0, 0.01, (n, t))
    r = 0.001 + rng.uniform(0.5, 1.5, (n, 1)) * m + rng.normal(0, 0.01, (n, t))
    r[rng.random((n, t)) < 0.05] = np.nan
    r[3, :80] = np.nan  # too few bars: invalid, with its reason
    whole = models.fit_normal_model("market", r, m, min_estimation=30)
    monkeypatch.setattr(models, "_BLOCK_CELLS", 7 * t)  # blocks of 7 rows on two threads
    blocks = models.fit_normal_model("market", r, m, min_estimation=30)
    for name in ("params", "s2", "sxx_inv", "x_mean", "h0", "residuals"):
        np.testing.assert_allclose(
            getattr(blocks, name), getattr(whole, name), rtol=1e-13, atol=1e-18, err_msg=name
        )
    assert blocks.reason.tolist() == whole.reason.tolist() and not blocks.valid[3]
    for i in (0, 17, 39):
        ok = np.isfinite(r[i])
        ols = sm.OLS(r[i, ok], sm.add_constant(m[i, ok])).fit()
        np.testing.assert_allclose(blocks.params[i], ols.params, rtol=1e-10)
        assert blocks.s2[i] == pytest.approx(ols.scale, rel=1e-10)
        np.testing.assert_allclose(blocks.residuals[i, ok], ols.resid, atol=1e-13)


@pytest.fixture(scope="module")
def ranked() -> tuple[object, object]:
    """2,500 events (three blocks of rows), some rows with ties and missing values."""
    rng = np.random.default_rng(6)
    n, t, length = 2500, 60, 5
    m = rng.normal(0, 0.01, (n, t + length))
    r = 0.001 + 0.9 * m + rng.standard_t(4, (n, t + length)) * 0.01
    r[rng.random((n, t + length)) < 0.05] = np.nan
    r[:, 7] = np.nan  # an estimation bar no event has
    r[:40] = np.round(r[:40], 3)
    m[:40] = 0.0  # residuals repeat: tied rows
    fit = models.fit_normal_model(
        "market", r[:, :t], m[:, :t] + 1e-9 * np.arange(t), min_estimation=30
    )
    abn = abnormal_returns(fit, r[:, t:], m[:, t:], first_bar=-2)
    return abn, tests_rank.rank_panel(abn)


def test_rank_panel_in_blocks_against_rankdata(ranked: tuple[object, object]) -> None:
    abn, panel = ranked
    v = abn.valid
    full = np.concatenate([abn.est_residuals[v], abn.ar[v]], axis=1)
    present = np.isfinite(full)
    ranks = stats.rankdata(np.where(present, full, np.inf), method="average", axis=1)
    n_i = present.sum(axis=1)
    centred = np.where(present, ranks - (n_i[:, None] + 1) / 2, 0.0)
    assert panel.tied.any() and not panel.tied.all()
    np.testing.assert_array_equal(panel.centred, centred)
    np.testing.assert_array_equal(panel.n_i, n_i)
    np.testing.assert_array_equal(panel.n_tau, present.sum(axis=0))
    assert panel.order is not None
    np.testing.assert_array_equal(
        np.take_along_axis(np.where(present, full, np.inf), panel.order.astype(np.intp), axis=1),
        np.sort(np.where(present, full, np.inf), axis=1),
    )


def test_grank_from_the_rank_panel_against_fresh_ranks(ranked: tuple[object, object]) -> None:
    abn, panel = ranked
    fresh = tests_rank.grank_t(abn, (-1, 1))
    reused = tests_rank.grank_t(abn, (-1, 1), ranks=panel)
    assert reused.statistic == pytest.approx(fresh.statistic, rel=1e-12)
    assert reused.distribution == fresh.distribution
    # the witness: GSAR ranks per event with scipy, U summed per time point (KP 2011 eq. 9)
    v = abn.valid
    est = abn.est_residuals[v][:, np.isfinite(abn.est_residuals[v]).any(axis=0)]
    car = np.nansum(abn.ar[v][:, 1:4], axis=1)
    scar = tests_rank.valid_cumulative(abn, (-1, 1)).t[v]
    gsar = np.column_stack([est / np.sqrt(abn.s2[v])[:, None], scar / scar.std(ddof=1)])
    present = np.isfinite(gsar)
    k = stats.rankdata(np.where(present, gsar, np.inf), method="average", axis=1)
    u = np.where(present, k / (present.sum(axis=1) + 1)[:, None] - 0.5, 0.0)
    n_t = present.sum(axis=0)
    u_bar = u.sum(axis=0) / n_t
    s_u = np.sqrt((n_t / v.sum() * u_bar**2).sum() / gsar.shape[1])
    z = u_bar[-1] / s_u
    t_points = gsar.shape[1]
    assert car.size == v.sum()
    assert reused.statistic == pytest.approx(
        z * np.sqrt((t_points - 2) / (t_points - 1 - z * z)), rel=1e-10
    )


def test_p_values_against_scipy_stats() -> None:
    t = np.array([0.0, 1.5, -2.3, np.nan, np.inf, 40.0])
    for df in (1, 2.5, 248, 1e6):
        np.testing.assert_array_equal(t_p(t, df), 2 * stats.t.sf(np.abs(t), df))
    np.testing.assert_array_equal(normal_p(t), 2 * stats.norm.sf(np.abs(t)))


def test_cross_correlation_in_blocks_against_corrcoef(monkeypatch: pytest.MonkeyPatch) -> None:
    from leaderlens.study import tests_parametric as tp

    rng = np.random.default_rng(2)
    common = rng.normal(size=80)
    e = 0.4 * common + rng.normal(size=(30, 80))
    cal = np.broadcast_to(np.arange(80), e.shape)
    whole = tp.residual_cross_correlation(e, cal)
    corr = np.corrcoef(e)
    assert whole == pytest.approx(corr[~np.eye(30, dtype=bool)].mean(), rel=1e-12)
    monkeypatch.setattr(tp, "_ROWS", 7)
    assert tp.residual_cross_correlation(e, cal) == pytest.approx(whole, rel=1e-12)
