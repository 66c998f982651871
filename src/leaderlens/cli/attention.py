"""``leaderlens attention ...``: brand attention from the command line (thin shells over
:mod:`leaderlens.attention.api`). Registered with
``app.add_typer(attention_app, name="attention")``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leaderlens.cli.shared import JsonOpt, SparkMasterOpt, WorkspaceOpt, out, run, write_json
from leaderlens.errors import BadInputError
from leaderlens.options import (
    AttentionFreq,
    BucketFreq,
    CascadeSplit,
    EngineName,
    PlaybookBy,
    Seasonal,
    Source,
)

attention_app = typer.Typer(
    help=(
        "Brand attention: lift, amplification, share of voice, spikes, lead-lag, playbook, cascade."
    ),
    no_args_is_help=True,
)

BrandOpt = Annotated[str, typer.Option("--brand", help="Brand id.")]
LeaderOpt = Annotated[
    str | None, typer.Option("--leader", help="Leader id (default: the brand's only leader).")
]
MetricOpt = Annotated[
    str, typer.Option("--metric", help="Attention series (mentions, search_interest, ...).")
]
HorizonOpt = Annotated[
    int | None,
    typer.Option(
        "--horizon",
        help="Last bucket of the lift window, in buckets of the series (default by its grain: "
        "7 days or hours, 2 weeks, 1 month).",
    ),
]


PlotOpt = Annotated[
    Path | None, typer.Option("--plot", help="Also write the chart to this HTML file.")
]


def _emit(
    result: Any, json_path: Any, extra: dict[str, Any] | None = None, plot: Any = None
) -> None:
    out.print(result.summary(), markup=False)
    if plot is not None:
        from leaderlens.attention.charts import figure

        figure(result).write_html(plot, include_plotlyjs=True, full_html=True)
        out.print(f"chart written to {plot}", markup=False)
    frame = result.to_frame()
    payload: dict[str, Any] = {
        "summary": result.summary(),
        "rows": frame.astype(object).where(frame.notna(), None).to_dict("records"),
    }
    write_json(json_path, payload | (extra or {}))


def _open(workspace: Any) -> Any:
    from leaderlens import Workspace

    return Workspace.open(workspace, read_only=True)


@attention_app.command("lift")
def lift(
    brand: Annotated[str | None, typer.Option("--brand", help="Brand id (workspace mode).")] = None,
    leader: LeaderOpt = None,
    metric: MetricOpt = "mentions",
    source: Annotated[
        Source, typer.Option("--source", help="statements (the leader's) or brand_posts.")
    ] = "statements",
    horizon: HorizonOpt = None,
    seasonal: Annotated[
        Seasonal | None,
        typer.Option(
            "--seasonal",
            help="none or weekly (day-of-week baseline; default weekly on daily and hourly "
            "series, none on weekly and monthly ones).",
        ),
    ] = None,
    series: Annotated[
        str | None,
        typer.Option(
            "--series",
            help="Attention Parquet file/folder or Spark table (series, ts, value): engine mode.",
        ),
    ] = None,
    events: Annotated[
        str | None,
        typer.Option("--events", help="Posts Parquet or Spark table (series, time[, id])."),
    ] = None,
    freq: Annotated[AttentionFreq, typer.Option("--freq", help="Engine mode bucket.")] = "1d",
    engine: Annotated[
        EngineName | None, typer.Option("--engine", help="Engine mode (default: duckdb).")
    ] = None,
    spark_master: SparkMasterOpt = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Abnormal attention event by event around posts (for posts sparse enough): of a brand in
    the workspace (--brand), or of attention series and posts in Parquet or Spark tables on an
    engine (--series, --events)."""

    def body() -> None:
        from leaderlens.attention.api import attention_lift

        engine_options = (series, events, engine, spark_master)
        if any(v is not None for v in engine_options) or freq != "1d":
            on_engine()
            return
        if brand is None:
            raise BadInputError(
                "give --brand (workspace mode) or --series and --events (engine mode)",
                field="brand",
            )
        with _open(workspace) as ws:
            result = attention_lift(
                ws,
                brand,
                metric=metric,
                source=source,
                leader=leader,
                window=None if horizon is None else (0, horizon),
                seasonal=seasonal,
            )
        _emit(result, json_path, {"mean": result.mean})

    def on_engine() -> None:
        from leaderlens.attention.engine_lifts import lifts_on
        from leaderlens.jsonsafe import plain

        workspace_options = {
            "--brand": brand is not None,
            "--leader": leader is not None,
            "--workspace": workspace is not None,
            "--metric": metric != "mentions",
            "--source": source != "statements",
        }
        mixed = [name for name, given in workspace_options.items() if given]
        if mixed:
            raise BadInputError(
                f"workspace-mode options ({', '.join(mixed)}) cannot be mixed with the engine "
                "mode (--series, --events, --engine, --spark-master, --freq)",
                field=mixed[0].lstrip("-"),
            )
        if series is None or events is None:
            raise BadInputError("the engine mode needs both --series and --events", field="series")
        result = lifts_on(
            series,
            events,
            freq=freq,
            window=(0, 7 if horizon is None else horizon),
            seasonal=seasonal or "weekly",
            engine=engine or "duckdb",
            master=spark_master,
        )
        mean = result.mean_test()
        _emit(result, json_path, {"mean": {str(k): plain(v.to_dict()) for k, v in mean.iterrows()}})

    run(body)


