"""``leaderlens study``: did these statements move the market, by how much, how sure are we."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leaderlens.cli.shared import JsonOpt, SparkMasterOpt, WorkspaceOpt, out, run, write_json
from leaderlens.errors import BadInputError

if TYPE_CHECKING:
    from leaderlens.study.study_result import EventStudyResult


def _pair(text: str, name: str) -> tuple[int, int]:
    parts = text.replace(" ", "").split(",")
    try:
        a, b = (int(p) for p in parts)
    except ValueError as exc:
        raise BadInputError(
            f"--{name} must be A,B (whole numbers); got {text!r}", field=name
        ) from exc
    return a, b


def study(
    asset: Annotated[
        str | None,
        typer.Option("--asset", help="Asset id (an events file's asset column wins)."),
    ] = None,
    leader: Annotated[
        str | None, typer.Option("--leader", help="Study this leader's statements.")
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option("--events", help="Named moments CSV: time (offset), label[, asset]."),
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option("--benchmark", help="Market asset (default: the asset's benchmark)."),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="constant-mean, market-adjusted, market or factor.")
    ] = "market",
    window: Annotated[str, typer.Option("--window", help="Event window A,B in bars.")] = "-1,1",
    estimation: Annotated[
        str, typer.Option("--estimation", help="Estimation window A,B in bars.")
    ] = "-250,-11",
    freq: Annotated[str, typer.Option("--freq", help="1d, 1h or 1m.")] = "1d",
    returns: Annotated[str, typer.Option("--returns", help="simple or log.")] = "simple",
    start: Annotated[
        str | None, typer.Option("--start", help="From this instant (ISO, offset).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Statements before this instant.")
    ] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="Only statements with this text.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only statements with this topic (annotate).")
    ] = None,
    min_sentiment: Annotated[
        float | None, typer.Option("--min-sentiment", help="Only sentiment >= this.")
    ] = None,
    max_sentiment: Annotated[
        float | None, typer.Option("--max-sentiment", help="Only sentiment <= this.")
    ] = None,
    factors: Annotated[
        Path | None,
        typer.Option("--factors", help="Factors file (Fama-French daily CSV)."),
    ] = None,
    min_estimation: Annotated[
        int | None,
        typer.Option("--min-estimation", help="Fewest estimation bars (default: half)."),
    ] = None,
    mask_overlaps: Annotated[
        bool,
        typer.Option("--mask-overlaps", help="Mask other events' windows in estimation."),
    ] = False,
    first_bar: Annotated[
        str, typer.Option("--first-bar", help="Intraday day 0: containing or 'next full' bar.")
    ] = "containing",
    cross_sessions: Annotated[
        str,
        typer.Option("--cross-sessions", help="Windows over a session boundary: exclude|keep."),
    ] = "exclude",
    by: Annotated[
        str | None,
        typer.Option("--by", help="Split by a statement attribute (channel...)."),
    ] = None,
    convention: Annotated[
        str,
        typer.Option("--convention", help="textbook (METHODS) or estudy2 conventions."),
    ] = "textbook",
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap draws for the CAAR interval.")
    ] = 1000,
    placebo: Annotated[int, typer.Option("--placebo", help="Placebo samples (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of bootstrap and placebo draws.")] = 0,
    tests: Annotated[
        str, typer.Option("--tests", help="all (the battery) or per-event (AR, CAR, t only).")
    ] = "all",
    activity: Annotated[
        bool,
        typer.Option("--activity", help="Also the activity regression (needs --leader)."),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the CAAR plot to this HTML file."),
    ] = None,
    bars: Annotated[
        Path | None,
        typer.Option(
            "--bars",
            help="Bars Parquet (asset, ts, close|ret): study --events Parquet on an engine.",
        ),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option("--engine", help="duckdb or spark: where a --bars study runs."),
    ] = None,
    spark_master: SparkMasterOpt = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Event study of a leader's statements or of named moments, with the full test battery."""

    def body() -> None:
        from leaderlens import Workspace

        if bars is not None or engine is not None:
            result = _engine_study()
            out.print(result.summary(), markup=False)
            if json_path is not None:
                write_json(json_path, result.to_dict())
            return

        with Workspace.open(workspace, read_only=True) as ws:
            regression = None
            if activity:
                if leader is None or asset is None:
                    raise BadInputError("--activity needs --leader and --asset", field="activity")
                from leaderlens.study.activity_study import activity_study

                regression = activity_study(
                    ws,
                    leader=leader,
                    asset=asset,
                    benchmark=benchmark,
                    start=start,
                    end=end,
                    returns=returns,
                )
            result = ws.event_study(
                asset=asset,
                leader=leader,
                events=events,
                benchmark=benchmark,
                model=model,
                window=_pair(window, "window"),
                estimation=_pair(estimation, "estimation"),
                freq=freq,
                returns=returns,
                start=start,
                end=end,
                channel=channel,
                query=query,
                topic=topic,
                min_sentiment=min_sentiment,
                max_sentiment=max_sentiment,
                factors=factors,
                min_estimation=min_estimation,
                mask_overlaps=mask_overlaps,
                first_bar=first_bar,
                cross_sessions=cross_sessions,
                by=by,
                convention=convention,
                n_bootstrap=bootstrap,
                n_placebo=placebo,
                seed=seed,
                tests=tests,
            )
        out.print(result.summary(), markup=False)
        if regression is not None:
            out.print(regression.summary(), markup=False)
        if json_path is not None:
            payload = result.to_dict()
            if regression is not None:
                payload["activity"] = regression.to_dict()
            write_json(json_path, payload)
        if plot is not None:
            result.plot().write_html(plot, include_plotlyjs=True, full_html=True)
            out.print(f"plot written to {plot}", markup=False)

    def _engine_study() -> EventStudyResult:
        if bars is None or events is None:
            raise BadInputError(
                "--engine studies Parquet: give --bars and --events files", field="bars"
            )
        from leaderlens.study.scale import parquet_event_study

        return parquet_event_study(
            bars,
            events,
            market=benchmark,
            model=model,
            window=_pair(window, "window"),
            estimation=_pair(estimation, "estimation"),
            returns=returns,
            min_estimation=min_estimation,
            tests=tests,
            n_bootstrap=bootstrap,
            seed=seed,
            engine=engine or "duckdb",
            master=spark_master,
        )

    run(body)
