"""Under bwrap and docker a command cannot write outside the worktree (the user's checkout,
its .git, HOME, /tmp), read a secret in HOME, or reach the host over TCP or a UNIX socket.
What counts is the host's side: files hashed before and after, paths that must not appear.
The local runner, run against the same attack, shows that these checks can fail."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sandbox.conftest import Checkout, MakeSandbox
from workbench.sandbox import Sandbox

# Tries every escape and reports each as "ok[: data]" or "blocked: <error>".
ATTACK = r'''
import json, os, socket, subprocess, sys
t = json.loads(sys.argv[1])
out = {}
def attempt(name, fn):
    try:
        out[name] = "ok: " + str(fn() or "")[:200]
    except Exception as exc:
        out[name] = "blocked: " + type(exc).__name__
def write(path, mode="a"):
    with open(path, mode) as f:
        f.write("escaped\n")
def read(path):
    with open(path) as f:
        return f.read()
def connect(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(address)
def commit():
    done = subprocess.run(["git", "-c", "user.name=x", "-c", "user.email=x@x", "commit",
                           "--allow-empty", "-m", "from a test"], capture_output=True)
    if done.returncode:
        raise RuntimeError(done.stderr.decode()[:100])
attempt("worktree", lambda: write("written_by_test.txt", "w"))
attempt("checkout_file", lambda: write(t["checkout"] + "/README.md"))
attempt("checkout_new", lambda: write(t["checkout"] + "/pwned.txt"))
attempt("git_hook", lambda: write(t["checkout"] + "/.git/hooks/pre-commit", "w"))
attempt("git_config", lambda: write(t["checkout"] + "/.git/config"))
attempt("git_worktree_meta", lambda: write(t["checkout"] + "/.git/worktrees/run1/HEAD"))
attempt("worktree_git_file", lambda: write(".git", "w"))
attempt("git_commit", commit)
attempt("home", lambda: write(t["home_file"], "w"))
attempt("tmp", lambda: write(t["tmp_file"], "w"))
attempt("ssh_key", lambda: read(t["ssh_key"]))
attempt("tcp", lambda: connect(socket.AF_INET, ("127.0.0.1", t["port"])))
for name in ("unix_checkout", "unix_tmp"):
    attempt(name, lambda: connect(socket.AF_UNIX, t[name]))
attempt("unix_abstract", lambda: connect(socket.AF_UNIX, "\0" + t["abstract"]))
print(json.dumps(out))
'''


@dataclass
class Host:
    """What the host offers a command that breaks out; all removed afterwards."""

    targets: dict[str, object]
    home_file: Path
    tmp_file: Path
    ssh_dir: Path
    secret: str


@pytest.fixture
def host(checkout: Checkout) -> Iterator[Host]:
    tag = uuid.uuid4().hex[:10]
    home = Path(os.path.expanduser("~"))
    ssh_dir = home / f".workbench-test-ssh-{tag}"  # stands for ~/.ssh; removed afterwards
    ssh_dir.mkdir(mode=0o700)
    secret = f"PRIVATE-KEY-{tag}"
    (ssh_dir / "id_ed25519").write_text(secret)
    tmp_dir = Path(tempfile.mkdtemp(prefix="wb-host-"))
    sockets = []
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    sockets.append(tcp)
    paths = {"unix_checkout": str(checkout.repo / "h.sock"), "unix_tmp": str(tmp_dir / "h.sock")}
    for path in (*paths.values(), f"\0wb-{tag}"):
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.listen()
        sockets.append(s)
    checkout.before = checkout.hashes()  # the socket file is part of the checkout now
    home_file, tmp_file = home / f"wb-escape-{tag}", Path(tempfile.gettempdir()) / f"wb-{tag}"
    targets = {"checkout": str(checkout.repo), "home_file": str(home_file),
               "tmp_file": str(tmp_file), "ssh_key": str(ssh_dir / "id_ed25519"),
               "port": tcp.getsockname()[1], "abstract": f"wb-{tag}", **paths}
    try:
        yield Host(targets, home_file, tmp_file, ssh_dir, secret)
    finally:
        for s in sockets:
            s.close()
        shutil.rmtree(ssh_dir, ignore_errors=True)
        shutil.rmtree(tmp_dir, ignore_errors=True)
        for leftover in (home_file, tmp_file):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def attack(box: Sandbox, host: Host) -> dict[str, str]:
    (box.root / "attack.py").write_text(ATTACK)
    result = box.run(["python", "attack.py", json.dumps(host.targets)], approved=True)
    assert result.exit_code == 0, result.output
    (box.root / "attack.py").unlink()
    return dict(json.loads(result.output.strip().splitlines()[-1]))


def test_a_jailed_command_cannot_escape(make_sandbox: MakeSandbox, checkout: Checkout,
                                       host: Host) -> None:
    box = make_sandbox(checkout.wt, timeout_s=30)
    seen = attack(box, host)
    assert seen["worktree"].startswith("ok")  # the worktree is writable: the attack ran
    assert (checkout.wt / "written_by_test.txt").read_text() == "escaped\n"
    # the host's side: nothing outside the worktree changed or appeared
    assert checkout.hashes() == checkout.before
    assert not host.home_file.exists() and not host.tmp_file.exists()
    assert (checkout.wt / ".git").read_text().startswith("gitdir:")
    for name in ("git_commit", "ssh_key", "tcp", "unix_checkout", "unix_tmp", "unix_abstract"):
        assert seen[name].startswith("blocked"), (name, seen[name])
    assert host.secret not in json.dumps(seen)


def test_the_local_runner_is_not_a_jail(checkout: Checkout, host: Host) -> None:
    box = Sandbox(checkout.wt, timeout_s=30, backend="local", isolate_network=False)
    seen = attack(box, host)
    assert box.warning == "local runner: not a jail" + box.warning.split("not a jail")[1]
    assert checkout.hashes() != checkout.before and host.tmp_file.exists()
    assert seen["tcp"] == "ok: " and seen["unix_tmp"] == "ok: "
    assert host.secret in seen["ssh_key"]


SHARED_PROBE = """
import json, pathlib, sys
out = {"read": pathlib.Path("node_modules/dep/index.js").read_text()}
try:
    pathlib.Path("node_modules/dep/index.js").write_text("changed")
    out["write"] = "written"
except OSError as exc:
    out["write"] = "blocked " + type(exc).__name__
out["checkout"] = "seen" if pathlib.Path(sys.argv[1], "README.md").exists() else "hidden"
print(json.dumps(out))
"""


def test_the_checkouts_node_modules_are_shown_read_only(make_sandbox: MakeSandbox,
                                                       checkout: Checkout) -> None:
    from workbench.worktree_deps import shared_dependencies

    for root in (checkout.repo, checkout.wt):
        (root / "package.json").write_text("{}\n")
    (checkout.repo / "node_modules" / "dep").mkdir(parents=True)
    (checkout.repo / "node_modules" / "dep" / "index.js").write_text("module.exports = 1;\n")
    box = make_sandbox(checkout.wt, timeout_s=30,
                       shared=shared_dependencies(checkout.repo, checkout.wt))
    (checkout.wt / "probe.py").write_text(SHARED_PROBE)
    result = box.run(["python", "probe.py", str(checkout.repo)], approved=True)
    assert result.exit_code == 0, result.output
    seen = json.loads(result.output.strip().splitlines()[-1])
    assert seen == {"read": "module.exports = 1;\n", "write": seen["write"],
                    "checkout": "hidden"} and seen["write"].startswith("blocked")
    assert (checkout.repo / "node_modules/dep/index.js").read_text() == "module.exports = 1;\n"
