"""Who is in the demo world and what each of them plants: leaders, brands, assets, posting plans.

Everything here is a constant: the random draws happen in :mod:`leaderlens.demo.world`. The
three leaders are invented and follow three archetypes that leaderlens is built to tell apart:

* **Lin Wei** of *Orbit* (Hong Kong listed): a "chief experience officer" founder. Regular launch
  keynotes and monthly livestreams, product test-drive videos, many warm replies to fans on
  Weibo, mostly positive, in Chinese and English. His everyday closeness to fans gives him the
  highest attention lift per post and the highest amplification over his brand's own posts.
* **Sam Archer** of *Keynote Co* (New York listed): a keynote showman. Three or four launch
  keynotes a year with large attention lifts and moderate abnormal returns; few other posts,
  which add little attention.
* **Rex Vale** of *Voltra* (New York listed) and the coin *VOLT-USD*: a controversial super
  influencer. Several posts a day on X at every hour, weekends and holidays included, that move
  the stock and the coin; a few value-destroying political posts and a key-person health event.

Effects are stated as means per (owner, channel, topic): ``ar`` is the planted abnormal simple
return of the owner's stock on day 0, ``coin_ar`` the planted abnormal simple return of the coin
in the hour containing the post, ``tone_ar`` is added per unit of sentiment sign (+1, 0, -1) and
``lift`` is the mean planted attention lift in log points of ``log(1 + value)`` on day 0.
"""

from __future__ import annotations

from dataclasses import dataclass

START = "2022-01-03"  # first session of the demo calendars
END = "2024-12-31"  # last session
POSTS_END = "2024-12-30"  # statements stop here so that every day 0 is inside the calendars
HOURLY_START = "2024-01-01"  # hourly coin bars are kept from here (about one year)


@dataclass(frozen=True)
class Leader:
    """A leader of the demo world."""

    leader_id: str
    name: str
    company: str
    brand_id: str
    handles: tuple[tuple[str, str], ...]
    id_prefix: str  # statement ids are the prefix and a running number
    local_name: str  # how Chinese-language texts write the name


@dataclass(frozen=True)
class Brand:
    """A brand: its stock (and coin), its attention baselines and its conversation."""

    brand_id: str
    name: str
    query_terms: tuple[str, ...]
    leader_id: str
    product: str  # the product named in texts
    stock: str  # asset id of the company's stock
    coin: str | None  # asset id of a coin the leader talks about
    search_baseline: float  # typical daily search interest (0-100 scale)
    mentions_baseline: float  # typical daily mention count
    mentions_per_day: float  # mention texts kept per day (a sample of the counts)
    leader_share: float  # share of mention texts that also name the leader
    chinese_mentions: float  # share of mention texts written in Chinese
    platforms: tuple[tuple[str, float], ...]  # where the mention texts come from


@dataclass(frozen=True)
class Asset:
    """A tradable series and its market-model parameters (MacKinlay 1997)."""

    asset_id: str
    name: str
    kind: str  # stock, index or crypto
    calendar: str  # XNYS, XHKG or 24/7
    benchmark: str | None
    alpha: float  # daily (hourly for the coin) mean return besides the benchmark
    beta: float
    sigma: float  # idiosyncratic volatility per bar (daily; hourly for the coin)
    start_price: float
    volume: float  # typical volume per bar


@dataclass(frozen=True)
class Plan:
    """How one owner (leader or brand) posts on one channel.

    A plan is either *Poisson* (``rate`` posts a day, times of day from a wrapped normal around
    ``hour_mean`` UTC mixed with a uniform share) or *calendar* (one post in each of ``months``
    every year, plus each of ``optional_months`` with probability one half, on a day drawn from
    ``days`` moved forward to ``weekday`` when given, at one of the UTC ``hours``).
    """

    owner: str
    channel: str
    topics: tuple[tuple[str, float], ...]
    rate: float = 0.0
    weekend_factor: float = 1.0
    hour_mean: float = 12.0
    hour_sd: float = 3.0
    hour_uniform: float = 0.3
    months: tuple[int, ...] = ()
    optional_months: tuple[int, ...] = ()
    days: tuple[int, int] = (1, 28)
    weekday: int | None = None
    hours: tuple[float, ...] = ()
    sentiment: tuple[float, float, float] = (0.6, 0.3, 0.1)  # P(+1), P(0), P(-1)
    chinese: float = 0.0
    replies: float = 0.0
    likes_log: float | None = 8.0  # mean log likes; None: no like counts (keynotes)
    likes_sd: float = 1.0
    views_log: float = 10.0  # mean log views when there are no likes


