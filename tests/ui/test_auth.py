"""Built-in accounts and login (``assistant.security.auth``), and role checks of the admin
functions with their "denied" audit entries — no Streamlit involved."""

from __future__ import annotations

import contextlib
import io
import stat
from pathlib import Path

import pytest

from assistant.app import index_admin as admin
from assistant.security import auth
from assistant.security.accounts import Account, AccountsError, load_accounts, save_account
from assistant.security.audit import get_audit_log
from assistant.security.throttle import LoginThrottle, LoginThrottled
from ingest.core.settings import Settings
from tests.ui.conftest import ADMIN, STAFF, write_accounts


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.security.accounts_file = write_accounts(tmp_path / "secrets" / "accounts.toml")
    s.security.audit_url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    s.security.state_url = f"sqlite:///{tmp_path / 'security.sqlite3'}"
    s.security.max_login_failures = 3
    s.security.lockout_minutes = 15
    s.store.db_dir = tmp_path / "index"
    return s


@pytest.fixture()
def throttle(settings: Settings) -> LoginThrottle:
    return LoginThrottle(settings.security.state_url, clock=FakeClock())


def test_verify_login(settings: Settings, throttle: LoginThrottle) -> None:
    settings.security.max_login_failures = 10
    login, password, user = ADMIN
    assert auth.verify_login(login, password, settings) == user
    assert auth.verify_login(" Admin ", password, settings) == user  # case and spaces do not matter
    assert auth.verify_login(STAFF[0], STAFF[1], settings).is_admin is False
    assert auth.verify_login(login, "틀린 비밀번호", settings) is None
    assert auth.verify_login(login, "", settings) is None
    assert auth.verify_login(login, "가" * 30, settings) is None  # over bcrypt's 72 bytes
    assert auth.verify_login("nobody", password, settings) is None


def test_unknown_logins_cost_a_bcrypt_check(
    settings: Settings, throttle: LoginThrottle, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[bytes] = []
    real = auth.bcrypt.checkpw
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda pw, h: checked.append(h) or real(pw, h))
    assert auth.verify_login("nobody", "x", settings) is None
    assert len(checked) == 1 and checked[0].startswith(b"$2b$04$")  # same cost as the real hashes


def test_backoff_slows_the_guessing_client_and_releases(settings: Settings, throttle: LoginThrottle) -> None:
    login, password, user = STAFF
    guess = lambda pw: auth.verify_login(login, pw, settings, client="10.0.0.9", throttle=throttle)  # noqa: E731
    assert guess("x") is None and guess("y") is None
    assert guess("z") is None  # the third failure (max_login_failures) starts the backoff: 1 s
    with pytest.raises(LoginThrottled) as wait:
        guess(password)  # not even the right password goes through while the client waits
    assert wait.value.seconds == 1
    throttle.clock.now += 1.5
    assert guess("w") is None  # 4th failure: 2 s
    with pytest.raises(LoginThrottled) as wait:
        guess(password)
    assert wait.value.seconds == 2
    throttle.clock.now += 2.5
    assert guess(password) == user  # a success clears this client's count
    assert guess("x") is None and guess("y") is None and guess(password) == user


def test_backoff_is_capped(settings: Settings, throttle: LoginThrottle) -> None:
    settings.security.login_backoff_max_seconds = 60
    for _ in range(20):
        throttle.clock.now += 3600
        with contextlib.suppress(LoginThrottled):
            auth.verify_login(STAFF[0], "x", settings, client="10.0.0.9", throttle=throttle)
    with pytest.raises(LoginThrottled) as wait:
        auth.verify_login(STAFF[0], STAFF[1], settings, client="10.0.0.9", throttle=throttle)
    assert wait.value.seconds == 60
    assert {e.key: e.failures for e in throttle.entries()}["pair:clerk|10.0.0.9"] == 20


