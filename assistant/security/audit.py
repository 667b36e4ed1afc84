"""Append-only audit log of who asked, summarised, drafted, logged in, re-indexed or deleted what.

SQLAlchemy Core over SQLite (default, ``settings.security.audit_url``) or PostgreSQL. Questions,
details and source names are masked with :func:`mask_pii` before they are written: the log itself
must not become a store of personal data. The user name is kept as is (it is the staff account
the entry is about). Append-only in two layers: this class offers no update or delete, and the
database refuses them (triggers that raise on UPDATE/DELETE, and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from assistant.security.pii import mask_personal_data

EVENTS = frozenset(
    {"ask", "summarize", "draft", "login", "login_failed", "logout", "reindex", "delete_document", "denied"}
)
APPEND_ONLY_MESSAGE = "audit log is append-only"
MAX_RECENT = 10_000

_metadata = MetaData()
audit_table = Table(
    "audit_log",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", String(40), nullable=False, index=True),  # UTC ISO 8601, sorts as text
    Column("event", String(32), nullable=False, index=True),
    Column("user", String(200), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("question", Text),
    Column("sources", Text, nullable=False),  # JSON list of strings
    Column("backend", String(100)),
    Column("detail", Text),
)

_SQLITE_GUARDS = [
    f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    for op in ("UPDATE", "DELETE")
]
# Two app processes starting together would otherwise race on CREATE OR REPLACE.
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('gov_assistant.audit_log'))"
_PG_GUARDS = [
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
    "CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    ts: str  # UTC ISO 8601
    event: str
    user: str
    role: str
    question: str | None
    sources: tuple[str, ...]
    backend: str | None
    detail: str | None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def masked_detail(detail: str | Mapping[str, Any] | None) -> str | None:
    """Detail as text (a mapping as JSON), personal data masked."""
    if detail is None:
        return None
    raw = detail if isinstance(detail, str) else json.dumps(dict(detail), ensure_ascii=False, default=str)
    return mask_personal_data(raw)


def make_audit_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created, a lock timeout and WAL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    if backend != "sqlite":
        raise ValueError(f"audit_url must be a SQLite or PostgreSQL URL, not {backend!r}")
    database = parsed.database or ""
    if database in ("", ":memory:"):  # one shared connection, or each thread sees its own empty DB
        return create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa_event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL: the admin page can read while a session writes.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    return engine


class AuditLog:
    """Append-only audit trail; safe to share between Streamlit's session threads."""

    def __init__(self, url: str, *, clock: Callable[[], str] = utc_now) -> None:
        self.url = url
        self._clock = clock
        self._engine = make_audit_engine(url)
        self._lock = threading.Lock()  # SQLite allows one writer; serialise ours rather than retry
        self._create_schema()

    def _create_schema(self) -> None:
        sqlite = self._engine.dialect.name == "sqlite"
        with self._lock, self._engine.begin() as conn:
            if not sqlite:
                conn.execute(text(_PG_LOCK))
            _metadata.create_all(conn, checkfirst=True)
            for ddl in _SQLITE_GUARDS if sqlite else _PG_GUARDS:
                conn.execute(text(ddl))

    def record(
        self,
        event: str,
        user: str,
        role: str,
        *,
        question: str | None = None,
        sources: Iterable[str] = (),
        backend: str | None = None,
        detail: str | Mapping[str, Any] | None = None,
    ) -> int:
        """Append one entry (question, sources and detail masked); return its id."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event: {event!r}")
        row = {
            "ts": self._clock(),
            "event": event,
            "user": user or "(anonymous)",
            "role": role or "",
            "question": mask_personal_data(question) if question is not None else None,
            "sources": json.dumps([mask_personal_data(str(s)) for s in sources], ensure_ascii=False),
            "backend": backend,
            "detail": masked_detail(detail),
        }
        with self._lock, self._engine.begin() as conn:
            result = conn.execute(insert(audit_table).values(**row))
            return int(result.inserted_primary_key[0])

    def recent(self, limit: int = 100, user: str | None = None, event: str | None = None) -> list[AuditEntry]:
        """The newest entries first, optionally of one user and/or one event."""
        query = select(audit_table).order_by(audit_table.c.id.desc()).limit(max(0, min(limit, MAX_RECENT)))
        if user is not None:
            query = query.where(audit_table.c.user == user)
        if event is not None:
            query = query.where(audit_table.c.event == event)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditEntry(
                r["id"],
                r["ts"],
                r["event"],
                r["user"],
                r["role"],
                r["question"],
                tuple(json.loads(r["sources"] or "[]")),
                r["backend"],
                r["detail"],
            )
            for r in rows
        ]

    def close(self) -> None:
        self._engine.dispose()


_LOGS: dict[str, AuditLog] = {}
_LOGS_LOCK = threading.Lock()


def get_audit_log(settings: Any) -> AuditLog:
    """One shared :class:`AuditLog` per URL (``settings.security.audit_url``)."""
    url = settings.security.audit_url
    with _LOGS_LOCK:
        if url not in _LOGS:
            _LOGS[url] = AuditLog(url)
        return _LOGS[url]
