"""Rotation: publish first, sign after the propagation delay, retire after the last token."""

from __future__ import annotations

import json
from datetime import timedelta

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.keys.conftest import in_session, sign, verify
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.keys.ring import KeyRing
from tsp_auth.keys.service import list_keys, retention


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_rotation_publishes_hands_over_then_retires(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    keyring: KeyRing = app.state.keyring
    t0 = now()
    old_token = await sign(app, t0)
    old_kid = _kid(old_token)

    new = await in_session(app, lambda s: keyring.rotate(s, t0))

    # Published at once, so verifiers learn it before it signs.
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert {key["kid"] for key in jwks["keys"]} == {old_kid, new.kid}
    # The old key signs until the hand-over, and its tokens keep verifying.
    handover = t0 + settings.key_propagation_delay
    assert new.activates_at == handover
    assert _kid(await sign(app, handover - timedelta(seconds=1))) == old_kid
    assert (await verify(app, old_token, t0 + timedelta(seconds=1)))["sub"] == "seller_1"
    # From the hand-over on, the new key signs.
    new_token = await sign(app, handover)
    assert _kid(new_token) == new.kid
    assert (await verify(app, new_token, handover))["sub"] == "seller_1"

    retired_at = handover + retention(settings)
    old_key = keyring.keyset.get(old_kid)
    assert old_key is not None
    assert old_key.retires_at == retired_at
    # Once retired, the old key leaves the JWKS and its tokens name an unknown kid.
    jwks_later = json.loads(await keyring.jwks_document(retired_at))
    assert [key["kid"] for key in jwks_later["keys"]] == [new.kid]
    with pytest.raises(InvalidToken) as caught:
        await verify(app, old_token, retired_at)
    assert caught.value.reason == "unknown_kid"
    assert _kid(await sign(app, retired_at)) == new.kid


async def test_the_old_key_outlives_every_token_it_signed(app: FastAPI, settings: Settings) -> None:
    keyring: KeyRing = app.state.keyring
    t0 = now()
    await sign(app, t0)
    new = await in_session(app, lambda s: keyring.rotate(s, t0))
    # The last token of the old key is signed just before the hand-over, with the longest TTL.
    last = new.activates_at - timedelta(seconds=1)
    longest = max(settings.access_token_ttl, settings.login_token_ttl)
    token = await sign(app, last, lifetime=longest)

    expires = last + longest
    assert (await verify(app, token, expires))["sub"] == "seller_1"  # within the leeway
    old_key = keyring.keyset.get(_kid(token))
    assert old_key is not None
    assert old_key.retires_at is not None
    assert old_key.retires_at > expires + keyring.codec.leeway


async def test_a_second_rotation_keeps_earlier_retirements(
    app: FastAPI, settings: Settings
) -> None:
    keyring: KeyRing = app.state.keyring
    t0 = now()
    await sign(app, t0)
    first = await in_session(app, lambda s: keyring.rotate(s, t0))
    second = await in_session(app, lambda s: keyring.rotate(s, t0 + timedelta(minutes=1)))

    listed = {key.kid: key for key in await in_session(app, lambda s: list_keys(s, t0))}
    assert len(listed) == 3
    retired_first = first.activates_at + retention(settings)
    original = next(key for kid, key in listed.items() if kid not in {first.kid, second.kid})
    assert original.retires_at == retired_first
    assert original.state == "signing"
    assert listed[first.kid].retires_at == second.activates_at + retention(settings)
    assert listed[first.kid].state == "pending"
    assert listed[second.kid].retires_at is None
