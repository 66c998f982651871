"""``leaderlens risk ...``: negative effects from the command line (thin shells over
:mod:`leaderlens.risk`). Registered with ``app.add_typer(risk_app, name="risk")``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from leaderlens.cli.shared import JsonOpt, WorkspaceOpt, out, run, write_json

risk_app = typer.Typer(
    help="Negative effects: value-destroying statements, leader-driven volatility, key-person "
    "dependence.",
    no_args_is_help=True,
)

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
            min_replies_per_like=min_ratio,
            topics=tuple(t.strip() for t in topics.split(",") if t.strip()),
            max_sentiment=max_sentiment,
        )
        with _open(workspace) as ws:
            result = negative_radar(ws, leader, asset, market_cap=market_cap, rules=rules)
        out.print(result.summary(top=top), markup=False)
        write_json(
            json_path,
            {
                "summary": result.summary(top=top),
                "rules": rules.to_dict(),
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
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Key-person dependence: share of voice, attention in silences, one index with its parts."""

    def body() -> None:
        from leaderlens.risk.dependence import key_person_dependence

        with _open(workspace) as ws:
            result = key_person_dependence(
                ws, brand, leader=leader, metric=metric, min_silence=min_silence
            )
        out.print(result.summary(), markup=False)
        write_json(json_path, {"summary": result.summary(), "result": result.to_dict()})

    run(body)
