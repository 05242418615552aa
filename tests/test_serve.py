"""`workbench serve` driven in headless Chromium: the real command on a free 127.0.0.1 port, a
temp store, the page's xterm.js screen read back, keys typed into it.

The browser is Debian's chromium (Playwright drives it; nothing is downloaded); the page may
reach 127.0.0.1 only, and any other request fails the test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from workbench.cli_serve import app_command, is_loopback
from workbench.demo import record_demo_run
from workbench.store import RunStore

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)")

# textual-serve keeps its xterm.js Terminal in a module-local object; it is stored with a plain
# `this.terminal = new Terminal(...)`, so a setter on Object.prototype sees it arrive. The screen
# is then read from the terminal's buffer: what the canvas shows, as text.
READ_SCREEN_HOOK = """
window.__terminals = [];
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'terminal',
      {value, writable: true, configurable: true, enumerable: true});
    window.__terminals.push(value);
  },
});
window.__screenText = () => {
  const term = window.__terminals[0];
  if (!term) return null;
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : '');
  }
  return rows.join('\\n');
};
"""
WAIT_FOR_TEXTS = """(texts) => {
  const screen = window.__screenText();
  return screen !== null && texts.every((t) => screen.includes(t));
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _store_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(WORKBENCH_DB=str(root / "runs.db"), WORKBENCH_DATA_DIR=str(root),
               WORKBENCH_CONFIG=str(root / "config.yaml"), TMPDIR=str(root))
    return env


@contextmanager
def serving(root: Path, *args: str) -> Iterator[str]:
    """``workbench serve`` on a free port with the store under ``root``; yields its URL once
    it accepts connections and stops it (and every app it started) afterwards."""
    port = _free_port()
    log = (root / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", str(port), *args],
        env=_store_env(root), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=root)  # outside any repository: the app opens on its list
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited {proc.returncode}: {(root / 'serve.log').read_text()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                pytest.fail("serve did not listen within 15 s")
            time.sleep(0.05)  # polling the port, a condition; the server says nothing sooner
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            # an open tab must not hold the exit: its app is told to quit and awaited
            proc.wait(timeout=15)
            with pytest.raises(ProcessLookupError):
                os.killpg(proc.pid, 0)  # no app outlived the server
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            log.close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM is not None
    # Host names resolve to nothing but 127.0.0.1: a request elsewhere cannot leave the machine
    # even if it slipped past the page's route guard below.
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A 1280x800 page that can read its terminal; the second item lists every request the
    page tried to make to a host other than 127.0.0.1 (each one refused)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []

    def guard(route: Route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.add_init_script(READ_SCREEN_HOOK)
    yield context.new_page(), outside
    context.close()


def screen_text(page: Page) -> str:
    text = page.evaluate("() => window.__screenText()")
    return text if isinstance(text, str) else ""


def wait_for_screen(page: Page, *texts: str, timeout_s: float = 15) -> str:
    """The terminal's text once it holds every one of ``texts``."""
    try:
        page.wait_for_function(WAIT_FOR_TEXTS, arg=list(texts), timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        pytest.fail(f"the page never showed {texts!r}; it shows:\n{screen_text(page)}")
    return screen_text(page)


def press(page: Page, key: str) -> None:
    """A key typed into the terminal, as a user's after clicking into it."""
    page.locator(".xterm-helper-textarea").focus()
    page.keyboard.press(key)


@pytest.fixture(scope="module")
def finished_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served")
    asyncio.run(record_demo_run(RunStore(root / "runs.db"), "served-run", "done", parent=root))
    return root


@needs_chromium
def test_the_run_list_and_a_finished_run_open_in_the_browser(
    finished_store: Path, page: tuple[Page, list[str]]
) -> None:
    tab, outside = page
    with serving(finished_store) as url:
        tab.goto(url)
        runs = wait_for_screen(tab, "Warehouse staff need to see", "served-run", "Open run")
        assert "approved" in runs
        press(tab, "Enter")
        run = wait_for_screen(tab, "REPLAY", "Conversation", "Diff", "Tests", "INV-7")
        assert "Open run" not in run  # the run screen replaced the list
        assert "SCRIPTED" in run and "APPROVED" in run
    assert outside == []


@needs_chromium
def test_the_demo_runs_in_the_browser_and_takes_the_approval_key(
    tmp_path: Path, page: tuple[Page, list[str]]
) -> None:
    tab, outside = page
    with serving(tmp_path, "--demo") as url:
        tab.goto(url)
        gate = wait_for_screen(tab, "spec gate", "feature_id: INV-7", timeout_s=20)
        assert "SCRIPTED" in gate
        press(tab, "a")
        final = wait_for_screen(tab, "final gate", timeout_s=20)
        assert "spec gate" not in final
    assert outside == []
    runs = RunStore(tmp_path / "runs.db").runs()
    assert [(r.status, r.prompt_tokens > 0) for r in runs] == [("INTERRUPTED", True)]


def test_serve_refuses_a_public_address_without_public(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "example.org"):
        result = subprocess.run(
            [sys.executable, "-m", "workbench", "serve", "--host", host],
            env=_store_env(tmp_path), capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert f"--host {host} would let anyone" in result.stderr
        assert "--public" in result.stderr


def test_serve_names_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "workbench", "serve", "--port", str(port)],
            env=_store_env(tmp_path), capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr == f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.4", False),
    ("my-laptop.lan", False)])
def test_only_loopback_hosts_need_no_public_flag(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_each_session_runs_workbench_on_the_same_store(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    assert app_command(db, demo=False) == f"{sys.executable} -m workbench --db {db}"
    assert app_command(None, demo=True) == f"{sys.executable} -m workbench demo"
