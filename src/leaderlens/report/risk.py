"""The report's risk section: leader-driven volatility, the negative-effect radar, the
key-person dependence of each of the leader's brands and, when the workspace holds several
leaders, every leader side by side; each with the reason when it cannot be computed
(:mod:`leaderlens.risk`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import leaderlens as ll
from leaderlens.errors import LeaderlensError
from leaderlens.report.attention import leader_brands
from leaderlens.report.figures import figure_div
from leaderlens.report.html_parts import note, table
from leaderlens.risk.compare import METRICS, LeaderComparison, compare_leaders

#: What the risk layer does not measure yet (said in the section and the JSON).
NOT_YET = (
    "Studies of key-person events (health, departure) need an events file ('leaderlens risk "
    "key-person --events FILE'); the foundations scorecard needs the brand's series tagged as "
    "product, team or innovation ('leaderlens risk foundations'); a draft statement is checked "
    "before it goes out with 'leaderlens preflight --leader ID TEXT'."
)


@dataclass(frozen=True)
class RiskParts:
    """Risk measures of one leader on one asset; None where not available (see ``notes``)."""

    volatility: ll.VolatilityShare | None
    radar: ll.NegativeRadar | None
    dependence: tuple[ll.Dependence, ...]
    notes: tuple[str, ...]
    comparison: LeaderComparison | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        if self.volatility is not None:
            out["risk_volatility"] = self.volatility.to_frame()
        if self.radar is not None:
            out["risk_value"] = self.radar.value
            out["risk_controversy"] = self.radar.controversy
            out["risk_alerts"] = self.radar.alerts
        for i, found in enumerate(self.dependence):
            out[f"risk_dependence_{i}"] = found.to_frame()
        if self.comparison is not None:
            out["risk_comparison"] = self.comparison.to_frame()
        return out


def gather_risk(ws: ll.Workspace, leader: str, asset: str, *, compare: bool = False) -> RiskParts:
    """Every risk measure that the workspace's data allow, with reasons for the others. With
    ``compare`` and two or more leaders in the workspace, the leaders side by side (each on its
    company's stock; amplification without its bootstrap interval, 199 permutations: the
    report shows the estimates, the ``leaderlens compare`` command the full detail). Off by
    default: on the demo world it adds several seconds to every report."""
    notes = [NOT_YET]
    volatility = radar = None
    try:
        volatility = ll.leader_volatility(ws, leader, asset, n_permutations=1999)
    except LeaderlensError as exc:
        notes.append(f"leader-driven volatility not available: {exc.message}")
    try:
        radar = ll.negative_radar(ws, leader, asset)
    except LeaderlensError as exc:
        notes.append(f"negative-effect radar not available: {exc.message}")
    dependence = []
    for brand in leader_brands(ws, leader)["brand_id"]:
        try:
            dependence.append(ll.key_person_dependence(ws, str(brand), leader=leader))
        except LeaderlensError as exc:
            notes.append(f"key-person dependence of {brand} not available: {exc.message}")
    comparison = None
    if compare and len(ws.leaders()) >= 2:
        try:
            comparison = compare_leaders(ws, n_boot=0, n_permutations=199)
        except LeaderlensError as exc:
            notes.append(f"leader comparison not available: {exc.message}")
    return RiskParts(volatility, radar, tuple(dependence), tuple(notes), comparison)


def comparison_html(risk: RiskParts) -> str:
    """The leaders side by side as an escaped table and a heat chart ("" without a
    comparison), for the report's risk section."""
    found = risk.comparison
    if found is None:
        return ""
    shown = found.table[["leader", "brand", "asset", *(n for n, _ in METRICS), "reasons"]]
    return "\n".join(
        [
            "<h3>Leaders side by side</h3>",
            table(shown, "risk-comparison-table"),
            figure_div(found.figure(), "plot-risk-comparison"),
            note(
                f"CAR window [{found.window[0]}, {found.window[1]}], market model; "
                f"amplification on {found.metric}; each chart row scaled from its minimum to "
                "its maximum across the leaders."
            ),
        ]
    )
