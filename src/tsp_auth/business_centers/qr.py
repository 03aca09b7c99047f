"""The QR code of an access request, and the sealed copy of its token (docs/business-center.md).

Seed 003: the admin clicks "Generate QR code" and shares the QR card; the owner scans it. The
QR code encodes the link ``{issuer}/bc/authorize/{token}``. We look requests up by the token's
SHA-256 (DESIGN §4) and keep the token itself only Fernet-encrypted under
``TSP_AUTH_KEY_WRAPPING_KEY`` while the request is pending, so the same QR card can be drawn
again (a fresh token per download would silently break a card already shared).
"""

from __future__ import annotations

import io

import segno
from cryptography.fernet import Fernet

from tsp_auth.config import Settings

# Medium error correction survives a slightly damaged or photographed card; scale 8 makes a
# card of about 500 px for our link length, big enough to print and to scan from a screen.
QR_ERROR = "m"
QR_SCALE = 8
QR_BORDER = 4


def _fernet(settings: Settings) -> Fernet:
    return Fernet(settings.key_wrapping_key.get_secret_value())


def seal(settings: Settings, token: str) -> str:
    return _fernet(settings).encrypt(token.encode("ascii")).decode("ascii")


def unseal(settings: Settings, sealed: str) -> str:
    return _fernet(settings).decrypt(sealed.encode("ascii")).decode("ascii")


def qr_png(link: str) -> bytes:
    """A PNG of the QR code that encodes ``link`` (segno, no external service)."""
    buffer = io.BytesIO()
    segno.make_qr(link, error=QR_ERROR).save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()
