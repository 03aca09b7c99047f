"""The headers every server-rendered page carries (docs/consent.md, "The built-in consent
page"): a strict CSP, no framing, no referrer (tokens and ids are in our URLs), no caching.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# An origin we may put in a CSP source list: no quotes, spaces, semicolons or commas.
_ORIGIN = re.compile(r"https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, or None (relative, or unusable)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    origin = f"{parts.scheme.lower()}://{host}"
    return origin if _ORIGIN.fullmatch(origin) else None


def script_hash(script: str) -> str:
    """The CSP source of one inline script (CSP3 "hash-source"): only that exact text runs."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def page_headers(
    form_targets: Iterable[str | None] = (),
    *,
    own_images: bool = False,
    scripts: Iterable[str] = (),
) -> dict[str, str]:
    """Headers of every page of ours.

    ``form_targets``: where a form on the page may end up. Chromium applies CSP ``form-action``
    to the redirects that follow a submission too, so the partner's return origin, reached by
    our 303, is listed next to ``'self'``; otherwise the browser stops on our page.
    ``own_images``: the page shows images we serve (the QR card), so ``img-src 'self'``.
    ``scripts``: inline scripts the page runs, allowed by their hashes only (no other script).
    """
    origins = sorted({o for o in map(origin_of, form_targets) if o is not None})
    form_action = " ".join(["'self'", *origins])
    images = " img-src 'self';" if own_images else ""
    hashes = " ".join(script_hash(script) for script in scripts)
    images += f" script-src {hashes};" if hashes else ""
    return {
        "Content-Security-Policy": (
            f"default-src 'none';{images} style-src 'self' 'unsafe-inline'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
