"""Each kind of row goes once past its retention, stays before it, and live rows stay."""

from __future__ import annotations

from datetime import timedelta

from tests.cleanup import rows
from tests.cleanup.rows import Ages, World
from tests.factories import Factory
from tests.webhooks.helpers import audit_events
from tests.webhooks.helpers import rows as stored_rows
from tsp_auth.cleanup import repository
from tsp_auth.cleanup.service import ORDER, cleanup
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.models import (
    AuthorizationCode,
    ConsoleSession,
    LoginToken,
    RefreshToken,
    RevokedToken,
    WebhookAttempt,
    WebhookDelivery,
)
from tsp_auth.observability.metrics import CLEANUP_ROWS


def _deleted_metric(table: str) -> float:
    return CLEANUP_ROWS.labels(table)._value.get()


async def test_used_and_expired_codes_go_after_the_grace(factory: Factory, world: World) -> None:
    app, ages = factory.app, Ages.of(app_settings(factory).cleanup_token_grace)
    used_past = await rows.code(app, world, ages.past, used=True)
    unused_past = await rows.code(app, world, ages.past, used=False)
    used_within = await rows.code(app, world, ages.within, used=True)
    live = await rows.code(app, world, ages.live + timedelta(seconds=60), used=False)
    before = _deleted_metric("authorization_codes")

    result = await cleanup(app.state.sessionmaker, app_settings(factory))

    assert result.deleted["authorization_codes"] == 2
    assert await rows.keys(app, AuthorizationCode) == {used_within, live}
    assert used_past not in await rows.keys(app, AuthorizationCode)
    assert unused_past not in await rows.keys(app, AuthorizationCode)
    assert _deleted_metric("authorization_codes") == before + 2


async def test_refresh_and_revoked_token_rows_go_after_their_expiry_and_grace(
    factory: Factory, world: World
) -> None:
    app, ages = factory.app, Ages.of(app_settings(factory).cleanup_token_grace)
    refresh = {when: await rows.refresh(app, world, when) for when in (ages.past, ages.within)}
    live_refresh = await rows.refresh(app, world, ages.live + timedelta(days=30))
    revoked = {when: await rows.revoked(app, when) for when in (ages.past, ages.within)}
    live_revoked = await rows.revoked(app, ages.live + timedelta(minutes=15))

    result = await cleanup(app.state.sessionmaker, app_settings(factory))

    assert (result.deleted["refresh_tokens"], result.deleted["revoked_tokens"]) == (1, 1)
    assert await rows.keys(app, RefreshToken) == {refresh[ages.within], live_refresh}
    assert await rows.keys(app, RevokedToken) == {revoked[ages.within], live_revoked}


async def test_sessions_go_after_their_end_or_expiry_then_their_login_tokens(
    factory: Factory, world: World
) -> None:
    app, settings = factory.app, app_settings(factory)
    ages = Ages.of(settings.cleanup_session_retention)
    # Ended long ago though its expiry is recent; expired long ago; ended recently; live.
    ended_past = await rows.session(app, world, ages.within, ended_at=ages.past)
    expired_past = await rows.session(app, world, ages.past)
    ended_within = await rows.session(app, world, ages.within, ended_at=ages.within)
    live = await rows.session(app, world, ages.live + timedelta(hours=8))
    kept_jtis = await _login_jtis(factory, {ended_within, live})

    result = await cleanup(app.state.sessionmaker, settings)

    assert result.deleted["console_sessions"] == 2
    assert await rows.keys(app, ConsoleSession) == {ended_within, live}
    # The deleted sessions' login tokens (expired days ago) went in the same run; those of the
    # kept sessions stay although they expired long ago: the session's foreign key names them.
    assert result.deleted["login_tokens"] == 2
    assert await rows.keys(app, LoginToken) == kept_jtis
    assert {ended_past, expired_past}.isdisjoint(await rows.keys(app, ConsoleSession))


