"""Brand attention: lift around posts, amplification factor, share of voice, spikes, lead-lag,
the playbook and the self-exciting cascade (METHODS.md section 4). Users import these from
``leaderlens``."""

from leaderlens.attention.amplification import AmplificationResult, SideLift
from leaderlens.attention.api import (
    BrandVoice,
    LiftResult,
    amplification,
    attention_lift,
    brand_lead_lag,
    brand_share_of_voice,
    brand_spikes,
    playbook,
)
from leaderlens.attention.cascade import Cascade, cascade
from leaderlens.attention.engine_lifts import EngineLifts, lifts_on
from leaderlens.attention.grid import AttentionSeries, attention_series
from leaderlens.attention.lagged import LaggedLifts, lagged_lifts
from leaderlens.attention.leadlag import LeadLag, lead_lag
from leaderlens.attention.lift import EventLifts, event_lifts
from leaderlens.attention.nowcast import Nowcast, ReachModel, fit_reach, nowcast
from leaderlens.attention.playbook import Playbook
from leaderlens.attention.scale import mention_buckets
from leaderlens.attention.share import (
    ShareOfVoice,
    net_sentiment,
    share_of_voice,
    share_of_voice_on,
)
from leaderlens.attention.spikes import Spikes, detect_spikes

__all__ = [
    "AmplificationResult",
    "AttentionSeries",
    "BrandVoice",
    "Cascade",
    "EngineLifts",
    "EventLifts",
    "LaggedLifts",
    "LeadLag",
    "LiftResult",
    "Nowcast",
    "Playbook",
    "ReachModel",
    "ShareOfVoice",
    "SideLift",
    "Spikes",
    "amplification",
    "attention_lift",
    "attention_series",
    "brand_lead_lag",
    "brand_share_of_voice",
    "brand_spikes",
    "cascade",
    "detect_spikes",
    "event_lifts",
    "fit_reach",
    "lagged_lifts",
    "lead_lag",
    "lifts_on",
    "mention_buckets",
    "net_sentiment",
    "nowcast",
    "playbook",
    "share_of_voice",
    "share_of_voice_on",
]
