"""RunState: the pane state folded from run events, identical for live and replay."""

from __future__ import annotations

from agents.contracts import RunStatus
from agents.events import EventBase, load_event, make_event
from agents.run_state import RunState as RunState
from widgets.samples import SAMPLE_SPEC, sample_events


def test_realistic_run_folds_into_pane_states() -> None:
    view = RunState.from_events(sample_events())

    assert view.run_id == "run-demo"
    assert view.task == "Add a low-stock report"
    assert view.scripted is True
    assert view.models["developer"] == "scripted:demo"
    assert view.status is RunStatus.WAITING_FOR_APPROVAL
    assert view.phase == "final_gate"
    assert view.pending_approval == "final"
    assert view.pending_message == "Accept the patch?"
    assert (view.prompt_tokens, view.completion_tokens) == (3212, 814)
    assert view.budgets["turns"] == (7, 40)
    assert view.budgets["tool_calls"] == (2, 60)  # the two tool_call events
    assert view.elapsed == 25 * 3
    assert view.spec == SAMPLE_SPEC
    assert view.patch is not None and view.patch.summary == "low_stock"
    assert [r.status for r in view.reviews] == ["APPROVED"]
    assert view.test_result is not None and view.test_result.failed == 2
    assert view.streaming == {}

    kinds = [item.kind for item in view.items]
    assert kinds.count("tool_call") == 2 and kinds.count("tool_result") == 2
    failed_open = [i for i in view.items if i.kind == "tool_result" and i.is_error]
    assert failed_open[0].details == "path escapes the worktree"
    call = next(i for i in view.items if i.kind == "tool_call")
    assert call.text == 'search(pattern="def total_value")'
    assert '"pattern": "def total_value"' in call.details
    steer = next(i for i in view.items if i.kind == "steer")
    assert steer.role == "human" and steer.text == "@developer keep the sort stable"


def test_chunks_stream_until_the_message_finalises_them() -> None:
    events = sample_events()
    before_message = RunState.from_events(events[:4])
    assert before_message.streaming_text("requirements") == "Reading the task and the README."
    assert before_message.active_role == "requirements"
    assert not any(i.kind == "message" for i in before_message.items)

    after = RunState.from_events(events[:6])
    assert after.streaming_text("requirements") == ""
    assert after.items[-1].text == "Here is the spec for INV-7."


def test_approval_gates_open_and_close() -> None:
    events = sample_events()
    waiting = RunState.from_events(events[:8])
    assert waiting.pending_approval == "spec"
    assert waiting.status is RunStatus.WAITING_FOR_APPROVAL
    approved = RunState.from_events(events[:9])
    assert approved.pending_approval is None
    assert approved.status is RunStatus.RUNNING


def test_edited_spec_and_rejected_hunks_from_approvals() -> None:
    events = sample_events()
    edited = SAMPLE_SPEC.model_copy(update={"summary": "Edited by a human"})
    events[8] = make_event("approval_given", run_id="run-demo", seq=9, ts=events[8].ts,
                           role="human", gate="spec", decision="approve",
                           spec=edited.model_dump())
    events.append(make_event("approval_given", run_id="run-demo", seq=99,
                             ts=events[-1].ts + 1, role="human", gate="final",
                             decision="approve", rejected_hunks=["web/src/stock.ts#0"]))
    events.append(make_event("run_finished", run_id="run-demo", seq=100, ts=events[-1].ts + 1,
                             status="APPROVED", reason="all gates passed", commit="abc123",
                             branch="workbench/run-demo"))
    view = RunState.from_events(events)
    assert view.spec is not None and view.spec.summary == "Edited by a human"
    assert view.spec_edited and view.spec_approved
    assert view.rejected_hunks == ["web/src/stock.ts#0"]
    assert view.status is RunStatus.APPROVED and view.finished
    assert view.finished_reason == "all gates passed"
    assert view.commit == "abc123"
    assert view.items[-1].text == "run finished: APPROVED (all gates passed)"


def test_invalid_artifact_data_reads_as_none() -> None:
    event = make_event("artifact", run_id="r", seq=1, role="tester", type="test_result",
                       artifact_id=5, data={"bogus": 1})
    view = RunState.from_events([event])
    assert view.test_result is None
    assert view.artifact_ids == {"test_result": 5}


def test_replay_prefix_equals_live_state_at_every_event() -> None:
    events = sample_events()
    live = RunState()
    for n, event in enumerate(events, start=1):
        live.apply(event)
        _ = live.spec, live.test_result  # reading artifacts must not change equality
        replayed = RunState.from_events(load_event(e.dump()) for e in events[:n])
        assert replayed == live, f"diverged after event {n} ({event.kind})"


def test_fifty_thousand_events_fold_into_one_view() -> None:
    base = sample_events()
    events: list[EventBase] = []
    for i in range(50_000):
        template = base[i % len(base)]
        events.append(template.model_copy(update={"seq": i + 1}))
    view = RunState.from_events(events)
    assert view.event_count == 50_000
    runs, rest = divmod(len(events), len(base))
    per_run = len(RunState.from_events(base).items)
    assert len(view.items) == runs * per_run + len(RunState.from_events(base[:rest]).items)


def test_terminal_control_in_model_text_never_reaches_a_conversation_line() -> None:
    state = RunState()
    state.apply(make_event("agent_message", run_id="r", seq=1, ts=1.0, role="developer",
                           content="done\x1b[2J\x1b]0;owned\x07\rOK\x9b31m"))
    (item,) = [i for i in state.items if i.role == "developer"]
    assert "\x1b" not in item.text and "\r" not in item.text and "\x9b" not in item.text
    assert "done" in item.text and "OK" in item.text
