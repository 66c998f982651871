"""leaderlens: how a company leader's own voice amplifies, or damages, the company's brand.

Import everything from here::

    import leaderlens as ll
    with ll.Workspace.open("tesla.duckdb") as ws:
        ws.ingest_statements("ElonTweets.csv.gz", leader="musk")
        ws.ingest_prices("TSLA.csv", asset="TSLA", calendar="XNYS")
        print(ws.summary().leaders)
"""

from leaderlens.attention import (
    AmplificationResult,
    AttentionSeries,
    BrandVoice,
    Cascade,
    EngineLifts,
    EventLifts,
    LaggedLifts,
    LeadLag,
    LiftResult,
    Nowcast,
    Playbook,
    ReachModel,
    ShareOfVoice,
    SideLift,
    Spikes,
    amplification,
    attention_lift,
    attention_series,
    brand_lead_lag,
    brand_share_of_voice,
    brand_spikes,
    cascade,
    detect_spikes,
    event_lifts,
    fit_reach,
    lagged_lifts,
    lead_lag,
    lifts_on,
    mention_buckets,
    net_sentiment,
    nowcast,
    playbook,
    share_of_voice,
    share_of_voice_on,
)
from leaderlens.demo import DemoWorld, build_demo, generate_world
from leaderlens.errors import (
    BadInputError,
    ConflictError,
    EngineError,
    LeaderlensError,
    MissingDataError,
)
from leaderlens.fetchers import (
    FetchReport,
    fetch_attention,
    fetch_crypto,
    fetch_posts,
    fetch_prices,
)
from leaderlens.preflight import (
    Backtest,
    FiredAlerts,
    Preflight,
    ReachBacktest,
    ReachForecast,
    RuleSet,
    alert_rules,
    alerts_for_load,
    list_alerts,
    preflight_backtest,
    preflight_reach,
    read_alert_rules,
    remove_alert_rules,
    set_alert_rules,
)
from leaderlens.readers.attention import read_attention
from leaderlens.readers.base import ReadResult, Reject
from leaderlens.readers.mentions import read_mentions
from leaderlens.readers.prices import read_prices
from leaderlens.readers.statements import read_statements
from leaderlens.risk import (
    AlertRules,
    Dependence,
    Foundations,
    KeyPersonStudy,
    LeaderComparison,
    NegativeRadar,
    SilenceContrast,
    VolatilityShare,
    compare_leaders,
    evaluate_alerts,
    foundations_scorecard,
    key_person_dependence,
    key_person_study,
    leader_volatility,
    negative_radar,
    variance_share,
)
from leaderlens.settings import Settings
from leaderlens.store.summary import WorkspaceSummary
from leaderlens.store.workspace import LoadReport, Workspace
from leaderlens.study.event_study import StudySettings, event_study
from leaderlens.study.scale import parquet_event_study
from leaderlens.study.study_result import EventStudyResult
from leaderlens.text.annotate import AnnotateReport, annotate_workspace, annotated
from leaderlens.text.language import detect_languages
from leaderlens.text.persona import Persona, compare_personas, persona
from leaderlens.text.sentiment import score_sentiment
from leaderlens.text.topics import load_taxonomy, tag_topics

__version__ = "0.1.0"

__all__ = [
    "AlertRules",
    "AmplificationResult",
    "AnnotateReport",
    "AttentionSeries",
    "Backtest",
    "BadInputError",
    "BrandVoice",
    "Cascade",
    "ConflictError",
    "DemoWorld",
    "Dependence",
    "EngineError",
    "EngineLifts",
    "EventLifts",
    "EventStudyResult",
    "FetchReport",
    "FiredAlerts",
    "Foundations",
    "KeyPersonStudy",
    "LaggedLifts",
    "LeadLag",
    "LeaderComparison",
    "LeaderlensError",
    "LiftResult",
    "LoadReport",
    "MissingDataError",
    "NegativeRadar",
    "Nowcast",
    "Persona",
    "Playbook",
    "Preflight",
    "ReachBacktest",
    "ReachForecast",
    "ReachModel",
    "ReadResult",
    "Reject",
    "RuleSet",
    "Settings",
    "ShareOfVoice",
    "SideLift",
    "SilenceContrast",
    "Spikes",
    "StudySettings",
    "VolatilityShare",
    "Workspace",
    "WorkspaceSummary",
    "__version__",
    "alert_rules",
    "alerts_for_load",
    "amplification",
    "annotate_workspace",
    "annotated",
    "attention_lift",
    "attention_series",
    "brand_lead_lag",
    "brand_share_of_voice",
    "brand_spikes",
    "build_demo",
    "cascade",
    "compare_leaders",
    "compare_personas",
    "detect_languages",
    "detect_spikes",
    "evaluate_alerts",
    "event_lifts",
    "event_study",
    "fetch_attention",
    "fetch_crypto",
    "fetch_posts",
    "fetch_prices",
    "fit_reach",
    "foundations_scorecard",
    "generate_world",
    "key_person_dependence",
    "key_person_study",
    "lagged_lifts",
    "lead_lag",
    "leader_volatility",
    "lifts_on",
    "list_alerts",
    "load_taxonomy",
    "mention_buckets",
    "negative_radar",
    "net_sentiment",
    "nowcast",
    "parquet_event_study",
    "persona",
    "playbook",
    "preflight_backtest",
    "preflight_reach",
    "read_alert_rules",
    "read_attention",
    "read_mentions",
    "read_prices",
    "read_statements",
    "remove_alert_rules",
    "score_sentiment",
    "set_alert_rules",
    "share_of_voice",
    "share_of_voice_on",
    "tag_topics",
    "variance_share",
]
