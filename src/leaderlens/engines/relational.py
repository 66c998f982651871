"""The relational steps of the event study, written once as SQL that DuckDB and Spark SQL accept.

DESIGN "Computing at scale": *gather* and *reduce* are relational and run on whichever engine
holds the data; the *finish* is NumPy on small per-event tables. Every statement here is plain
SQL text in the dialect both engines share: common table expressions, window functions with
``ROWS`` frames, equality joins, ``CASE``, ``VALUES`` tables, and the functions ``unix_micros``,
``ln``, ``sign``, ``isnan``, ``median``, ``array_agg`` and ``array_sort`` (the DuckDB engine
defines ``unix_micros`` as a macro over ``epoch_us``). No engine-specific path exists for any
statistic.

Inputs are two relations registered by the engine:

* bars ``(asset, ts, close)`` or ``(asset, ts, ret)``: one row per bar, ``ts`` the bar's UTC
  instant; an asset's bars, in time order, are its grid (bar ``k = 1, 2, ...``).
* events ``(asset, time)``: one row per event, ``time`` its UTC instant.

Steps, as in :mod:`leaderlens.study.running` (running sums of values centred on the asset's
full-sample means, so that a window's centred cross-products do not cancel catastrophically):

1. :func:`series_sql` numbers each asset's bars, forms returns, joins the market's return at
   the same instant and keeps running sums of the centred values and their products.
2. :func:`day0_sql` finds each event's day 0 (the first bar at or after the event's instant:
   one window pass over events and bars merged in time order, no range join).
   :func:`reduce_sql` merges the events of one asset that share day 0 into one event, then
   gathers, in one equality join on ``(asset, k0 + offset)``, the running sums at the
   estimation window's two ends and the values of the event window. One row per event comes
   back: window sums and L values, never the event-time panel.
3. :func:`rank_sql` is the second pass of the battery: fitted parameters of the valid events
   are joined back, abnormal values formed over the estimation and event rows inside the engine,
   ranked within each event by a window function, and only sums by relative bar (J rows), by
   event (N rows) and by calendar instant come back.

Attention lifts (:mod:`leaderlens.attention.engine_lifts`) take the same shape on UTC buckets
instead of bars: :func:`lift_grid_sql` buckets ``ll_attention`` (``series, ts, value``) and
:func:`lift_reduce_sql` gathers each event's windows from it by one equality join and reduces
them to :class:`~leaderlens.attention.lift.LiftSums`, one row per event.
"""

from __future__ import annotations

import re

from leaderlens.errors import BadInputError

BARS = "ll_bars"
EVENTS = "ll_events"
FITS = "ll_fits"
MENTIONS = "ll_mentions"
SERIES = "ll_series"  # series_sql's result, materialized once per study by the engine
DAY0 = "ll_day0"  # day0_sql's result, materialized once per study by the engine

SUMS = ("cn", "cr", "cm", "crr", "cmm", "crm")

_NAME = re.compile(r"^[A-Za-z0-9_.^=\-/: ]+$")


def literal(value: str, field: str) -> str:
    """An asset id as a SQL string literal; ids with quotes or control characters are refused
    (the two engines escape quotes differently)."""
    if not _NAME.match(value):
        raise BadInputError(
            f"asset id {value!r} has characters a query cannot carry "
            "(letters, digits, spaces and _ . ^ = - / : are allowed)",
            field=field,
        )
    return f"'{value}'"


def _values(rows: list[tuple[int, int]], names: str) -> str:
    """An inline ``VALUES`` table with two integer columns."""
    body = ", ".join(f"({a}, {b})" for a, b in rows)
    return f"(VALUES {body}) AS {names}"


