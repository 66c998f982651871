"""Dashboard pages: the leaders, an overview per leader (with the pre-flight box), an event
drill-down, the comparison, the pre-flight result.

Pages are HTML built with :mod:`leaderlens.report.html_parts` (escaped by default) and plotly
served by this application (``/static/plotly.min.js``): nothing is fetched from elsewhere.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

import pandas as pd
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

import leaderlens as ll
from leaderlens.errors import LeaderlensError
from leaderlens.report.content import StudyOptions
from leaderlens.report.figures import (
    comparison_figure,
    event_window_figure,
    figure_div,
    timeline_figure,
)
from leaderlens.report.html_parts import cards, definitions, esc, note, num, page, pct, table
from leaderlens.report.moments import impact_block, moment_impact
from leaderlens.report.page import EVENT_COLUMNS, plotly_js
from leaderlens.web.access import StudyView, WorkspaceAccess, workspace_access
from leaderlens.web.api import AssetQ, LeaderId, Options, event_detail, leader_row
from leaderlens.web.api_compare import CompareOptions, comparison
from leaderlens.web.api_preflight import Draft, preflight_json
from leaderlens.web.preflight_page import (
    neighbours_figure,
    parse_form,
    preflight_form,
    preflight_result,
)

PLOTLY_TAG = '<script src="/static/plotly.min.js"></script>'


def _nav(access: WorkspaceAccess, extra: str = "") -> str:
    """Links, and when the workspace last changed (pages are cached per workspace state)."""
    as_of = access.data_as_of().strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f'<p><a href="/">leaders</a> · <a href="/compare">compare</a>{extra}'
        f' <span class="note" id="data-as-of">· data as of {esc(as_of)}</span></p>'
    )


def _leader_url(leader: str, suffix: str = "", asset: str | None = None) -> str:
    query = f"?{urlencode({'asset': asset})}" if asset else ""
    return f"/leaders/{quote(leader, safe='')}{suffix}{query}"


def build_pages() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/static/plotly.min.js")
    def plotly() -> Response:
        return Response(
            plotly_js(),
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> str:
        access = workspace_access(request)
        return access.cached(("page", "/"), lambda: _home(access))

    @router.get("/leaders/{leader}", response_class=HTMLResponse)
    def overview(
        request: Request, leader: LeaderId, options: Options, asset: AssetQ = None
    ) -> HTMLResponse:
        access = workspace_access(request)
        row = leader_row(access, leader)
        if asset is None and row["default_asset"] is None:
            return HTMLResponse(
                _asset_choice(access, row), status_code=409 if row["assets"] else 404
            )
        key = ("page", "overview", leader, asset, options)
        return HTMLResponse(access.cached(key, lambda: _overview(access, leader, asset, options)))

    @router.get("/leaders/{leader}/events/{index}", response_class=HTMLResponse)
    def drill_down(
        request: Request,
        leader: LeaderId,
        index: Annotated[int, Path(ge=0)],
        options: Options,
        asset: AssetQ = None,
    ) -> str:
        access = workspace_access(request)
        view = access.view(leader, asset, options)
        return access.cached(
            ("page", "event", leader, asset, options, index),
            lambda: _drill_down(access, view, index, asset),
        )

    @router.get("/leaders/{leader}/preflight", response_class=HTMLResponse)
    def preflight_page(request: Request, leader: LeaderId, asset: AssetQ = None) -> str:
        return _preflight(workspace_access(request), leader, asset, None)

    @router.post("/leaders/{leader}/preflight", response_class=HTMLResponse)
    async def preflight_check(
        request: Request, leader: LeaderId, asset: AssetQ = None
    ) -> HTMLResponse:
        form = parse_form(await request.body())
        access = workspace_access(request)
        # The check reads the workspace and scores the draft: off the event loop.
        html, status = await run_in_threadpool(_preflight_answer, access, leader, asset, form)
        return HTMLResponse(html, status_code=status)

    @router.get("/compare", response_class=HTMLResponse)
    def compare(request: Request, options: Options) -> str:
        access = workspace_access(request)
        return access.cached(("page", "compare", options), lambda: _compare(access, options))

    return router


def _home(access: WorkspaceAccess) -> str:
    with access.open() as ws:
        leaders = ws.summary().leaders
    shown = leaders[["leader_id", "name", "company", "statements", "channels"]]
    links = shown["leader_id"].map(_leader_url)
    body = (
        "<h1>leaderlens dashboard</h1>"
        + _nav(access)
        + table(shown, "leaders-table", links=links, link_column="leader_id")
    )
    return page("leaderlens dashboard", body)


def _asset_links(row: dict[str, Any], current: str | None) -> str:
    """Links to the leader's overview on each asset tied to it (the asset picker)."""
    links = [
        f"<b>{esc(a)}</b>"
        if a == current
        else f'<a href="{esc(_leader_url(row["leader_id"], "", a))}">{esc(a)}</a>'
        for a in row["assets"]
    ]
    return f'<p id="asset-picker">Asset: {" · ".join(links)}</p>' if len(links) > 1 else ""


