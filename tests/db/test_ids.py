"""Identifiers: prefixed, random, and the hex of a version 4 UUID as ``uuid4().hex`` gives it."""

from __future__ import annotations

import re
import uuid

from tsp_auth.models.base import new_id


def test_an_id_is_its_prefix_and_a_random_version_4_uuid() -> None:
    ids = [new_id("aud") for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    for value in ids:
        assert re.fullmatch(r"aud_[0-9a-f]{32}", value), value
        parsed = uuid.UUID(value.removeprefix("aud_"))
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    # Every other bit is random: over 2000 ids each of the 122 takes both values.
    numbers = [int(value[4:], 16) for value in ids]
    varying = [bit for bit in range(128) if len({n >> bit & 1 for n in numbers}) == 2]
    assert len(varying) == 122
