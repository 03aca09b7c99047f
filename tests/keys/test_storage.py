"""Private keys at rest: wrapped with Fernet under the wrapping key, never plain PEM."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.keys.conftest import in_session, sign
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import KeyDecryptionError, decrypt_private_key, new_wrapping_key
from tsp_auth.db.unit_of_work import reads_of
from tsp_auth.keys.ring import KeyRing
from tsp_auth.keys.service import rotate
from tsp_auth.models import SigningKeyRecord


async def _records(session: AsyncSession) -> list[SigningKeyRecord]:
    return list((await session.scalars(select(SigningKeyRecord))).all())


async def test_the_private_key_column_holds_no_pem(app: FastAPI, settings: Settings) -> None:
    await sign(app, now())
    records = await in_session(app, _records)

    assert len(records) == 1
    stored = records[0].private_key_encrypted
    assert "BEGIN" not in stored
    assert "PRIVATE" not in stored
    wrapping_key = settings.key_wrapping_key.get_secret_value()
    assert decrypt_private_key(stored, wrapping_key).startswith(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(KeyDecryptionError):
        decrypt_private_key(stored, new_wrapping_key())


async def test_a_wrong_wrapping_key_neither_loads_nor_rotates(
    app: FastAPI, settings: Settings
) -> None:
    await sign(app, now())
    wrong = settings.model_copy(update={"key_wrapping_key": SecretStr(new_wrapping_key())})

    ring = KeyRing(wrong, reads_of(app.state.sessionmaker))
    with pytest.raises(KeyDecryptionError):
        await in_session(app, lambda s: ring.refresh(s, now()))
    with pytest.raises(KeyDecryptionError):
        await in_session(app, lambda s: rotate(s, wrong, now()))
    assert len(await in_session(app, _records)) == 1


async def test_keys_are_decrypted_once_per_process(app: FastAPI) -> None:
    keyring: KeyRing = app.state.keyring
    await sign(app, now())
    before = keyring.keyset.keys[0]

    await in_session(app, lambda s: keyring.refresh(s, now()))

    # Same python-jose key objects: nothing was decrypted or parsed again.
    assert keyring.keyset.keys[0].signer is before.signer
