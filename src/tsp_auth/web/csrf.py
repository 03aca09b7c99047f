"""Cross-site request forgery checks for every form of ours (docs/consent.md, docs/security.md).

Two independent checks, both before anything is decided:

- **CSRF token** (synchronizer token, OWASP CSRF cheat sheet): an HMAC-SHA256 of what the form
  decides (an authorization or access request id), the account id and a hash of the identity
  cookie, under a key derived from ``TSP_AUTH_ID_TOKEN_SECRET``. Nothing is stored: the page
  embeds the token, the POST recomputes it and compares in constant time. A token is good for
  one request and one sign-in only.
- **Origin** (RFC 6454 §7, Fetch metadata): a POST that names another origin than the one of
  ``TSP_AUTH_ISSUER`` is refused. Not the request's own URL: behind a reverse proxy that is
  the proxy's view of the upstream (another host, http), not what the browser shows.
  ``Origin: null`` is what Chromium sends for our own form because the page's
  ``Referrer-Policy`` is ``no-referrer`` (Fetch, "append a request Origin header"), so ``null``
  only passes when ``Sec-Fetch-Site`` does not say the request came from another site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from starlette.requests import Request

from tsp_auth.config import Settings
from tsp_auth.kit.errors import Forbidden
from tsp_auth.policy import Reason
from tsp_auth.web.sign_in import SignedIn

ORIGIN_MISMATCH = Reason.ORIGIN_MISMATCH
CROSS_SITE_REQUEST = Reason.CROSS_SITE_REQUEST
CSRF_TOKEN_INVALID = Reason.CSRF_TOKEN_INVALID

# Domain separation: the CSRF key is never the key that signs identity tokens. The label
# predates web/ (the consent form was first): changing it would void every open form.
_KEY_LABEL = b"tsp-auth consent csrf v1"
_SAME_SITE_FETCHES = ("same-origin", "none")


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def csrf_token(secret: str, *, request_id: str, account_id: str, identity_token: str) -> str:
    """The token the form deciding ``request_id`` carries for this signed-in browser."""
    session = hashlib.sha256(identity_token.encode()).hexdigest()
    message = json.dumps([request_id, account_id, session]).encode()
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def form_token(settings: Settings, bound_to: str, who: SignedIn) -> str:
    """The token of a signed-in caller's form that decides ``bound_to``."""
    return csrf_token(
        settings.id_token_secret.get_secret_value(),
        request_id=bound_to,
        account_id=who.caller.account_id,
        identity_token=who.identity_token,
    )


def csrf_valid(expected: str, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def origin_refusal(origin: str | None, fetch_site: str | None, own_origin: str) -> str | None:
    """Why a state-changing request must be refused as cross-origin, or None if it may pass."""
    if origin is not None and origin != "null" and origin.lower() != own_origin.lower():
        return ORIGIN_MISMATCH
    if fetch_site is not None and fetch_site.lower() not in _SAME_SITE_FETCHES:
        return CROSS_SITE_REQUEST
    return None


def cross_site_refusal(request: Request, settings: Settings) -> Forbidden | None:
    """The refusal of a form post that came from another site, or None (our own forms)."""
    own_origin = settings.issuer_origin
    headers = request.headers
    reason = origin_refusal(headers.get("origin"), headers.get("sec-fetch-site"), own_origin)
    if reason is None:
        return None
    return Forbidden("This form was sent from another site.", error=reason)


def csrf_refusal(expected: str, given: object) -> Forbidden | None:
    """The refusal of a form post whose CSRF token (a form field) is missing or wrong."""
    if csrf_valid(expected, given if isinstance(given, str) else None):
        return None
    message = "The form's security token is missing or wrong; reload the page and retry."
    return Forbidden(message, error=CSRF_TOKEN_INVALID)
