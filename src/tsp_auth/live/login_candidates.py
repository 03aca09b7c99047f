"""A login's candidate grants as they are now, and a member as it is now: the reads of the
one-click login (``tsp_access/login.py``) and of its redemption (``tsp_access/sessions.py``).

A login makes one read here: the candidate grants with the member's assignment, one
statement, no ORM objects, no unit of work. Its write (the login token's row with its audit
event) is ``tsp_access/login_token_repository.py``'s. On PostgreSQL the read runs on the driver
(``db/direct.py``: compiled and prepared once, no ``AsyncConnection``, no greenlet), in
autocommit, and concurrent logins' reads are coalesced into one statement per batch of keys
(``coherence/batch.py``; nothing cached). SQLite (and a session bound to a test's open
transaction) reads in a session of its own. The redemption reads the member in its unit of
work (``member_now``).

Reading and writing in two transactions loses nothing: the read checks the grant as of the
login, as it always did; the redemption checks it again, fresh, and refuses a token whose
grant moved on (``live.in_force``), and single use rests on the token's row (its ``jti`` key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    Text,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.coherence.batch import Batcher
from tsp_auth.db.batched import batchable
from tsp_auth.db.direct import DirectQuery, driver_engine
from tsp_auth.db.per_app import Alive, PerApp, alive_of
from tsp_auth.models import Account, Grant, MemberAssignment, Service
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.policy import GrantFacts, GrantStatus, grant_facts

# A seller-partner pair rarely has more than a few grants; older ended ones do not matter.
CANDIDATE_LIMIT = 10
# The parameters of a batched read: one array per part of the key, in the key's order.
_BATCH_ARRAYS = ("partner_ids", "seller_ids", "member_ids", "service_ids")
Sessions = async_sessionmaker[AsyncSession]


@dataclass(slots=True)
class LoginCandidateRow:
    """A candidate grant as the direct read answers it: its fields are the columns, in order."""

    id: str
    service_id: str | None
    version: int
    status: str
    expires_at: datetime | None
    items: frozenset[str]
    roles: frozenset[str]
    areas: frozenset[str]
    market: str | None
    authorized_object: str | None
    service_valid: bool | None
    assigned: bool
    assigned_roles: frozenset[str] | None


@dataclass(slots=True)
class KeyedLoginCandidateRow(LoginCandidateRow):
    """A candidate of a batched read, with ``n``: which key of the batch (from 1) it is of."""

    n: int


@dataclass(frozen=True, slots=True)
class LoginCandidate:
    """A TSP access grant a login may rest on, as Core reads it (no ORM object), with the
    calling member's assignment to the seller read in the same round trip."""

    grant_id: str
    service_id: str | None
    version: int
    facts: GrantFacts
    assigned: bool  # the member has an assignment to this seller
    assigned_roles: frozenset[str] | None  # None: all of the grant's

    @classmethod
    def of(cls, row: LoginCandidateRow) -> LoginCandidate:
        facts = grant_facts(
            status=row.status,
            expires_at=row.expires_at,
            items=row.items,
            roles=row.roles,
            areas=row.areas,
            market=row.market,
            service_valid=row.service_valid,
            authorized_object=row.authorized_object,
        )
        return cls(
            grant_id=row.id,
            service_id=row.service_id,
            version=row.version,
            facts=facts,
            assigned=bool(row.assigned),
            assigned_roles=row.assigned_roles,
        )


_MEMBER_OF_SELLER = and_(
    MemberAssignment.member_id == bindparam("member_id"),
    MemberAssignment.seller_id == bindparam("seller_id"),
)
# One statement: the pair's TSP access grants (stored-active first, then the most recently
# changed) with their service's validity, and on each row the member's assignment (unique
# per member and seller, so at most one).
_CANDIDATES = (
    select(
        Grant.id,
        Grant.service_id,
        Grant.version,
        Grant.status,
        Grant.expires_at,
        Grant.items,
        Grant.roles,
        Grant.areas,
        Grant.market,
        Grant.authorized_object,
        Service.valid.label("service_valid"),
        exists().where(_MEMBER_OF_SELLER).label("assigned"),
        select(MemberAssignment.roles)
        .where(_MEMBER_OF_SELLER)
        .scalar_subquery()
        .label("assigned_roles"),
    )
    .outerjoin(Service, Service.id == Grant.service_id)
    .where(
        Grant.kind == TSP_ACCESS,
        Grant.grantee_id == bindparam("partner_id"),
        Grant.grantor_id == bindparam("seller_id"),
    )
    .order_by(
        case((Grant.status == GrantStatus.ACTIVE, 0), else_=1),
        Grant.updated_at.desc(),
        Grant.id,
    )
    .limit(CANDIDATE_LIMIT)
)
# Direct reads (db/direct.py): on PostgreSQL prepared once and run on the driver, outside any
# transaction; elsewhere in a session of their own.
_LOGIN_CANDIDATE_ROWS = DirectQuery(LoginCandidateRow, _CANDIDATES)
_LOGIN_CANDIDATE_ROWS_OF_SERVICE = DirectQuery(
    LoginCandidateRow, _CANDIDATES.where(Grant.service_id == bindparam("service_id"))
)


