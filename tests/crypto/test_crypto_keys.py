"""Signing key material: generation, loading, RFC 7638 kid, public JWK, wrapping at rest."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwk as joserfc_jwk

from tsp_auth.crypto import (
    KeyDecryptionError,
    decrypt_private_key,
    encrypt_private_key,
    generate_signing_key,
    jwk_thumbprint,
    load_signing_key,
    new_wrapping_key,
)

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
NAIVE = datetime(2025, 1, 1)  # deliberately without tzinfo


def _pkcs8(private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_generated_key_has_public_es256_jwk() -> None:
    key, pem = generate_signing_key(NOW)

    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
    assert key.alg == "ES256"
    assert key.created_at == NOW
    assert key.retires_at is None
    assert set(key.public_jwk) == {"kid", "alg", "use", "kty", "crv", "x", "y"}
    assert key.public_jwk["kid"] == key.kid
    assert key.public_jwk["use"] == "sig"
    assert key.public_jwk["kty"] == "EC"
    assert key.public_jwk["crv"] == "P-256"
    assert "d" not in key.public_jwk


def test_repr_does_not_show_key_objects() -> None:
    key, _ = generate_signing_key(NOW)

    assert "signer" not in repr(key)
    assert "verifier" not in repr(key)


def test_loaded_key_matches_generated_key() -> None:
    key, pem = generate_signing_key(NOW)
    retires = NOW + timedelta(days=1)

    loaded = load_signing_key(pem, created_at=NOW, retires_at=retires)

    assert loaded.kid == key.kid
    assert loaded.public_jwk == key.public_jwk
    assert loaded.retires_at == retires
    signature = loaded.signer.sign(b"message")
    assert key.verifier.verify(b"message", signature)


def test_kid_is_rfc7638_thumbprint_of_public_members() -> None:
    key, _ = generate_signing_key(NOW)
    members = {name: key.public_jwk[name] for name in ("crv", "kty", "x", "y")}

    assert key.kid == jwk_thumbprint(members)
    # Non-required members (kid, alg, use) do not change the thumbprint (RFC 7638 §3.2).
    assert jwk_thumbprint(key.public_jwk) == key.kid


def test_kid_is_deterministic_and_distinct_per_key() -> None:
    key, pem = generate_signing_key(NOW)
    other, _ = generate_signing_key(NOW)

    assert load_signing_key(pem, created_at=NOW + timedelta(days=3)).kid == key.kid
    assert other.kid != key.kid
    assert len(key.kid) == 43  # base64url of 32 bytes, unpadded
    assert "=" not in key.kid


def test_thumbprint_matches_rfc7638_worked_example() -> None:
    # RFC 7638 §3.1: the RSA key and its thumbprint.
    jwk = {
        "kty": "RSA",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
            "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq"
            "Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu"
            "0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        ),
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }

    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_thumbprint_agrees_with_joserfc() -> None:
    key, _ = generate_signing_key(NOW)

    independent = joserfc_jwk.ECKey.import_key(dict(key.public_jwk))

    assert independent.thumbprint() == key.kid


def test_thumbprint_refuses_unknown_key_type() -> None:
    with pytest.raises(ValueError, match="kty"):
        jwk_thumbprint({"kty": "XYZ"})


def test_only_es256_is_supported() -> None:
    with pytest.raises(ValueError, match="unsupported signing algorithm"):
        generate_signing_key(NOW, alg="HS256")


@pytest.mark.parametrize(
    "private_key",
    [
        pytest.param(ec.generate_private_key(ec.SECP384R1()), id="p384"),
        pytest.param(rsa.generate_private_key(public_exponent=65537, key_size=2048), id="rsa"),
    ],
)
def test_load_refuses_key_of_wrong_type(
    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
) -> None:
    with pytest.raises(ValueError, match="P-256"):
        load_signing_key(_pkcs8(private_key), created_at=NOW)


def test_load_refuses_garbage() -> None:
    with pytest.raises(ValueError, match="PEM"):
        load_signing_key(b"not a pem", created_at=NOW)


def test_naive_datetimes_are_refused() -> None:
    _, pem = generate_signing_key(NOW)

    with pytest.raises(ValueError, match="timezone-aware"):
        generate_signing_key(NAIVE)
    with pytest.raises(ValueError, match="timezone-aware"):
        load_signing_key(pem, created_at=NAIVE)


def test_wrapped_private_key_round_trips() -> None:
    _, pem = generate_signing_key(NOW)
    wrapping_key = new_wrapping_key()

    wrapped = encrypt_private_key(pem, wrapping_key)

    assert pem.decode() not in wrapped
    assert decrypt_private_key(wrapped, wrapping_key) == pem


def test_wrong_wrapping_key_is_a_key_decryption_error() -> None:
    _, pem = generate_signing_key(NOW)
    wrapped = encrypt_private_key(pem, new_wrapping_key())

    with pytest.raises(KeyDecryptionError, match="wrong wrapping key"):
        decrypt_private_key(wrapped, new_wrapping_key())


def test_tampered_wrapped_key_is_a_key_decryption_error() -> None:
    _, pem = generate_signing_key(NOW)
    wrapping_key = new_wrapping_key()
    wrapped = encrypt_private_key(pem, wrapping_key)
    tampered = wrapped[:-6] + ("A" if wrapped[-6] != "A" else "B") + wrapped[-5:]

    with pytest.raises(KeyDecryptionError):
        decrypt_private_key(tampered, wrapping_key)


def test_malformed_wrapping_key_is_a_key_decryption_error() -> None:
    _, pem = generate_signing_key(NOW)
    wrapped = encrypt_private_key(pem, new_wrapping_key())

    with pytest.raises(KeyDecryptionError, match="not a valid Fernet key"):
        decrypt_private_key(wrapped, "change-me")
