"""The names users import from ``leaderlens`` are pinned: adding or removing one is a decision."""

import leaderlens

PUBLIC = {
    "AnnotateReport",
    "BadInputError",
    "ConflictError",
    "DemoWorld",
    "EngineError",
    "EventStudyResult",
    "FetchReport",
    "LeaderlensError",
    "LoadReport",
    "MissingDataError",
    "Persona",
    "ReadResult",
    "Reject",
    "Settings",
    "StudySettings",
    "Workspace",
    "WorkspaceSummary",
    "__version__",
    "annotate_workspace",
    "annotated",
    "build_demo",
    "compare_personas",
    "detect_languages",
    "event_study",
    "fetch_attention",
    "fetch_crypto",
    "fetch_posts",
    "fetch_prices",
    "generate_world",
    "load_taxonomy",
    "persona",
    "read_attention",
    "read_mentions",
    "read_prices",
    "read_statements",
    "score_sentiment",
    "tag_topics",
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
