from __future__ import annotations

import pytest

from tests.factories import Factory
from tests.tsp_access.helpers import World, make_world


@pytest.fixture
async def world(factory: Factory) -> World:
    return await make_world(factory)
