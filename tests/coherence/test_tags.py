"""The tag vocabulary (docs/coherence.md, "Modules"): tags travel between processes in the
notification payload, so their spelling is a wire format two releases running side by side
must agree on, and ids of different kinds must never collide."""

from __future__ import annotations

from tsp_auth.coherence import tags


def test_each_kind_has_its_documented_prefix() -> None:
    assert [
        tags.session("a"),
        tags.grant("a"),
        tags.service("a"),
        tags.client("a"),
        tags.family("a"),
        tags.token("a"),
        tags.pair("p", "q"),
        tags.assignment("m", "s"),
        tags.EVERYTHING,
    ] == [
        "session:a",
        "grant:a",
        "service:a",
        "client:a",
        "family:a",
        "jti:a",
        "pair:p:q",
        "asg:m:s",
        "*",
    ]


def test_a_session_is_ended_by_itself_its_grant_and_its_service() -> None:
    assert tags.of_session("s", "g", "v") == ("session:s", "grant:g", "service:v")
    assert tags.of_session("s", "g", None) == ("session:s", "grant:g")


def test_a_token_is_ended_by_itself_its_client_and_its_family() -> None:
    assert tags.of_token("j", "f", "c") == ("jti:j", "client:c", "family:f")
    assert tags.of_token("j", None, "c") == ("jti:j", "client:c")
