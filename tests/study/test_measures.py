"""Volume and volatility studies against independent computations on generated data.

The witness places the generated bars on the UTC-day grid with pandas, fits one statsmodels OLS
per event (arch for GARCH) and forms the abnormal log volume / abnormal volatility by hand; the
study's per-event values and its variance tests must agree to 1e-10.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from arch import arch_model
from scipy import stats
from typer.testing import CliRunner

import leaderlens as ll
from leaderlens.cli.main import app
from leaderlens.errors import BadInputError
from leaderlens.study.measure_simulation import measure_rejection_rates
from leaderlens.study.measures import garch_variances

EST = (-120, -11)
WINDOW = (-1, 1)
MIN_EST = 60
DAYS = pd.date_range("2020-01-01", periods=700, freq="D")
SHARES = 3.0e8


def world(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Asset A and market M on UTC days (A misses a few days, and has zero-volume days);
    25 moments at noon of distinct days, each with a planted volume and variance shock."""
    rng = np.random.default_rng(seed)
    n = DAYS.size
    log_vm = 20 + 0.3 * np.sin(np.arange(n) / 30) + rng.normal(0, 0.2, n)
    log_va = 2 + 0.8 * log_vm + rng.normal(0, 0.3, n)
    m = rng.normal(3e-4, 0.01, n)
    e = rng.normal(0, 0.015, n)
    k0 = np.sort(rng.choice(np.arange(200, n - 5), 25, replace=False))
    log_va[k0] += 1.5  # planted: volume e^1.5 = 4.5 times the usual on day 0
    e[k0] *= 3.0  # planted: nine times the usual variance on day 0
    r = 1e-4 + 1.2 * m + e
    volume_a = np.exp(log_va)
    volume_a[rng.choice(n, 5, replace=False)] = 0.0
    a = pd.DataFrame(
        {"date": DAYS.strftime("%Y-%m-%d"), "close": 40 * np.cumprod(1 + r), "volume": volume_a}
    ).drop(index=rng.choice(np.setdiff1d(np.arange(n), [k0 - 1, k0, k0 + 1]), 8, replace=False))
    mk = pd.DataFrame(
        {
            "date": DAYS.strftime("%Y-%m-%d"),
            "close": 900 * np.cumprod(1 + m),
            "volume": np.exp(log_vm),
        }
    )
    moments = pd.DataFrame(
        {
            "time": DAYS[k0].tz_localize("UTC") + pd.Timedelta(hours=12),
            "label": [f"moment {i}" for i in range(k0.size)],
        }
    )
    return a, mk, moments


