"""What `/open/authorize` accepts: the link's parameters, parsed without I/O.

The partner-app parameters of RFC 6749 §4.1.1 / RFC 7636 §4.3 (``client_id``, ``redirect_uri``,
``response_type``, ``scope``, ``code_challenge``, ``code_challenge_method``) are collected here
as received and checked by ``tsp_auth.oauth.authorize``, which knows the client: before the
redirect URI is known good its errors are pages, after it they go back to the client. Other
unknown parameters are ignored (RFC 6749 §3.1: "The authorization server MUST ignore
unrecognized request parameters").
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from tsp_auth.config import Settings
from tsp_auth.kit import urls
from tsp_auth.kit.errors import BadRequest
from tsp_auth.policy import Reason

Purpose = Literal["authorize", "tsp_access"]
PURPOSES: tuple[Purpose, ...] = ("authorize", "tsp_access")

# RFC 3986 §2.3 unreserved characters: a state survives every URL unchanged.
STATE_MAX_LENGTH = 512
STATE_PATTERN = rf"^[A-Za-z0-9._~-]{{1,{STATE_MAX_LENGTH}}}$"
_STATE = re.compile(STATE_PATTERN)
# Our ids are ``svc_`` + hex; the demo's are readable words. Either fits the 40-char column.
_SERVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_SINGLE_VALUED = ("service_id", "state", "purpose")
OAUTH_PARAMETERS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "code_challenge",
    "code_challenge_method",
)


class QueryParams(Protocol):
    """What the parser needs from a query string (Starlette's ``QueryParams`` has it)."""

    def getlist(self, key: str) -> Sequence[str]: ...


WRONG_MARKET_HOST = Reason.WRONG_MARKET_HOST


@dataclass(frozen=True, slots=True)
class AuthorizeParams:
    service_id: str | None  # None only when ``client_id`` names a partner app (its service)
    state: str | None
    purpose: Purpose
    # The partner-app parameters given, each with every non-empty value received.
    oauth: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    host: str | None = None  # the request's Host: which market's link host it was opened on


def new_state() -> str:
    """A random state for links made without one (seed 004: adding ``state`` is encouraged)."""
    return secrets.token_urlsafe(24)


def is_valid_state(state: str) -> bool:
    return _STATE.fullmatch(state) is not None


def _single(query: QueryParams, name: str) -> str | None:
    values = query.getlist(name)
    if len(values) > 1:
        # RFC 6749 §3.1: parameters "MUST NOT be included more than once".
        raise BadRequest(f"{name} is given more than once", error=Reason.INVALID_REQUEST)
    # RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
    return values[0] if values and values[0] else None


def _purpose(value: str | None) -> Purpose:
    if value is None:
        return "authorize"
    for purpose in PURPOSES:
        if value == purpose:
            return purpose
    raise BadRequest("purpose must be authorize or tsp_access", error=Reason.INVALID_REQUEST)


def check_link_host(settings: Settings, host: str | None, partner_region: str) -> None:
    """seed 004: "The authorization domain is different for US and non-US partners". A link
    opened on the other market's host is refused; any other host (development) is not ours
    to judge."""
    region = "US" if partner_region == "US" else "ROW"
    opened_on = urls.market_host_region(settings, host)
    if opened_on is not None and opened_on != region:
        expected = urls.public_host(settings, region)
        raise BadRequest(
            f"this authorization link is served on {expected}, not on this host",
            error=WRONG_MARKET_HOST,
        )


def parse_authorize_query(query: QueryParams, host: str | None = None) -> AuthorizeParams:
    """Check the link's parameters; every refusal is a BadRequest with an error code."""
    values = {name: _single(query, name) for name in _SINGLE_VALUED}
    service_id, state = values["service_id"], values["state"]
    oauth = {name: tuple(v for v in query.getlist(name) if v) for name in OAUTH_PARAMETERS}
    oauth = {name: given for name, given in oauth.items() if given}
    if service_id is None and "client_id" not in oauth:
        raise BadRequest("the link has no service_id", error=Reason.INVALID_REQUEST)
    if service_id is not None and _SERVICE_ID.fullmatch(service_id) is None:
        raise BadRequest("the link's service_id is malformed", error=Reason.INVALID_REQUEST)
    if state is not None and not is_valid_state(state):
        raise BadRequest(
            f"state must be 1 to {STATE_MAX_LENGTH} URL-safe characters", error=Reason.INVALID_STATE
        )
    return AuthorizeParams(service_id, state, _purpose(values["purpose"]), oauth, host)
