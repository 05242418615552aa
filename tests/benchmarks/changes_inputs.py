"""Real before/after workloads for the `changes` benchmark, built once and cached.

Each workload is two released versions of a package (a PyPI sdist or an npm tarball),
committed into a throwaway git repository as two commits. Downloads go through the ordinary
clients (`pip download`, `npm pack`) into the cache directory; later runs reuse both the
archives and the built repositories. Offline, `build` raises `Unavailable` with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("WORKBENCH_BENCH_CACHE", Path.home() / ".cache" / "workbench-bench"))
_DOWNLOAD_TIMEOUT = 300
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


class Unavailable(Exception):
    """The workload cannot be built here (offline, no npm, ...); the message says why."""


@dataclass(frozen=True)
class Workload:
    name: str
    registry: str  # "pypi" or "npm"
    package: str
    base_version: str
    head_version: str
    subdir: str = ""  # only this folder of the package goes into the repository

    @property
    def label(self) -> str:
        return f"{self.package} {self.base_version} -> {self.head_version}"


WORKLOADS = {
    "django": Workload("django", "pypi", "django", "5.0", "5.1"),
    "rxjs": Workload("rxjs", "npm", "rxjs", "7.5.7", "7.8.1"),
    # The compiler ships as a handful of single-file bundles of several MB each.
    "typescript": Workload("typescript", "npm", "typescript", "5.5.4", "5.6.3", "lib"),
}


@dataclass(frozen=True)
class BuiltRepo:
    path: Path
    base: str
    head: str


def _run(args: list[str], cwd: Path | None = None, timeout: float = _DOWNLOAD_TIMEOUT) -> str:
    env = {**os.environ, **_GIT_ENV}
    try:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Unavailable(f"{args[0]} {args[1]}: {error}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unavailable(f"{' '.join(args[:3])} failed: {last}")
    return done.stdout


def _archive(workload: Workload, version: str) -> Path:
    """The downloaded archive of one version (downloaded now unless cached)."""
    folder = CACHE / "archives" / workload.registry / f"{workload.package}-{version}"
    found = sorted(folder.glob("*.t*gz")) if folder.is_dir() else []
    if found:
        return found[0]
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if workload.registry == "pypi":
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
              "--no-binary", ":all:", "--disable-pip-version-check",
              f"{workload.package}=={version}", "-d", str(partial)])
    else:
        if shutil.which("npm") is None:
            raise Unavailable("npm is not installed")
        _run(["npm", "pack", "--silent", f"{workload.package}@{version}",
              "--pack-destination", str(partial)])
    if not sorted(partial.glob("*.t*gz")):
        raise Unavailable(f"no archive for {workload.package} {version}")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return sorted(folder.glob("*.t*gz"))[0]


def _unpack(archive: Path, subdir: str, target: Path) -> None:
    """The archive's files, without its single top folder, into `target`."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        for member in members:
            parts = Path(member.name).parts[1:]  # sdists and npm both wrap in one folder
            if not parts or (subdir and parts[0] != subdir):
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read())


def _commit(repo: Path, message: str) -> str:
    _run(["git", "add", "--all", "."], cwd=repo)
    _run(["git", "commit", "--quiet", "--no-verify", "-m", message], cwd=repo)
    return _run(["git", "rev-parse", "HEAD"], cwd=repo).strip()


def build(name: str) -> BuiltRepo:
    """The two-commit repository of a workload (built on first use, then reused)."""
    workload = WORKLOADS[name]
    repo = CACHE / "repos" / f"{name}-{workload.base_version}-{workload.head_version}"
    marker = repo / ".git" / "bench-revisions"
    if marker.is_file():
        base, head = marker.read_text().split()
        return BuiltRepo(repo, base, head)
    archives = [_archive(workload, v) for v in (workload.base_version, workload.head_version)]
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    _run(["git", "init", "--quiet", "-b", "main"], cwd=repo)
    _run(["git", "config", "core.autocrlf", "false"], cwd=repo)
    revisions = []
    for archive, version in zip(archives, (workload.base_version, workload.head_version),
                                strict=True):
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        _unpack(archive, workload.subdir, repo)
        revisions.append(_commit(repo, f"{workload.package} {version}"))
    marker.write_text(" ".join(revisions))
    return BuiltRepo(repo, revisions[0], revisions[1])