def _asset_choice(access: WorkspaceAccess, row: dict[str, Any]) -> str:
    """The page for a leader whose asset cannot be told: the picker, or what to run."""
    name = row["name"] or row["leader_id"]
    if row["assets"]:
        body = note(f"Several assets are tied to {name}: choose one.") + _asset_links(row, None)
    else:
        leader, company = row["leader_id"], row["company"] or "COMPANY"
        body = (
            note(f"No stock or coin is tied to {name} yet, so there is nothing to study.")
            + "<p>Tie the company's stock in the workspace, then reload this page:</p>"
            + f"<pre>leaderlens add leader {esc(leader)} --stock TICKER</pre>"
            + "<p>or, for an asset already loaded,</p>"
            + f"<pre>leaderlens add asset TICKER --company {esc(repr(str(company)))}</pre>"
        )
    return page(f"{name}: choose an asset", f"<h1>{esc(name)}</h1>" + _nav(access) + body)


def _overview(
    access: WorkspaceAccess, leader: str, asset: str | None, options: StudyOptions
) -> str:
    view = access.view(leader, asset, options)
    with access.open() as ws:
        try:
            persona_html = table(
                ll.persona(ws, leader).features.T.reset_index(names="feature"),
                "persona-table",
                formats={"all": num},
            )
        except ll.LeaderlensError as exc:
            persona_html = note(f"persona not available: {exc.message}")
    result, frame = view.result, view.events
    shown = frame.reindex(columns=[c for c in EVENT_COLUMNS if c in frame.columns])
    shown = shown.assign(time=pd.to_datetime(shown["time"], utc=True).dt.strftime("%Y-%m-%d"))
    links = pd.Series(
        [_leader_url(leader, f"/events/{i}", asset) for i in range(len(frame))],
        index=shown.index,
    )
    battery = result.battery
    headline = {
        "statements": f"{len(view.statements):,}",
        "events studied": f"{result.n_studied:,} of {len(frame):,}",
        f"CAAR {list(options.window)}": pct(battery.caar) if battery is not None else "n/a",
    }
    timeline = timeline_figure(view.statements, view.prices, view.asset, leader)
    body = "\n".join(
        [
            f"<h1>{esc(view.leader['name'])} on {esc(view.asset)}</h1>",
            _nav(access),
            _asset_links(leader_row(access, leader), view.asset),
            cards(headline),
            figure_div(result.plot(), "plot-caar"),
            figure_div(timeline, "plot-timeline"),
            "<h2>Events (click one for its drill-down)</h2>",
            table(
                shown,
                "events-table",
                formats={"car": pct, "car_t": lambda v: num(v, 2), "car_p": num},
                links=links,
                link_column="label",
            ),
            "<h2>Test battery</h2>",
            table(result.tests_frame(), "tests-table", formats={"statistic": num}),
            "<h2>Persona</h2>",
            persona_html,
            '<section id="preflight"><h2>Pre-flight check of a draft</h2>',
            preflight_form(leader, asset, _channels(view.statements)),
            "</section>",
        ]
    )
    return page(f"{view.leader['name']}: overview", body, PLOTLY_TAG)


