"""Turning an agent's final text into a validated contract, with errors it can act on."""

from __future__ import annotations

import json
import re
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

_FENCE_RE = re.compile(r"```(?:json|yaml|yml)?\s*\n(.*?)```", re.DOTALL)


class OutputInvalid(ValueError):
    """The agent's output does not satisfy the contract; ``errors`` go back to the agent."""

    def __init__(self, contract: str, errors: list[str]) -> None:
        super().__init__(f"{contract} output invalid: " + "; ".join(errors))
        self.contract = contract
        self.errors = errors


def _candidates(text: str) -> list[str]:
    found = [m.group(1) for m in _FENCE_RE.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        found.append(text[start : end + 1])
    found.append(text)
    return found


def parse_contract(text: str, model: type[T]) -> T:
    """Find the JSON (or YAML) object in ``text`` and validate it against ``model``."""
    name = model.__name__
    last_errors = [f"no JSON object found in the reply (expected a {name})"]
    for candidate in _candidates(text):
        data: object
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            try:
                data = yaml.safe_load(candidate)
            except yaml.YAMLError:
                continue
        if not isinstance(data, dict):
            continue
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            last_errors = [
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
                for err in exc.errors()
            ]
            break
    raise OutputInvalid(name, last_errors)


def schema_hint(model: type[BaseModel]) -> str:
    """A compact JSON schema for prompts."""
    return json.dumps(model.model_json_schema(), separators=(",", ":"))
