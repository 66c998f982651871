"""``leaderlens study``: did these statements move the market, by how much, how sure are we."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leaderlens.cli.shared import (
    FdrMethodOpt,
    FdrOpt,
    JsonOpt,
    LabelColumnOpt,
    SparkMasterOpt,
    TimeColumnOpt,
    TimeOfDayOpt,
    WorkspaceOpt,
    out,
    run,
    write_json,
)
from leaderlens.errors import BadInputError
from leaderlens.options import (
    Channel,
    Convention,
    CrossSessions,
    EngineName,
    FirstBar,
    Measure,
    Model,
    PriceFreq,
    Returns,
    Tests,
    VolatilityModel,
)

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
        typer.Option(
            "--events",
            help="Named moments file (CSV, JSONL, Parquet): time, label[, asset]. Times with an "
            "offset, or naive times and dates with --tz.",
        ),
    ] = None,
    time_column: TimeColumnOpt = None,
    label_column: LabelColumnOpt = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Zone of naive event times and dates, e.g. America/Los_Angeles."),
    ] = None,
    time_of_day: TimeOfDayOpt = "12:00",
    benchmark: Annotated[
        str | None,
        typer.Option("--benchmark", help="Market asset (default: the asset's benchmark)."),
    ] = None,
    model: Annotated[Model, typer.Option("--model", help="Normal-return model.")] = "market",
    window: Annotated[str, typer.Option("--window", help="Event window A,B in bars.")] = "-1,1",
    estimation: Annotated[
        str, typer.Option("--estimation", help="Estimation window A,B in bars.")
    ] = "-250,-11",
    freq: Annotated[PriceFreq, typer.Option("--freq", help="Bar frequency.")] = "1d",
    returns: Annotated[
        Returns, typer.Option("--returns", help="Simple or log returns.")
    ] = "simple",
    start: Annotated[
        str | None, typer.Option("--start", help="From this instant (ISO, offset).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Statements before this instant.")
    ] = None,
    channel: Annotated[Channel | None, typer.Option("--channel", help="Only this channel.")] = None,
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
        FirstBar,
        typer.Option(
            "--first-bar",
            help="Intraday day 0: the bar containing the statement or the next full one.",
        ),
    ] = "containing",
    cross_sessions: Annotated[
        CrossSessions,
        typer.Option("--cross-sessions", help="Windows over a session boundary."),
    ] = "exclude",
    by: Annotated[
        str | None,
        typer.Option("--by", help="Split by a statement attribute (channel...)."),
    ] = None,
    convention: Annotated[
        Convention,
        typer.Option(
            "--convention",
            help="textbook (docs/methods.md section 2) or estudy2 conventions.",
        ),
    ] = "textbook",
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap draws for the CAAR interval.")
    ] = 1000,
    placebo: Annotated[int, typer.Option("--placebo", help="Placebo samples (0: none).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of bootstrap and placebo draws.")] = 0,
    tests: Annotated[
        Tests, typer.Option("--tests", help="all (the battery) or per-event (AR, CAR, t only).")
    ] = "all",
    measure: Annotated[Measure, typer.Option("--measure", help="What to study.")] = "returns",
    volatility_model: Annotated[
        VolatilityModel,
        typer.Option(
            "--volatility-model", help="Volatility against: estimation (window variance) or garch."
        ),
    ] = "estimation",
    shares_outstanding: Annotated[
        float | None,
        typer.Option("--shares-outstanding", help="Volume as turnover of the asset (shares)."),
    ] = None,
    fdr: FdrOpt = 0.05,
    fdr_method: FdrMethodOpt = "bh",
    activity: Annotated[
        bool,
        typer.Option("--activity", help="Also the activity regression (needs --leader)."),
    ] = False,
    event_days: Annotated[
        bool,
        typer.Option(
            "--event-days",
            help="Also the event-day regression over the whole sample, split by --by "
            "(for leaders who post on most sessions; needs --leader).",
        ),
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
        EngineName | None, typer.Option("--engine", help="Where a --bars study runs.")
    ] = None,
    spark_master: SparkMasterOpt = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Event study of a leader's statements or of named moments, with the full test battery."""

    def body() -> None:
        from leaderlens import Workspace

        if bars is not None or engine is not None:
            if measure != "returns":
                raise BadInputError("--bars / --engine studies returns only", field="measure")
            result = _engine_study()
            out.print(result.summary(), markup=False)
            if json_path is not None:
                write_json(json_path, result.to_dict())
            return

        moments = None
        if events is not None:
            from leaderlens.readers.events import read_events

            moments = read_events(
                events,
                time_column=time_column,
                label_column=label_column,
                tz=tz,
                time_of_day=time_of_day,
            )
            read = f"{len(moments)} events from {events}: {moments.attrs['times']}"
            out.print(read, markup=False)
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
            joint = None
            if event_days:
                if leader is None or asset is None:
                    raise BadInputError(
                        "--event-days needs --leader and --asset", field="event_days"
                    )
                from leaderlens import event_day_study

                joint = event_day_study(
                    ws,
                    leader=leader,
                    asset=asset,
                    by=by,
                    window=_pair(window, "window"),
                    benchmark=benchmark,
                    start=start,
                    end=end,
                    returns=returns,
                )
            result = ws.event_study(
                asset=asset,
                leader=leader,
                events=moments,
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
                measure=measure,
                volatility_model=volatility_model,
                shares_outstanding=shares_outstanding,
                fdr=fdr,
                fdr_method=fdr_method,
            )
        out.print(result.summary(), markup=False)
        if regression is not None:
            out.print(regression.summary(), markup=False)
        if joint is not None:
            out.print(joint.summary(), markup=False)
        if json_path is not None:
            payload = result.to_dict()
            if regression is not None:
                payload["activity"] = regression.to_dict()
            if joint is not None:
                payload["event_days"] = joint.to_dict()
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
