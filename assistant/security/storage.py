"""Engines for the small state the app keeps beside the index: the audit log, feedback, login
throttling, saved sessions. One URL each in settings: SQLite on this host by default, PostgreSQL
when several app instances run (SQLite's WAL needs shared memory, so it must never sit on a
network filesystem).

SQLite files are created 0600 (they hold questions and account activity); SQLite gives its -wal
and -shm files the same mode. Writes take the database lock when the transaction begins
(``BEGIN IMMEDIATE``), so a read-then-write (the audit hash chain, counters) cannot interleave
with another process's.

A process opens each database through one engine (:func:`make_engine` shares it per URL) and never
opens the file itself once it exists: closing any descriptor of a file drops every POSIX lock the
process holds on it, SQLite's included, and another process closing its connection would then
delete the WAL and shared-memory files this process still writes to.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

DATA_FILE_MODE = 0o600
T = TypeVar("T")
_SHARED: dict[tuple[Any, ...], Any] = {}
_SHARED_LOCK = threading.Lock()


def one_per_url(factory: Callable[..., T], url: str, *args: Any) -> T:
    """The process's one ``factory(url, *args)`` (an audit log, a throttle, …), shared by all
    sessions; `args` must be hashable."""
    key = (factory, url, *args)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = factory(url, *args)
        return _SHARED[key]


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def create_private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by this user only; tighten an existing file's mode.
    An existing file is never opened (see the module docstring): chmod needs no descriptor."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DATA_FILE_MODE))
    for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists() and (extra.stat().st_mode & 0o777) != DATA_FILE_MODE:
            os.chmod(extra, DATA_FILE_MODE)


def _engine_key(url: str) -> str | None:
    """What identifies the database of `url` in this process; None for a private in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return None
    return f"sqlite:{Path(database).resolve()}"


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()  # not _SHARED_LOCK: one_per_url's factories make engines under it


def make_engine(url: str) -> Engine:
    """The process's one engine for a SQLite or PostgreSQL `url` (each in-memory SQLite URL gets
    its own). SQLite: private file, WAL, lock timeout, and transactions that take the write lock
    when they begin. ``dispose()`` only empties the engine's pool; it stays usable."""
    key = _engine_key(url)
    if key is None:
        return _new_engine(url)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _new_engine(url)
        return _ENGINES[key]


def _new_engine(url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    if backend != "sqlite":
        raise ValueError(f"state URL must be SQLite or PostgreSQL, not {backend!r}")
    database = parsed.database or ""
    if database in ("", ":memory:"):  # one shared connection, or each thread sees its own empty DB
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        create_private_file(Path(database))  # before this process's first connection to it
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's documented recipe: we emit BEGIN ourselves
        if database not in ("", ":memory:"):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # the admin page reads while a session writes
            cur.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class TableStore:
    """Base of a store of a few tables at one URL: the engine, a lock for this process's
    writers (the database lock covers other processes), the tables created when missing."""

    def __init__(self, url: str, metadata: MetaData, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.clock = clock
        self._engine = make_engine(url)
        self._lock = threading.Lock()
        with self._engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)

    def close(self) -> None:
        self._engine.dispose()
