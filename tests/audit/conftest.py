from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld, make_ops_world
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def world(factory: Factory, receiver: Receiver) -> OpsWorld:
    return await make_ops_world(factory, receiver.url)
