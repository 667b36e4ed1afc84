"""The login gate through ``streamlit.testing.v1.AppTest``: only the login page without a
login, the form, lockout, idle expiry (fake clock), logout, staff refused on 관리, and the
audit entries these leave."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.security import auth
from assistant.security.audit import AuditEntry, get_audit_log
from assistant.settings import get_settings
from tests.ui.conftest import ADMIN, APP, QUESTION, STAFF
from ui import admin, login, state

pytestmark = pytest.mark.usefixtures("app_env")


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "THROTTLE", auth.LoginThrottle())


def start(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, login_id: str, password: str) -> AppTest:
    at.text_input(key="login_id").input(login_id)
    at.text_input(key="login_pw").input(password)
    at.button(key="login_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def last_audit(event: str) -> AuditEntry:
    return get_audit_log(get_settings()).recent(1, event=event)[0]


def on_login_page(at: AppTest) -> bool:
    has_form = any(t.key == "login_pw" for t in at.text_input)
    return has_form and not at.chat_input and not at.metric


def test_visitor_sees_only_the_login_page() -> None:
    for page in (None, "views/admin.py", "views/summary.py"):
        at = start(page)
        assert on_login_page(at)
        assert at.title[0].value == "업무 AI 도우미" and len(at.title) == 1
        assert not at.sidebar.children and not any("발췌 모드" in c for c in texts(at.caption))


def test_wrong_password_then_login_and_logout() -> None:
    at = submit(start(), STAFF[0], "틀린 비밀번호")
    assert on_login_page(at)
    assert "아이디 또는 비밀번호가 올바르지 않습니다." in texts(at.error)
    assert last_audit("login_failed").user == STAFF[0]

    at = submit(at, STAFF[0], STAFF[1])
    assert at.title[0].value == "질의응답" and at.chat_input
    assert at.session_state[state.USER_KEY] == STAFF[2]
    assert any("이주무" in c and "직원" in c for c in texts(at.sidebar.caption))
    entry = last_audit("login")
    assert (entry.user, entry.role) == ("clerk", "staff")

    at.chat_input(key="question").set_value(QUESTION).run()
    entry = last_audit("ask")
    assert (entry.user, entry.question, entry.backend) == ("clerk", QUESTION, "none")
    assert entry.sources and entry.sources[0].startswith("민원 처리에 관한 법률")

    at.sidebar.button(key="logout").click().run()
    assert on_login_page(at) and "로그아웃했습니다." in texts(at.info)
    assert state.USER_KEY not in at.session_state and "chat" not in at.session_state
    assert last_audit("logout").user == "clerk"


def test_lockout_message(env_override: Any) -> None:
    env_override(ASSISTANT_SECURITY__MAX_LOGIN_FAILURES="2", ASSISTANT_SECURITY__LOCKOUT_MINUTES="10")
    at = submit(start(), ADMIN[0], "x")
    at = submit(at, ADMIN[0], "y")
    assert any("잠겼습니다" in e and "10분" in e for e in texts(at.error))
    at = submit(at, ADMIN[0], ADMIN[1])  # the right password does not open a locked login
    assert on_login_page(at) and any("잠겼습니다" in e for e in texts(at.error))
    assert last_audit("login_failed").detail == "locked"


def test_idle_session_expires(monkeypatch: pytest.MonkeyPatch, env_override: Any) -> None:
    env_override(ASSISTANT_SECURITY__SESSION_IDLE_MINUTES="30")
    now = [1_000_000.0]
    monkeypatch.setattr(state, "clock", lambda: now[0])
    at = submit(start(), ADMIN[0], ADMIN[1])
    now[0] += 29 * 60
    at.run()  # activity within the limit keeps the session …
    assert not on_login_page(at)
    now[0] += 29 * 60
    at.run()  # … and restarts the count
    assert not on_login_page(at)
    now[0] += 31 * 60
    at.run()
    assert on_login_page(at) and login.EXPIRED in texts(at.info)
    assert last_audit("logout").detail == "세션 만료"


def test_staff_opening_admin_is_refused() -> None:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state[state.USER_KEY] = STAFF[2]
    at.run().switch_page("views/admin.py").run()
    assert any("관리자만" in e for e in texts(at.error))
    assert not at.metric and not at.tabs
    entry = last_audit("denied")
    assert (entry.user, entry.detail) == ("clerk", "admin_page")


def test_admin_sees_the_audit_trail() -> None:
    with pytest.raises(admin.AdminError):
        admin.documents(get_settings(), STAFF[2])
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state[state.USER_KEY] = ADMIN[2]
    at.run().switch_page("views/admin.py").run()
    assert not at.exception and at.metric
    at.selectbox(key="adm_audit_event").select("거부").run()
    table = at.dataframe[-1].value
    assert list(table.columns)[:4] == ["시각", "이벤트", "사용자", "역할"]
    assert set(table["이벤트"]) == {"거부"} and "clerk" in set(table["사용자"])


def test_single_sign_on_maps_the_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    identity: list[tuple[str, str] | None] = [None]
    monkeypatch.setattr(login, "oidc_available", lambda s: True)
    monkeypatch.setattr(login, "_oidc_identity", lambda: identity[0])
    at = start()
    assert on_login_page(at) and at.button(key="login_oidc").label == "기관 계정으로 로그인"
    identity[0] = ("Clerk", "이주무")  # the IdP's e-mail claim matches the login "clerk"
    at.run()
    assert at.session_state[state.USER_KEY] == STAFF[2] and at.chat_input
    assert last_audit("login").detail == "oidc"
    identity[0] = ("new@city.go.kr", "신규")
    at = start()
    assert at.session_state[state.USER_KEY] == auth.User("new@city.go.kr", "신규", "staff")
