"""The scopes a client may hold, by kind of client.

Partner apps hold ``partner.*`` scopes (seed 004: "The app must enable partner API scopes, which
are the ones starting with 'partner'"); first-party clients of the platform hold ``tsp.*``
scopes that open our own operational endpoints. The RFC 8414 metadata lists both kinds: a
client still gets only the scopes registered for it.
"""

from __future__ import annotations

# The OAuth scopes partner apps may ask for (seed 004). A constant until a catalogue owns them.
# The Affiliate Partner APIs a partner authorizes an app for (seed 004, TAP).
TAP_SCOPES: tuple[str, ...] = (
    "partner.affiliate.read",
    "partner.affiliate.write",
    "partner.creator.read",
)
# A seller's data a partner app may use through partner APIs once the seller consented to it
# (docs/data-access.md; policy.partner_side.APP_SCOPES says which action needs which).
SELLER_DATA_SCOPES: tuple[str, ...] = ("partner.data_compass.read", "partner.ticket.write")
PARTNER_SCOPES: tuple[str, ...] = (*TAP_SCOPES, *SELLER_DATA_SCOPES)
PARTNER_SCOPE_PREFIX = "partner."
# RFC 7662 §2.1: the introspection endpoint is for protected resources, i.e. our first parties.
INTROSPECT_SCOPE = "tsp.introspect"
# The decision API (DESIGN §3, "Decision API") for the consoles of the platform.
DECISIONS_SCOPE = "tsp.decisions"
FIRST_PARTY_SCOPES: frozenset[str] = frozenset((INTROSPECT_SCOPE, DECISIONS_SCOPE))
PARTNER_APP_SCOPES: frozenset[str] = frozenset(
    s for s in PARTNER_SCOPES if s.startswith(PARTNER_SCOPE_PREFIX)
)


def parse_scope(value: str | None) -> frozenset[str] | None:
    """RFC 6749 §3.3: a space-delimited list; None when the parameter was not given."""
    if value is None:
        return None
    return frozenset(value.split())


def format_scope(scopes: frozenset[str]) -> str:
    return " ".join(sorted(scopes))
