"""Size and power of the battery and of the headline rule on real returns, by design.

Pseudo-events are drawn on real daily returns (e.g. TSLA against SPY) in one of three designs,
the study is run as leaderlens runs it (market model, textbook convention, the battery with both
Kolari-Pynnönen r's, the headline chosen by :func:`leaderlens.study.headline.choose_headline`),
and each test's rejection rate at ``level`` is counted over the samples. With no planted effect
the rate estimates the test's size; with ``effect`` added to every event's day-0 return, its
power. Real returns carry what normal simulations lack: fat tails, volatility clustering, and
one asset's events sharing most of their estimation windows.

Designs:
* ``"one asset"``: N events of the first asset at distinct random sessions (the main use case:
  one leader, one stock);
* ``"many assets"``: N events at random (asset, session) pairs over all assets;
* ``"clustered"``: a burst: every asset on each of ceil(N / A) consecutive sessions, so event
  windows share calendar days both within an asset and across assets.

Brown & Warner (1985) introduced this placebo design; Kolari & Pynnönen (2010) use it for the
cross-correlation adjustment.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.study.abnormal import abnormal_returns
from leaderlens.study.battery import run_battery
from leaderlens.study.headline import choose_headline
from leaderlens.study.models import fit_normal_model

Design = Literal["one asset", "many assets", "clustered"]
DESIGNS: tuple[str, ...] = ("one asset", "many assets", "clustered")
HEADLINE = "headline (design rule)"


def draw_events(
    rng: np.random.Generator,
    design: Design,
    *,
    n_events: int,
    n_assets: int,
    first: int,
    last: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(asset, day-0 position) of each pseudo-event, positions in [first, last]."""
    span = last - first + 1
    if design == "one asset":
        k0 = first + rng.choice(span, size=n_events, replace=False)
        return np.zeros(n_events, dtype=np.int64), np.sort(k0)
    if design == "many assets":
        cell = rng.choice(span * n_assets, size=n_events, replace=False)
        return cell % n_assets, first + cell // n_assets
    days = -(-n_events // n_assets)
    start = first + int(rng.integers(0, span - days + 1))
    asset = np.tile(np.arange(n_assets), days)[:n_events]
    return asset, start + np.repeat(np.arange(days), n_assets)[:n_events]


def design_rejection_rates(
    returns: pd.DataFrame,
    market: pd.Series,
    design: Design,
    n_samples: int,
    *,
    n_events: int = 50,
    effect: float = 0.0,
    window: tuple[int, int] = (-1, 1),
    estimation: tuple[int, int] = (-250, -11),
    level: float = 0.05,
    seed: int = 0,
) -> pd.Series:
    """Share of ``n_samples`` pseudo-studies in which each test, and the headline, rejects.

    Args:
        returns: daily returns, one column per asset, on the market's sessions (rows where any
            asset or the market is missing are dropped).
        market: the market's returns on the same index.
        design: see the module docstring.
        effect: added to each event's day-0 return (once per asset and session).

    Returns a Series indexed by test name, with :data:`HEADLINE` for the test the design rule
    chose in each sample.
    """
    check_choice("design", design, DESIGNS)
    both = returns.join(market.rename("__market"), how="inner").dropna()
    r_all = both.drop(columns="__market").to_numpy(np.float64).T  # (A, C)
    m = both["__market"].to_numpy(np.float64)
    n_assets, n_days = r_all.shape
    e1, e2 = estimation
    t1, t2 = window
    first, last = -e1, n_days - 1 - t2
    if last - first + 1 < n_events:
        raise BadInputError(
            f"{n_days} common sessions leave too few day-0 positions for {n_events} events",
            field="returns",
        )
    est = np.arange(e1, e2 + 1)
    win = np.arange(t1, t2 + 1)
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    for _ in range(n_samples):  # one study per sample; each study is vectorised over events
        asset, k0 = draw_events(
            rng, design, n_events=n_events, n_assets=n_assets, first=first, last=last
        )
        r = r_all
        if effect:
            r = r_all.copy()
            r[asset, k0] += effect  # fancy-index assignment: once per (asset, session)
        ke, kw = k0[:, None] + est, k0[:, None] + win
        fit = fit_normal_model("market", r[asset[:, None], ke], m[ke])
        abn = abnormal_returns(fit, r[asset[:, None], kw], m[kw], first_bar=t1)
        # Sessions are common to all assets, so the session number is the calendar position.
        battery = run_battery(abn, calendar_index=ke, window_index=kw, n_bootstrap=0)
        head = choose_headline(
            battery,
            n_assets=int(np.unique(asset).size),
            windows_share_days=bool(battery.r_window),
        )
        rejected = {t.name: t.p_value < level for t in battery.results}
        rejected[HEADLINE] = head.p_value < level
        for name, hit in rejected.items():
            counts[name] = counts.get(name, 0) + int(hit)
    return pd.Series(counts, dtype=float, name="rejection rate") / n_samples
