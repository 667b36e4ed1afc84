"""The keyed audit chain (issue 31, finding 6): someone who can write the database but does not
have the key cannot re-chain an edited log, and rows cut from the end show through the anchor;
logs written before the key still verify, reported as unkeyed. SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, make_url, text

from assistant.security.audit import GENESIS, AuditLog, main, row_hash
from ingest.core.settings import get_settings
from tests.security.test_audit import postgres_url  # noqa: F401 - the real PostgreSQL fixture

FIELDS = ("ts", "event", "user", "role", "question", "sources", "backend", "detail", "status", "ref_id")
_PG_DATABASES = itertools.count()


@pytest.fixture()
def secrets_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Key and anchor where the settings say (as the app and the CLI find them)."""
    folder = tmp_path / "secrets"
    monkeypatch.setenv("ASSISTANT_SECURITY__AUDIT_KEY_FILE", str(folder / "audit.key"))
    monkeypatch.setenv("ASSISTANT_SECURITY__AUDIT_ANCHOR_FILE", str(folder / "audit.anchor"))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path, secrets_dir: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"audit_key_{next(_PG_DATABASES)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def written_log(url: str, n: int = 5) -> None:
    log = AuditLog(url)
    for i in range(n):
        log.record("ask", "kim", "staff", question=f"질문 {i}")
    log.close()


def verify(url: str) -> int:
    return main(["verify", "--url", url])


def without_guards(url: str, change: Callable[[Connection], None]) -> None:
    """Drop the append-only triggers, make `change`, put the triggers back (the app does so when
    it starts), as someone with write access to the database can."""
    engine = create_engine(url)
    drops = (
        ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
        if url.startswith("sqlite")
        else [
            "DROP TRIGGER audit_log_no_change ON audit_log",
            "DROP TRIGGER audit_log_no_truncate ON audit_log",
        ]
    )
    with engine.begin() as conn:
        for statement in drops:
            conn.execute(text(statement))
        change(conn)
    engine.dispose()
    AuditLog(url).close()


def rechain_without_key(edit_id: int) -> Callable[[Connection], None]:
    """The forger's way: edit one row, recompute it and every later hash with the code's own
    unkeyed function, so that each row names its predecessor's hash."""

    def change(conn: Connection) -> None:
        conn.execute(text("UPDATE audit_log SET question = '변조된 질문' WHERE id = :i"), {"i": edit_id})
        prev = GENESIS
        for row in conn.execute(text("SELECT * FROM audit_log ORDER BY id")).mappings().all():
            if row["id"] < edit_id:
                prev = row["hash"]
                continue
            new = row_hash(prev, {k: row[k] for k in FIELDS})
            conn.execute(
                text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": new, "i": row["id"]},
            )
            prev = new

    return change


def delete_after(last_id: int) -> Callable[[Connection], None]:
    return lambda conn: conn.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": last_id})


@pytest.mark.hostile("refuse")
@pytest.mark.parametrize("edit_id", [1, 3])
def test_a_chain_rewritten_without_the_key_is_broken(
    url: str, edit_id: int, capsys: pytest.CaptureFixture
) -> None:
    written_log(url)
    assert verify(url) == 0 and "정상" in capsys.readouterr().out
    without_guards(url, rechain_without_key(edit_id))
    assert verify(url) == 1
    assert "손상" in capsys.readouterr().out


@pytest.mark.hostile("refuse")
def test_rows_deleted_from_the_end_are_found(
    url: str, secrets_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    written_log(url)
    assert verify(url) == 0
    without_guards(url, delete_after(3))
    assert verify(url) == 1 and "5번 행" in capsys.readouterr().out
    anchor = (secrets_dir / "audit.anchor").read_text(encoding="utf-8")
    written_log(url, 1)  # the app goes on writing: the anchor does not follow the cut log
    assert verify(url) == 1
    assert (secrets_dir / "audit.anchor").read_text(encoding="utf-8") == anchor


def test_key_and_anchor_are_private_and_the_key_is_needed(tmp_path: Path, secrets_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    log = AuditLog(url)
    log.verify()
    assert not (secrets_dir / "audit.key").exists()  # verifying makes no key
    last = log.record("login", "kim", "staff")
    for name in ("audit.key", "audit.anchor"):
        assert stat.S_IMODE((secrets_dir / name).stat().st_mode) == 0o600
    [entry] = json.loads((secrets_dir / "audit.anchor").read_text(encoding="utf-8")).values()
    assert entry["id"] == last
    assert log.verify().ok
    (secrets_dir / "audit.key").unlink()
    report = log.verify()
    assert not report.ok and "키" in report.reason
    log.close()


def test_a_log_from_before_the_key_verifies_as_unkeyed(tmp_path: Path, secrets_dir: Path) -> None:
    """Rows chained with the old SHA-256 stay readable and verifiable, reported as unkeyed; the
    keyed chain goes on from them."""
    path = tmp_path / "audit.sqlite3"
    url = f"sqlite:///{path}"
    AuditLog(url).close()  # the schema
    prev = GENESIS
    with sqlite3.connect(path) as conn:
        for i in range(3):  # as the version before the key wrote them
            row = dict.fromkeys(FIELDS) | {
                "ts": f"2025-01-0{i + 1}T00:00:00+00:00", "event": "login", "user": "kim", "role": "staff",
                "sources": "[]",
            }  # fmt: skip
            digest = row_hash(prev, row)
            conn.execute(
                f"INSERT INTO audit_log ({', '.join(FIELDS)}, prev_hash, hash) VALUES "
                f"({', '.join('?' * len(FIELDS))}, ?, ?)",
                [row[k] for k in FIELDS] + [prev, digest],
            )
            prev = digest
    log = AuditLog(url)
    report = log.verify()
    assert report.ok and report.unkeyed == 3 and "키 도입 전" in str(report)
    log.record("logout", "kim", "staff")
    report = log.verify()
    assert (report.ok, report.rows, report.unkeyed) == (True, 4, 3)
    log.close()
