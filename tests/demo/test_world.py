"""The pure demo generator: determinism, canonical frames, and planted effects that an
independent computation finds again in the generated data.

Witnesses: ``exchange_calendars`` (sessions and the session a minute belongs to), statsmodels
OLS (market-model betas and residuals; the attention regression), and counts read directly off
the generated frames with pandas.
"""

from __future__ import annotations

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import statsmodels.api as sm

from leaderlens.demo import DemoWorld, generate_world
from leaderlens.errors import BadInputError
from leaderlens.readers.base import CHANNELS, COLUMNS

STOCK_CALENDAR = {"ORBT.HK": "XHKG", "HKX": "XHKG", "KNTE": "XNYS", "VLTR": "XNYS", "USX": "XNYS"}
BENCHMARK = {"ORBT.HK": "HKX", "KNTE": "USX", "VLTR": "USX"}


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate_world(7)


@pytest.fixture(scope="module")
def calendars() -> dict[str, xcals.ExchangeCalendar]:
    # Wider than the demo so that posts before the first open are inside the calendar.
    return {
        c: xcals.get_calendar(c, start="2021-12-01", end="2025-01-31") for c in ("XNYS", "XHKG")
    }


def daily_returns(world: DemoWorld, asset: str) -> pd.Series:
    bars = world.bars[(asset, "1d")].set_index("ts")
    return bars["adj_close"].pct_change().dropna()


def market_model_residuals(world: DemoWorld, stock: str) -> tuple[pd.Series, float, float]:
    """Market-model abnormal returns over the whole sample (statsmodels OLS), the beta and its
    standard error."""
    frame = pd.concat(
        [daily_returns(world, stock), daily_returns(world, BENCHMARK[stock])],
        axis=1,
        keys=["r", "m"],
    ).dropna()
    fit = sm.OLS(frame["r"], sm.add_constant(frame["m"])).fit()
    residuals = frame["r"] - fit.params["const"] - fit.params["m"] * frame["m"]
    return residuals, float(fit.params["m"]), float(fit.bse["m"])


def all_frames(world: DemoWorld) -> dict[str, pd.DataFrame]:
    out = {f"statements/{k}": v for k, v in world.statements.items()}
    out |= {f"brand_posts/{k}": v for k, v in world.brand_posts.items()}
    out |= {f"bars/{a}/{f}": v for (a, f), v in world.bars.items()}
    out |= {f"attention/{b}/{m}": v for (b, m), v in world.attention.items()}
    out |= {f"mentions/{k}": v for k, v in world.mentions.items()}
    out |= {
        "leaders": world.leaders,
        "brands": world.brands,
        "assets": world.assets,
        "events": world.events,
        "planted": world.planted,
        "key_person": world.key_person,
    }
    return out


# --------------------------------------------------------------------------------------------
# Determinism and shape


def test_same_seed_gives_identical_frames(world: DemoWorld) -> None:
    again = generate_world(7)
    first, second = all_frames(world), all_frames(again)
    assert first.keys() == second.keys()
    for name, frame in first.items():
        pdt.assert_frame_equal(frame, second[name], obj=name)
    assert dict(world.parameters) == dict(again.parameters)


def test_another_seed_gives_other_frames(world: DemoWorld) -> None:
    other = generate_world(8)
    for name in ("statements/rex_vale", "bars/VLTR/1d", "attention/orbit/search_interest"):
        a, b = all_frames(world)[name], all_frames(other)[name]
        assert not (a.shape == b.shape and a.equals(b)), name
    assert world.parameters["key_person_event"] != other.parameters["key_person_event"]


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_a_bad_seed_is_refused_at_the_door(seed: object) -> None:
    with pytest.raises(BadInputError, match="seed must be a whole number") as info:
        generate_world(seed)  # type: ignore[arg-type]
    assert info.value.field == "seed"


