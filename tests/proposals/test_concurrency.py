"""Answers to one proposal racing on real, separately committed transactions: the database's
conditional UPDATE lets exactly one of them through (STYLE §11)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from tests.factories import Factory
from tests.proposals.test_proposals import _accept, _propose, parties
from tsp_auth.models import Grant, ServiceProposal


async def test_an_accept_a_decline_and_a_withdrawal_at_once_leave_one_answer(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    p = await parties(committed_client, factory)
    proposal = await _propose(committed_client, p)
    path = f"/v1/proposals/{proposal['id']}"

    answers = await asyncio.gather(
        _accept(committed_client, p, proposal),
        committed_client.post(f"{path}/decline", headers=p.main_h),
        committed_client.post(f"{path}/withdraw", headers=p.admin_h),
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409, 409], [a.text for a in answers]
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"proposal_not_open"}
    winner = next(a for a in answers if a.status_code == 200).json()
    async with committed_app.state.sessionmaker() as session:
        stored = await session.get(ServiceProposal, proposal["id"])
        assert stored is not None and stored.status == winner["status"]
        grants = int(await session.scalar(select(func.count()).select_from(Grant)) or 0)
    assert grants == (1 if winner["status"] == "accepted" else 0)
