"""Remembered verifications (keys/verified.py): one ES256 verification per token, and the same
refusals as verifying every time — expiry on every call, retired keys, forged signatures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from tests.keys.conftest import AUDIENCE, TYP, in_session, sign
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.db.unit_of_work import reads_of
from tsp_auth.keys.ring import KeyRing
from tsp_auth.keys.service import VERIFY_LEEWAY, retention
from tsp_auth.keys.verified import token_digest


async def _decode(
    app: FastAPI, token: str, at: datetime, *, remember: bool = True, keyring: KeyRing | None = None
) -> dict[str, Any]:
    ring: KeyRing = keyring or app.state.keyring
    return await in_session(
        app,
        lambda s: ring.decode(
            token, typ=TYP, audience=AUDIENCE, now=at, remember=remember, session=s
        ),
    )


async def _refusal(app: FastAPI, token: str, at: datetime, **kwargs: Any) -> str:
    with pytest.raises(InvalidToken) as caught:
        await _decode(app, token, at, **kwargs)
    return caught.value.reason


async def test_a_remembered_token_is_verified_once(
    app: FastAPI, signature_checks: list[str]
) -> None:
    t0 = now()
    token = await sign(app, t0)
    first = await _decode(app, token, t0)
    again = await _decode(app, token, t0 + timedelta(seconds=1))

    assert again == first
    assert first["sub"] == "seller_1"
    assert signature_checks == [token]
    # A caller changing its copy changes nothing remembered.
    again["sub"] = "someone else"
    assert (await _decode(app, token, t0))["sub"] == "seller_1"
    # Not asked to remember: verified every time, as before.
    await _decode(app, token, t0, remember=False)
    assert signature_checks == [token, token]


async def test_expiry_is_checked_on_every_remembered_call(app: FastAPI) -> None:
    t0 = now()
    token = await sign(app, t0, lifetime=timedelta(minutes=1))
    await _decode(app, token, t0)
    expires = t0.replace(microsecond=0) + timedelta(minutes=1) + VERIFY_LEEWAY

    assert (await _decode(app, token, expires - timedelta(seconds=1)))["sub"] == "seller_1"
    assert await _refusal(app, token, expires) == "expired"
    assert await _refusal(app, token, expires, remember=False) == "expired"
    # Nor does it make a token valid before its time.
    assert await _refusal(app, token, t0 - timedelta(minutes=5)) == "not_yet_valid"


async def test_the_audience_and_type_are_checked_on_every_remembered_call(app: FastAPI) -> None:
    t0 = now()
    token = await sign(app, t0)
    await _decode(app, token, t0)
    keyring: KeyRing = app.state.keyring

    with pytest.raises(InvalidToken) as wrong_audience:
        await in_session(
            app,
            lambda s: keyring.decode(
                token, typ=TYP, audience="x", now=t0, remember=True, session=s
            ),
        )
    with pytest.raises(InvalidToken) as wrong_type:
        await in_session(
            app,
            lambda s: keyring.decode(
                token, typ="login+jwt", audience=AUDIENCE, now=t0, remember=True, session=s
            ),
        )
    assert (wrong_audience.value.reason, wrong_type.value.reason) == (
        "wrong_audience",
        "typ_mismatch",
    )


async def test_a_retired_key_refuses_its_remembered_tokens(
    app: FastAPI, settings: Settings, signature_checks: list[str]
) -> None:
    keyring: KeyRing = app.state.keyring
    t0 = now()
    token = await sign(app, t0, lifetime=timedelta(days=1))  # outlives its key, for the test
    await _decode(app, token, t0)
    new = await in_session(app, lambda s: keyring.rotate(s, t0))
    retired_at = new.activates_at + retention(settings)

    assert (await _decode(app, token, retired_at - timedelta(seconds=1)))["sub"] == "seller_1"
    assert signature_checks == [token]  # the key still published: remembered
    assert await _refusal(app, token, retired_at) == "unknown_kid"
    assert await _refusal(app, token, retired_at, remember=False) == "unknown_kid"


async def test_a_key_gone_from_the_ring_refuses_its_remembered_tokens(
    app: FastAPI, settings: Settings
) -> None:
    """The ring as reloaded after the key left the store (another process retired it)."""
    keyring: KeyRing = app.state.keyring
    t0 = now()
    token = await sign(app, t0, lifetime=timedelta(days=1))
    await _decode(app, token, t0)
    new = await in_session(app, lambda s: keyring.rotate(s, t0))
    later = new.activates_at + retention(settings)
    await in_session(app, lambda s: keyring.refresh(s, later))
    assert [key.kid for key in keyring.keyset.keys] == [new.kid]

    assert await _refusal(app, token, t0 + timedelta(seconds=1)) == "unknown_kid"


async def test_a_forged_signature_is_refused_every_time_and_never_remembered(
    app: FastAPI, signature_checks: list[str]
) -> None:
    t0 = now()
    header, payload, signature = (await sign(app, t0)).split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    assert await _refusal(app, forged, t0) == "bad_signature"
    assert await _refusal(app, forged, t0) == "bad_signature"
    assert signature_checks == [forged, forged]
    keyring: KeyRing = app.state.keyring
    assert keyring.remembered_header(forged, typ=TYP) is None


async def test_only_the_tokens_hash_is_kept(app: FastAPI) -> None:
    t0 = now()
    token = await sign(app, t0)
    await _decode(app, token, t0)
    keyring: KeyRing = app.state.keyring
    lru = keyring._verified._lru

    assert list(lru._entries) == [token_digest(token)]
    assert len(token_digest(token)) == 32
    assert token not in repr([entry.value for entry in lru._entries.values()])
    header = keyring.remembered_header(token, typ=TYP)
    assert header is not None
    assert header["typ"] == TYP
    assert keyring.remembered_header(token, typ="login+jwt") is None


async def test_no_cache_means_no_memo(
    app: FastAPI, settings: Settings, signature_checks: list[str]
) -> None:
    """``TSP_AUTH_CACHE_MAX_ENTRIES=0`` turns remembered verifications off too."""
    off = KeyRing(
        settings.model_copy(update={"cache_max_entries": 0}), reads_of(app.state.sessionmaker)
    )
    t0 = now()
    token = await sign(app, t0)
    await _decode(app, token, t0, keyring=off)
    await _decode(app, token, t0, keyring=off)

    assert signature_checks == [token, token]
    assert off.remembered_header(token, typ=TYP) is None