def test_frames_use_canonical_columns_and_utc_times(world: DemoWorld) -> None:
    kinds = (
        [("statements", f) for f in world.statements.values()]
        + [("brand_posts", f) for f in world.brand_posts.values()]
        + [("prices", f) for f in world.bars.values()]
        + [("attention", f) for f in world.attention.values()]
        + [("mentions", f) for f in world.mentions.values()]
    )
    for kind, frame in kinds:
        assert tuple(frame.columns) == COLUMNS[kind], kind
        assert str(frame["ts"].dt.tz) == "UTC"
        assert frame["ts"].is_monotonic_increasing
        assert not frame["ts"].isna().any()
    for frame in [*world.statements.values(), *world.brand_posts.values()]:
        assert frame["statement_id"].is_unique
        assert set(frame["channel"]) <= set(CHANNELS)
        assert not frame["text"].str.contains("{", regex=False).any()  # placeholders filled
    for frame in world.mentions.values():
        assert frame["mention_id"].is_unique
    ids = pd.concat([f["statement_id"] for f in world.statements.values()])
    assert ids.is_unique  # unique across leaders too


def test_daily_bars_are_the_real_sessions_labelled_at_midnight_utc(
    world: DemoWorld, calendars: dict[str, xcals.ExchangeCalendar]
) -> None:
    for asset, calendar in STOCK_CALENDAR.items():
        sessions = calendars[calendar].sessions_in_range("2022-01-03", "2024-12-31")
        labels = world.bars[(asset, "1d")]["ts"]
        expected = pd.DatetimeIndex(sessions).tz_localize("UTC").as_unit("us")
        pdt.assert_index_equal(
            pd.DatetimeIndex(labels), expected, check_names=False, check_freq=False
        )
    assert len(world.bars[("VLTR", "1d")]) == 753  # XNYS sessions 2022-01-03 .. 2024-12-31
    coin_days = pd.DatetimeIndex(world.bars[("VOLT-USD", "1d")]["ts"])
    assert (np.diff(coin_days.asi8) == 86_400_000_000).all()  # every UTC day, weekends too
    hourly = pd.DatetimeIndex(world.bars[("VOLT-USD", "1h")]["ts"])
    assert hourly[0] == pd.Timestamp("2024-01-01", tz="UTC")
    assert len(hourly) == 366 * 24 and (np.diff(hourly.asi8) == 3_600_000_000).all()


def test_bars_are_consistent(world: DemoWorld) -> None:
    for (asset, _), bars in world.bars.items():
        body_low = np.minimum(bars["open"], bars["close"])
        body_high = np.maximum(bars["open"], bars["close"])
        assert (bars["low"] <= body_low).all() and (bars["high"] >= body_high).all(), asset
        assert (bars["low"] > 0).all() and (bars["volume"] > 0).all()
    # The coin's daily bars are its hourly bars, day by day.
    hourly = world.bars[("VOLT-USD", "1h")].set_index("ts")
    daily = world.bars[("VOLT-USD", "1d")].set_index("ts")
    by_day = hourly.groupby(hourly.index.floor("D")).agg(
        open=("open", "first"), high=("high", "max"), low=("low", "min"), close=("close", "last")
    )
    pdt.assert_frame_equal(
        by_day,
        daily.loc[by_day.index, ["open", "high", "low", "close"]],
        check_names=False,
        check_freq=False,
    )


# --------------------------------------------------------------------------------------------
# Alignment


def test_day0_is_the_session_exchange_calendars_gives(
    world: DemoWorld, calendars: dict[str, xcals.ExchangeCalendar]
) -> None:
    rows = world.planted[world.planted["asset"].isin(list(BENCHMARK))]
    # minute_to_session(direction="next"): the session of a trading minute, else the next one;
    # with the default side "left" the close itself is not a trading minute, as day 0 wants.
    expected = pd.DatetimeIndex(
        [
            calendars[STOCK_CALENDAR[a]].minute_to_session(ts, direction="next")
            for a, ts in zip(rows["asset"], rows["ts"], strict=True)
        ]
    ).tz_localize("UTC")
    pdt.assert_index_equal(
        pd.DatetimeIndex(rows["day0"]), expected.as_unit("us"), check_names=False
    )
    coin = world.planted[world.planted["asset"] == "VOLT-USD"]
    pdt.assert_series_equal(coin["day0"], coin["ts"].dt.floor("D"), check_names=False)
    pdt.assert_series_equal(coin["hour0"], coin["ts"].dt.floor("h"), check_names=False)