@dataclass(frozen=True)
class Effect:
    """Planted mean effects of one (owner, channel, topic) cell; see the module docstring."""

    owner: str
    channel: str
    topic: str
    ar: float
    lift: float
    coin_ar: float = 0.0
    tone_ar: float = 0.0


# fmt: off
LEADERS: tuple[Leader, ...] = (
    Leader("lin_wei", "Lin Wei", "Orbit Technology", "orbit",
           (("weibo", "林巍"), ("x", "@linwei_orbit")), "lw", "林巍"),
    Leader("sam_archer", "Sam Archer", "Keynote Co", "keynote", (("x", "@samarcher"),), "sa",
           "Sam Archer"),
    Leader("rex_vale", "Rex Vale", "Voltra", "voltra", (("x", "@rexvale"),), "rv", "Rex Vale"),
)

BRANDS: tuple[Brand, ...] = (
    Brand("orbit", "Orbit", ("Orbit", "奥比特"), "lin_wei", "Orbit X5", "ORBT.HK", None,
          search_baseline=25.0, mentions_baseline=800.0, mentions_per_day=4.0,
          leader_share=0.35, chinese_mentions=0.7, platforms=(("weibo", 0.6), ("x", 0.2),
                                                              ("news", 0.1), ("forum", 0.1))),
    Brand("keynote", "Keynote Co", ("Keynote Co", "Keynote One"), "sam_archer", "Keynote One",
          "KNTE", None, search_baseline=12.0, mentions_baseline=300.0, mentions_per_day=3.0,
          leader_share=0.2, chinese_mentions=0.0, platforms=(("x", 0.6), ("news", 0.25),
                                                             ("forum", 0.15))),
    Brand("voltra", "Voltra", ("Voltra", "VOLT"), "rex_vale", "Voltra V", "VLTR", "VOLT-USD",
          search_baseline=18.0, mentions_baseline=2000.0, mentions_per_day=5.0,
          leader_share=0.6, chinese_mentions=0.0, platforms=(("x", 0.75), ("news", 0.1),
                                                             ("forum", 0.15))),
)

ASSETS: tuple[Asset, ...] = (
    Asset("HKX", "Hong Kong market index (demo)", "index", "XHKG", None,
          0.0001, 1.0, 0.013, 23000.0, 2.0e9),
    Asset("USX", "US market index (demo)", "index", "XNYS", None,
          0.0003, 1.0, 0.011, 4700.0, 3.5e9),
    Asset("ORBT.HK", "Orbit Technology (demo)", "stock", "XHKG", "HKX",
          0.0002, 1.2, 0.022, 18.0, 6.0e7),
    Asset("KNTE", "Keynote Co (demo)", "stock", "XNYS", "USX",
          0.0003, 1.0, 0.013, 150.0, 4.0e7),
    Asset("VLTR", "Voltra (demo)", "stock", "XNYS", "USX",
          0.0002, 1.7, 0.030, 240.0, 9.0e7),
    Asset("VOLT-USD", "VOLT coin (demo)", "crypto", "24/7", None,
          0.0, 0.0, 0.007, 0.25, 4.0e6),
)

