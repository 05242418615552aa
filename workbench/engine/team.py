"""Builds the four role agents of one run: model clients (recorded) and their repo tools."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from autogen_agentchat.agents import AssistantAgent
from autogen_core.models import ChatCompletionClient
from autogen_core.tools import FunctionTool

from agents.contracts import Role
from agents.prompts import SYSTEM_PROMPTS
from agents.redact import mask_secrets
from agents.repo_tools import RepoTools
from workbench.models import (
    ModelCallRecord,
    RecordingChatCompletionClient,
    create_client,
    parse_model_spec,
)

TOOL_ITERATIONS = 12


def make_client(
    spec_text: str,
    role: Role,
    base_url: str | None,
    start_index: int,
    on_call: Callable[[Role, ModelCallRecord], None],
) -> tuple[ChatCompletionClient, str]:
    spec = parse_model_spec(spec_text, base_url=base_url)
    inner = create_client(spec, role=role.value, start_index=start_index)
    label = f"{spec.provider}:{spec.name}"
    client = RecordingChatCompletionClient(inner, label, lambda rec: on_call(role, rec))
    return client, spec.label


def repo_tools(
    tools: RepoTools,
    propose_patch: Callable[[str, str], str],
    run_tests: Callable[[str], Awaitable[str]] | None,
) -> list[FunctionTool]:
    def list_files(path: str = ".", pattern: str = "*") -> str:
        """List files under a directory of the repository (relative path), filtered by a glob."""
        return tools.list_files(path, pattern)

    def search_repository(
        query: str, path: str = ".", max_results: int = 50, regex: bool = False
    ) -> str:
        """Search file contents for a text (or a regular expression when regex is true);
        returns path:line: text."""
        return mask_secrets(tools.search_repository(query, path, max_results, regex=regex))

    def open_file(path: str, start_line: int = 1, end_line: int | None = None) -> str:
        """Show a file of the repository with line numbers, optionally a line range."""
        return mask_secrets(tools.open_file(path, start_line, end_line))

    def propose_patch_tool(diff: str, summary: str = "") -> str:
        """Apply a unified diff (a/ b/ prefixes, paths relative to the repository root)."""
        return propose_patch(diff, summary)

    result = [
        FunctionTool(list_files, description=list_files.__doc__ or ""),
        FunctionTool(search_repository, description=search_repository.__doc__ or ""),
        FunctionTool(open_file, description=open_file.__doc__ or ""),
        FunctionTool(
            propose_patch_tool, name="propose_patch", description=propose_patch_tool.__doc__ or ""
        ),
    ]
    if run_tests is not None:

        async def run_tests_tool(command: str = "python -m pytest -q") -> str:
            """Run the test command in the sandbox (allow-listed commands only)."""
            return await run_tests(command)

        result.append(
            FunctionTool(run_tests_tool, name="run_tests", description=run_tests_tool.__doc__ or "")
        )
    return result


def make_agent(
    role: Role, client: ChatCompletionClient, tools: list[FunctionTool] | None = None
) -> AssistantAgent:
    return AssistantAgent(
        name=role.value,
        model_client=client,
        tools=list(tools or []),
        system_message=SYSTEM_PROMPTS[role],
        model_client_stream=True,
        max_tool_iterations=TOOL_ITERATIONS,
        reflect_on_tool_use=False,
    )


def worktrees_dir_for(db_path: Path) -> Path:
    return db_path.parent / "worktrees"
