"""Persistent-login tokens (assistant.security.sessions) on a real SQLite state DB, with a fake
clock; the gate's cookie endpoints (ui.cookie_gate) as ASGI calls."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import pytest

from assistant.security import sessions
from assistant.security.accounts import Account, save_account
from assistant.security.auth import User, credential_of, hash_password, refresh_user
from ingest.core.settings import load_settings
from tests.security.test_audit import postgres_url  # noqa: F401 - the real PostgreSQL fixture
from tests.ui.test_auth import FakeClock as Clock
from ui import cookie_gate


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def tokens(tmp_path: Path, clock: Clock) -> sessions.SessionTokens:
    store = sessions.SessionTokens(f"sqlite:///{tmp_path / 'state.sqlite3'}", clock=clock)
    yield store
    store.close()


def login(tokens: sessions.SessionTokens, max_hours: float = 12.0) -> tuple[str, str]:
    """(session id, token) of a redeemed login of "clerk"."""
    sid, code = tokens.start("clerk", "이주무", "password", "cred", max_hours)
    token = tokens.redeem(code)
    assert token
    return sid, token


def test_a_redeemed_token_checks_and_a_code_works_once(tokens: sessions.SessionTokens) -> None:
    sid, code = tokens.start("clerk", "이주무", "password", "cred", 12)
    token = tokens.redeem(code)
    assert token and tokens.redeem(code) is None  # single use
    row = tokens.check(token, idle_minutes=60)
    assert row is not None and (row.id, row.login, row.credential) == (sid, "clerk", "cred")
    assert tokens.check("not-a-token", 60) is None


def test_an_old_code_is_refused(tokens: sessions.SessionTokens, clock: Clock) -> None:
    _, code = tokens.start("clerk", "이주무", "password", "cred", 12)
    clock.now += sessions.CODE_SECONDS + 1
    assert tokens.redeem(code) is None


def test_idle_and_lifetime_expiry(tokens: sessions.SessionTokens, clock: Clock) -> None:
    _, token = login(tokens, max_hours=2)
    clock.now += 50 * 60
    assert tokens.check(token, idle_minutes=60) is not None  # active: last-seen moves on
    clock.now += 61 * 60
    assert tokens.check(token, idle_minutes=60) is None  # idle too long, and revoked
    _, token = login(tokens, max_hours=2)
    for _ in range(3):  # active every half hour
        clock.now += 30 * 60
        assert tokens.check(token, idle_minutes=60) is not None
    clock.now += 31 * 60  # 2 h 1 min after the login: past the lifetime however active
    assert tokens.check(token, idle_minutes=60) is None


def test_revoked_tokens_are_refused(tokens: sessions.SessionTokens) -> None:
    sid, token = login(tokens)
    tokens.revoke(sid)
    assert tokens.check(token, 60) is None
    _, token = login(tokens)
    tokens.revoke_token(token)
    assert tokens.check(token, 60) is None
    _, first = login(tokens)
    _, second = login(tokens)
    assert tokens.revoke_user("clerk") == 2
    assert tokens.check(first, 60) is None and tokens.check(second, 60) is None


def test_a_tampered_cookie_fails_its_mac(tmp_path: Path) -> None:
    key = sessions.load_secret(tmp_path / "secrets" / "session.key")
    assert stat.S_IMODE((tmp_path / "secrets" / "session.key").stat().st_mode) == 0o600
    assert sessions.load_secret(tmp_path / "secrets" / "session.key") == key  # kept, not remade
    value = sessions.sign("abc", key)
    assert sessions.unsign(value, key) == "abc"
    token, mac = value.split(".")
    assert sessions.unsign(f"abd.{mac}", key) is None
    other = "1" if mac.endswith("0") else "0"  # a last character that differs (the key is random)
    assert sessions.unsign(f"{token}.{mac[:-1]}{other}", key) is None
    assert sessions.unsign(token, key) is None
    assert sessions.unsign(value, b"another key" * 4) is None


def test_a_password_change_or_removal_refuses_the_restore(tmp_path: Path) -> None:
    """The row keeps the credential digest of the login; the restore re-checks the account."""
    accounts = tmp_path / "accounts.toml"
    account = Account("clerk", "이주무", "staff", ("민원",), hash_password("첫-비밀번호-1", rounds=4))
    save_account(accounts, account)
    s = load_settings(security={"accounts_file": accounts})
    restored = User("clerk", "이주무", credential=credential_of(account))
    assert refresh_user(restored, s) == User("clerk", "이주무", "staff", ("민원",))
    save_account(
        accounts, Account("clerk", "이주무", "staff", ("민원",), hash_password("새-비밀번호-2", rounds=4))
    )
    assert refresh_user(restored, s) is None
    accounts.write_text("[users]\n", encoding="utf-8")
    assert refresh_user(User("clerk", "이주무", credential="x"), s) is None


# --- the gate endpoints -------------------------------------------------------------------------


def call(app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
    """(status, headers) of one ASGI request to `app`."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    if not sent:  # passed through to the app
        return None, []
    start = sent[0]
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]]


