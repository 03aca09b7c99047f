"""KeySet: which key signs and which keys are published (rotation: tests/keys/test_rotation.py)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tsp_auth.crypto import KeySet, NoSigningKey, SigningKey, generate_signing_key

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=10)


def _key(created_at: datetime) -> SigningKey:
    return generate_signing_key(created_at)[0]


def test_current_is_the_newest_key_that_exists() -> None:
    old, new = _key(T0), _key(T0 + timedelta(hours=1))
    keyset = KeySet((old, new))

    assert keyset.current(T0 + timedelta(minutes=30)) is old
    assert keyset.current(T0 + timedelta(hours=1)) is new


def test_a_future_key_is_published_before_it_signs() -> None:
    old, future = _key(T0), _key(T0 + timedelta(hours=1))
    keyset = KeySet((old, future))

    assert keyset.current(T0) is old
    assert [k["kid"] for k in keyset.jwks(T0)["keys"]] == [old.kid, future.kid]


def test_empty_or_not_yet_valid_key_set_has_no_signing_key() -> None:
    with pytest.raises(NoSigningKey):
        KeySet().current(T0)
    with pytest.raises(NoSigningKey):
        KeySet((_key(T0 + timedelta(seconds=1)),)).current(T0)


def test_duplicate_kids_are_refused() -> None:
    key = _key(T0)

    with pytest.raises(ValueError, match="duplicate kid"):
        KeySet((key, key))


def test_jwks_drops_keys_once_retired() -> None:
    old = _key(T0)
    rotated_at = T0 + timedelta(days=30)
    new = _key(rotated_at)
    keyset = KeySet((replace(old, retires_at=rotated_at + LIFETIME), new))

    before = {k["kid"] for k in keyset.jwks(rotated_at + LIFETIME - timedelta(seconds=1))["keys"]}
    after = {k["kid"] for k in keyset.jwks(rotated_at + LIFETIME)["keys"]}

    assert before == {old.kid, new.kid}
    assert after == {new.kid}


def test_jwks_has_only_public_members() -> None:
    keyset = KeySet((_key(T0), _key(T0)))

    for jwk in keyset.jwks(T0)["keys"]:
        assert set(jwk) == {"kid", "alg", "use", "kty", "crv", "x", "y"}
        assert "d" not in jwk


def test_jwks_is_a_copy() -> None:
    key = _key(T0)
    keyset = KeySet((key,))

    keyset.jwks(T0)["keys"][0]["kid"] = "tampered"

    assert keyset.jwks(T0)["keys"][0]["kid"] == key.kid
