"""The repo tools an agent role is given, as AutoGen FunctionTools over :class:`RepoTools`.

Every tool goes through one :class:`ToolCallGuard` per agent (identical repeats are answered
from memory); tool text that echoes the repository is masked before the model sees it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import FunctionExecutionResult
from autogen_core.tools import BaseTool, FunctionTool, Workbench

from agents.injection_sources import fence, screen_tool_output
from agents.patching import PatchRejected
from agents.redact import mask_secrets
from agents.repo_tools import EditRefused, RepoTools
from agents.tool_guard import ToolCallGuard, unknown_tool_message

Path_ = Annotated[str, "path relative to the repository root, e.g. src/app.py"]
_EDIT_HINT = " (For a small change, replace_in_file(path, old, new) is simpler than a diff.)"


def _masked(edit: Callable[[], str]) -> str:
    try:
        return mask_secrets(edit())
    except EditRefused as exc:  # the message quotes file lines
        raise EditRefused(mask_secrets(str(exc))) from None


def repo_tools(
    tools: RepoTools,
    propose_patch: Callable[[str, str], str],
    run_tests: Callable[[str | list[str]], Awaitable[str]] | None,
    on_change: Callable[[], None] | None = None,
) -> list[FunctionTool]:
    """The tools, all behind one guard. ``on_change`` runs after every successful edit
    (replace_in_file, write_file, propose_patch): the worktree is dirty."""
    guard = ToolCallGuard(on_write=on_change)

    def list_files(path: Path_ = ".", pattern: str = "*") -> str:
        """List files under a directory of the repository (relative path), filtered by a glob
        such as *.py."""
        return tools.list_files(path, pattern)

    def search_repository(
        query: str, path: Path_ = ".", max_results: int = 50, regex: bool = False
    ) -> str:
        """Search file contents for a text (or a regular expression when regex is true);
        returns path:line: text."""
        return mask_secrets(tools.search_repository(query, path, max_results, regex=regex))

    def open_file(path: Path_, start_line: int = 1, end_line: int | None = None) -> str:
        """Show a file of the repository with line numbers, optionally a line range."""
        return mask_secrets(tools.open_file(path, start_line, end_line))

    def replace_in_file(
        path: Path_,
        old: Annotated[str, "the exact current text, copied from the file without the line "
                            "numbers open_file shows; it must occur exactly once"],
        new: Annotated[str, "the text that replaces it"],
    ) -> str:
        """Edit an existing file: replace the one exact occurrence of `old` with `new`.
        Include a few surrounding lines in `old` to make it unique. Best for small changes."""
        return _masked(lambda: tools.replace_in_file(path, old, new))

    def write_file(path: Path_, content: Annotated[str, "the whole text of the new file"]) -> str:
        """Create a NEW file (missing directories are created). Existing files are changed
        with replace_in_file or propose_patch, never overwritten."""
        return _masked(lambda: tools.write_file(path, content))

    def propose_patch_tool(
        diff: Annotated[str, "unified diff with --- a/PATH and +++ b/PATH headers, then "
                             "@@ -START,COUNT +START,COUNT @@ hunks"],
        summary: str = "",
    ) -> str:
        """Apply a unified diff (a/ b/ prefixes, paths relative to the repository root)."""
        try:
            return propose_patch(diff, summary)
        except PatchRejected as exc:  # the message quotes file lines
            hint = _EDIT_HINT if "does not apply" in str(exc) or "malformed" in str(exc) else ""
            raise PatchRejected(mask_secrets(str(exc)) + hint) from None

    result = [
        guard.tool(list_files),
        guard.tool(search_repository),
        guard.tool(open_file),
        guard.tool(replace_in_file),
        guard.tool(write_file),
        guard.tool(propose_patch_tool, name="propose_patch"),
    ]
    if run_tests is not None:
        test_runner = run_tests

        async def run_tests_tool(
            command: Annotated[str | list[str], "the command as one string, as typed in a "
                                                "terminal"] = "python -m pytest -q",
        ) -> str:
            """Run a test or check command in the sandbox: only allow-listed commands (such as
            python -m pytest -q tests/test_x.py, pytest, ruff, mypy, npm test, dotnet test), no
            shell (no pipes, && or redirection). Returns the test summary and failures."""
            return mask_secrets(await test_runner(command))

        result.append(guard.tool(run_tests_tool, name="run_tests"))
    return result


class ToolAwareAgent(AssistantAgent):
    """An AssistantAgent whose error for a call to a tool that does not exist, or with
    arguments that are not JSON, lists the real tools (AutoGen only says "not found"), and
    whose tool output reaches the model only as a fenced ``<tool_output>`` data block."""

    @staticmethod
    async def _execute_tool_call(
        tool_call: FunctionCall,
        workbench: Sequence[Workbench],
        handoff_tools: list[BaseTool[Any, Any]],
        agent_name: str,
        cancellation_token: CancellationToken,
        stream: asyncio.Queue[BaseAgentEvent | BaseChatMessage | None],
    ) -> tuple[FunctionCall, FunctionExecutionResult]:
        call, result = await AssistantAgent._execute_tool_call(
            tool_call, workbench, handoff_tools, agent_name, cancellation_token, stream)
        if result.is_error:  # the product's own answer when the call itself is wrong
            schemas = [t for wb in workbench for t in await wb.list_tools()]
            if not any(s["name"] == tool_call.name for s in schemas):
                text = unknown_tool_message(tool_call.name, schemas)
                return call, result.model_copy(update={"content": text})
            try:
                json.loads(tool_call.arguments or "{}")
            except ValueError as exc:
                text = (f"Error: the arguments of {tool_call.name} are not valid JSON ({exc}). "
                        f"Send one JSON object with the arguments.")
                return call, result.model_copy(update={"content": text})
        # Tool output is data: the model gets it fenced, flagged when it reads as orders.
        findings = screen_tool_output(tool_call.name, result.content, tool_call.id)
        return call, result.model_copy(
            update={"content": fence(tool_call.name, result.content, findings)})
