"""Seller-account console sessions: the seller's own Seller Center account on a browser profile.

The seller console opens one when the platform has signed a main account or a sub-account in
(the identity token proves which). It exists so that the profile rule of seed 000 FAQ Q1 holds
for both kinds of session (``tsp_access.profiles``): a profile signed in with a sub-account
refuses a TSP Access session, and the other way round, until the holder logs out.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Forbidden
from tsp_auth.models import ConsoleSession
from tsp_auth.models.base import new_id
from tsp_auth.policy import Reason
from tsp_auth.tsp_access import profiles
from tsp_auth.tsp_access.schemas import SellerSessionCreate, SellerSessionStarted
from tsp_auth.tsp_access.session_kinds import SessionKind
from tsp_auth.tsp_access.tokens import hash_token, new_session_token

SESSION_STARTED = "session.started"


def _require_seller_account(caller: Caller) -> str:
    if caller.kind != "seller" or caller.seller_id is None:
        raise Forbidden(
            "only a seller's own account opens a seller-account session",
            error=Reason.SELLER_ACCOUNT_REQUIRED,
        )
    return caller.seller_id


async def start_seller_session(
    session: AsyncSession, settings: Settings, caller: Caller, data: SellerSessionCreate
) -> SellerSessionStarted:
    at = now()
    seller_id = _require_seller_account(caller)
    kind, profile = SessionKind.SELLER_ACCOUNT, data.browser_profile
    detail = {"kind": kind, "browser_profile": profile}
    note = Actor.of(caller).note(SESSION_STARTED, seller_id=seller_id, detail=detail)
    await profiles.free_profile(
        session, profile, kind=kind, account_id=caller.account_id, at=at, note=note
    )
    token = new_session_token()
    console = ConsoleSession(
        id=new_id("cs"),
        kind=kind,
        token_hash=hash_token(token),
        member_id=caller.account_id,
        seller_id=seller_id,
        roles=frozenset(),
        browser_profile=profile,
        created_at=at,
        expires_at=at + settings.console_session_ttl,
    )
    await profiles.open_on_profile(session, console, note)
    record_event(session, replace(note, detail={**detail, "session_id": console.id}))
    return SellerSessionStarted(
        session_token=token,
        session_id=console.id,
        kind="seller_account",
        account_id=caller.account_id,
        seller_id=seller_id,
        browser_profile=profile,
        expires_at=console.expires_at,
    )