def series_sql(*, price: str, returns: str, market: str | None) -> str:
    """The ``ll_series`` relation (a query): each asset's bars numbered ``k`` in time
    order, the return ``r``, the market's return ``m`` at the same instant (NULL without a
    market), the per-asset means over usable bars and the running sums (module docstring).
    Only the assets of ``ll_events`` and the market are read: each asset's numbers depend on
    its own bars and the market's alone, and a lake's other assets would cost a window pass.

    ``price``: ``"close"`` (returns from consecutive closes) or ``"ret"`` (returns given).
    ``returns``: ``"simple"`` or ``"log"`` (used with ``close``).
    """
    order = "PARTITION BY asset ORDER BY t"
    if price == "close":
        prev = f"LAG(close) OVER ({order})"
        ret = f"ln(close / {prev})" if returns == "log" else f"close / {prev} - 1"
    else:
        ret = "ret"
    m_expr = "mk.r" if market is not None else "CAST(NULL AS DOUBLE)"
    market_join = (
        f"LEFT JOIN cleaned mk ON mk.asset = {literal(market, 'market')} AND mk.t = b.t"
        if market is not None
        else ""
    )
    studied = f"asset IN (SELECT asset FROM {EVENTS})" + (
        f" OR asset = {literal(market, 'market')}" if market is not None else ""
    )
    return f"""WITH raw AS (
        SELECT asset, unix_micros(CAST(ts AS TIMESTAMP)) AS t, {price} FROM {BARS}
        WHERE {studied}),
    numbered AS (
        SELECT asset, t, ROW_NUMBER() OVER ({order}) AS k, CAST({ret} AS DOUBLE) AS r0
        FROM raw),
    cleaned AS (
        SELECT asset, t, k, CASE WHEN isnan(r0) THEN NULL ELSE r0 END AS r FROM numbered),
    paired AS (
        SELECT b.asset, b.t, b.k, b.r, {m_expr} AS m
        FROM cleaned b {market_join}),
    {running_ctes(market=market is not None)}
    SELECT * FROM series"""


def running_ctes(*, market: bool) -> str:
    """The CTEs ``flagged`` .. ``series`` over a relation ``paired (asset, t, k, r, m)``
    (NULL for a missing value; ``m`` all NULL without a market): the usable flag, the
    per-asset means over usable bars, and the running sums ``cn .. crm`` of the centred values
    and their products in ``k`` order. The one definition of the running sums, run by the
    engines (:func:`series_sql`) and by the workspace's series cache
    (:mod:`leaderlens.study.running`)."""
    ok = "r IS NOT NULL" + (" AND m IS NOT NULL" if market else "")
    mc = "CASE WHEN ok = 1 THEN m - mean_m ELSE 0.0 END" if market else "0.0"
    return f"""flagged AS (
        SELECT asset, t, k, r, m, CASE WHEN {ok} THEN 1 ELSE 0 END AS ok FROM paired),
    centred AS (
        SELECT asset, t, k, r, m, ok,
               COALESCE(AVG(CASE WHEN ok = 1 THEN r END) OVER (PARTITION BY asset), 0.0)
                   AS mean_r,
               COALESCE(AVG(CASE WHEN ok = 1 THEN m END) OVER (PARTITION BY asset), 0.0)
                   AS mean_m
        FROM flagged),
    deviations AS (
        SELECT asset, t, k, r, m, ok, mean_r, mean_m,
               CASE WHEN ok = 1 THEN r - mean_r ELSE 0.0 END AS rc,
               {mc} AS mc
        FROM centred),
    series AS (
        SELECT asset, t, k, r, m, mean_r, mean_m,
               SUM(ok) OVER w AS cn, SUM(rc) OVER w AS cr, SUM(mc) OVER w AS cm,
               SUM(rc * rc) OVER w AS crr, SUM(mc * mc) OVER w AS cmm, SUM(rc * mc) OVER w AS crm
        FROM deviations
        WINDOW w AS (PARTITION BY asset ORDER BY k
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))"""


