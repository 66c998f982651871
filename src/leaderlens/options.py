"""The closed option sets, each spelled once.

Each set is a ``Literal`` type (what type checkers, the command line's ``--help`` and shell
completion read) and the tuple of its values (what :func:`leaderlens.errors.check_choice` tests
at the door of the Python API). Library modules, the command line and the web API all import
them from here. This module imports nothing but ``typing``: the command line reads it before any
command runs.
"""

from __future__ import annotations

from typing import Literal, get_args

# Reading files
OnBadRows = Literal["error", "skip"]
ON_BAD_ROWS: tuple[str, ...] = get_args(OnBadRows)
OnConflict = Literal["error", "keep", "replace"]
ON_CONFLICT: tuple[str, ...] = get_args(OnConflict)
Channel = Literal["x", "weibo", "keynote", "video", "interview", "livestream", "press", "other"]
CHANNELS: tuple[str, ...] = get_args(Channel)
PriceFormat = Literal["yahoo", "yfinance", "semicolon", "binance", "cryptodatadownload", "generic"]
PRICE_FORMATS: tuple[str, ...] = get_args(PriceFormat)
StatementFormat = Literal["csv", "jsonl", "parquet", "x-archive"]
STATEMENT_FORMATS: tuple[str, ...] = get_args(StatementFormat)
MentionFormat = Literal["csv", "jsonl", "parquet"]
MENTION_FORMATS: tuple[str, ...] = get_args(MentionFormat)
AttentionFormat = Literal["google-trends", "generic"]
ATTENTION_FORMATS: tuple[str, ...] = get_args(AttentionFormat)

# Bars and buckets
PriceFreq = Literal["1d", "1h", "1m"]
PRICE_FREQS: tuple[str, ...] = get_args(PriceFreq)
AttentionFreq = Literal["1d", "1h"]
ATTENTION_FREQS: tuple[str, ...] = get_args(AttentionFreq)
# The grains attention series are analysed on (weekly and monthly: Google Trends over long spans).
GridFreq = Literal["1h", "1d", "1w", "1mo"]
GRID_FREQS: tuple[str, ...] = get_args(GridFreq)
BucketFreq = Literal["1h", "1d", "1w"]
BUCKET_FREQS: tuple[str, ...] = get_args(BucketFreq)

# Event studies
PlainModel = Literal["constant-mean", "market-adjusted", "market"]  # no factors file needed
PLAIN_MODELS: tuple[str, ...] = get_args(PlainModel)
Model = Literal[PlainModel, "factor"]
MODELS: tuple[str, ...] = get_args(Model)
Returns = Literal["simple", "log"]
RETURN_TYPES: tuple[str, ...] = get_args(Returns)
FirstBar = Literal["containing", "next full"]
FIRST_BARS: tuple[str, ...] = get_args(FirstBar)
CrossSessions = Literal["exclude", "keep"]
CROSS_SESSIONS: tuple[str, ...] = get_args(CrossSessions)
Convention = Literal["textbook", "estudy2"]
CONVENTIONS: tuple[str, ...] = get_args(Convention)
Tests = Literal["all", "per-event"]
TESTS: tuple[str, ...] = get_args(Tests)
Measure = Literal["returns", "volume", "volatility"]
MEASURES: tuple[str, ...] = get_args(Measure)
VolatilityModel = Literal["estimation", "garch"]
VOLATILITY_MODELS: tuple[str, ...] = get_args(VolatilityModel)
FdrMethod = Literal["bh", "by"]  # Benjamini-Hochberg, Benjamini-Yekutieli
FDR_METHODS: tuple[str, ...] = get_args(FdrMethod)
EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = get_args(EngineName)

# Attention
Seasonal = Literal["none", "weekly"]
SEASONALS: tuple[str, ...] = get_args(Seasonal)
Source = Literal["statements", "brand_posts"]
SOURCES: tuple[str, ...] = get_args(Source)
PlaybookBy = Literal["channel", "topic", "sentiment"]
PLAYBOOK_BY: tuple[str, ...] = get_args(PlaybookBy)
CascadeSplit = Literal["none", "channel", "topic"]  # how posts split into Hawkes marks
CASCADE_SPLITS: tuple[str, ...] = get_args(CascadeSplit)

# Text
Sentiment = Literal["lexicon", "embedding"]
SENTIMENTS: tuple[str, ...] = get_args(Sentiment)
PersonaBy = Literal["all", "year", "quarter"]
PERSONA_BY: tuple[str, ...] = get_args(PersonaBy)

# Output and sources
ReportFormat = Literal["html", "json"]
REPORT_FORMATS: tuple[str, ...] = get_args(ReportFormat)
TableFormat = Literal["csv", "json", "parquet"]
TABLE_FORMATS: tuple[str, ...] = get_args(TableFormat)
Platform = Literal["x"]
PLATFORMS: tuple[str, ...] = get_args(Platform)
