"""Turning an agent's final text into a validated contract, with errors it can act on."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

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


def _placeholder(name: str, info: FieldInfo) -> str:
    text = (info.description or name.replace("_", " ")).rstrip(".")
    return f"<{text[:1].lower()}{text[1:]}>"


def _example_value(name: str, annotation: Any, info: FieldInfo) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return args[0]
    if origin in (Union, UnionType):
        first = next(a for a in args if a is not type(None))
        return _example_value(name, first, info)
    if origin is list:
        return [_example_value(name, args[0] if args else str, info)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return example_instance(annotation)
    if annotation is bool:
        return info.default if isinstance(info.default, bool) else True
    if annotation is int:
        return 1
    if annotation is float:
        return 0.0
    return _placeholder(name, info)


def example_instance(
    model: type[BaseModel], values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A small valid instance of ``model`` for prompts, every field named once: ``values``
    where given, else a placeholder from the field's description (``<...>``), the first
    allowed value of a fixed choice, or one element for a list. Checked against the model,
    so a prompt never shows an example the parser would refuse."""
    given = dict(values or {})
    data = {
        name: given[name] if name in given else _example_value(name, info.annotation, info)
        for name, info in model.model_fields.items()
    }
    return model.model_validate(data).model_dump(mode="json")


def _choices(model: type[BaseModel], prefix: str = "") -> list[str]:
    """``field: a | b`` for every fixed-choice field, nested models and lists included."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        while get_origin(annotation) in (list, Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        if get_origin(annotation) is Literal:
            found.append(f"{prefix}{name}: " + " | ".join(str(a) for a in get_args(annotation)))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(_choices(annotation, f"{prefix}{name}[]."))
    return found


def schema_hint(model: type[BaseModel], values: Mapping[str, Any] | None = None) -> str:
    """What a prompt shows of a contract: one example instance (not the JSON schema, which
    small models echo back) and the allowed values of its fixed-choice fields."""
    text = json.dumps(example_instance(model, values), ensure_ascii=False)
    choices = _choices(model)
    return text + ("\nAllowed values: " + "; ".join(choices) + "." if choices else "")
