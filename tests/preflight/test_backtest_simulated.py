"""The time-ordered backtest on simulated statements with known truth.

Planted world: a statement's CAR is its topic's mean plus noise, and texts of one topic share
words, so similarity truly predicts CAR: the backtest must find a clearly positive rank
correlation, about 80 % interval coverage and beat the baseline. Null world: CAR is noise
whatever the text: it must not beat the baseline beyond noise. A brute-force recomputation of
single predictions with plain Python (sorting, hand-written Hazen quantiles) checks that only
the past is used."""

from __future__ import annotations

import numpy as np
import pytest

from leaderlens.preflight.rolling import rolling_backtest
from leaderlens.preflight.similarity import lexical_blocks, ngram_counts

DAY = 86_400 * 10**9
TOPICS = {
    "launch": ["Tonight we unveil the new model", "Launch event live at ten", "Meet the model"],
    "politics": ["These regulators have no idea", "Anyone who votes for this", "Corrupt class"],
    "finance": ["Record quarter, revenue up", "Quarterly results published", "Results below plan"],
    "personal": ["Beautiful night, rockets and coffee", "Reading history books", "Worst flight"],
    "customer": ["Thank you for choosing us", "We read every message", "Sorry about the wait"],
    "crypto": ["Coin to the moon, merch for coin", "Just bought more coin", "Hype in crypto"],
}
MEANS = np.array([0.02, -0.03, 0.01, 0.0, 0.005, 0.03])


def _world(seed: int, planted: bool, n: int = 600):
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    topic = rng.integers(0, len(names), n)
    pick = rng.integers(0, 3, n)
    texts = [
        f"{TOPICS[names[t]][p]} #{rng.integers(10_000)}" for t, p in zip(topic, pick, strict=True)
    ]
    ts = np.sort(np.arange(n) * (DAY // 2) + rng.integers(0, DAY // 4, n)).astype(np.int64)
    car = MEANS[topic] * planted + rng.normal(0.0, 0.01, n)
    ends = ts + 2 * DAY  # known two days after the statement
    return texts, ts, car, ends


def _run(texts, ts, car, ends, **kw):
    blocks = lexical_blocks(ngram_counts(texts).matrix, ts)
    return rolling_backtest(blocks, ts, {"car": (car, ends)}, **kw)["car"]


def test_planted_similarity_is_found() -> None:
    result = _run(*_world(1, planted=True), k=25, min_history=50, block=128)
    assert result.beats_baseline
    assert result.model.spearman > 0.6 and result.model.spearman_p < 1e-10
    assert 0.7 <= result.model.coverage <= 0.9
    assert result.model.mae < 0.7 * result.baseline.mae
    assert "beats the naive baseline" in result.verdict


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_no_signal_does_not_beat_the_baseline(seed: int) -> None:
    result = _run(*_world(seed, planted=False), k=25, min_history=50, block=128)
    assert not result.beats_baseline
    assert abs(result.model.spearman) < 0.15  # noise: |rho| ~ 1/sqrt(n) = 0.04
    assert result.model.mae >= 0.95 * result.baseline.mae
    assert "does NOT beat" in result.verdict


def _hazen(values: list[float], weights: list[float], q: float) -> float:
    pairs = sorted(zip(values, weights, strict=True))
    total = sum(w for _, w in pairs)
    pos, run = [], 0.0
    for _, w in pairs:
        run += w
        pos.append((run - w / 2) / total)
    xs = [x for x, _ in pairs]
    if q <= pos[0]:
        return xs[0]
    if q >= pos[-1]:
        return xs[-1]
    j = next(i for i in range(len(pos)) if pos[i] >= q)
    return xs[j - 1] + (q - pos[j - 1]) / (pos[j] - pos[j - 1]) * (xs[j] - xs[j - 1])


def test_single_predictions_use_only_the_past() -> None:
    texts, ts, car, _ = _world(5, planted=True, n=300)
    rng = np.random.default_rng(6)
    ends = ts + rng.integers(1, 20, ts.size) * DAY  # values become known at uneven delays
    car[::7] = np.nan  # some statements have no value
    result = _run(texts, ts, car, ends, k=10, min_history=30, block=64)
    pred = result.predictions
    blocks = lexical_blocks(ngram_counts(texts).matrix, ts)
    for row in pred.sample(8, random_state=0).itertuples():
        i = int(row.position)
        usable = [j for j in range(ts.size) if ends[j] < ts[i] and np.isfinite(car[j])]
        assert row.n_history == len(usable) >= 30
        start = (i // 64) * 64
        sims = blocks(start, min(start + 64, ts.size))[i - start]
        near = sorted(usable, key=lambda j: (-sims[j], j))[:10]
        assert max(near) < i  # nothing from the future
        w = [max(sims[j], 0.0) for j in near]
        for col, q in (("low", 0.1), ("median", 0.5), ("high", 0.9)):
            assert getattr(row, col) == pytest.approx(_hazen([car[j] for j in near], w, q))
        base = np.quantile([car[j] for j in usable], [0.1, 0.5, 0.9], method="hazen")
        np.testing.assert_allclose([row.base_low, row.base_median, row.base_high], base)
