"""Login token counters, published only when the request's transaction commits."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from tsp_auth.observability.metrics import LOGIN_TOKENS


def count_login_token_on_commit(session: AsyncSession, what: str) -> None:
    """``tsp_auth_login_tokens_total{event=what}`` + 1 once this unit of work commits.

    A refused request rolls back and closes its session, so the listener never fires for it.
    """

    def publish(_: Session) -> None:
        LOGIN_TOKENS.labels(what).inc()

    event.listen(session.sync_session, "after_commit", publish, once=True)