def test_posts_around_early_closes_go_to_the_right_session(
    world: DemoWorld, calendars: dict[str, xcals.ExchangeCalendar]
) -> None:
    cal = calendars["XNYS"]
    early = [
        s for s in cal.early_closes if pd.Timestamp("2022-01-03") <= s <= pd.Timestamp("2024-12-30")
    ]
    assert len(early) >= 5
    rex = world.planted[
        (world.planted["leader"] == "rex_vale") & (world.planted["asset"] == "VLTR")
    ]
    for session in early:
        close = cal.session_close(session)
        for offset, expected in (
            (pd.Timedelta(seconds=-1), session),
            (pd.Timedelta(0), cal.next_session(session)),
            (pd.Timedelta(minutes=30), cal.next_session(session)),
        ):
            hit = rex[rex["ts"] == close + offset]
            assert len(hit) == 1, (session, offset)
            assert hit["day0"].iloc[0] == pd.Timestamp(expected, tz="UTC")


# --------------------------------------------------------------------------------------------
# Planted effects found again


def test_value_destroying_posts_show_in_the_stock(world: DemoWorld) -> None:
    residuals, beta, se = market_model_residuals(world, "VLTR")
    assert abs(beta - world.parameters["assets"]["VLTR"]["beta"]) < 4 * se
    vd = world.planted[world.planted["is_value_destroying"] & (world.planted["asset"] == "VLTR")]
    assert len(vd) == 8 and vd["day0"].is_unique
    observed = residuals.reindex(pd.DatetimeIndex(vd["day0"]))
    # Eight days with idiosyncratic sd 3 %: the mean's noise is about 1.1 %, so it lies within
    # 3.3 of it of the realised planted mean (-8 % planted: below zero with z above 6).
    assert observed.mean() < 0
    assert observed.mean() == pytest.approx(vd["planted_ar"].mean(), abs=0.035)
    statements = world.statements["rex_vale"].set_index("statement_id")
    posts = statements.loc[vd["statement_id"]]
    ratio = posts["replies"].astype(float) / posts["likes"].astype(float)
    others = statements["replies"].astype(float) / statements["likes"].astype(float)
    assert (ratio >= 1.2).all() and ratio.min() > 5 * others.median()
    assert set(vd["topic"]) == {"politics"} and set(vd["sentiment"]) == {-1}


def test_keynote_launches_show_in_the_stock(world: DemoWorld) -> None:
    residuals, _, _ = market_model_residuals(world, "KNTE")
    keynotes = world.planted[
        (world.planted["leader"] == "sam_archer") & (world.planted["channel"] == "keynote")
    ]
    observed = residuals.reindex(pd.DatetimeIndex(keynotes["day0"]))
    noise = residuals.std() / np.sqrt(len(observed))
    assert abs(observed.mean() - keynotes["planted_ar"].mean()) < 3 * noise


def test_key_person_event_shows_in_stock_coin_and_attention(world: DemoWorld) -> None:
    event = world.key_person.iloc[0]
    planted = world.planted
    residuals, _, _ = market_model_residuals(world, "VLTR")
    start = residuals.index.get_loc(event["day0"])
    window = residuals.index[start : start + 3]
    car = residuals.loc[window].sum()
    # Expected: the event's CAR plus whatever the leader's posts planted on those sessions.
    posts = planted.loc[(planted["asset"] == "VLTR") & planted["day0"].isin(window), "planted_ar"]
    # Three days of idiosyncratic sd 3 %: noise sd 5.2 %, the planted -15 % is 2.9 of it.
    assert abs(car - (event["planted_car"] + posts.sum())) < 3 * 0.03 * np.sqrt(3)
    assert car < 0

    daily = world.bars[("VOLT-USD", "1d")].set_index("ts")["close"].pct_change()
    day = event["coin_hour0"].floor("D")
    jumps = planted.loc[(planted["asset"] == "VOLT-USD") & (planted["day0"] == day), "planted_ar"]
    expected = (1 + event["planted_coin_ar"]) * np.prod(1 + jumps.to_numpy()) - 1
    daily_sd = world.parameters["assets"]["VOLT-USD"]["sigma"] * np.sqrt(24)
    assert abs(daily.loc[day] - expected) < 3 * daily_sd

    # One event: its lift is estimated from about eight days of AR(1) noise whose stationary
    # sd is 0.1, so the estimate's sd is about 0.1.
    fit = attention_fit(world, "voltra", "search_interest", key_person_apart=True)
    assert abs(fit.params["key_person"] - 1.0) < 0.4
    assert world.events.iloc[0]["event_id"] == event["event_id"]


