"""Token economy: prompt tokens of whole scripted runs against a naive baseline, same run.

Run with: .venv/bin/pytest tests/benchmarks/test_token_economy.py -s --override-ini addopts=
(or make bench). Each task (the bundled demo and the scripted tasks under token_tasks/) runs
headless through the real pipeline with auto-approved gates. Measured = the sum of
prompt_tokens over the run's model_call events (the scripted model counts characters of all
messages // 4). Naive = the same number of model calls, each sending every file of the task's
repository plus the task, counted the same way. Target: measured / naive <= 0.30; a task
over it prints MISSED (the figure is what it is). Whatever the ratio, every role must still
get what it needs: the reviewer every changed hunk and changed function, the tester every
changed function name and the acceptance criteria, the developer the acceptance criteria.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygit2
import pytest
from autogen_core.models import LLMMessage, SystemMessage, UserMessage

from agents.contracts import RunStatus
from agents.diff import parse_unified_diff
from agents.prompts import DATA_RULE
from workbench.demo import DEMO_DATA, SAMPLE_REPO, demo_task
from workbench.engine.config import RunConfig
from workbench.engine.runner import create_pipeline
from workbench.models.scripted import ScriptedChatCompletionClient
from workbench.store import RunStore

TARGET = 0.30
TASKS_DIR = Path(__file__).resolve().parent / "token_tasks"
_SKIP = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc", "node_modules")


@dataclass
class Task:
    name: str
    repo: Path
    task: str
    script: Path


TASKS = [
    Task("demo", SAMPLE_REPO, demo_task(), DEMO_DATA / "demo_script.yaml"),
    *(Task(d.name, d / "repo", (d / "task.md").read_text(encoding="utf-8").strip(),
           d / "script.yaml")
      for d in sorted(TASKS_DIR.iterdir()) if (d / "script.yaml").is_file()),
]


@dataclass
class Calls:
    """What the model was sent on every call, per role."""

    by_role: dict[str, list[list[LLMMessage]]] = field(default_factory=dict)

    def tasks(self, role: str) -> list[str]:
        """The task message of each of the role's turns (a turn's first call ends with it)."""
        return [str(m[-1].content) for m in self.by_role.get(role, [])
                if isinstance(m[-1], UserMessage)]


def _tokens(chars: int) -> int:
    return max(1, chars // 4)  # as the scripted model counts


def _repo_chars(root: Path) -> int:
    total = 0
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".git" not in path.parts:
            total += len(path.read_text(encoding="utf-8", errors="replace"))
    return total


def _git_repo(source: Path, parent: Path) -> Path:
    root = parent / "repo"
    shutil.copytree(source, root, ignore=_SKIP)
    repo = pygit2.init_repository(str(root), initial_head="main")
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("Bench", "bench@workbench.localhost")
    repo.create_commit("HEAD", sig, sig, "base", repo.index.write_tree(), [])
    return root


def _hunk_texts(diff: str) -> list[str]:
    return ["\n".join([h.header, *h.lines]) for f in parse_unified_diff(diff) for h in f.hunks]


def _events(store: RunStore, run_id: str) -> list[tuple[int, str, str, dict[str, Any]]]:
    return [(e.seq, e.kind, e.role or "", e.payload()) for e in store.events(run_id)]


def _check_roles_get_what_they_need(store: RunStore, run_id: str, calls: Calls) -> None:
    events = _events(store, run_id)
    arts = [(seq, p) for seq, kind, _, p in events if kind == "artifact"]
    spec = next(p["data"] for _, p in reversed(arts) if p["type"] == "spec")
    criteria: list[str] = spec["acceptance_criteria"]
    for messages in (m for per_role in calls.by_role.values() for m in per_role):
        system = messages[0]
        assert isinstance(system, SystemMessage) and DATA_RULE in system.content
        assert '"properties"' not in system.content  # an example, not the JSON schema

    developer = calls.tasks("developer")
    assert all(c in developer[0] for c in criteria), "developer lost acceptance criteria"

    # The k-th review reads the patch recorded just before it.
    review_starts = [seq for seq, kind, role, _ in events
                     if kind == "turn_started" and role == "reviewer"]
    reviews = calls.tasks("reviewer")
    assert len(reviews) == len(review_starts)
    for start, text in zip(review_starts, reviews, strict=True):
        patch = [p for seq, p in arts if p["type"] == "patch" and seq < start][-1]
        diff = store.patch_diff(patch["artifact_id"]) or ""
        missing = [h.splitlines()[0] for h in _hunk_texts(diff) if h not in text]
        assert not missing, f"reviewer prompt lacks hunks {missing}"
        checks = [p for seq, p in arts if p["type"] == "static_checks" and seq < start][-1]
        names = [c["qualified_name"] for c in checks["data"]["changes"]]
        assert names and all(n in text for n in names), "reviewer lost changed functions"

    tester = calls.tasks("tester")[0]
    checks = [p for _, p in arts if p["type"] == "static_checks"][-1]
    names = [c["qualified_name"] for c in checks["data"]["changes"]]
    assert all(n in tester for n in names), "tester lost changed functions"
    assert all(c in tester for c in criteria), "tester lost acceptance criteria"


async def _run(task: Task, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls = Calls()
    original = ScriptedChatCompletionClient._next

    def capture(self: ScriptedChatCompletionClient, messages: Any, token: Any) -> Any:
        calls.by_role.setdefault(self.role, []).append(list(messages))
        return original(self, messages, token)

    monkeypatch.setattr(ScriptedChatCompletionClient, "_next", capture)
    repo = _git_repo(task.repo, tmp_path / task.name)
    store = RunStore(tmp_path / task.name / "data" / "runs.db")
    config = RunConfig(task=task.task, repo=str(repo), model=f"scripted:{task.script}",
                       auto_approve=True)
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    _check_roles_get_what_they_need(store, outcome.run_id, calls)

    prompt = [(role, p["prompt_tokens"]) for _, kind, role, p in _events(store, outcome.run_id)
              if kind == "model_call"]
    by_role: Counter[str] = Counter()
    for role, tokens in prompt:
        by_role[role] += tokens
    naive_call = _tokens(_repo_chars(task.repo) + len(task.task))
    measured, naive = sum(by_role.values()), naive_call * len(prompt)
    return {"name": task.name, "calls": len(prompt), "measured": measured, "naive": naive,
            "naive_call": naive_call, "by_role": dict(by_role), "ratio": measured / naive}


@pytest.mark.parametrize("task", TASKS, ids=[t.name for t in TASKS])
async def test_token_economy(task: Task, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = await _run(task, tmp_path, monkeypatch)
    verdict = "met" if r["ratio"] <= TARGET else "MISSED"
    roles = ", ".join(f"{k} {v}" for k, v in sorted(r["by_role"].items()))
    print(f"\n{r['name']}: {r['calls']} model calls, prompt tokens {r['measured']} "
          f"(naive {r['naive']} = {r['calls']} x {r['naive_call']}), "
          f"ratio {r['ratio']:.3f}, target <= {TARGET}: {verdict}\n  by role: {roles}")
