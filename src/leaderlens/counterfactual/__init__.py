"""Counterfactual impact of single big moments: Bayesian structural time series (R
CausalImpact's model) and synthetic control, on any series of the workspace."""

from leaderlens.counterfactual.api import impact
from leaderlens.counterfactual.result import ImpactResult, Moment

__all__ = ["ImpactResult", "Moment", "impact"]
