"""The settings models behind :mod:`workbench.config`, and their validation.

Imported when settings are validated or a section is first used (a config file, a
``WORKBENCH_*`` setting, a run, a form): pydantic is not on the path of a start with
defaults. Import the names from :mod:`workbench.config`.
"""

from __future__ import annotations

import shlex
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from workbench.config import (
    DEFAULT_THEME,
    ENV_NESTED_DELIMITER,
    ENV_PREFIX,
    environment_sets_a_field,
)
from workbench.engine.config import DEFAULT_HIGH_RISK
from workbench.mcp_settings import McpServer


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class UiSettings(_Section):
    """How the terminal interface looks and behaves."""

    theme: str = Field(default=DEFAULT_THEME, description="Name of the colour theme.")
    diff_mode: Literal["unified", "split"] = Field(
        default="unified", description="Show patches as one unified column or old/new side by side."
    )
    step_mode: bool = Field(
        default=False, description="Pause after every agent turn until the human continues."
    )


class ModelSettings(_Section):
    """Which model each agent role talks to: named models, per-role choices, and the routing
    rule (see ``workbench.models.routing``). ``workbench models`` shows what is chosen."""

    default: str = Field(
        default="scripted:demo",
        description="Model of roles without an entry in roles when no 'standard' model is "
        "named: a named model or a provider string, e.g. openai:gpt-4o.",
    )
    roles: dict[str, str] = Field(
        default_factory=dict,
        description="Per-role model keyed by role name (requirements, developer, reviewer, "
        "tester): a named model (standard) or a provider string (ollama:qwen2.5-coder).",
    )
    base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server (LiteLLM, vLLM, llama.cpp's "
        "server, LM Studio) for openai: provider strings without their own.",
    )
    models: dict[str, NamedModel] = Field(
        default_factory=dict,
        description="Named models, e.g. strong, standard and small, that roles and the "
        "routing rule refer to.",
    )
    routing: bool = Field(
        default=True,
        description="Route by risk and purpose: high-risk work and security or architecture "
        "reviews to the 'strong' model, summaries and log condensing to 'small' (when named).",
    )

    def for_role(self, role: str) -> str:
        """The model a role's entry names (a named model or a provider string), or the
        default; :func:`workbench.models.routing.route` applies the whole rule."""
        return self.roles.get(role, self.default)


class NamedModel(_Section):
    """One model that ``models.roles``, ``models.default`` and the routing rule can name."""

    provider: str = Field(
        description="Provider string (anthropic:claude-sonnet-4-5), or a provider name "
        "(anthropic) with 'model'.",
    )
    model: str | None = Field(
        default=None, description="The model, when 'provider' is only a provider's name."
    )
    base_url: str | None = Field(
        default=None,
        description="Where it is served when not the provider's default (an Azure endpoint, a "
        "vLLM or LiteLLM URL, a remote Ollama host).",
    )
    key_env: str | None = Field(
        default=None,
        description="Environment variable holding its API key, when not the provider's usual "
        "one (OPENAI_API_KEY, ANTHROPIC_API_KEY...).",
    )
    context_window: int | None = Field(
        default=None, ge=1, description="Tokens of context the model takes (for budgeting)."
    )
    price_in_per_mtok: float | None = Field(
        default=None, ge=0,
        description="US dollars per million prompt tokens; wins over the built-in prices.",
    )
    price_out_per_mtok: float | None = Field(
        default=None, ge=0,
        description="US dollars per million completion tokens; wins over the built-in prices.",
    )

    @model_validator(mode="after")
    def _provider_and_model(self) -> NamedModel:
        head, sep, tail = self.provider.partition(":")
        if not head.strip():
            raise ValueError("provider must name a provider, e.g. anthropic:claude-sonnet-4-5")
        if self.model and sep:
            raise ValueError("give the model either in provider (PROVIDER:MODEL) or in model")
        if not self.model and not tail.strip():
            raise ValueError("no model: use provider PROVIDER:MODEL, or provider plus model")
        return self

    @property
    def spec_text(self) -> str:
        """The provider string, e.g. ``anthropic:claude-sonnet-4-5``."""
        if self.model:
            return f"{self.provider.strip()}:{self.model.strip()}"
        return self.provider.strip()


