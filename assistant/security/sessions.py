"""Persistent logins: a random session token in an HttpOnly cookie, checked on the server.

The flow (``ui.login`` and ``ui.gate``):

1. A password (or single-sign-on) login creates a row here and a one-time code; the browser
   posts the code to the gate (``/_auth/session``), which redeems it: the row gets a fresh
   token, the browser a cookie ``<token>.<mac>``. Only the SHA-256 of the token (and of the
   code) is stored; the MAC uses a server secret kept in the git-ignored secrets folder, so a
   cookie value that was not issued here is refused before the database is asked.
2. A new Streamlit session (a reload, a new tab) reads the cookie and :meth:`SessionTokens.check`
   returns the row when it is not revoked, not past ``security.session_max_hours`` since the
   login and not idle longer than ``security.session_idle_minutes``; the caller then re-checks
   the account (``auth.refresh_user``: removed account or changed password → refused).
3. Logout revokes the row and the gate clears the cookie (``/_auth/logout``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, insert, select, update

from assistant.security.keyfile import load_or_create_key
from assistant.security.storage import TableStore, one_per_url
from ingest.core.settings import Settings

COOKIE_NAME = "assistant_session"
CODE_SECONDS = 120.0  # a login's one-time code must reach the gate this soon
SEEN_EVERY_SECONDS = (
    30.0  # last-seen is written at most this often per session (one write, not one per rerun)
)

_metadata = MetaData()
sessions_table = Table(
    "login_sessions",
    _metadata,
    Column("id", String(32), primary_key=True),  # public handle, kept in the Streamlit session
    Column("token_hash", String(64), unique=True, nullable=True),
    Column("code_hash", String(64), unique=True, nullable=True),
    Column("code_expires", Float, nullable=False),
    Column("login", String(128), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("via", String(16), nullable=False),
    Column("credential", String(64), nullable=False),
    Column("created", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("expires", Float, nullable=False),  # absolute end (0 = no limit)
    Column("revoked", Integer, nullable=False, default=0),
)


@dataclass(frozen=True)
class SessionRow:
    """One persistent login."""

    id: str
    login: str
    name: str
    via: str
    credential: str
    created: float
    last_seen: float
    expires: float
    revoked: bool


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def sign(token: str, key: bytes) -> str:
    """The cookie value of `token`: ``<token>.<HMAC-SHA256>`` (pure)."""
    mac = hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{token}.{mac}"


def unsign(value: str, key: bytes) -> str | None:
    """The token of a cookie value whose MAC is right, else None (pure)."""
    token, _, mac = (value or "").partition(".")
    if not token or not mac or not token.isascii():
        return None
    expected = hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()
    return token if hmac.compare_digest(mac, expected) else None


def load_secret(path: Path | str) -> bytes:
    """The server's cookie key from `path`, created (32 random bytes, mode 0600) on first use.
    Deleting the file logs everybody out."""
    return load_or_create_key(path)


def _expired(row: SessionRow, now: float, idle_seconds: float) -> bool:
    """Past the absolute lifetime or idle too long (pure)."""
    if row.expires and now > row.expires:
        return True
    return bool(idle_seconds) and now - row.last_seen > idle_seconds


class SessionTokens(TableStore):
    """The ``login_sessions`` table in the shared state database (``security.state_url``)."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__(url, _metadata, clock)

    def start(self, login: str, name: str, via: str, credential: str, max_hours: float) -> tuple[str, str]:
        """A new login's (session id, one-time code for the gate)."""
        now = self.clock()
        session_id, code = secrets.token_hex(16), secrets.token_urlsafe(32)
        row = {
            "id": session_id,
            "token_hash": None,
            "code_hash": _digest(code),
            "code_expires": now + CODE_SECONDS,
            "login": login,
            "name": name,
            "via": via,
            "credential": credential,
            "created": now,
            "last_seen": now,
            "expires": now + max_hours * 3600 if max_hours > 0 else 0.0,
            "revoked": 0,
        }
        with self._lock, self._engine.begin() as conn:
            conn.execute(delete(sessions_table).where(self._dead(now)))  # old rows go as new ones come
            conn.execute(insert(sessions_table).values(**row))
        return session_id, code

    def redeem(self, code: str) -> str | None:
        """The token for a one-time `code` (which is used up), or None when it is unknown,
        expired or used; the row then refers to the token only."""
        now = self.clock()
        t = sessions_table
        token = secrets.token_urlsafe(32)
        with self._lock, self._engine.begin() as conn:
            found = conn.execute(
                select(t.c.id).where(
                    t.c.code_hash == _digest(code or ""), t.c.code_expires >= now, t.c.revoked == 0
                )
            ).first()
            if found is None:
                return None
            conn.execute(
                update(t).where(t.c.id == found.id).values(token_hash=_digest(token), code_hash=None)
            )
        return token

    def check(self, token: str, idle_minutes: float) -> SessionRow | None:
        """The live session of `token` (last-seen updated), or None: unknown, revoked, expired."""
        row = self._row(sessions_table.c.token_hash == _digest(token or ""))
        if row is None or row.revoked:
            return None
        now = self.clock()
        if _expired(row, now, idle_minutes * 60):
            self.revoke(row.id)
            return None
        self.touch(row.id, force=True)
        return row

    def touch(self, session_id: str, force: bool = False) -> None:
        """Record activity of `session_id` (at most every SEEN_EVERY_SECONDS unless `force`)."""
        now = self.clock()
        t = sessions_table
        condition = t.c.id == session_id
        if not force:
            condition = condition & (t.c.last_seen < now - SEEN_EVERY_SECONDS)
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(t).where(condition, t.c.revoked == 0).values(last_seen=now))

    def revoke(self, session_id: str) -> None:
        t = sessions_table
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(t).where(t.c.id == session_id).values(revoked=1, code_hash=None))

    def revoke_token(self, token: str) -> None:
        t = sessions_table
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(t).where(t.c.token_hash == _digest(token or "")).values(revoked=1))

    def revoke_user(self, login: str) -> int:
        """Revoke every session of `login` (an account removed or its password reset); how many."""
        t = sessions_table
        with self._lock, self._engine.begin() as conn:
            result = conn.execute(update(t).where(t.c.login == login, t.c.revoked == 0).values(revoked=1))
        return int(result.rowcount or 0)

    def get(self, session_id: str) -> SessionRow | None:
        return self._row(sessions_table.c.id == session_id)

    def _row(self, condition: object) -> SessionRow | None:
        t = sessions_table
        with self._engine.connect() as conn:
            r = conn.execute(select(t).where(condition)).mappings().first()  # type: ignore[arg-type]
        if r is None:
            return None
        return SessionRow(
            r["id"], r["login"], r["name"], r["via"], r["credential"],
            r["created"], r["last_seen"], r["expires"], bool(r["revoked"]),
        )  # fmt: skip

    def _dead(self, now: float) -> object:
        """Rows no one can use any more: revoked, or past their absolute end, or a code never redeemed."""
        t = sessions_table
        return (
            (t.c.revoked == 1)
            | ((t.c.expires > 0) & (t.c.expires < now))
            | (t.c.token_hash.is_(None) & (t.c.code_expires < now))
        )


def get_tokens(settings: Settings) -> SessionTokens:
    """The process's token store for ``security.state_url``."""
    return one_per_url(SessionTokens, settings.security.state_url)


def cookie_key(settings: Settings) -> bytes:
    """The cookie MAC key (``security.session_secret_file``)."""
    return one_per_url(load_secret, str(settings.security.session_secret_file))
