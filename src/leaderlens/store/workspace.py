"""The workspace: one embedded DuckDB file holding everything leaderlens knows.

``Workspace.open(path)`` creates or migrates the file (``read_only=True`` never changes it).
``ingest_*`` methods take a path (read by the matching reader, format detected) or a pandas /
polars DataFrame in canonical columns, and load it atomically and idempotently
(:mod:`leaderlens.store.load`), published to readers in one atomic step
(:mod:`leaderlens.store.opening`). Query methods return new pandas frames with UTC times.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from leaderlens.errors import BadInputError, EngineError, MissingDataError, check_choice
from leaderlens.options import ON_CONFLICT
from leaderlens.readers.attention import read_attention
from leaderlens.readers.base import ReadResult
from leaderlens.readers.mentions import read_mentions
from leaderlens.readers.prices import read_prices
from leaderlens.readers.statements import read_statements
from leaderlens.settings import Settings
from leaderlens.store.calendars import calendar_time_zone, off_day_note
from leaderlens.store.links import default_asset, leader_assets, tie
from leaderlens.store.load import (
    DEFAULT_RTOL,
    TABLES,
    Upsert,
    in_transaction,
    unordered_inserts,
    upsert,
)
from leaderlens.store.opening import WriteSession, engine_failure, open_reading
from leaderlens.store.schema import schema_version
from leaderlens.store.sql import first_row
from leaderlens.store.summary import WorkspaceSummary, summarize

if TYPE_CHECKING:
    from leaderlens.study.study_result import EventStudyResult
    from leaderlens.text.annotate import AnnotateReport

Source = str | Path | Any  # a path, or a pandas / polars DataFrame


@dataclass(frozen=True)
class LoadReport:
    """What one ingest did.

    ``rows_read`` rows came out of the reader (after ``rows_rejected`` were skipped);
    ``rows_added`` were new, ``rows_replaced`` overwrote conflicting stored rows, ``rows_unchanged``
    were already stored as they are, ``rows_kept`` conflicted and were left as stored.
    """

    kind: str
    target: str
    source: str
    format: str
    time_zone: str
    freq: str | None
    rows_read: int
    rows_added: int
    rows_replaced: int
    rows_unchanged: int
    rows_kept: int
    rows_rejected: int
    rejects_file: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    load_id: int | None = None

    def summary(self) -> str:
        lines = [
            f"{self.kind} for {self.target} from {self.source} (format {self.format}"
            + (f", frequency {self.freq}" if self.freq else "")
            + ")",
            f"  times: {self.time_zone}",
            f"  rows read {self.rows_read:,}: added {self.rows_added:,}, unchanged "
            f"{self.rows_unchanged:,}, replaced {self.rows_replaced:,}, kept {self.rows_kept:,}",
        ]
        if self.rows_rejected:
            lines.append(f"  rejected {self.rows_rejected:,} rows, listed in {self.rejects_file}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


class Workspace:
    """A leaderlens workspace (one DuckDB file). Use :meth:`open`; close it or use ``with``.

    A workspace opened for writing works on a side copy of the file and publishes it in one
    atomic rename when a load commits and when it closes (:mod:`leaderlens.store.opening`);
    readers meanwhile go on reading the last published state."""

    def __init__(
        self,
        path: Path,
        con: duckdb.DuckDBPyConnection | None,
        read_only: bool = False,
        session: WriteSession | None = None,
    ) -> None:
        self.path = path
        self.read_only = read_only
        self._live = con
        self._session = session
        self._dirty = False

    # ---------------------------------------------------------------------------- lifecycle
    @classmethod
    def open(
        cls, path: str | Path | None = None, *, read_only: bool = False, create: bool = True
    ) -> Workspace:
        """Open the workspace at ``path``.

        Read-only, the file must exist and be a current leaderlens workspace; it is never
        created or changed. For writing, a missing file is created when ``create`` (else
        refused) and an older one migrated. ``path`` defaults to :attr:`Settings.workspace`
        (``LEADERLENS_WORKSPACE`` or ``./leaderlens.duckdb``).
        """
        target = Path(path) if path is not None else Settings.from_env().workspace
        if read_only:
            return cls(target, open_reading(target), read_only=True)
        session = WriteSession(target, create=create)
        try:
            if target.exists() and target.stat().st_size > 0:
                # Refuse a foreign or newer file before copying it; migrations run on the copy.
                probe = open_reading(target, reading=False)
                probe.close()
        except BaseException:
            session.release()
            raise
        ws = cls(target, None, session=session)
        if not target.exists():  # a new workspace, created at the current schema on close
            ws._live = session.connect()
            ws._dirty = True
        return ws

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        if self._live is None:
            if self._session is None:
                raise EngineError("the workspace is closed", file=str(self.path))
            self._live = self._session.connect()
            self._dirty = self._dirty or self._session.migrated
        return self._live

    def _changed(self) -> None:
        self._dirty = True

    def _publish(self) -> None:
        """Make what this writer changed visible to readers (one atomic rename)."""
        from leaderlens.study.resident import release

        live, self._live = self._live, None
        if live is None or self._session is None:
            return
        release(live)
        if self._dirty:
            self._dirty = False
            self._session.publish(live)
        else:
            live.close()
            self._session.discard()

    def close(self) -> None:
        from leaderlens.study.resident import release

        if self._session is None:
            if self._live is not None:
                release(self._live)  # the study's in-memory copy of cached series goes too
                self._live.close()
                self._live = None
            return
        try:
            self._publish()
        finally:
            self._session.release()
            self._session = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for the engines and for SQL by power users (in a workspace
        open for writing, what is written through it is published when the workspace closes)."""
        self._dirty = not self.read_only
        return self._con

    # ---------------------------------------------------------------------------- entities
    def add_leader(
        self,
        leader_id: str,
        *,
        name: str | None = None,
        company: str | None = None,
        handles: Mapping[str, str] | None = None,
        stocks: Sequence[str] = (),
        coins: Sequence[str] = (),
    ) -> None:
        """Create or update a leader (fields left ``None`` keep their stored value).

        ``stocks`` and ``coins`` tie the leader to the company's stock and coin ids (they may be
        loaded later); analyses then default to the only stock (see :meth:`leader_assets`)."""
        self._put_entity(
            "leaders",
            "leader_id",
            leader_id,
            {"name": name, "company": company, "handles": dict(handles) if handles else None},
        )
        tie(self._con, leader_id, list(stocks), "stock")
        tie(self._con, leader_id, list(coins), "coin")

    def add_brand(
        self,
        brand_id: str,
        *,
        name: str | None = None,
        query_terms: Sequence[str] | None = None,
        leader_ids: Sequence[str] | None = None,
    ) -> None:
        """Create or update a brand with its query terms and leaders."""
        self._put_entity(
            "brands",
            "brand_id",
            brand_id,
            {
                "name": name,
                "query_terms": list(query_terms) if query_terms is not None else None,
                "leader_ids": list(leader_ids) if leader_ids is not None else None,
            },
        )

    def add_asset(
        self,
        asset_id: str,
        *,
        calendar: str | None = None,
        name: str | None = None,
        benchmark: str | None = None,
        kind: str | None = None,
        company: str | None = None,
    ) -> None:
        """Create or update an asset. A new asset needs its ``calendar`` (``24/7`` or an
        exchange calendar such as ``XNYS``); a stored calendar is never silently changed.
        ``company`` ties the asset to the leaders of that company (case-insensitive)."""
        stored = self._asset_calendar(asset_id)
        if calendar is None and stored is None:
            raise BadInputError(
                f"asset {asset_id!r} is new: give its calendar (XNYS, XHKG, ... or 24/7)",
                field="calendar",
                asset=asset_id,
            )
        if calendar is not None and stored is not None and calendar != stored:
            raise BadInputError(
                f"asset {asset_id!r} is stored with calendar {stored}; got {calendar}",
                field="calendar",
                asset=asset_id,
            )
        chosen = calendar or stored
        assert chosen is not None  # narrowed above
        self._put_entity(
            "assets",
            "asset_id",
            asset_id,
            {
                "name": name,
                "kind": kind,
                "calendar": chosen,
                "tz": calendar_time_zone(chosen),
                "benchmark_id": benchmark,
                "company": company,
            },
        )

    def _asset_calendar(self, asset_id: str) -> str | None:
        row = first_row(self._con, "SELECT calendar FROM assets WHERE asset_id = ?", [asset_id])
        return str(row[0]) if row else None

    def _put_entity(self, table: str, key: str, ident: str, values: dict[str, object]) -> None:
        if not isinstance(ident, str) or not ident.strip():
            raise BadInputError(f"{key} must be a non-empty text; got {ident!r}", field=key)
        exists = first_row(self._con, f"SELECT 1 FROM {table} WHERE {key} = ?", [ident])
        given = {k: v for k, v in values.items() if v is not None}
        if exists:
            if given:
                sets = ", ".join(f"{k} = ?" for k in given)
                self._con.execute(
                    f"UPDATE {table} SET {sets} WHERE {key} = ?", [*given.values(), ident]
                )
                self._changed()
            return
        given.setdefault("name", ident)
        cols = ", ".join([key, *given])
        marks = ", ".join("?" * (len(given) + 1))
        self._con.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", [ident, *given.values()]
        )
        self._changed()

    # ---------------------------------------------------------------------------- ingest
    def ingest_prices(
        self,
        source: Source,
        *,
        asset: str,
        calendar: str | None = None,
        freq: str | None = None,
        tz: str | None = None,
        format: str | None = None,
        benchmark: str | None = None,
        company: str | None = None,
        on_bad_rows: str = "error",
        on_conflict: str = "error",
        encoding: str = "utf-8",
        rejects_path: str | Path | None = None,
        conflict_rtol: float = DEFAULT_RTOL,
    ) -> LoadReport:
        """Load a price file or frame as bars of ``asset``. A stored bar arriving again with
        prices within ``conflict_rtol`` (relative) of the stored ones is unchanged, not a
        conflict.

        The calendar defaults to 24/7 for plainly crypto files and must otherwise be given the
        first time an asset is loaded; later loads reuse it. ``company`` ties the asset to that
        company's leaders (:meth:`add_asset`).
        """
        read = read_prices(
            source, format=format, tz=tz, freq=freq, on_bad_rows=on_bad_rows, encoding=encoding
        )
        chosen = calendar or self._asset_calendar(asset) or read.calendar_hint
        if chosen is not None:
            calendar_time_zone(chosen)  # an unknown calendar is refused before any note
            off = off_day_note(chosen, read.frame["ts"], read.freq == "1d")
            if off is not None:
                read = replace(read, notes=(*read.notes, off))

        def entities() -> None:
            self.add_asset(asset, calendar=chosen, benchmark=benchmark, company=company)

        return self._load(
            read, (asset, read.freq), asset, entities, on_conflict, rejects_path, conflict_rtol
        )

    def ingest_statements(
        self,
        source: Source,
        *,
        leader: str,
        channel: str | None = None,
        tz: str | None = None,
        format: str | None = None,
        columns: Mapping[str, str] | None = None,
        on_bad_rows: str = "error",
        on_conflict: str = "error",
        encoding: str = "utf-8",
        rejects_path: str | Path | None = None,
    ) -> LoadReport:
        """Load a leader's statements (X archive, CSV, JSONL, Parquet or a frame)."""
        read = read_statements(
            source,
            format=format,
            tz=tz,
            channel=channel,
            columns=columns,
            on_bad_rows=on_bad_rows,
            encoding=encoding,
        )
        return self._load(
            read, (leader,), leader, lambda: self.add_leader(leader), on_conflict, rejects_path
        )

    def ingest_moments(
        self,
        source: Source,
        *,
        leader: str,
        channel: str = "keynote",
        on_conflict: str = "error",
        **read: Any,
    ) -> LoadReport:
        """Load a leader's named moments (keynotes, launches, announcements) from an events
        file or frame (:func:`leaderlens.read_events`; ``read`` takes its ``time_column``,
        ``label_column``, ``tz``, ``time_of_day``) as statements on ``channel``, the label as
        their text: the event study, report and dashboard then treat them like statements.
        A moment's id is its channel, instant and label, so reloading adds nothing."""
        from leaderlens.readers.events import read_events

        moments = read_events(source, **read)
        stamp = moments["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        frame = pd.DataFrame(
            {
                "statement_id": channel + " " + stamp + " " + moments["label"].astype(str),
                "ts": moments["time"],
                "text": moments["label"],
                "is_reply": False,
            }
        )
        report = self.ingest_statements(
            frame, leader=leader, channel=channel, on_conflict=on_conflict
        )
        where = str(moments.attrs.get("source", report.source))
        return replace(report, source=where, notes=(moments.attrs["times"], *report.notes))

    def ingest_brand_posts(
        self,
        source: Source,
        *,
        brand: str,
        channel: str | None = None,
        tz: str | None = None,
        format: str | None = None,
        columns: Mapping[str, str] | None = None,
        on_bad_rows: str = "error",
        on_conflict: str = "error",
        encoding: str = "utf-8",
        rejects_path: str | Path | None = None,
    ) -> LoadReport:
        """Load posts by the brand's own official channels."""
        read = read_statements(
            source,
            format=format,
            tz=tz,
            channel=channel,
            columns=columns,
            on_bad_rows=on_bad_rows,
            encoding=encoding,
            kind="brand_posts",
        )
        return self._load(
            read, (brand,), brand, lambda: self.add_brand(brand), on_conflict, rejects_path
        )

    def ingest_attention(
        self,
        source: Source,
        *,
        metric: str,
        brand: str | None = None,
        leader: str | None = None,
        column: str | None = None,
        tz: str | None = None,
        format: str | None = None,
        on_bad_rows: str = "error",
        on_conflict: str = "error",
        encoding: str = "utf-8",
        rejects_path: str | Path | None = None,
    ) -> LoadReport:
        """Load an attention series (search interest, mention counts, ...) of a brand or leader."""
        if (brand is None) == (leader is None):
            raise BadInputError("give exactly one of brand or leader", field="brand")
        if not metric or not metric.strip():
            raise BadInputError("metric must be a non-empty name", field="metric")
        read = read_attention(
            source,
            format=format,
            tz=tz,
            column=column,
            on_bad_rows=on_bad_rows,
            encoding=encoding,
        )
        subject_kind, subject = ("brand", brand) if brand is not None else ("leader", leader)
        assert subject is not None  # exactly one given, checked above

        def entities() -> None:
            if subject_kind == "brand":
                self.add_brand(subject)
            else:
                self.add_leader(subject)

        owner = (subject_kind, subject, metric, read.freq)
        return self._load(read, owner, f"{subject}/{metric}", entities, on_conflict, rejects_path)

    def ingest_mentions(
        self,
        source: Source,
        *,
        brand: str,
        platform: str | None = None,
        tz: str | None = None,
        format: str | None = None,
        columns: Mapping[str, str] | None = None,
        on_bad_rows: str = "error",
        on_conflict: str = "error",
        encoding: str = "utf-8",
        rejects_path: str | Path | None = None,
    ) -> LoadReport:
        """Load pieces of conversation about a brand (for share of voice and sentiment)."""
        read = read_mentions(
            source,
            format=format,
            tz=tz,
            columns=columns,
            platform=platform,
            on_bad_rows=on_bad_rows,
            encoding=encoding,
        )
        return self._load(
            read, (brand,), brand, lambda: self.add_brand(brand), on_conflict, rejects_path
        )

    def _load(
        self,
        read: ReadResult,
        owner: Sequence[object],
        target: str,
        entities: Callable[[], None],
        on_conflict: str,
        rejects_path: str | Path | None,
        rtol: float = DEFAULT_RTOL,
    ) -> LoadReport:
        check_choice("on_conflict", on_conflict, ON_CONFLICT)
        table = TABLES[read.kind]
        # The file's digest is computed beside the load: hashlib releases the GIL on large
        # blocks, so it costs little wall time.
        hashing = ThreadPoolExecutor(1)
        digest = hashing.submit(_sha256, read.source)
        load_id = self._next_load_id()

        def work() -> Upsert:
            entities()
            result = upsert(
                self._con,
                table,
                owner,
                read.frame,
                on_conflict=on_conflict,
                source=read.source,
                lines=read.lines,
                load_id=load_id,
                rtol=rtol,
            )
            if result.added or result.replaced:
                self._con.execute(
                    """INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [
                        load_id,
                        read.kind,
                        target,
                        read.source,
                        digest.result(),
                        read.format,
                        read.time_zone,
                        read.freq,
                        len(read.frame),
                        result.added,
                        result.replaced,
                        len(read.rejects),
                        list(read.notes),
                        datetime.now(UTC),
                    ],
                )
            return result

        try:
            with unordered_inserts(self._con, table):
                result = in_transaction(self._con, work)
        except duckdb.Error as exc:
            raise engine_failure(exc, self.path) from exc
        finally:
            hashing.shutdown(wait=True, cancel_futures=True)
        if result.added or result.replaced:
            self._changed()
        self._publish()  # the committed load is visible to readers from here on
        rejects_file = _write_rejects(read, rejects_path) if read.rejects else None
        return LoadReport(
            kind=read.kind,
            target=target,
            source=read.source,
            format=read.format,
            time_zone=read.time_zone,
            freq=read.freq,
            rows_read=len(read.frame),
            rows_added=result.added,
            rows_replaced=result.replaced,
            rows_unchanged=result.unchanged,
            rows_kept=result.kept,
            rows_rejected=len(read.rejects),
            rejects_file=rejects_file,
            notes=read.notes,
            load_id=load_id if (result.added or result.replaced) else None,
        )

    def _next_load_id(self) -> int:
        row = first_row(self._con, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")
        return int(row[0]) if row else 1

    # ---------------------------------------------------------------------------- analyses
    def annotate(
        self,
        *,
        leader: str | None = None,
        brand: str | None = None,
        all: bool = False,
        progress: bool = True,
        **options: Any,
    ) -> AnnotateReport:
        """Language, sentiment and topics of texts, stored beside them; see
        :func:`leaderlens.text.annotate.annotate_workspace`."""
        from leaderlens.text.annotate import annotate_workspace

        return annotate_workspace(
            self, leader=leader, brand=brand, all=all, progress=progress, **options
        )

    def event_study(self, **options: Any) -> EventStudyResult:
        """Run an event study on this workspace; see :func:`leaderlens.event_study`."""
        from leaderlens.study.event_study import event_study

        return event_study(self, **options)

    # ---------------------------------------------------------------------------- ground truth
    def set_ground_truth(self, name: str, payload: pd.DataFrame | Mapping[str, Any]) -> None:
        """Store a named piece of ground truth (a frame or a JSON-able mapping)."""
        if isinstance(payload, pd.DataFrame):
            body = {
                "frame": json.loads(
                    payload.to_json(orient="table", date_format="iso", double_precision=15)
                )
            }
        else:
            body = {"mapping": dict(payload)}
        self._con.execute(
            "INSERT OR REPLACE INTO ground_truth VALUES (?, ?)", [name, json.dumps(body)]
        )
        self._changed()

    def ground_truth(self, name: str) -> pd.DataFrame | dict[str, Any]:
        """A named piece of ground truth stored by :meth:`set_ground_truth` (the demo's)."""
        row = first_row(self._con, "SELECT payload FROM ground_truth WHERE name = ?", [name])
        if row is None:
            names = [
                r[0]
                for r in self._con.execute("SELECT name FROM ground_truth ORDER BY name").fetchall()
            ]
            raise MissingDataError(
                f"no ground truth named {name!r}; stored: {', '.join(names) or 'none'}",
                field="name",
            )
        body = json.loads(row[0])
        if "frame" in body:
            return pd.read_json(io.StringIO(json.dumps(body["frame"])), orient="table")
        return dict(body["mapping"])

    # ---------------------------------------------------------------------------- queries
    def summary(self) -> WorkspaceSummary:
        """What the workspace holds, per leader, brand, asset and attention series."""
        return summarize(self._con, str(self.path), schema_version(self._con))

    def leaders(self) -> pd.DataFrame:
        return self._con.execute("SELECT * FROM leaders ORDER BY leader_id").df()

    def leader_assets(self, leader: str) -> pd.DataFrame:
        """The assets tied to ``leader`` (asset_id, name, kind, role, tied_by), stocks first:
        see :mod:`leaderlens.store.links`."""
        return leader_assets(self._con, leader)

    def default_asset(self, leader: str) -> str:
        """The asset analyses of ``leader`` use when none is given: the only stock tied to
        the leader, else its only asset. Raises :class:`~leaderlens.MissingDataError` naming
        what to run when none is tied, :class:`~leaderlens.BadInputError` listing them when
        several are."""
        return default_asset(self._con, leader)

    def brands(self) -> pd.DataFrame:
        return self._con.execute("SELECT * FROM brands ORDER BY brand_id").df()

    def assets(self) -> pd.DataFrame:
        return self._con.execute("SELECT * FROM assets ORDER BY asset_id").df()

    def loads(self) -> pd.DataFrame:
        return self._con.execute("SELECT * FROM loads ORDER BY load_id").df()

    def statements(
        self,
        leader: str | None = None,
        *,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
        channel: str | None = None,
    ) -> pd.DataFrame:
        """Statements (all leaders, or one), optionally within [start, end) and one channel."""
        return self._texts("statements", "leader_id", leader, start, end, channel)

    def brand_posts(
        self,
        brand: str | None = None,
        *,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
        channel: str | None = None,
    ) -> pd.DataFrame:
        """Posts by brands' own channels (all brands, or one)."""
        return self._texts("brand_posts", "brand_id", brand, start, end, channel)

    def mentions(
        self,
        brand: str | None = None,
        *,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
    ) -> pd.DataFrame:
        """Conversation about brands (all, or one)."""
        return self._texts("mentions", "brand_id", brand, start, end, None)

    def bars(
        self,
        asset: str,
        *,
        freq: str = "1d",
        start: str | datetime | None = None,
        end: str | datetime | None = None,
    ) -> pd.DataFrame:
        """Bars of one asset at one frequency, oldest first."""
        where, params = _window("ts", start, end)
        out = self._con.execute(
            f"""SELECT ts, open, high, low, close, adj_close, volume FROM bars
                WHERE asset_id = ? AND freq = ? {where} ORDER BY ts""",
            [asset, freq, *params],
        ).df()
        if out.empty and not first_row(
            self._con, "SELECT 1 FROM bars WHERE asset_id = ? LIMIT 1", [asset]
        ):
            raise MissingDataError(f"no bars for asset {asset!r}", asset=asset)
        return out

    def bars_for(self, assets: Sequence[str], *, freq: str = "1d") -> pd.DataFrame:
        """Bars of several assets at one frequency in one query, sorted by asset then time
        (columns asset_id, ts, open, high, low, close, adj_close, volume)."""
        names = list(dict.fromkeys(assets))
        found = self._con.execute(
            """SELECT DISTINCT asset_id FROM bars WHERE asset_id IN (SELECT unnest(?))
               AND freq = ?""",
            [names, freq],
        ).fetchall()
        missing = sorted(set(names) - {str(r[0]) for r in found})
        if missing:
            raise MissingDataError(
                f"no {freq} bars for asset {', '.join(map(repr, missing))}", asset=missing[0]
            )
        return self._con.execute(
            """SELECT asset_id, ts, open, high, low, close, adj_close, volume FROM bars
               WHERE asset_id IN (SELECT unnest(?)) AND freq = ? ORDER BY asset_id, ts""",
            [names, freq],
        ).df()

    def attention(
        self,
        metric: str,
        *,
        brand: str | None = None,
        leader: str | None = None,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
    ) -> pd.DataFrame:
        """One attention series of a brand or a leader, oldest first."""
        if (brand is None) == (leader is None):
            raise BadInputError("give exactly one of brand or leader", field="brand")
        kind, subject = ("brand", brand) if brand is not None else ("leader", leader)
        where, params = _window("ts", start, end)
        return self._con.execute(
            f"""SELECT ts, value, freq FROM attention
                WHERE subject_kind = ? AND subject_id = ? AND metric = ? {where} ORDER BY ts""",
            [kind, subject, metric, *params],
        ).df()

    def _texts(
        self,
        table: str,
        owner: str,
        ident: str | None,
        start: str | datetime | None,
        end: str | datetime | None,
        channel: str | None,
    ) -> pd.DataFrame:
        where, params = _window("ts", start, end)
        if ident is not None:
            where += f" AND {owner} = ?"
            params.append(ident)
        if channel is not None:
            where += " AND channel = ?"
            params.append(channel)
        return self._con.execute(
            f"SELECT * EXCLUDE (load_id) FROM {table} WHERE TRUE {where} ORDER BY ts", params
        ).df()


def _window(
    column: str, start: str | datetime | None, end: str | datetime | None
) -> tuple[str, list[object]]:
    where, params = "", []
    for bound, op, name in ((start, ">=", "start"), (end, "<", "end")):
        if bound is None:
            continue
        stamp = pd.Timestamp(bound)
        if stamp.tzinfo is None:
            raise BadInputError(
                f"{name} {bound!r} has no time zone; give an offset (e.g. 2021-05-01T00:00Z)",
                field=name,
            )
        where += f" AND {column} {op} ?"
        params.append(stamp.tz_convert("UTC").to_pydatetime())
    return where, params


def _sha256(source: str) -> str | None:
    path = Path(source)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_rejects(read: ReadResult, rejects_path: str | Path | None) -> str:
    name = Path(read.source).name if read.source != "<DataFrame>" else "frame"
    target = Path(rejects_path) if rejects_path is not None else Path(f"{name}.rejects.csv")
    frame = read.rejects_frame()
    frame.insert(0, "file", read.source)
    frame.to_csv(target, index=False)
    return str(target)
