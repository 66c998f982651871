"""In-flight nowcast: a post's final reach from its first minutes or hours of polled counts.

Under the marked Hawkes model (:mod:`leaderlens.attention.hawkes`) the expected engagement of
one post at age ``t`` is ``A F(t)``: the direct response decays at rate ``beta`` and each
engagement triggers ``n`` more at rate ``theta``, so the rate is a mixture of two exponentials,
``r(t) ~ w beta exp(-beta t) + (1 - w) g exp(-g t)`` with ``g = theta (1 - n)``, and

    F(t) = 1 - w exp(-beta t) - (1 - w) exp(-g t).

As in SEISMIC (Zhao et al., KDD 2015) the shape is learnt from past posts and each new post's
own size ``A`` from its early counts. Sizes vary across posts as a Gamma(k, k/m) law (learnt
from past finals); counts given the size are Poisson with dispersion ``phi`` (the cascade makes
them overdispersed). The posterior of ``A`` after ``N`` engagements by age ``t`` is
Gamma(k + N/phi, k/m + F(t)/phi); the final count is ``N`` plus a remainder with mean
``E[A] (1 - F(t))`` and variance ``phi E[A] (1 - F(t)) + (1 - F(t))^2 Var[A]``, whose
interval is read from the gamma law with those two moments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from leaderlens.errors import BadInputError, MissingDataError


def shape(age: np.ndarray, params: np.ndarray) -> np.ndarray:
    """``F(t)`` for ages in hours; ``params = (log beta, log g, logit w)``."""
    beta, g = np.exp(params[0]), np.exp(params[1])
    w = 1.0 / (1.0 + np.exp(-params[2]))
    return 1.0 - w * np.exp(-beta * age) - (1.0 - w) * np.exp(-g * age)


@dataclass(frozen=True)
class ReachModel:
    """What past posts teach about reach: the response shape and the spread of sizes.

    params: ``(log beta, log g, logit w)`` of :func:`shape`; k, mean: the Gamma law of final
    counts across posts; phi: the dispersion of counts given the size; n_posts: training posts.
    """

    params: np.ndarray
    k: float
    mean: float
    phi: float
    n_posts: int

    def half_life_hours(self) -> float:
        """Age by which half of the expected final count has arrived."""
        return float(
            optimize.brentq(lambda t: shape(np.array([t]), self.params)[0] - 0.5, 1e-9, 1e6)
        )

    def to_dict(self) -> dict[str, Any]:
        beta, g = np.exp(self.params[:2])
        return {
            "direct_decay_hours": float(1.0 / beta),
            "cascade_decay_hours": float(1.0 / g),
            "direct_weight": float(1.0 / (1.0 + np.exp(-self.params[2]))),
            "gamma_shape": self.k,
            "mean_final": self.mean,
            "dispersion": self.phi,
            "half_life_hours": self.half_life_hours(),
            "n_posts": self.n_posts,
        }


def _polls(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("post_id", "age_hours", "count"):
        if column not in frame.columns:
            raise BadInputError(f"polls need a {column!r} column", field=column)
    out = frame[["post_id", "age_hours", "count"]].astype({"age_hours": float, "count": float})
    bad = (out["age_hours"] < 0) | (out["count"] < 0) | ~np.isfinite(out["count"])
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadInputError("ages and counts must be finite and >= 0", line=line, field="count")
    return out.sort_values(["post_id", "age_hours"])


def fit_reach(polls: pd.DataFrame, final: pd.Series) -> ReachModel:
    """Learn the reach model from past posts: ``polls`` (post_id, age_hours, count: cumulative
    engagement at each poll) and each post's ``final`` count (a Series by post_id)."""
    frame = _polls(polls)
    finals = final.reindex(frame["post_id"]).to_numpy(dtype=np.float64)
    ok = np.isfinite(finals) & (finals > 0)
    if ok.sum() < 10 or final.dropna().size < 5:
        raise MissingDataError(
            "the reach model needs polls of at least 5 past posts", field="polls"
        )
    age = frame["age_hours"].to_numpy()[ok]
    frac = frame["count"].to_numpy()[ok] / finals[ok]
    weight = np.sqrt(finals[ok])  # bigger posts' fractions are less noisy

    def resid(p: np.ndarray) -> np.ndarray:
        return weight * (shape(age, p) - frac)

    params = optimize.least_squares(resid, np.array([0.0, -2.0, 0.0])).x
    values = final.dropna().to_numpy(dtype=np.float64)
    mean, var = float(values.mean()), float(values.var(ddof=1))
    # phi is chosen so that the remainders past each training poll have the variance the
    # model gives them (Pearson statistic 1): the calibration the intervals need.
    seen = frame["count"].to_numpy()[ok]
    rest = finals[ok] - seen
    done = shape(age, params)
    early = done < 0.99

    def pearson(phi: float) -> float:
        k = mean**2 / max(var - phi * mean, 1e-9 * mean**2)
        m, v = remainder(done[early], seen[early], k, mean, phi)
        return float(np.mean((rest[early] - m) ** 2 / v) - 1.0)

    phi = 1.0 if pearson(1.0) <= 0 else float(optimize.brentq(pearson, 1.0, 1e6))
    k = mean**2 / max(var - phi * mean, 1e-9 * mean**2)
    return ReachModel(params=params, k=float(k), mean=mean, phi=phi, n_posts=len(values))


