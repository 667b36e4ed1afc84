"""The login gate through ``streamlit.testing.v1.AppTest``: only the login page without a
login, the form, lockout, idle expiry (fake clock), logout, staff refused on 관리, and the
audit entries these leave."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

from assistant.app import index_admin as admin
from assistant.security import auth
from assistant.security.accounts import dumps, load_accounts, save_account
from assistant.security.audit import AuditEntry, get_audit_log
from ingest.core.settings import get_settings
from tests.ui.conftest import ADMIN, APP, QUESTION, STAFF
from ui import login, state

pytestmark = pytest.mark.usefixtures("app_env")


@pytest.fixture(autouse=True)
def fresh_throttle(env_override: Any, tmp_path: Path) -> None:
    env_override(ASSISTANT_SECURITY__STATE_URL=f"sqlite:///{tmp_path / 'security.sqlite3'}")


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


def test_throttle_message(env_override: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    env_override(ASSISTANT_SECURITY__MAX_LOGIN_FAILURES="2")
    monkeypatch.setattr(login, "client_id", lambda s: "203.0.113.7")
    at = submit(start(), ADMIN[0], "x")
    at = submit(at, ADMIN[0], "y")  # the second failure starts this client's backoff
    at = submit(at, ADMIN[0], ADMIN[1])  # not even the right password until the wait is over
    assert on_login_page(at) and any("시도가 너무 많습니다" in e and "초 뒤에" in e for e in texts(at.error))
    assert last_audit("login_failed").detail == "throttled"
    monkeypatch.setattr(login, "client_id", lambda s: "10.1.2.3")  # the owner, at their own desk
    at = submit(start(), ADMIN[0], ADMIN[1])
    assert not on_login_page(at) and at.session_state[state.USER_KEY] == ADMIN[2]


# --- probe finding 3: role, groups and password re-checked on every request ------------------------


def test_a_demoted_admin_loses_the_admin_page_at_the_next_request(app_env: dict[str, str]) -> None:
    path = Path(app_env["ASSISTANT_SECURITY__ACCOUNTS_FILE"])
    at = submit(start(), ADMIN[0], ADMIN[1])
    at.switch_page("views/admin.py").run()
    assert at.metric and not at.error
    account = load_accounts(path)[ADMIN[0]]
    save_account(path, replace(account, role="staff", groups=()))
    try:
        at.run()
        assert any("관리자만" in e for e in texts(at.error)) and not at.metric
        assert (
            at.session_state[state.USER_KEY].role == "staff" and at.session_state[state.USER_KEY].groups == ()
        )
        assert last_audit("login").detail.startswith("권한 갱신: admin→staff")
    finally:
        save_account(path, account)


def test_a_password_change_ends_open_sessions(app_env: dict[str, str]) -> None:
    path = Path(app_env["ASSISTANT_SECURITY__ACCOUNTS_FILE"])
    at = submit(start(), STAFF[0], STAFF[1])
    account = load_accounts(path)[STAFF[0]]
    save_account(path, replace(account, password_hash=auth.hash_password("새-비밀번호-2", rounds=4)))
    try:
        at.run()
        assert on_login_page(at) and login.ACCOUNT_CHANGED in texts(at.info)
        assert last_audit("logout").detail == "계정 변경"
    finally:
        save_account(path, account)


def test_a_removed_account_ends_open_sessions(app_env: dict[str, str]) -> None:
    path = Path(app_env["ASSISTANT_SECURITY__ACCOUNTS_FILE"])
    before = path.read_bytes()
    at = submit(start(), STAFF[0], STAFF[1])
    accounts = {k: v for k, v in load_accounts(path).items() if k != STAFF[0]}
    path.write_text(dumps(accounts), encoding="utf-8")
    try:
        at.run()
        assert on_login_page(at)
    finally:
        path.write_bytes(before)


def test_sessions_have_an_absolute_lifetime(monkeypatch: pytest.MonkeyPatch, env_override: Any) -> None:
    env_override(ASSISTANT_SECURITY__SESSION_MAX_HOURS="8", ASSISTANT_SECURITY__SESSION_IDLE_MINUTES="60")
    now = [1_000_000.0]
    monkeypatch.setattr(state, "clock", lambda: now[0])
    at = submit(start(), STAFF[0], STAFF[1])
    for _ in range(17):  # busy all day: a request every 30 minutes, past 8 hours
        now[0] += 30 * 60
        at.run()
    assert on_login_page(at) and login.TOO_OLD in texts(at.info)
    assert last_audit("logout").detail == "세션 최대 시간 초과"


def test_login_starts_a_new_session_id() -> None:
    at = start()
    at.session_state["session_id"] = "chosen-by-the-visitor"
    at.session_state["planted"] = "before login"
    at = submit(at, STAFF[0], STAFF[1])
    assert at.session_state["session_id"] != "chosen-by-the-visitor"
    assert "planted" not in at.session_state


# --- probe finding 4: the audit row comes before the text ----------------------------------------


def test_the_audit_row_is_written_before_any_answer_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.app.ask

    seen_before_text: list[list[tuple[str | None, str | None]]] = []

    def stopped_midway(question: str, **kwargs: Any):
        log = get_audit_log(get_settings())
        seen_before_text.append([(e.status, e.question) for e in log.recent(1, event="ask")])
        yield "민원 처리기간은 "
        raise StopException()  # the user pressed Stop (or closed the tab) mid-answer

    monkeypatch.setattr(assistant.app.ask, "stream_answer", stopped_midway)
    at = submit(start(), STAFF[0], STAFF[1])
    at.chat_input(key="question").set_value(QUESTION).run()
    assert seen_before_text == [[("started", QUESTION)]]
    done = get_audit_log(get_settings()).recent(1, event="ask")[0]
    started = get_audit_log(get_settings()).recent(2, event="ask")[1]
    assert (done.status, done.ref_id, started.status) == ("stopped", started.id, "started")


def test_an_answer_that_fails_is_logged_as_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.app.ask

    def broken(question: str, **kwargs: Any):
        yield "부분 "
        raise RuntimeError("chain broke")

    monkeypatch.setattr(assistant.app.ask, "stream_answer", broken)
    at = submit(start(), STAFF[0], STAFF[1])
    at.chat_input(key="question").set_value(QUESTION).run()
    done = get_audit_log(get_settings()).recent(1, event="ask")[0]
    assert done.status == "error" and done.ref_id is not None


# --- probe finding 7: a "clear cache" message does not drop the shared models --------------------


def test_clearing_streamlit_caches_keeps_the_models() -> None:
    from streamlit.runtime import caching

    submit(start(), STAFF[0], STAFF[1])
    settings = get_settings()
    before = (state.retriever(settings), state.embeddings(settings), state.chain_context(settings))
    caching.cache_data.clear()  # what Streamlit does for any client's clear_cache message
    caching.cache_resource.clear()
    after = (state.retriever(settings), state.embeddings(settings), state.chain_context(settings))
    assert all(a is b for a, b in zip(before, after, strict=True))


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