async def _login_jtis(factory: Factory, session_ids: set[str]) -> set[str]:
    sessions = await stored_rows(factory.app, ConsoleSession, ConsoleSession.id.in_(session_ids))
    return {s.login_jti for s in sessions}


async def test_login_tokens_go_after_expiry_and_grace(factory: Factory, world: World) -> None:
    app, ages = factory.app, Ages.of(app_settings(factory).cleanup_token_grace)
    past = await rows.login_token(app, world, ages.past)
    within = await rows.login_token(app, world, ages.within)
    live = await rows.login_token(app, world, ages.live + timedelta(minutes=5))

    result = await cleanup(app.state.sessionmaker, app_settings(factory))

    assert result.deleted["login_tokens"] == 1
    assert await rows.keys(app, LoginToken) == {within, live}
    assert past not in await rows.keys(app, LoginToken)


async def test_finished_outbox_rows_go_with_their_attempts_pending_ones_stay(
    factory: Factory, world: World
) -> None:
    app, ages = factory.app, Ages.of(app_settings(factory).cleanup_outbox_retention)
    old = {s: await rows.delivery(app, world, ages.past, s) for s in ("delivered", "failed")}
    old["cancelled"] = await rows.delivery(app, world, ages.past, "cancelled")
    old_pending = await rows.delivery(app, world, ages.past, "pending")
    recent = await rows.delivery(app, world, ages.within, "delivered")
    queued_now = await rows.delivery(app, world, ages.live, "pending")

    result = await cleanup(app.state.sessionmaker, app_settings(factory))

    assert result.deleted["webhook_deliveries"] == 3
    kept = {old_pending, recent, queued_now}
    assert await rows.keys(app, WebhookDelivery) == kept
    attempts = await _attempt_deliveries(factory)
    assert attempts == kept  # the deleted rows' attempts went with them, the others stayed


async def _attempt_deliveries(factory: Factory) -> set[str]:
    return {a.delivery_id for a in await stored_rows(factory.app, WebhookAttempt)}


async def test_batches_are_bounded_and_a_run_takes_them_all(factory: Factory, world: World) -> None:
    app, ages = factory.app, Ages.of(app_settings(factory).cleanup_token_grace)
    for _ in range(5):
        await rows.revoked(app, ages.past)
    live = await rows.revoked(app, ages.live + timedelta(minutes=15))
    cutoff = now() - app_settings(factory).cleanup_token_grace

    async with app.state.sessionmaker() as session, session.begin():
        assert await repository.delete_batch(session, "revoked_tokens", cutoff, 2) == 2
    assert await rows.count(app, RevokedToken) == 4

    result = await cleanup(app.state.sessionmaker, app_settings(factory), limit=2)

    # 3 old rows left: a full batch of 2, then a batch of 1 that ends the table's run.
    assert (result.deleted["revoked_tokens"], result.batches["revoked_tokens"]) == (3, 2)
    assert await rows.keys(app, RevokedToken) == {live}
    # A table with nothing to delete costs one empty batch.
    assert result.batches["authorization_codes"] == 1


async def test_audit_events_are_never_deleted(factory: Factory, world: World) -> None:
    app = factory.app
    response = await factory.client.post(
        f"/v1/grants/{world.ops.grant.id}/cancel", headers=await factory.headers(world.ops.main)
    )
    assert response.status_code == 200
    events = [e.id for e in await audit_events(app)]
    assert events
    live = await rows.login_token(app, world, now() + timedelta(minutes=5))

    # Ten years on, every row here is past every retention, but the trail stays whole.
    result = await cleanup(
        app.state.sessionmaker, app_settings(factory), now=now() + timedelta(days=3650)
    )

    assert result.deleted["login_tokens"] == 1
    assert live not in await rows.keys(app, LoginToken)
    assert [e.id for e in await audit_events(app)] == events
    assert set(result.deleted) == set(ORDER)


def app_settings(factory: Factory) -> Settings:
    settings: Settings = factory.app.state.settings
    return settings