def _channels(statements: pd.DataFrame) -> list[str]:
    """The channels a leader has spoken on (the pre-flight box's choices)."""
    return sorted(str(c) for c in statements["channel"].dropna().unique())


def _preflight_answer(
    access: WorkspaceAccess, leader: str, asset: str | None, form: dict[str, str]
) -> tuple[str, int]:
    """The pre-flight page for a posted form: the result, or the form with why the draft
    could not be checked (422)."""
    text, channel = form.get("text", ""), form.get("channel", "")
    try:
        draft = Draft(text=text, asset=asset, channel=channel or None)
    except ValidationError as exc:
        problem = "; ".join(str(e["msg"]) for e in exc.errors())
        return _preflight(access, leader, asset, None, text, channel, problem), 422
    try:
        answer = preflight_json(access, leader, draft)
    except ll.BadInputError as exc:
        return _preflight(access, leader, asset, None, text, channel, exc.message), 422
    return _preflight(access, leader, asset, answer, text, channel), 200


def _preflight(
    access: WorkspaceAccess,
    leader: str,
    asset: str | None,
    answer: dict[str, Any] | None,
    text: str = "",
    channel: str = "",
    problem: str | None = None,
) -> str:
    row = access.require_leader(leader)
    channels = access.computed(("channels", leader), lambda ws: _channels(ws.statements(leader)))
    parts = [
        f"<h1>Pre-flight check for {esc(row['name'])}</h1>",
        _nav(access, f' · <a href="{esc(_leader_url(leader, "", asset))}">overview</a>'),
        preflight_form(leader, asset, channels, text, channel),
    ]
    if problem is not None:
        parts.append(f'<p class="note" id="preflight-problem">{esc(problem)}</p>')
    head = ""
    if answer is not None:
        parts.append(preflight_result(answer))
        fig = neighbours_figure(answer)
        if fig is not None:
            parts.append(figure_div(fig, "plot-preflight"))
            head = PLOTLY_TAG
    return page(f"pre-flight check for {leader}", "\n".join(parts), head)


def _drill_down(access: WorkspaceAccess, view: StudyView, index: int, asset: str | None) -> str:
    d = event_detail(view, index)
    leader = d["leader"]
    texts = "".join(
        f'<p>{esc(s["ts"])} · {esc(s["channel"])}</p><pre class="text">{esc(s["text"])}</pre>'
        for s in d["statements"]
    )
    path = pd.DataFrame(d["path"])
    fig = event_window_figure(
        d["prices"], pd.Timestamp(d["day0"], tz="UTC"), tuple(d["window"]), d["asset"]
    )
    facts = {
        "asset": d["asset"],
        "statement time (UTC)": d["time"],
        "day 0": d["day0"],
        "aligned": d["aligned"],
        "channel": d["channel"],
        "CAR": pct(d["car"]),
        "CAR t": num(d["car_t"], 2),
        "CAR p": num(d["car_p"]),
        "excluded": d["excluded"] or "",
    }
    body = "\n".join(
        [
            f"<h1>Event {index} of {esc(leader)}</h1>",
            _nav(access, f' · <a href="{esc(_leader_url(leader, "", asset))}">overview</a>'),
            '<section id="statement-text"><h2>Statement</h2>',
            texts,
            "</section>",
            definitions(facts, "event-facts"),
            figure_div(fig, "plot-event-prices"),
            _attention_block(d["attention"], d["day0"]),
            "<h2>Abnormal returns</h2>",
            table(
                path,
                "ar-table",
                formats={"return": pct, "ar": pct, "car": pct, "ar_t": lambda v: num(v, 2)},
                sortable=False,
            ),
            _counterfactual(access, d),
        ]
    )
    return page(f"event {index} of {leader}", body, PLOTLY_TAG)