PLANS: tuple[Plan, ...] = (
    # Lin Wei: launch keynotes after the Hong Kong close or during the session, monthly
    # livestreams in the Beijing evening, test-drive videos, warm replies on Weibo.
    Plan("lin_wei", "keynote", (("launch", 1.0),), months=(3, 5, 8, 11), days=(10, 25),
         hours=(6.0, 11.5), sentiment=(0.95, 0.05, 0.0), chinese=0.7, likes_log=None,
         views_log=15.0),
    Plan("lin_wei", "livestream", (("product", 0.6), ("customer", 0.4)),
         months=tuple(range(1, 13)), hours=(12.0,), sentiment=(0.85, 0.15, 0.0), chinese=0.9,
         likes_log=11.0, likes_sd=0.5, views_log=14.0),
    Plan("lin_wei", "video", (("product", 1.0),), rate=0.07, hour_mean=7.0, hour_sd=3.0,
         hour_uniform=0.2, sentiment=(0.85, 0.15, 0.0), chinese=0.6, likes_log=10.5),
    Plan("lin_wei", "weibo", (("customer", 0.6), ("product", 0.25), ("team", 0.15)), rate=0.6,
         sentiment=(0.8, 0.17, 0.03), chinese=1.0, replies=0.7, likes_log=8.5),
    Plan("lin_wei", "x", (("product", 0.5), ("customer", 0.3), ("team", 0.2)), rate=0.15,
         sentiment=(0.8, 0.17, 0.03), replies=0.4, likes_log=7.0),
    # Sam Archer: three or four keynotes a year on a Tuesday during the New York session.
    Plan("sam_archer", "keynote", (("launch", 1.0),), months=(3, 6, 9), optional_months=(12,),
         days=(8, 14), weekday=1, hours=(17.0,), sentiment=(0.95, 0.05, 0.0), likes_log=None,
         views_log=16.0),
    Plan("sam_archer", "interview", (("product", 0.5), ("finance", 0.5)), months=(4, 10),
         hours=(14.0, 18.0, 22.0), sentiment=(0.6, 0.35, 0.05), likes_log=None, views_log=13.0),
    Plan("sam_archer", "press", (("finance", 1.0),), months=(2, 5, 8, 11), days=(1, 10),
         hours=(20.5,), sentiment=(0.5, 0.2, 0.3), likes_log=None, views_log=11.0),
    Plan("sam_archer", "x", (("product", 0.6), ("team", 0.4)), rate=0.05, hour_mean=18.0,
         hour_sd=3.0, hour_uniform=0.2, sentiment=(0.7, 0.28, 0.02), likes_log=9.0),
    # Rex Vale: posts at every hour, more at weekends, about everything.
    Plan("rex_vale", "x", (("product", 0.28), ("crypto", 0.15), ("personal", 0.30),
                           ("finance", 0.10), ("politics", 0.12), ("team", 0.05)),
         rate=2.0, weekend_factor=1.2, hour_mean=3.5, hour_sd=3.5, hour_uniform=0.35,
         sentiment=(0.45, 0.30, 0.25), replies=0.45, likes_log=10.5, likes_sd=1.0),
    Plan("rex_vale", "interview", (("product", 0.6), ("finance", 0.4)), months=(1, 4, 7, 10),
         hours=(15.0, 19.0, 23.0), sentiment=(0.6, 0.3, 0.1), likes_log=None, views_log=14.0),
    # Official brand channels.
    Plan("orbit", "weibo", (("product", 0.5), ("customer", 0.3), ("team", 0.2)), rate=0.8,
         sentiment=(0.8, 0.2, 0.0), chinese=1.0, likes_log=6.5),
    Plan("orbit", "x", (("product", 0.6), ("customer", 0.4)), rate=0.2,
         sentiment=(0.8, 0.2, 0.0), likes_log=5.5),
    Plan("keynote", "x", (("product", 0.7), ("team", 0.3)), rate=0.4, hour_mean=17.0,
         sentiment=(0.8, 0.2, 0.0), likes_log=6.0),
    Plan("keynote", "press", (("finance", 1.0),), rate=0.03, hour_mean=13.0, hour_sd=1.0,
         hour_uniform=0.0, sentiment=(0.6, 0.4, 0.0), likes_log=None, views_log=9.0),
    Plan("voltra", "x", (("product", 0.8), ("team", 0.2)), rate=0.5, hour_mean=16.0,
         sentiment=(0.85, 0.15, 0.0), likes_log=7.5),
)

