"""Effects of one moment from posterior predictive draws: R CausalImpact's summary table.

Exactly ``CompileSummaryTable`` of CausalImpact 1.2: the prediction is the mean of the
model's expected response (no noise), its interval the quantiles of the draws with noise;
the absolute effect is observed minus predicted, with the quantiles of observed minus each
draw; relative values divide those by the mean prediction; the posterior tail-area
probability p is the smaller share of the draws' post-period sums (the observed one included)
at or beyond the observed sum; the probability of a causal effect is 1 - p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EffectSummary:
    """One moment's effect over its window. ``average`` and ``cumulative`` rows hold: actual,
    prediction (with s.d. and interval), absolute effect (s.d., interval) and relative effect
    (s.d., interval). ``p`` is the one-sided posterior tail-area probability."""

    n: int
    actual: tuple[float, float]
    prediction: tuple[float, float]
    prediction_sd: tuple[float, float]
    prediction_lower: tuple[float, float]
    prediction_upper: tuple[float, float]
    effect: tuple[float, float]
    effect_sd: tuple[float, float]
    effect_lower: tuple[float, float]
    effect_upper: tuple[float, float]
    p: float
    alpha: float

    @property
    def relative(self) -> float:
        return self.effect[0] / self.prediction[0]

    @property
    def relative_interval(self) -> tuple[float, float]:
        return (
            self.effect_lower[0] / self.prediction[0],
            self.effect_upper[0] / self.prediction[0],
        )

    @property
    def relative_sd(self) -> float:
        return self.effect_sd[0] / abs(self.prediction[0])

    @property
    def probability(self) -> float:
        """Posterior probability of a causal effect, 1 - p."""
        return 1 - self.p

    @property
    def significant(self) -> bool:
        """The interval of the average effect excludes zero."""
        return bool(self.effect_lower[0] > 0 or self.effect_upper[0] < 0)


def summarise_window(
    observed: np.ndarray, mean: np.ndarray, response: np.ndarray, alpha: float = 0.05
) -> EffectSummary:
    """The effect over one window: ``observed`` (L,), ``mean`` and ``response`` (D, L) draws."""
    lo, hi = alpha / 2, 1 - alpha / 2
    n = observed.shape[0]
    point = mean.mean(axis=0)
    rows = (response.mean(axis=1), response.sum(axis=1))
    gaps = (observed.mean() - rows[0], observed.sum() - rows[1])
    y_sum = observed.sum()
    sums = np.append(rows[1], y_sum)
    p = min((sums >= y_sum).sum(), (sums <= y_sum).sum()) / sums.size
    pred = (float(point.mean()), float(point.sum()))
    return EffectSummary(
        n=n,
        actual=(float(observed.mean()), float(y_sum)),
        prediction=pred,
        prediction_sd=_pair(np.std(r, ddof=1) for r in rows),
        prediction_lower=_pair(np.quantile(r, lo) for r in rows),
        prediction_upper=_pair(np.quantile(r, hi) for r in rows),
        effect=(float(observed.mean()) - pred[0], float(y_sum) - pred[1]),
        effect_sd=_pair(np.std(g, ddof=1) for g in gaps),
        effect_lower=_pair(np.quantile(g, lo) for g in gaps),
        effect_upper=_pair(np.quantile(g, hi) for g in gaps),
        p=float(p),
        alpha=alpha,
    )


def _pair(values: object) -> tuple[float, float]:
    a, b = (float(v) for v in values)  # type: ignore[attr-defined]
    return (a, b)