def test_crypto_posts_move_the_coin_in_their_hour(world: DemoWorld) -> None:
    hourly = world.bars[("VOLT-USD", "1h")].set_index("ts")["close"].pct_change()
    rows = world.planted[
        (world.planted["asset"] == "VOLT-USD") & (world.planted["topic"] == "crypto")
    ]
    rows = rows[rows["hour0"] > hourly.index[0]]
    assert len(rows) > 50
    observed = hourly.reindex(pd.DatetimeIndex(rows["hour0"].unique()))
    noise = 0.007 * 1.5 / np.sqrt(len(observed))  # hourly sd, allowing for same-hour posts
    assert abs(observed.mean() - rows["planted_ar"].mean()) < 4 * noise + 0.002


def test_keynotes_lift_attention_by_the_planted_amount(world: DemoWorld) -> None:
    y = np.log1p(world.attention[("keynote", "search_interest")].set_index("ts")["value"])
    keynotes = world.planted[
        (world.planted["leader"] == "sam_archer") & (world.planted["channel"] == "keynote")
    ]
    at = [y.index.get_loc(d) for d in keynotes["attention_day0"]]
    jumps = [y.iloc[i] - y.iloc[i - 15 : i - 1].mean() for i in at]
    assert np.mean(jumps) == pytest.approx(keynotes["planted_attention_lift"].mean(), abs=0.15)


def decayed(world: DemoWorld, days: pd.DatetimeIndex, starts: list, lifts: list) -> np.ndarray:
    """Lifts starting on ``starts`` decaying as the world parameters say, summed per day."""
    attention = world.parameters["attention"]
    impulse = pd.Series(lifts, dtype=float).groupby(pd.DatetimeIndex(starts)).sum()
    impulse = impulse.reindex(days, fill_value=0.0)
    total = sum(
        impulse.shift(k, fill_value=0.0) * attention["decay_per_day"] ** k
        for k in range(attention["horizon_days"] + 1)
    )
    return np.asarray(total, dtype=float)


def attention_fit(
    world: DemoWorld, brand: str, metric: str, *, key_person_apart: bool = False
) -> sm.regression.linear_model.RegressionResultsWrapper:
    """OLS of log(1 + value) on day-of-week dummies and the planted lifts convolved with the
    planted decay (Newey-West errors: the baseline noise is AR(1)). Coefficients are 1 when the
    series holds exactly the planted lifts."""
    y = np.log1p(world.attention[(brand, metric)].set_index("ts")["value"])
    days = pd.DatetimeIndex(y.index)
    posts = world.planted.drop_duplicates("statement_id")
    posts = posts[posts["brand"] == brand]
    starts, lifts = list(posts["attention_day0"]), list(posts["planted_attention_lift"])
    columns = {}
    event = world.key_person.iloc[0]
    if event["brand"] == brand:
        event_start, event_lift = [event["attention_day0"]], [event["planted_attention_lift"]]
        if key_person_apart:
            columns["key_person"] = decayed(world, days, event_start, event_lift)
        else:
            starts, lifts = starts + event_start, lifts + event_lift
    columns["planted"] = decayed(world, days, starts, lifts)
    dow = pd.get_dummies(days.day_of_week, prefix="dow", drop_first=True, dtype=float)
    X = sm.add_constant(pd.concat([pd.DataFrame(columns), dow], axis=1))
    return sm.OLS(y.to_numpy(), X).fit(cov_type="HAC", cov_kwds={"maxlags": 7})


