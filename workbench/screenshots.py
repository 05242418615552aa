"""``python -m workbench.screenshots [DIR]``: SVGs of each main screen into ``screenshots/``.

Everything is real: the bundled demo runs live in the app (driven headless with keys), and
each screen is saved as the user would see it.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from textual.pilot import Pilot

from workbench.config import WorkbenchSettings
from workbench.demo import DEMO_MODEL, demo_task, prepare_demo_repo
from workbench.engine.config import RunConfig
from workbench.store import RunStore

WIDE = (160, 48)
NARROW = (80, 24)


async def _until(pilot: Pilot[None], check: object, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():  # type: ignore[operator]
        if loop.time() > end:
            raise TimeoutError("the demo did not reach the expected state")
        await pilot.pause(0.05)


async def _live(out: Path, tmp: Path, size: tuple[int, int], suffix: str) -> list[Path]:
    from workbench.tui.launch import WorkbenchTUI
    from workbench.tui.screens.run_base import RunScreen

    store = RunStore(tmp / f"runs{suffix}.db")
    config = RunConfig(task=demo_task(), repo=str(prepare_demo_repo(tmp)), model=DEMO_MODEL)
    app = WorkbenchTUI(store, WorkbenchSettings(), demo=config)
    saved: list[Path] = []

    def save(name: str) -> None:
        path = out / f"{name}{suffix}.svg"
        app.save_screenshot(path.name, path=str(out))
        saved.append(path)

    def gate(name: str | None) -> bool:
        screen = app.screen
        return isinstance(screen, RunScreen) and screen.view.pending_approval == name

    async with app.run_test(size=size) as pilot:
        await _until(pilot, lambda: gate("spec"))
        await pilot.pause(0.3)
        save("run-spec-gate")
        await pilot.press("a")
        await _until(pilot, lambda: gate("final"))
        await pilot.press("space")  # leave the README hunk out
        await pilot.pause(0.3)
        save("run-final-gate")
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.view.finished)
        await pilot.press("escape")
        await pilot.pause(0.3)
        save("run-list")
        await pilot.press("n")
        await pilot.pause(0.3)
        save("new-run")
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, RunScreen)
                     and bool(getattr(app.screen, "_events", None)))
        await pilot.press("g", *"40", "enter")
        await pilot.pause(0.3)
        save("replay")
        await pilot.press("f1")
        await pilot.pause(0.3)
        save("help")
    return saved


async def _shoot(out: Path, tmp: Path) -> list[Path]:
    return [*await _live(out, tmp, WIDE, ""), *await _live(out, tmp, NARROW, "-80x24")]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbench-shots-") as tmp:
        os.environ["WORKBENCH_CONFIG"] = str(Path(tmp) / "config.yaml")
        for path in asyncio.run(_shoot(out.resolve(), Path(tmp))):
            print(path)


if __name__ == "__main__":
    main()
