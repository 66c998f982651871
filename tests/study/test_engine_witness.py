"""The whole study (workspace -> alignment -> gather -> finish) against independent computations.

The witness aligns each moment with exchange_calendars' own schedule, places prices on the
session grid with pandas, and fits one statsmodels OLS per event; parameters, ARs, AR t, CARs
and CAR t must agree to 1e-10.
"""

from __future__ import annotations

from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import leaderlens as ll

EST = (-120, -11)
WINDOW = (-2, 2)
MIN_EST = 60


def sessions_and_closes() -> tuple[pd.DatetimeIndex, pd.Series]:
    cal = xcals.get_calendar("XNYS", start="2018-01-02", end="2022-12-30")
    schedule = cal.schedule.loc["2019-01-02":"2021-12-31"]
    return pd.DatetimeIndex(schedule.index), schedule["close"]


def world(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Asset A and market M on XNYS sessions with gaps; 40 moments at random instants."""
    rng = np.random.default_rng(seed)
    sessions, _ = sessions_and_closes()
    n = sessions.size
    m = rng.normal(3e-4, 0.01, n)
    r = 1e-4 + 1.3 * m + rng.normal(0, 0.015, n)
    price_a = 50 * np.cumprod(1 + r)
    price_m = 3000 * np.cumprod(1 + m)
    drop_a = rng.choice(n, 12, replace=False)
    drop_m = rng.choice(n, 6, replace=False)
    a = pd.DataFrame({"date": sessions.strftime("%Y-%m-%d"), "close": price_a}).drop(index=drop_a)
    mk = pd.DataFrame({"date": sessions.strftime("%Y-%m-%d"), "close": price_m}).drop(index=drop_m)
    lo = pd.Timestamp("2019-09-01", tz="UTC").value
    hi = pd.Timestamp("2021-11-30", tz="UTC").value
    instants = pd.to_datetime(np.sort(rng.integers(lo, hi, 40)), utc=True)
    moments = pd.DataFrame(
        {"time": instants, "label": [f"moment {i}" for i in range(40)], "asset": "A"}
    )
    return a, mk, moments


def witness(a: pd.DataFrame, mk: pd.DataFrame, moments: pd.DataFrame) -> pd.DataFrame:
    sessions, closes = sessions_and_closes()
    price_a = pd.Series(a["close"].to_numpy(), index=pd.DatetimeIndex(a["date"]))
    price_m = pd.Series(mk["close"].to_numpy(), index=pd.DatetimeIndex(mk["date"]))
    grid = sessions[(sessions >= price_a.index.min()) & (sessions <= price_a.index.max())]
    ra = price_a.reindex(grid)
    ra = (ra / ra.shift(1) - 1).to_numpy()
    pm = price_m.reindex(sessions)
    rm = (pm / pm.shift(1) - 1).reindex(grid).to_numpy()
    rows = []
    for instant in moments["time"]:
        day0 = closes.index[np.searchsorted(closes.to_numpy(), instant, side="right")]
        k0 = grid.get_loc(day0)
        est = np.arange(k0 + EST[0], k0 + EST[1] + 1)
        est = est[est >= 0]
        y, x = ra[est], rm[est]
        ok = np.isfinite(y) & np.isfinite(x)
        win = np.arange(k0 + WINDOW[0], k0 + WINDOW[1] + 1)
        row = {"day0": day0.strftime("%Y-%m-%d"), "excluded": ok.sum() < MIN_EST}
        if not row["excluded"] and np.isfinite(ra[win]).all() and np.isfinite(rm[win]).all():
            fit = sm.OLS(y[ok], sm.add_constant(x[ok])).fit()
            xw = sm.add_constant(rm[win], has_constant="add")
            ar = ra[win] - xw @ fit.params
            pred = fit.get_prediction(xw)
            var_ar = pred.se_mean**2 + fit.scale  # s^2 (1 + x'(X'X)^-1 x)
            ones = np.ones(len(win))
            var_car = fit.scale * (len(win) + ones @ xw @ fit.normalized_cov_params @ xw.T @ ones)
            row.update(
                alpha=fit.params[0],
                beta=fit.params[1],
                ar=ar,
                ar_t=ar / np.sqrt(var_ar),
                car=ar.sum(),
                car_t=ar.sum() / np.sqrt(var_car),
                n_est=int(ok.sum()),
            )
        else:
            row["excluded"] = True
        rows.append(row)
    # Moments on one session form one event (a cluster), as in leaderlens.
    return pd.DataFrame(rows).drop_duplicates("day0").reset_index(drop=True)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[ll.EventStudyResult, pd.DataFrame]:
    a, mk, moments = world()
    path: Path = tmp_path_factory.mktemp("engine") / "w.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.ingest_prices(mk, asset="M", calendar="XNYS")
        ws.ingest_prices(a, asset="A", calendar="XNYS", benchmark="M")
        result = ws.event_study(
            events=moments,
            asset="A",
            model="market",
            window=WINDOW,
            estimation=EST,
            min_estimation=MIN_EST,
            n_bootstrap=0,
            n_placebo=0,
        )
    return result, witness(a, mk, moments)


def test_day0_and_exclusions_match_the_witness(
    study: tuple[ll.EventStudyResult, pd.DataFrame],
) -> None:
    result, expected = study
    frame = result.events_frame().sort_values("time").reset_index(drop=True)
    assert len(frame) == len(expected)
    assert frame["n_statements"].sum() == 40
    assert frame["day0"].tolist() == expected["day0"].tolist()
    assert ((frame["excluded"] != "").to_numpy() == expected["excluded"].to_numpy()).all()
    assert expected["excluded"].sum() >= 1  # the gaps do exclude some events, with reasons
    assert frame.loc[frame["excluded"] != "", "excluded"].str.len().gt(0).all()


def test_parameters_abnormal_values_and_t_agree_to_1e_10(
    study: tuple[ll.EventStudyResult, pd.DataFrame],
) -> None:
    result, expected = study
    frame = result.events_frame().sort_values("time").reset_index(drop=True)
    ok = ~expected["excluded"].to_numpy()
    got = frame[ok]
    want = expected[ok]
    bars = [f"ar[{b}]" for b in range(WINDOW[0], WINDOW[1] + 1)]
    t_bars = [f"ar_t[{b}]" for b in range(WINDOW[0], WINDOW[1] + 1)]
    np.testing.assert_allclose(got["alpha"], want["alpha"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(got["beta"], want["beta"], rtol=1e-10)
    np.testing.assert_allclose(got[bars].to_numpy(), np.stack(want["ar"]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(got[t_bars].to_numpy(), np.stack(want["ar_t"]), rtol=1e-10)
    np.testing.assert_allclose(got["car"], want["car"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(got["car_t"], want["car_t"], rtol=1e-10)
    assert (got["n_estimation"].to_numpy() == want["n_est"].to_numpy()).all()


def test_json_contract(study: tuple[ll.EventStudyResult, pd.DataFrame]) -> None:
    result, _ = study
    payload = result.to_dict()
    assert set(payload) >= {"settings", "events", "aggregate"}
    event = payload["events"][0]
    assert set(event) >= {
        "label",
        "time",
        "day0",
        "aligned",
        "n_estimation",
        "ar",
        "car",
        "car_t",
        "car_p",
        "excluded",
    }
    assert list(event["ar"]) == ["-2", "-1", "0", "1", "2"]
    assert len(event["day0"]) == 10  # an ISO date for daily studies
    agg = payload["aggregate"]
    assert agg["n"] == result.n_studied
    names = {t["name"] for t in agg["tests"]}
    assert any("Patell" in n for n in names) and any("Kolari" in n for n in names)
    for test in agg["tests"]:
        assert set(test) >= {"name", "statistic", "p_value", "distribution"}
    assert payload["settings"]["returns"] == "simple"
    assert payload["settings"]["model"] == "market"


def test_the_callers_frame_is_untouched(tmp_path: Path) -> None:
    a, mk, moments = world(seed=5)
    before = moments.copy()
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(mk, asset="M", calendar="XNYS")
        ws.ingest_prices(a, asset="A", calendar="XNYS", benchmark="M")
        ws.event_study(events=moments, asset="A", n_bootstrap=0, n_placebo=0)
    pd.testing.assert_frame_equal(moments, before)


@pytest.mark.parametrize("model", ["market", "market-adjusted", "constant-mean"])
def test_running_sums_agree_with_the_dense_path(tmp_path: Path, model: str) -> None:
    a, mk, moments = world(seed=9)
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(mk, asset="M", calendar="XNYS")
        ws.ingest_prices(a, asset="A", calendar="XNYS", benchmark="M")
        options = dict(
            events=moments,
            asset="A",
            model=model,
            window=WINDOW,
            estimation=EST,
            min_estimation=MIN_EST,
            n_bootstrap=0,
            n_placebo=0,
        )
        dense = ws.event_study(**options, tests="all").events_frame()
        fast_result = ws.event_study(**options, tests="per-event")
        fast = fast_result.events_frame()
    assert "running sums" in " ".join(fast_result.settings.notes)
    assert (fast["excluded"] != "").tolist() == (dense["excluded"] != "").tolist()
    columns = [
        c
        for c in dense.columns
        if c.startswith(("ar", "r[")) or c in ("car", "car_t", "car_p", "alpha", "beta", "mean")
    ]
    for column in columns:
        np.testing.assert_allclose(
            fast[column].to_numpy(float),
            dense[column].to_numpy(float),
            rtol=1e-10,
            atol=1e-12,
            err_msg=column,
        )
    assert fast["n_estimation"].tolist() == dense["n_estimation"].tolist()


def test_the_running_sums_follow_new_loads(tmp_path: Path) -> None:
    a, mk, moments = world(seed=4)
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(mk, asset="M", calendar="XNYS")
        ws.ingest_prices(a, asset="A", calendar="XNYS", benchmark="M")
        options = dict(events=moments, asset="A", n_bootstrap=0, n_placebo=0, tests="per-event")
        before = ws.event_study(**options).events_frame()["car"].to_numpy()
        changed = a.copy()
        changed["close"] = changed["close"] * np.linspace(1.0, 1.3, len(changed))
        ws.ingest_prices(changed, asset="A", on_conflict="replace")
        after = ws.event_study(**options).events_frame()["car"].to_numpy()
        dense = ws.event_study(**{**options, "tests": "all"}).events_frame()["car"].to_numpy()
    assert not np.allclose(before, after, equal_nan=True)
    np.testing.assert_allclose(after, dense, rtol=1e-10, atol=1e-12)


def test_average_path_and_html_escape_labels(tmp_path: Path) -> None:
    a, mk, moments = world(seed=12)
    moments = moments.assign(label="<script>alert(1)</script><img src=x onerror=alert(2)>")
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(mk, asset="M", calendar="XNYS")
        ws.ingest_prices(a, asset="A", calendar="XNYS", benchmark="M")
        result = ws.event_study(
            events=moments,
            asset="A",
            window=WINDOW,
            estimation=EST,
            min_estimation=MIN_EST,
            n_bootstrap=0,
            n_placebo=0,
        )
    frame = result.events_frame()
    studied = frame[frame["excluded"] == ""]
    path = result.aggregate_frame().set_index("bar")
    for bar in range(WINDOW[0], WINDOW[1] + 1):
        column = studied[f"ar[{bar}]"]
        assert path.loc[bar, "n"] == column.notna().sum()
        assert path.loc[bar, "aar"] == pytest.approx(column.mean(), abs=1e-15)
    assert path["caar"].iloc[-1] == pytest.approx(studied["car"].mean(), abs=1e-14)
    page = result._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page
