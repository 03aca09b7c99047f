"""The call path of one request through the modules of ``tsp_auth`` (docs/architecture.md,
"The call path of a decision").

``CallPath`` profiles the event loop's thread (``sys.setprofile``) while one request is
served in-process and keeps every call that crosses from one ``tsp_auth`` module into another,
from the route's endpoint down. Two counts say whether the path goes down the layers:

- a **climb** is a call into a module of a higher layer than its caller's (the layers are
  import-linter's ``layers`` contract in ``pyproject.toml``, the table of docs/architecture.md);
- a **return** is a call into a module still on the path's stack: one the path left going down
  and has not come back from (a callback). A module called again after its earlier call
  returned is no return: its caller moved on.

A coroutine resumed after an ``await`` is not a new call: each frame counts once. A task
started inside the request (the batch a miss waits for, a group commit) and SQLAlchemy's
greenlet are called by the frame the path entered last. Code a dataclass generates is not
ours; a call a library makes on our behalf (the ASGI ``receive``, SQLAlchemy's type processors
and event hooks) is listed but not counted. Run alone (``python -m tests.call_path``) it prints
the layer of each package and top-level module.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
ROOT = "tsp_auth"

# Set when the endpoint is entered: a task started from then on inherits it (PEP 567), so the
# batch a miss waits on belongs to the path, and the cache's background tasks do not.
_in_request: ContextVar[bool] = ContextVar("_in_request", default=False)


@cache
def layers() -> dict[str, int]:
    """Package or top-level module → its layer, 0 at the bottom (``pyproject.toml``)."""
    config = tomllib.loads(PYPROJECT.read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    top_first: list[str] = contract["layers"]
    table: dict[str, int] = {}
    for height, line in enumerate(reversed(top_first)):
        for name in line.split(":"):
            table[name.strip()] = height
    return table


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return layers().get(parts[1]) if len(parts) > 1 and parts[0] == ROOT else None


@dataclass(frozen=True, slots=True)
class Step:
    """One call from a function of module ``caller`` into ``function`` of module ``callee``."""

    caller: str | None
    callee: str
    function: str
    climb: bool = False  # into a higher layer than the caller's
    back: bool = False  # into a module that is still on the path's stack (a call back)
    through: bool = False  # made by a library on our behalf (ASGI receive, SQLAlchemy hooks)


def _ours(frame: FrameType) -> bool:
    """A function written in a module of ours (not code a dataclass generated for it)."""
    module = frame.f_globals.get("__name__", "")
    return module.startswith(ROOT + ".") and not frame.f_code.co_filename.startswith("<")


@dataclass
class CallPath:
    """The module-crossing calls of one request below ``endpoint``, in order."""

    endpoint: CodeType
    steps: list[Step] = field(default_factory=list)
    _seen: set[int] = field(default_factory=set)
    _kept: list[FrameType] = field(default_factory=list)  # ids stay unique while kept
    _parent: dict[int, int | None] = field(default_factory=dict)  # the path's frames
    _module: dict[int, str] = field(default_factory=dict)
    _last: int | None = None

    @property
    def modules(self) -> list[str]:
        """The modules entered, in order (the endpoint's first)."""
        return [step.callee for step in self.steps]

    @property
    def climbs(self) -> list[Step]:
        return [step for step in self.steps if step.climb and not step.through]

    @property
    def returns(self) -> list[Step]:
        return [step for step in self.steps if step.back and not step.through]

    def describe(self) -> str:
        lines = [f"{len(self.climbs)} climbs, {len(self.returns)} returns:"]
        for step in self.steps:
            marks = ("  climb" if step.climb else "") + ("  return" if step.back else "")
            marks += "  (through a library)" if step.through and marks else ""
            short = step.callee.removeprefix(ROOT + ".")
            lines.append(f"  {short}.{step.function} [{layer_of(step.callee)}]{marks}")
        return "\n".join(lines)

    def _profile(self, frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call" or id(frame) in self._seen:
            return  # a resumed coroutine is no new call
        self._seen.add(id(frame))
        self._kept.append(frame)
        if not self._parent:
            if frame.f_code is self.endpoint:
                _in_request.set(True)
                self._enter(frame, None)
            return
        if not _ours(frame):
            return
        found, parent = self._caller(frame)
        if found:
            self._enter(frame, parent)

    def _enter(self, frame: FrameType, parent: int | None) -> None:
        module = str(frame.f_globals["__name__"])
        self._parent[id(frame)] = parent
        self._module[id(frame)] = module
        self._last = id(frame)
        caller = None if parent is None else self._module[parent]
        if caller == module:
            return
        through = frame.f_back is not None and not _ours(frame.f_back)
        climb = caller is not None and (layer_of(module) or 0) > (layer_of(caller) or 0)
        back = module in self._stack(parent)
        name = frame.f_code.co_qualname
        self.steps.append(Step(caller, module, name, climb, back, through))

    def _stack(self, frame: int | None) -> set[str]:
        modules = set()
        while frame is not None:
            modules.add(self._module[frame])
            frame = self._parent[frame]
        return modules

    def _caller(self, frame: FrameType) -> tuple[bool, int | None]:
        """The path's frame this one was called from: the nearest below the endpoint; for a
        task started in the request or a library's thread of control (SQLAlchemy's greenlet),
        the last one the path entered. ``(False, None)``: not on the path (middleware)."""
        back = frame.f_back
        while back is not None:
            if id(back) in self._parent:
                return True, id(back)
            if _ours(back):
                return False, None  # under our code that is not below the endpoint
            back = back.f_back
        return _in_request.get() and self._last is not None, self._last


@contextmanager
def call_path(endpoint: Callable[..., Any]) -> Iterator[CallPath]:
    """Trace the calls below ``endpoint`` (a route's function) while the block runs."""
    path = CallPath(endpoint.__code__)
    previous = sys.getprofile()
    sys.setprofile(path._profile)
    try:
        yield path
    finally:
        sys.setprofile(previous)
        _in_request.set(False)
        path._kept.clear()


if __name__ == "__main__":
    for name, height in sorted(layers().items(), key=lambda item: (-item[1], item[0])):
        print(height, name)
