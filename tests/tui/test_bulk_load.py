"""The app's collector policy around a replay's load: collection pauses while a worker
builds objects that all live on, and resumes when the last overlapping load ends."""

from __future__ import annotations

import gc
import threading

from workbench.tui.heap import bulk_load


def test_collection_pauses_until_the_last_overlapping_load_ends() -> None:
    assert gc.isenabled()
    first_in, release = threading.Event(), threading.Event()

    def other_load() -> None:
        with bulk_load():
            first_in.set()
            release.wait(10)

    thread = threading.Thread(target=other_load)
    thread.start()
    try:
        assert first_in.wait(10)
        with bulk_load():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other load is still going
    finally:
        release.set()
        thread.join(10)
    assert gc.isenabled()


def test_a_load_leaves_a_collector_paused_by_someone_else_paused() -> None:
    gc.disable()  # as the app does until its first frame
    try:
        with bulk_load():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
