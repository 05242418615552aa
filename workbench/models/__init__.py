"""Model layer: provider registry, routing, scripted and replay clients, call recording and
pricing."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ModelSpecError, ProviderUnavailable, ScriptError, ScriptExhausted

if TYPE_CHECKING:
    from .pricing import cost
    from .recording import ModelCallRecord, RecordingChatCompletionClient
    from .registry import (
        DEMO_SCRIPT,
        ModelSpec,
        create_client,
        parse_model_spec,
        parse_role_models,
        role_specs,
    )
    from .routing import resolve, route
    from .scripted import Script, ScriptedChatCompletionClient, load_script, parse_script

# The clients pull in AutoGen and the provider SDKs: a command that only needs an error class
# must not pay for them, so the rest is imported when first named.
_LAZY = {
    "cost": ".pricing", "ModelCallRecord": ".recording",
    "RecordingChatCompletionClient": ".recording", "DEMO_SCRIPT": ".registry",
    "ModelSpec": ".registry", "create_client": ".registry", "parse_model_spec": ".registry",
    "parse_role_models": ".registry", "role_specs": ".registry", "resolve": ".routing",
    "route": ".routing", "Script": ".scripted", "ScriptedChatCompletionClient": ".scripted",
    "load_script": ".scripted", "parse_script": ".scripted",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEMO_SCRIPT",
    "ModelCallRecord",
    "ModelSpec",
    "ModelSpecError",
    "ProviderUnavailable",
    "RecordingChatCompletionClient",
    "Script",
    "ScriptError",
    "ScriptExhausted",
    "ScriptedChatCompletionClient",
    "cost",
    "create_client",
    "load_script",
    "parse_model_spec",
    "parse_role_models",
    "parse_script",
    "resolve",
    "role_specs",
    "route",
]
