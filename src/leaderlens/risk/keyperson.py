"""Key-person event studies: what the market made of news about the leader as a person (a
health scare, a leave of absence, a resignation, a death), METHODS section 5.

The events come from an events file or frame (``time`` with a UTC offset, ``label``, optional
``asset``; :func:`leaderlens.readers.events.read_events`) and run through the ordinary event
study (:func:`leaderlens.event_study`): market model by default (MacKinlay 1997, "Event studies
in economics and finance", J. Econ. Lit. 35, eqs. 7-15), one CAR per event with its t
(prediction-error variance, t(T - K)) and two-sided p, and with two or more events the CAAR with
the whole test battery of METHODS section 3.

The headline cross-event test is the study's own
(:attr:`leaderlens.EventStudyResult.headline`, chosen from the design by the rule of
:mod:`leaderlens.study.headline`: BMP when no two event windows share a calendar day, the
Kolari-Pynnonen adjusted BMP with the correlation shared days imply when some do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.jsonsafe import plain, records
from leaderlens.risk.common import result_html
from leaderlens.study.result import TestResult
from leaderlens.study.tests_parametric import NULL

if TYPE_CHECKING:
    from leaderlens.study.study_result import EventStudyResult

EVENT_COLUMNS: tuple[str, ...] = (
    "label",
    "asset",
    "time",
    "day0",
    "aligned",
    "car",
    "car_t",
    "car_p",
    "ar0",
    "ar0_t",
    "excluded",
)


def headline_test(result: EventStudyResult) -> TestResult | None:
    """The study's headline cross-event test as a :class:`TestResult` (None when no battery
    ran: fewer than two events)."""
    head = result.headline
    if result.battery is None or head is None:
        return None
    return TestResult(
        name=head.name,
        statistic=head.statistic,
        p_value=head.p_value,
        distribution=head.distribution,
        null=NULL,
        n=head.n,
    )


@dataclass(frozen=True)
class KeyPersonStudy:
    """An event study of key-person moments.

    Fields
    ------
    asset: the asset studied (events may override it row by row; see ``events``).
    model, window, estimation, returns: of the event study (windows in bars, inclusive).
    events: one row per event, columns :data:`EVENT_COLUMNS`: ``car`` over ``window`` with
        ``car_t`` and two-sided ``car_p``; ``ar0`` and ``ar0_t`` the abnormal return of day 0
        and its t; ``excluded`` the reason when not studied ("" otherwise).
    n_studied: events with a CAR. caar: mean CAR over them. mean_abs_car: mean |CAR|.
    headline: the headline cross-event test (None with fewer than two studied events).
    tests: every test of the battery (empty with fewer than two studied events).
    study: the full :class:`~leaderlens.EventStudyResult` behind it.
    """

    asset: str
    model: str
    window: tuple[int, int]
    estimation: tuple[int, int]
    returns: str
    events: pd.DataFrame
    n_studied: int
    caar: float
    mean_abs_car: float
    headline: TestResult | None
    tests: pd.DataFrame
    study: EventStudyResult
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self, level: float = 0.05) -> str:
        w = f"[{self.window[0]}, {self.window[1]}]"
        lines = [
            f"key-person events on {self.asset}: {self.model} model, estimation "
            f"[{self.estimation[0]}, {self.estimation[1]}], CAR window {w}, {self.returns} "
            f"returns; {self.n_studied} of {len(self.events)} events studied"
        ]
        for row in self.events.itertuples(index=False):
            label = " ".join(str(row.label).split())[:60]
            if row.excluded:
                lines.append(f"  {label}: not studied ({row.excluded})")
                continue
            verdict = (
                f"a significant {'fall' if row.car < 0 else 'rise'} at {level:.0%}"
                if row.car_p <= level
                else f"not distinguishable from noise at {level:.0%}"
            )
            lines.append(
                f"  {label} (day 0 {row.day0}): CAR{w} {row.car:+.2%} (t {row.car_t:.2f}, "
                f"p {row.car_p:.3g}), {verdict}; day 0 alone {row.ar0:+.2%} (t {row.ar0_t:.2f})"
            )
        if self.n_studied:
            lines.append(f"  mean |CAR| {self.mean_abs_car:.2%}; CAAR {self.caar:+.2%}")
        if self.headline is not None:
            h = self.headline
            lines.append(
                f"  across events: {h.name} {h.statistic:.2f} ({h.distribution}), p "
                f"{h.p_value:.3g} (H0: {h.null}); {len(self.tests)} tests in the battery"
            )
        elif self.n_studied:
            lines.append("  one studied event: no cross-event tests")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.events.copy()

    def to_dict(self) -> dict[str, Any]:
        h = self.headline
        return {
            "asset": self.asset,
            "model": self.model,
            "window": list(self.window),
            "estimation": list(self.estimation),
            "returns": self.returns,
            "n_studied": self.n_studied,
            "caar": plain(self.caar),
            "mean_abs_car": plain(self.mean_abs_car),
            "headline": None
            if h is None
            else {
                "name": h.name,
                "statistic": plain(h.statistic),
                "p_value": plain(h.p_value),
                "distribution": h.distribution,
                "null": h.null,
                "n": h.n,
            },
            "events": records(self.events),
            "tests": records(self.tests),
        }

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def key_person_study(
    ws: Any,
    events: str | Path | pd.DataFrame,
    *,
    asset: str | None,
    benchmark: str | None = None,
    window: tuple[int, int] = (-1, 5),
    estimation: tuple[int, int] = (-260, -11),
    model: str = "market",
    **study: Any,
) -> KeyPersonStudy:
    """Study key-person ``events`` (an events file or frame: ``time`` with offset, ``label``,
    optional ``asset``) on ``asset`` against ``benchmark`` (default: the asset's declared one)
    with ``ws.event_study(events=..., ...)``; ``study`` passes further options on (``n_placebo``,
    ``seed``, ``returns``, ...). The default estimation window ends 11 bars before day 0 so that
    rumours in the run-up do not enter the normal-return model."""
    from leaderlens.readers.events import read_events

    table = read_events(events)  # validated here so that a bad row names its file and line
    if asset is None and table["asset"].isna().any():
        raise BadInputError("key-person events without an asset column need --asset", field="asset")
    result = ws.event_study(
        events=table,
        asset=asset,
        benchmark=benchmark,
        window=window,
        estimation=estimation,
        model=model,
        **study,
    )
    frame = result.events_frame().sort_values("time", kind="stable").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "label": frame["label"].astype(str),
            "asset": frame["asset"].astype(str),
            "time": pd.to_datetime(frame["time"], utc=True),
            "day0": frame["day0"],
            "aligned": frame["aligned"],
            "car": frame["car"].astype(float),
            "car_t": frame["car_t"].astype(float),
            "car_p": frame["car_p"].astype(float),
            "ar0": frame["ar[0]"].astype(float) if "ar[0]" in frame else np.nan,
            "ar0_t": frame["ar_t[0]"].astype(float) if "ar_t[0]" in frame else np.nan,
            "excluded": frame["excluded"].astype(str),
        }
    )
    studied = out.loc[(out["excluded"] == "") & np.isfinite(out["car"]), "car"].to_numpy()
    tests = result.tests_frame()
    notes = []
    if not window[0] <= 0 <= window[1]:
        notes.append("the window does not hold day 0: ar0 is not available")
    return KeyPersonStudy(
        asset=asset if asset is not None else "per-event assets",
        model=model,
        window=(int(window[0]), int(window[1])),
        estimation=(int(estimation[0]), int(estimation[1])),
        returns=str(result.settings.returns),
        events=out,
        n_studied=int(studied.size),
        caar=float(studied.mean()) if studied.size else float("nan"),
        mean_abs_car=float(np.abs(studied).mean()) if studied.size else float("nan"),
        headline=headline_test(result),
        tests=tests if result.battery is not None else tests.iloc[0:0],
        study=result,
        notes=tuple(notes),
    )
