"""Turning an agent's final text into a validated contract, with errors it can act on.

The reply must hold exactly one JSON object (no YAML, no first-of-several):

- a fenced block (```json, or ``` holding an object) is the object, whatever prose surrounds
  it; several fenced objects are accepted only when they are the same object;
- without a fence, prose may come before the object but nothing after it;
- an object inside an array (or any other value) is not the contract;
- duplicate keys, NaN and Infinity, control characters (other than tab, newline and carriage
  return) and unpaired surrogates in strings are refused;
- the reply is capped at :data:`MAX_REPLY_BYTES` and nesting at
  :data:`agents.strict_json.MAX_DEPTH` levels, both checked before parsing;
- fields the contract does not define are refused (the contracts forbid extras).

Whatever goes wrong is an :class:`OutputInvalid` with short, readable errors (never another
exception), which the engine sends back to the agent as a validation retry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from agents.strict_json import MAX_DEPTH, JsonRefused, decode, one_object

T = TypeVar("T", bound=BaseModel)

MAX_REPLY_BYTES = 256 * 1024
MAX_ERRORS = 20
MAX_STORED_ARGUMENT_CHARS = 16 * 1024
"""Per string value of a tool call's arguments, as recorded in an event."""


class OutputInvalid(ValueError):
    """The agent's output does not satisfy the contract; ``errors`` go back to the agent."""

    def __init__(self, contract: str, errors: list[str]) -> None:
        super().__init__(f"{contract} output invalid: " + "; ".join(errors))
        self.contract = contract
        self.errors = errors


def _validation_errors(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    errors: list[str] = []
    for err in exc.errors()[:MAX_ERRORS]:
        where = ".".join(str(p) for p in err["loc"])[:120] or "<root>"
        if err["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields) if len(err["loc"]) == 1 else ""
            errors.append(f"{where}: unknown field" + (f" (a {model.__name__} has: {known})"
                                                       if known else ""))
        else:
            errors.append(f"{where}: {err['msg'][:300]}")
    return errors


def parse_contract(text: str, model: type[T]) -> T:
    """The one JSON object in ``text``, validated against ``model``; otherwise
    :class:`OutputInvalid` saying what to change (see the module's rules)."""
    name = model.__name__
    try:
        if not isinstance(text, str):
            raise JsonRefused(f"the reply is not text (expected a {name} JSON object)")
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_REPLY_BYTES:
            raise JsonRefused(f"the reply is {size // 1024} KiB, over the {MAX_REPLY_BYTES // 1024}"
                           f" KiB limit: send the {name} JSON object alone")
        return model.model_validate(one_object(text, name))
    except JsonRefused as exc:
        raise OutputInvalid(name, [str(exc)]) from None
    except ValidationError as exc:
        raise OutputInvalid(name, _validation_errors(exc, model)) from None
    except RecursionError:
        raise OutputInvalid(name, [f"the JSON nests deeper than {MAX_DEPTH} levels"]) from None
    except Exception as exc:  # a validator's own failure, memory: still a retry, never FAILED
        raise OutputInvalid(name, [f"the reply could not be read ({type(exc).__name__})"]
                            ) from None


def cap_arguments(text: str, limit: int = MAX_STORED_ARGUMENT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with a marker saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [truncated {len(text) - limit} more characters]"


def stored_arguments(raw: str, limit: int = MAX_STORED_ARGUMENT_CHARS) -> dict[str, Any]:
    """A tool call's arguments as an event records them: the JSON object with every string
    value over ``limit`` cut (``_truncated`` says how many characters in all), or the raw
    text, cut, under ``_raw`` when it is not a JSON object within the caps."""
    if not raw:
        return {}
    value: Any = None
    if len(raw) <= MAX_REPLY_BYTES * 32:
        try:
            value, end = decode(raw.strip(), controls=False)
            value = value if not raw.strip()[end:].strip() else None
        except JsonRefused:
            value = None
    if not isinstance(value, dict):
        return {"_raw": cap_arguments(raw, limit), **({"_truncated": len(raw) - limit}
                                                     if len(raw) > limit else {})}
    cut = 0
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, str) and len(item) > limit:
            cut += len(item) - limit
            item = cap_arguments(item, limit)
        out[key] = item
    if cut:
        out["_truncated"] = cut
    return out


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
    allowed value of a fixed choice, or one element for a list; a field whose placeholder its
    validator refuses (a command) shows its default. Checked against the model, so a prompt
    never shows an example the parser would refuse."""
    given = dict(values or {})
    data = {
        name: given[name] if name in given else _example_value(name, info.annotation, info)
        for name, info in model.model_fields.items()
    }
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        refused = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        for name in refused - set(given):
            info = model.model_fields[name]
            if not info.is_required():
                data[name] = info.get_default(call_default_factory=True)
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
