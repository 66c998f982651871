"""The bucketed (interval-censored) Hawkes likelihood against direct computations: expected
counts by an explicit double loop over buckets, the exact per-bucket mark integrals by
numerical quadrature, and the gradient by finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hawkes_sim import START, world
from scipy import integrate

from leaderlens.attention import censored, hawkes


def _setup() -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
    w = world(np.random.default_rng(4), 3, np.log(5.0), 0.4, [10.0, 4.0], [6, 8])
    edges = np.arange(START, w["end"] + 0.5, 1.0)
    y = np.histogram(w["events"], bins=edges)[0].astype(float)
    design = hawkes.baseline_design(edges)
    x = hawkes.start_values(design, np.diff(edges), y.sum(), [len(p) for p in w["posts"]])
    x = x + np.random.default_rng(1).normal(0, 0.1, len(x))
    return y, edges, w["posts"], design, x


def test_expected_counts_equal_a_direct_double_loop() -> None:
    y, edges, posts, design, x = _setup()
    p, m = design.shape[1], len(posts)
    masses = [
        censored.mark_mass(edges, s, float(np.exp(x[p + m + k]))) for k, s in enumerate(posts)
    ]
    mean, direct, _ = censored.expected(x, y, design, 1.0, masses)
    alpha, beta = np.exp(x[p : p + m]), np.exp(x[p + m : p + 2 * m])
    n, theta = np.exp(x[-2]), np.exp(x[-1])
    for b in (0, 5, 40):  # a few buckets, each integral by quadrature
        lo, hi = edges[b], edges[b + 1]
        marks = sum(
            a
            * integrate.quad(
                lambda t, s=s, bb=bb: bb * np.exp(-bb * (t - s[s < t])).sum(), lo, hi, limit=200
            )[0]
            for a, bb, s in zip(alpha, beta, posts, strict=True)
        )
        base = np.exp(design[b] @ x[:p])
        assert direct[0, b] == pytest.approx(base)
        assert direct[1:, b].sum() == pytest.approx(marks, rel=1e-6)
        # Offspring shares of an exponential kernel from a parent spread evenly in a bucket.
        r = np.exp(-theta)
        g0 = 1 - (1 - r) / theta
        earlier = sum((1 - r) ** 2 / theta * r ** (k - 1) * y[b - k] for k in range(1, b + 1))
        assert mean[b] == pytest.approx((base + marks + n * earlier) / (1 - n * g0), rel=1e-6)


def test_gradient_of_the_bucketed_likelihood_equals_finite_differences() -> None:
    y, edges, posts, design, x = _setup()
    p, m = design.shape[1], len(posts)

    def loglik(v: np.ndarray) -> tuple[float, np.ndarray]:
        masses = [
            censored.mark_mass(edges, s, float(np.exp(v[p + m + k]))) for k, s in enumerate(posts)
        ]
        mean, _, jac = censored.expected(v, y, design, 1.0, masses)
        return float(np.sum(y * np.log(mean) - mean)), jac.T @ (y / mean - 1.0)

    grad = loglik(x)[1]
    numeric = [(loglik(x + e * 1e-6)[0] - loglik(x - e * 1e-6)[0]) / 2e-6 for e in np.eye(len(x))]
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)
