from __future__ import annotations

from pathlib import Path

import pytest

import workbench
from workbench.models import (
    DEMO_SCRIPT,
    ModelSpec,
    ModelSpecError,
    ScriptedChatCompletionClient,
    create_client,
    parse_model_spec,
    parse_role_models,
    registry,
    role_specs,
)

SCRIPT = "name: tiny\nroles:\n  developer:\n    - content: hi\n    - content: again\n"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SCRIPT)
    return path


def test_openai_spec_takes_base_url_from_argument_before_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parse_model_spec("openai:gpt-4o-mini") == ModelSpec("openai", "gpt-4o-mini")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.local:1/v1")
    assert parse_model_spec("openai:m").base_url == "http://env.local:1/v1"
    spec = parse_model_spec(" OpenAI:m ", base_url="http://127.0.0.1:9/v1")
    assert spec == ModelSpec("openai", "m", "http://127.0.0.1:9/v1")
    assert spec.label == "openai:m @ http://127.0.0.1:9/v1"
    assert not spec.is_scripted


def test_scripted_spec_is_resolved_and_always_labelled(
    script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(script.parent)
    spec = parse_model_spec("scripted:tiny.yaml", base_url="http://127.0.0.1:9/v1")
    assert spec.is_scripted
    assert spec.name == str(script.resolve())
    assert spec.base_url is None
    assert spec.label == "scripted: tiny.yaml (SCRIPTED)"


def test_scripted_demo_points_at_the_bundled_script(
    script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Path(workbench.__file__).parent / "demo_data" / "demo_script.yaml" == DEMO_SCRIPT
    monkeypatch.setattr(registry, "DEMO_SCRIPT", script)
    assert parse_model_spec("scripted:demo").name == str(script)


@pytest.mark.parametrize("text", ["azure:dep", "anthropic:claude", "ollama:llama3",
                                  "gemini:gemini-2.0-flash", "replay:run-1"])
def test_every_provider_parses(text: str) -> None:
    spec = parse_model_spec(text)
    assert spec.text == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty model spec"),
        ("gpt-4o", "model spec 'gpt-4o' has no provider"),
        ("foo:bar", "unknown model provider 'foo' in 'foo:bar' (expected one of: scripted, openai"),
        ("openai:", "missing model name in 'openai:' (expected openai:MODEL)"),
        ("scripted:", "missing model name in 'scripted:' (expected scripted:FILE)"),
        ("scripted:/nope/missing.yaml", "scripted file not found: /nope/missing.yaml"),
        ("llamacpp:m.gguf", "embedded GGUF models are not supported in this version"),
    ],
)
def test_bad_specs_give_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ModelSpecError) as info:
        parse_model_spec(text)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_bad_base_url_is_refused() -> None:
    with pytest.raises(ModelSpecError, match="must start with http:// or https://"):
        parse_model_spec("openai:m", base_url="localhost:8000")


def test_role_models(script: Path) -> None:
    pairs = ["developer=openai:gpt-4o-mini", f" Tester = scripted:{script}"]
    assert parse_role_models(pairs) == {
        "developer": "openai:gpt-4o-mini",
        "tester": f"scripted:{script}",
    }
    specs = role_specs("openai:gpt-4o", parse_role_models(pairs))
    assert specs["requirements"].text == "openai:gpt-4o"
    assert specs["developer"].text == "openai:gpt-4o-mini"
    assert specs["tester"].is_scripted


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("developer", "bad role model 'developer' (expected ROLE=PROVIDER:MODEL"),
        ("developer=", "bad role model 'developer='"),
        ("boss=openai:m", "unknown role 'boss' in 'boss=openai:m' (expected one of: requirements"),
        ("developer=foo:m", "unknown model provider 'foo'"),
    ],
)
def test_bad_role_models(pair: str, message: str) -> None:
    with pytest.raises(ModelSpecError) as info:
        parse_role_models([pair])
    assert str(info.value).startswith(message)


def test_role_given_twice_is_refused() -> None:
    with pytest.raises(ModelSpecError, match="given a model twice"):
        parse_role_models(["developer=openai:a", "developer=openai:b"])


def test_create_scripted_client_resumes_at_start_index(script: Path) -> None:
    client = create_client(parse_model_spec(f"scripted:{script}"), "developer", start_index=1)
    assert isinstance(client, ScriptedChatCompletionClient)
    assert client.model_name == "scripted:tiny"
    assert client.next_index == 1 and client.remaining == 1


def test_openai_without_key_or_base_url_is_a_clear_error() -> None:
    with pytest.raises(ModelSpecError, match="OPENAI_API_KEY is not set"):
        create_client(parse_model_spec("openai:gpt-4o-mini"), "developer")


def test_openai_local_server_gets_placeholder_key_and_model_info() -> None:
    spec = parse_model_spec("openai:qwen2.5-coder", base_url="http://127.0.0.1:9/v1")
    client = create_client(spec, "reviewer")
    info = client.model_info
    assert info["function_calling"] and info["structured_output"] and info["json_output"]
    assert not info["vision"] and info["family"] == "unknown"


def test_openai_known_model_keeps_autogen_model_info(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    client = create_client(parse_model_spec("openai:gpt-4o-mini"), "developer")
    assert client.model_info["family"] != "unknown"
    assert client.model_info["vision"]


def test_unknown_role_for_client(script: Path) -> None:
    with pytest.raises(ModelSpecError, match="unknown role 'boss'"):
        create_client(parse_model_spec(f"scripted:{script}"), "boss")


async def test_bundled_demo_script_covers_every_agent_role() -> None:
    spec = parse_model_spec("scripted:demo")
    assert spec.label == "scripted: demo_script.yaml (SCRIPTED)"
    for role in ("requirements", "developer", "reviewer", "tester"):
        client = create_client(spec, role)
        assert isinstance(client, ScriptedChatCompletionClient) and client.remaining > 0
