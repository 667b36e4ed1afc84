"""Append-only, hash-chained audit log of who asked, summarised, drafted, logged in, re-indexed
or deleted what::

    python -m assistant.security.audit verify [--url URL]   # first broken row, or OK

SQLAlchemy Core over SQLite (default, ``settings.security.audit_url``) or PostgreSQL. Questions,
details and source names are masked with :func:`mask_personal_data` before they are written: the
log itself must not become a store of personal data. The user name is kept as is (it is the staff
account the entry is about).

Append-only in three layers: this class offers no update or delete; the database refuses them
(triggers on UPDATE/DELETE, and TRUNCATE on PostgreSQL); and each row stores the hash of the row
before it, so a row changed or removed by someone who dropped the triggers breaks the chain at
that row, and ``verify`` names it (it also reports missing triggers).

An action that shows text to a user (an answer, a summary, a draft) is logged in two rows: a
``started`` row written before any text reaches the user, and a row that completes it
(``complete`` / ``stopped`` / ``error``, ``ref_id`` = the started row) once it ends.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
)

from assistant.security.pii import mask_personal_data
from assistant.security.storage import is_sqlite, make_engine, one_per_url
from assistant.settings import get_settings

EVENTS = frozenset(
    {
        "ask",
        "summarize",
        "draft",
        "login",
        "login_failed",
        "login_unblock",
        "logout",
        "reindex",
        "delete_document",
        "denied",
        "input_rejected",
        "amendment_watch",  # 지침 점검 run (관리)
        "document_date",  # an admin set or cleared a document's date for the 지침 점검
        "draft_keep",  # a draft kept in ui.drafts_dir (watched by the 지침 점검)
        "feedback_review",
        "open_original",  # 원문 보기 / 원본 내려받기 of a cited document
    }
)
STATUSES = frozenset({"started", "complete", "stopped", "error"})
APPEND_ONLY_MESSAGE = "audit log is append-only"
MAX_RECENT = 10_000
GENESIS = "0" * 64  # the "previous hash" of the first chained row

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
    Column("status", String(16)),
    Column("ref_id", Integer),
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
)
_ADDED_COLUMNS = {
    "status": "VARCHAR(16)",
    "ref_id": "INTEGER",
    "prev_hash": "VARCHAR(64)",
    "hash": "VARCHAR(64)",
}
_HASHED = ("ts", "event", "user", "role", "question", "sources", "backend", "detail", "status", "ref_id")

_SQLITE_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
_SQLITE_GUARDS = [
    f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    for op in ("UPDATE", "DELETE")
]
# Two app processes starting together would otherwise race on CREATE OR REPLACE; writers take
# the same lock so that the hash chain stays linear.
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('gov_assistant.audit_log'))"
_PG_TRIGGERS = ("audit_log_no_change", "audit_log_no_truncate")
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
    status: str | None = None  # None for one-row events
    ref_id: int | None = None  # the "started" row this row completes


@dataclass(frozen=True)
class ChainReport:
    """What ``verify`` found: ``ok``, the rows checked, the first broken row and why."""

    ok: bool
    rows: int
    broken_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"감사 기록 정상: {self.rows}개 행의 해시 연결이 모두 맞습니다."
        where = f"{self.broken_id}번 행" if self.broken_id is not None else "감사 기록"
        return f"감사 기록 손상: {where} — {self.reason}"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def masked_detail(detail: str | Mapping[str, Any] | None) -> str | None:
    """Detail as text (a mapping as JSON), personal data masked."""
    if detail is None:
        return None
    raw = detail if isinstance(detail, str) else json.dumps(dict(detail), ensure_ascii=False, default=str)
    return mask_personal_data(raw)


def row_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 over the previous row's hash and this row's stored fields (pure)."""
    payload = json.dumps(
        [prev_hash, *(row.get(k) for k in _HASHED)], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify_rows(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Check the hash chain over rows in id order (pure). Rows written before the chain existed
    (no hash) may only come first."""
    prev: str | None = None
    count = 0
    for row in rows:
        count += 1
        if row.get("hash") is None:
            if prev is not None:
                return ChainReport(False, count, row["id"], "해시가 없는 행이 연결 중간에 있습니다")
            continue
        expected_prev = GENESIS if prev is None else prev
        if row.get("prev_hash") != expected_prev:
            return ChainReport(
                False, count, row["id"], "앞 행의 해시와 맞지 않습니다 (앞 행이 지워졌거나 바뀜)"
            )
        if row_hash(expected_prev, row) != row["hash"]:
            return ChainReport(False, count, row["id"], "행의 내용이 해시와 맞지 않습니다 (바뀜)")
        prev = row["hash"]
    return ChainReport(True, count)


class AuditLog:
    """Append-only, hash-chained audit trail; safe to share between Streamlit's session threads
    and between processes on one database."""

    def __init__(self, url: str, *, clock: Callable[[], str] = utc_now) -> None:
        self.url = url
        self._clock = clock
        self._engine = make_engine(url)
        self._sqlite = is_sqlite(self._engine)
        self._lock = threading.Lock()  # one writer per process; the database lock covers processes
        self._create_schema()

    def _create_schema(self) -> None:
        with self._lock, self._engine.begin() as conn:
            if not self._sqlite:
                conn.execute(text(_PG_LOCK))
            _metadata.create_all(conn, checkfirst=True)
            present = {c["name"] for c in inspect(conn).get_columns("audit_log")}
            for name, sql_type in _ADDED_COLUMNS.items():  # a log created by an older version
                if name not in present:
                    conn.execute(text(f"ALTER TABLE audit_log ADD COLUMN {name} {sql_type}"))
            for ddl in _SQLITE_GUARDS if self._sqlite else _PG_GUARDS:
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
        status: str | None = None,
        ref_id: int | None = None,
    ) -> int:
        """Append one entry (question, sources and detail masked), chained to the last; its id."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event: {event!r}")
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown audit status: {status!r}")
        row: dict[str, Any] = {
            "ts": self._clock(),
            "event": event,
            "user": user or "(anonymous)",
            "role": role or "",
            "question": mask_personal_data(question) if question is not None else None,
            "sources": json.dumps([mask_personal_data(str(s)) for s in sources], ensure_ascii=False),
            "backend": backend,
            "detail": masked_detail(detail),
            "status": status,
            "ref_id": ref_id,
        }
        with self._lock, self._engine.begin() as conn:
            if not self._sqlite:
                conn.execute(text(_PG_LOCK))
            last = conn.execute(
                select(audit_table.c.hash).order_by(audit_table.c.id.desc()).limit(1)
            ).scalar_one_or_none()
            row["prev_hash"] = last or GENESIS
            row["hash"] = row_hash(row["prev_hash"], row)
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
                r["status"],
                r["ref_id"],
            )
            for r in rows
        ]

    def verify(self) -> ChainReport:
        """Walk the whole chain; also report append-only triggers that were dropped."""
        with self._engine.connect() as conn:
            if self._sqlite:
                names = {
                    r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                }
                wanted: Sequence[str] = _SQLITE_TRIGGERS
            else:
                names = {
                    r[0]
                    for r in conn.execute(
                        text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass")
                    )
                }
                wanted = _PG_TRIGGERS
            rows = conn.execute(select(audit_table).order_by(audit_table.c.id)).mappings()
            report = verify_rows(rows)
        missing = [t for t in wanted if t not in names]
        if report.ok and missing:
            return ChainReport(False, report.rows, None, f"삭제 방지 트리거가 없습니다: {', '.join(missing)}")
        return report

    def close(self) -> None:
        self._engine.dispose()


def get_audit_log(settings: Any) -> AuditLog:
    """One shared :class:`AuditLog` per URL (``settings.security.audit_url``)."""
    return one_per_url(AuditLog, settings.security.audit_url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.security.audit", description="감사 기록")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="해시 연결과 삭제 방지 트리거를 검사합니다")
    check.add_argument("--url", help="감사 기록 URL (기본: security.audit_url)")
    args = parser.parse_args(argv)
    log = AuditLog(args.url or get_settings().security.audit_url)
    try:
        report = log.verify()
    finally:
        log.close()
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
