"""Identity tokens (crypto/identity.py): the signature is checked with the HMAC key built once;
every broken signature segment is refused as ``bad_signature``, none slips through."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tsp_auth.clock import now
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.identity import IdentityCodec

SECRET = "s" * 40


def _refused(codec: IdentityCodec, token: str) -> str:
    with pytest.raises(InvalidToken) as refused:
        codec.decode(token, now=now())
    return refused.value.reason


def test_a_genuine_token_decodes_to_its_account_and_a_broken_signature_never_does() -> None:
    codec = IdentityCodec(SECRET, "https://issuer.example")
    token = codec.encode("acc_1", now=now(), lifetime=timedelta(minutes=5))
    assert codec.decode(token, now=now()) == "acc_1"
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for broken in (f"{head}.{flipped}", f"{head}.", f"{head}.A", f"{head}.{signature}AA"):
        assert _refused(codec, broken) == "bad_signature", broken


def test_a_token_under_another_secret_is_refused() -> None:
    theirs = IdentityCodec("t" * 40, "https://issuer.example")
    token = theirs.encode("acc_1", now=now(), lifetime=timedelta(minutes=5))
    assert _refused(IdentityCodec(SECRET, "https://issuer.example"), token) == "bad_signature"
