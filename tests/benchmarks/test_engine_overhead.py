"""Engine overhead per agent turn (scripted model), against bare AutoGen in the same run.

Run with: make bench
Overhead = median(a turn through the engine's own ``turn``: turn_started, budgets, the event
bus and SQLite store, the fold, call recording, the agent's saved state and the turn's
agent_message) - median(the same AssistantAgent turn consumed directly). Target: under 5 ms.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from autogen_agentchat.agents import AssistantAgent

from agents.contracts import Role
from workbench.engine.base import PipelineBase
from workbench.engine.budgets import Budgets
from workbench.engine.config import RunConfig
from workbench.engine.control import RunControl
from workbench.models import (
    ModelCallRecord,
    RecordingChatCompletionClient,
    ScriptedChatCompletionClient,
)
from workbench.store import RunStore

TURNS = 300
TEXT = "Implemented the change and documented it. " * 8


def _script(n: int) -> dict[str, object]:
    calls = [{"name": "echo", "arguments": {"text": "x"}}]
    entries: list[dict[str, object]] = []
    for _ in range(n):
        entries += [{"tool_calls": calls}, {"content": TEXT}]
    return {"name": "bench", "roles": {"developer": entries}}


def echo(text: str) -> str:
    """Return the text."""
    return text


async def _measure(n: int, db: Path) -> tuple[list[float], list[float]]:
    """Interleave bare and engine turns so machine noise hits both alike."""
    bare_agent = AssistantAgent(
        "developer", ScriptedChatCompletionClient.from_data(_script(n), "developer"),
        tools=[echo], model_client_stream=True, max_tool_iterations=4,
    )
    store = RunStore(db)
    store.create_run("bench", "t", "/r", "scripted:bench")
    budgets = Budgets(max_turns=10**9, max_tool_calls=10**9, max_tokens=10**12, max_cost=10**9)
    pipeline = PipelineBase(store, "bench", RunConfig(task="t", repo="/r", budgets=budgets),
                            RunControl(interactive=False))
    pipeline.bus.subscribe(lambda e: None)

    def on_call(rec: ModelCallRecord) -> None:
        pipeline._on_model_call(Role.DEVELOPER, rec)

    inner = ScriptedChatCompletionClient.from_data(_script(n), "developer")
    client = RecordingChatCompletionClient(inner, "scripted:bench", on_call)
    engine_agent = AssistantAgent(
        "developer", client, tools=[echo], model_client_stream=True, max_tool_iterations=4,
    )
    pipeline._agents[Role.DEVELOPER] = engine_agent
    bare, engine = [], []
    for _turn in range(n):
        start = time.perf_counter()
        async for _item in bare_agent.run_stream(task="go"):
            pass
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        await pipeline.turn(Role.DEVELOPER, "go")
        engine.append(time.perf_counter() - start)
    return bare, engine


async def test_engine_overhead_per_turn_is_under_5ms(tmp_path: Path) -> None:
    await _measure(20, tmp_path / "warm.db")  # warm imports and caches
    bare_t, engine_t = await _measure(TURNS, tmp_path / "bench.db")
    bare, engine = statistics.median(bare_t), statistics.median(engine_t)
    overhead_ms = (engine - bare) * 1000
    print(f"\nper turn (median of {TURNS}): bare AutoGen {bare * 1000:.2f} ms, through the engine "
          f"{engine * 1000:.2f} ms, overhead {overhead_ms:.2f} ms ({engine / bare:.2f}x)")
    assert overhead_ms < 5.0