def day0_sql(*, label: bool) -> str:
    """The ``ll_day0`` relation (a query): each event numbered ``i`` (by time, then asset)
    with ``te`` (its instant), ``label`` (the events' ``label`` column as text with
    ``label=True``; the asset id without one, or where it is NULL) and ``k0``, the first bar
    of its asset at or after its instant (NULL when none). The running minimum runs from the
    latest instant backwards (a running frame: engines compute a frame that ends at UNBOUNDED
    FOLLOWING row by row, quadratic per asset on Spark); bars sort before events of the same
    instant there, so a bar stamped exactly at the event is its day 0."""
    text = "COALESCE(CAST(label AS STRING), asset)" if label else "asset"
    return f"""WITH ev AS (
        SELECT ROW_NUMBER() OVER (ORDER BY te, asset) - 1 AS i, asset, te, label
        FROM (SELECT asset, unix_micros(CAST(time AS TIMESTAMP)) AS te, {text} AS label
              FROM {EVENTS} WHERE time IS NOT NULL) x),
    merged AS (
        SELECT i, asset, te AS t, label, 0 AS kind, CAST(NULL AS BIGINT) AS k FROM ev
        UNION ALL
        SELECT CAST(NULL AS BIGINT) AS i, asset, t, CAST(NULL AS STRING) AS label, 1 AS kind, k
        FROM {SERIES})
    SELECT i, asset, t AS te, label, k0 FROM (
        SELECT i, asset, t, label, kind,
               MIN(k) OVER (PARTITION BY asset ORDER BY t DESC, kind DESC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS k0
        FROM merged) y
    WHERE kind = 0"""


def members_sql() -> str:
    """Every event of ``ll_day0`` with its day 0 (``i, asset, k0``): which events
    :func:`reduce_sql` merged (one row per event, never the panel)."""
    return f"SELECT i, asset, k0 FROM {DAY0}"


def reduce_sql(
    *,
    estimation: tuple[int, int],
    window: tuple[int, int],
) -> str:
    """One row per event of ``ll_day0``, events of one asset sharing day 0 merged into one
    (as the workspace path merges statements of one bar): ``i`` (its first event), ``asset``,
    ``label`` (its first event's), ``te`` (the first instant, UTC microseconds), ``k0``
    (NULL: no bar at or after it), ``n_posts`` (events merged), ``t0`` (day 0's instant),
    ``mean_r, mean_m`` (centring constants),
    the estimation-window sums ``cn .. crm`` and the event-window values ``r_0 .. r_{L-1}``,
    ``m_0 .. m_{L-1}``.

    The running sums at ``k0 + e1 - 1`` and ``k0 + e2`` are picked by the same equality join as
    the event-window bars; a window end before an asset's first bar contributes 0.
    """
    e1, e2 = estimation
    t1, t2 = window
    length = t2 - t1 + 1
    # j = 0, 1: the estimation window's ends; j = 2: day 0; j = 3 + l: event-window bar l.
    offsets = [(0, e1 - 1), (1, e2), (2, 0)] + [(3 + j, t1 + j) for j in range(length)]
    sums = ",\n               ".join(
        f"COALESCE(MAX(CASE WHEN j = 1 THEN {s} END), 0) - "
        f"COALESCE(MAX(CASE WHEN j = 0 THEN {s} END), 0) AS {s}"
        for s in SUMS
    )
    values = ",\n               ".join(
        f"MAX(CASE WHEN j = {3 + j} THEN {v} END) AS {v}_{j}"
        for v in ("r", "m")
        for j in range(length)
    )
    columns = ["t0", "mean_r", "mean_m", *SUMS] + [
        f"{v}_{j}" for v in ("r", "m") for j in range(length)
    ]
    return f"""WITH day0 AS (
        SELECT MIN(i) AS i, asset, MIN(te) AS te, k0, COUNT(*) AS n_posts
        FROM {DAY0} WHERE k0 IS NOT NULL GROUP BY asset, k0
        UNION ALL
        SELECT i, asset, te, k0, 1 AS n_posts FROM {DAY0} WHERE k0 IS NULL),
    picked AS (
        SELECT d.i, o.j, s.t, s.r, s.m, s.mean_r, s.mean_m,
               s.cn, s.cr, s.cm, s.crr, s.cmm, s.crm
        FROM day0 d CROSS JOIN {_values(offsets, "o(j, off)")}
        JOIN {SERIES} s ON s.asset = d.asset AND s.k = d.k0 + o.off),
    reduced AS (
        SELECT i, MAX(CASE WHEN j = 2 THEN t END) AS t0,
               MAX(mean_r) AS mean_r, MAX(mean_m) AS mean_m,
               {sums},
               {values}
        FROM picked GROUP BY i)
    SELECT d.i, d.asset, f.label, d.te, d.k0, d.n_posts, {", ".join("r." + c for c in columns)}
    FROM day0 d JOIN {DAY0} f ON f.i = d.i LEFT JOIN reduced r ON r.i = d.i
    ORDER BY d.i"""


