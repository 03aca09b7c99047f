"""Attack material built by hand, the way an attacker would: base64url, JSON, HMAC and a
foreign EC key. Nothing here goes through the code under test except to read the public JWKS
(what an attacker has) and, for claim attacks, the server's own private key (what an attacker
must NOT be able to exploit even if a claim is wrong)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from httpx import AsyncClient, Response
from jwt.algorithms import ECAlgorithm

from tsp_auth.clock import now


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_json(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a JWT, read without verifying (as anyone can)."""
    header, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
    )


def alg_none(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    """RFC 7519 §6 unsecured JWT: `alg: none` and an empty signature."""
    return f"{b64url_json({**header, 'alg': 'none'})}.{b64url_json(claims)}."


def hs256(header: Mapping[str, Any], claims: Mapping[str, Any], secret: bytes) -> str:
    """HMAC-SHA256 by hand (PyJWT refuses a PEM as an HMAC secret, attackers do not)."""
    signing_input = f"{b64url_json({**header, 'alg': 'HS256'})}.{b64url_json(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def es256(
    header: Mapping[str, Any], claims: Mapping[str, Any], key: ec.EllipticCurvePrivateKey
) -> str:
    extra = {k: v for k, v in header.items() if k != "alg"}
    return jwt.encode(dict(claims), key, algorithm="ES256", headers=extra)


def foreign_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


async def published_jwk(client: AsyncClient, kid: str) -> dict[str, Any]:
    """Our public key as the JWKS serves it: all an attacker knows of it."""
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    (jwk,) = [k for k in keys if k["kid"] == kid]
    return dict(jwk)


def public_pem(jwk: Mapping[str, Any]) -> bytes:
    public = ECAlgorithm.from_jwk(json.dumps(dict(jwk)))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def server_private_key(app: FastAPI) -> ec.EllipticCurvePrivateKey:
    """The key ring's signing key, to build tokens that are well signed but wrong elsewhere."""
    key = app.state.keyring.keyset.current(now())
    private = key.signer.prepared_key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return private


@dataclass(frozen=True)
class Attack:
    name: str
    token: str


async def es256_attacks(
    app: FastAPI, client: AsyncClient, genuine: str, *, other_kinds: Mapping[str, str]
) -> list[Attack]:
    """Every crafted variant of ``genuine`` (one of our ES256 JWTs) that must be refused.

    ``other_kinds``: genuine tokens of other kinds (name → token), presented in its place.
    """
    header, claims = parts(genuine)
    ours = server_private_key(app)
    jwk = await published_jwk(client, header["kid"])
    pem = public_pem(jwk)
    attacks = [
        Attack("alg_none", alg_none(header, claims)),
        Attack("hs256_public_key_pem", hs256(header, claims, pem)),
        Attack("hs256_public_jwk_json", hs256(header, claims, json.dumps(jwk).encode())),
        Attack(
            "hs256_public_jwk_compact",
            hs256(header, claims, json.dumps(jwk, separators=(",", ":")).encode()),
        ),
        Attack("unknown_kid", es256({**header, "kid": "not-our-kid"}, claims, ours)),
        Attack("no_kid", es256({k: v for k, v in header.items() if k != "kid"}, claims, ours)),
        Attack("foreign_key_claiming_our_kid", es256(header, claims, foreign_key())),
        Attack("missing_exp", es256(header, _without(claims, "exp"), ours)),
        Attack("missing_aud", es256(header, _without(claims, "aud"), ours)),
        Attack("missing_iss", es256(header, _without(claims, "iss"), ours)),
        Attack("wrong_iss", es256(header, {**claims, "iss": "https://evil.example"}, ours)),
        Attack("wrong_aud", es256(header, {**claims, "aud": "https://evil.example"}, ours)),
        Attack("expired", es256(header, {**claims, "exp": claims["iat"] - 120}, ours)),
        Attack("missing_typ", es256(_without(header, "typ"), claims, ours)),
        Attack("typ_jwt", es256({**header, "typ": "JWT"}, claims, ours)),
        Attack("tampered_claims", _swap_payload(genuine, {**claims, "sub": "slr_someone_else"})),
    ]
    attacks += [Attack(f"other_kind_{name}", token) for name, token in other_kinds.items()]
    return attacks


def resigned(app: FastAPI, genuine: str) -> str:
    """The control: the same header and claims signed again with our key must still pass,
    so each refusal above is caused by the one thing the attack changed."""
    header, claims = parts(genuine)
    return es256(header, claims, server_private_key(app))


def identity_attacks(
    genuine: str, secret: str, jwk: Mapping[str, Any], ours: ec.EllipticCurvePrivateKey
) -> list[Attack]:
    """Crafted identity tokens (HS256 under the shared secret, `typ: id+jwt`)."""
    header, claims = parts(genuine)
    key = secret.encode()
    pem = public_pem(jwk)
    es_header = {"typ": header["typ"], "kid": jwk["kid"]}
    return [
        Attack("alg_none", alg_none(header, claims)),
        Attack("hs256_public_key_pem", hs256(header, claims, pem)),
        Attack("hs256_public_jwk_json", hs256(header, claims, json.dumps(jwk).encode())),
        Attack("es256_our_key", es256(es_header, claims, ours)),
        Attack("es256_foreign_key_claiming_our_kid", es256(es_header, claims, foreign_key())),
        Attack("missing_exp", hs256(header, _without(claims, "exp"), key)),
        Attack("missing_aud", hs256(header, _without(claims, "aud"), key)),
        Attack("wrong_iss", hs256(header, {**claims, "iss": "https://evil.example"}, key)),
        Attack("wrong_aud", hs256(header, {**claims, "aud": "tsp-auth-other"}, key)),
        Attack("wrong_typ_at_jwt", hs256({**header, "typ": "at+jwt"}, claims, key)),
        Attack("missing_typ", hs256(_without(header, "typ"), claims, key)),
        Attack("expired", hs256(header, {**claims, "exp": claims["iat"] - 120}, key)),
        Attack("wrong_secret", hs256(header, claims, b"x" * 48)),
        Attack("tampered_claims", _swap_payload(genuine, {**claims, "sub": "acc_operator"})),
    ]


def _without(values: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != name}


def _swap_payload(token: str, claims: Mapping[str, Any]) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{b64url_json(claims)}.{signature}"


def assert_not_redirected_away(response: Response, *, allowed: tuple[str, ...] = ()) -> None:
    """No ``Location`` to a host of the attacker's choosing: only relative paths on our own
    host, or exactly one of ``allowed`` (registered) URL prefixes."""
    location = response.headers.get("location")
    if location is None:
        return
    if any(location.startswith(prefix) for prefix in allowed):
        return
    target = urlsplit(location)
    assert not target.scheme and not target.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "\t" not in location, location
