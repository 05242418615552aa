"""Validate FeatureSpec text (YAML or JSON) and place every problem on a line (no Textual)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from agents.contracts import FeatureSpec

SpecFormat = Literal["yaml", "json"]


@dataclass(frozen=True)
class SpecProblem:
    line: int
    """0-based line of the text the problem belongs to."""
    message: str
    path: str = ""
    """Field path such as ``in_scope[1]`` (empty for syntax errors)."""

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"line {self.line + 1}: {where}{self.message}"


@dataclass(frozen=True)
class SpecCheck:
    spec: FeatureSpec | None
    problems: tuple[SpecProblem, ...]
    data: dict[str, Any] | None = None
    """The parsed mapping, when the text is syntactically valid."""

    @property
    def valid(self) -> bool:
        return self.spec is not None


def dump_spec(spec: BaseModel | dict[str, Any], fmt: SpecFormat) -> str:
    data = spec.model_dump(mode="json") if isinstance(spec, BaseModel) else spec
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _locate(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The line of the node at ``loc`` (or of the deepest existing parent)."""
    node = root
    line = node.start_mark.line if node is not None else 0
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    line = key.start_mark.line
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line
        else:
            return line
    return line


def _parse(text: str, fmt: SpecFormat) -> tuple[Any, SpecProblem | None]:
    if fmt == "json":
        try:
            return json.loads(text), None
        except json.JSONDecodeError as exc:
            return None, SpecProblem(exc.lineno - 1, f"JSON syntax: {exc.msg}")
    try:
        return yaml.safe_load(text), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        return None, SpecProblem(mark.line if mark else 0, f"YAML syntax: {problem}")
    except yaml.YAMLError as exc:
        return None, SpecProblem(0, f"YAML syntax: {exc}")


def check_spec(text: str, fmt: SpecFormat = "yaml") -> SpecCheck:
    """Parse and validate ``text``; problems come back sorted by line."""
    data, syntax = _parse(text, fmt)
    if syntax is not None:
        return SpecCheck(None, (syntax,))
    if not isinstance(data, dict):
        return SpecCheck(None, (SpecProblem(0, "the spec must be a mapping of fields"),))
    try:
        return SpecCheck(FeatureSpec.model_validate(data), (), data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    problems = [SpecProblem(_locate(root, tuple(e["loc"])), str(e["msg"]), _path(tuple(e["loc"])))
                for e in errors]
    return SpecCheck(None, tuple(sorted(problems, key=lambda p: p.line)), data)
