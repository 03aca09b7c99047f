"""The market table's per-day cache starts empty for every policy test: a result cached by an
earlier test (or by the process a mutation run forks from) must not stand in for evaluating
the table (docs/testing.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tsp_auth.policy.markets import _rules_on


@pytest.fixture(autouse=True)
def _fresh_market_rules() -> Iterator[None]:
    _rules_on.cache_clear()
    yield
    _rules_on.cache_clear()
