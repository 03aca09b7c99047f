"""Which hosts a production webhook may reach: public addresses only (issue 13, SSRF).

A host is judged in the form a resolver would use, not as typed: case and trailing dots do not
matter, and every IPv4 spelling ``inet_aton`` accepts (``2130706433``, ``0x7f.1``, ``0177.0.0.1``,
``127.1``) is the address it spells, because that is where a client connects. IPv6 forms that
carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by that IPv4 address.
Pure functions: resolving names at delivery time is ``webhooks.egress``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

# Names every resolver answers with this machine (RFC 6761 §6.3) or that Debian's /etc/hosts
# gives the loopback interface.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# Only these characters reach inet_aton: C's inet_aton ignores anything after whitespace.
_IPV4_SPELLING = re.compile(r"[0-9a-fx.]+")
# RFC 6052 §2.1: the well-known NAT64 prefix embeds an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def normalise_host(host: str) -> str:
    """Lower case, no trailing dots: ``LOCALHOST.`` and ``localhost`` are one name."""
    return host.strip().lower().rstrip(".")


def host_address(host: str) -> IPAddress | None:
    """The address a (normalised) host spells, in any form a client accepts; None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not _IPV4_SPELLING.fullmatch(host):
        return None
    try:
        return IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Globally reachable unicast: not loopback, private, link-local, multicast or reserved."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    # ``is_global`` alone lets multicast through (224.0.0.1 is "global" to ipaddress).
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def is_public_name(name: str) -> bool:
    """A name that may resolve to a public host; delivery checks what it resolves to."""
    if not name or name in LOCAL_NAMES or name.endswith((".localhost", ".local")):
        return False
    # A single label is looked up in the search domains: an intranet name, not a public host.
    # ":" or "%" outside a valid IPv6 literal is no host name at all.
    return "." in name and not any(c in name for c in ":%[]")


def is_public_host(host: str) -> bool:
    """Whether a URL host (as ``urlsplit().hostname`` gives it) names a public host."""
    normalised = normalise_host(host)
    address = host_address(normalised)
    if address is None:
        return is_public_name(normalised)
    return is_public_address(address)
