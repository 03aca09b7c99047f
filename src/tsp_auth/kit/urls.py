"""The one place that builds URLs (STYLE §6): public links per host, consent pages, redirects.

seed 004: "The authorization domain is different for US and non-US partners"; the hosts are
settings (``TSP_AUTH_HOST_US``, ``TSP_AUTH_HOST_ROW``) so each environment points at its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from tsp_auth.config import Settings

AUTHORIZE_PATH = "/open/authorize"


def public_host(settings: Settings, region: str) -> str:
    """The host that serves a partner's authorization links: US partners get the US host."""
    return settings.host_us if region == "US" else settings.host_row


def link_origin(settings: Settings, region: str) -> str:
    """``scheme://host`` of the authorization links of a partner of ``region``.

    In development a host left at its default names TikTok's production domain, which does not
    reach this server, so the link points at the issuer (the local server: `make run` sets it
    to ``http://127.0.0.1:$PORT``). A host that is configured (``TSP_AUTH_HOST_US`` /
    ``_ROW``) is used as configured, and production always uses the hosts
    (docs/consent.md, "Where links point").
    """
    field = "host_us" if region == "US" else "host_row"
    if settings.environment == "development" and field not in settings.model_fields_set:
        issuer = urlsplit(settings.issuer)
        return urlunsplit((issuer.scheme, issuer.netloc, "", "", ""))
    return urlunsplit((settings.public_scheme, public_host(settings, region), "", "", ""))


def _host_and_port(netloc: str) -> tuple[str | None, int | None]:
    parts = urlsplit(f"//{netloc.strip()}")
    try:
        return parts.hostname, parts.port
    except ValueError:  # a port that is not a number: matches nothing
        return None, None


def market_host_region(settings: Settings, host: str | None) -> str | None:
    """Which market's link host a request's ``Host`` is: ``US``, ``ROW``, or None for any
    other host (the issuer's own host in development, a test client's) or when both settings
    name the same host. A configured host without a port matches that host on any port."""
    given, given_port = _host_and_port(host or "")
    if given is None or settings.host_us.lower() == settings.host_row.lower():
        return None
    for region in ("US", "ROW"):
        configured, port = _host_and_port(public_host(settings, region))
        if given == configured and port in (None, given_port):
            return region
    return None


def authorization_link(
    settings: Settings,
    *,
    region: str,
    service_id: str,
    state: str,
    purpose: str = "authorize",
) -> str:
    """``https://{host}/open/authorize?service_id=…&state=…`` (DESIGN §3, seed 004); the
    host is the local server's in development (``link_origin``)."""
    params = {"service_id": service_id, "state": state}
    if purpose != "authorize":
        # seed 001 "Request TSP Access": the same link, asking for seller center access.
        params["purpose"] = purpose
    return f"{link_origin(settings, region)}{AUTHORIZE_PATH}?{urlencode(params)}"


def consent_page_path(request_id: str) -> str:
    """Where `/open/authorize` sends the seller's browser: the built-in consent page."""
    return f"/consent/{quote(request_id, safe='')}"


def consent_done_path(request_id: str) -> str:
    """Where the seller lands after deciding when the service has no return URL."""
    return f"{consent_page_path(request_id)}/done"


def with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` added to its query.

    A parameter already in ``url`` under one of these names is replaced, never repeated
    (RFC 6749 §3.1: parameters "MUST NOT be included more than once"); the fragment is dropped
    (RFC 6749 §3.1.2: a redirection endpoint "MUST NOT include a fragment component").
    """
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query = urlencode([*kept, *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def dev_sign_in_path(return_to: str) -> str:
    """The development sign-in page, coming back to a local path afterwards."""
    return f"/dev/login?return_to={quote(return_to, safe='/')}"


# TSP Access (DESIGN §3): the seller console that redeems a login token. US markets use the US
# console, every other market the rest-of-world one (``TSP_AUTH_CONSOLE_HOST_US`` / ``_ROW``).
CONSOLE_LOGIN_PATH = "/tsp-access/login"


def console_host(settings: Settings, region: str) -> str:
    return settings.console_host_us if region == "US" else settings.console_host_row


def console_audience(settings: Settings, region: str) -> str:
    """The ``aud`` of a login token for a seller of ``region``: the console's origin."""
    return f"{settings.public_scheme}://{console_host(settings, region)}"


def console_audiences(settings: Settings) -> tuple[str, ...]:
    """Every console audience we mint login tokens for."""
    return tuple(dict.fromkeys(console_audience(settings, r) for r in ("US", "ROW")))


def console_login_url(settings: Settings, region: str) -> str:
    """Where the partner console sends the member's browser with the login token.

    The token travels in a POST body (or a URL fragment), never in the query: a query ends up
    in server logs, browser history and ``Referer`` headers (RFC 6750 §5.3, RFC 9700 §4.3).
    """
    host = console_host(settings, region)
    return urlunsplit((settings.public_scheme, host, CONSOLE_LOGIN_PATH, "", ""))


# Business Center account access (seed 003): the link a QR code carries, on our issuer host.
BC_AUTHORIZE_PATH = "/bc/authorize"


def bc_authorize_path(token: str) -> str:
    return f"{BC_AUTHORIZE_PATH}/{quote(token, safe='')}"


def bc_authorize_link(settings: Settings, token: str) -> str:
    """``{issuer}/bc/authorize/{token}``: what the TikTok account owner opens by scanning."""
    return f"{settings.issuer.rstrip('/')}{bc_authorize_path(token)}"


def bc_qr_path(business_center_id: str, request_id: str) -> str:
    bc, rid = quote(business_center_id, safe=""), quote(request_id, safe="")
    return f"/v1/business-centers/{bc}/access-requests/{rid}/qr.png"


def bc_qr_url(settings: Settings, business_center_id: str, request_id: str) -> str:
    """Absolute, so a frontend on another origin (or a browser) can fetch the QR card."""
    return f"{settings.issuer.rstrip('/')}{bc_qr_path(business_center_id, request_id)}"


def bc_card_path(business_center_id: str, request_id: str) -> str:
    """The QR card page a Business Center admin opens in the browser (cookie sign-in)."""
    bc, rid = quote(business_center_id, safe=""), quote(request_id, safe="")
    return f"/bc/business-centers/{bc}/access-requests/{rid}"


def bc_card_url(settings: Settings, business_center_id: str, request_id: str) -> str:
    return f"{settings.issuer.rstrip('/')}{bc_card_path(business_center_id, request_id)}"
