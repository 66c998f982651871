"""leaderlens: how a company leader's own voice amplifies, or damages, the company's brand.

Import everything from here::

    import leaderlens as ll
    with ll.Workspace.open("tesla.duckdb") as ws:
        ws.ingest_statements("ElonTweets.csv.gz", leader="musk")
        ws.ingest_prices("TSLA.csv", asset="TSLA", calendar="XNYS")
        print(ws.summary().leaders)
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from leaderlens.errors import (
    BadInputError,
    ConflictError,
    EngineError,
    LeaderlensError,
    MissingDataError,
)
from leaderlens.settings import Settings

if TYPE_CHECKING:
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
    from leaderlens.counterfactual import ImpactResult, impact
    from leaderlens.demo import (
        DemoWorld,
        build_demo,
        generate_world,
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
    from leaderlens.readers.base import (
        ReadResult,
        Reject,
    )
    from leaderlens.readers.events import read_events
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
    from leaderlens.store.summary import WorkspaceSummary
    from leaderlens.store.workspace import (
        LoadReport,
        Workspace,
    )
    from leaderlens.study.event_days import EventDayRegression
    from leaderlens.study.event_days_study import event_day_study
    from leaderlens.study.event_study import (
        StudySettings,
        event_study,
    )
    from leaderlens.study.scale import parquet_event_study
    from leaderlens.study.study_result import EventStudyResult
    from leaderlens.text.annotate import (
        AnnotateReport,
        annotate_workspace,
        annotated,
    )
    from leaderlens.text.language import detect_languages
    from leaderlens.text.persona import (
        Persona,
        compare_personas,
        persona,
    )
    from leaderlens.text.sentiment import score_sentiment
    from leaderlens.text.topics import (
        load_taxonomy,
        tag_topics,
    )

    __version__: str


# ``import leaderlens`` stays cheap: a public name's module (and the pandas, scipy, statsmodels
# or plotly behind it) is imported the first time the name is used (PEP 562). Which module holds
# which name is read from the ``TYPE_CHECKING`` imports above, so that type checkers and the
# runtime share one list (as scientific Python's lazy_loader, SPEC 1, reads a stub file).
@cache
def _lazy_modules() -> dict[str, str]:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    return {
        alias.asname or alias.name: str(node.module)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        value: Any = version("leaderlens")
    elif not name.startswith("__") and name in _lazy_modules():
        from importlib import import_module

        value = getattr(import_module(_lazy_modules()[name]), name)
    else:
        raise AttributeError(f"module 'leaderlens' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    "EventDayRegression",
    "EventLifts",
    "EventStudyResult",
    "FetchReport",
    "FiredAlerts",
    "Foundations",
    "ImpactResult",
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
    "event_day_study",
    "event_lifts",
    "event_study",
    "fetch_attention",
    "fetch_crypto",
    "fetch_posts",
    "fetch_prices",
    "fit_reach",
    "foundations_scorecard",
    "generate_world",
    "impact",
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
    "read_events",
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
