"""The login gate: the login page (built-in accounts or the agency's single sign-on), idle
expiry and an absolute session lifetime, the account re-checked on every request (a removed
account or a changed password ends the session, a demotion applies at once), the login kept
across reloads and tabs by a server-checked cookie (``ui.persistent_login``), and the sidebar
account box with logout. Nothing but the login page is shown to a visitor who is not logged in."""

from __future__ import annotations

import importlib.util

import streamlit as st

from assistant.security import auth
from assistant.security.accounts import AccountsError
from assistant.security.client_address import client_address
from ingest.core.settings import Settings
from ui import audit, components, persistent_login, state

FLASH_KEY = "auth_flash"
WRONG = "아이디 또는 비밀번호가 올바르지 않습니다."
EXPIRED = "세션이 만료되었습니다. 다시 로그인하세요."
TOO_OLD = "로그인한 지 오래되어 세션이 끝났습니다. 다시 로그인하세요."
LOGGED_OUT_ELSEWHERE = "이 브라우저의 다른 창에서 로그아웃하여 세션이 끝났습니다. 다시 로그인하세요."
ACCOUNT_CHANGED = "계정 정보(비밀번호 또는 계정)가 바뀌어 세션이 끝났습니다. 다시 로그인하세요."


def oidc_available(s: Settings) -> bool:
    """Single sign-on is switched on and this Streamlit can do it (st.login, Authlib)."""
    return (
        s.security.oidc
        and hasattr(st, "login")
        and hasattr(st, "user")
        and importlib.util.find_spec("authlib") is not None
    )


def _oidc_identity() -> tuple[str, str] | None:
    """(e-mail, name) of the identity-provider login of this browser, if any."""
    try:
        if not st.user.is_logged_in:
            return None
        return str(st.user.get("email") or ""), str(st.user.get("name") or "")
    except Exception:  # [auth] missing from secrets.toml
        return None


def _end(s: Settings, user: auth.User, detail: str, flash: str) -> None:
    """Record the logout, forget the session, and leave `flash` for the login page."""
    audit.record(s, "logout", user, detail=detail)
    via = state.signed_in_via()
    persistent_login.forget(s)
    state.sign_out()
    persistent_login.after_sign_out(s)
    st.session_state[FLASH_KEY] = flash
    if via == "oidc" and oidc_available(s):
        st.logout()  # the identity cookie would log the user straight back in


def client_id(s: Settings) -> str:
    """The client's address for login throttling ("" when unknown): the peer Streamlit sees, or
    behind a trusted proxy the address that proxy appended (``assistant.security.client_address``)."""
    sec = s.security
    try:
        peer = st.context.ip_address  # None for a loopback connection
        header = sec.client_ip_header
        forwarded = ",".join(st.context.headers.get_all(header)) if header and sec.trusted_proxies else ""
    except Exception:  # no browser context (bare script runs, AppTest)
        return ""
    return client_address(peer, forwarded, sec.trusted_proxies)


def _checked(s: Settings, user: auth.User) -> auth.User | None:
    """The user after this request's checks (lifetime, idle, the accounts file), or None."""
    if state.lifetime_expired(s):
        _end(s, user, "세션 최대 시간 초과", TOO_OLD)
        return None
    if state.idle_expired(s):
        _end(s, user, "세션 만료", EXPIRED)
        return None
    try:
        fresh = auth.refresh_user(user, s, state.signed_in_via())
    except AccountsError as exc:  # a broken accounts file: nobody's rights can be confirmed
        components.log.error("accounts file: %s", exc)
        fresh = None
    if fresh is None:
        _end(s, user, "계정 변경", ACCOUNT_CHANGED)
        return None
    if (fresh.role, fresh.groups, fresh.name) != (user.role, user.groups, user.name):
        state.update_user(fresh)
        audit.record(
            s, "login", fresh, detail=f"권한 갱신: {user.role}→{fresh.role}, 그룹 {list(fresh.groups)}"
        )
    return fresh


def current_user(s: Settings) -> auth.User | None:
    """The logged-in user, after the session checks and single sign-on are applied."""
    user = state.current_user()
    if user is not None:
        user = _checked(s, user)
        if user is not None and not persistent_login.still_live(s):
            _end(s, user, "다른 창에서 로그아웃", LOGGED_OUT_ELSEWHERE)
            user = None
    elif FLASH_KEY not in st.session_state:
        user = persistent_login.restore(s)  # a reload or a new tab of a logged-in browser
    if user is None and oidc_available(s) and FLASH_KEY not in st.session_state:
        identity = _oidc_identity()
        if identity and identity[0]:
            user = auth.oidc_user(identity[0], identity[1], s)
            state.sign_in(user, via="oidc")
            persistent_login.remember(s, user, "oidc")
            audit.record(s, "login", user, detail="oidc")
    return user


def _try_login(s: Settings, login: str, password: str) -> None:
    try:
        user = auth.verify_login(login, password, s, client=client_id(s))
    except auth.LoginThrottled as wait:
        audit.record(s, "login_failed", None, login=login[:128], detail="throttled")
        st.error(
            f"로그인 시도가 너무 많습니다. {wait.wait_text} 뒤에 다시 시도하세요. 비밀번호가 기억나지 않으면 "
            "관리자에게 문의하세요.",
            icon=":material/lock_clock:",
        )
        return
    except AccountsError as exc:
        components.log.error("accounts file: %s", exc)
        st.error("계정 파일에 문제가 있어 로그인할 수 없습니다. 관리자에게 알려 주세요.")
        return
    if user is None:
        audit.record(s, "login_failed", None, login=login[:128])
        st.error(WRONG, icon=":material/error:")
        return
    state.sign_in(user)
    persistent_login.remember(s, user, "password")
    audit.record(s, "login", user)
    st.rerun()


def login_page(s: Settings) -> None:
    """The only thing a visitor who is not logged in sees."""
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        st.title("업무 AI 도우미")
        st.caption("시청·구청 직원 전용입니다. 계정이 없으면 관리자에게 요청하세요.")
        persistent_login.browser_side()
        flash = st.session_state.pop(FLASH_KEY, None)
        if flash:
            st.info(flash, icon=":material/info:")
        with st.form("login_form", clear_on_submit=True, enter_to_submit=True):
            login = st.text_input("아이디", key="login_id", autocomplete="username")
            password = st.text_input(
                "비밀번호", type="password", key="login_pw", autocomplete="current-password"
            )
            submitted = st.form_submit_button("로그인", type="primary", key="login_submit", width="stretch")
        if submitted:
            _try_login(s, login, password)
        if oidc_available(s):
            if st.button("기관 계정으로 로그인", icon=":material/badge:", key="login_oidc", width="stretch"):
                st.login()
        elif s.security.oidc:
            st.caption(
                "기관 계정 로그인이 설정되지 않았습니다 (Authlib 설치와 .streamlit/secrets.toml [auth] 필요)."
            )
        if not s.security.accounts_file.exists() and not s.security.oidc:
            st.warning(
                "계정 파일이 없습니다. 서버에서 `python -m assistant.security.auth add-user 아이디 "
                "--role admin` 으로 관리자 계정을 만드세요."
            )


def account_sidebar(s: Settings, user: auth.User) -> None:
    """Name, role and the logout button."""
    with st.sidebar, st.container(key="account_box"):
        persistent_login.browser_side()
        st.caption(f":material/person: **{user.name}** · {user.role_name}")
        if st.button("로그아웃", icon=":material/logout:", key="logout"):
            _end(s, user, "로그아웃", "로그아웃했습니다.")
            st.rerun()