def test_accounts_file_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "accounts.toml"
    save_account(path, Account("kim", '김 "주무관"', "staff", ("감사", "인사"), auth.hash_password("pw", 4)))
    save_account(path, Account("lee@city.go.kr", "이", "admin", (), "", email="lee@city.go.kr"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    accounts = load_accounts(path)
    assert accounts["kim"].name == '김 "주무관"' and accounts["kim"].groups == ("감사", "인사")
    assert accounts["lee@city.go.kr"].role == "admin" and not accounts["lee@city.go.kr"].password_hash
    with pytest.raises(AccountsError):
        save_account(path, Account("kim", "김", "root"))
    path.write_text('[users.x]\nrole = "boss"\n', encoding="utf-8")
    with pytest.raises(AccountsError, match="staff 또는 admin"):
        load_accounts(path)


def test_add_user_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "secrets" / "accounts.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("새-비밀번호-2026\n"))
    argv = ["add-user", "Park", "--role", "admin", "--name", "박관리", "--groups", "감사, 인사"]
    assert auth.main([*argv, "--password-stdin", "--file", str(path)]) == 0
    out = capsys.readouterr()
    assert "park (관리자)" in out.out and "새-비밀번호-2026" not in out.out + out.err
    s = Settings()
    s.security.accounts_file = path
    assert auth.verify_login("park", "새-비밀번호-2026", s) == auth.User(
        "park", "박관리", "admin", ("감사", "인사")
    )
    assert "새-비밀번호-2026" not in path.read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("다른-비밀번호-2026\n"))
    assert auth.main(["add-user", "park", "--password-stdin", "--file", str(path)]) == 0  # new password only
    assert auth.verify_login("park", "다른-비밀번호-2026", s) == auth.User(
        "park", "박관리", "admin", ("감사", "인사")
    )
    assert auth.main(["add-user", "bad login", "--password-stdin", "--file", str(path)]) == 2


def test_oidc_user_mapping(settings: Settings) -> None:
    save_account(
        settings.security.accounts_file,
        Account("hong", "홍감사", "admin", ("감사",), email="hong@city.go.kr"),
    )
    assert auth.oidc_user("Hong@City.go.kr", "홍길동", settings) == auth.User(
        "hong", "홍감사", "admin", ("감사",)
    )
    assert auth.oidc_user("new@city.go.kr", "신규", settings) == auth.User("new@city.go.kr", "신규", "staff")
    settings.security.oidc_role = "admin"
    assert auth.oidc_user("new@city.go.kr", "", settings).is_admin


def test_staff_calling_admin_functions_is_refused_and_audited(settings: Settings, tmp_path: Path) -> None:
    clerk = STAFF[2]
    with pytest.raises(admin.AdminError, match="관리자만"):
        admin.reindex([tmp_path], settings, clerk)
    with pytest.raises(admin.AdminError):
        admin.audit_entries(settings, clerk)
    assert not (tmp_path / "index").exists()
    denied = get_audit_log(settings).recent(10, event="denied")
    assert [(e.user, e.role, e.detail) for e in denied] == [
        ("clerk", "staff", "audit_entries"),
        ("clerk", "staff", "reindex"),
    ]
    assert admin.audit_entries(settings, ADMIN[2], event="denied") == denied


def test_ensure_admin_creates_the_first_account_once(tmp_path: Path) -> None:
    s = Settings()
    s.security.accounts_file = tmp_path / "secrets" / "accounts.toml"
    line = auth.ensure_admin(s)
    assert line and line.startswith("초기 관리자 계정: admin / 비밀번호 ")
    password = line.split("비밀번호 ", 1)[1].split()[0]
    assert stat.S_IMODE(s.security.accounts_file.stat().st_mode) == 0o600
    assert password not in s.security.accounts_file.read_text(encoding="utf-8")
    assert auth.verify_login("admin", password, s).is_admin
    assert auth.ensure_admin(s) is None  # never replaces an existing file
