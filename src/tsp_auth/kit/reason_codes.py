"""Every reason code the API answers, with what it means in plain words, for the HTTP side.

The catalogue itself is ``tsp_auth.policy.Reason`` with its ``MESSAGES`` (policy/reasons.py):
the policy returns these codes and imports nothing else of the app, so the catalogue lives
there. This module keeps the views its importers read: ``REASONS`` (code → message, keyed by
the plain strings), ``message()``, and ``ReasonCode``, the annotation of a schema field that
answers a code, which the OpenAPI document shows as the ``ReasonCode`` enum (docs/api.md,
"Reason codes"). tests/test_reasons.py keeps the catalogue complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated

from pydantic import WithJsonSchema

from tsp_auth.policy import MESSAGES, Reason

REASONS: Mapping[str, str] = MappingProxyType(
    {code.value: words for code, words in MESSAGES.items()}
)

# A field that answers a code is a str at run time, as before; its JSON schema carries this
# mark, which the OpenAPI document turns into a reference to the ``ReasonCode`` enum
# (openapi_spec). A bare ``$ref`` here would lose the field's own description.
REASON_CODE_MARK = "x-reason-code"
ReasonCode = Annotated[str, WithJsonSchema({"type": "string", REASON_CODE_MARK: True})]


def message(code: str) -> str:
    """The plain words of ``code``; a code missing here still reads, as itself in words."""
    return REASONS.get(code) or code.replace("_", " ").capitalize()


__all__ = ["MESSAGES", "REASONS", "REASON_CODE_MARK", "Reason", "ReasonCode", "message"]
