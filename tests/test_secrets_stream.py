"""Streamed text is masked even when a secret is split across chunks; printed text carries
no terminal control; logs are masked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agents.events import ModelChunk
from agents.redact import MASK, MaskingLogFilter, StreamMasker, printable
from agents.secret_scan import known
from workbench.engine.bus import EventBus
from workbench.store import RunStore

KEY = "sk-ant-api03-" + "Qw8eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6qW5eR4tY3uI2oP1"
PEM = ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
       * 20 + "\n-----END OPENSSH PRIVATE KEY-----")


@pytest.fixture(autouse=True)
def _fresh_memory() -> None:
    known.clear()  # a value found by an earlier test would make these pass for that reason


def _stream(text: str, size: int) -> str:
    masker = StreamMasker()
    out = [masker.feed(text[i:i + size]) for i in range(0, len(text), size)]
    return "".join(out) + masker.flush()


@pytest.mark.parametrize("size", [1, 3, 7, 64, 500])
@pytest.mark.parametrize("secret", [KEY, "DB_PASSWORD=Pq7zLm2xR9tVb", PEM])
def test_a_secret_split_across_chunks_is_masked(secret: str, size: int) -> None:
    text = "Here is what I found: " + "word " * 150 + secret + " and then more text." * 40
    out = _stream(text, size)
    assert secret.split("=")[-1][:40] not in out and MASK in out
    assert out.startswith("Here is what I found:") and out.endswith("more text.")


def test_the_masker_holds_back_a_bounded_tail() -> None:
    masker = StreamMasker()
    released = "".join(masker.feed("plain words " * 10) for _ in range(100))
    assert masker.pending <= 600 and len(released) > 10_000


def test_the_bus_masks_chunks_per_role_and_releases_the_tail_with_the_message(
        tmp_path: Path) -> None:
    bus = EventBus(RunStore(tmp_path / "runs.db"), "r1")
    bus.store.create_run("r1", "t", "/r", "m")
    seen: list[tuple[str, str]] = []
    bus.subscribe(lambda e: seen.append((e.kind, e.text if isinstance(e, ModelChunk) else "")))
    for i in range(0, len(KEY), 5):
        bus.emit("model_chunk", "developer", text=("use " if i == 0 else "") + KEY[i:i + 5])
    bus.emit("agent_message", "developer", content=f"use {KEY}")
    streamed = "".join(text for kind, text in seen if kind == "model_chunk")
    assert streamed == f"use {MASK}" and seen[-1][0] == "agent_message"
    assert KEY not in repr(bus.store.events("r1"))


def test_printable_strips_terminal_control_but_keeps_newlines_and_tabs() -> None:
    assert printable("a\x1b[31mred\x1b[0m\tb\r\nc\rd\x07\x9b2J\u202eevil") == "ared\tb\nc\ndevil"
    assert printable("\x1b]0;title\x07ok") == "ok"


def test_log_records_are_masked() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling with %s", (KEY,), None)
    MaskingLogFilter().filter(record)
    assert record.getMessage() == f"calling with {MASK}"
