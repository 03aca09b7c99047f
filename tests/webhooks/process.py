"""A `tsp-auth` command run as a real process, its JSON log lines read as they come."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# How long to wait for a line before failing (a bound for a stuck process, not a speed
# assertion: the shared test machine starts a process in 1 to 15 s).
PATIENCE_SECONDS = 120.0

Line = dict[str, Any]


class Command:
    def __init__(
        self, *args: str, database_url: str, cwd: Path, env: dict[str, str] | None = None
    ) -> None:
        """Runs ``tsp-auth *args`` with no TSP_AUTH_ setting but the database and ``env``."""
        settings = {"TSP_AUTH_DATABASE_URL": database_url, **(env or {})}
        env = {k: v for k, v in os.environ.items() if not k.startswith("TSP_AUTH_")} | settings
        self.lines: list[Line] = []
        self.text: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tsp_auth", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, as a terminal gives `make run`
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.text.append(raw)
            if raw.startswith("{"):
                self.lines.append(json.loads(raw))

    def wait_for(self, check: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            assert self.process.poll() is None, "".join(self.text)
            time.sleep(0.1)
        raise AssertionError("timed out waiting; output:\n" + "".join(self.text))

    def line(self, msg: str) -> Line:
        found: Line = self.wait_for(lambda: next((x for x in self.lines if x["msg"] == msg), None))
        return found

    def messages(self, msg: str) -> list[Line]:
        return [x for x in self.lines if x["msg"] == msg]

    def ctrl_c(self) -> None:
        """What a terminal does: SIGINT to the whole foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def finish(self) -> int:
        code = self.process.wait(timeout=PATIENCE_SECONDS)
        self._reader.join(timeout=10)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
