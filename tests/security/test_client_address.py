"""Which client a login try counts under (issue 31, finding 5): the address a trusted proxy
appended, never a client-written forwarded-for entry, and no shared bucket for unknown clients."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from pydantic import ValidationError
from streamlit.runtime.context import StreamlitHeaders

from assistant.security import auth
from assistant.security.client_address import client_address, parse_networks
from assistant.security.throttle import LoginThrottle
from ingest.core.settings import Settings, load_settings
from tests.ui.conftest import ADMIN, STAFF, write_accounts
from ui import login

LOCAL = ["127.0.0.1", "::1"]


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", "", [], "203.0.113.7"),  # a direct connection
        ("203.0.113.7", "198.51.100.9", [], "203.0.113.7"),  # the header of an untrusted peer: ignored
        (None, "", [], ""),  # loopback (Streamlit reports None), no proxy configured: unknown
        ("127.0.0.1", "198.51.100.9", [], ""),  # a local proxy that is not trusted: unknown too
        (None, "198.51.100.9", LOCAL, "198.51.100.9"),  # nginx on this host
        (None, "6.6.6.6, 198.51.100.9", LOCAL, "198.51.100.9"),  # spoofed leftmost entry ignored
        (None, "6.6.6.6,198.51.100.9, 127.0.0.1", LOCAL, "198.51.100.9"),  # a second local hop
        ("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.3", ["10.0.0.0/24"], "198.51.100.9"),
        ("10.0.0.2", "", ["10.0.0.0/24"], ""),  # a trusted proxy that sent nothing: not its address
        ("10.0.0.2", "10.0.0.7, 10.0.0.3", ["10.0.0.0/24"], "10.0.0.7"),  # all trusted: the leftmost
        ("2001:db8::2", "2001:db8:1::9", ["2001:db8::/64"], "2001:db8:1::9"),
        ("::1", "2001:db8:1::9", ["::1"], "2001:db8:1::9"),
    ],
)
def test_client_address(peer: str | None, forwarded: str, trusted: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_trusted_proxies_must_be_addresses() -> None:
    assert [str(n) for n in parse_networks(["10.0.0.1", "10.0.0.0/8", "::1"])] == [
        "10.0.0.1/32", "10.0.0.0/8", "::1/128",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        parse_networks(["nginx.local"])
    with pytest.raises(ValidationError):
        load_settings(security={"trusted_proxies": ["10.0.0.300"]})


class FakeContext:
    """What ``st.context`` says for a connection from nginx on this host."""

    def __init__(self, forwarded: str) -> None:
        self.ip_address = None  # Streamlit's report of a loopback peer
        self.headers = StreamlitHeaders([("X-Forwarded-For", forwarded)])


def test_the_login_page_counts_the_address_the_proxy_appended(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    s.security.client_ip_header = "X-Forwarded-For"
    monkeypatch.setattr(st, "context", FakeContext("6.6.6.6, 198.51.100.9"))  # the client wrote 6.6.6.6
    s.security.trusted_proxies = ["127.0.0.1"]
    assert login.client_id(s) == "198.51.100.9"
    s.security.trusted_proxies = []  # no trusted proxy: the header is nobody's word
    assert login.client_id(s) == ""


def test_failures_of_unknown_clients_do_not_block_another_account(tmp_path: Path) -> None:
    """Behind a local proxy every client is unknown: 30 wrong passwords for made-up names (the
    client cap) must not refuse the admin's right password, nor hold up a staff member's."""
    s = Settings()
    s.security.accounts_file = write_accounts(tmp_path / "accounts.toml")
    s.security.state_url = f"sqlite:///{tmp_path / 'security.sqlite3'}"
    throttle = LoginThrottle(s.security.state_url, clock=lambda: 1_000_000.0)
    for i in range(s.security.client_max_failures):
        assert auth.verify_login(f"nobody{i}", "guess", s, client="", throttle=throttle) is None
    assert auth.verify_login(ADMIN[0], ADMIN[1], s, client="", throttle=throttle) == ADMIN[2]
    assert auth.verify_login(STAFF[0], STAFF[1], s, client="", throttle=throttle) == STAFF[2]
    keys = {e.key for e in throttle.entries()}
    assert keys == {f"account:nobody{i}" for i in range(s.security.client_max_failures)}
    throttle.close()
