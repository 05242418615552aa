"""Model layer: provider registry, routing, scripted and replay clients, call recording and
pricing."""

from .errors import ModelSpecError, ProviderUnavailable, ScriptError, ScriptExhausted
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
