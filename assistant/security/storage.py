"""Engines for the small state the app keeps beside the index: the audit log, feedback, login
throttling, saved sessions. One URL each in settings: SQLite on this host by default, PostgreSQL
when several app instances run (SQLite's WAL needs shared memory, so it must never sit on a
network filesystem).

SQLite files are created 0600 (they hold questions and account activity); SQLite gives its -wal
and -shm files the same mode. Writes take the database lock when the transaction begins
(``BEGIN IMMEDIATE``), so a read-then-write (the audit hash chain, counters) cannot interleave
with another process's.
"""

from __future__ import annotations

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
_SHARED: dict[tuple[Callable[..., Any], str], Any] = {}
_SHARED_LOCK = threading.Lock()


def one_per_url(factory: Callable[[str], T], url: str) -> T:
    """The process's one ``factory(url)`` (an audit log, a throttle, …), shared by all sessions."""
    with _SHARED_LOCK:
        if (factory, url) not in _SHARED:
            _SHARED[(factory, url)] = factory(url)
        return _SHARED[(factory, url)]


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def create_private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by this user only; tighten an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, DATA_FILE_MODE)
    os.close(fd)
    for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists() and (extra.stat().st_mode & 0o777) != DATA_FILE_MODE:
            os.chmod(extra, DATA_FILE_MODE)


def make_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL `url`. SQLite: private file, WAL, lock timeout, and
    transactions that take the write lock when they begin."""
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
        create_private_file(Path(database))
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
