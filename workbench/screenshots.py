"""``python -m workbench.screenshots``: SVGs of each main screen into ``screenshots/``.

Everything is real: the demo runs headless into a temporary store, then the app is driven
headless at the size of a roomy terminal and each screen is saved.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from workbench.config import WorkbenchSettings
from workbench.demo import freeze_times, record_demo_run
from workbench.store import RunStore

SIZE = (160, 48)


async def _shoot(out: Path, tmp: Path) -> list[Path]:
    from workbench.tui.launch import WorkbenchTUI
    from workbench.tui.screens.run import RunScreen

    store = RunStore(tmp / "runs.db")
    await record_demo_run(store, "demo-spec-gate", "spec", parent=tmp)
    await record_demo_run(store, "demo-final-gate", "final", parent=tmp)
    await record_demo_run(store, "demo-approved", "done", parent=tmp)
    for n, run_id in enumerate(("demo-spec-gate", "demo-final-gate", "demo-approved")):
        freeze_times(store, run_id, 1_714_554_000.0 + n * 3600)
    saved: list[Path] = []
    app = WorkbenchTUI(store, WorkbenchSettings())

    def save(name: str) -> None:
        path = out / f"{name}.svg"
        app.save_screenshot(str(path.name), path=str(out))
        saved.append(path)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        save("run-list")
        await pilot.press("n")
        await pilot.pause(0.2)
        save("new-run")
        await pilot.press("escape")
        for run_id, name in (("demo-spec-gate", "run-spec-gate"),
                             ("demo-final-gate", "run-final-gate")):
            await app.push_screen(RunScreen(store, run_id))
            await pilot.pause(0.5)
            save(name)
            app.pop_screen()
        await app.push_screen(RunScreen(store, "demo-approved", replay=True))
        await pilot.pause(1.0)
        for _ in range(40):
            await pilot.press("left")
        await pilot.pause(0.3)
        save("replay")
        await pilot.press("f1")
        await pilot.pause(0.2)
        save("help")
    return saved


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbench-shots-") as tmp:
        os.environ["WORKBENCH_CONFIG"] = str(Path(tmp) / "config.yaml")
        for path in asyncio.run(_shoot(out.resolve(), Path(tmp))):
            print(path)


if __name__ == "__main__":
    main()
