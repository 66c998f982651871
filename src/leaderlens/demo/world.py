"""The seeded demo world: three leaders, their brands, stocks, a coin, attention and mentions,
with the effects planted in them written down as ground truth.

:func:`generate_world` is pure: the same seed gives identical frames, another seed other ones.
Every random draw comes from ``numpy.random.default_rng`` streams spawned from the seed, one per
component, so a component's draws do not depend on how many draws another made.

Planting (see :mod:`leaderlens.demo.cast` for the numbers):

* prices follow the market model (MacKinlay 1997) and each statement adds its planted abnormal
  simple return to its day-0 bar, day 0 being the first session whose close is strictly after
  the statement (METHODS.md section 1; the coin: the UTC hour / UTC day containing it), as a
  factor ``1 + planted_ar`` on the close (see :func:`leaderlens.demo.markets.session_bars`);
* brand attention ``y = log(1 + value)`` gets each statement's lift on the statement's UTC day,
  decaying geometrically over the following days;
* the key-person event adds abnormal returns on days 0..2 of the stock, a jump in the coin and
  an attention lift.

The world is a pure function of its seed, whatever the calendar vintage: every draw is made on
a fixed grid of days (weekdays for the stocks and indexes, UTC days for attention, hours for the
coin) or per post of a calendar-free schedule, and the value-destroying posts and the key-person
event are placed by date. Exchange calendars only decide which days become sessions: a session
added to or removed from a calendar changes that exchange's bars on that day and on the next
session (whose return then spans the closure: its open, high, low and volume move, its close
does not) and the day 0 of the posts that fell on it, nothing else. The early-close posts are
the one part defined by a calendar; they plant nothing and draw from their own stream per date,
so an early close added or removed adds or removes those three posts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from leaderlens.demo import cast
from leaderlens.demo.attention import (
    attention_frame,
    log_series,
    mention_counts,
    mentions,
    planted_excess,
    search_interest,
)
from leaderlens.demo.foundations import foundation_series
from leaderlens.demo.markets import (
    US_PER_DAY,
    US_PER_HOUR,
    Grid,
    bar_of,
    daily_from_hourly,
    draw_latent,
    from_micros,
    nominal_closes,
    session_bars,
    session_grid,
    utc_grid,
    weekday_grid,
)
from leaderlens.demo.schedule import engagement, schedule
from leaderlens.demo.texts import statement_texts
from leaderlens.demo.truth import (
    KeyPersonMoment,
    events_table,
    key_person_table,
    planted_table,
    world_parameters,
)
from leaderlens.errors import BadInputError
from leaderlens.readers.base import COLUMNS

# Special moments start after this many weekdays (about 265 sessions), so each has a full
# estimation window (METHODS.md section 2: 250 bars ending 11 bars before day 0).
FIRST_SPECIAL_WEEKDAY = 275
# The regular close of the leaders' New York stock, local time: special moments are placed
# between two regular closes by date, without asking the calendar.
NEW_YORK_CLOSE = ("America/New_York", 16)
STREAMS = (
    "posts",
    "slots",
    "specials",
    "event",
    "effects",
    "texts",
    "markets",
    "attention",
    "mentions",
    "foundations",  # appended: SeedSequence children keep their order, the others stay
    "probes",
)


@dataclass(frozen=True, eq=False)
class DemoWorld:
    """A generated demo world: canonical frames per entity and the planted ground truth.

    Attributes
    ----------
    seed: the seed it was generated from.
    leaders: one row per leader: ``leader_id``, ``name``, ``company``, ``brand_id``,
        ``handles`` (dict platform -> handle).
    brands: one row per brand: ``brand_id``, ``name``, ``query_terms`` (tuple),
        ``leader_ids`` (tuple), ``stock``, ``coin`` (asset id, missing when none).
    assets: one row per asset: ``asset_id``, ``name``, ``kind`` (stock, index, crypto),
        ``calendar`` (XNYS, XHKG, 24/7), ``benchmark`` (asset id, missing when none).
    statements: leader id -> statements, columns ``COLUMNS["statements"]``, sorted by ``ts``.
    brand_posts: brand id -> official brand posts, columns ``COLUMNS["brand_posts"]``.
    bars: (asset id, freq) -> price bars, columns ``COLUMNS["prices"]``; ``1d`` for every
        asset (sessions of its calendar labelled by date at 00:00 UTC; UTC days for the coin),
        ``1h`` for the coin from ``cast.HOURLY_START`` (bars labelled by their start).
    attention: (brand id, metric) -> daily series, columns ``COLUMNS["attention"]``; metrics
        ``search_interest`` (0-100) and ``mentions`` (counts), UTC days; and the foundations
        series ``product_search``, ``executive_mentions``, ``innovation_news``
        (:mod:`leaderlens.demo.foundations`).
    mentions: brand id -> mention texts, columns ``COLUMNS["mentions"]``.
    events: key-person events (``event_id``, ``leader``, ``ts``, ``kind``, ``title``,
        ``source``), the way a user's events file would list them.
    planted: ground truth, one row per (statement or brand post, asset) with the day-0 bar, the
        planted abnormal return and the planted attention lift (see
        :func:`leaderlens.demo.truth.planted_table`).
    key_person: ground truth of the key-person event, one row per (event, asset, event day).
    parameters: JSON-ready world parameters (betas, volatilities, effect means, attention
        model, amplification factors, share of voice, key-person event).
    foundations: ground truth of the foundations series, one row per series (brand, pillar,
        metric, baseline, trend in log points a year, leader weight, kind).
    """

    seed: int
    leaders: pd.DataFrame
    brands: pd.DataFrame
    assets: pd.DataFrame
    statements: Mapping[str, pd.DataFrame]
    brand_posts: Mapping[str, pd.DataFrame]
    bars: Mapping[tuple[str, str], pd.DataFrame]
    attention: Mapping[tuple[str, str], pd.DataFrame]
    mentions: Mapping[str, pd.DataFrame]
    events: pd.DataFrame
    planted: pd.DataFrame
    key_person: pd.DataFrame
    parameters: Mapping[str, object]
    foundations: pd.DataFrame

    def planted_mean_ar(self) -> pd.DataFrame:
        """Realised planted means by owner, asset, channel, topic and value destruction:
        ``n``, ``mean_planted_ar``, ``mean_planted_attention_lift``."""
        keys = ["source", "owner", "asset", "channel", "topic", "is_value_destroying"]
        grouped = self.planted.groupby(keys, sort=True)
        return grouped.agg(
            n=("statement_id", "size"),
            mean_planted_ar=("planted_ar", "mean"),
            mean_planted_attention_lift=("planted_attention_lift", "mean"),
        ).reset_index()

    def ground_truth(self) -> dict[str, pd.DataFrame | dict[str, object]]:
        """The ground truth as the named payloads a workspace stores."""
        return {
            "planted_events": self.planted,
            "planted_mean_ar": self.planted_mean_ar(),
            "key_person_events": self.key_person,
            "world_parameters": dict(self.parameters),
            "foundations": self.foundations,
        }


def generate_world(seed: int = 7) -> DemoWorld:
    """Generate the demo world for ``seed`` (a whole number >= 0; deterministic; takes about a
    second)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise BadInputError(f"seed must be a whole number >= 0; got {seed!r}", field="seed")
    streams = dict(zip(STREAMS, np.random.SeedSequence(seed).spawn(len(STREAMS)), strict=True))

    def rng(name: str) -> np.random.Generator:
        return np.random.default_rng(streams[name])

    grids = {
        "XNYS": session_grid("XNYS", cast.START, cast.END),
        "XHKG": session_grid("XHKG", cast.START, cast.END),
        "24/7": utc_grid(cast.START, cast.END, "1d"),
    }
    hours = utc_grid(cast.START, cast.END, "1h")
    weekdays = weekday_grid(cast.START, cast.END)
    stock_grid = grids[_asset("VLTR").calendar]

    closes = nominal_closes(weekdays, *NEW_YORK_CLOSE)
    slots = _special_weekdays(rng("slots"), len(weekdays))
    middle = cast.VALUE_DESTROYING_COUNT // 2
    posts = _all_posts(rng("posts"), rng("specials"), closes, np.delete(slots, middle))
    posts = _name_posts(rng("texts"), _numbered(_plant_effects(rng("effects"), posts)))
    posts = pd.concat([posts, _early_close_posts(streams["probes"], stock_grid)])
    posts = posts.sort_values(["owner", "micros", "channel"], kind="stable").reset_index(drop=True)
    micros = int(_inside_day(rng("event"), closes, slots[middle : middle + 1])[0])
    event = KeyPersonMoment(
        session=int(bar_of(stock_grid, np.array([micros], dtype=np.int64))[0]), micros=micros
    )

    aligned = _align(posts, grids, hours)
    bars = _bars(rng("markets"), aligned, event, grids, weekdays, hours)
    attention, counts = _attention(rng("attention"), posts, event, grids["24/7"])
    pillars, pillar_truth = foundation_series(rng("foundations"), posts, grids["24/7"])
    brand_mentions = {
        b.brand_id: mentions(
            child, b, _leader(b.leader_id), grids["24/7"].labels, counts[b.brand_id]
        )
        for child, b in zip(rng("mentions").spawn(len(cast.BRANDS)), cast.BRANDS, strict=True)
    }
    planted = planted_table(aligned)
    key_person = key_person_table(event, stock_grid, hours)

    return DemoWorld(
        seed=seed,
        leaders=pd.DataFrame(
            {
                "leader_id": [x.leader_id for x in cast.LEADERS],
                "name": [x.name for x in cast.LEADERS],
                "company": [x.company for x in cast.LEADERS],
                "brand_id": [x.brand_id for x in cast.LEADERS],
                "handles": [dict(x.handles) for x in cast.LEADERS],
            }
        ),
        brands=pd.DataFrame(
            {
                "brand_id": [b.brand_id for b in cast.BRANDS],
                "name": [b.name for b in cast.BRANDS],
                "query_terms": [b.query_terms for b in cast.BRANDS],
                "leader_ids": [(b.leader_id,) for b in cast.BRANDS],
                "stock": [b.stock for b in cast.BRANDS],
                "coin": [b.coin for b in cast.BRANDS],
            }
        ),
        assets=pd.DataFrame(
            {
                "asset_id": [a.asset_id for a in cast.ASSETS],
                "name": [a.name for a in cast.ASSETS],
                "kind": [a.kind for a in cast.ASSETS],
                "calendar": [a.calendar for a in cast.ASSETS],
                "benchmark": [a.benchmark for a in cast.ASSETS],
            }
        ),
        statements=MappingProxyType(
            {x.leader_id: _text_frame(posts, x.leader_id) for x in cast.LEADERS}
        ),
        brand_posts=MappingProxyType(
            {b.brand_id: _text_frame(posts, b.brand_id) for b in cast.BRANDS}
        ),
        bars=MappingProxyType(bars),
        attention=MappingProxyType(attention | pillars),
        mentions=MappingProxyType(brand_mentions),
        events=events_table(key_person),
        planted=planted,
        key_person=key_person,
        parameters=MappingProxyType(world_parameters(seed, planted, key_person)),
        foundations=pillar_truth,
    )