def on_grid(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame.set_index(pd.DatetimeIndex(frame["date"]))[column].reindex(DAYS).to_numpy(float)


def witness_fits(y: np.ndarray, x: np.ndarray | None, moments: pd.DataFrame) -> pd.DataFrame:
    """One statsmodels OLS per event of y on x (None: the constant mean) over the estimation
    window, with the event window's AR, prediction-error variance, CAR and its variance."""
    rows = []
    for instant in moments["time"]:
        k0 = DAYS.get_loc(instant.tz_localize(None).normalize())
        est = np.arange(k0 + EST[0], k0 + EST[1] + 1)
        win = np.arange(k0 + WINDOW[0], k0 + WINDOW[1] + 1)
        xe = np.ones((est.size, 1)) if x is None else sm.add_constant(x[est])
        xw = np.ones((win.size, 1)) if x is None else sm.add_constant(x[win], has_constant="add")
        ok = np.isfinite(y[est]) & np.isfinite(xe).all(axis=1)
        fit = sm.OLS(y[est][ok], xe[ok]).fit()
        ar = y[win] - xw @ fit.params
        var_ar = fit.get_prediction(xw).se_mean ** 2 + fit.scale
        ones = np.ones(win.size)
        var_car = fit.scale * (win.size + ones @ xw @ fit.normalized_cov_params @ xw.T @ ones)
        rows.append(
            {
                "ar": ar,
                "var_ar": var_ar,
                "car_t": ar.sum() / np.sqrt(var_car),
                "dof": int(ok.sum()) - xe.shape[1],
                "resid": np.where(ok, y[est] - xe @ fit.params, np.nan),
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory):
    a, mk, moments = world()
    with ll.Workspace.open(tmp_path_factory.mktemp("measures") / "w.duckdb") as w:
        w.ingest_prices(mk, asset="M", calendar="24/7")
        w.ingest_prices(a, asset="A", calendar="24/7", benchmark="M")
        yield w, a, mk, moments


def study(ws, **kw) -> ll.EventStudyResult:
    w, _, _, moments = ws
    options = {
        "events": moments,
        "asset": "A",
        "window": WINDOW,
        "estimation": EST,
        "min_estimation": MIN_EST,
        "n_bootstrap": 0,
        "n_placebo": 0,
        "model": "market",
        **kw,
    }
    return w.event_study(**options)


def columns(prefix: str) -> list[str]:
    return [f"{prefix}[{b}]" for b in range(WINDOW[0], WINDOW[1] + 1)]


def per_event(result: ll.EventStudyResult) -> pd.DataFrame:
    frame = result.events_frame().sort_values("time").reset_index(drop=True)
    assert (frame["excluded"] == "").all()
    return frame


@pytest.mark.parametrize("model", ["market", "constant-mean"])
def test_abnormal_log_volume_equals_ols_on_log_volume(ws, model: str) -> None:
    _, a, mk, moments = ws
    result = study(ws, measure="volume", model=model)
    x = np.log1p(on_grid(mk, "volume")) if model == "market" else None
    want = witness_fits(np.log1p(on_grid(a, "volume")), x, moments)
    got = per_event(result)
    np.testing.assert_allclose(got[columns("ar")], np.stack(want["ar"]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        got[columns("ar_t")], np.stack(want["ar"]) / np.sqrt(np.stack(want["var_ar"])), rtol=1e-10
    )
    np.testing.assert_allclose(got["car_t"], want["car_t"], rtol=1e-10)
    # the planted e^1.5 volume on day 0 is found, by the t and the rank tests alike
    tests = result.tests_frame().set_index("test")["p_value"]
    assert tests["cross-sectional t (Brown & Warner 1985)"] < 1e-6
    assert tests["Corrado & Zivney (1992) modified rank"] < 1e-3
    assert "log volume" in " ".join(result.settings.notes)
    assert "measure volume" in result.summary()


def test_turnover_when_shares_outstanding_are_given(ws) -> None:
    _, a, _, moments = ws
    result = study(ws, measure="volume", model="constant-mean", shares_outstanding=SHARES)
    y = np.log(100 * on_grid(a, "volume") / SHARES + 0.000255)  # Campbell & Wasley (1996)
    want = witness_fits(y, None, moments)
    got = per_event(result)
    np.testing.assert_allclose(got[columns("ar")], np.stack(want["ar"]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(got["car_t"], want["car_t"], rtol=1e-10)


def returns_witness(ws) -> tuple[pd.DataFrame, np.ndarray]:
    _, a, mk, moments = ws
    price_a, price_m = on_grid(a, "close"), on_grid(mk, "close")
    ra = price_a / np.concatenate([[np.nan], price_a[:-1]]) - 1
    rm = price_m / np.concatenate([[np.nan], price_m[:-1]]) - 1
    return witness_fits(ra, rm, moments), ra


def test_abnormal_volatility_against_the_estimation_window(ws) -> None:
    result = study(ws, measure="volatility")
    want, _ = returns_witness(ws)
    d = want["dof"].to_numpy(float)
    sar = np.stack(want["ar"]) / np.sqrt(np.stack(want["var_ar"]))
    av = sar**2 * ((d - 2) / d)[:, None] - 1  # SAR is t(d): E[SAR^2] = d / (d - 2)
    got = per_event(result)
    np.testing.assert_allclose(got[columns("ar")], av, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got["car"], av.sum(axis=1), rtol=1e-10)
    tests = result.tests_frame().set_index("test")
    ratio = (av + 1).mean()
    vr = tests.loc["variance ratio (event-induced variance)"]
    assert vr["statistic"] == pytest.approx(ratio, rel=1e-10)
    assert vr["p_value"] == pytest.approx(stats.chi2.sf(ratio * av.size, av.size), rel=1e-8)
    scar = want["car_t"].to_numpy()
    n = scar.size
    bmp = (n - 1) * scar.var(ddof=1) / np.mean(d / (d - 2))
    cs = tests.loc["cross-sectional variance (Boehmer, Musumeci & Poulsen 1991)"]
    assert cs["statistic"] == pytest.approx(bmp, rel=1e-10)
    assert cs["p_value"] == pytest.approx(stats.chi2.sf(bmp, n - 1), rel=1e-8)
    assert ratio > 2 and vr["p_value"] < 1e-6  # the planted nine-fold variance on day 0
    assert not any(t.startswith(("sign test", "Wilcoxon")) for t in tests.index)
    assert "bhar" not in result.table.columns  # buy-and-hold is a returns measure


def test_garch_volatility_equals_arch(ws) -> None:
    few = ws[3].iloc[:6]
    result = study(ws, events=few, measure="volatility", volatility_model="garch")
    want, _ = returns_witness(ws)
    got = per_event(result)
    horizons = np.arange(WINDOW[0], WINDOW[1] + 1) - EST[1]
    resid = np.stack(want["resid"][: len(few)])
    sigma2 = np.empty((len(few), horizons.size))
    for i in range(len(few)):
        fit = arch_model(
            100 * resid[i][np.isfinite(resid[i])], mean="Zero", vol="GARCH", p=1, q=1, rescale=False
        ).fit(disp="off", show_warning=False, tol=1e-12)
        assert fit.convergence_flag == 0
        forecast = fit.forecast(horizon=horizons.max(), reindex=False).variance.to_numpy()[-1]
        sigma2[i] = forecast[horizons - 1] / 1e4
    # The same residuals in: leaderlens' GARCH step is arch's forecast exactly.
    mine, _ = garch_variances(resid, horizons, np.ones(len(few), bool))
    np.testing.assert_allclose(mine, sigma2, rtol=1e-12)
    # End to end the residuals come from leaderlens' own OLS, equal to statsmodels' to ~1e-16;
    # on these returns (no GARCH effects) the likelihood is flat and SLSQP stops at a point a
    # last-digit change in its input moves by up to ~1e-5 relative: compared to 1e-4.
    av = np.stack(want["ar"][: len(few)]) ** 2 / sigma2 - 1
    np.testing.assert_allclose(got[columns("ar")].to_numpy(float), av, rtol=1e-4, atol=1e-9)
    assert "GARCH(1,1)" in " ".join(result.settings.notes)


def test_q_values_and_discoveries_in_the_json(ws) -> None:
    result = study(ws, measure="volume", fdr=0.01, fdr_method="by")
    payload = result.to_dict()
    p = np.array([e["car_p"] for e in payload["events"]])
    q = np.array([e["car_q_by"] for e in payload["events"]])
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_allclose(q, multipletests(p, method="fdr_by")[1], rtol=0, atol=1e-12)
    found = payload["aggregate"]["discoveries"]
    assert found["method"] == "by" and found["rate"] == 0.01
    assert found["discoveries"] == multipletests(p, 0.01, "fdr_by")[0].sum()
    assert payload["settings"]["measure"] == "volume"
    assert "discoveries at FDR 0.01" in result.summary()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"measure": "price"}, "measure"),
        ({"measure": "volume", "model": "factor", "factors": "f.csv"}, "model"),
        ({"measure": "returns", "shares_outstanding": 1e6}, "shares_outstanding"),
        ({"measure": "volume", "shares_outstanding": -1.0}, "shares_outstanding"),
        ({"measure": "volume", "shares_outstanding": 1e6, "asset": None}, "shares_outstanding"),
        ({"measure": "returns", "volatility_model": "garch"}, "volatility_model"),
        ({"measure": "volatility", "volatility_model": "egarch"}, "volatility_model"),
        ({"fdr": 1.5}, "fdr"),
    ],
)
def test_options_are_checked_at_the_door(ws, kw: dict, field: str) -> None:
    with pytest.raises(BadInputError) as err:
        study(ws, **kw)
    assert err.value.field == field


def test_cli_measure_and_bad_method(ws, tmp_path: Path) -> None:
    w, _, _, moments = ws
    events = tmp_path / "events.csv"
    moments.assign(time=moments["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        events, index=False
    )
    path = str(w.path)
    common = ["study", "--workspace", path, "--events", str(events), "--asset", "A"]
    common += ["--placebo", "0", "--bootstrap", "0", "--min-estimation", "60"]
    runner = CliRunner()
    bad = runner.invoke(app, [*common, "--fdr-method", "holm"])
    assert bad.exit_code == 2 and "--fdr-method" in bad.output and "'bh', 'by'" in bad.output
    out = tmp_path / "volume.json"
    good = runner.invoke(app, [*common, "--measure", "volume", "--json", str(out)])
    assert good.exit_code == 0, good.output
    payload = json.loads(out.read_text())
    assert payload["settings"]["measure"] == "volume"
    assert {"car_q_bh", "car_q_by"} <= set(payload["events"][0])
    assert "discoveries at FDR 0.05" in good.output


def test_size_and_power_by_simulation() -> None:
    """Reduced from bench/volume_volatility.py: 100 studies of 30 events each."""
    size = measure_rejection_rates(100, measure="volume", seed=1)
    power = measure_rejection_rates(100, measure="volume", seed=2, shift=1.0)
    t = "cross-sectional t (Brown & Warner 1985)"
    assert size[t] <= 0.12 and power[t] >= 0.6
    size = measure_rejection_rates(100, measure="volatility", seed=3)
    power = measure_rejection_rates(100, measure="volatility", seed=4, scale=2.0)
    for name in ("variance ratio (event-induced variance)", "cross-sectional variance"):
        test = next(k for k in size.index if k.startswith(name))
        assert size[test] <= 0.12, (test, size[test])
        assert power[test] >= 0.6, (test, power[test])


def test_a_benchmark_without_volume_is_needed_only_by_the_market_model(tmp_path: Path) -> None:
    a, mk, moments = world()
    with ll.Workspace.open(tmp_path / "w.duckdb") as w:
        w.ingest_prices(mk.drop(columns=["volume"]), asset="N", calendar="24/7")
        w.ingest_prices(a, asset="B", calendar="24/7", benchmark="N")
        options = {"events": moments, "asset": "B", "measure": "volume", "n_placebo": 0}
        mean_adjusted = w.event_study(model="constant-mean", n_bootstrap=0, **options)
        assert mean_adjusted.n_studied == len(moments)
        with pytest.raises(ll.MissingDataError) as err:
            w.event_study(model="market", **options)
    assert err.value.asset == "N" and "no volume" in str(err.value)
