"""Pushed authorization requests and used jtis (issue 23) go once they can no longer matter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import Factory
from tests.oauth.helpers import partner_app
from tsp_auth.cleanup.service import cleanup
from tsp_auth.clock import now
from tsp_auth.models import PushedAuthorizationRequest, UsedJti
from tsp_auth.models.base import new_id


async def test_expired_pushed_requests_and_jtis_go_and_live_ones_stay(factory: Factory) -> None:
    app = factory.app
    settings = app.state.settings
    client_id = (await partner_app(factory)).client_id
    at, grace = now(), settings.cleanup_token_grace
    async with app.state.sessionmaker() as session:
        for name, expires in (("old", at - grace - timedelta(hours=1)), ("live", at)):
            session.add(
                PushedAuthorizationRequest(
                    id=new_id("par"),
                    request_uri_hash=f"{name:0<64}",
                    client_id=client_id,
                    parameters={},
                    created_at=expires - timedelta(seconds=60),
                    expires_at=expires + timedelta(seconds=60),
                )
            )
        session.add(UsedJti(kind="dpop_proof", key="a" * 64, expires_at=at - timedelta(seconds=1)))
        session.add(UsedJti(kind="dpop_proof", key="b" * 64, expires_at=at + timedelta(minutes=1)))
        await session.commit()

    result = await cleanup(app.state.sessionmaker, settings)

    assert (result.deleted["pushed_authorization_requests"], result.deleted["used_jtis"]) == (1, 1)
    async with app.state.sessionmaker() as session:
        hashes = set(await session.scalars(select(PushedAuthorizationRequest.request_uri_hash)))
        keys = set(await session.scalars(select(UsedJti.key)))
    assert hashes == {f"{'live':0<64}"} and keys == {"b" * 64}
