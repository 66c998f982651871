"""The demo world's ground truth: what was planted, where, and with which parameters.

Later analyses are checked against these tables: an event study should recover the planted
abnormal returns (section 2 of METHODS.md), the attention module the planted lifts and the
amplification factor (section 4), the risk module the value-destroying posts and the key-person
event (section 5).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from leaderlens.demo import cast
from leaderlens.demo.markets import Grid, bar_of, from_micros

PLANTED_COLUMNS: tuple[str, ...] = (
    "statement_id",
    "source",
    "owner",
    "leader",
    "brand",
    "asset",
    "ts",
    "channel",
    "topic",
    "sentiment",
    "is_reply",
    "is_value_destroying",
    "day0",
    "gap_hours",
    "hour0",
    "planted_ar",
    "attention_day0",
    "planted_attention_lift",
)


@dataclass(frozen=True)
class KeyPersonMoment:
    """Where the key-person event falls: its day-0 session index on the stock's calendar and
    its instant (int64 microseconds, UTC)."""

    session: int
    micros: int


def planted_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The planted effects, one row per (statement or brand post, asset).

    Columns
    -------
    statement_id, source (``leader`` or ``brand``), owner (leader or brand id), leader (leader id
    or None for brand posts), brand, asset, ts (UTC instant of the post), channel, topic,
    sentiment (+1, 0, -1), is_reply, is_value_destroying;
    day0: label of the day-0 bar (session date at 00:00 UTC; UTC day for the coin);
    gap_hours: hours from the post to the close of its day-0 bar;
    hour0: for the coin, start of the hourly bar containing the post (NaT otherwise); hourly
    bars are stored from ``cast.HOURLY_START``, the jump is in the daily bars throughout;
    planted_ar: abnormal simple return planted on the day-0 bar (for the coin: on the hour-0
    bar, so on the UTC day it compounds with the other hours);
    attention_day0: the post's UTC day, where its attention lift starts;
    planted_attention_lift: lift in log points of ``log(1 + value)`` on attention day 0,
    decaying by ``ATTENTION_DECAY`` a day (the same lift for the post on every asset row).
    """
    out = rows.assign(
        ts=from_micros(rows["micros"].to_numpy()),
        leader=rows["owner"].where(rows["source"] == "leader", None),
        planted_attention_lift=rows["planted_lift"],
    )
    out = out.loc[:, list(PLANTED_COLUMNS)].sort_values(["ts", "statement_id", "asset"])
    return out.reset_index(drop=True)


def key_person_table(moment: KeyPersonMoment, stock: Grid, hours: Grid) -> pd.DataFrame:
    """The key-person event in one row: stock ARs on days 0..2 and their CAR, the coin's jump
    in the hour of the news, and the attention lift on the brand's UTC day of the news."""
    leader = next(x for x in cast.LEADERS if x.leader_id == cast.KEY_PERSON_LEADER)
    brand = next(b for b in cast.BRANDS if b.brand_id == leader.brand_id)
    ars = cast.KEY_PERSON_STOCK_ARS
    at = np.array([moment.micros], dtype=np.int64)
    row: dict[str, object] = {
        "event_id": f"{leader.id_prefix}-{cast.KEY_PERSON_KIND}-1",
        "leader": leader.leader_id,
        "kind": cast.KEY_PERSON_KIND,
        "title": cast.KEY_PERSON_TITLE,
        "ts": from_micros(at)[0],
        "asset": brand.stock,
        "day0": stock.labels[moment.session],
        "window_start": 0,
        "window_end": len(ars) - 1,
        **{f"planted_ar_day{k}": ar for k, ar in enumerate(ars)},
        "planted_car": float(np.sum(ars)),
        "coin": brand.coin,
        "coin_hour0": hours.labels[int(bar_of(hours, at)[0])],
        "planted_coin_ar": cast.KEY_PERSON_COIN_AR,
        "brand": brand.brand_id,
        "attention_day0": from_micros(at).normalize()[0],
        "planted_attention_lift": cast.KEY_PERSON_LIFT,
    }
    return pd.DataFrame([row])


def events_table(key_person: pd.DataFrame) -> pd.DataFrame:
    """Key-person events the way a user's events file lists them."""
    return pd.DataFrame(
        {
            "event_id": key_person["event_id"],
            "leader": key_person["leader"],
            "ts": key_person["ts"],
            "kind": key_person["kind"],
            "title": key_person["title"],
            "source": "news",
        }
    )


