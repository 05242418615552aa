"""A small local Docker image for the tests: no registry is reachable here, so the image is an
empty root file system (``docker import``) and the host's runtime is mounted read-only."""

from __future__ import annotations

import io
import os
import sys
import tarfile
from pathlib import Path
from typing import Any

from workbench.sandbox import DockerOptions

TAG = "workbench-test-runtime:1"
_TOP = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")


def _root_tar() -> bytes:
    """Top-level folders (links where the host has links), as the host lays them out."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in (*_TOP, "tmp", "home", "proc", "dev", "sys", "work"):
            path = Path("/") / name
            info = tarfile.TarInfo(name)
            if path.is_symlink():
                info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
            elif name in _TOP and not path.exists():
                continue
            else:
                info.type, info.mode = tarfile.DIRTYPE, 0o1777 if name == "tmp" else 0o755
            tar.addfile(info)
    return buf.getvalue()


def host_mounts() -> tuple[str, ...]:
    """The host paths the image needs: system folders that are real folders here, and the
    Python runtime (virtualenv and base interpreter)."""
    paths = [str(Path("/") / n) for n in _TOP if n != "etc"
             if (Path("/") / n).is_dir() and not (Path("/") / n).is_symlink()]
    paths += [p for p in {sys.prefix, sys.base_prefix} if not p.startswith("/usr")]
    return tuple(sorted(set(paths)))


def build_image(client: Any) -> DockerOptions:
    venv_bin = str(Path(sys.executable).parent)
    path = f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"
    client.api.import_image_from_data(_root_tar(), repository=TAG.split(":")[0],
                                      tag=TAG.split(":")[1], changes=[f"ENV PATH={path}"])
    return DockerOptions(image=TAG, mounts=host_mounts(), cpus=1.0, memory=1 << 30)
