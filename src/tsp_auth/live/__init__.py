"""What is in force now: the read side of the hot paths (docs/architecture.md, "Read side").

Grants as token and decision code check them (``grant_state``), console sessions
(``session_state``), access tokens' revocation state (``token_state``), clients with their
credentials (``client_state``), the caller's account (``caller_state``) and a login's candidate
grants (``login_candidates``): each with its direct and batched statements, its cache tags and
its read through the process's cache (``read_through``); and the one check of a grant against
the version a token or session was minted from (``in_force``).

Below the features that ask (decisions, introspection, login, the token endpoint), above
``db/``, ``coherence/`` and ``policy/``. Only this package and ``db/`` take a session source (a
session or a sessionmaker: ``tests/test_architecture.py``). A cached read takes its steps down
in turn (``read_through``: look up, load the batch, keep), so nothing below calls back into it
(docs/architecture.md, "The call path of a decision").
"""
