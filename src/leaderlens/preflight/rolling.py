"""The time-ordered backtest of neighbour predictions, on arrays (no workspace).

For each statement ``i`` (in time order) and each target (CAR, attention lift), only the past
is used: neighbour ``j`` is usable when its value is known before statement ``i`` was made,
that is when ``j``'s window ended strictly before ``i``'s instant (``end_j < ts_i``), and the
text weights (idf) are fitted on statements made before the block of ``i``. A statement is
predicted once at least ``min_history`` values are usable. The naive baseline predicts the
unconditional quantiles of every usable past value (same interval level), so the comparison
asks exactly one question: does knowing *which* past statements resemble this one help?

The model beats the baseline when all of these hold: its median has a positive rank
correlation with the realised value (Spearman, one-sided, 5 % level), higher than the
baseline's own (a running median can rank later values too, when they drift with time), and
its absolute errors are smaller than the baseline's (Wilcoxon signed-rank test on the paired
absolute errors, one-sided, 5 % level; Wilcoxon 1945). Statements of one event bar share one
realised CAR, so the n behind the tests overstates the independent information when a leader
posts in bursts; the backtest says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from leaderlens.errors import BadInputError
from leaderlens.preflight.predict import Score, score_predictions, weighted_quantiles
from leaderlens.preflight.similarity import top_k

# (start, stop) -> similarities (stop - start, stop) of statements start..stop-1 with
# statements 0..stop-1, fitted only on statements made before statement ``start``.
SimilarityBlock = Callable[[int, int], npt.NDArray[np.float64]]
ALPHA = 0.05


@dataclass(frozen=True)
class TargetBacktest:
    """The backtest of one target.

    target: ``car`` or ``lift``. model, baseline: their :class:`Score`. improvement_p:
    one-sided Wilcoxon p-value that the model's absolute errors are smaller. beats_baseline:
    see the module docstring. verdict: that in plain words. predictions: one row per predicted
    statement: position, realised, low, median, high (model), base_low, base_median,
    base_high, n_neighbours, n_history.
    """

    target: str
    model: Score
    baseline: Score
    improvement_p: float
    beats_baseline: bool
    verdict: str
    predictions: pd.DataFrame

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "model": self.model.to_dict(),
            "baseline": self.baseline.to_dict(),
            "improvement_p": None if not np.isfinite(self.improvement_p) else self.improvement_p,
            "beats_baseline": self.beats_baseline,
            "verdict": self.verdict,
        }


def _one_sided(rho: float, p: float) -> float:
    if not np.isfinite(rho) or not np.isfinite(p):
        return float("nan")
    return p / 2.0 if rho > 0 else 1.0 - p / 2.0


def compare(target: str, frame: pd.DataFrame, level: float) -> TargetBacktest:
    """Scores of the model and the baseline on the predicted rows, and the verdict."""
    y = frame["realised"].to_numpy(float)
    model = score_predictions(y, frame["low"], frame["median"], frame["high"], level)
    base = score_predictions(y, frame["base_low"], frame["base_median"], frame["base_high"], level)
    gain = np.abs(y - frame["base_median"].to_numpy(float)) - np.abs(
        y - frame["median"].to_numpy(float)
    )
    gain = gain[np.isfinite(gain)]
    improvement_p = (
        float(stats.wilcoxon(gain, alternative="greater").pvalue)
        if gain.size >= 10 and np.any(gain != 0)
        else float("nan")
    )
    rank_p = _one_sided(model.spearman, model.spearman_p)
    beats = bool(
        np.isfinite(rank_p)
        and rank_p < ALPHA
        and not model.spearman <= base.spearman  # a baseline without a rank: NaN, passes
        and np.isfinite(improvement_p)
        and improvement_p < ALPHA
    )
    cover = f"; {level:.0%} intervals covered {model.coverage:.0%} (baseline {base.coverage:.0%})"
    if model.n == 0:
        verdict = f"{target}: nothing to backtest (too little history)"
    elif beats:
        verdict = (
            f"{target}: beats the naive baseline (rank correlation {model.spearman:+.2f}, "
            f"one-sided p {rank_p:.2g}, baseline's {base.spearman:+.2f}; mean absolute error "
            f"{model.mae:.4g} vs {base.mae:.4g}, Wilcoxon p {improvement_p:.2g}) over "
            f"{model.n:,} statements{cover}"
        )
    else:
        verdict = (
            f"{target}: does NOT beat the naive baseline (rank correlation "
            f"{model.spearman:+.2f}, one-sided p {rank_p:.2g}, baseline's {base.spearman:+.2f}; "
            f"mean absolute error {model.mae:.4g} vs baseline {base.mae:.4g}, Wilcoxon p "
            f"{improvement_p:.2g}) over {model.n:,} statements{cover}: treat its predicted "
            "range as no better than the leader's past spread"
        )
    return TargetBacktest(target, model, base, improvement_p, beats, verdict, frame)


def rolling_backtest(
    similarity: SimilarityBlock,
    ts: npt.NDArray[np.int64],
    targets: Mapping[str, tuple[npt.NDArray[np.floating], npt.NDArray[np.int64]]],
    *,
    k: int = 25,
    min_history: int = 50,
    predict_from: int | None = None,
    level: float = 0.8,
    block: int = 512,
) -> dict[str, TargetBacktest]:
    """Backtest every target: ``targets[name] = (values (n,), ends (n,))`` with ``ends`` the
    UTC nanosecond instant each value became known (any value where the value is NaN).
    ``ts`` (n,) are the statements' UTC nanosecond instants, ascending. Statements before
    ``predict_from`` (ns) are history only. Loops over blocks of ``block`` statements; within a
    block everything is array operations."""
    ts = np.asarray(ts, dtype=np.int64)
    n = ts.size
    if np.any(np.diff(ts) < 0):
        raise BadInputError("statement times must be ascending", field="ts")
    if k < 1 or min_history < 1:
        raise BadInputError(
            f"k and min_history must be at least 1; got {k}, {min_history}", field="k"
        )
    if not 0 < level < 1:
        raise BadInputError(f"level must lie in (0, 1); got {level}", field="level")
    probs = (0.5 - level / 2.0, 0.5, 0.5 + level / 2.0)
    prepared = {}
    for name, (values, ends) in targets.items():
        v = np.asarray(values, dtype=np.float64)
        e = np.asarray(ends, dtype=np.int64)
        if v.shape != (n,) or e.shape != (n,):
            raise BadInputError(f"target {name!r} must have one value and end per statement")
        known = np.isfinite(v)
        history = np.searchsorted(np.sort(e[known]), ts, side="left")
        predict = known & (history >= min_history)
        if predict_from is not None:
            predict &= ts >= predict_from
        prepared[name] = (v, e, known, history, predict)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in targets}
    for start in range(0, n, block):
        stop = min(start + block, n)
        if not any(p[4][start:stop].any() for p in prepared.values()):
            continue
        sims = similarity(start, stop)  # (stop - start, stop)
        rows_ts = ts[start:stop, None]
        for name, (v, e, known, history, predict) in prepared.items():
            rows = np.flatnonzero(predict[start:stop])
            if rows.size == 0:
                continue
            usable = known[None, :stop] & (e[None, :stop] < rows_ts[rows])
            near = top_k(sims[rows], usable, k)
            picked = np.where(near.valid, v[np.maximum(near.index, 0)], np.nan)
            model = weighted_quantiles(picked, np.nan_to_num(near.similarity), probs)
            past = np.where(usable, v[None, :stop], np.nan)
            base = np.nanquantile(past, probs, axis=1, method="hazen").T
            parts[name].append(
                pd.DataFrame(
                    {
                        "position": start + rows,
                        "realised": v[start + rows],
                        "low": model[:, 0],
                        "median": model[:, 1],
                        "high": model[:, 2],
                        "base_low": base[:, 0],
                        "base_median": base[:, 1],
                        "base_high": base[:, 2],
                        "n_neighbours": near.valid.sum(axis=1),
                        "n_history": history[start + rows],
                    }
                )
            )
    columns = ["position", "realised", "low", "median", "high", "base_low", "base_median"]
    columns += ["base_high", "n_neighbours", "n_history"]
    return {
        name: compare(
            name,
            pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns),
            level,
        )
        for name, frames in parts.items()
    }
