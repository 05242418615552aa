"""The phrase families of ``injection_phrases.yaml``, compiled once for each view of a text.

A Latin-script or Russian pattern becomes two regular expressions: one over the word view
(whole words, one space between them) and one over the squashed view (no spaces), which
finds words spelled with gaps ("i g n o r e", "ign.ore"). Chinese and Japanese patterns are
matched on text without spaces or punctuation only. ``raw`` patterns see the text as it is,
for the few phrases that punctuation makes (``New instructions:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Script = Literal["latin", "native", "cjk", "raw"]
LATIN = ("en", "de", "fr", "es", "pt", "it")
SCRIPTS: dict[str, Script] = {**dict.fromkeys(LATIN, "latin"), "ru": "native", "zh": "cjk",
                              "ja": "cjk"}
LANGUAGES = tuple(SCRIPTS)

_FILL3, _FILL8 = r"(?:\S+ ){0,3}", r"(?:\S+ ){0,8}"


@dataclass(frozen=True)
class Rule:
    family: str
    language: str
    script: Script
    strong: bool
    negatable: bool
    words: re.Pattern[str]
    """Over the word view (for CJK: over the text without spaces)."""
    squashed: re.Pattern[str] | None
    """Over the squashed view (Latin and Russian), for words spelled with gaps."""


@dataclass(frozen=True)
class Phrases:
    rules: tuple[Rule, ...]
    cues: dict[str, tuple[re.Pattern[str], ...]]
    address: dict[str, tuple[re.Pattern[str], ...]]
    negators: dict[str, re.Pattern[str]]


def _slots(pattern: str, slots: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"(?:{slots[m.group(1)]})", pattern)


def _word_regex(pattern: str) -> re.Pattern[str]:
    body = pattern.replace("~~ ", _FILL8).replace("~ ", _FILL3)
    return re.compile(rf"(?<![^ ])(?:{body})(?![^ ])")


def _squashed_regex(pattern: str, letters: str) -> re.Pattern[str]:
    body = pattern.replace("~~ ", f"{letters}{{0,40}}").replace("~ ", f"{letters}{{0,14}}")
    body = body.replace(r"\w*", f"{letters}{{0,8}}").replace(r"\w+", f"{letters}{{1,8}}")
    return re.compile(body.replace(" ", ""))


def _cjk_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("~~", ".{0,24}").replace("~", ".{0,8}"))


def _compile(data: dict[str, Any]) -> Phrases:
    slots: dict[str, str] = {}
    for name, value in data["slots"].items():
        slots[name] = _slots(str(value), slots)
    rules: list[Rule] = []
    for family, spec in data["families"].items():
        for language in LANGUAGES:
            script = SCRIPTS[language]
            for raw in spec.get(language, []):
                pattern = _slots(str(raw), slots)
                if script == "cjk":
                    words, squashed = _cjk_regex(pattern), None
                else:
                    letters = "[a-z]" if script == "latin" else r"\w"
                    words, squashed = _word_regex(pattern), _squashed_regex(pattern, letters)
                rules.append(Rule(family, language, script, spec["strength"] == "strong",
                                  bool(spec["negatable"]), words, squashed))
        for raw in spec.get("raw", []):  # punctuation matters ("New instructions:")
            rules.append(Rule(family, "en", "raw", spec["strength"] == "strong",
                              bool(spec["negatable"]), re.compile(str(raw)), None))

    def group(section: dict[str, list[str]], bounded: bool = False
              ) -> dict[str, tuple[re.Pattern[str], ...]]:
        def one(kind: str, raw: str) -> re.Pattern[str]:
            body = _slots(raw, slots)
            if bounded and kind in ("latin", "native", "heading"):
                body = rf"(?<![^ ])(?:{body})(?![^ ])"
            return re.compile(body)

        return {k: tuple(one(k, str(p)) for p in v) for k, v in section.items()}

    negators = {k: re.compile(rf"(?:^| ){v}(?= |$)") for k, v in data["negators"].items()}
    cues = group(data["mention_cues"], bounded=True)
    return Phrases(tuple(rules), cues, group(data["address"]), negators)


@cache
def phrases() -> Phrases:
    """The compiled phrase data (read from the package once)."""
    text = resources.files("agents").joinpath("injection_phrases.yaml").read_text("utf-8")
    return _compile(yaml.safe_load(text))
