"""Pictures of the attention results (plotly figures; offline HTML with ``write_html``).

One function per result; :func:`figure` picks it. Labels are escaped: category names and
leader names are user data.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from leaderlens.attention.amplification import AmplificationResult
from leaderlens.attention.api import BrandVoice
from leaderlens.attention.cascade import Cascade
from leaderlens.attention.leadlag import LeadLag
from leaderlens.attention.playbook import Playbook
from leaderlens.attention.spikes import Spikes
from leaderlens.errors import BadInputError

LAYOUT = {"template": "plotly_white"}


def figure(result: Any) -> Any:
    """The chart of an attention result (amplification, playbook, lead-lag, spikes, share of
    voice)."""
    draw = CHARTS.get(type(result))
    if draw is None:
        raise BadInputError(f"no chart for {type(result).__name__}", field="result")
    return draw(result)


def amplification_chart(result: AmplificationResult, level: float = 0.95) -> Any:
    """Cumulative lift per post, leader vs. brand posts, with confidence bars."""
    import plotly.graph_objects as go

    z = stats.norm.ppf(0.5 + level / 2)
    sides = [result.leader_lift, result.brand_lift]
    fig = go.Figure(
        go.Bar(
            x=[html.escape(result.leader), "brand posts"],
            y=[s.cumulative for s in sides],
            error_y={"type": "data", "array": [z * s.cumulative_se for s in sides]},
            text=[f"{s.n_posts} posts" for s in sides],
        )
    )
    fig.update_layout(
        title=html.escape(
            f"{result.brand}: amplification {result.factor:.2f} "
            f"({result.level:.0%} CI {result.ci_low:.2f}-{result.ci_high:.2f})"
        ),
        yaxis_title=f"cumulative lift per post (log points of {result.metric})",
        **LAYOUT,
    )
    return fig


def playbook_chart(book: Playbook) -> Any:
    """Lift per category with its interval, best first (and the market CAAR when present)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    frame = book.to_frame()
    names = [html.escape(str(v)) for v in frame[book.by]]
    columns = 2 if book.market is not None else 1
    fig = make_subplots(rows=1, cols=columns, shared_yaxes=True)
    fig.add_trace(
        go.Bar(
            y=names,
            x=frame["cumulative_lift"],
            orientation="h",
            name="attention lift",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": frame["ci_high"] - frame["cumulative_lift"],
                "arrayminus": frame["cumulative_lift"] - frame["ci_low"],
            },
        ),
        row=1,
        col=1,
    )
    if book.market is not None:
        fig.add_trace(
            go.Bar(
                y=names,
                x=frame["market_caar"],
                orientation="h",
                name=html.escape(f"{book.asset} CAAR"),
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": frame["market_ci_high"] - frame["market_caar"],
                    "arrayminus": frame["market_caar"] - frame["market_ci_low"],
                },
            ),
            row=1,
            col=2,
        )
    fig.update_layout(title=f"Playbook by {html.escape(book.by)} ({book.metric})", **LAYOUT)
    fig.update_yaxes(autorange="reversed")  # best first, at the top
    fig.update_xaxes(title_text="cumulative lift per post (log points)", row=1, col=1)
    return fig


def leadlag_chart(result: LeadLag) -> Any:
    """Orthogonalised response of attention to an activity shock, and the cross-correlation."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    x, y = (html.escape(n) for n in result.names)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(f"response of {y} to a {x} shock", "cross-correlation"),
    )
    steps = np.arange(result.orth_irf.shape[0])
    fig.add_trace(
        go.Scatter(
            x=steps, y=result.orth_irf[:, 1, 0], mode="lines+markers", name="impulse response"
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(x=result.xcorr["lag"], y=result.xcorr["correlation"], name="correlation"),
        row=1,
        col=2,
    )
    fig.update_layout(title=f"Lead-lag: VAR({result.lag_order}), {result.n_obs} buckets", **LAYOUT)
    return fig


def spikes_chart(result: Spikes) -> Any:
    """The spike statistic with its threshold; spikes marked."""
    import plotly.graph_objects as go

    steps = np.arange(result.z.size)
    fig = go.Figure(go.Scatter(x=steps, y=result.z, mode="lines", name="z (24 h vs 7 d)"))
    fig.add_hline(y=result.k, line={"dash": "dash"})
    flagged = np.flatnonzero(result.flags)
    fig.add_trace(go.Scatter(x=flagged, y=result.z[flagged], mode="markers", name="spike"))
    fig.update_layout(
        title=f"Spikes (k = {result.k}, {result.freq} buckets)", xaxis_title="bucket", **LAYOUT
    )
    return fig


def share_chart(result: BrandVoice) -> Any:
    """The leader's share of brand mentions per bucket, with the overall share."""
    import plotly.graph_objects as go

    share = result.share
    frame = share.per_bucket
    fig = go.Figure(go.Scatter(x=frame["ts"], y=frame["share"], mode="lines", name="share"))
    fig.add_hline(y=share.share, line={"dash": "dash"})
    fig.update_layout(
        title=f"Leader share of voice {share.share:.1%} ({share.level:.0%} CI "
        f"{share.ci_low:.1%}-{share.ci_high:.1%})",
        yaxis_tickformat=".0%",
        **LAYOUT,
    )
    return fig


CHARTS: dict[type, Callable[[Any], Any]] = {
    AmplificationResult: amplification_chart,
    Playbook: playbook_chart,
    LeadLag: leadlag_chart,
    Spikes: spikes_chart,
    BrandVoice: share_chart,
    Cascade: Cascade.plot,
}