def rank_sql(
    *,
    model: str,
    estimation: tuple[int, int],
    window: tuple[int, int],
) -> str:
    """The battery's second pass over the valid events in ``ll_fits`` (columns ``i, asset,
    k0, alpha, beta, s, g0``: day 0, the fitted intercept and slope, the residual sd and the
    event's standardized CAR divided by the cross-sectional sd of those, GRANK-T's event point).

    Abnormal values ``ar = r - alpha - beta m`` (constant mean: ``r - alpha``) over the
    estimation rows (``j < T``) and the event rows (``T <= j < T + L``) with usable values.
    Returns rows tagged by ``part``:

    * ``'bar'`` (key ``j``): ``n`` values present, ``s_ar`` their sum (the estimation AAR),
      ``d_rank``, ``d_u``, ``d_sign``: sums of the centred rank ``K - (n_i + 1)/2``, of
      ``K/(n_i + 1) - 1/2`` and of ``sign(ar - median_i)`` (Corrado 1989; Corrado & Zivney 1992;
      ranks averaged over ties), ``d_g``: sum of GRANK-T's ``U`` (estimation bars only).
    * ``'grank'`` (key 0): the same ``n`` and ``d_g`` of the collapsed event point.
    * ``'event'`` (key ``i``): ``n`` values ranked, ``n_est`` estimation residuals,
      ``pos``: how many of those are positive.
    * ``'norm'`` (key ``i``): ``norm``, the centred sum of squares of the event's estimation
      residuals.
    * ``'cal'`` (key: bar instant): ``s_z``, the sum over events of the unit-length centred
      estimation residuals at that instant (Kolari & Pynnönen 2010's cross-correlation).
    """
    e1, e2 = estimation
    t1, t2 = window
    n_est = e2 - e1 + 1
    offsets = [(j, e1 + j) for j in range(n_est)] + [
        (n_est + j, t1 + j) for j in range(t2 - t1 + 1)
    ]
    if model == "constant-mean":
        ar, usable = "s.r - f.alpha", "s.r IS NOT NULL"
    else:
        ar, usable = "s.r - (f.alpha + f.beta * s.m)", "s.r IS NOT NULL AND s.m IS NOT NULL"
    return f"""WITH rows AS (
        SELECT f.i, o.j, s.t, {ar} AS ar, f.s, f.g0
        FROM {FITS} f CROSS JOIN {_values(offsets, "o(j, off)")}
        JOIN {SERIES} s ON s.asset = f.asset AND s.k = f.k0 + o.off
        WHERE {usable}),
    ranked AS (
        SELECT i, j, t, ar,
               RANK() OVER (PARTITION BY i ORDER BY ar)
                   + (COUNT(*) OVER (PARTITION BY i, ar) - 1) / 2.0 AS rk,
               COUNT(*) OVER (PARTITION BY i) AS n_i,
               median(ar) OVER (PARTITION BY i) AS med
        FROM rows),
    est AS (
        SELECT i, j, t, ar, s,
               ar - AVG(ar) OVER (PARTITION BY i) AS dev
        FROM rows WHERE j < {n_est}),
    est_norm AS (
        SELECT i, j, t, ar, dev, SUM(dev * dev) OVER (PARTITION BY i) AS ss FROM est),
    generalized AS (
        SELECT i, j, ar / s AS g FROM rows WHERE j < {n_est}
        UNION ALL
        SELECT i, {n_est} AS j, g0 AS g FROM {FITS}),
    g_ranked AS (
        SELECT i, j,
               (RANK() OVER (PARTITION BY i ORDER BY g)
                   + (COUNT(*) OVER (PARTITION BY i, g) - 1) / 2.0)
               / (COUNT(*) OVER (PARTITION BY i) + 1.0) - 0.5 AS u
        FROM generalized),
    by_bar AS (
        SELECT j, COUNT(*) AS n, SUM(ar) AS s_ar,
               SUM(rk - (n_i + 1) / 2.0) AS d_rank,
               SUM((rk - (n_i + 1) / 2.0) / (n_i + 1.0)) AS d_u,
               SUM(sign(ar - med)) AS d_sign
        FROM ranked GROUP BY j),
    g_by_bar AS (
        SELECT j, COUNT(*) AS n, SUM(u) AS d_g FROM g_ranked GROUP BY j)
    SELECT 'bar' AS part, b.j AS key, b.n, b.s_ar, b.d_rank, b.d_u, b.d_sign, g.d_g,
           CAST(NULL AS BIGINT) AS n_est, CAST(NULL AS BIGINT) AS pos,
           CAST(NULL AS DOUBLE) AS norm, CAST(NULL AS DOUBLE) AS s_z
    FROM by_bar b LEFT JOIN g_by_bar g ON g.j = b.j
    UNION ALL
    SELECT 'grank', 0, n, NULL, NULL, NULL, NULL, d_g, NULL, NULL, NULL, NULL
    FROM g_by_bar WHERE j = {n_est}
    UNION ALL
    SELECT 'event', i, COUNT(*), NULL, NULL, NULL, NULL, NULL,
           SUM(CASE WHEN j < {n_est} THEN 1 ELSE 0 END),
           SUM(CASE WHEN j < {n_est} AND ar > 0 THEN 1 ELSE 0 END), NULL, NULL
    FROM rows GROUP BY i
    UNION ALL
    SELECT 'norm', i, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, MAX(ss), NULL
    FROM est_norm GROUP BY i
    UNION ALL
    SELECT 'cal', t, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           SUM(CASE WHEN ss > 0 THEN dev / sqrt(ss) ELSE 0.0 END)
    FROM est_norm GROUP BY t"""


