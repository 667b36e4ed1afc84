"""HTTP gate in front of Streamlit's own endpoints, for what its settings cannot restrict.

Streamlit serves a few endpoints to any client that can reach it, logged in or not. This ASGI
middleware (mounted by ``ui/server.py`` through ``st.App``) refuses them unless they are allowed:

- ``/_stcore/metrics``: always 404.
- ``/_stcore/upload_file/<session>/…``: only for a session whose user is logged in (the user
  that ``ui.login`` put into that session's state); 403 otherwise.
- ``/_stcore/host-config``: answered here, with nothing the login page does not need (no
  allowed origins for embedding hosts).
- ``/media/…``: a download ticket (``ui.downloads``) is served here, only to the browser tab and
  logged-in session that clicked, re-checked against the accounts file at that moment; other
  media files (page images) only to a tab whose cookie belongs to a logged-in session; 403 or
  404 otherwise. Page loads get that tab cookie (``ui.downloads.TAB_COOKIE``).
- ``/_stcore/stream`` (the WebSocket): widget states with ids the server never hands out (every
  real one starts with ``$$ID-``) are dropped with one log line; passed on, Streamlit would
  treat them as session-state keys and fail the run with a KeyError stack.

The "clear cache" message needs no gate: the models are not in Streamlit's caches
(``ui.state.shared``), so it only clears the sender's own session.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool

from assistant.security.auth import User
from ui import downloads
from ui.cookie_gate import base_path, header, is_https

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

METRICS_PATH = "/_stcore/metrics"
HOST_CONFIG_PATH = "/_stcore/host-config"
UPLOAD_PREFIX = "/_stcore/upload_file/"
MEDIA_PREFIX = "/media/"
# What Streamlit's front end reads from host-config, with no embedding host allowed.
HOST_CONFIG = {
    "allowedOrigins": [],
    "useExternalAuthToken": False,
    "enableCustomParentMessages": False,
    "enforceDownloadInNewTab": False,
    "metricsUrl": "",
    "blockErrorDialogs": False,
    "resourceCrossOriginMode": None,
}
NO_MEDIA = "로그인한 화면에서만 파일을 받을 수 있습니다.".encode()
STREAM_PATH = "/_stcore/stream"
WIDGET_ID_PREFIX = "$$ID-"
log = logging.getLogger("ui.gate")


def upload_session_id(path: str) -> str | None:
    """The session id of an upload URL ("/_stcore/upload_file/<session>/<file>"), else None (pure)."""
    marker = path.find(UPLOAD_PREFIX)
    if marker < 0:
        return None
    rest = path[marker + len(UPLOAD_PREFIX) :]
    return rest.split("/", 1)[0] or ""


def media_name(path: str) -> str | None:
    """The file part of a media URL ("/media/<id>.<ext>", behind any base path), else None (pure).
    The app's own assets ("/static/media/<font>.woff2") are not media: the login page needs them,
    and a font refused there stays missing after the login (icons drawn as their names)."""
    head, sep, name = path.rpartition(MEDIA_PREFIX)
    if not sep or not name or "/" in name or head.endswith("/static"):
        return None
    return name


def tab_cookie(scope: Scope) -> str:
    """The request's tab cookie ("" when none; pure)."""
    for part in header(scope, "cookie").split(";"):
        name, _, value = part.strip().partition("=")
        if name == downloads.TAB_COOKIE:
            return value.strip()
    return ""


