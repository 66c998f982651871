"""The test battery from reduced sums: what :func:`leaderlens.study.battery.run_battery` computes,
fed by the engine's per-bar, per-event and per-instant sums instead of the estimation panel.

On an engine (:mod:`leaderlens.engines.relational`, ``rank_sql``) the estimation residuals and
their within-event ranks never leave the engine; what the tests need of them is additive over
events: per relative bar the count of values and the sums of the residuals (the estimation
AAR; Brown & Warner 1985, Lamb 1995), of the centred ranks (Corrado 1989; Cowan 1992), of
the scaled ranks and signs (Corrado & Zivney 1992) and of GRANK-T's scaled ranks (Kolari &
Pynnönen 2011); per event the count of positive residuals (Cowan 1992's generalized sign);
per calendar instant the sum of unit-length residuals (Kolari & Pynnönen 2010's r). The tests
that need only event-window values run unchanged on the reduced abnormal values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leaderlens.study import tests_parametric as tp
from leaderlens.study import tests_rank as tr
from leaderlens.study.abnormal import AbnormalReturns, cumulate
from leaderlens.study.battery import (
    Battery,
    distinct_rank_tests,
    kolari_pynnonen_tests,
    parametric_tests,
)
from leaderlens.study.resampling import bootstrap_caar
from leaderlens.study.result import TestResult, df_label, t_p


@dataclass(frozen=True)
class BatterySums:
    """What the battery needs of the estimation residuals, summed over the valid events.

    Attributes:
        n_est: T, estimation bars per event (columns 0..T-1; the event window follows).
        n_tau: (T + L,) values present per relative bar.
        sum_ar: (T,) sum of the estimation residuals per bar.
        d_rank, d_u, d_sign: (T + L,) per-bar sums of K - (n_i + 1)/2, of K/(n_i + 1) - 1/2
            and of sign(value - median_i) (K: average rank within the event's full period).
        n_i: (N_valid,) values ranked per event. positive_share: (N_valid,) share of positive
            estimation residuals per event.
        g_n, g_sum: (T + 1,) GRANK-T's values present and sums of U per estimation bar, the
            last entry the collapsed event point.
        r: Kolari-Pynnönen's mean pairwise residual correlation (None: fewer than 2 events
            with residuals).
    """

    n_est: int
    n_tau: np.ndarray
    sum_ar: np.ndarray
    d_rank: np.ndarray
    d_u: np.ndarray
    d_sign: np.ndarray
    n_i: np.ndarray
    positive_share: np.ndarray
    g_n: np.ndarray
    g_sum: np.ndarray
    r: float | None


def cross_correlation(s_z: np.ndarray, norms: np.ndarray) -> float | None:
    """r = (sum_t S_t^2 - n) / (n (n - 1)) from the per-instant sums of unit-length residuals
    (:func:`leaderlens.study.tests_parametric.residual_cross_correlation`, same algebra)."""
    n = int((norms > 0).sum())
    if n < 2:
        return None
    return float((s_z @ s_z - n) / (n * (n - 1)))


def estimation_aar(sums: BatterySums) -> np.ndarray:
    """AAR_tau over the estimation bars that hold any residual."""
    n = sums.n_tau[: sums.n_est]
    return sums.sum_ar[n > 0] / n[n > 0]


def generalized_sign(abn: AbnormalReturns, share: np.ndarray) -> TestResult:
    """Cowan (1992) generalized sign from each event's share of positive estimation residuals
    (the ``"textbook"`` p of :func:`leaderlens.study.tests_rank.generalized_sign`)."""
    c = tp.valid_cumulative(abn, None)
    return tr.sign_against_share(c.car[c.valid], float(share.mean()))


def grank_t(abn: AbnormalReturns, sums: BatterySums) -> TestResult:
    """GRANK-T (Kolari & Pynnönen 2011) from the per-bar sums of U
    (:func:`leaderlens.study.tests_rank.grank_t`, same definitions and degrees of freedom)."""
    n = abn.n_events
    used = sums.g_n > 0
    n_t, u_bar = sums.g_n[used], sums.g_sum[used] / sums.g_n[used]
    t_points = int(used.sum())
    s_u = np.sqrt((n_t / n * u_bar**2).sum() / t_points)
    z = u_bar[-1] / s_u
    stat = float(z * np.sqrt((t_points - 2) / (t_points - 1 - z * z)))
    return TestResult(
        "GRANK-T (Kolari & Pynnonen 2011)",
        stat,
        float(t_p(stat, t_points - 2)),
        df_label(t_points - 2),
        tr.NULL_MEDIAN,
        n,
    )


def _rank_test(
    abn: AbnormalReturns, sums: BatterySums, scores: np.ndarray, power: float, name: str
) -> TestResult:
    """A Corrado-type test from per-bar score sums: the one-row panel of column sums gives
    :mod:`leaderlens.study.tests_rank`'s daily sums D_tau exactly (``"textbook"`` sums)."""
    collapsed = tr.RankPanel(
        full=np.empty((0, scores.size)),
        centred=scores[None, :],
        n_tau=sums.n_tau,
        n_i=np.array([sums.n_i.mean()]),
        tied=np.zeros(0, dtype=bool),
        offset=sums.n_est,
    )
    return tr.scaled_sum_test(abn, None, scores[None, :], power, collapsed, name)


def battery_from_sums(
    abn: AbnormalReturns, sums: BatterySums, *, n_bootstrap: int = 1000, seed: int | None = 0
) -> Battery:
    """Every test of :func:`~leaderlens.study.battery.run_battery` over the whole event window,
    in the same order and with the same names, from reduced abnormal values and ``sums``
    (textbook convention: the engine path fits with it)."""
    c = tp.valid_cumulative(abn, None)
    span = c.window
    # The parametric tests read the estimation AAR through this cached property; the engine
    # summed it, so it is primed here instead of being computed from a residual panel.
    abn.__dict__["estimation_aar"] = estimation_aar(sums)
    results: list[TestResult] = parametric_tests(abn, span)
    results += kolari_pynnonen_tests(abn, span, sums.r, None)
    one_bar = span[0] == span[1]
    results += [
        tp.lamb_z(abn, span),
        tr.sign_test(abn, span),
        generalized_sign(abn, sums.positive_share),
        _rank_test(
            abn,
            sums,
            sums.d_rank,
            1.0,
            "Corrado (1989) rank" if one_bar else "Cowan (1992) cumulative rank",
        ),
        _rank_test(abn, sums, sums.d_u, 0.5, "Corrado & Zivney (1992) modified rank"),
        _rank_test(abn, sums, sums.d_sign, 0.5, "Corrado & Zivney (1992) sign"),
        grank_t(abn, sums),
        tr.wilcoxon_signed_rank(abn, span),
    ]
    car = cumulate(abn).car[abn.valid]
    boot = bootstrap_caar(car, n_draws=n_bootstrap, seed=seed) if n_bootstrap > 0 else None
    kept, notes = distinct_rank_tests(results)
    return Battery(
        window=span,
        n=int(car.size),
        caar=float(np.mean(car)),
        model=abn.model,
        convention=abn.convention,
        r=sums.r,
        bootstrap=boot,
        results=kept,
        notes=notes,
    )
