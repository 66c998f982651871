"""Size and power of the volume and volatility tests by simulation.

Each sample is one synthetic study of N events on a market model ``y_it = a_i + b_i m_t +
e_it`` with normal errors of event-specific sd: ``y`` is log volume (and ``m`` the market's
log volume) for a volume study, a return for a volatility study. Day 0 of every event can
carry a planted shock: ``shift`` residual sds added to its level (abnormal volume) and its
error multiplied by ``scale`` (event-induced variance: ``scale = 2`` quadruples the variance).
The rejection rate of each test at ``level`` estimates its size (no shock) or power.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.study.abnormal import abnormal_returns
from leaderlens.study.battery import run_battery
from leaderlens.study.measures import abnormal_volatility, volatility_battery
from leaderlens.study.models import FloatArray, fit_normal_model
from leaderlens.study.result import TestResult


def simulate_panels(
    rng: np.random.Generator,
    *,
    n_events: int = 30,
    n_estimation: int = 100,
    window: tuple[int, int] = (-1, 1),
    shift: float = 0.0,
    scale: float = 1.0,
    sigma: float = 0.02,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(y_est, m_est, y_evt, m_evt): (N, T) and (N, L) panels of one study (module docstring)."""
    t1, t2 = window
    if not t1 <= 0 <= t2:
        raise BadInputError(f"window must contain day 0; got {window!r}", field="window")
    if scale <= 0:
        raise BadInputError(f"scale must be positive; got {scale!r}", field="scale")
    span = n_estimation + t2 - t1 + 1
    day0 = n_estimation - t1
    m = rng.normal(0.0, 0.01, (n_events, span))
    sd = sigma * rng.uniform(0.5, 1.5, n_events)
    e = sd[:, None] * rng.normal(0.0, 1.0, (n_events, span))
    e[:, day0] = scale * e[:, day0] + shift * sd
    y = rng.normal(0.0, 5e-4, (n_events, 1)) + rng.uniform(0.5, 1.5, (n_events, 1)) * m + e
    return y[:, :n_estimation], m[:, :n_estimation], y[:, n_estimation:], m[:, n_estimation:]


def measure_rejection_rates(
    n_samples: int,
    *,
    measure: Literal["volume", "volatility"],
    volatility_model: Literal["estimation", "garch"] = "estimation",
    level: float = 0.05,
    seed: int = 0,
    n_events: int = 30,
    n_estimation: int = 100,
    window: tuple[int, int] = (-1, 1),
    shift: float = 0.0,
    scale: float = 1.0,
) -> pd.Series:
    """Share of ``n_samples`` simulated studies in which each test rejects at ``level``: the
    battery on abnormal log volume (market volume model) or on abnormal volatility (market
    model returns), with the variance ratio and cross-sectional variance tests for volatility.
    """
    check_choice("measure", measure, ("volume", "volatility"))
    check_choice("volatility_model", volatility_model, ("estimation", "garch"))
    rng = np.random.default_rng(seed)
    rejections: dict[str, int] = {}
    for _ in range(n_samples):  # one study per sample; each study is vectorised over events
        y_est, m_est, y_evt, m_evt = simulate_panels(
            rng,
            n_events=n_events,
            n_estimation=n_estimation,
            window=window,
            shift=shift,
            scale=scale,
        )
        abn = abnormal_returns(
            fit_normal_model("market", y_est, m_est), y_evt, m_evt, first_bar=window[0]
        )
        extra: tuple[TestResult, ...] = ()
        if measure == "volatility":  # the estimation window ends the bar before the event's
            abn, extra = abnormal_volatility(abn, volatility_model, window[0] - 1)
        battery = run_battery(abn, n_bootstrap=0)
        if measure == "volatility":
            battery = volatility_battery(battery, extra)
        for res in battery.results:
            rejections[res.name] = rejections.get(res.name, 0) + int(res.p_value < level)
    return pd.Series(rejections, dtype=float, name="rejection rate") / n_samples
