"""The headline test of a study, chosen by a stated rule from its design.

The battery reports every test of METHODS section 3; a reader needs one p-value, and which one
should follow from the design, not from the results. The rule (docs/study.md, "Which test for
which design", with the simulated size and power behind it, bench/size_power.py --real):

1. One event: its CAR t against its own prediction-error variance, t(T - K).
2. Event windows that share calendar days (several statements on nearby days of one asset, or
   events of several assets on the same days): the Kolari-Pynnönen (2010) adjusted BMP t with
   the correlation r that the sharing implies
   (:func:`leaderlens.study.sharing.shared_window_correlation`). When that r is not known (the
   engine path keeps no residual panel) the adjustment uses r from the estimation residuals,
   which is conservative, and the reason says so.
3. Otherwise (windows apart, one asset or many): the BMP (1991) t, which standardizes each
   event by its own estimation variance and tests with the cross-sectional spread, so it holds
   its size when events raise volatility.
Intraday and daily studies follow the same rule: the cross-sectional scale of BMP absorbs the
time-of-day variance an intraday estimation window does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leaderlens.study.battery import Battery
from leaderlens.study.result import TestResult

BMP = "BMP (1991) t"
KP_SHARED = "Kolari-Pynnonen (2010) adjusted BMP t, r of shared event days"
KP_ESTIMATION = "Kolari-Pynnonen (2010) adjusted BMP t"


@dataclass(frozen=True)
class Headline:
    """The one test a study's conclusion rests on, and why the design calls for it.

    Attributes:
        name: the test's name in the battery (or ``"single-event CAR t"``).
        statistic, p_value, distribution, n: of that test.
        why: the rule that chose it, in words, with the design facts it used.
    """

    name: str
    statistic: float
    p_value: float
    distribution: str
    n: int
    why: str

    def summary(self) -> str:
        """One sentence: the test, its statistic and p-value, and why it heads the study."""
        return (
            f"Headline test: {self.name} = {self.statistic:.3f} (p = {self.p_value:.4g}, "
            f"{self.distribution}, N = {self.n}), because {self.why}."
        )

    def to_dict(self) -> dict[str, Any]:
        """``aggregate.headline`` of the JSON contract."""
        return {
            "name": self.name,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "distribution": self.distribution,
            "n": self.n,
            "why": self.why,
        }


def _found(battery: Battery, name: str) -> TestResult | None:
    return next((t for t in battery.results if t.name == name), None)


def _from(test: TestResult, why: str) -> Headline:
    return Headline(test.name, test.statistic, test.p_value, test.distribution, test.n, why)


def choose_headline(battery: Battery, *, n_assets: int, windows_share_days: bool) -> Headline:
    """The headline test of a battery of N >= 2 events (module docstring, rules 2 and 3).

    ``n_assets``: distinct assets of the studied events. ``windows_share_days``: whether any two
    event windows share a calendar day (for the engine path, where no shared-day r is known).
    """
    where = "one asset" if n_assets == 1 else f"{n_assets} assets"
    shared = battery.r_window is not None and battery.r_window > 0
    if shared and (test := _found(battery, KP_SHARED)) is not None:
        return _from(
            test,
            f"event windows share calendar days ({where}, N = {battery.n}): the sharing implies "
            f"a correlation r = {battery.r_window:.4g} between the events' CARs, which BMP "
            f"alone would ignore",
        )
    if (
        battery.r_window is None
        and windows_share_days
        and (test := _found(battery, KP_ESTIMATION)) is not None
    ):
        return _from(
            test,
            f"event windows share calendar days ({where}, N = {battery.n}) and only the "
            f"estimation-residual correlation r = {battery.r:.4g} is known here, a conservative "
            f"stand-in for the correlation the sharing implies",
        )
    bmp = _found(battery, BMP)
    assert bmp is not None  # every battery runs BMP
    return _from(
        bmp,
        f"no two event windows share a calendar day ({where}, N = {battery.n}): abnormal "
        f"values of separate days are uncorrelated, so no cross-correlation adjustment applies, "
        f"and BMP holds its size when events raise volatility",
    )


def single_event_headline(car: float, t: float, p: float, dof: int) -> Headline:
    """Rule 1: one event's CAR t, t(T - K)."""
    return Headline(
        "single-event CAR t",
        t,
        p,
        f"t({dof})",
        1,
        f"there is one event: its CAR ({car:+.4%}) is tested against its own prediction-error "
        f"variance from the estimation window",
    )
