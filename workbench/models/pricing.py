"""Per-call cost: configured prices first (``models.models.NAME.price_*_per_mtok`` in
config.yaml), then a small table of public per-1M-token prices (USD).

Unknown, local, scripted and replayed models cost 0.0: a wrong guess would be worse than no
number. Configure a price for anything the table does not know (an Azure deployment named
after your team, a proxied model).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

# model -> (input USD per 1M tokens, output USD per 1M tokens)
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "o1": (15.00, 60.00),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}
ANTHROPIC_PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4": (15.00, 75.00),
    "claude-opus-4-0": (15.00, 75.00),
    "claude-opus-4-1": (15.00, 75.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-sonnet-4-0": (3.00, 15.00),
    "claude-sonnet-4-5": (3.00, 15.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-3-5-haiku": (0.80, 4.00),
}
GEMINI_PRICES: dict[str, tuple[float, float]] = {
    "gemini-2.5-pro": (1.25, 10.00),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.0-flash-lite": (0.075, 0.30),
}
# OpenAI names its snapshots NAME-anything; the others only dated (or -latest) ones are
# matched, so that a newer model is never priced as an older one.
_TABLES: dict[str, tuple[dict[str, tuple[float, float]], re.Pattern[str] | None]] = {
    "openai": (PRICES, None),
    "azure": (PRICES, None),
    "anthropic": (ANTHROPIC_PRICES, re.compile(r"-(\d{8}|latest)$")),
    "gemini": (GEMINI_PRICES, re.compile(r"-(\d{3}|latest|preview[-\d]*)$")),
}


def _lookup(
    name: str, table: Mapping[str, tuple[float, float]], suffix: re.Pattern[str] | None
) -> tuple[float, float]:
    if name in table:
        return table[name]
    best = ""
    for known in table:
        rest = name[len(known):]
        if not name.startswith(known + "-") or len(known) <= len(best):
            continue
        if suffix is None or suffix.fullmatch(rest):
            best = known
    return table[best] if best else (0.0, 0.0)


def price_for(
    model: str, prices: Mapping[str, tuple[float, float]] | None = None
) -> tuple[float, float]:
    """Table prices for ``model`` ("gpt-4o-mini", "openai:gpt-4o-2024-08-06", ...), (0, 0) if
    unknown; ``prices`` replaces the OpenAI table.

    Dated snapshots match their base name; the longest matching name wins, so
    "gpt-4o-mini-2024-07-18" is priced as gpt-4o-mini, not gpt-4o.
    """
    provider, sep, name = model.partition(":")
    provider = provider.strip().lower() if sep else "openai"
    if not sep:
        name = model
    if provider not in _TABLES:
        return (0.0, 0.0)
    table, suffix = _TABLES[provider]
    if prices is not None and table is PRICES:
        table = dict(prices)
    return _lookup(name.strip().lower(), table, suffix)


def table_price(model: str) -> tuple[float, float]:
    """The built-in table's prices only (no configured ones)."""
    return price_for(model)


_configured: dict[str, tuple[float, float]] | None = None
_loaded: tuple[tuple[str, int, int], dict[str, tuple[float, float]]] | None = None


def set_configured_prices(prices: Mapping[str, tuple[float, float]] | None) -> None:
    """Prices to use instead of the config file's (``None``: read the file again)."""
    global _configured
    _configured = None if prices is None else {k.lower(): v for k, v in prices.items()}


def _canonical(model: str) -> str:
    provider, sep, name = model.partition(":")
    return f"{provider.strip().lower()}:{name.strip()}".lower() if sep else model.lower()


def configured_prices() -> Mapping[str, tuple[float, float]]:
    """Provider string -> prices from config.yaml's named models (re-read when it changes);
    a config file that cannot be read prices nothing."""
    global _loaded
    if _configured is not None:
        return _configured
    from workbench.paths import config_path

    path = config_path()
    try:
        stat = path.stat()
    except OSError:
        return {}
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _loaded is None or _loaded[0] != key:
        _loaded = (key, _read_prices(path))
    return _loaded[1]


def _read_prices(path: Path) -> dict[str, tuple[float, float]]:
    from workbench.config import load_settings

    from .routing import configured_prices as from_settings

    settings = load_settings(path)
    if settings.load_error:
        return {}
    return {k.lower(): v for k, v in from_settings(settings.models).items()}


def cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> float:
    """USD cost of one call; 0.0 for models without a known price. ``prices`` (a table of
    model names) replaces both the configured prices and the built-in OpenAI table."""
    found = None if prices is not None else configured_prices().get(_canonical(model))
    price_in, price_out = found if found is not None else price_for(model, prices)
    return (prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000
