"""The names users import from ``leaderlens`` are pinned: adding or removing one is a decision."""

import leaderlens

PUBLIC = {
    "parquet_event_study",
    "lifts_on",
    "EngineLifts",
    "share_of_voice_on",
    "Backtest",
    "FiredAlerts",
    "Preflight",
    "RuleSet",
    "alert_rules",
    "alerts_for_load",
    "list_alerts",
    "preflight_backtest",
    "read_alert_rules",
    "remove_alert_rules",
    "set_alert_rules",
    "Foundations",
    "KeyPersonStudy",
    "LeaderComparison",
    "compare_leaders",
    "foundations_scorecard",
    "key_person_study",
    "AlertRules",
    "AmplificationResult",
    "AnnotateReport",
    "AttentionSeries",
    "BadInputError",
    "BrandVoice",
    "ConflictError",
    "DemoWorld",
    "Dependence",
    "EngineError",
    "EventLifts",
    "EventStudyResult",
    "FetchReport",
    "LaggedLifts",
    "LeadLag",
    "LeaderlensError",
    "LiftResult",
    "LoadReport",
    "MissingDataError",
    "NegativeRadar",
    "Persona",
    "Playbook",
    "ReadResult",
    "Reject",
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
    "amplification",
    "annotate_workspace",
    "annotated",
    "attention_lift",
    "attention_series",
    "brand_lead_lag",
    "brand_share_of_voice",
    "brand_spikes",
    "build_demo",
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
    "generate_world",
    "key_person_dependence",
    "lagged_lifts",
    "lead_lag",
    "leader_volatility",
    "load_taxonomy",
    "mention_buckets",
    "negative_radar",
    "net_sentiment",
    "persona",
    "playbook",
    "read_attention",
    "read_mentions",
    "read_prices",
    "read_statements",
    "score_sentiment",
    "share_of_voice",
    "tag_topics",
    "variance_share",
}


def test_public_names_are_pinned() -> None:
    assert set(leaderlens.__all__) == PUBLIC


def test_every_public_name_resolves() -> None:
    for name in leaderlens.__all__:
        assert getattr(leaderlens, name) is not None


def test_version_follows_the_changelog() -> None:
    from pathlib import Path

    changelog = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text()
    assert f"## {leaderlens.__version__}" in changelog


def test_lazy_names_are_the_names_type_checkers_see() -> None:
    """``import leaderlens`` loads a public name's module on first use; the ``TYPE_CHECKING``
    imports tell type checkers the same name and module."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(leaderlens))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == leaderlens._LAZY
    assert set(dir(leaderlens)) >= PUBLIC
