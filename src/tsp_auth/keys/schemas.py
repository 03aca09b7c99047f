"""The JWK Set (RFC 7517) and the key listing."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

KeyState = Literal["pending", "signing", "verifying", "retired"]


class Jwk(BaseModel):
    """A public EC signing key (RFC 7517 §4, RFC 7518 §6.2.1); never private members."""

    kid: str
    kty: Literal["EC"]
    crv: str
    x: str
    y: str
    alg: str
    use: Literal["sig"]


class JwkSet(BaseModel):
    keys: list[Jwk]


class SigningKeyRead(BaseModel):
    """A stored key as `tsp-auth keys list` shows it: times and state, no key material."""

    kid: str
    alg: str
    created_at: datetime
    activates_at: datetime
    retires_at: datetime | None
    state: KeyState
