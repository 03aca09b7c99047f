"""KeySet: which key signs, which keys are published, and rotation."""

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


def test_rotate_in_schedules_retirement_of_earlier_keys() -> None:
    old = _key(T0)
    rotated_at = T0 + timedelta(days=30)
    new = _key(rotated_at)

    keyset = KeySet((old,)).rotate_in(new, now=rotated_at, max_token_lifetime=LIFETIME)

    retired_old = keyset.get(old.kid)
    assert retired_old is not None
    assert retired_old.retires_at == rotated_at + LIFETIME
    assert keyset.get(new.kid) is new
    assert keyset.current(rotated_at) is new
    assert old.retires_at is None  # the original set and key are untouched


def test_rotation_to_a_future_key_retires_from_its_start() -> None:
    old = _key(T0)
    starts = T0 + timedelta(days=1)

    keyset = KeySet((old,)).rotate_in(_key(starts), now=T0, max_token_lifetime=LIFETIME)

    assert keyset.current(T0 + timedelta(hours=23)).kid == old.kid
    retired_old = keyset.get(old.kid)
    assert retired_old is not None
    assert retired_old.retires_at == starts + LIFETIME


def test_rotation_keeps_an_earlier_retirement() -> None:
    first = _key(T0)
    second = _key(T0 + timedelta(minutes=1))
    third = _key(T0 + timedelta(minutes=2))

    keyset = KeySet((first,)).rotate_in(second, now=second.created_at, max_token_lifetime=LIFETIME)
    keyset = keyset.rotate_in(third, now=third.created_at, max_token_lifetime=LIFETIME)

    retired_first, retired_second = keyset.get(first.kid), keyset.get(second.kid)
    assert retired_first is not None
    assert retired_second is not None
    assert retired_first.retires_at == second.created_at + LIFETIME
    assert retired_second.retires_at == third.created_at + LIFETIME


def test_jwks_drops_keys_once_retired() -> None:
    old = _key(T0)
    rotated_at = T0 + timedelta(days=30)
    new = _key(rotated_at)
    keyset = KeySet((old,)).rotate_in(new, now=rotated_at, max_token_lifetime=LIFETIME)

    before = {k["kid"] for k in keyset.jwks(rotated_at + LIFETIME - timedelta(seconds=1))["keys"]}
    after = {k["kid"] for k in keyset.jwks(rotated_at + LIFETIME)["keys"]}

    assert before == {old.kid, new.kid}
    assert after == {new.kid}
    assert keyset.without_retired(rotated_at + LIFETIME).keys == (new,)


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


def test_rotate_in_refuses_a_non_positive_lifetime() -> None:
    with pytest.raises(ValueError, match="positive"):
        KeySet((_key(T0),)).rotate_in(_key(T0), now=T0, max_token_lifetime=timedelta(0))