def test_the_gate_sets_and_clears_an_httponly_strict_cookie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.core.settings import get_settings

    monkeypatch.setenv("ASSISTANT_SECURITY__STATE_URL", f"sqlite:///{tmp_path / 'state.sqlite3'}")
    monkeypatch.setenv("ASSISTANT_SECURITY__SESSION_SECRET_FILE", str(tmp_path / "session.key"))
    get_settings.cache_clear()
    try:
        s = get_settings()
        passed: list[str] = []

        async def inner(scope: Any, receive: Any, send: Any) -> None:
            passed.append(scope["path"])

        gate = cookie_gate.SessionCookieGate(inner)
        same = {"origin": "http://127.0.0.1:8501", "host": "127.0.0.1:8501"}
        tokens = sessions.get_tokens(s)
        _, code = tokens.start("clerk", "이주무", "password", "cred", 12)
        assert call(gate, "POST", "/_auth/session", code.encode(), {"host": "127.0.0.1:8501"})[0] == 403
        evil = {"origin": "http://evil.example", "host": "127.0.0.1:8501"}
        assert call(gate, "POST", "/_auth/session", code.encode(), evil)[0] == 403
        status, headers = call(gate, "POST", "/_auth/session", code.encode(), same)
        assert status == 204
        cookie = dict(headers)["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        value = cookie.split(";")[0].split("=", 1)[1]
        token = sessions.unsign(value, sessions.cookie_key(s))
        assert token and tokens.check(token, 60) is not None
        assert call(gate, "POST", "/_auth/session", code.encode(), same)[0] == 403  # used up
        status, headers = call(
            gate, "POST", "/_auth/logout", headers=same | {"cookie": f"{sessions.COOKIE_NAME}={value}"}
        )
        assert status == 204 and "Max-Age=0" in dict(headers)["set-cookie"]
        assert tokens.check(token, 60) is None  # revoked on the server
        assert "Secure" not in cookie  # plain http on the loopback address
        assert cookie_gate.is_https({"scheme": "http", "headers": [(b"x-forwarded-proto", b"https")]})
        assert "Secure" in cookie_gate.cookie_header("v", 60, "/", secure=True).decode()
        call(gate, "GET", "/_stcore/health")
        assert passed == ["/_stcore/health"]
    finally:
        get_settings.cache_clear()


def test_tokens_on_postgresql(postgres_url: str, clock: Clock) -> None:  # noqa: F811
    tokens = sessions.SessionTokens(postgres_url, clock=clock)
    try:
        sid, token = login(tokens)
        assert tokens.check(token, 60).id == sid
        clock.now += 61 * 60
        assert tokens.check(token, 60) is None
        _, token = login(tokens)
        assert tokens.revoke_user("clerk") >= 1 and tokens.check(token, 60) is None
    finally:
        tokens.close()
