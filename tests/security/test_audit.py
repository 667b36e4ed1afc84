"""The audit log: append-only, masked before writing, safe across threads; SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assistant.security.audit import EVENTS, AuditLog, get_audit_log
from ingest.core.settings import Settings
from ingest.index.chroma_server import free_port
from tests.conftest import unavailable

SECRETS_QUESTION = "민원인 900101-1234568, 연락처 010-1234-5678, hong@example.com 의 처리기간은?"
SECRETS = ("1234568", "1234-5678", "hong@example.com")


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def raw_rows(url: str) -> list[tuple]:
    with sqlite3.connect(sqlite_path(url)) as conn:
        return conn.execute("SELECT * FROM audit_log").fetchall()


@pytest.fixture()
def log(sec_settings: Settings) -> Iterator[AuditLog]:
    audit = AuditLog(sec_settings.security.audit_url)
    yield audit
    audit.close()


def test_record_and_recent(log: AuditLog) -> None:
    log.record("login", "kim", "staff")
    log.record(
        "ask", "kim", "staff", question="민원 처리기간은?", sources=["민원처리법 제17조"], backend="none"
    )
    log.record("reindex", "admin", "admin", detail="3개 파일")
    newest = log.recent(10)
    assert [e.event for e in newest] == ["reindex", "ask", "login"]
    assert [e.event for e in log.recent(10, user="kim")] == ["ask", "login"]
    ask = log.recent(10, event="ask")[0]
    assert ask.sources == ("민원처리법 제17조",) and ask.backend == "none" and ask.role == "staff"
    assert datetime.fromisoformat(ask.ts).utcoffset() == UTC.utcoffset(None)
    assert len(log.recent(1)) == 1


@pytest.mark.hostile("mask")
@pytest.mark.parametrize("field", ["question", "detail", "detail_mapping", "sources"])
def test_personal_data_never_reaches_the_database(field: str, log: AuditLog) -> None:
    kwargs = {
        "question": {"question": SECRETS_QUESTION},
        "detail": {"detail": SECRETS_QUESTION},
        "detail_mapping": {"detail": {"입력": SECRETS_QUESTION, "건수": 1}},
        "sources": {"sources": [f"업로드/{SECRETS_QUESTION}.pdf"]},
    }[field]
    log.record("ask", "kim", "staff", **kwargs)
    stored = repr(raw_rows(log.url))
    for secret in SECRETS:
        assert secret not in stored
    assert "900101-1******" in stored and "010-****-5678" in stored


@pytest.mark.hostile("refuse")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET question = '변조'",
        "UPDATE audit_log SET user = 'someone-else' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 1",
        "DELETE FROM audit_log",
    ],
)
def test_sqlite_refuses_changes(statement: str, log: AuditLog) -> None:
    log.record("ask", "kim", "staff", question="원래 질문")
    with (
        sqlite3.connect(sqlite_path(log.url)) as conn,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        conn.execute(statement)
    assert log.recent(5)[0].question == "원래 질문"


@pytest.mark.hostile("refuse")
def test_the_class_offers_no_way_to_change_entries() -> None:
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"record", "recent", "verify", "close"}


@pytest.mark.hostile("refuse")
def test_unknown_events_are_refused(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="unknown audit event"):
        log.record("drop_table", "kim", "staff")
    assert log.recent(5) == []


def test_all_events_are_accepted(log: AuditLog) -> None:
    for event in sorted(EVENTS):
        log.record(event, "kim", "staff")
    assert {e.event for e in log.recent(100)} == EVENTS


def test_concurrent_sessions_all_get_recorded(log: AuditLog) -> None:
    def session(n: int) -> None:
        for i in range(25):
            log.record("ask", f"user{n}", "staff", question=f"질문 {i}")

    threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = log.recent(1000)
    assert len(entries) == 200 and len({e.id for e in entries}) == 200
    assert all(len(log.recent(1000, user=f"user{n}")) == 25 for n in range(8))


def test_reopening_keeps_entries_and_guards(log: AuditLog) -> None:
    log.record("login", "kim", "staff")
    again = AuditLog(log.url)  # schema and triggers are created idempotently
    assert [e.event for e in again.recent(5)] == ["login"]
    with sqlite3.connect(sqlite_path(log.url)) as conn, pytest.raises(sqlite3.DatabaseError):
        conn.execute("DELETE FROM audit_log")
    again.close()


def test_in_memory_log_is_shared_between_threads() -> None:
    audit = AuditLog("sqlite://")
    worker = threading.Thread(target=lambda: audit.record("logout", "kim", "staff"))
    worker.start()
    worker.join()
    assert [e.event for e in audit.recent(5)] == ["logout"]


def test_one_instance_per_url(sec_settings: Settings, tmp_path: Path) -> None:
    first = get_audit_log(sec_settings)
    assert get_audit_log(sec_settings) is first
    other = sec_settings.model_copy(deep=True)
    other.security.audit_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert get_audit_log(other) is not first


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        AuditLog("mysql://user@localhost/audit")


# --- PostgreSQL ---------------------------------------------------------------------------------
# A real server: $ASSISTANT_TEST_POSTGRES_URL if set, else a throw-away cluster started with the
# Debian `postgresql` package's binaries; skipped locally (failed in CI) when neither is there.


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg not installed (pip install -e .[test])")
    if url := os.environ.get("ASSISTANT_TEST_POSTGRES_URL"):
        yield url
        return
    bindir = _pg_bin()
    if bindir is None:
        unavailable(
            "PostgreSQL not installed (bash scripts/install-system-deps.sh) and no ASSISTANT_TEST_POSTGRES_URL"
        )
    # The server refuses to run as root: run it as the package's postgres user when we are root.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="audit-pg-"))  # not under pytest's 0700 tmp dir
    if as_user:
        shutil.chown(root, "postgres")
    data, port = root / "data", free_port()
    run = {"check": True, "capture_output": True, "timeout": 60}
    try:
        subprocess.run([*as_user, bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust"], **run)
        options = f"-k {root} -p {port} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [*as_user, bindir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start"], **run
        )
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"could not start a PostgreSQL server: {exc}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.hostile("refuse")
def test_postgres_log_is_append_only_and_masked(postgres_url: str) -> None:
    audit = AuditLog(postgres_url)
    AuditLog(postgres_url).close()  # a second process starting up: schema and triggers again
    entry_id = audit.record(
        "ask", "kim", "staff", question=SECRETS_QUESTION, detail={"메모": SECRETS_QUESTION}
    )
    entry = next(e for e in audit.recent(10, user="kim") if e.id == entry_id)
    assert "900101-1******" in entry.question and "010-****-5678" in (entry.detail or "")
    assert not any(s in f"{entry.question}{entry.detail}" for s in SECRETS)
    engine = create_engine(postgres_url)
    for statement in (
        "UPDATE audit_log SET question = '변조'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert any(e.id == entry_id for e in audit.recent(10))
    engine.dispose()
    audit.close()


def test_shared_state_lives_in_postgres_when_several_instances_run(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probe finding 11: with PostgreSQL URLs, feedback, login throttling and the audit log are
    shared by all instances and no SQLite file (whose WAL must not sit on NFS) is written."""
    from assistant.app.feedback import FeedbackStore
    from assistant.security.throttle import LoginThrottle, LoginThrottled, ThrottlePolicy

    monkeypatch.chdir(tmp_path)
    first, second = FeedbackStore(postgres_url), FeedbackStore(postgres_url)
    first.add(
        session_id="s", message_id="m", question=SECRETS_QUESTION, answer="답", sources=[],
        mode="extractive", no_evidence=False, rating=1,
    )  # fmt: skip
    assert second.recent(1)[0].question.startswith("민원인 900101-1******")
    one, two = LoginThrottle(postgres_url), LoginThrottle(postgres_url)
    for _ in range(5):
        one.failed("kim", "10.0.0.1", ThrottlePolicy())
    with pytest.raises(LoginThrottled):
        two.check("kim", "10.0.0.1")
    two.clear()
    audit_a, audit_b = AuditLog(postgres_url), AuditLog(postgres_url)
    audit_a.record("login", "kim", "staff")
    audit_b.record("logout", "kim", "staff")
    assert audit_a.verify().ok
    assert not list(tmp_path.rglob("*.sqlite3*"))
    for closable in (first, second, one, two, audit_a, audit_b):
        closable.close()
