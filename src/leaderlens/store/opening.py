"""How a workspace file is opened: readers never wait for writers, writers publish atomically.

DuckDB lets a file be open by one read-write process *or* by many read-only processes, never
both: a load holding the file for writing would lock every reader out for its whole length.
So no process ever opens the workspace itself for writing:

* a **reader** attaches the file read-only in a private in-memory database (``ATTACH ...
  (READ_ONLY)``; a plain ``duckdb.connect(path)`` would hand back a database instance the
  process already holds, pinned to an older file). Many readers share the file.
* a **writer** takes the workspace's lock file (``<name>.lock``, one writer at a time), copies
  the workspace to a side file (``<name>.writing``), writes there, and *publishes*: closes the
  side file (DuckDB checkpoints it), flushes it to disk and renames it over the workspace
  (``os.replace``, atomic on POSIX). Readers that opened the old file go on reading that
  snapshot; the next reader sees the new one. A writer killed at any point leaves the
  workspace as it was; the next writer discards the stale side file.

A load therefore costs one copy of the workspace file (the copy runs at disk speed; see
docs/workspace.md for the figures).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
from pathlib import Path
from typing import IO

import duckdb

from leaderlens.errors import BadInputError, EngineError, LeaderlensError, MissingDataError
from leaderlens.store.schema import SCHEMA_VERSION, migrate, schema_version

RECOVER = (
    "restore it from a backup, or move it aside and load your files again into a new workspace "
    "(`leaderlens ingest ...`; the loads table of a readable copy lists every file loaded)"
)


def side_path(path: Path) -> Path:
    """Where a writer prepares the next version of the workspace."""
    return path.with_name(path.name + ".writing")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def engine_failure(exc: BaseException, path: Path | str) -> LeaderlensError:
    """A leaderlens error naming the real cause of a DuckDB or OS failure on the workspace."""
    text = str(exc)
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left" in text:
        return EngineError(
            "the disk is full: free some space and run the command again; the workspace was "
            "left as it was before this command",
            file=str(path),
        )
    if "Could not set lock" in text or "Conflicting lock" in text:
        return EngineError(
            f"another program holds the workspace open for writing ({text}): close it (a DuckDB "
            "shell, an older leaderlens) and try again",
            file=str(path),
        )
    if (
        "not a valid DuckDB database" in text
        or "Corrupt database" in text
        or "Could not read enough bytes" in text
        or "checksum" in text
    ):
        return BadInputError(
            f"the workspace file is damaged or is not a DuckDB file (DuckDB says: {text}); "
            + RECOVER,
            file=str(path),
        )
    return EngineError(f"the workspace failed ({text})", file=str(path))


def open_reading(path: Path, *, reading: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the workspace at ``path``, which must exist (``reading``:
    to be read, so not empty; else to be checked before a writer copies it)."""
    if not path.exists():
        raise MissingDataError(
            "no workspace at this path: check the path, or load something first "
            "(`leaderlens ingest ...`)",
            file=str(path),
        )
    if path.is_dir():
        raise BadInputError("is a folder; give a workspace file path", file=str(path))
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS workspace (READ_ONLY)", [str(path)])
        con.execute("USE workspace")
        con.execute("SET TimeZone = 'UTC'")
        check_version(con, path, reading=reading)
    except duckdb.Error as exc:
        con.close()
        raise engine_failure(exc, path) from exc
    except LeaderlensError:
        con.close()
        raise
    return con


def check_version(con: duckdb.DuckDBPyConnection, path: Path, *, reading: bool) -> int:
    """The workspace's schema version; refuses foreign DuckDB files, newer workspaces and
    (when ``reading``) empty ones, each with what to do. An older workspace is read as it is
    (reads never migrate; readers tolerate tables a later version added): writes migrate it,
    and so does ``leaderlens migrate``."""
    found = schema_version(con)
    if found == 0:
        tables = [
            str(r[0])
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND NOT temporary ORDER BY 1 LIMIT 6"
            ).fetchall()
        ]
        if tables:
            raise BadInputError(
                f"not a leaderlens workspace: this DuckDB file holds other tables "
                f"({', '.join(tables)}); give another path",
                file=str(path),
            )
        if reading:
            raise MissingDataError(
                "the workspace is empty: load something first (`leaderlens ingest ...`)",
                file=str(path),
            )
    if found > SCHEMA_VERSION:
        raise EngineError(
            f"workspace schema version {found} is newer than this leaderlens knows "
            f"({SCHEMA_VERSION}); upgrade leaderlens",
            file=str(path),
        )
    return found


class WriteSession:
    """The lock and side file of one writer; see the module docstring."""

    def __init__(self, path: Path, *, create: bool) -> None:
        if path.is_dir():
            raise BadInputError("is a folder; give a workspace file path", file=str(path))
        if not create and not path.exists():
            raise MissingDataError(
                "no workspace at this path: check the path, or load something first",
                file=str(path),
            )
        if not path.parent.is_dir():
            raise BadInputError(
                f"the folder {path.parent} does not exist: create it or give another path",
                file=str(path),
            )
        self.path = path
        self.side = side_path(path)
        self._lock = _take_lock(lock_path(path), path)
        self.migrated = False  # set when a connect migrated the copy: it must be published

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A fresh side copy of the workspace, migrated, open for writing."""
        try:
            for stale in (self.side, _wal(self.side)):
                stale.unlink(missing_ok=True)
            if self.path.exists() and self.path.stat().st_size > 0:
                shutil.copyfile(self.path, self.side)
                if _wal(self.path).exists():  # left by an older leaderlens: replay it too
                    shutil.copyfile(_wal(self.path), _wal(self.side))
            con = duckdb.connect(str(self.side))
        except (duckdb.Error, OSError) as exc:
            self.discard()
            raise engine_failure(exc, self.path) from exc
        try:
            con.execute("SET TimeZone = 'UTC'")
            check_version(con, self.path, reading=False)
            self.migrated = migrate(con, str(self.path)) < SCHEMA_VERSION
        except duckdb.Error as exc:
            con.close()
            self.discard()
            raise engine_failure(exc, self.path) from exc
        except LeaderlensError:
            con.close()
            self.discard()
            raise
        return con

    def publish(self, con: duckdb.DuckDBPyConnection) -> None:
        """Close the side copy and put it in the workspace's place in one atomic rename."""
        try:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")  # a transaction left open by a failed step
            con.close()  # checkpoints: the side file now holds everything
            with self.side.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(self.side, self.path)
            _fsync_folder(self.path.parent)
        except (duckdb.Error, OSError) as exc:
            self.discard()
            raise engine_failure(exc, self.path) from exc

    def discard(self) -> None:
        for stale in (self.side, _wal(self.side)):
            stale.unlink(missing_ok=True)

    def release(self) -> None:
        self._lock.close()  # closing the descriptor releases the lock


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _take_lock(where: Path, path: Path) -> IO[str]:
    try:
        handle = where.open("a+")
    except OSError as exc:
        raise BadInputError(
            f"cannot write beside the workspace ({exc.strerror}: {where}); writes need a "
            "folder this user may write to",
            file=str(path),
        ) from exc
    try:
        _lock_exclusive(handle)
    except OSError as exc:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise EngineError(
            f"another leaderlens process (pid {holder}) is writing to this workspace: wait "
            "for it to finish (reads go on meanwhile)",
            file=str(path),
        ) from exc
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _lock_exclusive(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened on Windows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
