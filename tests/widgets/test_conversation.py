"""ConversationView: streamed text, incremental items, expandable tool calls, replay jumps."""

from __future__ import annotations

from textual.style import Style

from agents.run_state import ConversationItem, RunState
from tests.widgets.apps import ConversationApp
from widgets.conversation import ConversationView
from widgets.conversation_paint import ItemPainter
from widgets.samples import sample_events


def _text(view: ConversationView) -> str:
    return "\n".join(view.render_line(y).text.rstrip() for y in range(view.size.height))


async def test_streamed_chunks_appear_then_the_message_replaces_them() -> None:
    app = ConversationApp(events=1)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ConversationView)
        for word in ["Reading ", "the ", "task ", "and ", "the ", "README."]:
            view.append_chunk("requirements", word)
        await pilot.pause(0.15)
        assert "Reading the task and the README.▍" in _text(view)

        view.add_item(ConversationItem("requirements", "message", "Here is the spec.", seq=6))
        await pilot.pause()
        screen = _text(view)
        assert "Here is the spec." in screen
        assert "README" not in screen


async def test_chunks_are_redrawn_in_batches_not_one_by_one() -> None:
    app = ConversationApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ConversationView)
        redraws = 0
        original = view._render_tail

        def counting() -> None:
            nonlocal redraws
            redraws += 1
            original()

        view._render_tail = counting  # type: ignore[method-assign]
        for _ in range(500):
            view.append_chunk("developer", "tok ")
        assert redraws == 0  # appending only records the text
        await pilot.pause(0.12)
        assert 1 <= redraws <= 3
        assert "tok tok tok" in _text(view)


async def test_keys_are_handled_while_chunks_stream() -> None:
    app = ConversationApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ConversationView)
        chunks = [f"tok{n} " for n in range(500)]
        sent: list[str] = []

        def stream() -> None:  # 5 chunks a tick
            for text in chunks[len(sent):len(sent) + 5]:
                sent.append(text)
                view.append_chunk("developer", text)

        timer = view.set_interval(0.001, stream)
        await pilot.press("home", "down", "down", "down")
        assert view.selected == 3
        for _ in range(1_000):  # until every chunk is sent
            if len(sent) == len(chunks):
                break
            await pilot.pause(0.001)
        timer.stop()
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause(0.1)
        assert sent == chunks and view.selected == 3
        assert "tok498 tok499 ▍" in _text(view)


async def test_enter_expands_a_tool_result_to_show_its_content() -> None:
    app = ConversationApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ConversationView)
        index = next(i for i, item in enumerate(view.items)
                     if item.kind == "tool_result" and item.is_error)
        await pilot.press("home", *["down"] * index)
        assert view.selected == index
        assert "▸ ↳ open → path escapes the worktree" in _text(view)
        await pilot.press("enter")
        await pilot.pause()
        assert view.is_expanded(index)
        assert "▾ ↳ open" in _text(view)
        await pilot.press("up", "enter")  # the call: its arguments
        await pilot.pause()
        assert '"path": "../etc/passwd"' in _text(view)
        await pilot.press("enter")
        await pilot.pause()
        assert '"path": "../etc/passwd"' not in _text(view)
        selected = [m for m in app.messages if isinstance(m, ConversationView.ItemSelected)]
        assert selected[-1].item.kind == "tool_call"


async def test_clicking_a_tool_call_toggles_its_details() -> None:
    app = ConversationApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ConversationView)
        await pilot.pause()
        row = next(y for y in range(view.size.height)
                   if "search(pattern" in view.render_line(y).text)
        await pilot.click(view, offset=(20, row))
        await pilot.pause()
        assert '"pattern": "def total_value"' in _text(view)


async def test_load_jumps_between_replay_positions() -> None:
    app = ConversationApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ConversationView)
        events = sample_events()
        view.load(RunState.from_events(events[:4]))
        await pilot.pause()
        screen = _text(view)
        assert "── requirements ──" in screen
        assert "Reading the task and the README.▍" in screen  # mid-stream at this position
        assert "development" not in screen
        view.load(RunState.from_events(events))
        await pilot.pause()
        assert "waiting for approval at the final gate" in _text(view)


async def test_new_items_follow_the_tail_unless_the_user_scrolled_up() -> None:
    app = ConversationApp()
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(ConversationView)
        await pilot.pause()
        view.add_item(ConversationItem("developer", "message", "newest at the bottom", seq=90))
        await pilot.pause()
        assert "newest at the bottom" in _text(view)
        view.scroll_home(animate=False)
        await pilot.pause()
        view.add_item(ConversationItem("developer", "message", "arrives unseen", seq=91))
        await pilot.pause()
        assert "arrives unseen" not in _text(view)
        assert view.scroll_offset.y == 0


async def test_replay_jumps_in_a_long_run_show_the_position_reached() -> None:
    base = sample_events()
    events = [base[i % len(base)].model_copy(update={"seq": i + 1}) for i in range(10_000)]
    app = ConversationApp(events=1)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(ConversationView)
        view.load(RunState.from_events(events))
        await pilot.pause()
        assert len(view.items) == len(RunState.from_events(events).items)
        view.load(RunState.from_events(events[:9_000]))
        await pilot.pause()
        assert len(view.items) == len(RunState.from_events(events[:9_000]).items)
        assert view.items[-1].text[:40] in _text(view)  # still following the newest item


def test_measured_heights_match_the_drawn_lines() -> None:
    events = sample_events()
    items = list(RunState.from_events(events).items)
    items += [ConversationItem("developer", "message", text, seq=100 + n) for n, text in
              enumerate(["", "x" * 66, "x" * 67, "漢字" * 40, "one\ntwo\n\nfour", "a " * 90])]
    for width in (23, 40, 80, 120):
        painter = ItemPainter(lambda name: Style(), Style(), width)
        for item in items:
            for expanded in (False, True):
                drawn = painter.item(item, expanded, selected=False)
                assert painter.height(item, expanded) == len(drawn), (width, item, expanded)
