"""The names users import from ``leaderlens`` are pinned: adding or removing one is a decision."""

import leaderlens

PUBLIC = {
    "EventDayRegression",
    "event_day_study",
    "parquet_event_study",
    "lifts_on",
    "EngineLifts",
    "share_of_voice_on",
    "Backtest",
    "FiredAlerts",
    "ImpactResult",
    "impact",
    "Preflight",
    "ReachBacktest",
    "ReachForecast",
    "RuleSet",
    "alert_rules",
    "alerts_for_load",
    "list_alerts",
    "preflight_backtest",
    "preflight_reach",
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
    "Cascade",
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
    "Nowcast",
    "NegativeRadar",
    "Persona",
    "Playbook",
    "ReachModel",
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
    "cascade",
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
    "fit_reach",
    "generate_world",
    "key_person_dependence",
    "lagged_lifts",
    "lead_lag",
    "leader_volatility",
    "load_taxonomy",
    "mention_buckets",
    "negative_radar",
    "net_sentiment",
    "nowcast",
    "persona",
    "playbook",
    "read_attention",
    "read_events",
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


def test_no_public_name_is_shadowed_by_a_subpackage() -> None:
    """Importing every subpackage (as the CLI and the web do) leaves each public name what it
    was: a subpackage named like a public function would replace it on the package."""
    import importlib
    import pkgutil
    import types

    for module in pkgutil.iter_modules(leaderlens.__path__):
        if module.name != "__main__":  # that one runs the command line
            importlib.import_module(f"leaderlens.{module.name}")
    shadowed = [
        n for n in leaderlens.__all__ if isinstance(getattr(leaderlens, n), types.ModuleType)
    ]
    assert shadowed == []


def test_version_follows_the_changelog() -> None:
    from pathlib import Path

    changelog = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text()
    assert f"## {leaderlens.__version__}" in changelog


def test_dir_lists_the_public_names_before_they_are_loaded() -> None:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "import json, leaderlens; print(json.dumps(dir(leaderlens)))"
    src = str(Path(leaderlens.__file__).parents[1])
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": src},
    )
    assert set(json.loads(done.stdout)) >= PUBLIC
