"""JwtCodec: round trips, every refusal with its reason code, rotation, independent verifiers."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt as pyjwt
import pytest
from jose import jwe, jws
from joserfc import jwk as joserfc_jwk
from joserfc import jwt as joserfc_jwt

from tsp_auth.crypto import (
    InvalidToken,
    JwtCodec,
    KeySet,
    NoSigningKey,
    SigningKey,
    generate_signing_key,
)

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
ISSUER = "https://auth.example.com"
AUDIENCE = "https://seller.example.com"
TYP = "at+jwt"
LIFETIME = timedelta(minutes=5)
LEEWAY = timedelta(seconds=30)
NAIVE = datetime(2025, 1, 1)  # deliberately without tzinfo


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_signing_key(NOW - timedelta(days=1))[0]


@pytest.fixture
def codec(key: SigningKey) -> JwtCodec:
    return JwtCodec(KeySet((key,)), ISSUER, leeway=LEEWAY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _craft(
    header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes] | None
) -> str:
    """A compact JWS built by hand, so the test controls every byte an attacker controls."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = sign(signing_input.encode("ascii")) if sign else b""
    return f"{signing_input}.{_b64(signature)}"


def _claims(**overrides: Any) -> dict[str, Any]:
    issued = int(NOW.timestamp())
    claims = {"sub": "seller-1", "iss": ISSUER, "aud": AUDIENCE, "iat": issued}
    claims["exp"] = issued + int(LIFETIME.total_seconds())
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _header(key: SigningKey, **overrides: Any) -> dict[str, Any]:
    header = {"alg": "ES256", "kid": key.kid, "typ": TYP, **overrides}
    return {name: value for name, value in header.items() if value is not None}


