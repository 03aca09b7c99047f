from __future__ import annotations

import pytest

from tests.cleanup.rows import World, make_world
from tests.factories import Factory


@pytest.fixture
async def world(factory: Factory) -> World:
    return await make_world(factory)
