"""Size and power of the test battery by simulation (Brown & Warner 1985 style).

Each sample is one synthetic market-model study of N events: R_it = a_i + b_i M_t + e_it with
normal errors. Events either sit at separate calendar times (independent) or all share one
calendar (clustered); clustered errors carry a common daily shock the market model does not
absorb (e.g. an industry factor), so the events' abnormal values are cross-correlated with
correlation ``rho``. An optional effect is added to every event's day 0. The rejection rate of
each test at ``level`` estimates its size (no effect) or power (with effect).

Used to check the battery (Kolari & Pynnönen 2010 show the unadjusted BMP over-rejects under
clustering and their adjustment restores size) and to plan studies (how many events?).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.study.abnormal import abnormal_returns
from leaderlens.study.battery import run_battery
from leaderlens.study.models import FloatArray, IntArray, fit_normal_model


@dataclass(frozen=True)
class SimulatedStudy:
    """One synthetic study: estimation and event panels, and the estimation bars' calendar.

    Attributes:
        R_est, M_est: (N, T); R_evt, M_evt: (N, L); calendar_index: (N, T) integer bars;
        first_bar: relative bar of the first event-window column.
    """

    R_est: FloatArray
    M_est: FloatArray
    R_evt: FloatArray
    M_evt: FloatArray
    calendar_index: IntArray
    first_bar: int


def simulate_study(
    rng: np.random.Generator,
    *,
    n_events: int = 30,
    n_estimation: int = 100,
    window: tuple[int, int] = (-1, 1),
    clustered: bool = False,
    rho: float = 0.0,
    effect: float = 0.0,
    sigma: float = 0.02,
) -> SimulatedStudy:
    """Draw one study (see the module docstring); ``effect`` is added on day 0 of every event."""
    if not 0.0 <= rho < 1.0:
        raise BadInputError(f"rho must lie in [0, 1); got {rho!r}", field="rho")
    t1, t2 = window
    if not t1 <= 0 <= t2:
        raise BadInputError(f"window must contain day 0; got {window!r}", field="window")
    length = t2 - t1 + 1
    span = n_estimation + length
    m = rng.normal(3e-4, 0.01, (n_events, span))
    if clustered:
        m[:] = m[0]  # one calendar: every event sees the same market days
    sd = sigma * rng.uniform(0.5, 1.5, (n_events, 1))
    own = rng.normal(0.0, 1.0, (n_events, span))
    common = rng.normal(0.0, 1.0, (1, span)) if clustered else np.zeros((1, span))
    e = sd * (np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own)
    r = rng.normal(0, 5e-4, (n_events, 1)) + rng.uniform(0.5, 1.5, (n_events, 1)) * m + e
    r[:, n_estimation - t1] += effect
    if clustered:
        cal = np.broadcast_to(np.arange(n_estimation), (n_events, n_estimation))
    else:  # separate calendar blocks: no shared bars between events
        cal = np.arange(n_events)[:, None] * span + np.arange(n_estimation)[None, :]
    return SimulatedStudy(
        R_est=r[:, :n_estimation],
        M_est=m[:, :n_estimation],
        R_evt=r[:, n_estimation:],
        M_evt=m[:, n_estimation:],
        calendar_index=np.ascontiguousarray(cal, dtype=np.int64),
        first_bar=t1,
    )


def rejection_rates(
    n_samples: int,
    *,
    level: float = 0.05,
    seed: int = 0,
    n_events: int = 30,
    n_estimation: int = 100,
    window: tuple[int, int] = (-1, 1),
    clustered: bool = False,
    rho: float = 0.0,
    effect: float = 0.0,
    sigma: float = 0.02,
) -> pd.Series:
    """Share of ``n_samples`` simulated studies in which each test rejects at ``level``.

    Returns a Series indexed by test name (market model, textbook convention, the battery on
    ``window`` with the Kolari-Pynnönen r from the calendar-aligned estimation residuals).
    """
    rng = np.random.default_rng(seed)
    rejections: dict[str, int] = {}
    for _ in range(n_samples):  # one study per sample; each study is vectorised over events
        study = simulate_study(
            rng,
            n_events=n_events,
            n_estimation=n_estimation,
            window=window,
            clustered=clustered,
            rho=rho,
            effect=effect,
            sigma=sigma,
        )
        fit = fit_normal_model("market", study.R_est, study.M_est)
        abn = abnormal_returns(fit, study.R_evt, study.M_evt, first_bar=study.first_bar)
        battery = run_battery(abn, window, calendar_index=study.calendar_index, n_bootstrap=0)
        for res in battery.results:
            rejections[res.name] = rejections.get(res.name, 0) + int(res.p_value < level)
    return pd.Series(rejections, dtype=float, name="rejection rate") / n_samples
