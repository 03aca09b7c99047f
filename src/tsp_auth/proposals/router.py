"""Service proposals over HTTP (seed 002, US L2L and US CB; docs/proposals.md)."""

from __future__ import annotations

from fastapi import APIRouter, status

from tsp_auth.clock import now
from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep, SettingsDep
from tsp_auth.kit.errors import responses
from tsp_auth.kit.pagination import PageQueryDep, sequence_page
from tsp_auth.proposals import answers, service
from tsp_auth.proposals.repository import Row
from tsp_auth.proposals.schemas import ProposalAccept, ProposalCreate, ProposalPage, ProposalRead
from tsp_auth.proposals.words import proposal_read

router = APIRouter(tags=["proposals"])
_ONE = "/v1/proposals/{proposal_id}"


def _read(row: Row, settings: SettingsDep) -> ProposalRead:
    return proposal_read(*row, settings.terms_version, now())


@router.post(
    "/v1/proposals",
    status_code=status.HTTP_201_CREATED,
    summary="A partner admin proposes one of its services to a named seller (US L2L, US CB)",
    responses=responses(400, 401, 403, 404, 409),
)
async def create_proposal(
    body: ProposalCreate, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> ProposalRead:
    return _read(await service.create_proposal(session, settings, caller, body), settings)


@router.get(
    "/v1/proposals",
    summary="The seller's proposals, or the partner's, with their states",
    responses=responses(401, 403),
)
async def list_proposals(
    caller: CallerDep, session: ReadSessionDep, settings: SettingsDep, page: PageQueryDep
) -> ProposalPage:
    read = [_read(row, settings) for row in await service.list_proposals(session, caller)]
    items, cursor = sequence_page(read, page, lambda p: (p.created_at, p.id))
    return ProposalPage(items=items, next_cursor=cursor)


@router.get(
    _ONE, summary="One proposal, in the consent page's words", responses=responses(401, 404)
)
async def read_proposal(
    proposal_id: str, caller: CallerDep, session: ReadSessionDep, settings: SettingsDep
) -> ProposalRead:
    return _read(await service.visible_proposal(session, caller, proposal_id), settings)


@router.post(
    f"{_ONE}/accept",
    summary="The seller's main account accepts: the grant is recorded as by a consent",
    responses=responses(400, 401, 403, 404, 409, 410),
)
async def accept_proposal(
    proposal_id: str,
    body: ProposalAccept,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ProposalRead:
    row = await answers.accept(session, settings, caller, proposal_id, body)
    return _read(row, settings)


@router.post(
    f"{_ONE}/decline",
    summary="The seller's main account declines the proposal",
    responses=responses(401, 403, 404, 409, 410),
)
async def decline_proposal(
    proposal_id: str, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> ProposalRead:
    return _read(await answers.decline(session, caller, proposal_id), settings)


@router.post(
    f"{_ONE}/withdraw",
    summary="The partner's admin withdraws an open proposal",
    responses=responses(401, 403, 404, 409, 410),
)
async def withdraw_proposal(
    proposal_id: str, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> ProposalRead:
    return _read(await answers.withdraw(session, caller, proposal_id), settings)
