import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from workbench.sandbox import DEFAULT_ALLOW, Sandbox, docker_available

PY_C = [("python", "-c")]


def gone(pid: int) -> bool:
    """The process no longer runs (it may linger as a zombie until reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    (tmp_path / "test_bad.py").write_text("def test_bad():\n    assert 1 + 1 == 3\n")
    return tmp_path


def test_pytest_exit_codes_and_real_output(project: Path) -> None:
    sandbox = Sandbox(project, timeout_s=60)
    ok = sandbox.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_ok.py"])
    assert (ok.exit_code, ok.blocked, ok.timed_out) == (0, False, False) and ok.ok
    assert "1 passed" in ok.output
    bad = sandbox.run(["pytest", "-q", "-p", "no:cacheprovider", "test_bad.py"])
    assert bad.exit_code == 1 and not bad.ok
    assert "assert (1 + 1) == 3" in bad.output and "1 failed" in bad.output


async def test_run_async_matches_run(project: Path) -> None:
    result = await Sandbox(project, timeout_s=60).run_async(
        ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_bad.py"])
    assert result.exit_code == 1 and "1 failed" in result.output


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["rm", "-rf", "/"], "'rm' is not allowed"),
        (["bash", "-c", "touch MARKER"], "commands run without a shell"),
        (["curl", "http://example.com/x", "-o", "MARKER"], "'curl' is not allowed"),
        (["python", "-c", "open('MARKER', 'w')"], "python -c is not allowed"),
        (["/tmp/evil/pytest"], "by name, not by path"),
        (["pytest", "--basetemp=/"], "pytest --basetemp"),
        (["pytest", "../other"], "outside the worktree"),
        (["pytest", "-k", "a\x00b"], "NUL byte"),
        ("pytest -q; touch MARKER", "non-empty list"),
        ([], "non-empty list"),
    ],
)
def test_blocked_commands_are_not_executed(tmp_path: Path, argv: list[str], reason: str) -> None:
    sandbox = Sandbox(tmp_path)
    assert reason in (sandbox.check(argv) or "")
    result = sandbox.run(argv)
    assert result.blocked and reason in result.reason and result.exit_code is None
    assert "\n" not in result.reason
    assert not (tmp_path / "MARKER").exists()


def test_human_approval_lifts_the_allow_list_only(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path)
    argv = ["python", "-c", "open('MARKER', 'w').write('x')"]
    assert sandbox.run(argv).blocked and not (tmp_path / "MARKER").exists()
    assert sandbox.run(argv, approved=True).exit_code == 0 and (tmp_path / "MARKER").exists()
    assert sandbox.run(["python", "-c", "\x00"], approved=True).blocked


def test_allowed_prefixes_and_metacharacters_stay_literal(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path)
    assert sandbox.check(["npm", "test"]) is None
    assert sandbox.check(["dotnet", "test", "--no-build"]) is None
    assert sandbox.check(["npm", "install"]) is not None
    assert ("python", "-m", "pytest") in DEFAULT_ALLOW
    quoted = Sandbox(tmp_path, allow=PY_C).run(
        ["python", "-c", "import sys; print(sys.argv[1:])", "a; b | c > d"])
    assert "['a; b | c > d']" in quoted.output  # data, never a shell
    substituted = Sandbox(tmp_path, allow=PY_C).run(
        ["python", "-c", "import sys; print(sys.argv[1:])", "$(touch MARKER); *"])
    assert substituted.blocked and "$(" in substituted.reason
    assert not (tmp_path / "MARKER").exists()


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    code = ("import subprocess, sys, time\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "open('child.pid', 'w').write(str(child.pid))\n"
            "print('started', flush=True)\n"
            "time.sleep(60)\n")
    start = time.monotonic()
    result = Sandbox(tmp_path, timeout_s=1.5, allow=PY_C, backend="local").run(
        ["python", "-c", code])
    assert time.monotonic() - start < 10
    assert result.timed_out and result.exit_code is None and not result.ok
    assert "timed out after 1.5 s" in result.reason and "started" in result.output
    assert gone(int((tmp_path / "child.pid").read_text()))


async def test_cancelling_run_async_kills_the_command(tmp_path: Path) -> None:
    code = "import os, time; open('pid', 'w').write(str(os.getpid())); time.sleep(60)"
    box = Sandbox(tmp_path, allow=PY_C, backend="local")
    task = asyncio.create_task(box.run_async(["python", "-c", code]))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if (tmp_path / "pid").exists() and (tmp_path / "pid").read_text():
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.2)
    assert gone(int((tmp_path / "pid").read_text()))


def test_environment_is_scrubbed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_TEST_API_KEY", "sk-leak")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://leak")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_leak")
    monkeypatch.setenv("HARMLESS_SETTING", "1")
    code = ("import os, sys, json; print(json.dumps({'env': dict(os.environ), "
            "'exe': sys.executable, 'cwd': os.getcwd()}))")
    result = Sandbox(tmp_path, allow=PY_C, extra_env={"FEATURE_FLAG": "on"},
                     backend="local").run(
        ["python", "-c", code])
    assert "leak" not in result.output
    import json
    seen = json.loads(result.output)
    env = seen["env"]
    assert "HARMLESS_SETTING" not in env and env["FEATURE_FLAG"] == "on"
    assert env["HOME"] != os.environ.get("HOME") and not Path(env["HOME"]).exists()
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert (env["LC_ALL"], env["PYTHONHASHSEED"], env["CI"]) == ("C.UTF-8", "0", "1")
    assert seen["exe"] == sys.executable
    assert Path(seen["cwd"]).resolve() == tmp_path.resolve()
    with pytest.raises(ValueError, match="secret-looking variables: OPENAI_API_KEY"):
        Sandbox(tmp_path, extra_env={"OPENAI_API_KEY": "x"})


def test_stdin_is_empty_and_limits_apply(tmp_path: Path) -> None:
    code = ("import resource, sys; print(repr(sys.stdin.read()), "
            "resource.getrlimit(resource.RLIMIT_AS)[0] == 4 << 30)")
    result = Sandbox(tmp_path, allow=PY_C).run(["python", "-c", code])
    assert result.output.strip() == "'' True"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_runs_without_an_address_space_cap(tmp_path: Path) -> None:
    # V8 reserves large address ranges for WebAssembly; a 4 GiB cap makes this fail.
    (tmp_path / "wasm.test.js").write_text(
        "const test = require('node:test');\n"
        "test('wasm', () => { new WebAssembly.Memory({ initial: 1 }); });\n")
    result = Sandbox(tmp_path, timeout_s=60).run(["node", "--test", "wasm.test.js"])
    assert result.exit_code == 0, result.output


def test_network_is_cut_when_isolation_is_available(tmp_path: Path) -> None:
    code = ("import socket\n"
            "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()\n"
            "socket.create_connection(srv.getsockname(), timeout=2); print('loopback ok')\n"
            "try:\n"
            "    socket.create_connection(('192.0.2.1', 80), timeout=1); print('outside ok')\n"
            "except OSError as exc:\n"
            "    print('outside blocked', exc.errno)\n")
    result = Sandbox(tmp_path, allow=PY_C).run(["python", "-c", code])
    assert "loopback ok" in result.output
    if result.network_isolated:
        assert "outside blocked" in result.output
    unisolated = Sandbox(tmp_path, allow=PY_C, isolate_network=False, backend="local").run(
        ["python", "-c", "0"])
    assert unisolated.exit_code == 0 and not unisolated.network_isolated


def test_huge_output_keeps_head_and_tail(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('HEAD\\n' + 'x' * 3_000_000 + '\\nTAIL\\n')"
    result = Sandbox(tmp_path, allow=PY_C, max_output_bytes=100_000).run(["python", "-c", code])
    assert result.exit_code == 0
    assert result.output.startswith("HEAD\n") and result.output.endswith("TAIL\n")
    assert "bytes of output omitted" in result.output and len(result.output) < 101_000


def test_missing_tool_and_missing_root_are_clear(tmp_path: Path) -> None:
    missing = Sandbox(tmp_path, allow=[("no-such-tool-xyz",)]).run(["no-such-tool-xyz"])
    assert missing.exit_code is None and not missing.blocked
    assert missing.reason == "command not found: no-such-tool-xyz"
    nowhere = Sandbox(tmp_path / "nope", allow=PY_C).run(["python", "-c", "0"])
    assert nowhere.exit_code is None and nowhere.reason.startswith("no such directory")


def test_docker_available_answers_quickly() -> None:
    start = time.monotonic()
    assert docker_available() in (True, False)
    assert time.monotonic() - start < 10
