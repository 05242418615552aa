"""Builds the four role agents of one run: model clients (recorded) and the agents."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_core.models import ChatCompletionClient
from autogen_core.tools import BaseTool, FunctionTool
from pydantic import BaseModel

from agents.contracts import FeatureSpec, ReviewResult, Role
from agents.prompts import system_prompt
from workbench.engine.context import CompactingChatCompletionContext
from workbench.engine.tools import ToolAwareAgent
from workbench.models import (
    ModelCallRecord,
    ModelSpec,
    RecordingChatCompletionClient,
    create_client,
    parse_model_spec,
)
from workbench.models.masking import MaskingClient
from workbench.models.resilient import ResilientClient, RetryNotice, TimedClient
from workbench.models.settings import CallSettings
from workbench.models.structured import StructuredOutputClient, structured_mode

TOOL_ITERATIONS = 12
CONTRACTS: dict[Role, type[BaseModel]] = {
    Role.REQUIREMENTS: FeatureSpec, Role.REVIEWER: ReviewResult}
"""Roles that answer with a contract and use no tools: asked in structured-output mode."""


def make_client(
    spec_text: str | ModelSpec,
    role: str,
    base_url: str | None,
    start_index: int,
    on_call: Callable[[str, ModelCallRecord], None],
    settings: CallSettings | None = None,
    on_retry: Callable[[str, RetryNotice], None] | None = None,
    contract: type[BaseModel] | None = None,
    db: str | None = None,
) -> tuple[ChatCompletionClient, str]:
    """The client of one role (or of the group chat's ``selector``): timed, recorded per
    attempt, retried (see :mod:`workbench.models.resilient`)."""
    settings = settings or CallSettings()
    spec = spec_text if isinstance(spec_text, ModelSpec) else parse_model_spec(
        spec_text, base_url=base_url, db=db)  # replay: the run's own store
    inner = create_client(spec, role=str(role), start_index=start_index, settings=settings)
    mode = structured_mode(spec.provider) if contract is not None else None
    if contract is not None and mode is not None:
        inner = StructuredOutputClient(inner, contract, mode)
    inner = MaskingClient(inner)  # nearest the provider: whatever is sent is masked
    label = f"{spec.provider}:{spec.name}"
    if spec.is_scripted and isinstance(spec_text, str):  # as configured, not the script's path
        label = "scripted:" + spec_text.partition(":")[2].strip()
    sampling = settings.create_args(seed=spec.provider != "anthropic")
    recorded = RecordingChatCompletionClient(
        TimedClient(inner, settings), label, lambda rec: on_call(role, rec),
        sampling=sampling)
    client = ResilientClient(
        recorded, settings, lambda notice: on_retry(role, notice) if on_retry else None)
    return client, spec.label


def make_agent(
    role: Role, client: ChatCompletionClient, tools: list[FunctionTool] | None = None,
    extra_tools: Sequence[BaseTool[Any, Any]] = (),
) -> AssistantAgent:
    """``extra_tools``: tools from outside the repository (MCP servers), after its own."""
    every: list[BaseTool[Any, Any]] = [*(tools or []), *extra_tools]
    return ToolAwareAgent(
        name=role.value,
        model_client=client,
        tools=[*every],
        system_message=system_prompt(role, [t.name for t in every] if every else None),
        model_context=CompactingChatCompletionContext(),
        model_client_stream=True,
        max_tool_iterations=TOOL_ITERATIONS,
        reflect_on_tool_use=False,
    )


def worktrees_dir_for(db_path: Path) -> Path:
    return db_path.parent / "worktrees"
