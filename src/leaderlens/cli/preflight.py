"""``leaderlens preflight`` and ``leaderlens risk alerts ...``: thin shells over
:mod:`leaderlens.preflight`. Registered with ``app.command("preflight")(preflight)`` and
``risk_app.add_typer(alerts_app, name="alerts")``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leaderlens.cli.shared import JsonOpt, WorkspaceOpt, out, run, write_json

alerts_app = typer.Typer(
    help="Alert rules evaluated on statements as they are ingested.", no_args_is_help=True
)


def preflight(
    leader: Annotated[str, typer.Option("--leader", help="Leader id.")],
    text: Annotated[str, typer.Argument(help="The draft statement.", show_default=False)],
    asset: Annotated[
        str | None,
        typer.Option(
            "--asset",
            help="Asset whose CARs the past statements carry (default: the company's stock).",
        ),
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Compare only with this channel's posts.")
    ] = None,
    k: Annotated[int, typer.Option("--k", help="Similar past statements used.")] = 25,
    metric: Annotated[
        str | None,
        typer.Option("--metric", help="Brand attention series for lifts (default: mentions)."),
    ] = None,
    backtest: Annotated[
        bool,
        typer.Option(
            "--backtest",
            help="Also measure, on the leader's past, whether this beats a naive "
            "baseline (kept for later checks).",
        ),
    ] = False,
    top: Annotated[int, typer.Option("--top", help="Similar statements shown.")] = 5,
    reach: Annotated[
        bool,
        typer.Option(
            "--reach", help="Also predict likes, reposts and replies, beside the baseline."
        ),
    ] = False,
    reply: Annotated[bool, typer.Option("--reply", help="The draft is a reply.")] = False,
    brand: Annotated[
        str | None,
        typer.Option("--brand", help="With --reach: the attention lift on this brand (cascade)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Before a post goes out: language, sentiment, topics, similar past statements with their
    CARs and lifts, a predicted range and risk flags."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.preflight.check import preflight as check
        from leaderlens.preflight.reach import preflight_reach

        with Workspace.open(workspace, read_only=not backtest, create=False) as ws:
            result = check(
                ws, leader, text, asset=asset or _company_stock(ws, leader), k=k,
                channel=channel, metric=metric,
                backtest=backtest,
            )  # fmt: skip
            reached = (
                preflight_reach(
                    ws, leader, text, is_reply=reply, brand=brand, channel=channel or "x"
                )
                if reach
                else None
            )
        out.print(result.summary(top=top), markup=False)
        payload = result.to_dict()
        if reached is not None:
            out.print(reached.summary(), markup=False)
            payload["reach"] = reached.to_dict()
        write_json(json_path, payload)

    run(body)


@alerts_app.command("set")
def alerts_set(
    rules: Annotated[Path, typer.Option("--rules", help="TOML rules file (see docs).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Store a rule set (a rule set of the same name is replaced)."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.preflight.alerts import set_alert_rules

        with Workspace.open(workspace) as ws:
            stored = set_alert_rules(ws, rules)
        on = {k: v for k, v in stored.rules.to_dict().items() if v not in (None, [])}
        who = ", ".join(stored.leaders) or "every leader"
        out.print(f"alert rules {stored.name!r} saved for {who}: {on}", markup=False)

    run(body)


@alerts_app.command("rules")
def alerts_rules(workspace: WorkspaceOpt = None, json_path: JsonOpt = None) -> None:
    """Show the stored rule sets."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.preflight.alerts import alert_rules

        with Workspace.open(workspace, read_only=True) as ws:
            sets = alert_rules(ws)
        if not sets:
            out.print("no alert rules set (leaderlens risk alerts set --rules FILE)")
        for s in sets:
            on = {k: v for k, v in s.rules.to_dict().items() if v not in (None, [])}
            out.print(f"{s.name} ({', '.join(s.leaders) or 'every leader'}): {on}", markup=False)
        write_json(json_path, [s.to_dict() for s in sets])

    run(body)


@alerts_app.command("remove")
def alerts_remove(
    name: Annotated[str, typer.Argument(help="Rule set name.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Delete a stored rule set (alerts it fired are kept)."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.errors import MissingDataError
        from leaderlens.preflight.alerts import remove_alert_rules

        with Workspace.open(workspace, create=False) as ws:
            if not remove_alert_rules(ws, name):
                raise MissingDataError(f"no alert rule set named {name!r}", field="name")
        out.print(f"alert rules {name!r} removed", markup=False)

    run(body)


@alerts_app.command("list")
def alerts_list(
    leader: Annotated[str | None, typer.Option("--leader", help="Only this leader.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Alerts shown (newest first).")] = 20,
    workspace: WorkspaceOpt = None,
    json_path: JsonOpt = None,
) -> None:
    """Alerts fired on ingested statements, newest first."""

    def body() -> None:
        from leaderlens import Workspace
        from leaderlens.preflight.alerts import alerts_records, list_alerts

        with Workspace.open(workspace, read_only=True) as ws:
            frame = list_alerts(ws, leader)
        out.print(f"{len(frame):,} alerts", markup=False)
        for row in frame.head(limit).itertuples():
            text = " ".join(str(row.text).split())[:70]
            out.print(
                f"  [{row.rule_set}] {row.leader_id} {row.statement_id} {row.ts}: "
                f"{'; '.join(row.reasons)} | {text}",
                markup=False,
            )
        write_json(json_path, alerts_records(frame))

    run(body)


def print_fired(fired: Any) -> None:
    """Print the alerts a load fired (nothing when no rules are set)."""
    if fired.rule_sets:
        out.print(fired.summary(), markup=False)


def _company_stock(ws: Any, leader: str) -> str | None:
    """The leader's company stock when the workspace can tell (as the report picks it), else
    None: the check then runs without CARs and says so."""
    from leaderlens.errors import LeaderlensError

    try:
        return str(ws.default_asset(leader))
    except LeaderlensError:
        return None
