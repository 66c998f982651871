"""Risk: where the leader's voice hurts (negative-effect radar), how much of the asset's
volatility is leader-driven, how dependent the brand is on one person (with studies of
key-person events), whether the brand's own foundations could carry it, and every leader side
by side."""

from leaderlens.risk.compare import LeaderComparison, compare_leaders
from leaderlens.risk.dependence import Dependence, SilenceContrast, key_person_dependence
from leaderlens.risk.foundations import Foundations, foundations_scorecard
from leaderlens.risk.keyperson import KeyPersonStudy, key_person_study
from leaderlens.risk.radar import AlertRules, NegativeRadar, evaluate_alerts, negative_radar
from leaderlens.risk.volatility import VolatilityShare, leader_volatility, variance_share

__all__ = [
    "AlertRules",
    "Dependence",
    "Foundations",
    "KeyPersonStudy",
    "LeaderComparison",
    "NegativeRadar",
    "SilenceContrast",
    "VolatilityShare",
    "compare_leaders",
    "evaluate_alerts",
    "foundations_scorecard",
    "key_person_dependence",
    "key_person_study",
    "leader_volatility",
    "negative_radar",
    "variance_share",
]
