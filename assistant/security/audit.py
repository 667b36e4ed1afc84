"""Append-only, hash-chained audit log of who asked, summarised, drafted, logged in, re-indexed
or deleted what::

    python -m assistant.security.audit verify [--url URL]   # first broken row, or OK (exit 0)

SQLAlchemy Core over SQLite (default, ``settings.security.audit_url``) or PostgreSQL. Questions,
details and source names are masked with :func:`mask_personal_data` before they are written: the
log itself must not become a store of personal data. The user name is kept as is (it is the staff
account the entry is about).

Append-only in four layers: this class offers no update or delete; the database refuses them
(triggers on UPDATE/DELETE, and TRUNCATE on PostgreSQL); each row stores an HMAC-SHA256 over its
fields and the previous row's hash, keyed with a secret kept outside the database
(``security.audit_key_file``), so a row changed or removed by someone who dropped the triggers
breaks the chain at that row and cannot be re-chained without the key; and the last row's id and
hash go to an anchor file beside the key (``assistant.security.audit_anchor``), so rows removed
from the end show too. ``verify`` names the first broken row and reports missing triggers.

Logs written before the key existed were chained with plain SHA-256: those rows still verify,
but only as a leading unkeyed part that ``verify`` reports as such (anyone could rewrite it
consistently); an unkeyed row after a keyed one is a forgery.

An action that shows text to a user (an answer, a summary, a draft) is logged in two rows: a
``started`` row written before any text reaches the user, and a row that completes it
(``complete`` / ``stopped`` / ``error``, ``ref_id`` = the started row) once it ends.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
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

from assistant.security import auth
from assistant.security.audit_anchor import Anchor, log_identity, read_anchor, write_anchor
from assistant.security.keyfile import load_or_create_key, read_key
from assistant.security.pii import mask_personal_data
from assistant.security.storage import is_sqlite, make_engine, one_per_url
from ingest.core.settings import get_settings

log = logging.getLogger(__name__)

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
    """What ``verify`` found: ``ok``, the rows checked, the first broken row and why, and how many
    leading rows predate the key (``unkeyed``: no hash, or plain SHA-256)."""

    ok: bool
    rows: int
    broken_id: int | None = None
    reason: str = ""
    unkeyed: int = 0

    def __str__(self) -> str:
        if self.ok:
            text = f"감사 기록 정상: {self.rows}개 행의 해시 연결이 모두 맞습니다."
            if self.unkeyed:
                text += (
                    f" 다만 앞의 {self.unkeyed}개 행은 감사 키 도입 전 기록이라 키 없는 해시로만 확인했습니다"
                    " (데이터베이스를 고칠 수 있는 사람은 이 부분을 들키지 않고 다시 쓸 수 있음)."
                )
            return text
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


def _payload(prev_hash: str, row: Mapping[str, Any]) -> bytes:
    return json.dumps(
        [prev_hash, *(row.get(k) for k in _HASHED)], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def row_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The unkeyed chain of logs written before the key: SHA-256 over the previous row's hash and
    this row's stored fields (pure). Verified for old rows only; anyone can compute it."""
    return hashlib.sha256(_payload(prev_hash, row)).hexdigest()


def row_mac(key: bytes, prev_hash: str, row: Mapping[str, Any]) -> str:
    """HMAC-SHA256 with `key` over the previous row's hash and this row's stored fields (pure)."""
    return hmac.new(key, _payload(prev_hash, row), hashlib.sha256).hexdigest()


def _broken(count: int, row_id: int | None, reason: str) -> ChainReport:
    return ChainReport(False, count, row_id, reason)


def verify_rows(
    rows: Iterable[Mapping[str, Any]],
    key: bytes | None,
    anchor: Anchor | None = None,
    *,
    anchored: bool = False,
) -> ChainReport:
    """Check the chain over rows in id order (pure): rows without a hash, then rows with the old
    unkeyed hash, may only come first; every later row must carry the HMAC with `key`. The
    `anchor` row must be there with its hash; with `anchored` (the log keeps an anchor) a log
    with keyed rows and no anchor is broken too."""
    prev: str | None = None
    count = unkeyed = keyed = 0
    anchor_seen = False
    for row in rows:
        count += 1
        if row.get("hash") is None:
            if prev is not None:
                return _broken(count, row["id"], "해시가 없는 행이 연결 중간에 있습니다")
            unkeyed += 1
            continue
        expected_prev = GENESIS if prev is None else prev
        if row.get("prev_hash") != expected_prev:
            return _broken(count, row["id"], "앞 행의 해시와 맞지 않습니다 (앞 행이 지워졌거나 바뀜)")
        if key is not None and hmac.compare_digest(row_mac(key, expected_prev, row), row["hash"]):
            keyed += 1
        elif row_hash(expected_prev, row) == row["hash"]:
            if keyed:
                return _broken(
                    count, row["id"], "키 없이 계산한 해시입니다 (키를 모르는 누군가가 다시 쓴 행)"
                )
            unkeyed += 1
        elif key is None:
            return _broken(count, row["id"], "감사 키 파일이 없어 이 행의 해시를 확인할 수 없습니다")
        else:
            return _broken(count, row["id"], "행의 내용이 해시와 맞지 않습니다 (바뀜)")
        if anchor is not None and row["id"] == anchor.id:
            if row["hash"] != anchor.hash:
                return _broken(count, row["id"], "기준점에 적어 둔 해시와 다릅니다 (다시 쓰인 행)")
            anchor_seen = True
        prev = row["hash"]
    if anchor is not None and not anchor_seen:
        return _broken(
            count, anchor.id, "기준점에 적어 둔 마지막 기록이 없습니다 (끝부분의 행이 지워졌거나 다시 쓰임)"
        )
    if anchored and anchor is None and keyed:
        return _broken(count, None, "기준점 파일에 이 기록의 항목이 없습니다 (끝부분이 지워져도 알 수 없음)")
    return ChainReport(True, count, unkeyed=unkeyed)


