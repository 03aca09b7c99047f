"""``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header) on creating POSTs.

- the same key with the same body replays the first answer (its status and body);
- the same key with another body is refused (422 ``idempotency_key_reused``);
- keys are scoped to the caller's account, kept 24 hours, and held by the database, so a
  retry that lands on another process replays too.

Only a created answer is kept: a refusal rolls the request back, key included, so a retry
after fixing the cause is a new attempt. Without the header nothing changes. The HTTP side
(the header, the fingerprint, the route dependency and the replay) is ``dependency.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import orjson
from cryptography.fernet import Fernet
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clock import now
from tsp_auth.idempotency import repository
from tsp_auth.kit.errors import AppError, BadRequest
from tsp_auth.policy import Reason

KEPT_FOR = timedelta(hours=24)
HEADER = "Idempotency-Key"

Created = TypeVar("Created", bound=BaseModel)


class KeyReused(AppError):
    status_code = 422
    error = Reason.IDEMPOTENCY_KEY_REUSED


class Replayed(Exception):
    """Raised to answer with the kept response; rendered by ``install_replay_handler``."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__("replayed")
        self.status_code = status_code
        self.body = body


@dataclass(slots=True)
class IdempotentCreate:
    session: AsyncSession
    fernet: Fernet
    scope: str
    key: str | None
    fingerprint: str

    async def once(self, status_code: int, create: Callable[[], Awaitable[Created]]) -> Created:
        """Run ``create`` the first time; afterwards raise ``Replayed`` with its answer."""
        if self.key is None:
            return await create()
        await self._claim_or_replay()
        created = await create()
        body = orjson.dumps(created.model_dump(mode="json"))
        sealed = self.fernet.encrypt(body).decode("ascii")
        await repository.keep_answer(self.session, self.scope, self.key, status_code, sealed)
        return created

    async def _claim_or_replay(self) -> None:
        assert self.key is not None
        at = now()
        await repository.forget_older_than(self.session, self.scope, self.key, at - KEPT_FOR)
        if await repository.claim(self.session, self.scope, self.key, self.fingerprint, at):
            return
        kept = await repository.find(self.session, self.scope, self.key)
        if kept is None or kept.response is None or kept.status_code is None:
            # The first request rolled back between our insert and our read: retry is safe.
            raise BadRequest("retry the request", error=Reason.IDEMPOTENCY_KEY_IN_FLIGHT)
        if kept.fingerprint != self.fingerprint:
            raise KeyReused(f"this {HEADER} was used with another request body")
        raise Replayed(kept.status_code, self.fernet.decrypt(kept.response.encode()))
