"""Strict input types for the API's request schemas (docs/security.md, "Input types").

FastAPI validates a JSON body as Python values, so pydantic's default (lax) mode would take
``{"valid": 0}`` or ``"false"`` as a boolean, ``"5"`` as an integer and ``0.5`` as a date-time
(a Unix timestamp). A request that means something else than it says is refused instead:

- ``RequestBody`` is the base of every JSON request body: strict mode, so a JSON value must
  already have the field's type (true/false, a JSON number, a list).
- ``IsoDatetime`` is the one date-time input type, in bodies and queries: an ISO 8601 string
  with a zone, never a number. Query strings are text, so queries keep lax mode for integers
  (``?limit=20``) and use this type for dates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Strict


class RequestBody(BaseModel):
    """A JSON request body: values are taken as typed, never coerced."""

    model_config = ConfigDict(strict=True)


def _iso_8601(value: Any) -> Any:
    """A date-time given as text must be ISO 8601 (RFC 3339); a number is not a date."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string with a zone")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            "must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T00:00:00Z"
        ) from None


# Strict after the parse above: whatever it lets through is already a datetime.
IsoDatetime = Annotated[AwareDatetime, Strict(), BeforeValidator(_iso_8601)]
