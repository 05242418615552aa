"""The Docker backend: every command in a fresh container, removed afterwards.

Built on the Docker SDK rather than autogen-ext's ``DockerCommandLineCodeExecutor``: that
executor runs code blocks (it writes them to files and runs them with a shell) in one
long-lived container, and offers no network mode, memory, CPU or PID limits and no per-call
container; a command here is an argv that needs all of those. The SDK is what the executor
itself uses underneath.

The container: the pinned image, the worktree bound at its own path (the only writable host
path), the run's git metadata and any configured host paths read-only, a read-only root with
a private /tmp and HOME, ``network_mode="none"``, all capabilities dropped,
``no-new-privileges``, CPU/memory/PID limits and ulimits, the host's uid so files written in
the worktree keep their owner, and no log driver (output is read from the attach stream, so
dockerd never stores a flood on disk).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.sandbox_bwrap import git_dirs
from workbench.sandbox_orphans import owner_alive, owner_tag
from workbench.sandbox_runtime import OutputBuffer

DEFAULT_IMAGE = "python:3.12-slim"
LABEL = "workbench.sandbox.owner"
HOME = "/home/sandbox"
_TMPFS = "size={size},mode=1777"


@dataclass(frozen=True)
class DockerOptions:
    image: str = DEFAULT_IMAGE
    mounts: tuple[str, ...] = ()
    """Host paths mounted read-only at the same path (e.g. a toolchain the image lacks)."""
    cpus: float | None = 2.0
    memory: int | None = 4 << 30
    tmp_size: int = 512 << 20


@dataclass
class DockerOutcome:
    code: int | None = None
    timed_out: bool = False
    problem: str = ""
    """Why the command did not run (no engine, no image); empty when it ran."""
    oom: bool = False
    pids_hit: bool = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _pids_hit(container_id: str) -> bool:
    """The container's pids cgroup refused a fork (cgroupfs driver, v1 or v2 layouts)."""
    for path in (f"/sys/fs/cgroup/pids/docker/{container_id}/pids.events",
                 f"/sys/fs/cgroup/docker/{container_id}/pids.events",
                 f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/pids.events"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            words = Path(path).read_text().split()
            return int(words[words.index("max") + 1]) > 0
    return False


def reap_containers(client: Any) -> list[str]:
    """Remove containers left by engines that died before removing them."""
    done = []
    with contextlib.suppress(Exception):  # cleanup must never stop a run
        for c in client.containers.list(all=True, filters={"label": LABEL}):
            pid, _, start = str(c.labels.get(LABEL, "")).partition("-")
            if pid.isdigit() and start.isdigit() and not owner_alive(int(pid), int(start)):
                c.remove(force=True)
                done.append(f"removed container {c.short_id} of dead engine {pid}")
    return done


@dataclass
class DockerJob:
    opts: DockerOptions
    root: Path
    target: Sequence[str]
    env: Mapping[str, str]
    timeout_s: float
    ulimits: Mapping[str, int]
    pids: int | None
    buf: OutputBuffer
    shared: Sequence[tuple[Path, Path]] = ()
    """(host folder, path in the worktree) pairs mounted read-only over the worktree."""
    _container: Any = None
    _killed: threading.Event = field(default_factory=threading.Event)
    _pids_hit: bool = False

    def kill(self) -> None:
        """Stop the container now (thread-safe; a no-op before it exists or once gone)."""
        self._killed.set()
        if self._container is not None:
            # read before the kill: the container's cgroup goes away with it
            self._pids_hit = self._pids_hit or _pids_hit(self._container.id)
            with contextlib.suppress(Exception):
                self._container.kill()

    def kill_soon(self) -> None:
        """:meth:`kill` from another thread, for the output reader: it must keep draining the
        stream, or dockerd blocks on the full pipe and the kill call with it."""
        threading.Thread(target=self.kill, daemon=True).start()

    def _mounts(self) -> list[Any]:
        from docker.types import Mount

        wt = str(self.root)
        mounts = [Mount(p, p, type="bind", read_only=True) for p in self.opts.mounts]
        gits = git_dirs(self.root)
        mounts += [Mount(str(g), str(g), type="bind", read_only=True) for g in gits]
        if gits and (gits[0] / "config").is_file():  # may hold credentials in remote URLs
            mounts.append(Mount(str(gits[0] / "config"), "/dev/null", type="bind",
                                read_only=True))
        mounts.append(Mount(wt, wt, type="bind", read_only=False))
        mounts += [Mount(str(target), str(source), type="bind", read_only=True)
                   for source, target in self.shared]
        if (self.root / ".git").is_file():
            git_file = str(self.root / ".git")
            mounts.append(Mount(git_file, git_file, type="bind", read_only=True))
        return mounts

    def _create(self, client: Any) -> Any:
        from docker.types import LogConfig, Ulimit

        tmpfs = _TMPFS.format(size=self.opts.tmp_size)
        return client.containers.create(
            self.opts.image, command=list(self.target), working_dir=str(self.root),
            environment=dict(self.env), user=f"{os.getuid()}:{os.getgid()}",
            network_mode="none", read_only=True, mounts=self._mounts(),
            tmpfs={"/tmp": tmpfs, HOME: tmpfs}, hostname="sandbox",
            mem_limit=self.opts.memory, memswap_limit=self.opts.memory,
            nano_cpus=int(self.opts.cpus * 1e9) if self.opts.cpus else None,
            pids_limit=self.pids, cap_drop=["ALL"], security_opt=["no-new-privileges"],
            ulimits=[Ulimit(name=k, soft=v, hard=v) for k, v in self.ulimits.items()],
            labels={LABEL: owner_tag()}, log_config=LogConfig(type=LogConfig.types.NONE),
            stdin_open=False, tty=False, detach=True)

    def _image_problem(self, client: Any) -> str:
        import docker.errors

        try:
            client.images.get(self.opts.image)
            return ""
        except docker.errors.ImageNotFound:
            pass
        try:
            client.images.pull(self.opts.image)
            return ""
        except Exception as exc:
            return (f"docker image {self.opts.image} is not here and could not be pulled "
                    f"({_first_line(exc)}): load it or set sandbox.docker_image")

    def run(self) -> DockerOutcome:
        try:
            import docker
        except ImportError:
            return DockerOutcome(problem="the docker package is not installed")
        try:
            client = docker.from_env(timeout=30)
            client.ping()
            # a second client for the output stream: a quiet command must not time it out
            stream_client = docker.from_env(timeout=int(self.timeout_s) + 60)
        except Exception as exc:
            return DockerOutcome(problem=f"no Docker engine answers: {_first_line(exc)}")
        try:
            reap_containers(client)
            problem = self._image_problem(client)
            if problem:
                return DockerOutcome(problem=problem)
            return self._run_in(client, stream_client)
        finally:
            client.close()
            stream_client.close()

    def _run_in(self, client: Any, stream_client: Any) -> DockerOutcome:
        try:
            self._container = self._create(client)
        except Exception as exc:
            return DockerOutcome(problem=f"docker could not create the container: "
                                 f"{_first_line(exc)}")
        try:
            stream = stream_client.api.attach(self._container.id, stdout=True, stderr=True,
                                              stream=True)
            reader = threading.Thread(target=self._pump, args=(stream,), daemon=True)
            reader.start()
            if self._killed.is_set():  # cancelled while the container was being made
                return DockerOutcome()
            self._container.start()
            timed_out = False
            try:
                status = self._container.wait(timeout=self.timeout_s)
                code: int | None = int(status.get("StatusCode", -1))
            except Exception:  # the HTTP read timed out: the command ran too long
                timed_out, code = True, None
                self.kill()
                self._container.wait(timeout=30)
            reader.join(timeout=5)
            self._container.reload()
            state = self._container.attrs.get("State", {})
            return DockerOutcome(code=code, timed_out=timed_out,
                                 oom=bool(state.get("OOMKilled")), pids_hit=self._pids_hit)
        except Exception as exc:
            return DockerOutcome(problem=f"docker failed: {_first_line(exc)}")
        finally:
            with contextlib.suppress(Exception):
                self._container.remove(force=True)

    def _pump(self, stream: Any) -> None:
        with contextlib.suppress(Exception):  # the stream ends (or breaks) with the container
            for chunk in stream:
                self.buf.add(chunk)