# Lifts: Lin Wei's many Weibo / X posts, videos and livestreams give him the highest mean lift
# per post and over his brand's posts; Sam Archer's rare keynotes stay his one big moment.
EFFECTS: tuple[Effect, ...] = (
    Effect("lin_wei", "keynote", "launch", ar=0.015, lift=0.70),
    Effect("lin_wei", "livestream", "product", ar=0.005, lift=0.44),
    Effect("lin_wei", "livestream", "customer", ar=0.002, lift=0.37),
    Effect("lin_wei", "video", "product", ar=0.004, lift=0.32),
    Effect("lin_wei", "weibo", "customer", ar=0.0, lift=0.14),
    Effect("lin_wei", "weibo", "product", ar=0.001, lift=0.17),
    Effect("lin_wei", "weibo", "team", ar=0.0, lift=0.09),
    Effect("lin_wei", "x", "product", ar=0.001, lift=0.10),
    Effect("lin_wei", "x", "customer", ar=0.0, lift=0.08),
    Effect("lin_wei", "x", "team", ar=0.0, lift=0.06),
    Effect("sam_archer", "keynote", "launch", ar=0.015, lift=0.80),
    Effect("sam_archer", "interview", "product", ar=0.003, lift=0.12),
    Effect("sam_archer", "interview", "finance", ar=0.002, lift=0.08),
    Effect("sam_archer", "press", "finance", ar=0.0, lift=0.06, tone_ar=0.01),
    Effect("sam_archer", "x", "product", ar=0.001, lift=0.03),
    Effect("sam_archer", "x", "team", ar=0.0, lift=0.02),
    Effect("rex_vale", "x", "product", ar=0.003, lift=0.05, coin_ar=0.001, tone_ar=0.001),
    Effect("rex_vale", "x", "crypto", ar=0.0, lift=0.04, coin_ar=0.025),
    Effect("rex_vale", "x", "personal", ar=0.0, lift=0.02),
    Effect("rex_vale", "x", "finance", ar=0.002, lift=0.03, tone_ar=0.002),
    Effect("rex_vale", "x", "politics", ar=-0.002, lift=0.08, coin_ar=-0.003),
    Effect("rex_vale", "x", "team", ar=0.001, lift=0.02),
    Effect("rex_vale", "interview", "product", ar=0.005, lift=0.20),
    Effect("rex_vale", "interview", "finance", ar=0.003, lift=0.15),
    Effect("orbit", "weibo", "product", ar=0.0, lift=0.04),
    Effect("orbit", "weibo", "customer", ar=0.0, lift=0.03),
    Effect("orbit", "weibo", "team", ar=0.0, lift=0.02),
    Effect("orbit", "x", "product", ar=0.0, lift=0.03),
    Effect("orbit", "x", "customer", ar=0.0, lift=0.02),
    Effect("keynote", "x", "product", ar=0.0, lift=0.05),
    Effect("keynote", "x", "team", ar=0.0, lift=0.03),
    Effect("keynote", "press", "finance", ar=0.0, lift=0.04),
    Effect("voltra", "x", "product", ar=0.0, lift=0.03),
    Effect("voltra", "x", "team", ar=0.0, lift=0.02),
)

# fmt: on

# Value-destroying posts: political outbursts with a large negative abnormal return, a high
# replies/likes ratio (the controversy proxy of METHODS.md section 4) and a large attention lift.
VALUE_DESTROYING = Effect("rex_vale", "x", "politics", ar=-0.08, lift=0.60, coin_ar=-0.03)
VALUE_DESTROYING_COUNT = 8
VALUE_DESTROYING_REPLY_RATIO = (1.2, 2.5)  # replies / likes drawn uniformly in this range

# Key-person event: the influencer's health scare, a news moment rather than a statement.
KEY_PERSON_LEADER = "rex_vale"
KEY_PERSON_KIND = "health"
KEY_PERSON_TITLE = "Reports: Rex Vale hospitalised; Voltra says its CEO is recovering"
KEY_PERSON_STOCK_ARS = (-0.09, -0.04, -0.02)  # days 0, 1, 2
KEY_PERSON_COIN_AR = -0.12  # in the hour of the news: the coin leans on one person
KEY_PERSON_LIFT = 1.0

HETEROGENEITY = 0.25  # per-statement sd of the planted AR, as a share of the cell's |mean|
LIFT_DISPERSION = 0.25  # sd of the log of the per-statement lift (mean kept at the cell's)
ATTENTION_DECAY = 0.5  # a planted lift falls to this share of itself each following day
ATTENTION_HORIZON = 7  # days after day 0 a planted lift is still added
WEEKLY_SEARCH = (0.03, 0.04, 0.04, 0.03, 0.0, -0.08, -0.06)  # Monday..Sunday, log points
WEEKLY_MENTIONS = (0.05, 0.05, 0.04, 0.03, 0.0, -0.1, -0.07)
SEARCH_NOISE = (0.6, 0.08)  # AR(1) coefficient, innovation sd of log(1 + search interest)
MENTIONS_NOISE = (0.5, 0.10)
LEADER_MENTION_ENGAGEMENT = 2.0  # mentions naming the leader draw this many times more engagement