def world_parameters(
    seed: int, planted: pd.DataFrame, key_person: pd.DataFrame
) -> dict[str, object]:
    """The world's parameters as plain JSON-ready values."""
    one_row = planted.drop_duplicates("statement_id")  # one row per post for attention
    amplification: dict[str, float] = {}
    mean_lift: dict[str, dict[str, float]] = {}
    for brand in cast.BRANDS:  # three brands
        mine = one_row[one_row["brand"] == brand.brand_id]
        by_source = mine.groupby("source")["planted_attention_lift"].mean()
        mean_lift[brand.brand_id] = {k: float(v) for k, v in by_source.items()}
        amplification[brand.brand_id] = float(by_source["leader"] / by_source["brand"])
    destroying = planted[planted["is_value_destroying"]]
    kp = key_person.iloc[0]
    return {
        "seed": seed,
        "start": cast.START,
        "end": cast.END,
        "posts_end": cast.POSTS_END,
        "hourly_start": cast.HOURLY_START,
        "return_type": "simple",
        "day0_rule": "first bar whose close is strictly after the statement (UTC instants)",
        "assets": {a.asset_id: asdict(a) for a in cast.ASSETS},
        "effects": [asdict(e) | {"is_value_destroying": False} for e in cast.EFFECTS]
        + [asdict(cast.VALUE_DESTROYING) | {"is_value_destroying": True}],
        "heterogeneity": cast.HETEROGENEITY,
        "lift_dispersion": cast.LIFT_DISPERSION,
        "attention": {
            "scale": "log(1 + value)",
            "decay_per_day": cast.ATTENTION_DECAY,
            "horizon_days": cast.ATTENTION_HORIZON,
            "weekly_search": list(cast.WEEKLY_SEARCH),
            "weekly_mentions": list(cast.WEEKLY_MENTIONS),
            "search_noise": {"ar1": cast.SEARCH_NOISE[0], "sd": cast.SEARCH_NOISE[1]},
            "mentions_noise": {"ar1": cast.MENTIONS_NOISE[0], "sd": cast.MENTIONS_NOISE[1]},
            "baselines": {
                b.brand_id: {"search_interest": b.search_baseline, "mentions": b.mentions_baseline}
                for b in cast.BRANDS
            },
        },
        "mean_lift": mean_lift,
        "amplification_factor": amplification,
        "share_of_voice": {
            b.brand_id: {
                "leader_share": b.leader_share,
                "engagement_multiplier": cast.LEADER_MENTION_ENGAGEMENT,
                "engagement_weighted_share": b.leader_share
                * cast.LEADER_MENTION_ENGAGEMENT
                / (b.leader_share * cast.LEADER_MENTION_ENGAGEMENT + 1.0 - b.leader_share),
                "sample_fraction": b.mentions_per_day / b.mentions_baseline,
            }
            for b in cast.BRANDS
        },
        "value_destroying": {
            "leader": cast.VALUE_DESTROYING.owner,
            "count": int(destroying["statement_id"].nunique()),
            "mean_planted_ar": {
                str(k): float(v)
                for k, v in destroying.groupby("asset")["planted_ar"].mean().items()
            },
            "reply_ratio_range": list(cast.VALUE_DESTROYING_REPLY_RATIO),
            "statement_ids": sorted(destroying["statement_id"].unique().tolist()),
        },
        "key_person_event": {
            "event_id": str(kp["event_id"]),
            "leader": str(kp["leader"]),
            "kind": str(kp["kind"]),
            "ts": pd.Timestamp(kp["ts"]).isoformat(),
            "asset": str(kp["asset"]),
            "day0": pd.Timestamp(kp["day0"]).date().isoformat(),
            "stock_ars": list(cast.KEY_PERSON_STOCK_ARS),
            "planted_car": float(kp["planted_car"]),
            "coin": str(kp["coin"]),
            "coin_hour0": pd.Timestamp(kp["coin_hour0"]).isoformat(),
            "coin_ar": cast.KEY_PERSON_COIN_AR,
            "attention_lift": cast.KEY_PERSON_LIFT,
        },
    }
