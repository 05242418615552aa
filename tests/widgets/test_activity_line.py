"""The activity line says which role is doing what, for how long, with its tokens so far."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult

from agents.events import (
    AgentMessage,
    EventBase,
    ModelCall,
    ModelChunk,
    ModelRetry,
    RunStarted,
    ToolCall,
    ToolResult,
    TurnStarted,
)
from agents.run_state import RunState
from widgets.activity_line import ActivityLine


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ActivityLine()


async def test_the_line_follows_a_turn_from_waiting_to_done() -> None:
    app = _Host()
    async with app.run_test() as pilot:
        line = app.query_one(ActivityLine)
        view = RunState()
        start = time.time() - 12

        def feed(event: EventBase) -> str:
            view.apply(event)
            line.follow(event, view)
            return line.text()

        feed(RunStarted(role="system", ts=start, task="t", repo="r", branch="b", worktree="w",
                        base_commit="c", model="openai:gpt-4.1",
                        models={"developer": "openai:gpt-4.1"}))
        assert line.has_class("-idle")
        assert feed(TurnStarted(role="developer", ts=start, turn=1)) == \
            "developer · waiting for openai:gpt-4.1 · 12 s"
        assert not line.has_class("-idle")
        text = feed(ModelCall(role="developer", model="openai:gpt-4.1", prompt_tokens=3100,
                              completion_tokens=20))
        assert text.startswith("developer · waiting for openai:gpt-4.1 · 0 s")
        assert text.endswith("3.1k tokens in")
        assert feed(ToolCall(role="developer", name="open_file")).startswith(
            "developer · running open_file")
        feed(ToolResult(role="developer", name="open_file"))
        assert "retrying openai:gpt-4.1 (rate_limit, 2/5)" in feed(ModelRetry(
            role="developer", attempt=2, max_attempts=5, fault="rate_limit"))
        feed(ModelChunk(role="developer", text="Hello "))
        assert "developer · streaming" in feed(ModelChunk(role="developer", text="world"))
        assert "11 chars" in line.text()
        await pilot.pause()
        assert feed(AgentMessage(role="developer", content="done")) == ""
        assert line.has_class("-idle")