def tab_cookie_header(value: str, path: str, secure: bool) -> bytes:
    """Set-Cookie for a new tab cookie (pure). A browser-session cookie; SameSite=Lax, not Strict,
    so that a link into the app from another site does not replace it (open tabs would lose
    their downloads); it only ever unlocks GETs of this browser's own downloads."""
    parts = [f"{downloads.TAB_COOKIE}={value}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
    return "; ".join(parts + (["Secure"] if secure else [])).encode("latin-1")


def without_forged_widgets(data: bytes) -> tuple[bytes, list[str]]:
    """A client's BackMsg without widget states whose ids the server never made, and those ids
    (pure; a frame that does not parse is left to Streamlit)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    try:
        msg = BackMsg.FromString(data)
    except Exception:  # Streamlit closes the connection on it
        return data, []
    if msg.WhichOneof("type") != "rerun_script":
        return data, []
    widgets = msg.rerun_script.widget_states.widgets
    forged = [w.id for w in widgets if not w.id.startswith(WIDGET_ID_PREFIX)]
    if not forged:
        return data, []
    kept = [w for w in widgets if w.id.startswith(WIDGET_ID_PREFIX)]
    del widgets[:]
    widgets.extend(kept)
    return msg.SerializeToString(), forged


def _checked_stream(receive: Receive, scope: Scope) -> Receive:
    """`receive` of the app's WebSocket with forged widget ids dropped (one log line each time)."""

    async def wrapped() -> MutableMapping[str, Any]:
        message = await receive()
        data = message.get("bytes") if message.get("type") == "websocket.receive" else None
        if data:
            cleaned, forged = without_forged_widgets(data)
            if forged:
                client = (scope.get("client") or ("?",))[0]
                shown = ", ".join(ascii(f[:60]) for f in forged[:5])
                log.warning("gate: dropped %d forged widget id(s) from %s: %s", len(forged), client, shown)
                message = {**message, "bytes": cleaned}
        return message

    return wrapped


def _session(session_id: str) -> Any:
    from streamlit.runtime import Runtime

    if not session_id or not Runtime.exists():
        return None
    return Runtime.instance().get_app_session(session_id)


def session_user(session_id: str) -> tuple[User, str] | None:
    """(user, how they signed in) of a live Streamlit session with a logged-in user, else None."""
    from ui.state import USER_KEY, VIA_KEY

    session = _session(session_id)
    if session is None:
        return None
    try:
        user = session.session_state[USER_KEY]
    except KeyError:
        return None
    if not isinstance(user, User):
        return None
    try:
        via = str(session.session_state[VIA_KEY])
    except KeyError:
        via = "password"
    return user, via


def session_is_logged_in(session_id: str) -> bool:
    """True when the Streamlit session `session_id` exists and has a logged-in user."""
    return session_user(session_id) is not None


def tab_is_logged_in(tab: str) -> bool:
    """True when a live session of this tab cookie has a logged-in user (stale ones are dropped)."""
    for session_id in downloads.TICKETS.sessions(tab):
        if session_is_logged_in(session_id):
            return True
        if _session(session_id) is None:
            downloads.TICKETS.forget_session(tab, session_id)
    return False


def current_user(user: User, via: str) -> User | None:
    """The user as the accounts file says now (None when removed, changed or unreadable)."""
    from assistant.security import auth
    from assistant.security.accounts import AccountsError
    from ingest.core.settings import get_settings

    try:
        return auth.refresh_user(user, get_settings(), via)
    except (AccountsError, OSError):
        return None


def media_ticket(name: str) -> str | None:
    """The download ticket stored as media file `name`, or None (an ordinary or unknown file)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    manager = Runtime.instance().media_file_mgr
    if not manager.can_read_files:
        return None
    stored = manager.read_file(os.path.splitext(name)[0])
    return downloads.ticket_id_of(stored.content) if stored is not None else None


def serve_media(name: str, tab: str) -> downloads.Outcome | None:
    """The gate's answer to GET /media/<name> (None: let Streamlit serve it)."""
    from ingest.core.settings import get_settings

    ticket = media_ticket(name)
    if ticket is not None:
        ttl = get_settings().ui.download_ticket_seconds
        return downloads.redeem(downloads.TICKETS, ticket, tab, ttl, session_user, current_user)
    if tab and tab_is_logged_in(tab):
        return None
    return downloads.Outcome(403, NO_MEDIA)


def disposition(file_name: str) -> bytes:
    """Content-Disposition for a download (RFC 5987 form: Korean names; pure)."""
    return f"attachment; filename*=utf-8''{quote(file_name, safe='')}".encode("latin-1")


class AnonymousGate:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "websocket" and str(scope.get("path", "")).endswith(STREAM_PATH):
            await self.app(scope, _checked_stream(receive, scope), send)
            return
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        path, method = str(scope.get("path", "")), scope.get("method")
        if path.endswith(METRICS_PATH):
            await _respond(send, 404, b"Not Found")
            return
        if path.endswith(HOST_CONFIG_PATH) and method == "GET":
            body = json.dumps(HOST_CONFIG).encode()
            await _respond(send, 200, body, b"application/json", [(b"cache-control", b"no-cache")])
            return
        session_id = upload_session_id(path)
        if session_id is not None and method != "OPTIONS" and not session_is_logged_in(session_id):
            await _respond(send, 403, "로그인한 뒤에 파일을 올릴 수 있습니다.".encode())
            return
        name = media_name(path)
        if name is not None and method in ("GET", "HEAD"):
            outcome = await run_in_threadpool(serve_media, name, tab_cookie(scope))
            if outcome is not None:
                await _send_outcome(send, outcome, method == "HEAD")
                return
        if method == "GET" and not tab_cookie(scope) and "text/html" in header(scope, "accept"):
            send = _with_tab_cookie(send, scope, path)
        await self.app(scope, receive, send)


def _with_tab_cookie(send: Send, scope: Scope, path: str) -> Send:
    """`send` with a new tab cookie added to the response of a page load."""
    from streamlit import config

    cookie = tab_cookie_header(
        secrets.token_urlsafe(24),
        base_path(str(config.get_option("server.baseUrlPath") or "")),
        is_https(scope),
    )

    async def wrapped(message: MutableMapping[str, Any]) -> None:
        if message.get("type") == "http.response.start":
            message = dict(message)
            message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
        await send(message)

    return wrapped


async def _send_outcome(send: Send, outcome: downloads.Outcome, head: bool) -> None:
    if outcome.offer is None:
        await _respond(send, outcome.status, outcome.body)
        return
    headers = [
        (b"content-disposition", disposition(outcome.offer.file_name)),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    body = b"" if head else outcome.body
    await _respond(send, 200, body, outcome.offer.mime.encode("latin-1"), headers, len(outcome.body))


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes = b"text/plain; charset=utf-8",
    extra: list[tuple[bytes, bytes]] | None = None,
    length: int | None = None,
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body) if length is None else length).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})
