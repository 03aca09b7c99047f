"""Settings of the signing keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from tsp_auth.config import Settings
from tsp_auth.crypto import new_wrapping_key


def test_a_fernet_wrapping_key_is_accepted() -> None:
    key = new_wrapping_key()
    assert Settings(key_wrapping_key=key).key_wrapping_key.get_secret_value() == key


@pytest.mark.parametrize("value", ["short", "a" * 32, "!" * 44])
def test_a_wrapping_key_that_is_not_fernet_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ValidationError, match="key_wrapping_key") as caught:
        Settings(key_wrapping_key=value)
    assert value not in str(caught.value)


def test_the_propagation_delay_is_bounded() -> None:
    assert Settings().key_propagation_delay == timedelta(minutes=6)
    assert Settings(key_propagation_delay="PT0S").key_propagation_delay == timedelta(0)
    with pytest.raises(ValidationError, match="key_propagation_delay"):
        Settings(key_propagation_delay="-PT1S")
