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


def _without_port(uri: str) -> tuple[str, str, str, str, str] | None:
    """``uri`` but its port when it is an http loopback URI, else None."""
    if any(c.isspace() or ord(c) < 0x20 for c in uri):
        return None  # urlsplit drops tabs and newlines silently: never match through them
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return None
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname, parts.path, parts.query, parts.fragment


def is_registered_redirect(uri: str, registered: list[str], *, public: bool) -> bool:
    """Whether a requested redirect URI is one of the client's registered ones.

    RFC 9700 §2.1: exact string comparison, with one exception: RFC 8252 §7.3 says a native
    app's loopback redirect "MUST allow any port to be specified at the time of the request",
    because the app listens on an ephemeral port the OS picks. So for a public client an http
    loopback URI matches a registered one that differs from it in the port only.
    """
    if uri in registered:
        return True
    if not public:
        return False
    wanted = _without_port(uri)
    return wanted is not None and any(_without_port(r) == wanted for r in registered)
