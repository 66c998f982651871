"""``leaderlens risk ...``: negative effects from the command line (thin shells over
:mod:`leaderlens.risk`). Registered with ``app.add_typer(risk_app, name="risk")``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leaderlens.cli.preflight import alerts_app
from leaderlens.cli.shared import FdrMethodOpt, FdrOpt, JsonOpt, WorkspaceOpt, out, run, write_json
from leaderlens.options import PlainModel

risk_app = typer.Typer(
    help="Negative effects: value-destroying statements, leader-driven volatility, key-person "
    "dependence and events, the brand's foundations.",
    no_args_is_help=True,
)
risk_app.add_typer(alerts_app, name="alerts")

LeaderOpt = Annotated[str, typer.Option("--leader", help="Leader id.")]
AssetOpt = Annotated[str, typer.Option("--asset", help="Asset id.")]


def _open(workspace: Any) -> Any:
    from leaderlens import Workspace

    return Workspace.open(workspace, read_only=True)


def _rows(frame: Any) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@risk_app.command("volatility")
def volatility(
    leader: LeaderOpt,
    asset: AssetOpt,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="Benchmark (default: the asset's).")
    ] = None,
    permutations: Annotated[int, typer.Option("--permutations", help="Permutation draws.")] = 9999,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 0,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Share of abnormal-return variance on the leader's event days, with a permutation p."""

    def body() -> None:
        from leaderlens.risk.volatility import leader_volatility

        with _open(workspace) as ws:
            result = leader_volatility(
                ws, leader, asset, benchmark=benchmark, n_permutations=permutations, seed=seed
            )
        out.print(result.summary(), markup=False)
        write_json(json_path, {"summary": result.summary(), "result": result.to_dict()})

    run(body)


