import json

import pytest
from autogen_core import CancellationToken
from autogen_core.tools import FunctionTool

from agents.contracts import ReviewResult, TestPlan
from agents.tool_guard import ToolCallGuard, text_tool_call, tools_listing, unknown_tool_message


class Repo:
    """Stand-in tool functions that count how often they really ran."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.text = "x = 1\n"

    def open_file(self, path: str, start_line: int = 1, end_line: int | None = None) -> str:
        """Show a file. With line numbers."""
        self.runs.append(f"open {path}")
        return f"{path}: {self.text}"

    def write_file(self, path: str, content: str) -> str:
        """Create a new file."""
        self.runs.append(f"write {path}")
        if path == "exists.py":
            raise ValueError("exists.py already exists")
        self.text = content
        return f"created {path}"


@pytest.fixture
def repo() -> Repo:
    return Repo()


def _tools(guard: ToolCallGuard, repo: Repo) -> dict[str, FunctionTool]:
    return {t.name: t for t in (guard.tool(repo.open_file), guard.tool(repo.write_file))}


async def _call(tool: FunctionTool, token: CancellationToken, **args: object) -> str:
    try:
        return str(await tool.run_json(args, token))
    except ValueError as exc:
        return f"raised: {exc}"


async def test_identical_call_is_answered_from_memory_then_told_to_stop(repo: Repo) -> None:
    tools = _tools(ToolCallGuard(), repo)
    turn = CancellationToken()
    first = await _call(tools["open_file"], turn, path="a.py")
    # The same call with its default spelled out is the same call.
    again = await _call(tools["open_file"], turn, path="a.py", start_line=1)
    assert again == ("You already called open_file with these arguments; nothing changed since. "
                     f"The result was: {' '.join(first.split())}. Use it, or do something else.")
    await _call(tools["open_file"], turn, path="a.py")
    third = await _call(tools["open_file"], turn, path="a.py")
    assert third.startswith("You have repeated identical tool calls 3 times in this turn and "
                            "nothing changed. Stop calling tools now and give your final answer.")
    assert repo.runs == ["open a.py"]
    await _call(tools["open_file"], turn, path="b.py")  # another call still runs
    assert repo.runs == ["open a.py", "open b.py"]


async def test_a_write_or_a_new_turn_lets_the_call_run_again(repo: Repo) -> None:
    writes: list[str] = []
    tools = _tools(ToolCallGuard(writes={"write_file"}, on_write=lambda: writes.append("w")),
                   repo)
    turn = CancellationToken()
    await _call(tools["open_file"], turn, path="a.py")
    assert await _call(tools["write_file"], turn, path="n.py", content="y = 2\n") == "created n.py"
    assert writes == ["w"]
    assert await _call(tools["open_file"], turn, path="a.py") == "a.py: y = 2\n"
    await _call(tools["open_file"], CancellationToken(), path="a.py")  # the next turn
    assert repo.runs == ["open a.py", "write n.py", "open a.py", "open a.py"]


async def test_a_failed_write_changes_nothing_and_is_remembered(repo: Repo) -> None:
    writes: list[str] = []
    tools = _tools(ToolCallGuard(writes={"write_file"}, on_write=lambda: writes.append("w")),
                   repo)
    turn = CancellationToken()
    assert (await _call(tools["write_file"], turn, path="exists.py", content="z")
            == "raised: exists.py already exists")
    again = await _call(tools["write_file"], turn, path="exists.py", content="z")
    assert "The result was: error: exists.py already exists." in again
    assert repo.runs == ["write exists.py"] and writes == []


async def test_wrong_arguments_are_explained_with_the_signature(repo: Repo) -> None:
    tools = _tools(ToolCallGuard(), repo)
    out = await _call(tools["open_file"], CancellationToken(), file="a.py")
    assert out.startswith("raised: wrong arguments for open_file: path: Field required; "
                          "unknown argument(s): file.")
    assert out.endswith("Call it as open_file(path: string, start_line: integer = 1, "
                        "end_line: integer | null = null)")


def test_tools_listing_is_one_line_per_tool(repo: Repo) -> None:
    tools = list(_tools(ToolCallGuard(), repo).values())
    assert tools_listing(tools).splitlines() == [
        "- open_file(path: string, start_line: integer = 1, end_line: integer | null = null): "
        "Show a file",
        "- write_file(path: string, content: string): Create a new file",
    ]
    message = unknown_tool_message("open_files", tools)
    assert message.startswith("Error: there is no tool named 'open_files' (did you mean "
                              "open_file?). The tools you can call are:\n- open_file(")


CALLS_AS_TEXT = [
    ('```json\n{"name": "open_file", "arguments": {"path": "a.py"}}\n```', "open_file"),
    ('I will look at the file first.\n{"tool": "open_file", "parameters": {"path": "a.py"}}',
     "open_file"),
    ('<tool_call>\n{"name": "write_file", "arguments": {"path": "n.py", "content": ""}}\n'
     "</tool_call>", "write_file"),
    ('{"type": "function", "function": {"name": "open_file", "arguments": "{}"}}', "open_file"),
    ('[{"name": "open_file", "arguments": {"path": "a.py"}}]', "open_file"),
    ('```\nopen_file(path="a.py")\n```', "open_file"),
    ('{"name": "edit_file", "arguments": {"path": "a.py"}}', "edit_file"),
    ("<tool_call>\nopen it please\n</tool_call>", ""),
]


@pytest.mark.parametrize(("text", "name"), CALLS_AS_TEXT)
def test_tool_calls_written_as_text_are_caught(repo: Repo, text: str, name: str) -> None:
    tools = list(_tools(ToolCallGuard(), repo).values())
    message = text_tool_call(text, tools)
    assert message is not None
    what = f"a call to {name!r}" if name else "a tool call"
    assert message.startswith(f"Your reply contains {what} written as text, so it was not run.")
    assert ("There is no tool named 'edit_file'." in message) == (name == "edit_file")
    assert "- open_file(path: string" in message and "- write_file(path: string" in message


NOT_CALLS = [
    "I used `open_file` on inventory/stock.py and then changed low_stock with "
    "replace_in_file(path, old, new); all tests pass.",
    "```json\n" + TestPlan(targets=["f"], command=["pytest"]).model_dump_json() + "\n```",
    ReviewResult(status="APPROVED", summary="open_file showed it is fine").model_dump_json(),
    '```python\nprint(total([1, 2]))\n```',
    '{"name": "INV-7", "parameters": ["threshold"], "summary": "low stock"}',
]


@pytest.mark.parametrize("text", NOT_CALLS)
def test_ordinary_replies_and_contracts_are_not_calls(repo: Repo, text: str) -> None:
    tools = list(_tools(ToolCallGuard(), repo).values())
    assert text_tool_call(text, tools) is None


def test_contract_keys_are_never_read_as_a_call(repo: Repo) -> None:
    tools = list(_tools(ToolCallGuard(), repo).values())
    contract = json.dumps({"name": "open_file", "arguments": ["a"]})
    assert text_tool_call(contract, tools) is not None
    assert text_tool_call(contract, tools, contract_keys={"name", "arguments", "id"}) is None


def test_a_call_that_is_not_valid_json_is_still_seen_as_a_call(repo: Repo) -> None:
    """As a real small model wrote it: Python triple quotes inside the JSON arguments."""
    tools = list(_tools(ToolCallGuard(), repo).values())
    reply = ('```json\n{\n  "name": "write_file",\n  "arguments": {\n    "path": "x.py",\n'
             '    "content": """\nclass A:\n    pass\n"""\n  }\n}\n```')
    hint = text_tool_call(reply, tools)
    assert hint is not None and "a call to 'write_file' written as text" in hint
