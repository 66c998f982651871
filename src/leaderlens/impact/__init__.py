"""Counterfactual impact of single big moments: Bayesian structural time series (R
CausalImpact's model) and synthetic control, on any series of the workspace."""

from leaderlens.impact.api import impact
from leaderlens.impact.result import ImpactResult, Moment

__all__ = ["ImpactResult", "Moment", "impact"]
