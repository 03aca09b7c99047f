"""The browser origins a public client may call the token endpoint from (docs/oauth.md "CORS").

A browser sends ``Origin`` as the serialized origin of the page (RFC 6454 §6.2; Fetch):
``scheme "://" host [":" port]``, lower case, the default port left out, no path. We compare
that header with the registered value as a plain string, so a value is only accepted in that
exact form; a near miss is refused with the form to write instead, rather than stored as an
entry that could never match.

``https`` only, except ``http`` on the loopback interface (as for redirect URIs,
``clients.redirect_uris``) and there only in development: a production deployment has no
business answering pages served from a developer's machine. Only public clients have
origins: code in a browser cannot keep a secret (RFC 6749 §2.1), so a confidential client
never calls us from one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tsp_auth.clients.redirect_uris import LOOPBACK_HOSTS

_DEFAULT_PORTS = {"https": 443, "http": 80}


def _serialized(scheme: str, host: str, port: int | None) -> str:
    """The origin as a browser serializes it (RFC 6454 §6.2)."""
    host = f"[{host}]" if ":" in host else host
    shown = "" if port is None or port == _DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{host}{shown}"


def origin_problem(origin: str, *, development: bool) -> str | None:
    """Why ``origin`` cannot be registered, or None when it can."""
    if not origin.isascii() or any(c.isspace() or ord(c) < 0x20 for c in origin):
        return "must be ASCII (IDNA form for international names), without whitespace"
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return "is not a valid origin"
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return "must be an https origin: scheme and host, e.g. https://app.example.com"
    if "@" in parts.netloc or parts.path or parts.query or parts.fragment or "#" in origin:
        return "must be scheme, host and port only: no path, query, fragment or user"
    if scheme == "http" and not (development and parts.hostname in LOOPBACK_HOSTS):
        return "must use https (http only for 127.0.0.1 or localhost, in development)"
    serialized = _serialized(scheme, parts.hostname, port)
    if origin != serialized:
        return f"must be written as a browser sends it: {serialized!r}"
    return None


def check_origins(origins: list[str], *, development: bool) -> str | None:
    """The first problem with a list of origins, as a sentence, or None."""
    if len(set(origins)) != len(origins):
        return "allowed_origins must not repeat an origin"
    for origin in origins:
        problem = origin_problem(origin, development=development)
        if problem is not None:
            return f"origin {origin!r} {problem}"
    return None
