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


# The order in which the demo pipeline calls the roles' models (one entry per model call).
CALL_ORDER = [("requirements", 0), ("developer", 0), ("developer", 1), ("developer", 2),
              ("reviewer", 0), ("developer", 3), ("developer", 4), ("reviewer", 1),
              ("tester", 0), ("tester", 1), ("tester", 2), ("tester", 3)]


def demo_replies(script: dict[str, Any]) -> list[Any]:
    """The demo script's entries as replies of a fake OpenAI server, in call order."""
    return [
        {k: v for k, v in script["roles"][role][index].items() if k in ("content", "tool_calls")}
        for role, index in CALL_ORDER
    ]


@pytest.fixture
def no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key or base URL from the environment: the tests' own server is the only one."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
