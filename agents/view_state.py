"""The state of every run pane at one moment, built only by folding run events.

Live view and replay share this code path: ``RunView.from_events(events[:n])`` equals the
state a live view reached after its n-th event. Folding is O(1) amortised per event; artifact
payloads are kept as plain dicts and validated into contracts only when first read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from agents.contracts import FeatureSpec, Patch, ReviewResult, RunStatus, TestPlan, TestResult
from agents.events import RunEvent

ItemKind = Literal[
    "message", "tool_call", "tool_result", "steer", "approval", "error", "policy", "phase",
    "artifact",
]

M = TypeVar("M", bound=BaseModel)


@dataclass
class ConversationItem:
    """One line of the conversation pane."""

    role: str
    kind: ItemKind
    text: str
    details: str = ""
    is_error: bool = False
    seq: int = 0
    name: str = ""
    """Tool name for tool calls and results."""
    call_id: str = ""


@dataclass
class _Lazy:
    """A contract's raw dict with its validated model computed on first access."""

    data: dict[str, Any]
    _model: BaseModel | None = field(default=None, compare=False, repr=False)
    _failed: bool = field(default=False, compare=False, repr=False)

    def get(self, model: type[M]) -> M | None:
        if self._model is None and not self._failed:
            try:
                self._model = model.model_validate(self.data)
            except ValidationError:
                self._failed = True
        return self._model if isinstance(self._model, model) else None


def _json(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _args_inline(arguments: Any) -> str:
    if isinstance(arguments, dict):
        return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in arguments.items())
    return str(arguments)