@pytest.mark.parametrize("brand", ["orbit", "keynote", "voltra"])
@pytest.mark.parametrize("metric", ["search_interest", "mentions"])
def test_attention_holds_the_planted_decaying_lifts(
    world: DemoWorld, brand: str, metric: str
) -> None:
    fit = attention_fit(world, brand, metric)
    assert fit.bse["planted"] < 0.1  # precise enough to tell 1 from 0 or from a halved lift
    assert abs(fit.params["planted"] - 1.0) < 4 * fit.bse["planted"]


def test_amplification_factor_is_leader_over_brand_post_lift(world: DemoWorld) -> None:
    posts = world.planted.drop_duplicates("statement_id")
    for brand, factor in world.parameters["amplification_factor"].items():
        mine = posts[posts["brand"] == brand]
        leader = mine.loc[mine["source"] == "leader", "planted_attention_lift"].mean()
        own = mine.loc[mine["source"] == "brand", "planted_attention_lift"].mean()
        assert factor == pytest.approx(leader / own, rel=1e-12)
        assert factor > 1.2  # every leader amplifies their brand


def test_share_of_voice_matches_the_planted_share(world: DemoWorld) -> None:
    names = {
        "orbit": ("Lin Wei", "林巍"),
        "keynote": ("Sam Archer",),
        "voltra": ("Rex Vale",),
    }
    for brand, planted in world.parameters["share_of_voice"].items():
        texts = world.mentions[brand]
        names_leader = texts["text"].str.contains("|".join(names[brand]))
        n = len(texts)
        share = names_leader.mean()
        assert abs(share - planted["leader_share"]) < 4 * np.sqrt(0.25 / n)
        weighted = texts.loc[names_leader, "engagement"].sum() / texts["engagement"].sum()
        assert weighted == pytest.approx(planted["engagement_weighted_share"], abs=0.06)
        assert (
            texts["text"]
            .str.contains(world.brands.set_index("brand_id").loc[brand, "name"].split()[0])
            .all()
        )


# --------------------------------------------------------------------------------------------
# Archetypes


def test_influencer_posts_at_night_at_weekends_and_on_holidays(
    world: DemoWorld, calendars: dict[str, xcals.ExchangeCalendar]
) -> None:
    ts = world.statements["rex_vale"]["ts"]
    local = ts.dt.tz_convert("America/New_York")
    assert (local.dt.day_of_week >= 5).sum() > 150
    sessions = set(calendars["XNYS"].sessions_in_range("2022-01-03", "2024-12-31").date)
    weekday_dates = local.dt.date[local.dt.day_of_week < 5]
    holidays = weekday_dates[~weekday_dates.isin(sessions)]
    assert holidays.nunique() >= 10
    assert ((ts.dt.hour >= 0) & (ts.dt.hour < 6)).sum() > 300  # US night, in UTC
    days = (ts.max() - ts.min()).days
    assert len(ts) / days > 1.5  # several posts a day


def test_archetypes(world: DemoWorld) -> None:
    sam = world.statements["sam_archer"]
    keynotes = sam[sam["channel"] == "keynote"]
    per_year = keynotes.groupby(keynotes["ts"].dt.year).size()
    assert per_year.between(2, 4).all() and len(sam) < 150
    lin = world.statements["lin_wei"]
    assert {"keynote", "livestream", "video", "weibo", "x"} <= set(lin["channel"])
    assert {"zh", "en"} <= set(lin["language"])
    weibo = lin[lin["channel"] == "weibo"]
    assert weibo["is_reply"].mean() > 0.5
    assert weibo["text"].str.contains("[\u4e00-\u9fff]").all()  # written in Chinese
    sentiment = world.planted.drop_duplicates("statement_id").groupby("leader")["sentiment"]
    assert sentiment.mean()["lin_wei"] > 0.6 > sentiment.mean()["rex_vale"]
