"""The repo tools an agent role is given, as AutoGen FunctionTools over :class:`RepoTools`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from autogen_core.tools import FunctionTool

from agents.redact import mask_secrets
from agents.repo_tools import RepoTools


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