# PostgreSQL, concurrent logins: the same read for a batch of (partner, seller, member,
# service) keys in one statement, each key's rows by its ordinal ``n`` in the arrays, in the
# order above (``correlate_except``: the assignment subqueries read the batch's key).
_KEYS = (
    func.unnest(*(bindparam(name, type_=ARRAY(Text)) for name in _BATCH_ARRAYS))
    .table_valued(*(column(name[:-1], Text) for name in _BATCH_ARRAYS), with_ordinality="n")
    .render_derived(name="k")
)
_KEY_MEMBER_OF_SELLER = and_(
    MemberAssignment.member_id == _KEYS.c.member_id,
    MemberAssignment.seller_id == _KEYS.c.seller_id,
)
_ACTIVE_FIRST = case((Grant.status == GrantStatus.ACTIVE, 0), else_=1)
_OF_KEY = (
    select(
        *_CANDIDATES.selected_columns[:11],
        exists().where(_KEY_MEMBER_OF_SELLER).correlate_except(MemberAssignment).label("assigned"),
        select(MemberAssignment.roles)
        .where(_KEY_MEMBER_OF_SELLER)
        .correlate_except(MemberAssignment)
        .scalar_subquery()
        .label("assigned_roles"),
        _ACTIVE_FIRST.label("active_first"),
        Grant.updated_at,
    )
    .outerjoin(Service, Service.id == Grant.service_id)
    .where(
        Grant.kind == TSP_ACCESS,
        Grant.grantee_id == _KEYS.c.partner_id,
        Grant.grantor_id == _KEYS.c.seller_id,
        or_(_KEYS.c.service_id.is_(None), Grant.service_id == _KEYS.c.service_id),
    )
    .order_by(_ACTIVE_FIRST, Grant.updated_at.desc(), Grant.id)
    .limit(CANDIDATE_LIMIT)
    .lateral("c")
)
_BATCHED_CANDIDATE_ROWS = DirectQuery(
    KeyedLoginCandidateRow,
    select(*(_OF_KEY.c[key] for key in _LOGIN_CANDIDATE_ROWS.keys), _KEYS.c.n)
    .select_from(_KEYS)
    .join(_OF_KEY, true())
    .order_by(_KEYS.c.n, _OF_KEY.c.active_first, _OF_KEY.c.updated_at.desc(), _OF_KEY.c.id),
)
CandidateKey = tuple[str, str, str, str | None]  # partner, seller, member, service


async def login_candidate_rows(
    sessionmaker: Sessions,
    *,
    partner_id: str,
    seller_id: str,
    member_id: str,
    service_id: str | None,
) -> list[LoginCandidate]:
    """The pair's candidate grants (of ``service_id`` if given), with ``member_id``'s
    assignment to the seller, in one round trip.

    On PostgreSQL concurrent logins' reads are coalesced, one statement per batch of keys
    (``coherence/batch.py``): a login joins only a batch not sent yet, so it reads the grants
    as they are after it arrived, as its own read would. Nothing is cached. A key with an
    odd id (``db.batched.batchable``: the seller and service come from the request's body)
    is read on its own.
    """
    key: CandidateKey = (partner_id, seller_id, member_id, service_id)
    if driver_engine(sessionmaker) is not None and all(batchable(part) for part in key):
        return await _batcher_of(sessionmaker).load(key) or []
    params = {"partner_id": partner_id, "seller_id": seller_id, "member_id": member_id}
    query = _LOGIN_CANDIDATE_ROWS
    if service_id is not None:
        query, params["service_id"] = _LOGIN_CANDIDATE_ROWS_OF_SERVICE, service_id
    return [LoginCandidate.of(row) for row in await query.all(sessionmaker, params)]


def _candidates(alive: Alive) -> Batcher[CandidateKey, list[LoginCandidate]]:
    async def load(keys: Sequence[CandidateKey]) -> dict[CandidateKey, list[LoginCandidate]]:
        params = {name: [key[i] for key in keys] for i, name in enumerate(_BATCH_ARRAYS)}
        found: dict[CandidateKey, list[LoginCandidate]] = {key: [] for key in keys}
        for row in await _BATCHED_CANDIDATE_ROWS.all(alive(), params):
            found[keys[row.n - 1]].append(LoginCandidate.of(row))
        return found

    return Batcher(load)


# One per app and event loop (its futures belong to one loop).
_BATCHERS: PerApp[Batcher[CandidateKey, list[LoginCandidate]]] = PerApp(per_loop=True)


def _batcher_of(sessionmaker: Sessions) -> Batcher[CandidateKey, list[LoginCandidate]]:
    found = _BATCHERS.found(sessionmaker)
    if found is None:
        found = _BATCHERS.keep(sessionmaker, _candidates(alive_of(sessionmaker)))
    return found


# Redemption (tsp_access/sessions.py): the member as it is now, in its unit of work -------


@dataclass(frozen=True, slots=True)
class MemberNow:
    """A partner account as it is now, with its assignment to one seller."""

    partner_id: str | None
    is_admin: bool
    assigned: bool
    assigned_roles: frozenset[str] | None  # None: all of the grant's


_MEMBER_NOW = select(
    Account.partner_id,
    and_(Account.kind == "partner", Account.role == "admin").label("is_admin"),
    exists().where(_MEMBER_OF_SELLER).label("assigned"),
    select(MemberAssignment.roles).where(_MEMBER_OF_SELLER).scalar_subquery(),
).where(Account.id == bindparam("member_id"))


async def member_now(session: AsyncSession, member_id: str, seller_id: str) -> MemberNow | None:
    """The account and its assignment to ``seller_id`` in one round trip; None: no account."""
    connection = await session.connection()
    params = {"member_id": member_id, "seller_id": seller_id}
    row = (await connection.execute(_MEMBER_NOW, params)).first()
    if row is None:
        return None
    partner_id, is_admin, assigned, roles = row
    return MemberNow(partner_id, bool(is_admin), bool(assigned), roles)
