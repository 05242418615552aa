"""Group mode: the demo's roles in an AutoGen SelectorGroupChat, with the pipeline's gates,
events and terminal states, resumable and forkable from the events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.contracts import RunStatus
from agents.events import EventBase
from agents.fold import fold
from workbench.engine.fork import fork_run
from workbench.engine.group import GroupRun
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.gitops import read_branch_file
from workbench.store import RunStore

from .conftest import config_for, write_script


def _kinds(events: list[EventBase], *kinds: str) -> list[EventBase]:
    return [e for e in events if e.kind in kinds]


def _artifacts(events: list[EventBase]) -> list[str]:
    return [e.payload()["type"] for e in events if e.kind == "artifact"
            and e.payload()["type"] in ("spec", "patch", "review", "test_plan", "test_result")]


def _selections(events: list[EventBase]) -> list[tuple[str, str, list[str]]]:
    return [(p["speaker"], p["by"], p["candidates"])
            for p in (e.payload() for e in _kinds(events, "speaker_selected"))]


async def test_the_demo_as_a_group_chat_ends_approved_with_the_pipelines_gates(
    store: RunStore, demo_repo: Path
) -> None:
    pipeline = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    engine = create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True, mode="group"))
    assert isinstance(engine, GroupRun)
    outcome = await engine.run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert read_branch_file(demo_repo, outcome.branch, "tests/test_low_stock.py") is not None

    events, before = store.events(outcome.run_id), store.events(pipeline.run_id)
    assert fold(events).mode == "group" and fold(before).mode == "pipeline"
    assert store.artifact(fold(events).artifact_ids["evidence"]).content.count(
        '"mode": "group"') == 1
    # the same work and the same gates as the pipeline run of the same script
    assert _artifacts(events) == _artifacts(before)
    gates = [e.payload()["gate"] for e in _kinds(events, "approval_requested")]
    assert gates == [e.payload()["gate"] for e in _kinds(before, "approval_requested")]
    assert gates == ["spec", "final"]
    # the selector model chose twice, each time among the roles that could act
    assert [s for s in _selections(events) if s[1] == "selector"] == [
        ("developer", "selector", ["developer", "requirements"]),
        ("tester", "selector", ["tester", "developer"])]
    assert [e.role for e in _kinds(events, "model_call")].count("selector") == 2
    assert not _kinds(before, "speaker_selected", "group_message")
    # every role's outcome and every human decision reached the shared thread
    authors = [e.role for e in _kinds(events, "group_message")]
    assert authors[:4] == ["requirements", "human", "developer", "reviewer"]
    assert authors.count("human") == 2 and authors.count("tester") == 2
    posts = [e.payload()["content"] for e in _kinds(events, "group_message")]
    assert any(p.startswith("NEEDS_REVISION") for p in posts)
    assert "Tests passed: 5 passed" in posts[-2]
    # the developer's revision read what the reviewer told the team
    revision = [e for e in _kinds(events, "turn_started") if e.role == "developer"][1]
    assert "team_thread" in revision.payload()["task"]
    assert "reviewer: NEEDS_REVISION" in revision.payload()["task"]


async def test_a_parked_group_run_resumes_the_same_conversation(
    store: RunStore, demo_repo: Path
) -> None:
    first = await create_pipeline(store, config_for(demo_repo, "scripted:demo",
                                                    mode="group")).run()
    assert first.status is RunStatus.WAITING_FOR_APPROVAL
    approve_run(store, first.run_id, comment="Keep the README line short")
    resumed = open_pipeline(store, first.run_id)
    assert isinstance(resumed, GroupRun)  # the mode comes from the stored config
    assert (await resumed.run()).status is RunStatus.WAITING_FOR_APPROVAL  # the final gate
    events = store.events(first.run_id)
    developer = next(e for e in _kinds(events, "turn_started") if e.role == "developer")
    task = developer.payload()["task"]
    assert "requirements: Spec INV-7" in task
    assert "Spec gate: approved by human. Comment: Keep the README line short" in task
    approve_run(store, first.run_id)
    done = await open_pipeline(store, first.run_id).run()
    assert done.status is RunStatus.APPROVED, done.reason


async def test_the_selector_can_send_a_review_back_to_the_spec(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    """After a review that names a gap in the spec, the group may give the turn to the
    requirements agent: its revised spec passes the spec gate again before any code."""
    roles = demo_script["roles"]
    revised = dict(roles["requirements"][0])
    revised["content"] = revised["content"].replace(
        '"summary": "Add', '"summary": "Revised: add', 1)
    roles["requirements"][1:] = [revised]  # the second reply: the revised spec
    roles["selector"] = [{"content": "requirements"}, {"content": "tester"}]
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(
        store, config_for(demo_repo, model, auto_approve=True, mode="group")).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    events = store.events(outcome.run_id)
    assert [s[0] for s in _selections(events) if s[1] == "selector"] == [
        "requirements", "tester"]
    assert [e.payload()["gate"] for e in _kinds(events, "approval_requested")] == [
        "spec", "spec", "final"]
    respec = [e for e in _kinds(events, "turn_started") if e.role == "requirements"][1]
    assert "The reviewer asked for changes to your previous spec" in respec.payload()["task"]
    spec = fold(events).spec
    assert spec is not None and spec.summary.startswith("Revised")


async def test_a_selector_naming_a_role_that_cannot_act_falls_back_to_the_pipelines_choice(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    demo_script["roles"]["selector"] = [{"content": "reviewer"}, {"content": "tester"}]
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(
        store, config_for(demo_repo, model, auto_approve=True, mode="group")).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    events = store.events(outcome.run_id)
    assert ("developer", "fallback", ["developer", "requirements"]) in _selections(events)
    lines = [i.text for i in fold(events).items if i.kind == "phase"]
    assert "group: developer speaks next (the selector named none of developer, " \
           "requirements)" in lines


async def test_budgets_end_a_group_run_as_they_end_a_pipeline(
    store: RunStore, demo_repo: Path
) -> None:
    config = config_for(demo_repo, "scripted:demo", auto_approve=True, mode="group")
    config.budgets.max_turns = 3
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.FAILED
    assert "turn" in outcome.reason, outcome.reason
    finished = _kinds(store.events(outcome.run_id), "run_finished")
    assert [e.payload()["status"] for e in finished] == ["FAILED"]


async def test_a_fork_of_a_group_run_goes_on_as_a_group_chat(
    store: RunStore, demo_repo: Path
) -> None:
    original = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True, mode="group")).run()
    events = store.events(original.run_id)
    review = next(e for e in _kinds(events, "group_message") if e.role == "reviewer")
    fork_id = fork_run(store, original.run_id, review.seq)
    forked = open_pipeline(store, fork_id, auto_approve=True)
    assert isinstance(forked, GroupRun)
    outcome = await forked.run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    after = store.events(fork_id, after_seq=review.seq)
    assert ("developer", "selector", ["developer", "requirements"]) in _selections(after)


async def test_the_selector_speaks_the_providers_wire_format(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any], no_openai_env: None
) -> None:
    """Against a local OpenAI-compatible server: the selector's request carries the team's
    thread and the candidates, and its reply picks the speaker."""
    from ..fake_openai import FakeOpenAIServer
    from .conftest import CALL_ORDER, demo_replies

    replies = demo_replies(demo_script)
    after = {("reviewer", 0): "developer", ("reviewer", 1): "tester"}
    ordered: list[Any] = []
    for call, reply in zip(CALL_ORDER, replies, strict=True):
        ordered.append(reply)
        if call in after:
            ordered.append({"content": after[call]})
    with FakeOpenAIServer(ordered) as server:
        config = config_for(demo_repo, "openai:fake-model", base_url=server.base_url,
                            auto_approve=True, mode="group")
        outcome = await create_pipeline(store, config).run()
        requests = list(server.requests)
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert len(requests) == len(ordered)
    first = requests[CALL_ORDER.index(("reviewer", 0)) + 1]
    prompt = " ".join(str(m["content"]) for m in first["messages"])
    assert "['developer', 'requirements']" in prompt and "NEEDS_REVISION" in prompt
    assert "tools" not in first  # a plain choice, no tools offered
    calls = [e for e in store.events(outcome.run_id) if e.kind == "model_call"]
    assert [e.payload()["model"] for e in calls if e.role == "selector"] == [
        "openai:fake-model"] * 2


async def test_the_selectors_calls_are_spans_of_the_run_between_the_turns(
    store: RunStore, demo_repo: Path
) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    engine = create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True, mode="group"))
    engine.span_exporter = exporter = InMemorySpanExporter()
    assert (await engine.run()).status is RunStatus.APPROVED
    spans = exporter.get_finished_spans()
    names = {s.context.span_id: s.name for s in spans}
    selector = [s for s in spans if s.name == "workbench.model_call"
                and s.attributes is not None and s.attributes.get("workbench.role") == "selector"]
    assert len(selector) == 2
    assert all(s.parent is not None and names[s.parent.span_id] == "workbench.run"
               for s in selector)
