"""policy.validity: who may set which flag of a service's validity (seed 002: the platform
deactivates), over every (authority, request, current flags) there is."""

from __future__ import annotations

import itertools

import pytest

from tsp_auth.policy import VALIDITY_RULES, Authority, Reason, Validity, change_validity

FLAGS = [Validity(p, i) for p, i in itertools.product((True, False), repeat=2)]


def test_the_table_covers_every_authority_and_request() -> None:
    assert set(VALIDITY_RULES) == set(itertools.product(Authority, (True, False)))


@pytest.mark.parametrize("current", FLAGS)
@pytest.mark.parametrize("valid", [True, False])
def test_the_platform_sets_only_its_own_flag_and_is_never_refused(
    current: Validity, valid: bool
) -> None:
    change = change_validity(current, Authority.PLATFORM, valid)
    assert change.decision.allow
    assert change.validity == Validity(current.partner_valid, platform_invalidated=not valid)


@pytest.mark.parametrize("current", FLAGS)
@pytest.mark.parametrize("valid", [True, False])
def test_the_partner_sets_only_its_own_flag_unless_the_platform_invalidated(
    current: Validity, valid: bool
) -> None:
    change = change_validity(current, Authority.PARTNER, valid)
    if valid and current.platform_invalidated:
        assert (change.decision.allow, change.decision.reason) == (
            False,
            Reason.SERVICE_INVALIDATED_BY_PLATFORM,
        )
        assert change.validity == current
        return
    assert change.decision.allow
    assert change.validity == Validity(valid, current.platform_invalidated)


@pytest.mark.parametrize("current", FLAGS)
def test_valid_only_when_the_partner_offers_it_and_the_platform_has_not_ended_it(
    current: Validity,
) -> None:
    assert current.valid == (current.partner_valid and not current.platform_invalidated)
