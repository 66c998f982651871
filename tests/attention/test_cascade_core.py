"""The Hawkes core against independent computations: direct O(n^2) sums, finite differences,
and recovery of planted parameters from the branching-construction simulator."""

from __future__ import annotations

import numpy as np
import pytest
from hawkes_sim import START, world

from leaderlens.attention import hawkes as hk


def _layout(events: np.ndarray, posts: list[np.ndarray], start: float, end: float) -> hk.Layout:
    edges = np.r_[start, np.arange(np.floor(start) + 1, end), end]
    return hk.Layout(
        events=events, marks=tuple(posts), edges=edges, design=hk.baseline_design(edges)
    )


def _world(
    seed: int, days: float, level: float, n: float, sizes: list[float], per_day: list[float]
) -> dict:
    return world(np.random.default_rng(seed), days, level, n, sizes, per_day)


def test_kernel_sums_equal_the_direct_double_sum() -> None:
    rng = np.random.default_rng(3)
    targets = np.sort(rng.uniform(0, 200, 700))
    sources = np.sort(np.r_[rng.uniform(-5, 200, 300), targets[:50]])  # ties included
    for beta in (0.003, 0.4, 7.0, 60.0):
        lag = targets[:, None] - sources[None, :]
        mask = lag > 0
        direct = np.where(mask, np.exp(-beta * np.where(mask, lag, 0)), 0).sum(axis=1)
        slope = np.where(mask, beta * lag * np.exp(-beta * np.where(mask, lag, 0)), 0).sum(axis=1)
        r, u = hk.decayed_sums(targets, sources, beta)
        np.testing.assert_allclose(r, direct, rtol=1e-10, atol=1e-11)
        np.testing.assert_allclose(u, slope, rtol=1e-10, atol=1e-11)


def test_likelihood_equals_a_direct_computation_and_its_gradient_the_differences() -> None:
    w = _world(1, 6, np.log(6), 0.5, [10.0, 4.0], [8, 5])
    lay = _layout(w["events"], w["posts"], START, w["end"])
    rng = np.random.default_rng(0)
    x = hk.start_values(lay.design, lay.widths, len(lay.events), [50, 30])
    x = x + rng.normal(0, 0.1, len(x))
    p = lay.design.shape[1]
    alpha, beta = np.exp(x[p : p + 2]), np.exp(x[p + 2 : p + 4])
    n, theta = np.exp(x[-2]), np.exp(x[-1])
    t = w["events"]
    mu = np.exp(lay.design @ x[:p])
    lam = mu[np.searchsorted(lay.edges, t, side="right") - 1].copy()
    comp = 0.0
    for a, b, s in zip(alpha, beta, w["posts"], strict=True):
        lag = t[:, None] - s[None, :]
        lam += a * b * np.where(lag > 0, np.exp(-b * np.clip(lag, 0, None)), 0).sum(axis=1)
        s_in = s[s < w["end"]]
        comp += a * np.sum(
            np.exp(-b * np.clip(START - s_in, 0, None)) - np.exp(-b * (w["end"] - s_in))
        )
    lag = t[:, None] - t[None, :]
    lam += n * theta * np.where(lag > 0, np.exp(-theta * np.clip(lag, 0, None)), 0).sum(axis=1)
    comp += n * np.sum(1 - np.exp(-theta * (w["end"] - t))) + np.sum(mu * np.diff(lay.edges))
    assert hk.loglik(x, lay) == pytest.approx(np.sum(np.log(lam)) - comp, rel=1e-10)
    grad = hk.gradient(x, lay)[1]
    numeric = [
        (hk.loglik(x + e * 1e-6, lay) - hk.loglik(x - e * 1e-6, lay)) / 2e-6 for e in np.eye(len(x))
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)


def test_recovers_planted_parameters_on_30000_events() -> None:
    sizes = [40.0, 15.0, 60.0]
    w = _world(13, 40, np.log(8.0), 0.4, sizes, [2.5, 5, 1.25])
    assert 27_000 < len(w["events"]) < 40_000
    lay = _layout(w["events"], w["posts"], START, w["end"])
    fit = hk.fit_hawkes(lay)
    assert fit.converged and not fit.at_bound
    for k, size in enumerate(sizes):
        assert fit.size(k)[0] == pytest.approx(size, rel=0.10)
        assert fit.decay_hours(k)[0] == pytest.approx(w["decays"][k], rel=0.2)
    assert fit.branching()[0] == pytest.approx(0.4, rel=0.10)
    assert fit.mass[0] == pytest.approx(w["tally"]["baseline"], rel=0.10)
    assert fit.by_bucket.sum() == pytest.approx(len(w["events"]))


def test_intervals_cover_the_planted_values() -> None:
    """Reduced coverage run (the full one is bench/cascade.py): 95% intervals of the sizes
    and n over 10 smaller worlds (n from 0.3 to 0.6; bench/cascade.py runs 0.3 to 0.8)."""
    hits = []
    for seed in range(10):
        n = 0.3 + 0.3 * (seed % 4) / 3
        w = _world(100 + seed, 8, np.log(6.0), n, [12.0, 5.0], [4, 6])
        fit = hk.fit_hawkes(_layout(w["events"], w["posts"], START, w["end"]))
        for k, size in enumerate([12.0, 5.0]):
            low, high = fit.size(k)[1:]
            hits.append(low <= size <= high)
        low, high = fit.branching()[1:]
        hits.append(low <= n <= high)
    assert np.mean(hits) >= 0.85
