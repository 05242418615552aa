"""User settings: defaults, then the YAML config file, then ``WORKBENCH_*`` environment variables.

Nested fields are reached from the environment with a double underscore, for example
``WORKBENCH_UI__THEME=workbench-light`` or ``WORKBENCH_BUDGETS__MAX_TURNS=10``.
"""

from __future__ import annotations

import os
import shlex
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from workbench.engine.config import DEFAULT_HIGH_RISK
from workbench.mcp_settings import McpServer
from workbench.paths import atomic_write_text, config_path

DEFAULT_THEME = "workbench-dark"


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
    docker_image: str = Field(
        default="python:3.12-slim",
        description="Image for the docker backend; pin a tag or digest. Pulled once if missing.",
    )
    docker_mounts: list[str] = Field(
        default_factory=list,
        description="Host paths mounted read-only at the same path in each container (e.g. a "
        "toolchain the image lacks).",
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


ENV_PREFIX = "WORKBENCH_"
ENV_NESTED_DELIMITER = "__"


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


def _environment_sets_a_field() -> bool:
    """Whether some ``WORKBENCH_*`` variable names a settings field (case-insensitive), e.g.
    ``WORKBENCH_UI__THEME``. Others (``WORKBENCH_DB``, ``WORKBENCH_CONFIG``...) are not settings."""
    prefixes = tuple(f"{ENV_PREFIX}{name}".lower() for name in WorkbenchSettings.model_fields)
    for key in os.environ:
        lowered = key.lower()
        for prefix in prefixes:
            if lowered == prefix or lowered.startswith(prefix + ENV_NESTED_DELIMITER):
                return True
    return False


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


def _defaults() -> WorkbenchSettings:
    """Default settings, equal to ``WorkbenchSettings()`` but built without validating."""
    sections = {  # a section is built unvalidated; a list (mcp) is its empty default
        name: field.annotation.model_construct()  # type: ignore[union-attr]
        if hasattr(field.annotation, "model_construct")
        else field.get_default(call_default_factory=True)
        for name, field in WorkbenchSettings.model_fields.items()
    }
    return WorkbenchSettings.model_construct(set(), **sections)


def _build(data: dict[str, Any]) -> WorkbenchSettings:
    """Validated settings from the file contents ``data`` and the environment."""
    if not _environment_sets_a_field():
        if not data:  # the defaults are valid: validators are built when first needed
            return _defaults()
        return WorkbenchSettings(**data)
    merged = _environment_settings_class()(**data)
    return WorkbenchSettings.model_validate(merged.model_dump())


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "settings"
    more = error.error_count() - 1
    suffix = f" (and {more} more)" if more else ""
    return f"{where}: {first['msg']}{suffix}"


class _FileError(Exception):
    """The config file could not be used; the message is one line."""


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _FileError(f"cannot read: {exc}") from exc
    import yaml  # deferred: only needed when a config file exists

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _FileError(f"not valid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _FileError("expected a mapping of sections at the top level")
    unknown = sorted(str(key) for key in data if key not in WorkbenchSettings.model_fields)
    if unknown:
        raise _FileError(f"unknown section {unknown[0]!r}")
    return data


def load_settings(path: Path | None = None) -> WorkbenchSettings:
    """Settings from ``path`` (default: :func:`workbench.paths.config_path`) and the environment.

    A missing file means defaults. A file that is not valid YAML or does not validate is ignored:
    defaults are used and ``settings.load_error`` holds a one-line explanation.
    """
    path = path or config_path()
    data: dict[str, Any] = {}
    error: str | None = None
    if path.is_file():
        try:
            data = _read_file(path)
        except _FileError as exc:
            error = f"{path}: {exc}"
    try:
        settings = _build(data)
    except ValidationError as exc:
        error = f"{path}: {_one_line(exc)}"
        settings = _build({})
    settings._load_error = error
    return settings


def settings_to_yaml(settings: WorkbenchSettings) -> str:
    """The YAML text :func:`save_settings` writes."""
    data = settings.model_dump(mode="json")
    import yaml

    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def save_settings(settings: WorkbenchSettings, path: Path | None = None) -> Path:
    """Write ``settings`` to ``path`` (default: the config file) atomically; return the path."""
    path = path or config_path()
    atomic_write_text(path, settings_to_yaml(settings))
    return path
