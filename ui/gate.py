"""HTTP gate in front of Streamlit's own endpoints, for what its settings cannot restrict.

Streamlit serves a few endpoints to any client that can reach it, logged in or not: the upload
endpoint accepts files for any open session (the login page included), and ``/_stcore/metrics``
describes the running sessions. This ASGI middleware (mounted by ``ui/server.py`` through
``st.App``) refuses both unless they are allowed:

- ``/_stcore/metrics``: always 404.
- ``/_stcore/upload_file/<session>/…``: only for a session whose user is logged in (the user
  that ``ui.login`` put into that session's state); 403 otherwise.

The "clear cache" message needs no gate: the models are not in Streamlit's caches
(``ui.state.shared``), so it only clears the sender's own session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

METRICS_PATH = "/_stcore/metrics"
UPLOAD_PREFIX = "/_stcore/upload_file/"


def upload_session_id(path: str) -> str | None:
    """The session id of an upload URL ("/_stcore/upload_file/<session>/<file>"), else None (pure)."""
    marker = path.find(UPLOAD_PREFIX)
    if marker < 0:
        return None
    rest = path[marker + len(UPLOAD_PREFIX) :]
    return rest.split("/", 1)[0] or ""


def session_is_logged_in(session_id: str) -> bool:
    """True when the Streamlit session `session_id` exists and has a logged-in user."""
    from streamlit.runtime import Runtime

    from ui.state import USER_KEY

    if not Runtime.exists():
        return False
    session = Runtime.instance().get_app_session(session_id)
    if session is None:
        return False
    try:
        return session.session_state[USER_KEY] is not None
    except KeyError:
        return False


class AnonymousGate:
    """ASGI middleware: 404 for metrics, 403 for uploads into sessions nobody is logged into."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http":
            path = str(scope.get("path", ""))
            if path.endswith(METRICS_PATH):
                await _respond(send, 404, b"Not Found")
                return
            session_id = upload_session_id(path)
            if (
                session_id is not None
                and scope.get("method") != "OPTIONS"
                and not session_is_logged_in(session_id)
            ):
                await _respond(send, 403, "로그인한 뒤에 파일을 올릴 수 있습니다.".encode())
                return
        await self.app(scope, receive, send)


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
