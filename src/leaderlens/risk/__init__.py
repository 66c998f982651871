"""Risk: where the leader's voice hurts (negative-effect radar), how much of the asset's
volatility is leader-driven, and how dependent the brand is on one person."""

from leaderlens.risk.dependence import Dependence, SilenceContrast, key_person_dependence
from leaderlens.risk.radar import AlertRules, NegativeRadar, evaluate_alerts, negative_radar
from leaderlens.risk.volatility import VolatilityShare, leader_volatility, variance_share

__all__ = [
    "AlertRules",
    "Dependence",
    "NegativeRadar",
    "SilenceContrast",
    "VolatilityShare",
    "evaluate_alerts",
    "key_person_dependence",
    "leader_volatility",
    "negative_radar",
    "variance_share",
]
