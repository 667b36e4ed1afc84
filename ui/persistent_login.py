"""The Streamlit side of persistent logins (``assistant.security.sessions``, ``ui.cookie_gate``):
remember a login (a one-time code the browser posts to the gate, which sets the cookie),
restore the user of a new browser session from the cookie after the server-side checks, and
forget it at logout. Every failure here only costs the persistence, never the login itself."""

from __future__ import annotations

import json

import streamlit as st

from assistant.security import auth, sessions
from assistant.security.accounts import AccountsError
from ingest.core.settings import Settings
from ui import audit, components, state

SESSION_KEY = "auth_persistent_id"  # the login_sessions row of this browser session
CODE_KEY = "auth_cookie_code"  # a code waiting to be posted to the gate
TOUCHED_KEY = "auth_persistent_touched"
TRIED_KEY = "auth_restore_tried"
CLEAR_KEY = "auth_cookie_clear"
SAVED_MARK = "sessionSaved"  # data-session-saved on <body> once the cookie is set (tests wait for it)


def remember(s: Settings, user: auth.User, via: str) -> None:
    """After a login: a persistent session and the code that the next run hands to the browser."""
    if not s.security.persistent_login:
        return
    try:
        sid, code = sessions.get_tokens(s).start(
            user.login, user.name, via, user.credential, s.security.session_max_hours
        )
    except Exception as exc:  # the state DB is down: the login still works, just not across reloads
        components.log.exception("persistent session not stored", exc_info=exc)
        return
    st.session_state[SESSION_KEY] = sid
    st.session_state[CODE_KEY] = code
    st.session_state[TOUCHED_KEY] = state.clock()


def _cookie_value() -> str:
    try:
        return str(st.context.cookies.get(sessions.COOKIE_NAME) or "")
    except Exception:  # no browser context (AppTest, bare script runs)
        return ""


def restore(s: Settings) -> auth.User | None:
    """The user of this browser's session cookie when the token and the account pass the checks
    (not revoked, within the idle limit and the lifetime, the account there with the same
    password); tried once per browser session."""
    if not s.security.persistent_login or st.session_state.get(TRIED_KEY):
        return None
    st.session_state[TRIED_KEY] = True
    value = _cookie_value()
    if not value:
        return None
    try:
        token = sessions.unsign(value, sessions.cookie_key(s))
        if token is None:
            audit.record(s, "login_failed", None, login="", detail="세션 쿠키 서명 불일치")
            return None
        tokens = sessions.get_tokens(s)
        row = tokens.check(token, s.security.session_idle_minutes)
        if row is None:
            return None
        user = auth.refresh_user(auth.User(row.login, row.name, credential=row.credential), s, row.via)
        if user is None:
            tokens.revoke(row.id)
            audit.record(s, "login_failed", None, login=row.login, detail="세션 복원 거부: 계정 변경")
            return None
    except (AccountsError, OSError, ValueError) as exc:
        components.log.error("session restore: %s", exc)
        return None
    except Exception as exc:  # the state DB is down: the login page is the safe outcome
        components.log.exception("session restore failed", exc_info=exc)
        return None
    state.sign_in(user, via=row.via)
    st.session_state[state.SINCE_KEY] = row.created  # the lifetime counts from the login
    st.session_state[SESSION_KEY] = row.id
    st.session_state[TRIED_KEY] = True
    st.session_state[TOUCHED_KEY] = state.clock()
    audit.record(s, "login", user, detail="세션 복원")
    return user


def still_live(s: Settings) -> bool:
    """Count this rerun as activity of the persistent session (written every 30 s at most);
    False when the session was revoked meanwhile (a logout in another tab of this browser)."""
    sid = st.session_state.get(SESSION_KEY)
    now = state.clock()
    if not sid or now - float(st.session_state.get(TOUCHED_KEY, 0.0)) < sessions.SEEN_EVERY_SECONDS:
        return True
    st.session_state[TOUCHED_KEY] = now
    try:
        tokens = sessions.get_tokens(s)
        tokens.touch(str(sid))
        row = tokens.get(str(sid))
    except Exception as exc:  # the state DB is down: the in-session checks still apply
        components.log.exception("session activity not stored", exc_info=exc)
        return True
    return row is not None and not row.revoked


def forget(s: Settings) -> str | None:
    """Revoke this browser session's persistent session (logout, expiry); its id, if any."""
    sid = st.session_state.get(SESSION_KEY)
    if sid:
        try:
            sessions.get_tokens(s).revoke(str(sid))
        except Exception as exc:
            components.log.exception("session not revoked", exc_info=exc)
    return str(sid) if sid else None


def after_sign_out(s: Settings) -> None:
    """Mark the fresh anonymous session: clear the cookie, do not restore from it again."""
    if s.security.persistent_login:
        st.session_state[CLEAR_KEY] = True
        st.session_state[TRIED_KEY] = True


def _endpoint(name: str) -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/_auth/{name}" if base else f"/_auth/{name}"


def _post(name: str, body: str) -> None:
    """Have the browser post `body` to a gate endpoint (same origin, so the cookie is kept)."""
    script = (
        f"<script>fetch({json.dumps(_endpoint(name))}, {{method: 'POST', body: {json.dumps(body)}, "
        f"credentials: 'same-origin'}}).then(r => {{ if (r.ok) document.body.dataset.{SAVED_MARK} = "
        f"{json.dumps(name)}; }});</script>"
    )
    st.html(script, unsafe_allow_javascript=True)


def browser_side() -> None:
    """Emit the pending cookie request of this run (set after a login, clear after a logout)."""
    code = st.session_state.pop(CODE_KEY, None)
    if code:
        _post("session", str(code))
    if st.session_state.pop(CLEAR_KEY, None):
        _post("logout", "")
