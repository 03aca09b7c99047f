from __future__ import annotations

import pytest

from tests.business_centers.helpers import BcWorld, make_world
from tests.factories import Factory


@pytest.fixture
async def world(factory: Factory) -> BcWorld:
    return await make_world(factory)
