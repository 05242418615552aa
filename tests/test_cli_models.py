"""`workbench models` as a user runs it: the listing, --check against local fake providers,
one line per failure and the exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_anthropic import FakeAnthropicServer
from tests.fake_ollama import FakeOllamaServer
from tests.fake_openai import FakeOpenAIServer

PROBE_REPLIES: list[Any] = ["OK", {"tool_calls": [{"name": "ping", "arguments": {"value": 7}}]}]
KEYS = ("OPENAI", "WORKBENCH", "ANTHROPIC", "AZURE", "GEMINI", "OLLAMA", "TEST_")


def wb(tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(KEYS)}
    env.update(WORKBENCH_DB=str(tmp_path / "data" / "runs.db"),
               WORKBENCH_CONFIG=str(tmp_path / "config.yaml"), **env_extra)
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
                          check=False)


def write_config(tmp_path: Path, anthropic: str, openai: str, ollama: str) -> None:
    (tmp_path / "config.yaml").write_text(f"""
models:
  default: standard
  roles: {{reviewer: strong}}
  models:
    strong: {{provider: "anthropic:claude-sonnet-4-5", base_url: "{anthropic}",
              key_env: TEST_ANTHROPIC_KEY, price_in_per_mtok: 3, price_out_per_mtok: 15}}
    standard: {{provider: openai, model: qwen2.5-coder, base_url: "{openai}"}}
    small: {{provider: "ollama:qwen2.5-coder:7b", base_url: "{ollama}"}}
""")


@pytest.fixture
def servers() -> Iterator[tuple[FakeAnthropicServer, FakeOpenAIServer, FakeOllamaServer]]:
    with FakeAnthropicServer(PROBE_REPLIES) as anth, FakeOpenAIServer(PROBE_REPLIES) as oai, \
            FakeOllamaServer(PROBE_REPLIES) as oll:
        yield anth, oai, oll


def test_listing_shows_named_models_and_each_roles_choice(tmp_path: Path) -> None:
    write_config(tmp_path, "http://127.0.0.1:1", "http://127.0.0.1:2/v1", "http://127.0.0.1:3")
    proc = wb(tmp_path, "models", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [m["name"] for m in data["models"]] == ["strong", "standard", "small"]
    strong = data["models"][0]
    assert (strong["model"], strong["price_in_per_mtok"], strong["price_out_per_mtok"]) == (
        "anthropic:claude-sonnet-4-5", 3, 15)
    assert data["roles"]["developer"] == {"work": "openai:qwen2.5-coder",
                                          "high_risk": "anthropic:claude-sonnet-4-5"}
    assert data["roles"]["reviewer"]["work"] == "anthropic:claude-sonnet-4-5"
    assert data["summary"] == "ollama:qwen2.5-coder:7b"

    text = wb(tmp_path, "models")
    assert text.returncode == 0, text.stderr
    assert "  strong    anthropic:claude-sonnet-4-5 @ http://127.0.0.1:1  $3.00/$15.00 per Mtok" \
        in text.stdout
    assert "  developer     openai:qwen2.5-coder | anthropic:claude-sonnet-4-5" in text.stdout


def test_check_probes_a_reply_and_a_tool_call_per_model(
    tmp_path: Path, servers: tuple[FakeAnthropicServer, FakeOpenAIServer, FakeOllamaServer]
) -> None:
    anth, oai, oll = servers
    write_config(tmp_path, anth.endpoint, oai.base_url, oll.endpoint)
    proc = wb(tmp_path, "models", "--check", TEST_ANTHROPIC_KEY="sk-ant-probe")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.split("checks:\n")[1].splitlines()
    assert [line.split()[:2] for line in lines] == [["ok", "strong"], ["ok", "standard"],
                                                    ["ok", "small"]]
    assert all("reply " in line and " ms, tool call " in line for line in lines)
    assert anth.headers[0]["x-api-key"] == "sk-ant-probe"
    assert anth.requests[0]["max_tokens"] == 1 and anth.requests[0]["stream"] is True
    assert oai.requests[0]["max_tokens"] == 1
    assert oll.requests[0]["options"]["num_predict"] == 1
    for tool_request in (oai.requests[1], oll.requests[1]):
        assert [t["function"]["name"] for t in tool_request["tools"]] == ["ping"]
    assert [t["name"] for t in anth.requests[1]["tools"]] == ["ping"]


def test_each_failure_is_one_line_and_the_exit_code_says_so(tmp_path: Path) -> None:
    refused = [{"status": 401, "error": "invalid api key"}]
    with FakeOpenAIServer(refused) as oai, FakeOllamaServer(["OK", "pong, I think"]) as oll:
        write_config(tmp_path, "http://127.0.0.1:1", oai.base_url, oll.endpoint)
        proc = wb(tmp_path, "models", "--check")
        openai_url, ollama_url = oai.base_url, oll.endpoint
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.split("checks:\n")[1].splitlines()
    assert lines == [
        "FAIL  strong   anthropic:claude-sonnet-4-5 @ http://127.0.0.1:1  TEST_ANTHROPIC_KEY is "
        "not set (needed for anthropic:claude-sonnet-4-5)",
        f"FAIL  standard openai:qwen2.5-coder @ {openai_url}  provider refused the request "
        "(HTTP 401): invalid api key",
        lines[2],
    ]
    assert lines[2].startswith(f"FAIL  small    ollama:qwen2.5-coder:7b @ {ollama_url}  "
                               "replies in ")
    assert lines[2].endswith("ms but tool calls do not work (it answered in text): "
                             "the agents need them")


def test_a_bad_name_in_config_fails_the_listing(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("models:\n  roles: {developer: strongest}\n")
    proc = wb(tmp_path, "models")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert ("  developer     error: models.roles.developer 'strongest' is neither a named "
            "model (none configured) nor a provider string (PROVIDER:MODEL)") in proc.stdout


def test_the_command_never_imports_textual(tmp_path: Path) -> None:
    code = ("import sys\nfrom click.testing import CliRunner\nfrom workbench.cli import cli\n"
            "result = CliRunner().invoke(cli, ['models', '--check', '--json'])\n"
            "assert result.exit_code == 0, result.output\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(KEYS)}
    env["WORKBENCH_CONFIG"] = str(tmp_path / "none.yaml")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, timeout=120)
    assert out.stdout.strip() == "[]"