@risk_app.command("radar")
def radar(
    leader: LeaderOpt,
    asset: AssetOpt,
    market_cap: Annotated[
        float | None, typer.Option("--market-cap", help="Market capitalisation (money).")
    ] = None,
    max_car: Annotated[float, typer.Option("--max-car", help="Alert when CAR <= this.")] = -0.05,
    max_p: Annotated[float, typer.Option("--max-p", help="... and its p-value <= this.")] = 0.05,
    max_q: Annotated[
        float | None,
        typer.Option("--max-q", help="... and its Benjamini-Hochberg q-value <= this."),
    ] = None,
    fdr: FdrOpt = 0.05,
    fdr_method: FdrMethodOpt = "bh",
    min_ratio: Annotated[
        float | None, typer.Option("--min-replies-per-like", help="Alert at this ratio.")
    ] = None,
    topics: Annotated[
        str, typer.Option("--topics", help="Comma-separated alert topics.")
    ] = "politics,controversy",
    max_sentiment: Annotated[
        float, typer.Option("--max-sentiment", help="Alert when sentiment <= this.")
    ] = -0.5,
    top: Annotated[int, typer.Option("--top", help="Rows shown per list.")] = 5,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Statements that destroyed the most value, the most controversial ones, and alerts."""

    def body() -> None:
        from leaderlens.risk.radar import AlertRules, negative_radar

        rules = AlertRules(
            max_car=max_car,
            max_car_p=max_p,
            max_car_q=max_q,
            min_replies_per_like=min_ratio,
            topics=tuple(t.strip() for t in topics.split(",") if t.strip()),
            max_sentiment=max_sentiment,
        )
        with _open(workspace) as ws:
            result = negative_radar(
                ws,
                leader,
                asset,
                market_cap=market_cap,
                rules=rules,
                fdr=fdr,
                fdr_method=fdr_method,
            )
        out.print(result.summary(top=top), markup=False)
        write_json(
            json_path,
            {
                "summary": result.summary(top=top),
                "rules": rules.to_dict(),
                "discoveries": result.discoveries.to_dict() if result.discoveries else None,
                "value": _rows(result.value),
                "controversy": _rows(result.controversy.head(max(top, 50))),
                "alerts": _rows(result.alerts),
            },
        )

    run(body)


@risk_app.command("dependence")
def dependence(
    brand: Annotated[str, typer.Option("--brand", help="Brand id.")],
    leader: Annotated[
        str | None, typer.Option("--leader", help="Leader id (default: the brand's only one).")
    ] = None,
    metric: Annotated[str, typer.Option("--metric", help="Attention series.")] = "mentions",
    min_silence: Annotated[
        int, typer.Option("--min-silence", help="Days without a statement that make a silence.")
    ] = 3,
    events: Annotated[
        Path | None,
        typer.Option("--events", help="Key-person events file: adds the key-person part."),
    ] = None,
    asset: Annotated[
        str | None, typer.Option("--asset", help="Asset the key-person events are studied on.")
    ] = None,
    car_scale: Annotated[
        float, typer.Option("--car-scale", help="Mean |CAR| that counts as full exposure.")
    ] = 0.10,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Key-person dependence: share of voice, attention in silences, one index with its parts."""

    def body() -> None:
        from leaderlens.risk.dependence import key_person_dependence

        with _open(workspace) as ws:
            result = key_person_dependence(
                ws,
                brand,
                leader=leader,
                metric=metric,
                min_silence=min_silence,
                events=events,
                asset=asset,
                car_scale=car_scale,
            )
        out.print(result.summary(), markup=False)
        write_json(json_path, {"summary": result.summary(), "result": result.to_dict()})

    run(body)


def _window(text: str, name: str) -> tuple[int, int]:
    from leaderlens.errors import BadInputError

    parts = text.split(",")
    try:
        first, last = (int(p) for p in parts)
    except ValueError:
        raise BadInputError(
            f"{name} must be two whole numbers like -1,5; got {text!r}", field=name
        ) from None
    return first, last


@risk_app.command("key-person")
def key_person(
    events: Annotated[
        Path,
        typer.Option("--events", help="Events file: time (with UTC offset), label[, asset]."),
    ],
    asset: Annotated[
        str | None, typer.Option("--asset", help="Asset id (unless the file has an asset column).")
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="Benchmark (default: the asset's).")
    ] = None,
    window: Annotated[str, typer.Option("--window", help="Event window, bars: first,last.")] = (
        "-1,5"
    ),
    estimation: Annotated[
        str, typer.Option("--estimation", help="Estimation window, bars: first,last.")
    ] = "-260,-11",
    model: Annotated[PlainModel, typer.Option("--model", help="Normal-return model.")] = "market",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Event study of key-person moments (health, leave, departure): each CAR with its t and
    p, the CAAR with the test battery."""

    def body() -> None:
        from leaderlens.risk.keyperson import key_person_study

        with _open(workspace) as ws:
            result = key_person_study(
                ws,
                events,
                asset=asset,
                benchmark=benchmark,
                window=_window(window, "window"),
                estimation=_window(estimation, "estimation"),
                model=model,
            )
        out.print(result.summary(), markup=False)
        write_json(json_path, {"summary": result.summary(), "result": result.to_dict()})

    run(body)


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


@risk_app.command("foundations")
def foundations(
    brand: Annotated[str, typer.Option("--brand", help="Brand id.")],
    product: Annotated[
        str | None, typer.Option("--product", help="Comma-separated product series (metrics).")
    ] = None,
    team: Annotated[
        str | None, typer.Option("--team", help="Comma-separated team series (metrics).")
    ] = None,
    innovation: Annotated[
        str | None,
        typer.Option("--innovation", help="Comma-separated innovation series (metrics)."),
    ] = None,
    leader: Annotated[
        str | None, typer.Option("--leader", help="Leader id (default: the brand's only one).")
    ] = None,
    min_silence: Annotated[
        int, typer.Option("--min-silence", help="Days without a statement that make a silence.")
    ] = 3,
    hold_ratio: Annotated[
        float, typer.Option("--hold-ratio", help="Silence ratio at which a pillar holds up.")
    ] = 0.9,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Foundations scorecard: product, team and innovation series beside the leader, with a
    plain-words verdict."""

    def body() -> None:
        from leaderlens.risk.foundations import foundations_scorecard

        with _open(workspace) as ws:
            result = foundations_scorecard(
                ws,
                brand,
                leader=leader,
                product=_names(product),
                team=_names(team),
                innovation=_names(innovation),
                min_silence=min_silence,
                hold_ratio=hold_ratio,
            )
        out.print(result.summary(), markup=False)
        write_json(json_path, {"summary": result.summary(), "result": result.to_dict()})

    run(body)
