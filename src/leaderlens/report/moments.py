"""The report's "moments" section: for the leader's largest fall and largest rise, the
counterfactual (``leaderlens.impact``, CausalImpact's model on the asset's returns against its
benchmark) next to the event study's CAR over the same days."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

import leaderlens as ll
from leaderlens.errors import LeaderlensError
from leaderlens.report.figures import figure_div
from leaderlens.report.html_parts import esc, note, num, pct, table

DRAWS = 500  # enough for a report's intervals; leaderlens impact uses 1,000 by default


@dataclass(frozen=True)
class MomentView:
    """One statement seen both ways: its event-study CAR (window from day 0) and p, and the
    counterfactual impact over the same bars."""

    which: str
    label: str
    car: float
    car_p: float
    impact: Any


def moment_impact(ws: ll.Workspace, asset: str, benchmark: str, time: Any, horizon: int) -> Any:
    """The counterfactual of one moment: CausalImpact's model on the asset's returns against
    its benchmark, ``horizon`` bars from day 0, with :data:`DRAWS` posterior draws."""
    return ll.impact(
        ws, pd.Timestamp(time), series=asset, controls=[benchmark], horizon=horizon, niter=DRAWS
    )


def impact_block(result: Any) -> str:
    """One moment's counterfactual as a page shows it: the effect with its interval and the
    three-panel figure (observed against counterfactual, pointwise and cumulative effect)."""
    m = result.moments[0]
    e = m.effect
    facts = (
        f"<p>Aligned: {esc(m.how)}; bars {esc(str(m.start.date()))} to {esc(str(m.end.date()))}. "
        f"Cumulative effect {pct(e.effect[1])} [{pct(e.effect_lower[1])}, "
        f"{pct(e.effect_upper[1])}], posterior tail p {num(e.p)} "
        f"({DRAWS} draws, returns against the benchmark).</p>"
    )
    return facts + figure_div(result.plot(), "plot-counterfactual")


def gather_moments(
    ws: ll.Workspace, asset: dict[str, Any], study: Any, notes: dict[str, str]
) -> tuple[MomentView, ...]:
    """Impact of the studied events with the lowest and highest CAR; a note says why not."""
    benchmark = asset.get("benchmark_id")
    frame = study.events_frame()
    studied = frame[frame["excluded"] == ""].dropna(subset=["car"])
    t1, t2 = study.settings.window
    if not isinstance(benchmark, str) or studied.empty or t2 < 0:
        notes["moments"] = "moments not shown: the asset needs a benchmark and a studied event"
        return ()
    out = []
    for which, row in (
        ("largest fall", studied.loc[studied["car"].idxmin()]),
        ("largest rise", studied.loc[studied["car"].idxmax()]),
    ):
        try:
            result = moment_impact(ws, asset["asset_id"], benchmark, row["time"], t2 + 1)
        except LeaderlensError as exc:
            notes["moments"] = f"moments not shown: {exc.message}"
            return ()
        out.append(MomentView(which, str(row["label"]), row["car"], row["car_p"], result))
    if t1 < 0:
        notes["moments"] = (
            f"the event study's window starts {-t1} bar(s) before day 0; the counterfactual's "
            "window starts at day 0"
        )
    return tuple(out)


def moments_section(views: tuple[MomentView, ...], notes: dict[str, str]) -> str:
    if not views:
        return note(notes["moments"]) if "moments" in notes else ""
    rows = []
    for v in views:
        m = v.impact.moments[0]
        e = m.effect
        rows.append(
            {
                "moment": v.which,
                "statement": v.label[:80],
                "day 0": str(m.start.date()),
                "CAR (event study)": v.car,
                "p (CAR t)": v.car_p,
                "effect (impact)": e.effect[1],
                "95% interval": f"[{pct(e.effect_lower[1])}, {pct(e.effect_upper[1])}]",
                "p (posterior tail)": e.p,
            }
        )
    shown = table(
        pd.DataFrame(rows),
        "moments-table",
        formats={
            "CAR (event study)": pct,
            "p (CAR t)": num,
            "effect (impact)": pct,
            "p (posterior tail)": num,
        },
    )
    figures = "".join(
        f"<h3>{esc(v.which)}</h3>" + figure_div(v.impact.plot(), f"plot-moment-{i}")
        for i, v in enumerate(views)
    )
    extra = note(notes["moments"]) if "moments" in notes else ""
    return (
        '<section id="moments"><h2>Moments: what would have happened without them</h2>'
        "<p>The counterfactual of CausalImpact's model (returns against the benchmark, "
        f"{DRAWS} draws) beside the event study, over day 0 to the window's end.</p>"
        f"{shown}{extra}{figures}</section>"
    )
