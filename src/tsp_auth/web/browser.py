"""What every page handler reads, as one typed dependency (``BrowserDep``): the browser's
request, the request's unit of work and the app's settings and identity codec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.deps import IdentityCodecDep, SessionDep, SessionmakerDep, SettingsDep


@dataclass(frozen=True, slots=True)
class Browser:
    request: Request
    session: AsyncSession  # the request's unit of work (deps.SessionDep)
    sessionmaker: async_sessionmaker[AsyncSession]  # for refusals written after a rollback
    settings: Settings
    codec: IdentityCodec


async def _browser(
    request: Request,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> Browser:
    return Browser(request, session, sessionmaker, settings, codec)


BrowserDep = Annotated[Browser, Depends(_browser)]