BUCKET_US = {"1h": 3_600_000_000, "1d": 86_400_000_000}
WEEK_US, MONDAY_SHIFT_US = 604_800_000_000, 259_200_000_000  # 1970-01-01 was a Thursday


def floor_mod(x: str, m: int) -> str:
    """``x`` modulo ``m`` in ``[0, m)`` for negative ``x`` too (``%`` keeps the dividend's sign
    on both engines, so a bare ``x % m`` would floor instants before 1970 upwards)."""
    return f"((({x}) % {m} + {m}) % {m})"


def bucket_sql(t: str, freq: str) -> str:
    """The UTC bucket start (microseconds) of the instant ``t`` (microseconds since 1970):
    hours, days, or weeks starting on Monday."""
    if freq == "1w":
        return f"({t} - {floor_mod(f'{t} + {MONDAY_SHIFT_US}', WEEK_US)})"
    return f"({t} - {floor_mod(t, BUCKET_US[freq])})"


def weekday_sql(t: str) -> str:
    """The UTC weekday (Monday 0) of the instant ``t`` (microseconds), by integer arithmetic:
    the microseconds since Monday 00:00, less those since midnight, are whole days (the
    quotient is exact, then cast)."""
    since_monday = floor_mod(f"{t} + {MONDAY_SHIFT_US}", WEEK_US)
    day = BUCKET_US["1d"]
    return f"CAST(({since_monday} - {since_monday} % {day}) / {day} AS BIGINT)"


