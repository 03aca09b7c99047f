"""One class per OAuth error (RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1).

They are ``AppError``s, so the one handler renders them in the RFC 6749 §5.2 shape.
"""

from __future__ import annotations

from typing import ClassVar

from tsp_auth.kit.errors import AppError
from tsp_auth.policy import Reason

# RFC 6749 §5.2 / RFC 9110 §11.6.1: a 401 names the scheme the client should use.
BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="tsp-auth", charset="UTF-8"'}


class OAuthError(AppError):
    status_code: ClassVar[int] = 400


class InvalidRequest(OAuthError):
    error = Reason.INVALID_REQUEST


class InvalidClient(OAuthError):
    """RFC 6749 §5.2: client authentication failed; 401 with a challenge."""

    status_code = 401
    error = Reason.INVALID_CLIENT

    def __init__(self, description: str = "client authentication failed") -> None:
        super().__init__(description, headers=dict(BASIC_CHALLENGE))


class InvalidGrant(OAuthError):
    error = Reason.INVALID_GRANT


class UnauthorizedClient(OAuthError):
    error = Reason.UNAUTHORIZED_CLIENT


class UnsupportedGrantType(OAuthError):
    error = Reason.UNSUPPORTED_GRANT_TYPE


class InvalidScope(OAuthError):
    error = Reason.INVALID_SCOPE


class TokenReuse(InvalidGrant):
    """A used code or refresh token came back (RFC 6749 §4.1.2, RFC 9700 §4.14.2).

    The refusal has a consequence that must stay: the token family was revoked in the request's
    transaction. The router answers it without re-raising, so that transaction commits.
    """


class AuthorizationErrorRedirect(AppError):
    """RFC 6749 §4.1.2.1: once client and redirect URI are known good, an authorization error
    goes back to the client's redirect URI (with ``state`` and RFC 9207 ``iss``); it is an
    error response delivered as a 303, never a page on our side."""

    status_code: ClassVar[int] = 303

    def __init__(self, location: str, error: str, description: str) -> None:
        super().__init__(description, error=error, headers={"Location": location})
