"""The report's market section: returns, volume and volatility side by side for the leader's
largest moments.

The moments are the events with the lowest and the highest CAR of the report's returns study
(as in its "Largest moves" table). For each, the same statements are studied twice more with
the same windows and model (:mod:`leaderlens.study.measures`): abnormal log volume (the CAR of
log(1 + V), in log points; ``exp`` of it over the window's length is the volume multiple) and
abnormal volatility against the estimation window (the variance ratio, 1 + CAR / L: 2 means
twice the usual variance). Each comes with its CAR p-value. An asset whose bars carry no
volume keeps the reason instead of the volume columns.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import leaderlens as ll
from leaderlens.errors import LeaderlensError
from leaderlens.report.html_parts import esc, note, num, pct, table

if TYPE_CHECKING:
    from leaderlens.report.content import ReportContent, StudyOptions

MOMENT_COLUMNS = ["label", "day0", "channel", "car", "car_p"]


def largest_moments(study: Any, k: int = 5) -> pd.DataFrame:
    """The ``k`` studied events with the lowest and the ``k`` with the highest CAR."""
    frame = study.events_frame()
    studied = frame[frame["excluded"] == ""].dropna(subset=["car"])
    return pd.concat([studied.nsmallest(k, "car"), studied.nlargest(k, "car")])


def gather_market(
    ws: ll.Workspace,
    leader: str,
    asset: str,
    options: StudyOptions,
    study: Any,
    notes: dict[str, str],
    k: int = 5,
) -> pd.DataFrame | None:
    """Returns, volume and volatility of the leader's largest moments (module docstring), one
    row per moment; None (the reason in ``notes["market"]``) when no event was studied."""
    moments = largest_moments(study, k)
    if moments.empty:
        notes["market"] = "market measures not available: no event was studied"
        return None
    out = moments.reindex(columns=MOMENT_COLUMNS).reset_index(drop=True)
    length = options.window[1] - options.window[0] + 1
    for measure in ("volume", "volatility"):
        try:
            other = replace(options, n_bootstrap=0, n_placebo=0).call(
                ws, leader, asset, by=None, measure=measure, tests="per-event"
            )
        except LeaderlensError as exc:
            notes["market"] = f"{measure} not available: {exc.message}"
            continue
        events = other.events_frame()
        # studied events only: excluded ones (before the first bar, say) share a day 0 of None
        found = events[events["excluded"] == ""].set_index("day0")[["car", "car_p"]]
        rows = found.reindex(out["day0"])
        car = rows["car"].to_numpy(float)
        if measure == "volume":
            out["volume_multiple"] = np.exp(car / length)
            out["volume_car"] = car
            out["volume_p"] = rows["car_p"].to_numpy(float)
        else:
            out["variance_ratio"] = 1.0 + car / length
            out["volatility_p"] = rows["car_p"].to_numpy(float)
    return out


def market_section(content: ReportContent) -> str:
    """The market section's HTML (empty when the report has no market measures)."""
    frame = content.market
    reason = content.notes.get("market")
    if frame is None:
        return ""
    window = list(content.options.window)
    text = (
        f"The leader's largest moments (lowest and highest CAR over {window}) in returns, "
        "trading volume and volatility, each against the same estimation window and model. "
        "Volume multiple: exp(mean abnormal log volume) over the window, 1 = a usual day; "
        "variance ratio: the window's return variance over the estimation window's, "
        "1 = usual."
    )
    body = table(
        frame,
        "market-table",
        formats={
            "car": pct,
            "car_p": num,
            "volume_multiple": lambda v: num(v, 2),
            "volume_car": lambda v: num(v, 3),
            "volume_p": num,
            "variance_ratio": lambda v: num(v, 2),
            "volatility_p": num,
        },
    )
    extra = note(reason) if reason else ""
    return (
        '<section id="market"><h2>Returns, volume and volatility</h2>'
        f"<p>{esc(text)}</p>{body}{extra}</section>"
    )
