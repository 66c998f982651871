"""Pre-flight: what history predicts for a draft statement before it goes out, how well such
predictions would have done (a time-ordered backtest), the reach of a draft, and alert rules
evaluated on statements as they are ingested."""

from leaderlens.preflight.alerts import (
    FiredAlerts,
    RuleSet,
    alert_rules,
    alerts_for_load,
    list_alerts,
    read_alert_rules,
    remove_alert_rules,
    set_alert_rules,
)
from leaderlens.preflight.backtest import Backtest, preflight_backtest
from leaderlens.preflight.check import Preflight, preflight
from leaderlens.preflight.reach import ReachBacktest, ReachForecast, preflight_reach
from leaderlens.preflight.rolling import TargetBacktest

__all__ = [
    "Backtest",
    "FiredAlerts",
    "Preflight",
    "ReachBacktest",
    "ReachForecast",
    "RuleSet",
    "TargetBacktest",
    "alert_rules",
    "alerts_for_load",
    "list_alerts",
    "preflight",
    "preflight_backtest",
    "preflight_reach",
    "read_alert_rules",
    "remove_alert_rules",
    "set_alert_rules",
]
