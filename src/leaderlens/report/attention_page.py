"""The report's attention section: per brand of the leader, the amplification factor with its
reading, the playbook by channel, share of voice, lead-lag and the cascade decomposition, each
with its chart
(:func:`leaderlens.attention.charts.figure`), or a note saying why a part is missing."""

from __future__ import annotations

from typing import Any

from leaderlens.report.attention import BrandAttention, granger_table
from leaderlens.report.figures import figure_div
from leaderlens.report.html_parts import cards, esc, note, num, pct, table


def attention_section(brands: tuple[BrandAttention, ...], notes: dict[str, str]) -> str:
    """The whole ``<section id="attention">`` (a note alone when the leader has no brand)."""
    parts = ['<section id="attention"><h2>Brand attention</h2>']
    if "attention" in notes:
        parts.append(note(notes["attention"]))
    for i, brand in enumerate(brands):
        parts.append(_brand(brand, "" if i == 0 else f"-{i + 1}"))
    parts.append("</section>")
    return "\n".join(parts)


def plot_id(kind: str, suffix: str = "") -> str:
    """The id of a chart's ``<div>`` (``plot-amplification``, ... ; later brands numbered)."""
    return f"plot-{kind}{suffix}"


def _chart(result: Any, kind: str, suffix: str) -> str:
    from leaderlens.attention.charts import figure

    return figure_div(figure(result), plot_id(kind, suffix))


def _missing(brand: BrandAttention, part: str) -> str:
    return note(brand.notes.get(part, "not available"))


def _brand(brand: BrandAttention, suffix: str) -> str:
    metric = brand.metric or "no attention series"
    return "\n".join(
        [
            f"<h3>{esc(brand.name)} ({esc(brand.brand)}): {esc(metric)}</h3>",
            _amplification(brand, suffix),
            _playbook(brand, suffix),
            _share(brand, suffix),
            _lead_lag(brand, suffix),
            _cascade(brand, suffix),
        ]
    )


def _amplification(brand: BrandAttention, suffix: str) -> str:
    head = "<h4>Amplification: leader statements vs. the brand's own posts</h4>"
    a = brand.amplification
    if a is None:
        return head + _missing(brand, "amplification")
    items = {
        "amplification factor": num(a.factor, 2),
        f"{a.level:.0%} bootstrap CI": f"{num(a.ci_low, 2)}-{num(a.ci_high, 2)}",
        "lift per statement": f"{num(a.leader_lift.cumulative, 4)} ({a.leader_lift.n_posts:,})",
        "lift per brand post": f"{num(a.brand_lift.cumulative, 4)} ({a.brand_lift.n_posts:,})",
    }
    model = a.summary().splitlines()[1]
    return (
        head
        + cards(items)
        + f'<p class="reading">{esc(a.reading())}</p>'
        + f"<p>Lifts: cumulative abnormal log(1 + {esc(a.metric)}) per post; {esc(model)}.</p>"
        + table(
            a.to_frame(),
            f"amplification-table{suffix}",
            formats={c: num for c in ("factor", "ci_low", "ci_high")},
        )
        + _chart(a, "amplification", suffix)
    )


def _playbook(brand: BrandAttention, suffix: str) -> str:
    head = "<h4>Playbook: which channels add attention</h4>"
    book = brand.playbook
    if book is None:
        return head + _missing(brand, "playbook")
    frame = book.to_frame()
    market = [c for c in frame.columns if c.startswith("market_")]
    shown = frame[
        [
            "rank",
            book.by,
            "n_posts",
            "cumulative_lift",
            "ci_low",
            "ci_high",
            "p_value",
            "verdict",
            *market,
        ]
    ]
    formats = {c: num for c in ("cumulative_lift", "ci_low", "ci_high", "p_value", "market_p")}
    formats |= {c: _pct for c in ("market_caar", "market_ci_low", "market_ci_high")}
    text = (
        f"Cumulative lift per statement in log points over {book.lifts.horizon + 1} buckets "
        f"with its {book.level:.0%} interval; the brand's own posts are the yardstick."
    )
    if book.market is not None:
        text += (
            f" market_caar: CAAR of the channel's statements on {book.asset} with a "
            f"{book.level:.0%} t interval."
        )
    extra = note(brand.notes["playbook_market"]) if "playbook_market" in brand.notes else ""
    return (
        head
        + f"<p>{esc(text)}</p>"
        + extra
        + table(shown, f"playbook-table{suffix}", formats=formats)
        + _chart(book, "playbook", suffix)
    )


def _share(brand: BrandAttention, suffix: str) -> str:
    head = "<h4>Share of voice</h4>"
    voice = brand.share_of_voice
    if voice is None:
        return head + _missing(brand, "share_of_voice")
    s = voice.share
    items = {
        "leader share of voice": _pct(s.share, 1),
        f"{s.level:.0%} Wilson CI": f"{_pct(s.ci_low, 1)}-{_pct(s.ci_high, 1)}",
        "engagement-weighted": _pct(s.weighted_share, 1),
        "mentions": f"{s.leader_mentions:,} of {s.mentions:,}",
    }
    lines = "".join(f"<p>{esc(line)}</p>" for line in voice.summary().splitlines())
    return head + cards(items) + lines + _chart(voice, "share", suffix)


def _lead_lag(brand: BrandAttention, suffix: str) -> str:
    head = "<h4>Lead-lag: does the leader's activity lead the brand's attention?</h4>"
    result = brand.lead_lag
    if result is None:
        return head + _missing(brand, "lead_lag")
    lines = "".join(f"<p>{esc(line)}</p>" for line in result.summary().splitlines()[:4])
    tests = table(
        granger_table(result),
        f"granger-table{suffix}",
        formats={"F": lambda v: num(v, 3), "p_value": num},
    )
    return (
        head
        + lines
        + "<p>Granger F tests both ways (F distribution):</p>"
        + tests
        + _chart(result, "leadlag", suffix)
    )


def _cascade(brand: BrandAttention, suffix: str) -> str:
    head = "<h4>Cascade: baseline, leader-triggered, brand-triggered and self-excited</h4>"
    result = brand.cascade
    if result is None:
        return head + _missing(brand, "cascade")
    n, low, high = result.fit.branching()
    shares = result.shares()
    items = {
        "branching ratio n": f"{num(n, 3)} ({num(low, 3)}-{num(high, 3)})",
        "multiplier 1/(1-n)": num(result.multiplier()[0], 2),
        # The endo-exo position (Rizoiu et al. 2017): what the posts bring in vs. the cascade.
        "exogenous (leader + brand posts)": _pct(shares["leader"] + shares["brand"], 1),
        "endogenous (cascade)": _pct(shares["cascade"], 1),
        "baseline": _pct(shares["baseline"], 1),
    }
    warnings = "".join(note(w) for w in result.warnings)
    marks = table(
        result.to_frame()[["mark", "n_posts", "per_post", "per_post_low", "per_post_high",
                           "decay_hours", "share", "share_with_cascade"]],
        f"cascade-table{suffix}",
        formats={c: lambda v: num(v, 2) for c in ("per_post", "per_post_low", "per_post_high",
                                                   "decay_hours")}
        | {"share": _pct, "share_with_cascade": _pct},
    )  # fmt: skip
    return head + cards(items) + warnings + marks + _chart(result, "cascade", suffix)


def _pct(value: Any, digits: int = 2) -> str:
    return pct(value, digits) or "n/a"