class BudgetSettings(_Section):
    """Hard limits on one run; reaching one ends the run as FAILED."""

    max_turns: int = Field(default=40, ge=1, description="Agent turns per run.")
    max_review_rounds: int = Field(default=3, ge=0, description="Developer/reviewer round trips.")
    max_tool_calls: int = Field(default=60, ge=0, description="Repo tool calls per run.")
    max_tokens: int = Field(
        default=200_000, ge=0, description="Prompt plus completion tokens per run."
    )
    max_cost: float = Field(
        default=5.0, ge=0, description="Model spend per run, in US dollars (0 for local models)."
    )
    max_validation_retries: int = Field(
        default=2, ge=0, description="Times an agent may retry output that fails its contract."
    )


class SandboxSettings(_Section):
    """How commands (tests, linters) are run."""

    timeout_s: int = Field(
        default=300, ge=1, description="Wall-clock limit for one command, in seconds."
    )
    extra_allowed_commands: list[str] = Field(
        default_factory=list,
        description="Command prefixes allowed besides the built-in allow-list, e.g. 'make test'.",
    )

    backend: Literal["auto", "bwrap", "docker", "local"] = Field(
        default="auto",
        description="Where commands run. 'bwrap': a jail (read-only system, the worktree the "
        "only writable path, private /tmp and HOME, no network, own PID namespace). 'docker': a "
        "fresh container per command (docker_image, no network). 'local': plain processes with "
        "limits, NOT a jail. 'auto': bwrap when it works here, else local.",
    )
    build_host: str = Field(
        default="", description="Send commands to a build worker through this gRPC host "
        "(`workbench host`, e.g. 127.0.0.1:50051); empty: run them here.",
    )
    build_worker: str = Field(
        default="", description="With build_host: the `workbench worker` that runs the "
        "commands, in its own sandbox of this backend (the worktree path must exist there).",
    )
    docker_image: str = Field(
        default="python:3.12-slim",
        description="Image for the docker backend; pin a tag or digest. Pulled once if missing.",
    )
    docker_mounts: list[str] = Field(
        default_factory=list,
        description="Host paths mounted read-only at the same path in each container (e.g. a "
        "toolchain the image lacks).",
    )
    share_dependencies: bool = Field(
        default=True,
        description="Show the node_modules folders installed in your checkout to the run's "
        "commands (read-only, where the worktree's package.json files expect them; bwrap and "
        "docker): a run's worktree holds only tracked files.",
    )
    cpus: float = Field(default=2.0, gt=0, description="CPUs one docker command may use.")
    memory_mb: int = Field(
        default=4096, ge=64,
        description="Memory for one command: docker's memory limit, and each process's "
        "address-space limit under bwrap and local.",
    )
    pids_limit: int = Field(
        default=1024, ge=16,
        description="Processes and threads one command may have (a pids cgroup where one can "
        "be made, docker's pids limit, RLIMIT_NPROC).",
    )
    max_log_mb: int = Field(
        default=16, ge=1,
        description="Output kept in a command's log artifact; a command printing more is "
        "stopped. The model sees the head and the tail.",
    )

    def allow_prefixes(self) -> list[list[str]]:
        """The extra commands as argv prefixes (``'make test'`` -> ``['make', 'test']``)."""
        return [shlex.split(command) for command in self.extra_allowed_commands if command.strip()]

    def sandbox_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``workbench.sandbox.Sandbox`` from these settings."""
        from workbench.sandbox import DockerOptions, Limits

        memory = self.memory_mb << 20
        return {
            "backend": self.backend,
            "limits": Limits(address_space=memory, nproc=self.pids_limit),
            "max_log_bytes": self.max_log_mb << 20,
            "docker": DockerOptions(image=self.docker_image, mounts=tuple(self.docker_mounts),
                                    cpus=self.cpus, memory=memory),
        }


class CallSection(_Section):
    """How each model call is made (see ``workbench.models.settings.CallSettings``)."""

    max_tokens: int | None = Field(default=4096, ge=1, description="Completion tokens per call.")
    temperature: float | None = Field(
        default=0.0, ge=0, le=2, description="Sampling temperature (0: as repeatable as can be)."
    )
    seed: int | None = Field(default=7, description="Sampling seed, where the provider takes one.")
    timeout_s: float = Field(default=120.0, gt=0, description="Limit for one whole call, seconds.")
    first_token_timeout_s: float = Field(
        default=45.0, gt=0, description="A stream with no first token this long is retried."
    )
    idle_timeout_s: float = Field(
        default=60.0, gt=0, description="A stream silent this long between chunks is retried."
    )
    max_attempts: int = Field(
        default=5, ge=1, description="Attempts per call before the run waits for the provider."
    )
    backoff_base_s: float = Field(default=1.0, ge=0, description="First retry delay, seconds.")
    backoff_cap_s: float = Field(default=30.0, ge=0, description="Longest retry delay, seconds.")


class TracingSettings(_Section):
    """OpenTelemetry traces of runs (one trace per run; spans carry ids and counts, never
    source text). Read when an engine starts, so a resume exports where that machine says."""

    exporter: Literal["none", "console", "otlp-http", "otlp-grpc"] = Field(
        default="none", description="Where spans go: nowhere, stdout, or an OTLP collector.")
    endpoint: str | None = Field(
        default=None, description="The collector's URL (default: the OTLP exporter's own, "
        "e.g. http://localhost:4318/v1/traces; OTEL_EXPORTER_OTLP_* variables apply too).")


class SafetySettings(_Section):
    """Changes that always need a human."""

    high_risk_paths: list[str] = Field(
        default_factory=lambda: list(DEFAULT_HIGH_RISK),
        description="A final patch touching one of these needs an approval naming the paths, "
        "also under --auto-approve (unless --allow-high-risk). A pattern with '/' matches from "
        "the repository root (.github/workflows/*); others match any one path component "
        "(migrations, auth_*).")


class WorkbenchSettings(BaseModel):
    """All user settings. Environment variables win over the config file.

    :func:`load_settings` reads the environment (``WORKBENCH_*``, nested fields after a double
    underscore) with pydantic-settings, which is imported only when such a variable is set.
    """

    model_config = ConfigDict(
        extra="ignore", validate_assignment=True, validate_default=True, defer_build=True
    )

    ui: UiSettings = Field(default_factory=UiSettings, description="Interface settings.")
    models: ModelSettings = Field(default_factory=ModelSettings, description="Model routing.")
    budgets: BudgetSettings = Field(default_factory=BudgetSettings, description="Run limits.")
    sandbox: SandboxSettings = Field(
        default_factory=SandboxSettings, description="Command sandbox settings."
    )
    calls: CallSection = Field(
        default_factory=CallSection, description="Model call limits, timeouts and retries."
    )
    safety: SafetySettings = Field(
        default_factory=SafetySettings, description="High-risk paths that need a human."
    )
    tracing: TracingSettings = Field(
        default_factory=TracingSettings, description="OpenTelemetry traces of runs."
    )
    mcp: list[McpServer] = Field(
        default_factory=list, description="MCP tool servers offered to agent roles."
    )

    _load_error: str | None = PrivateAttr(default=None)

    @property
    def load_error(self) -> str | None:
        """One line describing why the config file was ignored, or ``None``."""
        return self._load_error


@cache
def _environment_settings_class() -> type[WorkbenchSettings]:
    """:class:`WorkbenchSettings` as pydantic-settings ``BaseSettings``: constructor values
    (the file contents) rank below the environment."""
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class EnvironmentSettings(WorkbenchSettings, BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX,
            env_nested_delimiter=ENV_NESTED_DELIMITER,
            extra="ignore",
            validate_assignment=True,
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (env_settings, init_settings)

    return EnvironmentSettings


def default_settings() -> WorkbenchSettings:
    """Default settings, equal to ``WorkbenchSettings()`` but built without validating."""
    sections = {  # a section is built unvalidated; a list (mcp) is its empty default
        name: field.annotation.model_construct()  # type: ignore[union-attr]
        if hasattr(field.annotation, "model_construct")
        else field.get_default(call_default_factory=True)
        for name, field in WorkbenchSettings.model_fields.items()
    }
    return WorkbenchSettings.model_construct(set(), **sections)


def build_settings(data: dict[str, Any]) -> WorkbenchSettings:
    """Validated settings from the file contents ``data`` and the environment."""
    if not environment_sets_a_field():
        if not data:  # the defaults are valid: validators are built when first needed
            return default_settings()
        return WorkbenchSettings(**data)
    merged = _environment_settings_class()(**data)
    return WorkbenchSettings.model_validate(merged.model_dump())


def one_line_error(error: ValidationError) -> str:
    """The first problem of ``error`` on one line, with where it is and how many follow."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "settings"
    more = error.error_count() - 1
    suffix = f" (and {more} more)" if more else ""
    return f"{where}: {first['msg']}{suffix}"