def _counterfactual(access: WorkspaceAccess, d: dict[str, Any]) -> str:
    """What the asset would have done without this moment (``leaderlens.impact`` against the
    asset's benchmark, from day 0 to the window's end), or why it is not shown."""
    end = int(d["window"][1])

    def compute(ws: ll.Workspace) -> str:
        assets = ws.assets().set_index("asset_id")
        benchmark = assets["benchmark_id"].get(d["asset"])
        if not isinstance(benchmark, str):
            return note(f"Not computed: {d['asset']} has no benchmark to build it from.")
        if end < 0:
            return note("Not computed: the event window ends before day 0.")
        try:
            return impact_block(moment_impact(ws, d["asset"], benchmark, d["time"], end + 1))
        except LeaderlensError as exc:
            return note(f"Not computed: {exc.message}")

    shown = access.computed(("counterfactual", d["asset"], d["time"], end), compute)
    return (
        '<section id="counterfactual"><h2>Counterfactual: without this moment</h2>'
        f"{shown}</section>"
    )


def _attention_block(attention: dict[str, Any] | None, day0: str | None) -> str:
    """The brand's attention around the event, or why it is not shown."""
    if attention is None or not attention["points"]:
        return '<p class="note">Attention: no attention series of the leader\'s brand here.</p>'
    points = pd.DataFrame(attention["points"])
    x = pd.to_datetime(points["ts"], utc=True).dt.strftime("%Y-%m-%d").tolist()
    marker = (
        []
        if day0 is None
        else [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": day0[:10],
                "x1": day0[:10],
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dot", "color": "orange"},
            }
        ]
    )
    spec = {
        "data": [
            {
                "type": "scatter",
                "x": x,
                "y": points["value"].astype(float).tolist(),
                "mode": "lines+markers",
                "name": esc(attention["label"]),
            }
        ],
        "layout": {
            "title": {"text": esc(f"{attention['label']} around the event (day 0 dotted)")},
            "shapes": marker,
            "height": 300,
        },
    }
    return figure_div(spec, "plot-event-attention")


def _compare(access: WorkspaceAccess, options: StudyOptions) -> str:
    rows: list[dict[str, Any]] = []
    paths = {}
    for leader in access.leaders()["leader_id"]:
        try:
            view = access.view(leader, None, options)
        except ll.LeaderlensError as exc:
            rows.append({"leader": leader, "asset": "", "n": 0, "caar": None, "note": exc.message})
            continue
        b = view.result.battery
        rows.append(
            {
                "leader": leader,
                "asset": view.asset,
                "n": view.result.n_studied,
                "caar": b.caar if b is not None else None,
                "note": "",
            }
        )
        paths[leader] = view.result.caar_band()
    body = (
        "<h1>Leaders compared</h1>"
        + _nav(access)
        + _side_by_side(access)
        + f"<h2>Market impact: CAAR over {esc(list(options.window))} "
        f"({esc(options.model)} model)</h2>"
        + table(pd.DataFrame(rows), "comparison-table", formats={"caar": pct})
        + figure_div(comparison_figure(paths, options.returns), "plot-comparison")
    )
    return page("leaders compared", body, PLOTLY_TAG)


def _side_by_side(access: WorkspaceAccess) -> str:
    """Every measure per leader (:func:`leaderlens.risk.compare.compare_leaders` with its
    defaults) as a table and a scaled heat table, or why it is not shown."""
    try:
        result = comparison(access, CompareOptions())
    except ll.LeaderlensError as exc:
        return note(f"side-by-side comparison not available: {exc.message}")
    d = result.to_dict()
    frame = result.to_frame().set_index("leader")
    names = [m["name"] for m in d["metrics"]]
    shown = frame[names].T.reset_index(names="measure")
    shown.insert(1, "meaning", [m["meaning"] for m in d["metrics"]])
    leaders = [str(x) for x in frame.index]
    where = frame[["brand", "asset"]].reset_index()
    reasons = [
        note(f"missing for {leader}: {why}")
        for leader, why in zip(leaders, frame["reasons"], strict=True)
        if why
    ]
    return "\n".join(
        [
            "<h2>Side by side</h2>",
            note(result.summary().splitlines()[0]),
            table(where, "comparison-subjects"),
            table(
                shown,
                "leader-comparison-table",
                formats={leader: lambda v: num(v, 4) for leader in leaders},
            ),
            figure_div(result.figure(), "plot-leader-comparison"),
            *reasons,
        ]
    )