def _hs256(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda message: hmac.new(secret, message, hashlib.sha256).digest()


def _refused(codec: JwtCodec, token: str, *, at: datetime = NOW) -> str:
    with pytest.raises(InvalidToken) as caught:
        codec.decode(token, typ=TYP, audience=AUDIENCE, now=at)
    return caught.value.reason


def _encode(codec: JwtCodec, *, at: datetime = NOW, **claims: Any) -> str:
    claims.setdefault("sub", "seller-1")
    return codec.encode(claims, typ=TYP, audience=AUDIENCE, lifetime=LIFETIME, now=at)


# --- round trip -----------------------------------------------------------------------------


def test_round_trip(codec: JwtCodec, key: SigningKey) -> None:
    act = {"sub": "member-7", "partner": "partner-3"}
    token = _encode(codec, act=act, roles=["operator"])

    claims = codec.decode(token, typ=TYP, audience=AUDIENCE, now=NOW)

    assert claims["sub"] == "seller-1"
    assert claims["act"] == act
    assert claims["roles"] == ["operator"]
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["exp"] == int((NOW + LIFETIME).timestamp())
    assert pyjwt.get_unverified_header(token) == {"alg": "ES256", "kid": key.kid, "typ": TYP}


def test_jti_is_random_unless_given(codec: JwtCodec) -> None:
    first = codec.decode(_encode(codec), typ=TYP, audience=AUDIENCE, now=NOW)["jti"]
    second = codec.decode(_encode(codec), typ=TYP, audience=AUDIENCE, now=NOW)["jti"]
    given = codec.decode(_encode(codec, jti="mine"), typ=TYP, audience=AUDIENCE, now=NOW)["jti"]

    assert first != second
    assert len(first) >= 20
    assert given == "mine"


def test_header_and_claims_are_the_bytes_jws_sign_makes(codec: JwtCodec, key: SigningKey) -> None:
    """The header is encoded once per key and typ, the claims by orjson: what python-jose's
    ``jws.sign`` makes of the same header and claims, and verified by its ``jws.verify``."""
    token = _encode(codec, jti="jti-1", scope="tsp.introspect", gv=3, aud_extra=["a", "b"])
    claims = codec.decode(token, typ=TYP, audience=AUDIENCE, now=NOW)
    reference = jws.sign(
        claims, key.signer, headers={"kid": key.kid, "typ": TYP}, algorithm="ES256"
    )

    assert token.split(".")[:2] == reference.split(".")[:2]
    assert next(iter(claims)) == "jti"  # a given jti keeps its place: first
    assert json.loads(jws.verify(token, key.verifier, algorithms=["ES256"])) == claims
    # The cached header is the key's and the typ's: another typ gets its own.
    other = codec.encode({"sub": "x"}, typ="JWT", audience=AUDIENCE, lifetime=LIFETIME, now=NOW)
    assert pyjwt.get_unverified_header(other) == {"alg": "ES256", "kid": key.kid, "typ": "JWT"}
    assert pyjwt.get_unverified_header(token)["typ"] == TYP


def test_audience_list_accepts_any_member(codec: JwtCodec) -> None:
    token = codec.encode({}, typ=TYP, audience=["other", AUDIENCE], lifetime=LIFETIME, now=NOW)

    assert codec.decode(token, typ=TYP, audience=AUDIENCE, now=NOW)["aud"] == ["other", AUDIENCE]
    assert codec.decode(token, typ=TYP, audience="other", now=NOW)["aud"] == ["other", AUDIENCE]


@pytest.mark.parametrize("expected", ["application/at+jwt", "AT+JWT", "Application/At+Jwt"])
def test_typ_compares_as_media_type(codec: JwtCodec, expected: str) -> None:
    token = _encode(codec)

    assert codec.decode(token, typ=expected, audience=AUDIENCE, now=NOW)["sub"] == "seller-1"


def test_time_checks_use_the_leeway(codec: JwtCodec) -> None:
    token = _encode(codec)
    last_valid = NOW + LIFETIME + LEEWAY - timedelta(seconds=1)
    issued_ahead = _encode(codec, at=NOW + LEEWAY)

    assert codec.decode(token, typ=TYP, audience=AUDIENCE, now=last_valid)
    assert codec.decode(issued_ahead, typ=TYP, audience=AUDIENCE, now=NOW)
    # RFC 7519 §4.1.4: refused "on or after" exp (+ leeway).
    assert _refused(codec, token, at=NOW + LIFETIME + LEEWAY) == "expired"


# --- encode-side mistakes -------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "iat"])
def test_encode_refuses_claims_the_codec_owns(codec: JwtCodec, claim: str) -> None:
    with pytest.raises(ValueError, match=claim):
        codec.encode({claim: "x"}, typ=TYP, audience=AUDIENCE, lifetime=LIFETIME, now=NOW)


def test_encode_refuses_bad_arguments(codec: JwtCodec) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        codec.encode({}, typ=TYP, audience=AUDIENCE, lifetime=timedelta(0), now=NOW)
    with pytest.raises(ValueError, match="audience"):
        codec.encode({}, typ=TYP, audience=[], lifetime=LIFETIME, now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.encode({}, typ=TYP, audience=AUDIENCE, lifetime=LIFETIME, now=NAIVE)


def test_encode_without_a_valid_key_fails(key: SigningKey) -> None:
    codec = JwtCodec(KeySet((key,)), ISSUER)

    with pytest.raises(NoSigningKey):
        _encode(codec, at=key.created_at - timedelta(seconds=1))


# --- refusals -------------------------------------------------------------------------------


def test_alg_none_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    for alg in ("none", "None", "NONE"):
        token = _craft(_header(key, alg=alg), _claims(), sign=None)
        assert token.endswith(".")
        assert _refused(codec, token) == "alg_not_allowed"


def test_hs256_with_our_public_key_pem_as_secret_is_refused(
    codec: JwtCodec, key: SigningKey
) -> None:
    public_pem = key.verifier.to_pem()

    token = _craft(_header(key, alg="HS256"), _claims(), sign=_hs256(public_pem))

    assert _refused(codec, token) == "alg_not_allowed"


def test_hs256_with_our_jwk_json_as_secret_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    jwk_json = json.dumps(key.public_jwk).encode()

    as_hs256 = _craft(_header(key, alg="HS256"), _claims(), sign=_hs256(jwk_json))
    claiming_es256 = _craft(_header(key), _claims(), sign=_hs256(jwk_json))

    assert _refused(codec, as_hs256) == "alg_not_allowed"
    assert _refused(codec, claiming_es256) == "bad_signature"


@pytest.mark.parametrize("alg", ["ES384", "RS256", "PS256", "EdDSA", None, 256, ["ES256"]])
def test_other_algorithms_are_refused(codec: JwtCodec, key: SigningKey, alg: Any) -> None:
    token = _craft(_header(key, alg=alg), _claims(), sign=key.signer.sign)

    assert _refused(codec, token) == "alg_not_allowed"


@pytest.mark.parametrize("typ", ["JWT", "login+jwt", "application/jwt", None, 7])
def test_typ_mismatch_is_refused(codec: JwtCodec, key: SigningKey, typ: Any) -> None:
    token = _craft(_header(key, typ=typ), _claims(), sign=key.signer.sign)  # None: no typ

    assert _refused(codec, token) == "typ_mismatch"


def test_typ_of_another_token_kind_is_refused(codec: JwtCodec) -> None:
    token = codec.encode({}, typ="login+jwt", audience=AUDIENCE, lifetime=LIFETIME, now=NOW)

    assert _refused(codec, token) == "typ_mismatch"


@pytest.mark.parametrize("kid", ["someone-elses-kid", "", 42])
def test_unknown_kid_is_refused(codec: JwtCodec, key: SigningKey, kid: Any) -> None:
    token = _craft(_header(key, kid=kid), _claims(), sign=key.signer.sign)

    assert _refused(codec, token) == "unknown_kid"


def test_missing_kid_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    header = _header(key)
    del header["kid"]

    assert _refused(codec, _craft(header, _claims(), sign=key.signer.sign)) == "unknown_kid"


def test_other_es256_key_claiming_our_kid_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    attacker, _ = generate_signing_key(NOW)

    token = _craft(_header(key), _claims(), sign=attacker.signer.sign)

    assert _refused(codec, token) == "bad_signature"


def test_keys_carried_in_the_header_are_never_used(codec: JwtCodec, key: SigningKey) -> None:
    attacker, _ = generate_signing_key(NOW)
    embedded = {"jwk": attacker.public_jwk, "jku": "https://evil.example/jwks.json"}

    with_their_kid = _craft(
        _header(key, kid=attacker.kid, **embedded), _claims(), sign=attacker.signer.sign
    )
    with_our_kid = _craft(_header(key, **embedded), _claims(), sign=attacker.signer.sign)

    assert _refused(codec, with_their_kid) == "unknown_kid"
    assert _refused(codec, with_our_kid) == "bad_signature"


def test_tampered_tokens_are_refused(codec: JwtCodec) -> None:
    header, payload, signature = _encode(codec).split(".")
    forged_payload = _b64(json.dumps(_claims(sub="seller-2")).encode())
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    assert _refused(codec, f"{header}.{forged_payload}.{signature}") == "bad_signature"
    assert _refused(codec, f"{header}.{payload}.{flipped}") == "bad_signature"
    assert _refused(codec, f"{header}.{payload}.") == "bad_signature"


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud"])
def test_missing_required_claim_is_refused(codec: JwtCodec, key: SigningKey, claim: str) -> None:
    claims = _claims()
    del claims[claim]

    assert _refused(codec, _craft(_header(key), claims, sign=key.signer.sign)) == "missing_claim"


def test_wrong_issuer_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    token = _craft(_header(key), _claims(iss="https://evil.example"), sign=key.signer.sign)
    other_codec = JwtCodec(codec.keyset, "https://other-issuer.example")

    assert _refused(codec, token) == "wrong_issuer"
    assert _refused(other_codec, _encode(codec)) == "wrong_issuer"


@pytest.mark.parametrize("aud", ["https://other.example", ["a", "b"], [], {"aud": AUDIENCE}])
def test_wrong_audience_is_refused(codec: JwtCodec, key: SigningKey, aud: Any) -> None:
    token = _craft(_header(key), _claims(aud=aud), sign=key.signer.sign)

    assert _refused(codec, token) == "wrong_audience"


def test_expired_token_is_refused(codec: JwtCodec) -> None:
    token = _encode(codec)

    assert _refused(codec, token, at=NOW + LIFETIME + LEEWAY + timedelta(seconds=1)) == "expired"


def test_token_issued_in_the_future_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    ahead = int((NOW + LEEWAY).timestamp()) + 1
    iat_ahead = _craft(_header(key), _claims(iat=ahead, exp=ahead + 300), sign=key.signer.sign)
    nbf_ahead = _craft(_header(key), _claims(nbf=ahead), sign=key.signer.sign)

    assert _refused(codec, iat_ahead) == "not_yet_valid"
    assert _refused(codec, nbf_ahead) == "not_yet_valid"


@pytest.mark.parametrize(
    "overrides",
    [{"exp": "2030-01-01"}, {"exp": True}, {"iat": [1]}, {"nbf": "soon"}],
)
def test_non_numeric_dates_are_malformed(
    codec: JwtCodec, key: SigningKey, overrides: dict[str, Any]
) -> None:
    token = _craft(_header(key), _claims(**overrides), sign=key.signer.sign)

    assert _refused(codec, token) == "malformed"


def test_jwe_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    plaintext = json.dumps(_claims()).encode()
    token = jwe.encrypt(plaintext, b"k" * 32, algorithm="dir", encryption="A256GCM", kid=key.kid)

    assert token.count(b".") == 4
    assert _refused(codec, token.decode()) == "malformed"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJFUzI1NiJ9.e30.!!!",
        f"{_b64(b'not json')}.e30.",
        f"{_b64(b'[1, 2]')}.e30.",
        f"{_b64(bytes([0xFF, 0xFE]))}.e30.",
        "x" * 20_000,
    ],
)
def test_structurally_broken_input_is_malformed(codec: JwtCodec, token: str) -> None:
    assert _refused(codec, token) == "malformed"


