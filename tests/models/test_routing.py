"""Config-driven routing: named models, per-role choices, risk and purpose, per-run flags."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.config import ModelSettings, WorkbenchSettings, load_settings
from workbench.models import ModelSpecError, cost, pricing
from workbench.models.routing import configured_prices, price_for, resolve, route

NAMED = {
    "strong": {"provider": "anthropic:claude-sonnet-4-5", "context_window": 200_000},
    "standard": {"provider": "openai", "model": "qwen2.5-coder-32b",
                 "base_url": "http://127.0.0.1:8000/v1", "key_env": "VLLM_KEY",
                 "price_in_per_mtok": 0.2, "price_out_per_mtok": 0.6},
    "small": {"provider": "ollama:qwen2.5-coder:7b", "base_url": "http://gpu:11434"},
}


def _settings(**models: object) -> ModelSettings:
    return WorkbenchSettings(models=models).models


@pytest.fixture
def settings() -> ModelSettings:
    return _settings(models=NAMED, roles={"reviewer": "openai:gpt-4.1"})


@pytest.fixture(autouse=True)
def _config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "config.yaml"
    monkeypatch.setenv("WORKBENCH_CONFIG", str(path))
    pricing.set_configured_prices(None)
    yield path
    pricing.set_configured_prices(None)


def test_standard_work_goes_to_the_standard_model(settings: ModelSettings) -> None:
    assert route("developer", "low", "work", settings) == "openai:qwen2.5-coder-32b"
    assert route("tester", None, "work", settings) == "openai:qwen2.5-coder-32b"
    assert route("reviewer", "medium", "work", settings) == "openai:gpt-4.1"  # its own entry


def test_high_risk_and_deep_reviews_go_to_the_strong_model(settings: ModelSettings) -> None:
    assert route("developer", "high", "work", settings) == "anthropic:claude-sonnet-4-5"
    assert route("reviewer", "high", "work", settings) == "anthropic:claude-sonnet-4-5"
    for purpose in ("security_review", "architecture_review"):
        assert route("reviewer", "low", purpose, settings) == "anthropic:claude-sonnet-4-5"


def test_summaries_and_log_condensing_go_to_the_small_model(settings: ModelSettings) -> None:
    for purpose in ("summary", "log_condense"):
        assert route("tester", "high", purpose, settings) == "ollama:qwen2.5-coder:7b"


def test_the_runs_flags_win(settings: ModelSettings) -> None:
    flags = {"developer": "small"}
    assert route("developer", "high", "work", settings, run_roles=flags,
                 run_model="openai:gpt-4o") == "ollama:qwen2.5-coder:7b"
    assert route("tester", "high", "work", settings, run_roles=flags,
                 run_model="openai:gpt-4o") == "openai:gpt-4o"


def test_rule_off_or_models_missing_falls_back_to_roles_and_default() -> None:
    off = _settings(models=NAMED, routing=False, roles={"developer": "small"})
    assert route("developer", "high", "security_review", off) == "ollama:qwen2.5-coder:7b"
    assert route("tester", "high", "summary", off) == "openai:qwen2.5-coder-32b"
    only_default = _settings(default="openai:gpt-4o")
    for purpose in ("work", "summary", "security_review"):
        assert route("developer", "high", purpose, only_default) == "openai:gpt-4o"


def test_old_config_files_keep_working(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("models:\n  default: openai:gpt-4o\n  base_url: http://127.0.0.1:4000/v1\n"
                    "  roles:\n    reviewer: ollama:qwen\n")
    models = load_settings(path).models
    assert route("reviewer", "high", "work", models) == "ollama:qwen"
    assert route("developer", "high", "work", models) == "openai:gpt-4o"
    spec = resolve("openai:gpt-4o", models)
    assert spec.base_url == "http://127.0.0.1:4000/v1"
    assert resolve("ollama:qwen", models).base_url is None  # base_url is for openai: only


def test_resolve_carries_the_named_models_connection(settings: ModelSettings) -> None:
    standard = resolve("standard", settings)
    assert standard.text == "openai:qwen2.5-coder-32b"
    assert (standard.base_url, standard.key_env) == ("http://127.0.0.1:8000/v1", "VLLM_KEY")
    assert resolve("ollama:qwen2.5-coder:7b", settings).base_url == "http://gpu:11434"
    assert resolve("strong", settings).context_window == 200_000
    assert resolve("openai:gpt-4.1", settings).base_url is None


def test_unknown_names_and_ambiguous_models_are_one_line_errors() -> None:
    bad = _settings(models=NAMED, roles={"developer": "strongest"})
    with pytest.raises(ModelSpecError) as info:
        route("developer", None, "work", bad)
    assert str(info.value) == ("models.roles.developer 'strongest' is neither a named model "
                               "(small, standard, strong) nor a provider string "
                               "(PROVIDER:MODEL)")
    twins = _settings(models={"a": {"provider": "openai:m", "base_url": "http://h1:1/v1"},
                              "b": {"provider": "openai:m", "base_url": "http://h2:1/v1"}})
    with pytest.raises(ModelSpecError, match="^named models a, b are all openai:m"):
        resolve("openai:m", twins)
    with pytest.raises(ModelSpecError, match="^models.models.x: unknown model provider"):
        resolve("x", _settings(models={"x": {"provider": "mystery:m"}}))


def test_named_model_needs_a_model_in_one_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("models:\n  models:\n    strong:\n      provider: anthropic\n")
    settings = load_settings(path)
    assert settings.load_error is not None and "\n" not in settings.load_error
    assert "models.models.strong" in settings.load_error
    assert "no model: use provider PROVIDER:MODEL" in settings.load_error


def test_prices_configured_first_then_the_table(settings: ModelSettings) -> None:
    assert price_for("standard", settings) == (0.2, 0.6)
    assert price_for("openai:qwen2.5-coder-32b", settings) == (0.2, 0.6)
    assert price_for("strong", settings) == (3.0, 15.0)  # not configured: the table's
    assert price_for("openai:gpt-4.1", settings) == (2.0, 8.0)
    assert price_for("small", settings) == (0.0, 0.0)
    partial = _settings(models={"s": {"provider": "openai:gpt-4o", "price_in_per_mtok": 1}})
    assert price_for("s", partial) == (1.0, 10.0)
    assert configured_prices(settings) == {"openai:qwen2.5-coder-32b": (0.2, 0.6)}


def test_cost_per_call_reads_prices_from_the_config_file(_config_file: Path) -> None:
    assert cost("openai:qwen2.5-coder-32b", 1_000_000, 0) == 0.0
    _config_file.write_text(
        "models:\n  models:\n    standard:\n      provider: openai:qwen2.5-coder-32b\n"
        "      price_in_per_mtok: 0.5\n      price_out_per_mtok: 2\n")
    assert cost("openai:qwen2.5-coder-32b", 1_000_000, 1_000_000) == pytest.approx(2.5)
    assert cost("openai:gpt-4o", 1_000_000, 0) == pytest.approx(2.5)  # still the table
    _config_file.write_text("models:\n  models: {}\n")
    assert cost("openai:qwen2.5-coder-32b", 1_000_000, 1_000_000) == 0.0


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("anthropic:claude-sonnet-4-5-20250929", 18.0),
        ("anthropic:claude-sonnet-4-20250514", 18.0),
        ("anthropic:claude-3-5-haiku-latest", 4.8),
        ("anthropic:claude-sonnet-4-7", 0.0),  # a newer model is not guessed
        ("gemini:gemini-2.5-flash", 2.8),
        ("gemini:gemini-2.5-flash-preview-05-20", 2.8),
        ("replay:run-1", 0.0),
        ("ollama:llama3.1", 0.0),
    ],
)
def test_table_prices_for_other_providers(model: str, expected: float) -> None:
    assert cost(model, 1_000_000, 1_000_000) == pytest.approx(expected)
