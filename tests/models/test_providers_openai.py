"""OpenAI wire format providers through autogen-ext's real clients against a local fake:
any OpenAI-compatible server by base URL, Azure OpenAI and Gemini's OpenAI endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_openai import FakeOpenAIServer
from tests.models.test_providers_support import (
    ADD_REPLIES,
    MESSAGES,
    SETTINGS,
    assert_added_with_the_tool,
    assert_times_out_once,
    failed_call_requests,
    held_reply,
    run_add_agent,
    server_errors,
)
from workbench.models import ModelSpecError, create_client, parse_model_spec
from workbench.models.settings import CallSettings

ENV = ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_VERSION",
       "GEMINI_API_KEY", "GEMINI_BASE_URL", "AZURE_CLIENT_ID", "AZURE_TENANT_ID")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(ADD_REPLIES) as srv:
        yield srv


def _assert_sampling_sent(body: dict[str, object]) -> None:
    assert body["max_tokens"] == 321 and body["temperature"] == 0.25 and body["seed"] == 11
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_openai_compatible_server_by_base_url(server: FakeOpenAIServer) -> None:
    run = await run_add_agent(parse_model_spec("openai:qwen2.5-coder", base_url=server.base_url))
    assert_added_with_the_tool(run)
    first, second = server.requests
    _assert_sampling_sent(first)
    assert first["model"] == "qwen2.5-coder"
    assert second["messages"][-1] == {"role": "tool", "content": "5",
                                      "tool_call_id": "call_fake_0"}
    assert server.headers[0]["authorization"] == "Bearer not-needed"


async def test_openai_key_from_a_named_variable(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROXY_KEY", "sk-proxy")
    spec = parse_model_spec("openai:m", base_url=server.base_url, key_env="PROXY_KEY")
    await create_client(spec, "developer").create(MESSAGES)
    assert server.headers[0]["authorization"] == "Bearer sk-proxy"


async def test_azure_deployment_path_version_and_key(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key")
    spec = parse_model_spec("azure:prod-gpt4o")
    assert spec.label == "azure:prod-gpt4o"
    run = await run_add_agent(spec)
    assert_added_with_the_tool(run)
    assert server.paths == [
        "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21"] * 2
    assert server.headers[0]["api-key"] == "azure-key"
    assert "authorization" not in server.headers[0]
    _assert_sampling_sent(server.requests[0])


async def test_azure_without_key_uses_an_entra_token(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import azure.identity

    scopes: list[str] = []

    def provider(credential: object, scope: str) -> object:
        scopes.append(scope)
        return lambda: "entra-token"

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", lambda: object())
    monkeypatch.setattr(azure.identity, "get_bearer_token_provider", provider)
    spec = parse_model_spec("azure:dep", server=server.endpoint)
    await create_client(spec, "developer").create(MESSAGES)
    assert scopes == ["https://cognitiveservices.azure.com/.default"]
    assert server.headers[0]["authorization"] == "Bearer entra-token"
    assert "api-version=2024-10-21" in server.paths[0]  # a GA version when none is set


def test_azure_without_endpoint_is_one_line() -> None:
    with pytest.raises(ModelSpecError) as info:
        create_client(parse_model_spec("azure:dep"), "developer")
    assert str(info.value).startswith("AZURE_OPENAI_ENDPOINT is not set (needed for azure:dep")
    assert "\n" not in str(info.value)


async def test_gemini_through_its_openai_endpoint(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "gem-key")
    monkeypatch.setenv("GEMINI_BASE_URL", server.base_url)
    run = await run_add_agent(parse_model_spec("gemini:gemini-2.5-flash"))
    assert_added_with_the_tool(run)
    first = server.requests[0]
    _assert_sampling_sent(first)
    assert first["model"] == "gemini-2.5-flash"
    assert all("name" not in m for m in first["messages"])
    assert server.headers[0]["authorization"] == "Bearer gem-key"


def test_gemini_defaults_to_googles_endpoint_and_needs_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ModelSpecError, match=r"^GEMINI_API_KEY is not set \(needed for gemini:"):
        create_client(parse_model_spec("gemini:gemini-2.5-pro"), "developer")
    monkeypatch.setenv("GEMINI_API_KEY", "k")
    client = create_client(parse_model_spec("gemini:gemini-2.5-pro"), "developer")
    assert str(client._client.base_url) == (  # type: ignore[attr-defined]
        "https://generativelanguage.googleapis.com/v1beta/openai/")


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("provider", ["openai", "azure", "gemini"])
async def test_a_server_error_is_one_request_no_sdk_retry(
    provider: str, streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenAIServer(server_errors()) as srv:
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k")
        monkeypatch.setenv("GEMINI_API_KEY", "k")
        url = srv.endpoint if provider == "azure" else srv.base_url
        client = create_client(parse_model_spec(f"{provider}:m", server=url), "developer")
        error, sent = await failed_call_requests(client, srv.requests, streamed)
    assert sent == 1
    assert getattr(error, "status_code", None) == 500


async def test_the_request_timeout_is_the_configured_one() -> None:
    with held_reply() as slow, FakeOpenAIServer([slow]) as srv:
        spec = parse_model_spec("openai:m", base_url=srv.base_url)
        client = create_client(spec, "developer", settings=CallSettings(timeout_s=0.3))
        await assert_times_out_once(client, srv.requests)


async def test_usage_and_sampling_on_a_non_streamed_call(server: FakeOpenAIServer) -> None:
    client = create_client(parse_model_spec("openai:m", base_url=server.base_url), "developer",
                           settings=SETTINGS)
    result = await client.create(MESSAGES)
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    body = server.requests[0]
    assert "stream_options" not in body and body["max_tokens"] == 321
    assert client.count_tokens(MESSAGES) > 0  # local count: no tiktoken download