def test_payload_that_is_not_a_json_object_is_malformed(codec: JwtCodec, key: SigningKey) -> None:
    header = _b64(json.dumps(_header(key)).encode())
    payload = _b64(b'["not", "claims"]')
    signing_input = f"{header}.{payload}"
    token = f"{signing_input}.{_b64(key.signer.sign(signing_input.encode()))}"

    assert _refused(codec, token) == "malformed"


def test_crit_header_is_refused(codec: JwtCodec, key: SigningKey) -> None:
    header = _header(key, crit=["exp"], exp=0)

    assert _refused(codec, _craft(header, _claims(), sign=key.signer.sign)) == "malformed"


def test_signature_is_checked_before_claims(codec: JwtCodec, key: SigningKey) -> None:
    attacker, _ = generate_signing_key(NOW)
    token = _craft(_header(key), {"sub": "x"}, sign=attacker.signer.sign)

    assert _refused(codec, token) == "bad_signature"


# --- rotation -------------------------------------------------------------------------------


def test_previous_key_verifies_until_retired_then_is_unknown(key: SigningKey) -> None:
    max_lifetime = timedelta(minutes=10)
    rotated_at = NOW + timedelta(minutes=1)
    old_codec = JwtCodec(KeySet((key,)), ISSUER, leeway=LEEWAY)
    old_token = _encode(old_codec, at=NOW)
    new_key, _ = generate_signing_key(rotated_at)
    # keys/service.py rotate stores this hand-over: the old key retires one lifetime after it.
    keyset = KeySet((replace(key, retires_at=rotated_at + max_lifetime), new_key))
    codec = JwtCodec(keyset, ISSUER, leeway=LEEWAY)

    new_token = _encode(codec, at=rotated_at)
    assert pyjwt.get_unverified_header(new_token)["kid"] == new_key.kid
    assert codec.decode(old_token, typ=TYP, audience=AUDIENCE, now=rotated_at)["sub"] == "seller-1"
    published = {jwk["kid"] for jwk in keyset.jwks(rotated_at + max_lifetime)["keys"]}
    assert published == {new_key.kid}
    assert _refused(codec, old_token, at=rotated_at + max_lifetime) == "unknown_kid"
    assert codec.decode(new_token, typ=TYP, audience=AUDIENCE, now=rotated_at + LIFETIME)


