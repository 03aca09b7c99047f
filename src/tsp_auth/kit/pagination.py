"""One list shape for the whole API: ``{items, next_cursor}``, with ``limit`` and ``cursor``.

Pagination is by keyset: a cursor is the sort key of the last item shown and the direction
(opaque to clients: base64url of a JSON array), and the next page starts strictly after it;
a cursor of one direction is refused in the other. Unlike an
offset, a row added or removed meanwhile neither repeats nor skips an item. The query runner,
``keyset_page``, is a repository helper in ``db.pages``; this module has no SQL.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from tsp_auth.kit.errors import BadRequest
from tsp_auth.policy import Reason

Item = TypeVar("Item")
Key = tuple[datetime | str, ...]


class PageQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=100, description="Page size.")
    cursor: str | None = Field(
        default=None, max_length=200, description="Opaque: `next_cursor` of the page before."
    )


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null: the last page."
    )


def _direction(descending: bool) -> str:
    return "desc" if descending else "asc"


def encode_cursor(key: Key, descending: bool = False) -> str:
    parts = [p.isoformat() if isinstance(p, datetime) else p for p in key]
    parts.append(_direction(descending))
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, shape: tuple[type, ...], descending: bool = False) -> Key:
    """The key inside ``cursor``, each part of the type ``shape`` names; 400 otherwise."""
    refused = BadRequest("cursor is not one this API issued", error=Reason.INVALID_CURSOR)
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise refused from None
    if not isinstance(parts, list) or len(parts) != len(shape) + 1:
        raise refused
    if parts.pop() != _direction(descending):
        raise refused
    key: list[datetime | str] = []
    for part, kind in zip(parts, shape, strict=True):
        if not isinstance(part, str):
            raise refused
        if kind is datetime:
            try:
                at = datetime.fromisoformat(part)
            except ValueError:
                raise refused from None
            if at.tzinfo is None:
                raise refused
            key.append(at)
        else:
            key.append(part)
    return tuple(key)


def sequence_page(
    items: Sequence[Item],
    page: PageQuery,
    key: Callable[[Item], Key],
    *,
    descending: bool = False,
) -> tuple[list[Item], str | None]:
    """The same, for a list worked out in the process (small by nature, e.g. one partner's
    webhooks): ``items`` ordered by ``key``, the page after the cursor."""
    ordered = sorted(items, key=key, reverse=descending)
    if page.cursor is not None and ordered:
        shape = tuple(datetime if isinstance(p, datetime) else str for p in key(ordered[0]))
        start = decode_cursor(page.cursor, shape, descending)
        ordered = [i for i in ordered if (key(i) < start if descending else key(i) > start)]
    shown = ordered[: page.limit]
    more = len(ordered) > page.limit
    return shown, encode_cursor(key(shown[-1]), descending) if more else None


PageQueryDep = Annotated[PageQuery, Query()]
