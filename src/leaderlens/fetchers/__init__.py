"""Live sources: fetch prices, crypto bars, search interest and posts into a workspace.

Each connector imports its library lazily (``pip install 'leaderlens[fetch]'``), asks only for
what the workspace lacks, stores page by page through the workspace's ``ingest_*`` methods and
returns a :class:`FetchReport`.
"""

from leaderlens.fetchers.common import Backoff, FetchReport, SystemClock
from leaderlens.fetchers.crypto import fetch_crypto
from leaderlens.fetchers.stitch import Chained, Stitched, chain_window, stitch_windows
from leaderlens.fetchers.trends import fetch_attention
from leaderlens.fetchers.x import fetch_posts
from leaderlens.fetchers.yahoo import fetch_prices

__all__ = [
    "Backoff",
    "Chained",
    "FetchReport",
    "Stitched",
    "SystemClock",
    "chain_window",
    "fetch_attention",
    "fetch_crypto",
    "fetch_posts",
    "fetch_prices",
    "stitch_windows",
]
