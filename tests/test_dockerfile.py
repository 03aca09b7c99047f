"""The Dockerfile keeps its shape: multi-stage, a pinned base, OCI labels, non-root, a health
check, and hadolint finds nothing (docs/operations.md "Container image")."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser

# An exact Python patch release on a named Debian release: python:3.11.14-slim-bookworm.
PINNED_BASE = re.compile(r"^python:3\.11\.\d+-slim-(bookworm|trixie)(@sha256:[0-9a-f]{64})?$")
OCI_LABELS = {
    "org.opencontainers.image.title",
    "org.opencontainers.image.description",
    "org.opencontainers.image.version",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.created",
    "org.opencontainers.image.licenses",
    "org.opencontainers.image.source",
    "org.opencontainers.image.base.name",
}


@pytest.fixture
def dockerfile(repo_root: Path) -> DockerfileParser:
    return DockerfileParser(path=str(repo_root / "Dockerfile"))


def stages(parser: DockerfileParser) -> list[list[dict[str, Any]]]:
    """The instructions of each stage, in order (what follows each FROM)."""
    found: list[list[dict[str, Any]]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def values(stage: list[dict[str, Any]], name: str) -> list[str]:
    return [str(i["value"]) for i in stage if i["instruction"] == name]


def test_it_builds_in_one_stage_and_runs_from_another(dockerfile: DockerfileParser) -> None:
    builder, runtime = stages(dockerfile)
    assert values(builder, "FROM")[0].endswith(" AS builder")
    assert any("pip install" in run and "constraints.txt" in run for run in values(builder, "RUN"))
    # The runtime stage installs nothing: it takes the builder's environment as it is.
    assert not any("pip" in run for run in values(runtime, "RUN"))
    assert any(copy.startswith("--from=builder ") for copy in values(runtime, "COPY"))


def test_the_base_image_is_pinned_to_an_exact_release(dockerfile: DockerfileParser) -> None:
    assert len(dockerfile.parent_images) == 2
    for image in dockerfile.parent_images:
        assert PINNED_BASE.match(image), f"{image!r} is a floating tag"


def test_the_image_carries_oci_labels(dockerfile: DockerfileParser, repo_root: Path) -> None:
    labels = dockerfile.labels
    assert set(labels) >= OCI_LABELS
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert labels["org.opencontainers.image.version"] == project["version"]
    assert labels["org.opencontainers.image.licenses"] == project["license"]
    assert labels["org.opencontainers.image.base.name"].endswith("/" + dockerfile.baseimage)


def test_it_runs_as_a_non_root_user(dockerfile: DockerfileParser) -> None:
    runtime = stages(dockerfile)[-1]
    users = values(runtime, "USER")
    assert users, "the runtime stage must name its user"
    uid, _, gid = users[-1].partition(":")
    # Numeric, so a cluster policy like runAsNonRoot can check it without /etc/passwd.
    assert uid.isdigit() and int(uid) != 0 and (not gid or (gid.isdigit() and int(gid) != 0))
    assert any(f"--uid {uid}" in run for run in values(runtime, "RUN"))
    last = [i["instruction"] for i in runtime if i["instruction"] in ("USER", "RUN", "COPY")]
    assert last[-1] == "USER", "nothing may run or be copied as root after USER"


def test_it_checks_its_own_health_and_serves(dockerfile: DockerfileParser) -> None:
    runtime = stages(dockerfile)[-1]
    (check,) = values(runtime, "HEALTHCHECK")
    assert "CMD [" in check and "http://127.0.0.1:8000/health" in check
    assert values(runtime, "ENTRYPOINT") == ['["tsp-auth"]']
    assert "serve" in values(runtime, "CMD")[0]


def test_hadolint_finds_nothing(repo_root: Path) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"  # installed by `make install`
    result = subprocess.run(
        [str(hadolint), "--no-color", str(repo_root / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
