"""Keyset pages: the one query runner every repository's list shares (``pagination`` holds the
page shapes and the cursors)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tsp_auth.kit.pagination import Key, PageQuery, decode_cursor, encode_cursor

Row = TypeVar("Row")


def after(
    columns: Sequence[InstrumentedAttribute[Any]], key: Key, descending: bool = False
) -> ColumnElement[bool]:
    """Rows strictly after ``key`` in the order of ``columns`` (expanded, so indexes apply)."""
    first, *rest = columns
    head, *tail = key
    beyond = first < head if descending else first > head
    if not rest:
        return beyond
    return or_(beyond, and_(first == head, after(rest, tuple(tail), descending)))


async def keyset_page(
    session: AsyncSession,
    query: Select[Row],
    columns: Sequence[InstrumentedAttribute[Any]],
    page: PageQuery,
    *,
    descending: bool = False,
    key_shape: tuple[type, ...] = (datetime, str),
) -> tuple[Sequence[Row], str | None]:
    """One page of ``query`` ordered by ``columns``, and the cursor of the next page."""
    if page.cursor is not None:
        key = decode_cursor(page.cursor, key_shape, descending)
        query = query.where(after(columns, key, descending))
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = (await session.scalars(query.order_by(*order).limit(page.limit + 1))).all()
    shown = rows[: page.limit]
    if len(rows) <= page.limit:
        return shown, None
    last = shown[-1]
    return shown, encode_cursor(tuple(getattr(last, c.key) for c in columns), descending)
