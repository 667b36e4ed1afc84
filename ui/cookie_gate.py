"""The two gate endpoints of persistent logins (``assistant.security.sessions``); Streamlit
itself cannot set cookies.

- ``POST /_auth/session`` with a login's one-time code as the body: sets the HttpOnly,
  SameSite=Strict session cookie (204), or 403 for an unknown, used or expired code.
- ``POST /_auth/logout``: revokes the cookie's token and clears the cookie (204).

Both refuse a request whose ``Origin`` is not this host (another site's page posting a code
would log the visitor into someone else's account).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool

from assistant.security import sessions
from ingest.core.settings import Settings, get_settings

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SESSION_PATH = "/_auth/session"
LOGOUT_PATH = "/_auth/logout"
MAX_BODY = 256
NO_LIMIT_DAYS = 30  # cookie lifetime when security.session_max_hours is 0


def header(scope: Scope, name: str) -> str:
    """A request header's value ("" when absent; pure)."""
    wanted = name.lower().encode("latin-1")
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == wanted), "")


def same_origin(scope: Scope) -> bool:
    """The request came from a page of this host (Origin matches Host; pure)."""
    origin, host = header(scope, "origin"), header(scope, "host")
    if not origin or not host or header(scope, "sec-fetch-site") not in ("", "same-origin"):
        return False
    return origin.split("://", 1)[-1].rstrip("/") == host


def is_https(scope: Scope) -> bool:
    forwarded = header(scope, "x-forwarded-proto").split(",")[0].strip().lower()
    return scope.get("scheme") == "https" or forwarded == "https"


def cookie_header(value: str, max_age: int, path: str, secure: bool) -> bytes:
    """The Set-Cookie value (pure); max_age 0 clears the cookie."""
    parts = [f"{sessions.COOKIE_NAME}={value}", f"Path={path}", f"Max-Age={max_age}", "HttpOnly"]
    parts.append("SameSite=Strict")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def request_cookie(scope: Scope) -> str:
    """The session cookie's value in the request ("" when none; pure)."""
    jar = SimpleCookie()
    try:
        jar.load(header(scope, "cookie"))
    except Exception:  # a malformed Cookie header is no cookie
        return ""
    morsel = jar.get(sessions.COOKIE_NAME)
    return morsel.value if morsel else ""


def cookie_max_age(settings: Settings) -> int:
    hours = settings.security.session_max_hours
    return int(hours * 3600) if hours > 0 else NO_LIMIT_DAYS * 86400


def base_path(prefix: str) -> str:
    """The cookie path for the app's base URL path ("" → "/"; pure)."""
    return "/" + prefix.strip("/") if prefix.strip("/") else "/"


def _set_cookie(settings: Settings, code: str) -> str | None:
    token = sessions.get_tokens(settings).redeem(code)
    return sessions.sign(token, sessions.cookie_key(settings)) if token else None


def _revoke(settings: Settings, value: str) -> None:
    token = sessions.unsign(value, sessions.cookie_key(settings))
    if token:
        sessions.get_tokens(settings).revoke_token(token)


class SessionCookieGate:
    """ASGI middleware for the two endpoints; everything else passes through."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        endpoint = next((p for p in (SESSION_PATH, LOGOUT_PATH) if path.endswith(p)), None)
        if scope.get("type") != "http" or endpoint is None:
            await self.app(scope, receive, send)
            return
        if scope.get("method") != "POST" or not same_origin(scope):
            await _respond(send, 403, [])
            return
        settings = get_settings()
        cookie_path = base_path(path[: -len(endpoint)])
        secure = is_https(scope)
        if endpoint == LOGOUT_PATH:
            value = request_cookie(scope)
            if value:
                await run_in_threadpool(_revoke, settings, value)
            await _respond(send, 204, [cookie_header("", 0, cookie_path, secure)])
            return
        code = (await _body(receive)).decode("ascii", "replace").strip()
        signed = await run_in_threadpool(_set_cookie, settings, code) if code else None
        if signed is None:
            await _respond(send, 403, [])
            return
        await _respond(send, 204, [cookie_header(signed, cookie_max_age(settings), cookie_path, secure)])


async def _body(receive: Receive) -> bytes:
    """The request body, at most MAX_BODY bytes (a code is 43)."""
    body = b""
    more = True
    while more and len(body) <= MAX_BODY:
        message = await receive()
        body += message.get("body", b"")
        more = bool(message.get("more_body"))
    return body[:MAX_BODY]


async def _respond(send: Send, status: int, cookies: list[bytes]) -> None:
    headers = [(b"content-length", b"0"), (b"cache-control", b"no-store")]
    headers += [(b"set-cookie", c) for c in cookies]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
