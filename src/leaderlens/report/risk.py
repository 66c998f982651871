"""The report's risk section: leader-driven volatility, the negative-effect radar and the
key-person dependence of each of the leader's brands, each with the reason when it cannot be
computed (:mod:`leaderlens.risk`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import leaderlens as ll
from leaderlens.errors import LeaderlensError
from leaderlens.report.attention import leader_brands

#: What the risk layer does not measure yet (said in the section and the JSON).
NOT_YET = (
    "Studies of key-person events (health, departure), the foundations scorecard and the "
    "pre-flight check are not available in this version of leaderlens."
)


@dataclass(frozen=True)
class RiskParts:
    """Risk measures of one leader on one asset; None where not available (see ``notes``)."""

    volatility: ll.VolatilityShare | None
    radar: ll.NegativeRadar | None
    dependence: tuple[ll.Dependence, ...]
    notes: tuple[str, ...]

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
        return out


def gather_risk(ws: ll.Workspace, leader: str, asset: str) -> RiskParts:
    """Every risk measure that the workspace's data allow, with reasons for the others."""
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
    return RiskParts(volatility, radar, tuple(dependence), tuple(notes))
