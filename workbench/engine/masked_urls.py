"""Credentials in a model server's URL (``http://user:password@host/v1``) are masked when a
run's config is stored, like every secret, so a resume must get them back from where the
user keeps them: ``resume --base-url``, ``OPENAI_BASE_URL`` or config.yaml. A candidate
restores a stored URL when masking it gives exactly the stored text (the same URL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from agents.redact import MASK, mask_secrets
from workbench.engine.config import RunConfig
from workbench.engine.errors import EngineError


def _model_urls(section: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(the dict holding it, key) of each base URL in a config's models section."""
    if isinstance(section.get("base_url"), str):
        yield section, "base_url"
    named = section.get("models")
    if isinstance(named, dict):
        for entry in named.values():
            if isinstance(entry, dict) and isinstance(entry.get("base_url"), str):
                yield entry, "base_url"


def _candidates(given: str | None, current: dict[str, Any]) -> list[str]:
    found = [given, os.environ.get("OPENAI_BASE_URL")]
    found += [holder[key] for holder, key in _model_urls(current)]
    return [c for c in found if c]


def _restored(run_id: str, stored: str, candidates: list[str]) -> str:
    """``stored`` itself when nothing in it is masked, else the candidate that masks to it."""
    if MASK not in stored:
        return stored
    match = next((c for c in candidates if mask_secrets(c) == stored), None)
    if match is None:
        raise EngineError(f"run {run_id}: its model URL {stored} held a password, which is "
                          "never stored: resume it with --base-url URL (or put the URL "
                          "in OPENAI_BASE_URL or config.yaml)")
    return match


def restore_masked_urls(run_id: str, config: RunConfig, given: str | None,
                        current: dict[str, Any]) -> None:
    """Fill in the masked URLs of ``config`` (``given``: ``--base-url``, which also replaces
    the run's base URL; ``current``: the models section of today's config.yaml). Raises
    :class:`EngineError` naming the URL when no candidate restores it."""
    candidates = _candidates(given, current)
    if given or config.base_url:
        config.base_url = given or _restored(run_id, str(config.base_url), candidates)
    for holder, key in _model_urls(config.model_settings):
        holder[key] = _restored(run_id, holder[key], candidates)
