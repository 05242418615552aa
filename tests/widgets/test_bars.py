"""RunStatusBar and ApprovalBar: the facts and keys a user reads at a glance."""

from __future__ import annotations

from agents.events import make_event
from agents.run_state import RunState
from tests.widgets.apps import ApprovalApp, StatusBarApp
from widgets.approval_bar import ApprovalBar
from widgets.samples import sample_events
from widgets.status_bar import RunStatusBar


def _bar_text(app: StatusBarApp) -> str:
    return str(app.query_one(RunStatusBar).render())


async def test_status_bar_shows_run_facts_and_labels_the_scripted_model() -> None:
    app = StatusBarApp(step_mode=True)
    async with app.run_test(size=(200, 5)):
        text = _bar_text(app)
        for fact in (" WAITING ", "final gate", " SCRIPTED ", "scripted:demo",
                     "4.0k tok", " · – · ", "turns 7/40", "tool calls 2/60", "1:15 elapsed",
                     " STEP "):
            assert fact in text, fact
        assert "developer" not in text  # at a gate nobody is at work


async def test_at_80_columns_a_gate_keeps_tokens_cost_and_time() -> None:
    app = StatusBarApp()
    async with app.run_test(size=(80, 5)):
        text = _bar_text(app)
        assert len(text) <= 78
        for fact in (" WAITING ", "final gate", " SCRIPTED ", "4.0k tok", " – ", "1:15 elapsed"):
            assert fact in text, fact


async def test_status_bar_drops_minor_facts_when_narrow() -> None:
    app = StatusBarApp(paused=True)
    async with app.run_test(size=(60, 5)):
        text = _bar_text(app)
        assert len(text) <= 58
        assert " WAITING " in text and " SCRIPTED " in text and "PAUSED" in text
        assert "turns" not in text


async def test_status_bar_follows_the_view() -> None:
    app = StatusBarApp(events=3)
    async with app.run_test(size=(160, 5)):
        bar = app.query_one(RunStatusBar)
        assert " RUNNING " in _bar_text(app) and "requirements" in _bar_text(app)
        view = RunState.from_events(sample_events())
        view.apply(make_event("run_finished", run_id="run-demo", seq=99,
                              ts=view.last_ts + 3600, status="APPROVED"))
        bar.update_view(view)
        text = _bar_text(app)
        assert " APPROVED " in text and "1:01:15" in text


async def test_a_retry_shows_while_it_waits_and_goes_when_the_model_answers() -> None:
    app = StatusBarApp(events=3)
    async with app.run_test(size=(200, 5)):
        bar = app.query_one(RunStatusBar)
        view = RunState.from_events(sample_events()[:3])
        view.apply(make_event("model_retry", run_id="run-demo", seq=50, ts=view.last_ts + 1,
                              role="developer", attempt=1, max_attempts=5, fault="server",
                              error="server error (HTTP 503): overloaded", delay_s=2.0))
        bar.update_view(view)
        assert ("RETRY developer: server error (HTTP 503): overloaded; retry 2/5 in 2.0 s"
                in _bar_text(app))
        view.apply(make_event("model_call", run_id="run-demo", seq=51, ts=view.last_ts + 3,
                              role="developer", model="openai:m", prompt_tokens=10))
        bar.update_view(view)
        assert "RETRY" not in _bar_text(app)


async def test_the_bar_says_where_commands_run_and_warns_when_it_is_no_jail() -> None:
    app = StatusBarApp(events=3)
    async with app.run_test(size=(200, 5)):
        bar = app.query_one(RunStatusBar)
        view = RunState.from_events(sample_events()[:3])
        assert "jail" not in _bar_text(app).lower()
        for seq, backend, jailed in ((50, "bwrap", True), (51, "local", False)):
            view.apply(make_event("artifact", run_id="run-demo", seq=seq, ts=view.last_ts + 1,
                                  role="tester", type="log", artifact_id=seq,
                                  data={"argv": ["pytest"], "backend": backend,
                                        "jailed": jailed}))
            bar.update_view(view)
            if jailed:
                assert "jail: bwrap" in _bar_text(app)
        assert " NOT JAILED " in _bar_text(app) and "jail: bwrap" not in _bar_text(app)


async def test_a_real_model_is_not_labelled_scripted() -> None:
    events = sample_events()
    events[0] = events[0].model_copy(update={
        "scripted": False, "model": "openai:gpt-4o-mini", "models": {}})
    app = StatusBarApp()
    app.view = RunState.from_events(events)
    async with app.run_test(size=(200, 5)):
        text = _bar_text(app)
        assert "SCRIPTED" not in text and "openai:gpt-4o-mini" in text


def test_figures_read_the_same_in_every_view() -> None:
    from agents.figures import format_clock, format_cost, format_tokens, model_name

    assert format_clock(75) == "1:15" and format_clock(3675) == "1:01:15"
    assert format_clock(-807) == "0:00"  # a clock never runs backwards
    assert format_tokens(950) == "950" and format_tokens(12509) == "12.5k"
    assert format_cost(0) == "–" and format_cost(0.004) == "<$0.01"
    assert format_cost(1.5) == "$1.50"
    # labels stored by earlier versions read as the configured model
    assert model_name("scripted: demo_script.yaml (SCRIPTED)") == "scripted:demo_script.yaml"
    assert model_name("openai:gpt-4.1") == "openai:gpt-4.1"


async def test_approval_bar_shows_the_gate_with_the_screen_keys() -> None:
    app = ApprovalApp()
    async with app.run_test(size=(120, 5)):
        bar = app.query_one(ApprovalBar)
        assert bar.display
        text = str(bar.render())
        assert text.startswith("◇ Spec gate — Approve the spec")
        for hint in (" a  approve", " r  request changes", " x  reject", " i  steer"):
            assert hint in text


async def test_clicking_an_answer_posts_it() -> None:
    app = ApprovalApp()
    async with app.run_test(size=(120, 5)) as pilot:
        bar = app.query_one(ApprovalBar)
        text = str(bar.render())
        await pilot.click(bar, offset=(text.index("reject") + 1, 0))
        chosen = [m for m in app.messages if isinstance(m, ApprovalBar.Chosen)]
        assert [(m.gate, m.choice) for m in chosen] == [("spec", "reject")]


async def test_approval_bar_hides_without_a_gate_and_says_replays_cannot_answer() -> None:
    app = ApprovalApp(gate=None)
    async with app.run_test(size=(120, 5)) as pilot:
        bar = app.query_one(ApprovalBar)
        assert not bar.display
        bar.show_gate("final", "Accept the patch?", live=False)
        await pilot.pause()
        assert bar.display
        text = str(bar.render())
        assert "Final gate" in text and "replay" in text and "approve" not in text


async def test_narrow_approval_bar_keeps_every_key() -> None:
    app = ApprovalApp()
    async with app.run_test(size=(70, 5)):
        text = str(app.query_one(ApprovalBar).render())
        assert len(text) <= 68
        for hint in (" a  approve", " r  changes", " x  reject", " i  steer"):
            assert hint in text


async def test_a_replayed_run_is_marked_as_a_stand_in_like_a_scripted_one() -> None:
    app = StatusBarApp()
    async with app.run_test(size=(80, 5)):
        bar = app.query_one(RunStatusBar)
        view = RunState.from_events(sample_events())
        view.scripted, view.models = False, {"developer": "replay:run-1"}
        bar.update_view(view)
        assert " REPLAY " in _bar_text(app) and " SCRIPTED " not in _bar_text(app)