# --- independent verification ---------------------------------------------------------------


def test_pyjwt_verifies_our_token_through_the_jwks(codec: JwtCodec) -> None:
    now = datetime.now(UTC)  # PyJWT checks exp against the wall clock
    token = codec.encode(
        {"sub": "seller-1"}, typ=TYP, audience=AUDIENCE, lifetime=LIFETIME, now=now
    )
    kid = pyjwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in codec.keyset.jwks(now)["keys"] if k["kid"] == kid]

    claims = pyjwt.decode(
        token,
        pyjwt.PyJWK(jwk).key,
        algorithms=["ES256"],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "iat", "iss", "aud"]},
    )

    assert claims["sub"] == "seller-1"


def test_pyjwt_rejects_our_token_under_another_key(codec: JwtCodec) -> None:
    now = datetime.now(UTC)
    token = codec.encode({}, typ=TYP, audience=AUDIENCE, lifetime=LIFETIME, now=now)
    other, _ = generate_signing_key(now)

    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(
            token, pyjwt.PyJWK(other.public_jwk).key, algorithms=["ES256"], audience=AUDIENCE
        )


def test_we_verify_a_token_signed_by_pyjwt_with_our_private_key() -> None:
    signing_key, pem = generate_signing_key(NOW)
    codec = JwtCodec(KeySet((signing_key,)), ISSUER)
    headers = {"kid": signing_key.kid, "typ": "application/at+jwt"}

    token = pyjwt.encode(_claims(), pem, algorithm="ES256", headers=headers)

    assert codec.decode(token, typ=TYP, audience=AUDIENCE, now=NOW)["sub"] == "seller-1"


def test_joserfc_verifies_our_token_through_the_jwks(codec: JwtCodec) -> None:
    token = _encode(codec)

    keys = joserfc_jwk.KeySet.import_key_set(codec.keyset.jwks(NOW))
    decoded = joserfc_jwt.decode(token, keys, algorithms=["ES256"])

    assert decoded.header["kid"] == codec.keyset.current(NOW).kid
    assert decoded.claims["sub"] == "seller-1"


# --- cost -----------------------------------------------------------------------------------


def test_no_pem_is_parsed_per_call(codec: JwtCodec, monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN §4: key objects are built once; encode/decode must not touch PEM loaders."""

    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("PEM parsed during encode/decode")

    for target in (
        "jose.backends.cryptography_backend.load_pem_private_key",
        "jose.backends.cryptography_backend.load_pem_public_key",
        "cryptography.hazmat.primitives.serialization.load_pem_private_key",
        "cryptography.hazmat.primitives.serialization.load_pem_public_key",
    ):
        monkeypatch.setattr(target, forbidden)

    token = _encode(codec)

    assert codec.decode(token, typ=TYP, audience=AUDIENCE, now=NOW)["sub"] == "seller-1"
