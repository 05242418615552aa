"""Secrets planted in the task, a repo file and the test output of a real run reach no sink:
not the model's requests, not the SQLite file, not `workbench show --json`, `runs`,
`evidence` or `show`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pygit2
import pytest
import yaml

from agents.contracts import RunStatus
from agents.redact import MASK
from workbench.demo import DEMO_DATA, demo_task, prepare_demo_repo
from workbench.engine.config import RunConfig
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore

from .engine.conftest import demo_replies, no_openai_env  # noqa: F401  (fixture)
from .fake_openai import FakeOpenAIServer

# Built from parts so no key shape sits in the source as one string.
IN_TASK = "sk-proj-" + "Zq81LmX0pT4vR7yB2nC5dE9fG3hJ6kW1"
IN_TASK_PW = "Pz7" + "qLm2xR9tVb"
IN_FILE_AWS = "wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCYzQ8Lp3Vd"
IN_FILE_PW = "db" + "Pa55w0rdQ7xZ"
IN_FILE_GH = "ghp_" + "R4nd0mT0k3nV4lu3F0rT3st1ngXy7Qw2Ez9"
IN_TESTS = "xoxb-" + "283746501234-918273645012-" + "AbCdEfGhIjKlMnOpQrStUvWx"
IN_TESTS_URL_PW = "s3cr" + "etPg44x"
PLANTED = [IN_TASK, IN_TASK_PW, IN_FILE_AWS, IN_FILE_PW, IN_FILE_GH, IN_TESTS, IN_TESTS_URL_PW]


def _plant(repo: Path) -> None:
    (repo / "deploy.env").write_text(
        f"AWS_SECRET_ACCESS_KEY={IN_FILE_AWS}\nDB_PASSWORD={IN_FILE_PW}\n"
        f"GITHUB_TOKEN={IN_FILE_GH}\n")
    # printed at the end of every pytest run: it reaches the test output
    (repo / "conftest.py").write_text(
        "def pytest_terminal_summary(terminalreporter):\n"
        f"    terminalreporter.write_line('slack {IN_TESTS}')\n"
        f"    terminalreporter.write_line('db postgres://app:{IN_TESTS_URL_PW}@db:5432/app')\n")
    r = pygit2.Repository(str(repo))
    r.index.add_all()
    r.index.write()
    sig = pygit2.Signature("t", "t@t")
    r.create_commit("HEAD", sig, sig, "deploy settings", r.index.write_tree(), [r.head.target])


def _cli(db: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env["WORKBENCH_DB"] = str(db)
    proc = subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def _leaks(where: str, text: str | bytes) -> list[str]:
    found = []
    for secret in PLANTED:
        needle: str | bytes = secret.encode() if isinstance(text, bytes) else secret
        if needle in text:  # type: ignore[operator]
            found.append(f"{where}: {secret}")
    return found


@pytest.mark.usefixtures("no_openai_env")
async def test_planted_secrets_reach_no_sink(tmp_path: Path) -> None:
    repo = prepare_demo_repo(tmp_path)
    _plant(repo)
    script: dict[str, Any] = yaml.safe_load((DEMO_DATA / "demo_script.yaml").read_text())
    replies = demo_replies(script)
    # the developer opens the settings file first: its text goes into the conversation
    replies.insert(1, {"tool_calls": [{"name": "open_file", "arguments": {"path": "deploy.env"}}]})
    db = tmp_path / "data" / "runs.db"
    store = RunStore(db)
    task = (demo_task() + f"\nUse the key {IN_TASK} and the admin password "
            f"password={IN_TASK_PW} if needed.")
    with FakeOpenAIServer(replies) as server:
        config = RunConfig(task=task, repo=str(repo), model="openai:fake",
                           base_url=server.base_url, auto_approve=True)
        outcome = await create_pipeline(store, config).run()
        sent = repr(server.requests)
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    store.close()

    logs = [a for a in RunStore(db).db.execute("SELECT content FROM artifacts WHERE type = 'log'")]
    assert any(f"slack {MASK}" in row[0] for row in logs), "the test output held no secret"
    assert MASK in sent, "the planted secrets never reached the conversation"
    leaks = _leaks("model requests", sent)
    for path in db.parent.glob("runs.db*"):  # the database, its WAL and shared memory
        leaks += _leaks(path.name, path.read_bytes())
    run_id = outcome.run_id
    leaks += _leaks("show --json", _cli(db, "show", run_id, "--json"))
    leaks += _leaks("show", _cli(db, "show", run_id))
    leaks += _leaks("runs", _cli(db, "runs"))
    leaks += _leaks("runs --json", _cli(db, "runs", "--json"))
    leaks += _leaks("evidence", _cli(db, "evidence", run_id))
    assert not leaks, leaks


def test_old_store_rows_are_masked_and_made_printable_when_shown(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A store written before masking (raw row in the table) still prints masked, and model
    text with escape sequences and carriage returns prints without them."""
    db = tmp_path / "runs.db"
    store = RunStore(db)
    store.create_run("r1", "plain", "/repo", "scripted:demo")
    store.conn.execute("UPDATE runs SET task = ?, reason = ? WHERE run_id = 'r1'",
                       [f"deploy with token={IN_FILE_GH}", "\x1b[2J\x1b[31mred\rover"])
    # as an older Workbench left it: layout 3 did not guarantee masked run rows
    store.conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    store.close()
    out = _cli(db, "show", "r1") + _cli(db, "runs") + _cli(db, "show", "r1", "--json")
    assert IN_FILE_GH not in out and MASK in out
    assert "\x1b" not in out and "\r" not in out and "red\nover" in out


def _wb(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env["WORKBENCH_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
                          check=False)


def test_a_task_is_never_read_as_an_option_nor_echoed(tmp_path: Path) -> None:
    db, repo = tmp_path / "runs.db", prepare_demo_repo(tmp_path)
    common = ["--repo", str(repo), "--model", "scripted:demo", "--auto-approve"]
    refused = _wb(db, "run", f"--fix it with password={IN_TASK_PW}", *common)
    assert refused.returncode == 2 and IN_TASK_PW not in refused.stderr + refused.stdout
    assert '"--"' in refused.stderr and "--task-file" in refused.stderr
    dashed = _wb(db, "run", *common, "--", "-" + demo_task())
    assert dashed.returncode == 0, dashed.stderr
    task_file = tmp_path / "task.md"
    task_file.write_text(demo_task() + f"\ntoken={IN_FILE_GH}\n")
    from_file = _wb(db, "run", "--task-file", str(task_file), *common)
    assert from_file.returncode == 0, from_file.stderr
    listed = _wb(db, "runs", "--json").stdout
    assert demo_task()[:20] in listed and IN_FILE_GH not in listed
