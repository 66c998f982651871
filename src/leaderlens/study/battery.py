"""Run every applicable test of METHODS section 3 on one window of one study.

The battery is the finish step's single entry point: abnormal values in, a :class:`Battery`
out (the tests, the CAAR, its bootstrap interval and the Kolari-Pynnönen r used).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from leaderlens.study import tests_parametric as tp
from leaderlens.study import tests_rank as tr
from leaderlens.study.abnormal import AbnormalReturns
from leaderlens.study.resampling import BootstrapInterval, bootstrap_caar
from leaderlens.study.result import TestResult, df_label, t_p
from leaderlens.study.sharing import effective_events, shared_window_correlation

#: Suffix of the Kolari-Pynnönen tests run with the r that shared event days imply.
SHARED = ", r of shared event days"


@dataclass(frozen=True)
class Battery:
    """The tests of one window.

    Attributes:
        window: (t1, t2) relative bars; n: valid events; caar: mean CAR over the window.
        model, convention: of the abnormal values tested.
        r: the cross-correlation used by the Kolari-Pynnönen tests (None: not run), from the
            estimation residuals of every pair of events that share estimation bars.
        r_window: the cross-correlation that event windows sharing calendar days imply
            (:func:`~leaderlens.study.sharing.shared_window_correlation`; None: not known);
            the Kolari-Pynnönen tests run with it too, named "..., r of shared event days".
        notes: what the battery left out and why (a rank test equal to another).
        bootstrap: percentile interval of the CAAR (None when not asked for).
        results: every test, in METHODS order.
    """

    window: tuple[int, int]
    n: int
    caar: float
    model: str
    convention: str
    r: float | None
    bootstrap: BootstrapInterval | None
    results: tuple[TestResult, ...]
    r_window: float | None = None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per test: name, statistic, p_value, distribution, null, n."""
        return pd.DataFrame(
            [
                {
                    "test": t.name,
                    "statistic": t.statistic,
                    "p_value": t.p_value,
                    "distribution": t.distribution,
                    "null": t.null,
                    "n": t.n,
                }
                for t in self.results
            ]
        )

    def _repr_html_(self) -> str:
        """The test table as HTML for notebooks (pandas escapes the text)."""
        return str(self.to_frame().to_html(index=False, escape=True))

    def summary(self) -> str:
        """A plain-text table of the battery."""
        head = (
            f"window {self.window}, N = {self.n}, CAAR = {self.caar:.6g} "
            f"({self.model} model, {self.convention} convention); Kolari-Pynnonen r of "
            f"estimation residuals {self.r}, of shared event days {self.r_window}"
        )
        return "\n".join([head, *(t.summary() for t in self.results), *self.notes])


def run_battery(
    abn: AbnormalReturns,
    window: tuple[int, int] | None = None,
    *,
    calendar_index: ArrayLike | None = None,
    r: float | None = None,
    window_index: ArrayLike | None = None,
    n_bootstrap: int = 1000,
    seed: int | None = 0,
) -> Battery:
    """Every test of METHODS section 3 on ``window`` (None: the whole event panel).

    Args:
        abn: abnormal values of the study.
        window: (t1, t2) relative bars, inclusive.
        calendar_index: (N, T) calendar position of each estimation bar; when given, r is
            :func:`~leaderlens.study.tests_parametric.residual_cross_correlation` of the
            estimation residuals and the Kolari-Pynnönen tests run.
        r: a cross-correlation to use instead (takes precedence over ``calendar_index``).
        window_index: (N, L) calendar position of each event-window bar on the numbering of
            ``calendar_index``; with it the Kolari-Pynnönen tests also run with the r that
            shared event days imply.
        n_bootstrap: bootstrap draws for the CAAR interval (0: no bootstrap).
        seed: seed of the bootstrap.
    """
    c = tp.valid_cumulative(abn, window)
    span = c.window
    if r is None and calendar_index is not None:
        r = tp.residual_cross_correlation(abn.est_residuals, calendar_index)
    r_window = (
        shared_window_correlation(abn.est_residuals, calendar_index, window_index)
        if calendar_index is not None and window_index is not None
        else None
    )
    ranks = tr.rank_panel(abn)
    results: list[TestResult] = parametric_tests(abn, span)
    results += kolari_pynnonen_tests(abn, span, r, r_window)
    results += [
        tp.lamb_z(abn, span),
        tr.sign_test(abn, span),
        tr.generalized_sign(abn, span),
        tr.corrado_rank(abn, span[0], ranks=ranks)
        if span[0] == span[1]
        else tr.cowan_cumulative_rank(abn, span, ranks=ranks),
        tr.corrado_zivney_rank(abn, span, ranks=ranks),
        tr.corrado_zivney_sign(abn, span, ranks=ranks),
        tr.grank_t(abn, span, ranks=ranks),
        tr.wilcoxon_signed_rank(abn, span),
    ]
    car = c.car[c.valid]
    boot = bootstrap_caar(car, n_draws=n_bootstrap, seed=seed) if n_bootstrap > 0 else None
    kept, notes = distinct_rank_tests(results)
    return Battery(
        window=span,
        n=int(car.size),
        caar=float(np.mean(car)),
        model=abn.model,
        convention=abn.convention,
        r=r,
        bootstrap=boot,
        results=kept,
        r_window=r_window,
        notes=notes,
    )


