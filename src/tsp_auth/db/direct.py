"""Hot statements run on the database driver itself, outside an ORM session.

A decision is one indexed SELECT. Through an ``AsyncSession`` most of its CPU went to the
session, the unit of work, the greenlet bridge and ORM row loading, not to the statement
(docs/performance.md, "Figures from the code"). A ``DirectQuery`` keeps the statement written
once, in SQLAlchemy, and runs it:

- on PostgreSQL, as SQL compiled once, on the pooled connection's asyncpg driver, with the
  dialect's own bind and result processors (so values come back exactly as through the ORM:
  aware datetimes, JSON already decoded by the codecs SQLAlchemy installs on its connections);
- anywhere else (SQLite, or a session bound to a test's open transaction), through a session.

Only for single statements that need no transaction: each runs on its own, in autocommit.
``execute_on_driver`` runs one planned write the same way (a group-committed batch of audit
events, ``audit/committer.py``; of login tokens with theirs,
``tsp_access/login_token_repository.py``).

A ``DirectQuery`` answers a typed row: a dataclass whose fields are the statement's column
keys, in order (checked at import), built positionally, ``Row(*values)``. Each is declared in
its domain's repository, beside its row. A row read once and turned into something else is a
plain slots dataclass: a frozen one's ``__init__`` sets each field through
``object.__setattr__``, which costs more than the dict it replaces (docs/performance.md,
"Figures from the code").
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar
from weakref import WeakKeyDictionary

import asyncpg
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import QueuePool

Row = TypeVar("Row")
AnySelect = Select[*tuple[Any, ...]]
_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]
    binds: tuple[_Processor, ...]
    # The values the statement carries itself (``kind = 'tsp_access'``, a LIMIT), by bind
    # name: used where the caller's parameters do not name them.
    fixed: Mapping[str, Any]
    # (column index, processor) of the result columns that have one: most have none.
    results: tuple[tuple[int, Callable[[Any], Any]], ...]


# Where a statement runs: the caller's session (inside the request's unit of work; on SQLite a
# second connection would wait for the write lock the request holds), or the app's
# sessionmaker (outside one: on the driver on PostgreSQL, else in a session of its own).
SessionSource = AsyncSession | async_sessionmaker[AsyncSession]


def driver_engine(source: SessionSource) -> AsyncEngine | None:
    """The PostgreSQL engine to run on directly, or None for a session."""
    if isinstance(source, AsyncSession):
        return None
    bind = source.kw.get("bind")
    if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql":
        return bind
    return None


class _Planned:
    """A statement compiled once per dialect, with the dialect's bind and result processors."""

    def __init__(self) -> None:
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = self._compile(dialect)
        return plan

    def _compile(self, dialect: Dialect) -> _Plan:
        raise NotImplementedError


class DirectQuery(_Planned, Generic[Row]):
    """One SELECT, built once at import, answered as a ``row``: a dataclass whose fields are
    the statement's column keys in order (give clashing columns a ``label``)."""

    def __init__(self, row: type[Row], statement: AnySelect) -> None:
        super().__init__()
        self.statement = statement
        keys = [column.key for column in statement.selected_columns]
        if None in keys or len(set(keys)) != len(keys):
            raise ValueError(f"columns need distinct keys (label them): {keys}")
        self.keys: tuple[str, ...] = tuple(str(key) for key in keys)
        _check_fields(row, self.keys)
        self.row: Callable[..., Row] = row

    async def first(self, source: SessionSource, params: Mapping[str, Any]) -> Row | None:
        """The first row: in the caller's session, or directly outside any unit of work."""
        engine = driver_engine(source)
        if engine is not None:
            return await self._first_on_driver(engine, params)
        if isinstance(source, AsyncSession):
            return await self._first_in(source, params)
        async with source() as session:
            return await self._first_in(session, params)

    async def all(self, source: SessionSource, params: Mapping[str, Any]) -> list[Row]:
        """Every row (the coherence cache's batched reads), as ``first`` reads one."""
        engine = driver_engine(source)
        if engine is not None:
            plan = self._plan(engine.dialect)
            records = await _on_driver(engine, plan, params, fetch="all")
            return [self._row_of(plan, record) for record in records]
        if isinstance(source, AsyncSession):
            rows = (await source.execute(self.statement, params)).all()
        else:
            async with source() as session:
                rows = (await session.execute(self.statement, params)).all()
        return [self.row(*row) for row in rows]

    async def _first_in(self, session: AsyncSession, params: Mapping[str, Any]) -> Row | None:
        found = (await session.execute(self.statement, params)).first()
        return None if found is None else self.row(*found)

    async def _first_on_driver(self, engine: AsyncEngine, params: Mapping[str, Any]) -> Row | None:
        plan = self._plan(engine.dialect)
        record = await _on_driver(engine, plan, params, fetch=True)
        return None if record is None else self._row_of(plan, record)

    def _row_of(self, plan: _Plan, record: asyncpg.Record) -> Row:
        if not plan.results:
            return self.row(*record)
        values = list(record)  # a Record iterates over its values
        for index, process in plan.results:
            values[index] = process(values[index])
        return self.row(*values)

    def _compile(self, dialect: Dialect) -> _Plan:
        processors = (
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        results = tuple((i, process) for i, process in enumerate(processors) if process is not None)
        return _plan_of(self.statement.compile(dialect=dialect), dialect, results)


def _check_fields(row: type[Any], keys: tuple[str, ...]) -> None:
    """Refuse, at import, a row class whose fields are not the columns, in their order: the
    row is built positionally."""
    if not dataclasses.is_dataclass(row):
        raise TypeError(f"a direct statement's row is a dataclass, not {row!r}")
    fields = tuple(field.name for field in dataclasses.fields(row) if field.init)
    if fields != keys:
        raise ValueError(f"{row.__name__} fields {fields} are not the columns {keys}")


def _plan_of(
    compiled: Any, dialect: Dialect, results: tuple[tuple[int, Callable[[Any], Any]], ...]
) -> _Plan:
    names: Sequence[str] = compiled.positiontup or ()
    return _Plan(
        sql=str(compiled),
        names=tuple(names),
        binds=tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        ),
        fixed={
            name: compiled.binds[name].effective_value
            for name in names
            if not compiled.binds[name].required
        },
        results=results,
    )


