"""The client address that login throttling counts under, behind reverse proxies or not.

A forwarded-for header is believed only from a trusted proxy (``security.trusted_proxies``), and
only its rightmost entries: each proxy appends the address it saw, while everything to the left
came from the client and may be made up. Walking from the right, the first address that is not a
trusted proxy is the client, as werkzeug's ProxyFix and uvicorn's proxy_headers do it.

An unknown client is "" (never one shared name such as "unknown"): ``assistant.security.throttle``
then counts the account alone. A loopback peer that is not a trusted proxy is unknown too: it is
a local proxy or the server's own user, and Streamlit reports no address for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

MAX_ADDRESS_CHARS = 64
Network = IPv4Network | IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR ranges ("127.0.0.1", "10.0.0.0/8", "::1") as networks; ValueError on a
    malformed one (pure)."""
    return tuple(ip_network(entry.strip(), strict=False) for entry in entries)


def _is_in(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:  # not an address (a host name, "unknown"): never a trusted proxy
        return False
    return any(parsed in network for network in networks)


def _is_loopback(address: str) -> bool:
    try:
        return ip_address(address).is_loopback
    except ValueError:
        return False


def client_address(peer: str | None, forwarded_for: str, trusted: Iterable[str]) -> str:
    """The client of a request (pure): `peer` is the connection's address (None = loopback,
    Streamlit's way of reporting it), `forwarded_for` the forwarded-for header ("" when absent,
    several headers joined with commas), `trusted` the trusted proxies. "" when unknown."""
    networks = parse_networks(trusted)
    peer_address = "127.0.0.1" if peer is None else peer.strip()
    if not _is_in(peer_address, networks):
        return "" if not peer_address or _is_loopback(peer_address) else peer_address[:MAX_ADDRESS_CHARS]
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_in(hop, networks):
            return hop[:MAX_ADDRESS_CHARS]
    # Every hop is a trusted proxy: the leftmost is the client (one of those hosts itself).
    # No header at all: unknown, not the proxy's own address (that would be one shared key).
    return hops[0][:MAX_ADDRESS_CHARS] if hops else ""
