"""Brand attention of the demo world: daily search interest, mention counts and mention texts.

Attention is planted on ``y = log(1 + value)``, the scale on which METHODS.md section 2 runs the
event study for attention: a baseline with weekly seasonality and AR(1) noise, plus for every
statement a lift ``L`` on its UTC day that decays geometrically, ``L * decay**k`` on day ``k``
(``k = 0..horizon``). Search interest is rounded to whole numbers on a 0-100 scale, mention
counts are Poisson draws around ``exp(y) - 1``. Mention texts are a random sample of the counted
mentions (each kept with a fixed probability), a share of which also name the leader.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from leaderlens.demo.cast import LEADER_MENTION_ENGAGEMENT, Brand, Leader
from leaderlens.demo.markets import US_PER_DAY, from_micros
from leaderlens.demo.texts import mention_texts


def planted_excess(
    day: np.ndarray, lift: np.ndarray, n_days: int, decay: float, horizon: int
) -> np.ndarray:
    """Sum of decaying lifts per day: ``sum_i lift_i * decay**(t - day_i)`` over
    ``0 <= t - day_i <= horizon``; shape (n_days,)."""
    k = np.arange(horizon + 1)
    at = day[:, None] + k[None, :]
    weight = lift[:, None] * decay ** k[None, :]
    inside = (at >= 0) & (at < n_days)
    return np.bincount(at[inside], weights=weight[inside], minlength=n_days)


def log_series(
    rng: np.random.Generator,
    labels: pd.DatetimeIndex,
    baseline: float,
    weekly: tuple[float, ...],
    noise: tuple[float, float],
    excess: np.ndarray,
) -> np.ndarray:
    """``y = log(1 + baseline) + weekly[day of week] + AR(1) noise + excess``; shape (n,).

    The AR(1) noise ``u_t = phi u_{t-1} + e_t`` starts from its stationary distribution.
    """
    phi, sd = noise
    shocks = rng.normal(0.0, sd, len(labels))
    shocks[0] /= np.sqrt(1.0 - phi**2)
    noise_path = lfilter([1.0], [1.0, -phi], shocks)
    season = np.asarray(weekly)[labels.day_of_week.to_numpy()]
    return np.log1p(baseline) + season + noise_path + excess


def search_interest(y: np.ndarray) -> np.ndarray:
    """Whole-number search interest on a 0-100 scale from ``y = log(1 + value)``."""
    return np.clip(np.round(np.expm1(y)), 0.0, 100.0)


def mention_counts(rng: np.random.Generator, y: np.ndarray) -> np.ndarray:
    """Daily mention counts: Poisson around ``exp(y) - 1``."""
    return rng.poisson(np.expm1(y)).astype(np.float64)


def attention_frame(labels: pd.DatetimeIndex, values: np.ndarray) -> pd.DataFrame:
    """An attention frame (canonical columns ``ts``, ``value``)."""
    return pd.DataFrame({"ts": pd.Series(labels, dtype="datetime64[us, UTC]"), "value": values})


def mentions(
    rng: np.random.Generator,
    brand: Brand,
    leader: Leader,
    labels: pd.DatetimeIndex,
    counts: np.ndarray,
) -> pd.DataFrame:
    """A sample of the counted mentions as texts (canonical mention columns).

    Each counted mention is kept with probability ``mentions_per_day / mentions_baseline``; a
    kept mention names the leader with probability ``leader_share`` and then draws
    ``LEADER_MENTION_ENGAGEMENT`` times more engagement.
    """
    keep = brand.mentions_per_day / brand.mentions_baseline
    per_day = rng.binomial(counts.astype(np.int64), keep)
    day = np.repeat(labels.as_unit("us").asi8, per_day)
    n = len(day)
    micros = np.sort(day + rng.integers(0, US_PER_DAY // 1_000_000, n) * 1_000_000)
    names_leader = rng.random(n) < brand.leader_share
    language = np.where(rng.random(n) < brand.chinese_mentions, "zh", "en").astype(object)
    platforms = np.array([p for p, _ in brand.platforms], dtype=object)
    weights = np.array([w for _, w in brand.platforms])
    engagement = np.round(
        np.exp(rng.normal(2.0, 1.2, n)) * np.where(names_leader, LEADER_MENTION_ENGAGEMENT, 1.0)
    )
    fill = {
        "brand": brand.name,
        "product": brand.product,
        "leader": leader.name,
        "local_name": leader.local_name,
    }
    number = pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(6)
    return pd.DataFrame(
        {
            "mention_id": (brand.brand_id + "-m" + number).astype("str"),
            "ts": pd.Series(from_micros(micros), dtype="datetime64[us, UTC]"),
            "text": pd.Series(mention_texts(rng, language, names_leader, fill), dtype="str"),
            "author": ("user" + pd.Series(rng.integers(1, 200_000, n)).astype("str")).astype("str"),
            "engagement": engagement,
            "platform": pd.Series(
                platforms[rng.choice(len(platforms), size=n, p=weights / weights.sum())],
                dtype="str",
            ),
        }
    )