async def _on_driver(
    engine: AsyncEngine, plan: _Plan, params: Mapping[str, Any], *, fetch: bool | Literal["all"]
) -> Any:
    """Run a planned statement on a pooled connection's driver, in autocommit, in turn."""
    if plan.fixed:
        params = {**plan.fixed, **params}
    args = [
        params[name] if process is None else process(params[name])
        for name, process in zip(plan.names, plan.binds, strict=True)
    ]
    turns = await _take_turn(engine)
    try:
        return await _run_on_driver(engine, plan.sql, args, fetch=fetch)
    finally:
        turns.release()


async def _take_turn(engine: AsyncEngine) -> asyncio.Semaphore:
    """Wait for a turn, as long as the pool would wait for a connection (then 503).

    A free turn is taken at once (``Semaphore.acquire`` does not suspend then), so the
    timeout's timer is armed only when there is a queue to wait in: one timer less per
    statement in the common case, the same bound when waiting.
    """
    turns, wait = _turns(engine)
    if not turns.locked():
        await turns.acquire()
        return turns
    async with asyncio.timeout(wait):
        await turns.acquire()
    return turns


_TURNS: WeakKeyDictionary[AsyncEngine, tuple[asyncio.Semaphore, float]] = WeakKeyDictionary()


def _turns(engine: AsyncEngine) -> tuple[asyncio.Semaphore, float]:
    """First come, first served for the pool's connections, and how long to wait for one.

    The pool hands a freed connection to whoever asks next, even past callers already
    waiting (SQLAlchemy's async queue tries ``get_nowait`` first), so under load some
    requests wait many turns: p99 several times p50 (make bench). A semaphore as wide as the
    pool queues direct statements in order instead.
    """
    found = _TURNS.get(engine)
    if found is None:
        pool = engine.pool
        size, wait = (pool.size(), pool.timeout()) if isinstance(pool, QueuePool) else (1, 30.0)
        found = _TURNS[engine] = (asyncio.Semaphore(size), wait)
    return found


async def _run_on_driver(
    engine: AsyncEngine, sql: str, args: list[Any], *, fetch: bool | Literal["all"]
) -> Any:
    """The connection is checked out of SQLAlchemy's pool as a raw connection (checkout events
    included) and handed back as it came: no transaction was begun on it, so its return does
    no I/O. One that failed below the SQL level, or was cancelled mid-statement, is
    invalidated instead (the pool reconnects)."""
    try:
        pooled = await engine.raw_connection()
    except (asyncpg.PostgresError, engine.dialect.loaded_dbapi.Error) as exc:
        # Refused at connect: 57P03 starting up, 53300 too many clients, class 08. The pool
        # raises what SQLAlchemy's asyncpg adapter translated the driver's error into (its
        # DB-API ``Error``), without the ``DBAPIError`` a session would wrap it in: wrap it
        # here, so the one handler answers 503 with Retry-After (errors.py), as for a session.
        # OSError (refused, reset) and TimeoutError reach their handlers as they are.
        raise DBAPIError(None, None, exc) from exc
    reusable = False
    try:
        driver: asyncpg.Connection = pooled.driver_connection
        try:
            run = driver.fetch if fetch == "all" else driver.fetchrow if fetch else driver.execute
            result = await run(sql, *args)
        except asyncpg.PostgresError as exc:
            # The statement failed, the connection is fine: answer as SQLAlchemy would (a
            # class 22 data exception is the caller's 400; anything else is a 503).
            reusable = True
            raise DBAPIError(sql, None, exc) from exc
        reusable = True
        return result
    finally:
        if reusable:
            pooled.close()
        else:
            # Outside a greenlet SQLAlchemy terminates the driver's socket at once, no I/O.
            pooled.invalidate()


async def execute_on_driver(engine: AsyncEngine, sql: str, args: Sequence[Any]) -> None:
    """Run one statement that answers no rows (SQL already in the driver's ``$n`` form) on a
    pooled connection's driver, in autocommit, taking its turn with the direct statements:
    a group-committed batch of audit events (audit.repository.insert_events), or of login
    tokens with theirs (tsp_access.login_token_repository)."""
    turns = await _take_turn(engine)
    try:
        await _run_on_driver(engine, sql, list(args), fetch=False)
    finally:
        turns.release()
