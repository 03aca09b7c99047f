"""SQL for pushed authorization requests (RFC 9126). A request_uri is spent by one conditional
``UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING`` (STYLE §11): of any number
of concurrent uses, in any number of processes, one gets the parameters back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import PushedAuthorizationRequest


async def use_request_uri(
    session: AsyncSession, request_uri_hash: str, client_id: str, at: datetime
) -> dict[str, list[str]] | None:
    """The pushed parameters, once: None when unknown, used, expired or another client's."""
    model = PushedAuthorizationRequest
    result = await session.execute(
        update(model)
        .where(
            model.request_uri_hash == request_uri_hash,
            model.client_id == client_id,
            model.used_at.is_(None),
            model.expires_at > at,
        )
        .values(used_at=at)
        .returning(model.parameters)
        .execution_options(synchronize_session=False)
    )
    parameters: dict[str, list[str]] | None = result.scalar_one_or_none()
    return parameters
