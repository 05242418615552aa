"""The demo run as an OpenTelemetry trace: one trace, the span tree of run, phases, turns,
model calls, tool calls, sandbox commands and approval waits, with ids and counts only."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from workbench.demo import demo_task
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for


def _by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def _parent_name(spans: tuple[ReadableSpan, ...], span: ReadableSpan) -> str:
    ids = {s.context.span_id: s.name for s in spans}
    return ids.get(span.parent.span_id, "?") if span.parent else ""


async def test_the_demo_run_is_one_trace_with_its_span_tree(
    store: RunStore, demo_repo: Path
) -> None:
    pipeline = create_pipeline(store, config_for(demo_repo, "scripted:demo"))
    exporter = InMemorySpanExporter()
    pipeline.span_exporter = exporter
    parked = await pipeline.run()  # waits at the spec gate
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL
    approve_run(store, parked.run_id, Decision.APPROVE)
    resumed = open_pipeline(store, parked.run_id, auto_approve=True)
    resumed.span_exporter = later = InMemorySpanExporter()  # another engine process
    outcome = await resumed.run()
    assert outcome.status is RunStatus.APPROVED
    spans = exporter.get_finished_spans() + later.get_finished_spans()

    trace_id, _root = fold(store.iter_events(outcome.run_id)).trace or ("", "")
    assert trace_id and {f"{s.context.trace_id:032x}" for s in spans} == {trace_id}
    runs = _by_name(spans, "workbench.run")
    assert len(runs) == 2  # the first process and the resume, in one trace
    assert runs[-1].attributes["workbench.outcome"] == "APPROVED"
    assert runs[0].attributes["workbench.outcome"] == "WAITING"
    assert any(r.attributes.get("workbench.feature_id") == "INV-7" for r in runs)
    assert _parent_name(spans, runs[1]) == "workbench.run"

    phases = {s.attributes["workbench.phase"] for s in _by_name(spans, "workbench.phase")}
    assert {"requirements", "development", "review", "testing", "final_gate"} <= phases
    turns = _by_name(spans, "workbench.turn")
    assert {t.attributes["workbench.role"] for t in turns} == {
        "requirements", "developer", "reviewer", "tester"}
    assert all(_parent_name(spans, t) == "workbench.phase" for t in turns)
    calls = _by_name(spans, "workbench.model_call")
    assert calls and all(_parent_name(spans, c) == "workbench.turn" for c in calls)
    assert sum(int(c.attributes["gen_ai.usage.input_tokens"]) for c in calls) > 0
    tools = _by_name(spans, "workbench.tool_call")
    assert {"open_file", "propose_patch", "run_tests"} <= {
        t.attributes["workbench.tool"] for t in tools}
    commands = _by_name(spans, "workbench.sandbox_command")
    assert commands and all(c.attributes["workbench.program"] == "python" for c in commands)
    assert any(_parent_name(spans, c) == "workbench.tool_call" for c in commands)
    waits = _by_name(spans, "workbench.approval_wait")
    assert {w.attributes["workbench.gate"] for w in waits} >= {"spec", "final"}
    assert all(s.end_time is not None and s.end_time >= s.start_time for s in spans)

    task_words = [w for w in demo_task().split() if len(w) > 8][:5]
    every_value = " ".join(str(v) for s in spans for v in (s.attributes or {}).values())
    assert task_words and not any(w in every_value for w in task_words), "no source text"
    assert "def low_stock" not in every_value


def test_exporters_come_from_the_settings() -> None:
    import pytest
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    from workbench.tracing import exporter_for

    assert exporter_for({}) is None and exporter_for({"exporter": "none"}) is None
    assert isinstance(exporter_for({"exporter": "console"}), ConsoleSpanExporter)
    otlp = exporter_for({"exporter": "otlp-http", "endpoint": "http://127.0.0.1:4318/v1/traces"})
    assert isinstance(otlp, OTLPSpanExporter)
    with pytest.raises(ValueError, match="unknown tracing exporter"):
        exporter_for({"exporter": "jaeger"})
