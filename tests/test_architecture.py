"""Rules of the code that import-linter cannot see (docs/architecture.md): who writes grants,
who reads ``app.state``, where the in-force rule is written, and who takes a session source or
holds a sessionmaker. Each scan finds what it looks for first, so an empty answer means
the rule holds, not that the scan read nothing."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "tsp_auth"
GRANT_TABLES = {"Grant", "Binding"}
WRITES = {"insert", "update", "delete"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield str(path.relative_to(SOURCE)), ast.parse(path.read_text())


def _grant_writes(tree: ast.Module) -> Iterator[int]:
    """Lines that build a Grant or Binding row, or insert/update/delete their tables."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        if name in GRANT_TABLES or (
            name in WRITES
            and any(isinstance(arg, ast.Name) and arg.id in GRANT_TABLES for arg in node.args)
        ):
            yield node.lineno


def _state_reads(tree: ast.Module) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "state":
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "app":
                yield node.lineno


def test_only_the_grant_engine_writes_grants_and_bindings() -> None:
    found = {(path, line) for path, tree in _modules() for line in _grant_writes(tree)}

    assert any(path.startswith("grants/") for path, _ in found)  # the scan sees the engine
    assert sorted(p for p in found if not p[0].startswith(("grants/", "models/"))) == []


def test_only_the_app_and_its_dependencies_read_app_state() -> None:
    found = {(path, line) for path, tree in _modules() for line in _state_reads(tree)}

    assert any(path == "deps.py" for path, _ in found)
    assert sorted(p for p in found if p[0] not in {"deps.py", "app.py"}) == []


# The rule "a grant is in force": its effective status is active (``check_active`` or
# ``effective_status``) and its service is valid (``.service_valid``). One function states it.
IN_FORCE_RULE = {("policy/grant_use.py", "check_in_force")}
# The check against the version a token or session was minted from; one function compares.
MINTED_VERSION_CHECK = {("live/in_force.py", "check_minted_version")}
STATE_CHECKS = {"check_active", "effective_status"}
# Each use of a minted credential: decisions, login token redemption, introspection of console
# sessions, login tokens and access tokens, and the token endpoint's code and refresh grants.
MINTED_CREDENTIAL_USERS = {
    "decisions/rules.py",
    "tsp_access/sessions.py",
    "tsp_access/introspection.py",
    "oauth/introspection.py",
    "oauth/grant_types.py",
}


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _called(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def _states_in_force_rule(function: ast.AST) -> bool:
    reads_service = any(
        isinstance(node, ast.Attribute) and node.attr == "service_valid"
        for node in ast.walk(function)
    )
    return reads_service and bool(_called(function) & STATE_CHECKS)


def _mentions(node: ast.AST, word: str) -> bool:
    for part in ast.walk(node):
        named = part.id if isinstance(part, ast.Name) else getattr(part, "attr", "")
        carried = isinstance(part, ast.Constant) and part.value == "gv"
        if word in named or (word == "minted" and carried):
            return True
    return False


def _compares_minted_version(function: ast.AST) -> bool:
    """``version != minted_version``, ``live.version == claims.get("gv")``: a version beside
    the one a credential carries (``gv``, ``minted…``)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            sides = (node.left, node.comparators[0])
            if any(_mentions(one, "minted") for one in sides) and any(
                _mentions(one, "version") for one in sides
            ):
                return True
    return False


def test_the_in_force_rule_is_written_once() -> None:
    found = {
        (path, function.name)
        for path, tree in _modules()
        for function in _functions(tree)
        if _states_in_force_rule(function)
    }

    assert found == IN_FORCE_RULE


def test_the_minted_version_is_compared_once() -> None:
    found = {
        (path, function.name)
        for path, tree in _modules()
        for function in _functions(tree)
        if _compares_minted_version(function)
    }

    assert found == MINTED_VERSION_CHECK


def test_every_use_of_a_minted_credential_checks_through_live() -> None:
    users = {
        path
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "tsp_auth.live.in_force"
    }

    assert users >= MINTED_CREDENTIAL_USERS


# A session *or* a sessionmaker, chosen at run time: only the read side (live/) and the
# database layer (db/) take one (issue 20). The key ring reads through ``db.unit_of_work.Reads``.
SESSION_SOURCE_HOMES = ("live/", "db/")
# Who still holds the app's sessionmaker outside live/ and db/ (docs/architecture.md, "Known
# exceptions"): routes and services without a unit of work that hand it to live/ reads, open
# sessions of their own or group-commit, the worker, and deps (which serves it).
SESSIONMAKER_HOLDERS = {
    "audit/committer.py",
    "audit/repository.py",
    "audit/router.py",
    "audit/service.py",
    "cleanup/service.py",
    "coherence/process.py",
    "console/service.py",
    "decisions/partner_router.py",
    "decisions/partner_side.py",
    "decisions/batch.py",
    "decisions/service.py",
    "deps.py",
    "oauth/authorize_endpoint.py",
    "oauth/client_assertion.py",
    "oauth/client_authentication.py",
    "oauth/dpop.py",
    "oauth/grant_types.py",
    "oauth/introspection.py",
    "oauth/jti_repository.py",
    "oauth/par.py",
    "oauth/router.py",
    "ops/router.py",
    "ops/service.py",
    "sweeps/service.py",
    "tsp_access/introspection.py",
    "tsp_access/login.py",
    "tsp_access/login_token_repository.py",
    "web/browser.py",
    "webhooks/delivery.py",
    "worker/process.py",
    "worker/schedule.py",
}
SESSIONMAKER_NAMES = {"async_sessionmaker", "SessionmakerDep", "Sessions"}


def _names(tree: ast.Module) -> set[str]:
    """Every name a module uses or imports (``from x import A as B`` counts ``A``)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
    return found


def test_a_session_source_is_taken_only_by_live_and_db() -> None:
    found = {path for path, tree in _modules() if "SessionSource" in _names(tree)}

    assert any(path.startswith("live/") for path in found)  # the scan sees the name
    assert sorted(p for p in found if not p.startswith(SESSION_SOURCE_HOMES)) == []


def test_only_the_listed_exceptions_hold_a_sessionmaker_outside_live_and_db() -> None:
    found = {
        path
        for path, tree in _modules()
        if SESSIONMAKER_NAMES & _names(tree) and not path.startswith(SESSION_SOURCE_HOMES)
    }

    assert "deps.py" in found  # the scan sees the sessionmaker where it is served
    # Equal, not a subset: a file that stops holding one leaves the list (and the docs).
    assert found == SESSIONMAKER_HOLDERS
