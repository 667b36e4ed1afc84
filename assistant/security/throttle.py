"""Login throttling that slows an attacker without locking out the account's owner.

Failures are counted under three keys, in a table every app instance shares
(``security.state_url``: SQLite on one host, PostgreSQL for several), so N instances do not allow
N times the tries and a restart does not reset them:

- ``pair:<login>|<client>``: one client guessing one account. After ``max_login_failures`` the
  client waits 1, 2, 4, … seconds between tries, up to ``login_backoff_max_seconds``.
- ``account:<login>``: the account from every client (a distributed guess). After four times
  ``max_login_failures`` each try waits, but never more than ``account_backoff_max_seconds``:
  the owner's next try is at most that far away.
- ``client:<client>``: one client across accounts (password spraying). After
  ``client_max_failures`` within ``lockout_minutes`` the client is blocked for
  ``lockout_minutes``.

A client whose address is not known ("": a connection from this host, e.g. a reverse proxy that
is not in ``security.trusted_proxies``) is counted under the account key alone: all such clients
would otherwise share one pair and one client key, and a few wrong guesses at made-up names
would block everyone's login.

A success clears its pair and account counts. Admins list and clear entries (관리 page, CLI).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, select

from assistant.security.storage import TableStore, one_per_url

_metadata = MetaData()
throttle_table = Table(
    "login_throttle",
    _metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("first_failure", Float, nullable=False),
    Column("last_failure", Float, nullable=False),
    Column("blocked_until", Float, nullable=False),
)
ACCOUNT_FACTOR = 4  # account-wide backoff starts after this many times max_login_failures


class LoginThrottled(Exception):
    """Too many failed logins from here: try again in `seconds` (rounded up)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(1, math.ceil(seconds))
        super().__init__(f"throttled for {self.seconds} s")

    @property
    def wait_text(self) -> str:
        """The wait in Korean ("40초", "15분")."""
        return f"{self.seconds}초" if self.seconds < 120 else f"{math.ceil(self.seconds / 60)}분"


@dataclass(frozen=True)
class ThrottlePolicy:
    """The limits, from ``settings.security``."""

    free_failures: int = 5
    backoff_max_seconds: float = 900.0
    account_backoff_max_seconds: float = 30.0
    client_max_failures: int = 30
    client_block_seconds: float = 900.0

    @classmethod
    def from_settings(cls, settings: Any) -> ThrottlePolicy:
        sec = settings.security
        return cls(
            free_failures=max(1, sec.max_login_failures),
            backoff_max_seconds=float(sec.login_backoff_max_seconds),
            account_backoff_max_seconds=float(sec.account_backoff_max_seconds),
            client_max_failures=max(1, sec.client_max_failures),
            client_block_seconds=sec.lockout_minutes * 60.0,
        )


@dataclass(frozen=True)
class ThrottleEntry:
    key: str
    failures: int
    last_failure: float
    blocked_until: float


def backoff_seconds(failures: int, free: int, cap: float) -> float:
    """Wait after `failures` in a row: none for the first `free`, then 1, 2, 4 … up to `cap` (pure)."""
    if failures < free:
        return 0.0
    return float(min(cap, 2 ** min(failures - free, 30)))


def throttle_keys(login: str, client: str) -> tuple[str, ...]:
    """The keys one try counts under: pair, account and client, or the account alone when the
    client's address is unknown (pure)."""
    if not client:
        return (f"account:{login}",)
    return f"pair:{login}|{client}", f"account:{login}", f"client:{client}"


class LoginThrottle(TableStore):
    """Failure counts in a shared table; thread- and process-safe."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(url, _metadata, clock)

    def check(self, login: str, client: str) -> None:
        """Raise LoginThrottled while `client` must wait before trying `login`."""
        now = self.clock()
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(throttle_table.c.blocked_until).where(
                    throttle_table.c.key.in_(throttle_keys(login, client))
                )
            ).all()
        wait = max((r[0] - now for r in rows), default=0.0)
        if wait > 0:
            raise LoginThrottled(wait)

    def failed(self, login: str, client: str, policy: ThrottlePolicy) -> None:
        """Count one failure under its keys (:func:`throttle_keys`)."""
        now = self.clock()
        keys = throttle_keys(login, client)
        with self._lock, self._engine.begin() as conn:
            current = {
                r.key: r for r in conn.execute(select(throttle_table).where(throttle_table.c.key.in_(keys)))
            }
            for key in keys:
                row = current.get(key)
                failures, first = (row.failures + 1, row.first_failure) if row else (1, now)
                if key.startswith("client:"):
                    if now - first > policy.client_block_seconds:  # a new window
                        failures, first = 1, now
                    blocked = (
                        now + policy.client_block_seconds if failures >= policy.client_max_failures else 0
                    )
                elif key.startswith("pair:"):
                    blocked = now + backoff_seconds(
                        failures, policy.free_failures, policy.backoff_max_seconds
                    )
                else:
                    free = policy.free_failures * ACCOUNT_FACTOR
                    blocked = now + backoff_seconds(failures, free, policy.account_backoff_max_seconds)
                values = {
                    "failures": failures,
                    "first_failure": first,
                    "last_failure": now,
                    "blocked_until": blocked,
                }
                if row:
                    conn.execute(throttle_table.update().where(throttle_table.c.key == key).values(**values))
                else:
                    conn.execute(throttle_table.insert().values(key=key, **values))

    def succeeded(self, login: str, client: str) -> None:
        keys = [k for k in throttle_keys(login, client) if not k.startswith("client:")]
        with self._lock, self._engine.begin() as conn:
            conn.execute(delete(throttle_table).where(throttle_table.c.key.in_(keys)))

    def entries(self) -> list[ThrottleEntry]:
        """All counted keys, most recent failure first (the 관리 page)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(throttle_table).order_by(throttle_table.c.last_failure.desc())).all()
        return [ThrottleEntry(r.key, r.failures, r.last_failure, r.blocked_until) for r in rows]

    def clear(self, key: str | None = None) -> int:
        """Forget one key (or all); the number of keys removed."""
        with self._lock, self._engine.begin() as conn:
            query = delete(throttle_table)
            if key is not None:
                query = query.where(throttle_table.c.key == key)
            return int(conn.execute(query).rowcount or 0)


def get_throttle(settings: Any) -> LoginThrottle:
    """One shared :class:`LoginThrottle` per URL (``settings.security.state_url``)."""
    return one_per_url(LoginThrottle, settings.security.state_url)
