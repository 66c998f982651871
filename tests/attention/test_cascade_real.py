"""The cascade on real data, time-ordered (figures in docs/attention.md; bench/cascade_real.py
prints them)."""

from __future__ import annotations

from pathlib import Path

import cascade_real


def test_tsla_mentions_held_out_likelihood_beats_poisson_and_distributed_lag(
    shared_data: Path,
) -> None:
    out = cascade_real.tsla(shared_data)
    assert out["n_test"] > 5000
    assert out["hawkes"] > out["lagged"]
    assert out["hawkes"] > out["poisson"]
    fit = out["fit"]
    # Musk's Tesla-topic tweets trigger TSLA mentions directly; the interval excludes zero.
    size, low, _ = fit.size(0)
    assert low > 0.01 and size > fit.size(1)[0]


def test_doge_trends_bucketed_forecast_beats_distributed_lag(shared_data: Path) -> None:
    out = cascade_real.doge(shared_data)
    assert out["n_forecasts"] >= 300
    assert out["mape_hawkes"] < out["mape_lagged"]
