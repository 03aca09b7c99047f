from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.factories import Factory
from tests.grants.helpers import World, make_world


@pytest.fixture
async def world(factory: Factory) -> World:
    return await make_world(factory)


# The forced races need two real transactions on PostgreSQL (test_postgres_*.py): without
# TSP_AUTH_TEST_DATABASE_URL they are not collected; with it (always in CI) they run there only.
collect_ignore_glob = [] if PG_URL else ["test_postgres_*.py"]