#: The centred-rank test of the window and the Corrado-Zivney modified rank test.
CENTRED_RANK = ("Corrado (1989) rank", "Cowan (1992) cumulative rank")
MODIFIED_RANK = "Corrado & Zivney (1992) modified rank"


def distinct_rank_tests(
    results: list[TestResult],
) -> tuple[tuple[TestResult, ...], tuple[str, ...]]:
    """The results with the centred-rank test left out when it equals the modified rank test.

    Cowan's cumulative rank (Corrado's for one bar) sums K - (n_i + 1)/2, the modified rank
    sums K / (n_i + 1) - 1/2 = (K - (n_i + 1)/2) / (n_i + 1): when every event ranks the same
    number of values n_i (no missing values) the two sums are proportional, so the standardized
    statistics are one number, counted once. With missing values they differ and both stay.
    """
    by_name = {t.name: t for t in results}
    modified = by_name.get(MODIFIED_RANK)
    centred = next((by_name[n] for n in CENTRED_RANK if n in by_name), None)
    if (
        modified is None
        or centred is None
        or not np.isclose(centred.statistic, modified.statistic, rtol=1e-10, atol=0.0)
    ):
        return tuple(results), ()
    note = (
        f"{centred.name} is not shown: every event ranks the same number of values, so it "
        f"equals the {MODIFIED_RANK} test ({modified.statistic:.4f})."
    )
    return tuple(t for t in results if t is not centred), (note,)


def kolari_pynnonen_tests(
    abn: AbnormalReturns, span: tuple[int, int], r: float | None, r_window: float | None
) -> list[TestResult]:
    """The adjusted BMP and Patell tests with the estimation-residual r and, when known, with
    the r of shared event days (named so; BMP's t then takes the degrees of freedom of the
    effective number of events, :func:`~leaderlens.study.sharing.effective_events`)."""
    out = []
    if r is not None:
        out += [tp.kolari_pynnonen_bmp(abn, span, r=r), tp.kolari_pynnonen_patell(abn, span, r=r)]
    if r_window is not None:
        bmp = tp.kolari_pynnonen_bmp(abn, span, r=r_window)
        df = effective_events(bmp.n, r_window) - 1.0
        out += [
            replace(
                bmp,
                name=bmp.name + SHARED,
                p_value=float(t_p(bmp.statistic, df)),
                distribution=df_label(round(df, 2)),
            ),
        ]
        patell = tp.kolari_pynnonen_patell(abn, span, r=r_window)
        out.append(replace(patell, name=patell.name + SHARED))
    return out


def parametric_tests(abn: AbnormalReturns, span: tuple[int, int]) -> list[TestResult]:
    """The parametric tests both batteries open with, in order: J1, cross-sectional t, the
    Brown-Warner tests, Patell and BMP."""
    return [
        tp.pooled_j1(abn, span),
        tp.cross_sectional_t(abn, span),
        tp.brown_warner_1980(abn, span),
        tp.crude_dependence(abn, span),
        tp.patell_z(abn, span),
        tp.bmp_t(abn, span),
    ]
