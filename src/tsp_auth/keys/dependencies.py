"""The key ring as a route dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tsp_auth.keys.service import KeyRing


async def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
