"""SQL of the one-click login (login.py) as Core statements: no ORM objects, no unit of work;
and the Core statements of its redemption (sessions.py), which runs in the unit of work.

A login makes two statements. One read: the candidate grants with the member's assignment.
One write: the login token's row and its audit event together, all or nothing. On
PostgreSQL each is one round trip on the driver (``db/direct.py``: compiled and prepared once,
no ``AsyncConnection``, no greenlet), in autocommit (no BEGIN, no COMMIT): the write is one
statement, the token's INSERT in a data-modifying ``WITH`` ahead of the event's, so it is
atomic by itself. SQLite has no data-modifying ``WITH``: there (and on a session bound to a
test's open transaction) the read runs in a session of its own and the two INSERTs in one
session's transaction.

Reading and writing in two transactions loses nothing: the read checks the grant as of the
login, as it always did; the redemption checks it again, fresh, and refuses a token whose
grant moved on (sessions.py), and single use rests on the token's row (its ``jti`` key).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary, ref

from sqlalchemy import and_, bindparam, case, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tsp_auth.audit.committer import GroupCommitter
from tsp_auth.audit.repository import AuditRow, pg_arrays, pg_insert_many
from tsp_auth.db.direct import DirectQuery, driver_engine, execute_on_driver
from tsp_auth.grants.repository import TSP_ACCESS, service_is_valid
from tsp_auth.models import Account, AuditEvent, Grant, LoginToken, MemberAssignment, Service
from tsp_auth.policy import NO_MARKET, GrantFacts, GrantStatus, authorized_object_of

# A seller-partner pair rarely has more than a few grants; older ended ones do not matter.
CANDIDATE_LIMIT = 10
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
        facts = GrantFacts(
            status=row.status,
            expires_at=row.expires_at,
            items=row.items,
            roles=row.roles,
            areas=row.areas,
            market=row.market or NO_MARKET,
            service_valid=service_is_valid(row.service_valid),
            authorized_object=authorized_object_of(row.items, row.authorized_object),
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


async def login_candidate_rows(
    sessionmaker: Sessions,
    *,
    partner_id: str,
    seller_id: str,
    member_id: str,
    service_id: str | None,
) -> list[LoginCandidate]:
    """The pair's candidate grants (of ``service_id`` if given), with ``member_id``'s
    assignment to the seller, in one round trip."""
    params = {"partner_id": partner_id, "seller_id": seller_id, "member_id": member_id}
    query = _LOGIN_CANDIDATE_ROWS
    if service_id is not None:
        query, params["service_id"] = _LOGIN_CANDIDATE_ROWS_OF_SERVICE, service_id
    return [LoginCandidate.of(row) for row in await query.all(sessionmaker, params)]


def _bound(table: Any, prefix: str) -> dict[str, Any]:
    return {c.key: bindparam(prefix + c.key, type_=c.type) for c in table.columns}


# SQLite (and a session bound to a test's open transaction): the two INSERTs of one login in
# one session's transaction; bind names: the prefix of each table's parameters.
_EVENT, _TOKEN = "event_", "login_token_"
_INSERT_TOKEN = insert(LoginToken).values(_bound(LoginToken.__table__, _TOKEN))
_INSERT_EVENT = insert(AuditEvent).values(_bound(AuditEvent.__table__, _EVENT))
_EVENT_COLUMNS = tuple((_EVENT + f.name, f.name) for f in fields(AuditRow))

# PostgreSQL: the logins of a batch in one statement of fixed text (prepared once): each column
# one array parameter, unnest() turning them back into rows, the tokens' INSERT in a
# data-modifying WITH ahead of their events' (audit/repository.py writes those). Roles go as
# the JSON text SQLAlchemy would have written (``StringSet``: a sorted list), cast back.
_TOKEN_ARRAYS = {
    "jti": "text[]",
    "grant_id": "text[]",
    "grant_version": "int[]",
    "member_id": "text[]",
    "partner_id": "text[]",
    "seller_id": "text[]",
    "roles": "text[]",
    "created_at": "timestamptz[]",
    "expires_at": "timestamptz[]",
    "redeemed_at": "timestamptz[]",
}
_TOKEN_COLUMNS = ", ".join(_TOKEN_ARRAYS)
_PG_MINT_MANY = (
    f"WITH minted AS (INSERT INTO {LoginToken.__tablename__} ({_TOKEN_COLUMNS}) "  # noqa: S608
    f"SELECT {_TOKEN_COLUMNS.replace('roles', 'roles::json')} FROM unnest("
    + ", ".join(f"${n}::{kind}" for n, kind in enumerate(_TOKEN_ARRAYS.values(), start=1))
    + f") AS batch({_TOKEN_COLUMNS})) "
    + pg_insert_many(len(_TOKEN_ARRAYS) + 1)
)
MintedLogin = tuple[Mapping[str, Any], AuditRow]  # a login token's row and its event
_COMMITTERS: WeakKeyDictionary[Sessions, GroupCommitter[MintedLogin]] = WeakKeyDictionary()


async def insert_login_token(
    sessionmaker: Sessions, token: Mapping[str, Any], event: AuditRow
) -> None:
    """The single-use row of a minted login token (its ``jti`` is the primary key) and its
    audit event, committed together before this returns.

    On PostgreSQL concurrent logins are group-committed (``audit/committer.py``): one
    statement per batch, each caller answered once its batch is committed; a batch that
    fails fails each of its callers and writes nothing. A batch's rows have all passed the
    candidates read (the seller, grant and member exist), so one login's values do not fail
    the others'.
    """
    engine = driver_engine(sessionmaker)
    if engine is not None:
        await _committer(sessionmaker, engine).submit((token, event))
        return
    params = {_TOKEN + key: value for key, value in token.items()}
    # The event's values as they are (no dataclasses.asdict: it deep-copies ``detail``).
    params.update({bind: getattr(event, name) for bind, name in _EVENT_COLUMNS})
    async with sessionmaker() as session, session.begin():
        connection = await session.connection()
        await connection.execute(_INSERT_TOKEN, params)
        await connection.execute(_INSERT_EVENT, params)


def _committer(sessionmaker: Sessions, engine: AsyncEngine) -> GroupCommitter[MintedLogin]:
    """The group committer of the logins minted through ``sessionmaker`` (one per app)."""
    committer = _COMMITTERS.get(sessionmaker)
    if committer is None:
        # Weak: a strong reference from the value would keep the key alive for ever.
        weak = ref(engine)

        async def write(batch: Sequence[MintedLogin]) -> None:
            alive = weak()
            if alive is None:
                raise RuntimeError("the app of these logins is gone")
            await execute_on_driver(alive, _PG_MINT_MANY, _mint_arrays(batch))

        committer = _COMMITTERS[sessionmaker] = GroupCommitter(write, name="login-group-commit")
    return committer


def _mint_arrays(batch: Sequence[MintedLogin]) -> list[list[Any]]:
    arrays = [[token[column] for token, _ in batch] for column in _TOKEN_ARRAYS]
    roles = list(_TOKEN_ARRAYS).index("roles")
    arrays[roles] = [json.dumps(sorted(value)) for value in arrays[roles]]
    return arrays + pg_arrays([event for _, event in batch])


# Redemption (sessions.py): Core statements in the request's unit of work --------------------


@dataclass(frozen=True, slots=True)
class RedeemedLogin:
    """The row of a login token just marked redeemed, as its UPDATE returned it."""

    jti: str
    grant_id: str
    grant_version: int
    member_id: str
    partner_id: str
    seller_id: str


_REDEEM = (
    update(LoginToken)
    .where(
        LoginToken.jti == bindparam("redeemed_jti"),
        LoginToken.redeemed_at.is_(None),
        LoginToken.expires_at > bindparam("at"),
    )
    .values(redeemed_at=bindparam("at"))
    .returning(
        LoginToken.jti,
        LoginToken.grant_id,
        LoginToken.grant_version,
        LoginToken.member_id,
        LoginToken.partner_id,
        LoginToken.seller_id,
    )
)


async def redeem_login_token(session: AsyncSession, jti: str, at: datetime) -> RedeemedLogin | None:
    """Mark the login token redeemed if nobody has and it has not expired; else None.

    One conditional UPDATE, its row back by RETURNING (no read after it): of any number of
    concurrent redemptions, in any number of processes, exactly one matches the row
    (PostgreSQL: the others wait for its row lock, then see ``redeemed_at`` set; SQLite:
    writers queue behind BEGIN IMMEDIATE).
    """
    connection = await session.connection()
    row = (await connection.execute(_REDEEM, {"redeemed_jti": jti, "at": at})).first()
    return None if row is None else RedeemedLogin(*row)


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
