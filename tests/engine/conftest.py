from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.demo import DEMO_DATA, demo_task, prepare_demo_repo
from workbench.engine.config import RunConfig
from workbench.store import RunStore


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "data" / "runs.db")


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    return prepare_demo_repo(tmp_path)


@pytest.fixture
def demo_script() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEMO_DATA / "demo_script.yaml").read_text())
    return copy.deepcopy(data)


def write_script(tmp_path: Path, data: dict[str, Any], name: str = "script.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return f"scripted:{path}"


def config_for(repo: Path, model: str, **kw: Any) -> RunConfig:
    return RunConfig(task=demo_task(), repo=str(repo), model=model, **kw)