def mentions_sql(*, pattern: str, freq: str, engagement: bool) -> str:
    """Mentions (``ll_mentions``: ``ts``, ``text``, optional ``engagement``) aggregated by
    bucket: ``bucket`` (UTC microseconds), ``mentions``, ``leader_mentions`` (the lower-cased
    text matches ``pattern``, a regular expression both engines read alike), ``engagement``,
    ``leader_engagement``. ``pattern`` holds no backslash; its quotes are doubled here."""
    quoted = pattern.replace("'", "''")
    weight = "COALESCE(CAST(engagement AS DOUBLE), 0.0)" if engagement else "0.0"
    return f"""WITH m AS (
        SELECT {bucket_sql("unix_micros(CAST(ts AS TIMESTAMP))", freq)} AS bucket,
               CASE WHEN regexp_like(lower(text), '{quoted}') THEN 1 ELSE 0 END AS named,
               {weight} AS w
        FROM {MENTIONS} WHERE ts IS NOT NULL)
    SELECT bucket, COUNT(*) AS mentions, SUM(named) AS leader_mentions,
           SUM(w) AS engagement, SUM(CASE WHEN named = 1 THEN w ELSE 0.0 END) AS leader_engagement
    FROM m GROUP BY bucket ORDER BY bucket"""


ATTENTION = "ll_attention"
GRID = "ll_lift_grid"  # lift_grid_sql's result, materialized once per call


def lift_grid_sql(*, freq: str, seasonal: str) -> str:
    """The ``ll_lift_grid`` relation (a query) of attention lifts, from ``ll_attention``
    (``series``, ``ts``, ``value``): one row per series and UTC bucket ``b`` (microseconds)
    that holds any row, as :func:`leaderlens.attention.grid.attention_series` builds its grid:
    ``value`` the sum of the bucket's finite values (NULL when none: a missing report, not
    zero), ``y = ln(1 + value)``, ``negative`` the count of finite values below zero (refused
    by the caller), ``cls`` the bucket's class: its UTC weekday (Monday 0) for the ``weekly``
    baseline, else 0. Buckets the data skip have no row; positions on a series' grid are
    arithmetic (``b - first bucket``), so a skipped bucket is read as missing, like NaN."""
    t = "unix_micros(CAST(ts AS TIMESTAMP))"
    cls = weekday_sql("b") if seasonal == "weekly" else "0"
    # v - v = 0 holds for finite v only (NaN and infinities give NaN, NULL gives NULL).
    return f"""WITH raw AS (
        SELECT series, {bucket_sql(t, freq)} AS b, CAST(value AS DOUBLE) AS v
        FROM {ATTENTION} WHERE ts IS NOT NULL AND series IS NOT NULL),
    cells AS (
        SELECT series, b,
               SUM(CASE WHEN v - v = 0.0 THEN v END) AS value,
               SUM(CASE WHEN v - v = 0.0 AND v < 0.0 THEN 1 ELSE 0 END) AS negative
        FROM raw GROUP BY series, b)
    SELECT series, b, value, CASE WHEN value >= 0.0 THEN ln(1.0 + value) END AS y, negative,
           {cls} AS cls
    FROM cells"""


def lift_bounds_sql() -> str:
    """One row per series of ``ll_lift_grid``: its first and last buckets ``b_first``,
    ``b_last`` (the grid's ends), ``negative`` values and ``finite`` buckets."""
    return grid_bounds(", SUM(negative) AS negative, COUNT(value) AS finite") + " ORDER BY series"


def grid_bounds(extra: str = "") -> str:
    """Each series' first and last bucket on ``ll_lift_grid`` (``b_first``, ``b_last``),
    with the aggregates ``extra`` adds."""
    return f"SELECT series, MIN(b) AS b_first, MAX(b) AS b_last{extra} FROM {GRID} GROUP BY series"


