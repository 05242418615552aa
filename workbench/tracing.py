"""OpenTelemetry traces of runs, built from the run's events as they are recorded.

One trace per run: a ``workbench.run`` span (one per engine process; a resumed run continues the
same trace), and under it phases, agent turns, model calls, tool calls, sandbox commands and
approval waits, with the times the events carry. Attributes are ids, names, counts and
outcomes only: never source text, prompts or command arguments (artifact ids stand for them).

Exporters come from the ``tracing`` settings: none (the default: nothing is built), console,
OTLP over HTTP, or OTLP over gRPC where its package is installed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, Status, StatusCode, TraceFlags

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import Span
    from opentelemetry.sdk.trace.export import SpanExporter

    from agents.events import EventBase

# The OpenTelemetry SDK (provider, processors, exporters) is imported when an exporter is
# configured and a tracer is built: a run with tracing off loads only the API.

log = logging.getLogger(__name__)
_NS = 1_000_000_000


def exporter_for(settings: Mapping[str, Any]) -> SpanExporter | None:
    """The exporter the settings name; None for "none" (or nothing configured)."""
    kind = str(settings.get("exporter") or "none")
    endpoint = settings.get("endpoint") or None
    if kind == "none":
        return None
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if kind == "otlp-http":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint)
    if kind == "otlp-grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
                OTLPSpanExporter as GrpcExporter,
            )
        except ImportError:
            raise ValueError("tracing.exporter otlp-grpc needs the package "
                             "opentelemetry-exporter-otlp-proto-grpc") from None
        return GrpcExporter(endpoint=endpoint)  # type: ignore[no-any-return]
    raise ValueError(f"unknown tracing exporter {kind!r} (none, console, otlp-http, otlp-grpc)")


def _ns(ts: float) -> int:
    return int(ts * _NS)


class RunTracer:
    """A bus listener that turns one run's events into spans."""

    def __init__(self, exporter: SpanExporter, run_id: str, *, trace_id: str = "",
                 root_span: str = "", batch: bool = True, service: str = "workbench") -> None:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import Span, TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        self._span_type = Span
        self.provider = TracerProvider(resource=Resource.create({"service.name": service}))
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        self.provider.add_span_processor(processor)
        self.tracer = self.provider.get_tracer("workbench")
        self.run_id = run_id
        self._parent = None
        if trace_id and root_span:  # a resume: the same trace, under the first run span
            parent = SpanContext(int(trace_id, 16), int(root_span, 16), is_remote=True,
                                 trace_flags=TraceFlags(TraceFlags.SAMPLED))
            self._parent = trace.set_span_in_context(NonRecordingSpan(parent))
        self.run: Span | None = None
        self.phase: Span | None = None
        self.turns: dict[str, Span] = {}
        self.tools: dict[str, Span] = {}
        self.wait: Span | None = None
        self._closed = False

    # spans ------------------------------------------------------------------------------
    def _start(self, name: str, parent: Span | None, ts: float, **attrs: Any) -> Span:
        ctx = trace.set_span_in_context(parent) if parent is not None else self._parent
        span = self.tracer.start_span(name, context=ctx, start_time=_ns(ts), attributes={
            "workbench.run_id": self.run_id,
            **{k: v for k, v in attrs.items() if v is not None}})
        assert isinstance(span, self._span_type)
        return span

    def _root(self, ts: float) -> Span:
        if self.run is None:
            self.run = self._start("workbench.run", None, ts)
        return self.run

    @property
    def trace_ids(self) -> tuple[str, str]:
        """The trace id and the run span id, as hex (empty before the first event)."""
        if self.run is None:
            return "", ""
        ctx = self.run.get_span_context()
        return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"

    def start(self, ts: float) -> tuple[str, str]:
        self._root(ts)
        return self.trace_ids

    def __call__(self, event: EventBase) -> None:
        if self._closed:
            return
        try:
            self._on(event)
        except Exception:  # tracing must never stop a run
            log.exception("tracing failed on event %s", event.kind)

    def _on(self, e: EventBase) -> None:
        data: dict[str, Any] = e.payload()
        ts, role = e.ts, e.role
        run = self._root(ts)
        match e.kind:
            case "phase_changed":
                self._end(self.phase, ts)
                self.phase = self._start("workbench.phase", run, ts, **{
                    "workbench.phase": data.get("phase"), "workbench.cycle": data.get("cycle")})
            case "turn_started":
                self._end(self.turns.get(role), ts)
                self.turns[role] = self._start("workbench.turn", self.phase or run, ts, **{
                    "workbench.role": role, "workbench.turn": data.get("turn")})
            case "agent_message" if not data.get("thought"):
                self._end(self.turns.get(role), ts)
                self.turns.pop(role, None)
            case "model_call":
                start = ts - float(data.get("latency_ms") or 0) / 1000
                span = self._start("workbench.model_call", self.turns.get(role) or run, start, **{
                    "workbench.role": role, "gen_ai.request.model": data.get("model"),
                    "gen_ai.usage.input_tokens": data.get("prompt_tokens"),
                    "gen_ai.usage.output_tokens": data.get("completion_tokens"),
                    "workbench.cost_usd": data.get("cost"),
                    "workbench.latency_ms": data.get("latency_ms"),
                    "workbench.streamed": data.get("streamed")})
                if data.get("error"):
                    span.set_status(Status(StatusCode.ERROR, "model call failed"))
                span.end(end_time=_ns(ts))
            case "tool_call":
                call = str(data.get("call_id") or "")
                self.tools[call] = self._start("workbench.tool_call",
                                               self.turns.get(role) or run, ts, **{
                                                   "workbench.role": role,
                                                   "workbench.tool": data.get("name"),
                                                   "workbench.call_id": call})
            case "tool_result":
                done = self.tools.get(str(data.get("call_id") or ""))
                self.tools.pop(str(data.get("call_id") or ""), None)
                if done is not None and data.get("is_error"):
                    done.set_status(Status(StatusCode.ERROR, "tool error"))
                self._end(done, ts)
            case "artifact":
                self._artifact(data, role, ts, run)
            case "approval_requested" if data.get("gate") != "step":
                self._end(self.wait, ts)
                self.wait = self._start("workbench.approval_wait", self.phase or run, ts,
                                        **{"workbench.gate": data.get("gate")})
            case "approval_given" if data.get("gate") != "step" and self.wait is not None:
                self.wait.set_attribute("workbench.decision", str(data.get("decision")))
                self.wait.set_attribute("workbench.by", str(data.get("by")))
                self._end(self.wait, ts)
                self.wait = None
            case "run_finished" | "run_parked" | "run_interrupted":
                outcome = str(data.get("status") or ("WAITING" if e.kind == "run_parked"
                                                     else "INTERRUPTED"))
                run.set_attribute("workbench.outcome", outcome)
                if outcome == "FAILED":
                    run.set_status(Status(StatusCode.ERROR, "run failed"))
                self.close(ts)

    def _artifact(self, data: dict[str, Any], role: str, ts: float, run: Span) -> None:
        kind, facts = data.get("type"), data.get("data") or {}
        if kind == "spec" and isinstance(facts, dict) and facts.get("feature_id"):
            run.set_attribute("workbench.feature_id", str(facts["feature_id"]))
        if kind != "log" or not isinstance(facts, dict):
            return
        argv = facts.get("argv") or []
        parent = next(reversed(self.tools.values()), None) or self.phase or run
        span = self._start("workbench.sandbox_command", parent,
                           ts - float(facts.get("duration_s") or 0), **{
                               "workbench.role": role,
                               "workbench.program": str(argv[0]) if argv else None,
                               "workbench.backend": facts.get("backend"),
                               "workbench.jailed": facts.get("jailed"),
                               "workbench.artifact_id": data.get("artifact_id")})
        span.end(end_time=_ns(ts))

    @staticmethod
    def _end(span: Span | None, ts: float) -> None:
        if span is not None and span.end_time is None:
            span.end(end_time=max(_ns(ts), span.start_time or 0))

    def close(self, ts: float | None = None) -> None:
        """End every open span (the run span last) and flush the exporter."""
        open_spans = self._open()
        if not open_spans:
            self.provider.force_flush()
            return
        end = ts if ts is not None else max((s.start_time or 0) / _NS for s in open_spans)
        for span in open_spans:
            if span is not self.run:
                self._end(span, end)
        self._end(self.run, end)
        self.turns.clear()
        self.tools.clear()
        self.phase = self.wait = None
        self.provider.force_flush()

    def _open(self) -> list[Span]:
        spans = [*self.tools.values(), *self.turns.values(), self.wait, self.phase, self.run]
        return [s for s in spans if s is not None and s.end_time is None]

    def shutdown(self) -> None:
        """Stop listening and flush: events after this are not traced by this tracer."""
        if not self._closed:
            self._closed = True
            self.close()
            self.provider.shutdown()
