from __future__ import annotations

import pytest
from autogen_core.models import CreateResult, UserMessage

from workbench.models import (
    ModelCallRecord,
    RecordingChatCompletionClient,
    ScriptedChatCompletionClient,
    ScriptExhausted,
    cost,
)

DATA = {"roles": {"developer": [{"content": "a" * 400}, {"content": "b" * 40}]}}
MESSAGES = [UserMessage(content="q" * 4000, source="user")]


def _wrap(
    label: str = "scripted:unit",
) -> tuple[RecordingChatCompletionClient, list[ModelCallRecord]]:
    records: list[ModelCallRecord] = []
    inner = ScriptedChatCompletionClient.from_data(DATA, "developer")
    return RecordingChatCompletionClient(inner, label, records.append), records


async def test_create_is_recorded_with_usage_and_latency() -> None:
    client, records = _wrap()
    result = await client.create(MESSAGES)
    assert result.content == "a" * 400
    [record] = records
    assert (record.prompt_tokens, record.completion_tokens) == (1000, 100)
    assert record.model == "scripted:unit" and record.cost == 0.0
    assert record.finish_reason == "stop" and record.error is None and not record.streamed
    assert record.latency_ms >= 0
    assert record.as_payload()["prompt_tokens"] == 1000


async def test_stream_is_recorded_once_when_the_result_arrives() -> None:
    client, records = _wrap()
    items = [item async for item in client.create_stream(MESSAGES)]
    assert isinstance(items[-1], CreateResult) and len(items) > 2
    [record] = records
    assert record.streamed and record.completion_tokens == 100


async def test_failed_call_is_recorded_then_raised() -> None:
    client, records = _wrap()
    await client.create(MESSAGES)
    await client.create(MESSAGES)
    with pytest.raises(ScriptExhausted):
        await client.create(MESSAGES)
    with pytest.raises(ScriptExhausted):
        [item async for item in client.create_stream(MESSAGES)]
    assert [r.error is None for r in records] == [True, True, False, False]
    assert (
        records[2].error
        == "ScriptExhausted: scripted model for role developer has no response #3 left"
    )
    assert records[2].finish_reason == "error" and records[3].streamed


async def test_known_openai_model_is_priced_from_usage() -> None:
    client, records = _wrap("openai:gpt-4o-mini")
    await client.create(MESSAGES)
    assert records[0].cost == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1_000_000)


def test_delegates_model_facts_to_the_inner_client() -> None:
    client, _ = _wrap()
    assert client.model_info == client.inner.model_info
    assert client.count_tokens(MESSAGES) == 1000
    assert client.remaining_tokens(MESSAGES) == client.inner.remaining_tokens(MESSAGES)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o-mini", 0.75),
        ("openai:gpt-4o", 12.5),
        ("openai:gpt-4o-mini-2024-07-18", 0.75),
        ("openai:gpt-4o-2024-08-06", 12.5),
        ("openai:my-local-model", 0.0),
        ("scripted:demo", 0.0),
        ("ollama:gpt-4o", 0.0),
    ],
)
def test_cost_per_million_tokens(model: str, expected: float) -> None:
    assert cost(model, 1_000_000, 1_000_000) == pytest.approx(expected)