# --------------------------------------------------------------------------------------------
# Posts


def _all_posts(
    rng: np.random.Generator,
    special: np.random.Generator,
    closes: np.ndarray,
    destroying: np.ndarray,
) -> pd.DataFrame:
    """Every planned post and the value-destroying posts, unnamed, without planted effects."""
    children = rng.spawn(len(cast.PLANS))
    frames = [
        schedule(child, plan, cast.START, cast.POSTS_END)
        for child, plan in zip(children, cast.PLANS, strict=True)
    ]
    frames.append(_value_destroying(special, closes, destroying))
    posts = pd.concat(frames, ignore_index=True)
    posts["is_value_destroying"] = posts["is_value_destroying"].fillna(False).astype(bool)
    return posts.sort_values(["owner", "micros", "channel"], kind="stable").reset_index(drop=True)


def _special_weekdays(rng: np.random.Generator, n: int) -> np.ndarray:
    """Weekdays (indexes into the ``n`` weekdays of the world) of the value-destroying posts
    and, in the middle, the key-person event.

    One weekday drawn inside each of ``VALUE_DESTROYING_COUNT + 1`` equal blocks after
    ``FIRST_SPECIAL_WEEKDAY``, at least five weekdays from a block's edges, so that their event
    windows never overlap (a holiday moves a day 0 by a session at most).
    """
    blocks = cast.VALUE_DESTROYING_COUNT + 1
    edges = np.linspace(FIRST_SPECIAL_WEEKDAY, n - 20, blocks + 1)
    width = np.diff(edges) - 10
    return np.floor(edges[:-1] + 5 + rng.random(blocks) * width).astype(np.int64)


