"""Options with a fixed set of values show the set in ``--help``, complete in the shell, and
refuse anything else at the door (exit 2, naming the option, the allowed values and what
arrived). The values are the ones :mod:`leaderlens.options` spells, once, for the library too."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from leaderlens import options
from leaderlens.cli.main import app

runner = CliRunner()

CHOICES = [
    (["ingest", "prices"], "--freq", options.PRICE_FREQS),
    (["ingest", "prices"], "--format", options.PRICE_FORMATS),
    (["ingest", "prices"], "--on-bad-rows", options.ON_BAD_ROWS),
    (["ingest", "prices"], "--on-conflict", options.ON_CONFLICT),
    (["ingest", "statements"], "--format", options.STATEMENT_FORMATS),
    (["ingest", "statements"], "--channel", options.CHANNELS),
    (["ingest", "brand-posts"], "--format", options.STATEMENT_FORMATS),
    (["ingest", "attention"], "--format", options.ATTENTION_FORMATS),
    (["ingest", "mentions"], "--format", options.MENTION_FORMATS),
    (["study"], "--model", options.MODELS),
    (["study"], "--freq", options.PRICE_FREQS),
    (["study"], "--returns", options.RETURN_TYPES),
    (["study"], "--channel", options.CHANNELS),
    (["study"], "--first-bar", options.FIRST_BARS),
    (["study"], "--cross-sessions", options.CROSS_SESSIONS),
    (["study"], "--convention", options.CONVENTIONS),
    (["study"], "--tests", options.TESTS),
    (["study"], "--engine", options.ENGINES),
    (["study"], "--measure", options.MEASURES),
    (["study"], "--volatility-model", options.VOLATILITY_MODELS),
    (["study"], "--fdr-method", options.FDR_METHODS),
    (["risk", "radar"], "--fdr-method", options.FDR_METHODS),
    (["report"], "--format", options.REPORT_FORMATS),
    (["report"], "--table-format", options.TABLE_FORMATS),
    (["report"], "--model", options.PLAIN_MODELS),
    (["report"], "--returns", options.RETURN_TYPES),
    (["annotate"], "--sentiment", options.SENTIMENTS),
    (["persona"], "--by", options.PERSONA_BY),
    (["attention", "lift"], "--source", options.SOURCES),
    (["attention", "lift"], "--seasonal", options.SEASONALS),
    (["attention", "lift"], "--freq", options.ATTENTION_FREQS),
    (["attention", "lift"], "--engine", options.ENGINES),
    (["attention", "share-of-voice"], "--freq", options.BUCKET_FREQS),
    (["attention", "mentions"], "--freq", options.BUCKET_FREQS),
    (["attention", "mentions"], "--engine", options.ENGINES),
    (["attention", "playbook"], "--by", options.PLAYBOOK_BY),
    (["risk", "key-person"], "--model", options.PLAIN_MODELS),
    (["fetch", "prices"], "--freq", options.PRICE_FREQS),
    (["fetch", "crypto"], "--freq", options.PRICE_FREQS),
    (["fetch", "posts"], "--platform", options.PLATFORMS),
]
IDS = [f"{' '.join(c)} {o}" for c, o, _ in CHOICES]


@pytest.mark.parametrize(("command", "option", "values"), CHOICES, ids=IDS)
def test_help_shows_the_choices(command: list[str], option: str, values: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=400)
    assert result.exit_code == 0, result.output
    assert f"{option} <{'|'.join(values)}>" in result.output


@pytest.mark.parametrize(("command", "option", "values"), CHOICES, ids=IDS)
def test_the_shell_completes_the_choices(
    command: list[str], option: str, values: tuple[str, ...]
) -> None:
    words = ["leaderlens", *command, option, ""]
    env = {
        "_LEADERLENS_COMPLETE": "complete_bash",
        "COMP_WORDS": " ".join(words),
        "COMP_CWORD": str(len(words) - 1),
    }
    result = runner.invoke(app, [], env={**os.environ, **env}, prog_name="leaderlens")
    assert result.output.splitlines() == list(values)


def test_a_value_outside_the_set_is_refused_at_the_door() -> None:
    result = runner.invoke(app, ["study", "--model", "garch", "--leader", "musk"])
    assert result.exit_code == 2
    assert "'--model'" in result.output
    assert "'garch' is not one of 'constant-mean', 'market-adjusted', 'market', 'factor'" in (
        result.output
    )