@dataclass
class RunView:
    """Everything the run screen shows, as of the last folded event."""

    run_id: str = ""
    task: str = ""
    repo: str = ""
    branch: str = ""
    commit: str = ""
    status: RunStatus = RunStatus.PENDING
    phase: str = ""
    active_role: str = ""
    model: str = ""
    models: dict[str, str] = field(default_factory=dict)
    scripted: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    model_calls: int = 0
    started_ts: float = 0.0
    last_ts: float = 0.0
    last_seq: int = 0
    event_count: int = 0
    budgets: dict[str, tuple[float, float]] = field(default_factory=dict)
    items: list[ConversationItem] = field(default_factory=list)
    streaming: dict[str, list[str]] = field(default_factory=dict)
    """Live text per role: model_chunk appends, the role's agent_message clears."""
    pending_approval: str | None = None
    pending_message: str = ""
    finished_reason: str = ""
    rejected_hunks: list[str] = field(default_factory=list)
    artifact_ids: dict[str, int] = field(default_factory=dict)
    log_artifacts: list[int] = field(default_factory=list)
    static_checks: dict[str, Any] | None = None
    _spec: _Lazy | None = None
    _patch: _Lazy | None = None
    _reviews: list[_Lazy] = field(default_factory=list)
    _test_plan: _Lazy | None = None
    _test_result: _Lazy | None = None

    # ----------------------------------------------------------------- derived
    @property
    def elapsed(self) -> float:
        """Seconds between the first and the last event (the replay clock)."""
        return max(0.0, self.last_ts - self.started_ts) if self.started_ts else 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def spec(self) -> FeatureSpec | None:
        return self._spec.get(FeatureSpec) if self._spec else None

    @property
    def patch(self) -> Patch | None:
        return self._patch.get(Patch) if self._patch else None

    @property
    def reviews(self) -> list[ReviewResult]:
        return [r for lazy in self._reviews if (r := lazy.get(ReviewResult)) is not None]

    @property
    def test_plan(self) -> TestPlan | None:
        return self._test_plan.get(TestPlan) if self._test_plan else None

    @property
    def test_result(self) -> TestResult | None:
        return self._test_result.get(TestResult) if self._test_result else None

    @property
    def finished(self) -> bool:
        return self.status.terminal

    def streaming_text(self, role: str) -> str:
        return "".join(self.streaming.get(role, ()))

    # ------------------------------------------------------------------ folding
    @classmethod
    def from_events(cls, events: Iterable[RunEvent]) -> RunView:
        view = cls()
        for event in events:
            view.apply(event)
        return view

    def _item(self, event: RunEvent, kind: ItemKind, text: str, **extra: Any) -> None:
        self.items.append(ConversationItem(event.role, kind, text, seq=event.seq, **extra))

    def apply(self, event: RunEvent) -> None:
        """Fold one event into the view."""
        p = event.payload
        if not self.started_ts:
            self.started_ts = event.ts
        self.last_ts = max(self.last_ts, event.ts)
        self.last_seq = max(self.last_seq, event.seq)
        self.event_count += 1
        role = event.role
        if role not in ("system", "human"):
            self.active_role = role
        handler = _HANDLERS.get(event.kind)
        if handler is not None:
            handler(self, event, p)

    def _on_run_started(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.run_id = event.run_id
        self.started_ts = event.ts
        self.task = str(p.get("task", ""))
        self.repo = str(p.get("repo", ""))
        self.branch = str(p.get("branch") or "")
        self.model = str(p.get("model") or "")
        self.models = {str(k): str(v) for k, v in (p.get("models") or {}).items()}
        self.scripted = bool(p.get("scripted", False))
        self.status = RunStatus.RUNNING
        for key, limit in (p.get("budgets") or {}).items():
            name = str(key).removeprefix("max_")
            used = self.budgets.get(name, (0.0, 0.0))[0]
            self.budgets[name] = (used, float(limit))

    def _on_phase(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.phase = str(p.get("phase", ""))
        self.active_role = str(p.get("role") or "")
        self._item(event, "phase", self.phase)

    def _on_model_call(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.model_calls += 1
        self.prompt_tokens += int(p.get("prompt_tokens") or 0)
        self.completion_tokens += int(p.get("completion_tokens") or 0)
        self.cost += float(p.get("cost") or 0.0)
        if p.get("error"):
            self._item(event, "error", f"model call failed: {p['error']}", is_error=True)

    def _on_chunk(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.streaming.setdefault(event.role, []).append(str(p.get("text", "")))

    def _on_message(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.streaming.pop(event.role, None)
        self._item(event, "message", str(p.get("content", "")))

    def _on_tool_call(self, event: RunEvent, p: dict[str, Any]) -> None:
        name = str(p.get("name", ""))
        args = p.get("arguments", {})
        self._item(event, "tool_call", f"{name}({_args_inline(args)})", details=_json(args),
                   name=name, call_id=str(p.get("call_id") or ""))

    def _on_tool_result(self, event: RunEvent, p: dict[str, Any]) -> None:
        name = str(p.get("name", ""))
        content = _json(p.get("content", ""))
        first = content.strip().splitlines()[0] if content.strip() else "(empty)"
        self._item(event, "tool_result", f"{name} → {first}", details=content,
                   is_error=bool(p.get("is_error")), name=name,
                   call_id=str(p.get("call_id") or ""))

    def _on_artifact(self, event: RunEvent, p: dict[str, Any]) -> None:
        kind = str(p.get("type", ""))
        art_id = p.get("artifact_id")
        if isinstance(art_id, int):
            self.artifact_ids[kind] = art_id
        raw = p.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        lazy = _Lazy(data) if data else None
        text = kind
        match kind:
            case "spec":
                self._spec = lazy
                if data:
                    text = f"spec {data.get('feature_id', '')}: {data.get('summary', '')}"
            case "patch":
                self._patch = lazy
                self.rejected_hunks = []
                if data:
                    files = len(data.get("files") or [])
                    text = f"patch: {files} file(s) {data.get('summary', '')}"
            case "review" if lazy:
                self._reviews.append(lazy)
                text = f"review {data.get('status', '')}: {len(data.get('issues') or [])} issue(s)"
            case "test_plan":
                self._test_plan = lazy
            case "test_result":
                self._test_result = lazy
                if data:
                    text = (f"tests {data.get('status', '')}: {data.get('passed', 0)} passed, "
                            f"{data.get('failed', 0)} failed")
            case "static_checks":
                self.static_checks = data or None
            case "log" if isinstance(art_id, int):
                self.log_artifacts.append(art_id)
        self._item(event, "artifact", text.strip())

    def _on_approval_requested(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.pending_approval = str(p.get("gate", ""))
        self.pending_message = str(p.get("message", ""))
        self.status = RunStatus.WAITING_FOR_APPROVAL
        self._item(event, "approval", f"waiting for approval at the {self.pending_approval} gate",
                   details=self.pending_message)

    def _on_approval_given(self, event: RunEvent, p: dict[str, Any]) -> None:
        gate = str(p.get("gate", ""))
        decision = str(p.get("decision", ""))
        comment = str(p.get("comment") or "")
        if self.pending_approval == gate or not gate:
            self.pending_approval = None
            self.pending_message = ""
        if not self.status.terminal:
            self.status = RunStatus.RUNNING
        if isinstance(p.get("spec"), dict):
            self._spec = _Lazy(p["spec"])
        hunks = p.get("rejected_hunks")
        if hunks:
            self.rejected_hunks = [str(h) for h in hunks]
        text = f"{decision} at the {gate} gate" + (f": {comment}" if comment else "")
        self._item(event, "approval", text, details=comment)

    def _on_steer(self, event: RunEvent, p: dict[str, Any]) -> None:
        target = p.get("target_role")
        prefix = f"@{target} " if target else ""
        self._item(event, "steer", prefix + str(p.get("text", "")))

    def _on_budget(self, event: RunEvent, p: dict[str, Any]) -> None:
        self.budgets[str(p.get("name", ""))] = (
            float(p.get("used") or 0), float(p.get("limit") or 0))

    def _on_error(self, event: RunEvent, p: dict[str, Any]) -> None:
        self._item(event, "error", str(p.get("message", "")), is_error=True)

    def _on_policy(self, event: RunEvent, p: dict[str, Any]) -> None:
        details = {k: p[k] for k in ("tool", "path", "argv") if p.get(k)}
        self._item(event, "policy", str(p.get("message", "")), details=_json(details)
                   if details else "", is_error=True)

    def _on_finished(self, event: RunEvent, p: dict[str, Any]) -> None:
        try:
            self.status = RunStatus(str(p.get("status", "")))
        except ValueError:
            self.status = RunStatus.FAILED
        self.finished_reason = str(p.get("reason") or "")
        self.commit = str(p.get("commit") or "")
        self.branch = str(p.get("branch") or self.branch)
        self.pending_approval = None
        self.streaming.clear()
        text = f"run finished: {self.status.value}"
        self._item(event, "phase", text + (f" ({self.finished_reason})" if
                                           self.finished_reason else ""))


_HANDLERS = {
    "run_started": RunView._on_run_started,
    "phase_changed": RunView._on_phase,
    "model_call": RunView._on_model_call,
    "model_chunk": RunView._on_chunk,
    "agent_message": RunView._on_message,
    "tool_call": RunView._on_tool_call,
    "tool_result": RunView._on_tool_result,
    "artifact": RunView._on_artifact,
    "approval_requested": RunView._on_approval_requested,
    "approval_given": RunView._on_approval_given,
    "steer": RunView._on_steer,
    "budget": RunView._on_budget,
    "error": RunView._on_error,
    "policy": RunView._on_policy,
    "run_finished": RunView._on_finished,
}