def lift_reduce_sql(
    *,
    freq: str,
    seasonal: str,
    window: tuple[int, int],
    estimation: tuple[int, int],
    mask_events: bool,
    ids: bool,
) -> str:
    """The reduced table of attention lifts (:class:`leaderlens.attention.lift.LiftSums`), one
    row per event, from ``ll_lift_grid`` and ``ll_events`` (``series``, ``time``, optional
    ``id``).

    An event is a series' bucket holding posts: posts are bucketed by the bucket containing
    their instant and clustered by ``(series, b0)``: ``n_posts``, ``te`` (the first post's
    instant, microseconds), ``ids`` (sorted, with ``ids=True``). ``inside`` = 1 when ``b0``
    lies on the series' grid (``b_first .. b_last``); the other events come back too, with
    NULL sums, so that the caller can count them. For the events inside:

    * masking (``mask_events``): a bucket inside any event's window ``[b0 + t1, b0 + t2]`` of
      its series is left out of the estimation windows and of the series' centring mean;
    * ``centre``: mean of ``y`` over the usable (finite, unmasked) buckets; ``e_centre``: mean
      of ``value = expm1(y)`` over the finite buckets (0 when there are none);
    * per class ``d`` (one class, or the seven weekdays): ``t_d, s1_d, s2_d`` usable
      estimation buckets and the sums of ``y - centre`` and of its square over them;
      ``l_d, w_d, e_d`` finite event-window buckets and the sums of ``y - centre`` and of
      ``value - e_centre`` over them;
    * ``y_0 .. y_{L-1}`` the window's values (NULL where missing) and, for ``weekly``,
      ``c_0 .. c_{L-1}`` their classes (0 off the grid);
    * ``overlaps``: the day 0s of the series' other events at offsets ``max(t1, 1) .. t2``.

    Both windows are gathered by one equality join on ``(series, b0 + offset * step)`` against
    an inline table of offsets, and reduced by ``GROUP BY`` event: the panel stays in the engine.
    """
    step = BUCKET_US[freq]
    (t1, t2), (e1, e2) = window, estimation
    length = t2 - t1 + 1
    classes = range(7) if seasonal == "weekly" else range(1)
    win_offsets = [(j, t1 + j) for j in range(length)]
    # j = -1: an estimation bucket; j = 0 .. L - 1: event-window bucket t1 + j.
    offsets = [(-1, off) for off in range(e1, e2 + 1)] + win_offsets
    t = "unix_micros(CAST(time AS TIMESTAMP))"
    id_in, id_agg, id_out = (
        (", CAST(id AS STRING) AS id", ", array_sort(array_agg(id)) AS ids", " l.ids,")
        if ids
        else ("", "", "")
    )
    if mask_events:
        ok = "CASE WHEN g.value IS NULL OR m.b IS NOT NULL THEN 0 ELSE 1 END"
        busy = (
            "LEFT JOIN (SELECT DISTINCT series, b FROM cover) m "
            "ON m.series = g.series AND m.b = g.b"
        )
    else:
        ok, busy = "CASE WHEN g.value IS NULL THEN 0 ELSE 1 END", ""
    sums: dict[str, str] = {}
    for d in classes:
        est, win = f"j < 0 AND cls = {d}", f"j >= 0 AND cls = {d}"
        sums |= {
            f"t_{d}": f"SUM(CASE WHEN {est} THEN ok ELSE 0 END)",
            f"s1_{d}": f"SUM(CASE WHEN {est} AND ok = 1 THEN yc ELSE 0.0 END)",
            f"s2_{d}": f"SUM(CASE WHEN {est} AND ok = 1 THEN yc * yc ELSE 0.0 END)",
            f"l_{d}": f"SUM(CASE WHEN {win} THEN fin ELSE 0 END)",
            f"w_{d}": f"SUM(CASE WHEN {win} THEN yc ELSE 0.0 END)",
            f"e_{d}": f"SUM(CASE WHEN {win} THEN ec ELSE 0.0 END)",
        }
    sums |= {f"y_{j}": f"MAX(CASE WHEN j = {j} THEN y END)" for j in range(length)}
    columns = [f"r.{name}" for name in sums]
    if seasonal == "weekly":
        for j, off in win_offsets:
            b = f"(l.b0 + {off} * {step})"
            columns.append(
                f"CASE WHEN {b} BETWEEN l.b_first AND l.b_last THEN {weekday_sql(b)} ELSE 0 END "
                f"AS c_{j}"
            )
    sep = ",\n               "
    return f"""WITH bounds AS ({grid_bounds()}),
    posts AS (
        SELECT x.*, {bucket_sql("te", freq)} AS b0
        FROM (SELECT series, {t} AS te{id_in} FROM {EVENTS}
              WHERE time IS NOT NULL AND series IS NOT NULL) x),
    clustered AS (
        SELECT series, b0, COUNT(*) AS n_posts, MIN(te) AS te{id_agg}
        FROM posts GROUP BY series, b0),
    located AS (
        SELECT c.*, bd.b_first, bd.b_last,
               CASE WHEN c.b0 BETWEEN bd.b_first AND bd.b_last THEN 1 ELSE 0 END AS inside
        FROM clustered c LEFT JOIN bounds bd ON bd.series = c.series),
    ev AS (SELECT series, b0 FROM located WHERE inside = 1),
    cover AS (
        SELECT ev.series, ev.b0, o.off, ev.b0 + o.off * {step} AS b
        FROM ev CROSS JOIN {_values(win_offsets, "o(j, off)")}),
    flagged AS (
        SELECT g.series, g.b, g.y, g.value, g.cls,
               CASE WHEN g.value IS NULL THEN 0 ELSE 1 END AS fin, {ok} AS ok
        FROM {GRID} g {busy}),
    centres AS (
        SELECT series, COALESCE(AVG(CASE WHEN ok = 1 THEN y END), 0.0) AS centre,
               COALESCE(AVG(value), 0.0) AS e_centre
        FROM flagged GROUP BY series),
    centred AS (
        SELECT f.series, f.b, f.cls, f.y, f.fin, f.ok,
               CASE WHEN f.fin = 1 THEN f.y - c.centre ELSE 0.0 END AS yc,
               CASE WHEN f.fin = 1 THEN f.value - c.e_centre ELSE 0.0 END AS ec
        FROM flagged f JOIN centres c ON c.series = f.series),
    picked AS (
        SELECT ev.series, ev.b0, o.j, g.cls, g.y, g.fin, g.ok, g.yc, g.ec
        FROM ev CROSS JOIN {_values(offsets, "o(j, off)")}
        JOIN centred g ON g.series = ev.series AND g.b = ev.b0 + o.off * {step}),
    reduced AS (
        SELECT series, b0,
               {sep.join(f"{v} AS {k}" for k, v in sums.items())}
        FROM picked GROUP BY series, b0),
    overlapping AS (
        SELECT c.series, c.b0, COUNT(*) AS n
        FROM cover c JOIN ev e ON e.series = c.series AND e.b0 = c.b
        WHERE c.off >= {max(t1, 1)}
        GROUP BY c.series, c.b0)
    SELECT l.series, l.b0, l.te, l.n_posts,{id_out} l.inside, l.b_first, l.b_last,
           c.centre, c.e_centre, COALESCE(v.n, 0) AS overlaps,
           {", ".join(columns)}
    FROM located l
    LEFT JOIN reduced r ON r.series = l.series AND r.b0 = l.b0
    LEFT JOIN centres c ON c.series = l.series
    LEFT JOIN overlapping v ON v.series = l.series AND v.b0 = l.b0
    ORDER BY l.series, l.b0"""
