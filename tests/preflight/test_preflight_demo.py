"""The pre-flight check and its backtest on the demo world (seed 7).

Witnesses: the neighbours' CARs are those of an event study run here and exploded with pandas;
the draft's language, sentiment and topics are those of the text annotator run directly; the
planted value-destroying template finds its past copies with significantly negative CARs; the
backtest runs and reports its coverage, recomputed here from its own predictions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leaderlens.cli.preflight import preflight as preflight_cmd
from leaderlens.errors import BadInputError
from leaderlens.preflight import preflight, preflight_backtest
from leaderlens.store.workspace import Workspace
from leaderlens.text.annotate import annotate_texts

DRAFT = "Anyone who votes for this is an idiot. I am done being polite."


def test_preflight_of_a_planted_template(preflight_demo) -> None:
    """The draft is the text of some of the eight planted value-destroying posts (-8 % on day 0
    of VLTR, sd 2 % across posts); the others carry the one other value-destroying text, closer
    to the draft than any ordinary post. Over [0, 1] each CAR's noise sd is 3 % x sqrt(2), so
    the eight posts' mean CAR has a standard error of about 1.6 %: -8 % is 5 of them below
    zero. The predicted median is the median of ten neighbours, eight of them planted: each
    planted CAR is negative with probability Phi(0.08 / 0.047) = 0.96, and six of eight are
    (enough for a negative median) with probability above 99 %."""
    with Workspace.open(preflight_demo, read_only=True) as ws:
        result = preflight(ws, "rex_vale", DRAFT, asset="VLTR", k=10)
        study = ws.event_study(leader="rex_vale", asset="VLTR", tests="per-event", window=(0, 1))
        truth = ws.ground_truth("world_parameters")["value_destroying"]
        texts = ws.statements("rex_vale").set_index("statement_id")["text"]
    events = study.events_frame()[["statement_ids", "car", "car_p"]].explode("statement_ids")
    car_of = events.set_index("statement_ids")["car"]
    nb = result.neighbours
    assert len(nb) == 10 and nb["similarity"].is_monotonic_decreasing
    np.testing.assert_allclose(nb["car"], nb["statement_id"].map(car_of).astype(float))
    # the planted value-destroying copies of this text come first, then the other planted ones
    planted = truth["statement_ids"]
    copies = int((texts.loc[planted] == DRAFT).sum())
    assert copies >= 1 and (nb["text"].head(copies) == DRAFT).all()
    assert set(nb["statement_id"].head(len(planted))) == set(planted)
    # and they lost value
    assert nb["car"].head(len(planted)).mean() < 0
    direct = annotate_texts([DRAFT])
    assert result.draft.language == direct.language[0] == "en"
    assert result.draft.sentiment == pytest.approx(direct.sentiment[0])
    assert list(result.draft.topics) == direct.topics[0]
    flags = dict(result.risk_flags)
    assert "strongly negative" in flags and "similar statements hurt" in flags
    assert "alert rules" in flags  # the default rules fire on sentiment <= -0.5
    pred = result.prediction["car"]
    assert pred["low"] <= pred["median"] <= pred["high"] and pred["n"] == 10
    assert pred["median"] < 0
    assert result.similarity == "char-ngram-tfidf" and result.backtest is None
    payload = json.loads(json.dumps(result.to_dict()))
    assert set(payload) >= {"language", "neighbours", "prediction", "risk_flags", "backtest"}
    assert "not backtested" in result.summary()


def test_backtest_runs_on_the_demo_and_is_kept(preflight_demo, tmp_path) -> None:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(preflight_demo.read_bytes())
    with Workspace.open(copy) as ws:
        bt = preflight_backtest(ws, "rex_vale", asset="VLTR", min_history=50)
        later = preflight(ws, "rex_vale", "Voltra V update rolling out now", asset="VLTR")
    by = {t.target: t for t in bt.targets}
    assert set(by) == {"car", "lift"}
    car = by["car"]
    pred = car.predictions
    assert car.model.n == len(pred) > 1000 and (pred["n_history"] >= 50).all()
    inside = (pred["realised"] >= pred["low"]) & (pred["realised"] <= pred["high"])
    assert car.model.coverage == pytest.approx(inside.mean())
    assert 0.5 < car.model.coverage < 0.95
    assert pd.Series(pred["ts"]).is_monotonic_increasing
    assert "coverage" in bt.summary()
    # a later check carries the stored verdict, and says whether to trust the range
    assert later.backtest is not None
    assert later.trusted == {t: by[t].beats_baseline for t in by}
    assert ("does NOT beat" in later.summary()) == (not by["car"].beats_baseline)


def test_preflight_refuses_bad_input(preflight_demo) -> None:
    with Workspace.open(preflight_demo, read_only=True) as ws:
        with pytest.raises(BadInputError):
            preflight(ws, "rex_vale", "   ")
        with pytest.raises(BadInputError):
            preflight(ws, "rex_vale", "hello", k=0)


def test_preflight_command_writes_json(preflight_demo, tmp_path) -> None:
    import typer

    app = typer.Typer()
    app.command()(preflight_cmd)
    out = tmp_path / "p.json"
    res = CliRunner().invoke(
        app,
        ["--leader", "sam_archer", "--asset", "KNTE", "Keynote One launch tonight",
         "-w", str(preflight_demo), "--json", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    body = json.loads(out.read_text())
    assert body["leader"] == "sam_archer" and body["neighbours"]
    assert "predicted car" in res.output


def test_preflight_command_defaults_to_the_company_stock(preflight_demo, tmp_path) -> None:
    import typer

    app = typer.Typer()
    app.command()(preflight_cmd)
    out = tmp_path / "p.json"
    res = CliRunner().invoke(
        app, ["--leader", "rex_vale", "Voltra V is great", "-w", str(preflight_demo),
              "--json", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    body = json.loads(out.read_text())
    with Workspace.open(preflight_demo, read_only=True) as ws:
        company = ws.leaders().set_index("leader_id").loc["rex_vale", "company"]
        assets = ws.assets()
    stock = assets[assets["name"].str.startswith(company) & (assets["kind"] == "stock")]
    assert body["asset"] == stock["asset_id"].iloc[0]