class AuditLog:
    """Append-only, hash-chained audit trail; safe to share between Streamlit's session threads
    and between processes on one database. The chain's key and the anchor file default to
    ``security.audit_key_file`` and ``security.audit_anchor_file``; an in-memory log has no anchor."""

    def __init__(
        self,
        url: str,
        key_file: Path | str | None = None,
        anchor_file: Path | str | None = None,
        *,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.url = url
        self._clock = clock
        self._engine = make_engine(url)
        self._sqlite = is_sqlite(self._engine)
        self._lock = threading.Lock()  # one writer per process; the database lock covers processes
        sec = get_settings().security
        self._key_file = Path(key_file or sec.audit_key_file)
        self._key: bytes | None = None  # read (or made) at the first entry: `verify` makes none
        in_memory = self._sqlite and (self._engine.url.database or ":memory:") == ":memory:"
        self._anchor_file = None if in_memory else Path(anchor_file or sec.audit_anchor_file)
        self._identity = log_identity(url)
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
            if self._key is None:
                self._key = load_or_create_key(self._key_file)
            if not self._sqlite:
                conn.execute(text(_PG_LOCK))
            last = conn.execute(
                select(audit_table.c.hash).order_by(audit_table.c.id.desc()).limit(1)
            ).scalar_one_or_none()
            row["prev_hash"] = last or GENESIS
            row["hash"] = row_mac(self._key, row["prev_hash"], row)
            entry_id = int(conn.execute(insert(audit_table).values(**row)).inserted_primary_key[0])
            # Inside the transaction: the database lock orders the anchor writes like the rows.
            self._advance_anchor(conn, Anchor(entry_id, row["hash"]))
            return entry_id

    def _advance_anchor(self, conn: Any, new: Anchor) -> None:
        """Move the anchor to `new`, but only from a row that is still there as anchored: after
        rows were cut from the end the old anchor stays, so that ``verify`` keeps showing it."""
        if self._anchor_file is None:
            return
        try:
            old = read_anchor(self._anchor_file, self._identity)
        except ValueError as exc:
            log.error("audit anchor not moved: %s", exc)
            return
        if old is not None:
            stored = conn.execute(
                select(audit_table.c.hash).where(audit_table.c.id == old.id)
            ).scalar_one_or_none()
            if stored != old.hash:
                log.error("audit log: anchored row %s is gone or changed; the anchor is kept", old.id)
                return
        write_anchor(self._anchor_file, self._identity, new)

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
        """Walk the whole chain against the key and the anchor; also report append-only triggers
        that were dropped."""
        try:
            key = read_key(self._key_file)
            anchor = read_anchor(self._anchor_file, self._identity) if self._anchor_file else None
        except (OSError, ValueError) as exc:
            return ChainReport(False, 0, None, str(exc))
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
            report = verify_rows(rows, key, anchor, anchored=self._anchor_file is not None)
        missing = [t for t in wanted if t not in names]
        if report.ok and missing:
            return ChainReport(False, report.rows, None, f"삭제 방지 트리거가 없습니다: {', '.join(missing)}")
        return report

    def close(self) -> None:
        self._engine.dispose()


def get_audit_log(settings: Any) -> AuditLog:
    """One shared :class:`AuditLog` per URL (``settings.security.audit_url``) and key."""
    sec = settings.security
    return one_per_url(AuditLog, sec.audit_url, sec.audit_key_file, sec.audit_anchor_file)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.security.audit", description="감사 기록")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="해시 연결과 삭제 방지 트리거를 검사합니다")
    check.add_argument("--url", help="감사 기록 URL (기본: security.audit_url)")
    check.add_argument("--key", help="감사 키 파일 (기본: security.audit_key_file)")
    check.add_argument("--anchor", help="기준점 파일 (기본: security.audit_anchor_file)")
    args = parser.parse_args(argv)
    sec = get_settings().security
    audit = AuditLog(
        args.url or sec.audit_url, args.key or sec.audit_key_file, args.anchor or sec.audit_anchor_file
    )
    try:
        report = audit.verify()
    finally:
        audit.close()
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())


def record(
    settings: Any,
    event: str,
    user: auth.User | None,
    *,
    login: str | None = None,
    question: str | None = None,
    sources: Sequence[str] = (),
    backend: str | None = None,
    detail: str | None = None,
    status: str | None = None,
    ref_id: int | None = None,
) -> int | None:
    """Record `event` for `user` (or for the attempted `login` when nobody is logged in); the
    row id, or None when the log failed."""
    who = login if login is not None else (user.login if user else "")
    try:
        return get_audit_log(settings).record(
            event,
            who,
            user.role if user else "",
            question=question,
            sources=tuple(sources),
            backend=backend,
            detail=detail,
            status=status,
            ref_id=ref_id,
        )
    except Exception as exc:
        log.error("audit event %r of %r not recorded: %s", event, who, type(exc).__name__, exc_info=exc)
        return None