def remainder(
    done: np.ndarray, seen: np.ndarray, k: float, mean: float, phi: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the engagement still to come, given ``seen`` so far and the
    expected share ``done`` of the final already in (see the module docstring)."""
    a = k + seen / phi
    rate = k / mean + done / phi
    size_mean, size_var = a / rate, a / rate**2
    rest = 1.0 - done
    return size_mean * rest, phi * size_mean * rest + rest**2 * size_var


@dataclass(frozen=True)
class Nowcast:
    """Final-reach forecasts of posts in flight (one row each in :meth:`to_frame`)."""

    post_ids: tuple[str, ...]
    age_hours: np.ndarray
    seen: np.ndarray
    final: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float
    model: ReachModel

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "post_id": list(self.post_ids),
                "age_hours": self.age_hours,
                "seen": self.seen,
                "final": self.final,
                "low": self.low,
                "high": self.high,
            }
        )

    def summary(self) -> str:
        lines = [
            f"reach nowcast of {len(self.post_ids)} posts ({self.level:.0%} intervals; model "
            f"from {self.model.n_posts} past posts, half of the reach by "
            f"{self.model.half_life_hours():.2f} h)"
        ]
        for row in self.to_frame().head(20).itertuples():
            lines.append(
                f"  {row.post_id}: {row.seen:,.0f} at {row.age_hours:.2f} h -> final "
                f"{row.final:,.0f} ({row.low:,.0f} to {row.high:,.0f})"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        from leaderlens.jsonsafe import records

        return {
            "level": self.level,
            "model": self.model.to_dict(),
            "posts": records(self.to_frame()),
        }

    def _repr_html_(self) -> str:
        import html

        table = self.to_frame().to_html(index=False, escape=True)
        return f"<pre>{html.escape(self.summary())}</pre>{table}"


def nowcast(model: ReachModel, polls: pd.DataFrame, *, level: float = 0.9) -> Nowcast:
    """Forecast each post's final count from its polls so far (the latest poll per post)."""
    if not 0 < level < 1:
        raise BadInputError(f"level must lie in (0, 1); got {level}", field="level")
    last = _polls(polls).groupby("post_id", sort=True).last()
    age = last["age_hours"].to_numpy()
    seen = last["count"].to_numpy()
    done = shape(age, model.params)
    mean, var = remainder(done, seen, model.k, model.mean, model.phi)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_shape = np.where(var > 0, mean**2 / var, np.inf)
        g_scale = np.where(mean > 0, var / mean, 0.0)
    tail = (1 - level) / 2
    low = seen + np.nan_to_num(stats.gamma.ppf(tail, g_shape, scale=g_scale))
    high = seen + np.nan_to_num(stats.gamma.ppf(1 - tail, g_shape, scale=g_scale))
    return Nowcast(
        post_ids=tuple(map(str, last.index)),
        age_hours=age,
        seen=seen,
        final=seen + mean,
        low=low,
        high=high,
        level=level,
        model=model,
    )