@attention_app.command("amplification")
def amplification(
    brand: BrandOpt,
    leader: LeaderOpt = None,
    metric: MetricOpt = "mentions",
    horizon: HorizonOpt = None,
    n_boot: Annotated[int, typer.Option("--boot", help="Bootstrap draws.")] = 499,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: PlotOpt = None,
) -> None:
    """How many times the attention of the brand's own posts a leader statement adds."""

    def body() -> None:
        from leaderlens.attention.api import amplification as compute

        with _open(workspace) as ws:
            result = compute(
                ws, brand, leader=leader, metric=metric, horizon=horizon, n_boot=n_boot
            )
        _emit(result, json_path, {"reading": result.reading()}, plot=plot)

    run(body)


@attention_app.command("share-of-voice")
def share_of_voice(
    brand: BrandOpt,
    leader: LeaderOpt = None,
    freq: Annotated[BucketFreq, typer.Option("--freq", help="Bucket size.")] = "1d",
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Share of the brand's mentions naming the leader (plain and engagement-weighted)."""

    def body() -> None:
        from leaderlens.attention.api import brand_share_of_voice

        with _open(workspace) as ws:
            result = brand_share_of_voice(ws, brand, leader=leader, freq=freq)
        s = result.share
        _emit(
            result,
            json_path,
            {"share": s.share, "ci": [s.ci_low, s.ci_high], "weighted_share": s.weighted_share},
            plot=plot,
        )

    run(body)


@attention_app.command("mentions")
def mentions(
    source: Annotated[
        str,
        typer.Option("--mentions", help="Mentions Parquet file/folder (ts, text[, engagement])."),
    ],
    term: Annotated[
        list[str], typer.Option("--term", help="Leader query term (repeat for several).")
    ],
    freq: Annotated[BucketFreq, typer.Option("--freq", help="Bucket size.")] = "1h",
    engine: Annotated[EngineName, typer.Option("--engine", help="Where it runs.")] = "duckdb",
    spark_master: SparkMasterOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Mentions per bucket and the leader's share of voice, computed on an engine where the
    mentions lie (Parquet, or a Spark table name)."""

    def body() -> None:
        from leaderlens.attention.share import share_of_voice_on

        result = share_of_voice_on(source, term, freq=freq, engine=engine, master=spark_master)
        _emit(
            result,
            json_path,
            {
                "share": result.share,
                "ci": [result.ci_low, result.ci_high],
                "weighted_share": result.weighted_share,
            },
        )

    run(body)


@attention_app.command("spikes")
def spikes(
    brand: BrandOpt,
    leader: LeaderOpt = None,
    metric: MetricOpt = "mentions",
    k: Annotated[
        float, typer.Option("--k", help="Standard deviations above the 7-day mean.")
    ] = 2.0,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Spikes (24 h vs 7 d rule), change-point confirmation and the post behind each."""

    def body() -> None:
        from leaderlens.attention.api import brand_spikes

        with _open(workspace) as ws:
            result = brand_spikes(ws, brand, metric=metric, k=k, leader=leader)
        _emit(result, json_path, plot=plot)

    run(body)


@attention_app.command("leadlag")
def leadlag(
    brand: BrandOpt,
    leader: LeaderOpt = None,
    metric: MetricOpt = "mentions",
    maxlags: Annotated[int, typer.Option("--maxlags", help="Largest VAR lag tried.")] = 14,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Cross-correlation, Granger tests both ways and VAR impulse responses."""

    def body() -> None:
        from leaderlens.attention.api import brand_lead_lag

        with _open(workspace) as ws:
            result = brand_lead_lag(ws, brand, leader=leader, metric=metric, maxlags=maxlags)
        _emit(
            result,
            json_path,
            {
                "lag_order": result.lag_order,
                "granger_leader_to_brand": list(result.x_causes_y),
                "granger_brand_to_leader": list(result.y_causes_x),
            },
            plot=plot,
        )

    run(body)


@attention_app.command("playbook")
def playbook(
    brand: BrandOpt,
    leader: LeaderOpt = None,
    by: Annotated[PlaybookBy, typer.Option("--by", help="Category of statement.")] = "channel",
    metric: MetricOpt = "mentions",
    horizon: HorizonOpt = None,
    asset: Annotated[
        str | None, typer.Option("--asset", help="Also the market CAAR per category.")
    ] = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Lift (and with --asset the market CAAR) per channel, topic or sentiment band, ranked."""

    def body() -> None:
        from leaderlens.attention.api import playbook as compute

        with _open(workspace) as ws:
            result = compute(
                ws, brand, by=by, leader=leader, metric=metric, horizon=horizon, asset=asset
            )
        _emit(result, json_path, plot=plot)

    run(body)


@attention_app.command("cascade")
def cascade(
    brand: BrandOpt,
    leader: LeaderOpt = None,
    metric: MetricOpt = "mentions",
    by: Annotated[
        CascadeSplit, typer.Option("--by", help="How posts split into marks.")
    ] = "channel",
    trend_days: Annotated[
        float, typer.Option("--trend-days", help="Spacing of the baseline's trend knots.")
    ] = 28.0,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Self-exciting (Hawkes) decomposition of the brand's attention: baseline, triggered by
    the leader's and the brand's posts, and cascade; branching ratio and multiplier."""

    def body() -> None:
        from leaderlens.attention.cascade import cascade as compute

        with _open(workspace) as ws:
            result = compute(ws, brand, leader=leader, metric=metric, by=by, trend_days=trend_days)
        _emit(result, json_path, {"cascade": result.to_dict()}, plot=plot)

    run(body)
