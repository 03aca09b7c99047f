"""What a partner app may register as a redirect URI (RFC 6749 §3.1.2, RFC 9700 §2.1, §4.1).

Registered URIs are matched exactly (RFC 9700 §4.1.3), so they are checked once, here: absolute,
``https`` (``http`` only on the loopback interface, RFC 8252 §7.3 and RFC 9700 §2.6), no
fragment (RFC 6749 §3.1.2), no user information (it would let ``https://good@evil`` pass a
reader's eye). A query is allowed (RFC 6749 §3.1.2); we add our parameters to it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset(("127.0.0.1", "localhost", "::1"))


def redirect_uri_problem(uri: str) -> str | None:
    """Why ``uri`` cannot be registered, or None when it can."""
    if uri != uri.strip() or any(c.isspace() or ord(c) < 0x20 for c in uri):
        return "must not contain whitespace or control characters"
    if "#" in uri:
        return "must not contain a fragment"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return "is not a valid URI"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an absolute https URI"
    if "@" in parts.netloc:
        return "must not contain user information"
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return "must use https (http only for 127.0.0.1 or localhost)"
    return None


def check_redirect_uris(uris: list[str]) -> str | None:
    """The first problem with a list of redirect URIs, as a sentence, or None."""
    if len(set(uris)) != len(uris):
        return "redirect_uris must not repeat a URI"
    for uri in uris:
        problem = redirect_uri_problem(uri)
        if problem is not None:
            return f"redirect URI {uri!r} {problem}"
    return None
