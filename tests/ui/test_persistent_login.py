"""Restoring a login from the session cookie (ui.persistent_login) through AppTest: the cookie
value is what a browser would send (AppTest has no cookies, so the reader is pointed at it).
A valid token logs the new session in and is audited; a tampered cookie, a revoked token, a
changed password or a removed account leave the login page; a login issues a token."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.security import sessions
from assistant.security.accounts import load_accounts, save_account
from assistant.security.auth import hash_password, user_of
from ingest.core.settings import get_settings
from tests.ui.conftest import STAFF
from tests.ui.test_login import last_audit, on_login_page, start, submit
from ui import persistent_login

pytestmark = pytest.mark.usefixtures("app_env")


@pytest.fixture(autouse=True)
def fresh_state(env_override: Any, tmp_path: Path) -> None:
    env_override(
        ASSISTANT_SECURITY__STATE_URL=f"sqlite:///{tmp_path / 'security.sqlite3'}",
        ASSISTANT_SECURITY__SESSION_SECRET_FILE=str(tmp_path / "session.key"),
    )


def browser_cookie(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(persistent_login, "_cookie_value", lambda: value)


def issued_cookie() -> tuple[str, str]:
    """(session id, cookie value) of a redeemed login of the staff account."""
    s = get_settings()
    account = load_accounts(s.security.accounts_file)[STAFF[0]]
    user = user_of(account)
    tokens = sessions.get_tokens(s)
    sid, code = tokens.start(user.login, user.name, "password", user.credential, 12)
    return sid, sessions.sign(tokens.redeem(code) or "", sessions.cookie_key(s))


def test_a_valid_cookie_logs_a_new_session_in(monkeypatch: pytest.MonkeyPatch) -> None:
    _, value = issued_cookie()
    browser_cookie(monkeypatch, value)
    at = start()
    assert not on_login_page(at) and at.chat_input
    entry = last_audit("login")
    assert (entry.user, entry.detail) == (STAFF[0], "세션 복원")


def test_tampered_revoked_or_stale_cookies_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    sid, value = issued_cookie()
    browser_cookie(monkeypatch, value[:-1] + ("0" if value[-1] != "0" else "1"))
    assert on_login_page(start())
    sessions.get_tokens(get_settings()).revoke(sid)
    browser_cookie(monkeypatch, value)
    assert on_login_page(start())

    _, value = issued_cookie()
    browser_cookie(monkeypatch, value)
    path = get_settings().security.accounts_file
    old = load_accounts(path)[STAFF[0]]
    try:
        save_account(path, replace(old, password_hash=hash_password("바뀐-비밀번호-9", rounds=4)))
        assert on_login_page(start())  # the password changed since the login
        assert "계정 변경" in last_audit("login_failed").detail
    finally:
        save_account(path, old)
    assert on_login_page(start())  # and the refused token stays revoked


def test_a_password_login_issues_a_token_and_logout_revokes_it() -> None:
    at = submit(start(), STAFF[0], STAFF[1])
    sid = at.session_state[persistent_login.SESSION_KEY]
    tokens = sessions.get_tokens(get_settings())
    assert tokens.get(sid) is not None and not tokens.get(sid).revoked
    assert any("_auth/session" in str(h.proto.body) for h in at.get("html"))  # the code goes to the gate
    at.button(key="logout").click().run()
    assert tokens.get(sid).revoked


def test_a_logout_in_another_tab_ends_this_session(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import login, state

    now = [1_000_000.0]
    monkeypatch.setattr(state, "clock", lambda: now[0])
    at = submit(start(), STAFF[0], STAFF[1])
    sid = at.session_state[persistent_login.SESSION_KEY]
    sessions.get_tokens(get_settings()).revoke(sid)  # what the other tab's logout does
    now[0] += sessions.SEEN_EVERY_SECONDS + 1
    at.run()
    assert on_login_page(at) and login.LOGGED_OUT_ELSEWHERE in [str(i.value) for i in at.info]
