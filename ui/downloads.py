"""File downloads that only the session which asked for them can fetch (served by ``ui.gate``).

Streamlit serves a download at ``/media/<id>.<ext>`` to anyone who has the URL, and runs a
deferred download for any session that names its id. So a download button here hands Streamlit
only a *minter*: clicking it issues a ticket — a random id bound to the Streamlit session that
drew the button, its user and the browser's tab cookie (``TAB_COOKIE``, set by the gate on page
loads) — and that id is all Streamlit stores. When the browser fetches the URL, the gate finds
the ticket and serves the real file only when

- the request carries the same tab cookie (a leaked URL, or another browser, gets nothing),
- the session is still open and logged in as the same user,
- the ticket is younger than ``ui.download_ticket_seconds``, and
- the file's producer, given the user as the accounts file says *now*, still allows it
  (a group removed since the button was drawn refuses the original).

The rest of ``/media`` (page images of 원문 보기) is served only to a browser whose tab cookie
belongs to a logged-in session.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.security.auth import User

TAB_COOKIE = "assistant_tab"
TICKET_MARK = b"assistant-download-ticket:"


class DownloadRefused(Exception):
    """The user may not have the file now; str() is the Korean reason."""


def _nothing(user: User) -> None:
    return None


@dataclass(frozen=True)
class Offer:
    """What a download button offers: the file's name and type, how to make it for a user
    (raising DownloadRefused when they may not have it), and what to record once it is served
    or refused."""

    file_name: str
    mime: str
    produce: Callable[[User], bytes]
    served: Callable[[User], None] = _nothing
    denied: Callable[[User], None] = _nothing


@dataclass
class Ticket:
    id: str
    session_id: str
    login: str
    tab: str
    offer: Offer
    issued: float
    recorded: bool = False  # the browser fetches a download twice (a check, then the file)


@dataclass
class Tickets:
    """The process's tickets and which Streamlit sessions each tab cookie belongs to."""

    clock: Callable[[], float] = time.time
    _tickets: dict[str, Ticket] = field(default_factory=dict)
    _tabs: dict[str, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, session_id: str, login: str, tab: str, offer: Offer, ttl: float) -> Ticket:
        now = self.clock()
        ticket = Ticket(secrets.token_hex(16), session_id, login, tab, offer, now)
        with self._lock:
            for old in [t.id for t in self._tickets.values() if now - t.issued > ttl]:
                del self._tickets[old]
            self._tickets[ticket.id] = ticket
        return ticket

    def valid(self, ticket_id: str, tab: str, ttl: float) -> Ticket | None:
        """The ticket when it exists, is within `ttl` seconds and was issued to this `tab`."""
        with self._lock:
            ticket = self._tickets.get(ticket_id)
        if ticket is None or self.clock() - ticket.issued > ttl:
            return None
        if not tab or not ticket.tab or not secrets.compare_digest(tab, ticket.tab):
            return None
        return ticket

    def first_record(self, ticket: Ticket) -> bool:
        """True once per ticket: the time to write its audit row."""
        with self._lock:
            first, ticket.recorded = not ticket.recorded, True
        return first

    def bind(self, tab: str, session_id: str) -> None:
        if tab:
            with self._lock:
                self._tabs.setdefault(tab, set()).add(session_id)

    def sessions(self, tab: str) -> set[str]:
        with self._lock:
            return set(self._tabs.get(tab, ())) if tab else set()

    def forget_session(self, tab: str, session_id: str) -> None:
        with self._lock:
            left = self._tabs.get(tab, set()) - {session_id}
            if left:
                self._tabs[tab] = left
            else:
                self._tabs.pop(tab, None)


TICKETS = Tickets()


@dataclass(frozen=True)
class Outcome:
    """What the gate answers for a ticket: 200 with the file, or a refusal (403/404)."""

    status: int
    body: bytes
    offer: Offer | None = None


def refusal(status: int, reason: str) -> Outcome:
    return Outcome(status, f"내려받을 수 없습니다. {reason}".encode())


EXPIRED = "내려받기 시간이 지났거나 이 창에서 요청한 것이 아닙니다. 화면에서 다시 누르세요."
LOGGED_OUT = "로그인이 끝났습니다. 다시 로그인한 뒤 내려받으세요."


def redeem(
    tickets: Tickets,
    ticket_id: str,
    tab: str,
    ttl: float,
    session_user: Callable[[str], tuple[User, str] | None],
    current: Callable[[User, str], User | None],
) -> Outcome:
    """The answer to a fetch of ticket `ticket_id` from a browser with tab cookie `tab`:
    `session_user` gives the logged-in user of a live Streamlit session and how they signed in
    (None when it ended or logged out), `current` that user as the accounts file says now (None
    when removed or changed)."""
    ticket = tickets.valid(ticket_id, tab, ttl)
    if ticket is None:
        return refusal(404, EXPIRED)
    found = session_user(ticket.session_id)
    if found is None or found[0].login != ticket.login:
        return refusal(403, LOGGED_OUT)
    fresh = current(*found)
    if fresh is None:
        return refusal(403, LOGGED_OUT)
    offer = ticket.offer
    try:
        content = offer.produce(fresh)
    except DownloadRefused as exc:
        if tickets.first_record(ticket):
            offer.denied(fresh)
        return refusal(403, str(exc))
    if tickets.first_record(ticket):
        offer.served(fresh)
    return Outcome(200, content, offer)


def ticket_id_of(content: bytes) -> str | None:
    """The ticket id a /media file holds, or None for an ordinary media file (pure)."""
    if not content.startswith(TICKET_MARK):
        return None
    return content[len(TICKET_MARK) :].decode("ascii", "replace")


# --- the Streamlit side -----------------------------------------------------------------------


def _tab_cookie() -> str:
    import streamlit as st

    try:
        return str(st.context.cookies.get(TAB_COOKIE) or "")
    except Exception:  # no browser context (AppTest, bare script runs)
        return ""


def _session_id() -> str:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


def bind_session() -> None:
    """Note that this logged-in session belongs to the browser tab's cookie (its page images)."""
    TICKETS.bind(_tab_cookie(), _session_id())


def minter(offer: Offer, user: User, ttl: float) -> Callable[[], bytes]:
    """The deferred data of a download button: a new ticket for this session, per click."""
    session_id, tab = _session_id(), _tab_cookie()

    def mint() -> bytes:
        return TICKET_MARK + TICKETS.issue(session_id, user.login, tab, offer, ttl).id.encode()

    return mint


def download_button(label: str, offer: Offer, user: User, *, key: str, **options: Any) -> None:
    """st.download_button for `offer`, served through the gate (see the module docstring)."""
    import streamlit as st

    from ingest.core.settings import get_settings

    st.download_button(
        label,
        minter(offer, user, get_settings().ui.download_ticket_seconds),
        file_name=offer.file_name,
        mime=offer.mime,
        key=key,
        on_click="ignore",  # no rerun: the page stays as it is
        **options,
    )
