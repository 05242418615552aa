"""Where Workbench keeps its files, and how it writes them safely.

Everything follows the XDG conventions through platformdirs; each location can be moved with an
environment variable, which is also how tests keep away from the real home directory:

``WORKBENCH_DATA_DIR``  data directory (``runs.db`` and ``worktrees/``)
``WORKBENCH_DB``        the run store file itself (wins over ``WORKBENCH_DATA_DIR``)
``WORKBENCH_CONFIG``    the YAML config file
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "workbench"

ENV_DATA_DIR = "WORKBENCH_DATA_DIR"
ENV_DB = "WORKBENCH_DB"
ENV_CONFIG = "WORKBENCH_CONFIG"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """The data directory (not created)."""
    return _env_path(ENV_DATA_DIR) or Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The directory that holds ``config.yaml`` (not created)."""
    return Path(user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    """The YAML config file: ``WORKBENCH_CONFIG`` or ``config.yaml`` in the config dir."""
    return _env_path(ENV_CONFIG) or config_dir() / "config.yaml"


def db_path() -> Path:
    """The run store: ``WORKBENCH_DB``, otherwise ``runs.db`` in the data dir."""
    return _env_path(ENV_DB) or data_dir() / "runs.db"


def worktrees_dir() -> Path:
    """Where run worktrees are created (not created here)."""
    return data_dir() / "worktrees"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see either the old or the new file, never half.

    The bytes go to a temporary file in the same directory, are flushed to disk, and the file
    is then renamed over ``path`` with ``os.replace``. Missing parent directories are created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, path.stat().st_mode & 0o777)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode(encoding))
