"""Fixtures for the jail tests: a user's checkout with a run worktree made the way the engine
makes it, a factory of sandboxes per backend, and one Docker image for the whole session."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pygit2
import pytest

from tests.sandbox.images import build_image
from workbench import gitops
from workbench.sandbox import DockerOptions, Sandbox
from workbench.sandbox_bwrap import bwrap_problem

JAILS = ("bwrap", "docker")
MakeSandbox = Callable[..., Sandbox]


@pytest.fixture(scope="session")
def docker_options() -> Iterator[DockerOptions]:
    try:
        import docker
        client = docker.from_env(timeout=10)
        client.ping()
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        pytest.skip(f"no Docker engine can be reached here (.ci/run starts one): {first}")
    try:
        yield build_image(client)
    finally:
        client.close()


@pytest.fixture(params=JAILS)
def make_sandbox(request: pytest.FixtureRequest) -> MakeSandbox:
    """``make_sandbox(root, **kwargs)`` builds a Sandbox on the parametrised jail backend."""
    backend = str(request.param)
    extra: dict[str, Any] = {}
    if backend == "bwrap":
        problem = bwrap_problem()
        if problem is not None:
            pytest.skip(problem)
    else:
        extra["docker"] = request.getfixturevalue("docker_options")

    def make(root: Path, **kwargs: Any) -> Sandbox:
        return Sandbox(root, backend=backend, **{**extra, **kwargs})

    return make


def tree_hashes(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Every file (and link) under ``root`` by relative path -> content hash."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip is not None:
            dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_symlink():
                data = b"link:" + os.readlink(path).encode()
            else:
                data = b"socket" if path.is_socket() else path.read_bytes()
            out[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
    return out


class Checkout:
    """The user's repository and a run worktree inside its .git, as the engine lays it out."""

    def __init__(self, base: Path) -> None:
        self.repo = base / "checkout"
        self.repo.mkdir()
        git = pygit2.init_repository(str(self.repo))
        (self.repo / "README.md").write_text("the user's own file\n")
        (self.repo / "app.py").write_text("VALUE = 1\n")
        git.index.add_all()
        git.index.write()
        sig = pygit2.Signature("user", "user@example.com")
        git.create_commit("HEAD", sig, sig, "first", git.index.write_tree(), [])
        wt_dir = gitops.default_worktrees_dir(self.repo)
        self.wt = gitops.create_worktree(self.repo, "run1", wt_dir).path
        self.before = self.hashes()

    def hashes(self) -> dict[str, str]:
        return tree_hashes(self.repo, skip=self.wt)


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    return Checkout(tmp_path)


def running_with(marker: str) -> list[int]:
    """Host pids whose command line holds ``marker`` (jailed processes are host processes)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry))
    return found