def _inside_day(rng: np.random.Generator, closes: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Instants (whole seconds) strictly between the regular close of the weekday before and
    the regular close of ``day`` (indexes into the weekdays whose regular ``closes`` are
    given): evenings, nights, weekends and the session itself, whose day 0 is therefore that
    weekday's session when it is a full session (else the next one, as the calendar says)."""
    before, close = closes[day - 1], closes[day]
    at = before + rng.uniform(0.02, 0.98, len(day)) * (close - before)
    return (np.floor(at / 1e6) * 1_000_000).astype(np.int64)


def _value_destroying(
    rng: np.random.Generator, closes: np.ndarray, days: np.ndarray
) -> pd.DataFrame:
    """The value-destroying posts, one in the day before the regular close of each of ``days``."""
    n = len(days)
    low, high = cast.VALUE_DESTROYING_REPLY_RATIO
    frame = pd.DataFrame(
        {
            "micros": _inside_day(rng, closes, days),
            "owner": cast.VALUE_DESTROYING.owner,
            "channel": cast.VALUE_DESTROYING.channel,
            "topic": cast.VALUE_DESTROYING.topic,
            "sentiment": np.full(n, -1, dtype=np.int8),
            "tone": "vd",
            "language": "en",
            "is_reply": np.zeros(n, dtype=bool),
            "is_value_destroying": np.ones(n, dtype=bool),
        }
    )
    counts = engagement(rng, _plan("rex_vale", "x"), n, rng.uniform(low, high, n))
    return pd.concat([frame, counts], axis=1)


def _early_close_posts(streams: np.random.SeedSequence, grid: Grid) -> pd.DataFrame:
    """Rex Vale posts one second before, exactly at and 30 minutes after each early close of
    his stock's exchange: the edge cases of the day-0 rule.

    These probes plant nothing (no abnormal return, no attention lift) and each early close
    draws their counts and texts from its own stream, keyed by its date, so an early close
    added to or removed from the calendar adds or removes its three posts and nothing else.
    Their statement ids name the date: ``rv-close-YYYYMMDD-k``.
    """
    local = from_micros(grid.closes).tz_convert("America/New_York")
    early = grid.closes[(local.hour < 16) & (grid.labels <= pd.Timestamp(cast.POSTS_END, tz="UTC"))]
    offsets = np.array([-1_000_000, 0, 30 * 60 * 1_000_000], dtype=np.int64)
    leader = _leader("rex_vale")
    frames = []
    for close in early:  # a handful of early closes, each with its own stream
        day = int(close // US_PER_DAY)
        rng = np.random.default_rng(
            np.random.SeedSequence(streams.entropy, spawn_key=(*streams.spawn_key, day))
        )
        n = len(offsets)
        frame = pd.DataFrame(
            {
                "micros": close + offsets,
                "owner": leader.leader_id,
                "channel": "x",
                "topic": "personal",
                "sentiment": np.zeros(n, dtype=np.int8),
                "tone": "neu",
                "language": "en",
                "is_reply": np.zeros(n, dtype=bool),
                "is_value_destroying": np.zeros(n, dtype=bool),
                "planted_ar": 0.0,
                "planted_coin_ar": 0.0,
                "planted_lift": 0.0,
                "statement_id": [
                    f"{leader.id_prefix}-close-{from_micros(np.array([close]))[0]:%Y%m%d}-{k}"
                    for k in range(1, n + 1)
                ],
            }
        )
        counts = engagement(rng, _plan(leader.leader_id, "x"), n)
        frames.append(_name_posts(rng, pd.concat([frame, counts], axis=1)))
    return pd.concat(frames, ignore_index=True)


def _plant_effects(rng: np.random.Generator, posts: pd.DataFrame) -> pd.DataFrame:
    """Per post: ``planted_ar`` (stock), ``planted_coin_ar`` and ``planted_lift``.

    ``ar + tone_ar * sentiment`` plus a heterogeneity draw of sd ``HETEROGENEITY * |ar|``; the
    lift is lognormal around the cell's mean (mean preserved).
    """
    effects = pd.DataFrame([e.__dict__ for e in cast.EFFECTS])
    effects["is_value_destroying"] = False
    vd = pd.DataFrame([cast.VALUE_DESTROYING.__dict__]).assign(is_value_destroying=True)
    cells = pd.concat([effects, vd], ignore_index=True)
    keys = ["owner", "channel", "topic", "is_value_destroying"]
    out = posts.merge(cells, on=keys, how="left", validate="many_to_one")
    if out["lift"].isna().any():
        first = out.loc[out["lift"].isna(), keys].iloc[0].to_dict()
        raise LookupError(f"no planted effect for {first}")
    n = len(out)
    ar, coin = out["ar"].to_numpy(), out["coin_ar"].to_numpy()
    out["planted_ar"] = (
        ar
        + out["tone_ar"].to_numpy() * out["sentiment"].to_numpy()
        + cast.HETEROGENEITY * np.abs(ar) * rng.standard_normal(n)
    )
    out["planted_coin_ar"] = coin + cast.HETEROGENEITY * np.abs(coin) * rng.standard_normal(n)
    spread = cast.LIFT_DISPERSION
    out["planted_lift"] = out["lift"].to_numpy() * np.exp(
        spread * rng.standard_normal(n) - spread**2 / 2
    )
    return out.drop(columns=["ar", "coin_ar", "tone_ar", "lift"])


def _numbered(posts: pd.DataFrame) -> pd.DataFrame:
    """``statement_id``: the owner's prefix and a running number (posts sorted by time)."""
    prefix = {x.leader_id: x.id_prefix for x in cast.LEADERS} | {
        b.brand_id: b.brand_id + "-p" for b in cast.BRANDS
    }
    number = (posts.groupby("owner", sort=False).cumcount() + 1).astype("str").str.zfill(5)
    return posts.assign(statement_id=posts["owner"].map(prefix) + number)


def _name_posts(rng: np.random.Generator, posts: pd.DataFrame) -> pd.DataFrame:
    """Texts and urls; ``source`` (leader or brand) and ``brand`` of each numbered post."""
    brand_of = {x.leader_id: x.brand_id for x in cast.LEADERS} | {
        b.brand_id: b.brand_id for b in cast.BRANDS
    }
    out = posts.copy()
    out["source"] = np.where(
        out["owner"].isin([x.leader_id for x in cast.LEADERS]), "leader", "brand"
    )
    out["brand"] = out["owner"].map(brand_of)
    out["url"] = (
        "https://demo.leaderlens.example/"
        + out["owner"]
        + "/"
        + out["channel"]
        + "/"
        + out["statement_id"]
    )
    text = np.empty(len(out), dtype=object)
    # One draw per owner (six owners, not rows): the placeholders differ by brand.
    for owner, rows in out.groupby("owner", sort=True).indices.items():
        brand = _brand(brand_of[owner])
        fill = {"brand": brand.name, "product": brand.product, "coin": "$VOLT"}
        text[rows] = statement_texts(
            rng,
            out["language"].to_numpy()[rows],
            out["topic"].to_numpy()[rows],
            out["tone"].to_numpy()[rows],
            out["is_reply"].to_numpy()[rows],
            fill,
        )
    out["text"] = text
    return out


def _text_frame(posts: pd.DataFrame, owner: str) -> pd.DataFrame:
    """The canonical statements / brand-posts frame of one owner."""
    rows = posts[posts["owner"] == owner]
    counts = {
        c: pd.array(rows[c].to_numpy(), dtype="Int64")
        for c in ("likes", "reposts", "replies", "quotes", "views")
    }
    frame = pd.DataFrame(
        {
            "statement_id": rows["statement_id"].astype("str").to_numpy(),
            "ts": pd.Series(from_micros(rows["micros"].to_numpy()), dtype="datetime64[us, UTC]"),
            "channel": rows["channel"].astype("str").to_numpy(),
            "text": rows["text"].astype("str").to_numpy(),
            "url": rows["url"].astype("str").to_numpy(),
            "language": rows["language"].astype("str").to_numpy(),
            **counts,
            "is_reply": rows["is_reply"].to_numpy(dtype=bool),
        }
    )
    return frame.loc[:, list(COLUMNS["statements"])]


# --------------------------------------------------------------------------------------------
# Markets and attention


def _align(posts: pd.DataFrame, grids: dict[str, Grid], hours: Grid) -> pd.DataFrame:
    """One row per (post, asset): the stock of the post's brand and, for posts of a leader with
    a coin, the coin; with the day-0 bar (index and label), the gap in hours from the post to
    that bar's close, the coin's hour-0 bar and the post's UTC day for attention."""
    coin_of = {b.brand_id: b.coin for b in cast.BRANDS}
    stock_rows = posts.assign(asset=posts["brand"].map({b.brand_id: b.stock for b in cast.BRANDS}))
    has_coin = (posts["source"] == "leader") & posts["brand"].map(coin_of).notna()
    coin_rows = posts[has_coin].assign(asset=posts.loc[has_coin, "brand"].map(coin_of))
    rows = pd.concat(
        [
            stock_rows.drop(columns=["planted_coin_ar"]),
            coin_rows.drop(columns=["planted_ar"]).rename(
                columns={"planted_coin_ar": "planted_ar"}
            ),
        ],
        ignore_index=True,
    )
    calendar = rows["asset"].map({a.asset_id: a.calendar for a in cast.ASSETS}).to_numpy()
    micros = rows["micros"].to_numpy()
    day0 = np.zeros(len(rows), dtype=np.int64)
    label = np.zeros(len(rows), dtype=np.int64)
    close = np.zeros(len(rows), dtype=np.int64)
    for name, grid in grids.items():  # one vectorised search per calendar
        on = calendar == name
        day0[on] = bar_of(grid, micros[on])
        label[on] = grid.labels.asi8[day0[on]]
        close[on] = grid.closes[day0[on]]
    is_coin = calendar == "24/7"
    hour0 = np.where(is_coin, bar_of(hours, micros), -1)
    rows["day0_index"] = day0
    rows["day0"] = from_micros(label)
    rows["gap_hours"] = (close - micros) / US_PER_HOUR
    rows["hour0_index"] = hour0
    rows["hour0"] = from_micros(np.where(is_coin, hours.labels.asi8[hour0], np.iinfo(np.int64).min))
    rows["attention_day0"] = from_micros(grids["24/7"].labels.asi8[bar_of(grids["24/7"], micros)])
    return rows


def _bars(
    rng: np.random.Generator,
    planted: pd.DataFrame,
    event: KeyPersonMoment,
    grids: dict[str, Grid],
    weekdays: pd.DatetimeIndex,
    hours: Grid,
) -> dict[tuple[str, str], pd.DataFrame]:
    """Daily bars of indexes and stocks, hourly and daily bars of the coin.

    Each asset draws from its own stream (spawned in the fixed order of ``cast.ASSETS``) on a
    fixed grid: every weekday for exchange-traded assets, every hour for the coin. A stock's
    latent return is ``alpha + beta R_index + e`` on the same weekday; its sessions sample the
    latent path (:func:`leaderlens.demo.markets.session_bars`).
    """
    latent = {
        asset.asset_id: draw_latent(
            child,
            len(hours) if asset.calendar == "24/7" else len(weekdays),
            asset.alpha,
            asset.sigma,
            gaps=asset.calendar != "24/7",
        )
        for child, asset in zip(rng.spawn(len(cast.ASSETS)), cast.ASSETS, strict=True)
    }
    key_stock = _brand(_leader(cast.KEY_PERSON_LEADER).brand_id).stock
    bars: dict[tuple[str, str], pd.DataFrame] = {}
    for asset in cast.ASSETS:  # six assets; benchmarks come first in cast.ASSETS
        path = latent[asset.asset_id]
        if asset.benchmark is not None:
            market = latent[asset.benchmark].returns
            path = replace(path, returns=path.returns + asset.beta * market)
        rows = planted[planted["asset"] == asset.asset_id]
        coin = asset.calendar == "24/7"
        at, ar = _with_key_person(asset, key_stock, event, grids, rows)
        frame = session_bars(
            path,
            hours.labels if coin else weekdays,
            hours if coin else grids[asset.calendar],
            at,
            ar,
            start_price=asset.start_price,
            sigma=asset.sigma,
            volume=asset.volume,
        )
        if coin:
            bars[(asset.asset_id, "1d")] = daily_from_hourly(frame)
            kept = frame["ts"] >= pd.Timestamp(cast.HOURLY_START, tz="UTC")
            bars[(asset.asset_id, "1h")] = frame[kept].reset_index(drop=True)
        else:
            bars[(asset.asset_id, "1d")] = frame
    return bars


def _with_key_person(
    asset: cast.Asset,
    key_stock: str,
    event: KeyPersonMoment,
    grids: dict[str, Grid],
    rows: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """The instants and planted returns of ``asset``'s posts, with the key-person event's: on
    the coin its jump at the news; on the leader's stock its day-0 return at the news and its
    day-k return at the close of day k - 1 (which falls on session k)."""
    at = rows["micros"].to_numpy(dtype=np.int64)
    ar = rows["planted_ar"].to_numpy(dtype=np.float64)
    if asset.calendar == "24/7":
        extra_at = np.array([event.micros], dtype=np.int64)
        extra_ar = np.array([cast.KEY_PERSON_COIN_AR])
    elif asset.asset_id == key_stock:
        closes = grids[asset.calendar].closes
        days = len(cast.KEY_PERSON_STOCK_ARS)
        extra_at = np.concatenate(
            [[event.micros], closes[event.session : event.session + days - 1]]
        )
        extra_ar = np.asarray(cast.KEY_PERSON_STOCK_ARS, dtype=np.float64)
    else:
        return at, ar
    return np.concatenate([at, extra_at]), np.concatenate([ar, extra_ar])


def _attention(
    rng: np.random.Generator, posts: pd.DataFrame, event: KeyPersonMoment, days: Grid
) -> tuple[dict[tuple[str, str], pd.DataFrame], dict[str, np.ndarray]]:
    """Search interest and mention counts per brand, with every post's lift planted."""
    day = bar_of(days, posts["micros"].to_numpy())
    event_day = int(bar_of(days, np.array([event.micros], dtype=np.int64))[0])
    key_brand = _leader(cast.KEY_PERSON_LEADER).brand_id
    series: dict[tuple[str, str], pd.DataFrame] = {}
    counts: dict[str, np.ndarray] = {}
    for brand in cast.BRANDS:  # three brands
        mine = (posts["brand"] == brand.brand_id).to_numpy()
        lifts = posts["planted_lift"].to_numpy()[mine]
        at = day[mine]
        if brand.brand_id == key_brand:
            at = np.append(at, event_day)
            lifts = np.append(lifts, cast.KEY_PERSON_LIFT)
        excess = planted_excess(at, lifts, len(days), cast.ATTENTION_DECAY, cast.ATTENTION_HORIZON)
        y_search = log_series(
            rng, days.labels, brand.search_baseline, cast.WEEKLY_SEARCH, cast.SEARCH_NOISE, excess
        )
        y_mentions = log_series(
            rng,
            days.labels,
            brand.mentions_baseline,
            cast.WEEKLY_MENTIONS,
            cast.MENTIONS_NOISE,
            excess,
        )
        counts[brand.brand_id] = mention_counts(rng, y_mentions)
        series[(brand.brand_id, "search_interest")] = attention_frame(
            days.labels, search_interest(y_search)
        )
        series[(brand.brand_id, "mentions")] = attention_frame(days.labels, counts[brand.brand_id])
    return series, counts


# --------------------------------------------------------------------------------------------
# Lookups


def _asset(asset_id: str) -> cast.Asset:
    return next(a for a in cast.ASSETS if a.asset_id == asset_id)


def _brand(brand_id: str) -> cast.Brand:
    return next(b for b in cast.BRANDS if b.brand_id == brand_id)


def _leader(leader_id: str) -> cast.Leader:
    return next(x for x in cast.LEADERS if x.leader_id == leader_id)


def _plan(owner: str, channel: str) -> cast.Plan:
    return next(p for p in cast.PLANS if p.owner == owner and p.channel == channel)
