"""Per-call cost from a small table of public per-1M-token prices (USD).

Unknown, local and scripted models cost 0.0: a wrong guess would be worse than no number.
"""

from __future__ import annotations

from collections.abc import Mapping

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

_PRICED_PROVIDERS = ("openai", "azure")


def price_for(
    model: str, prices: Mapping[str, tuple[float, float]] | None = None
) -> tuple[float, float]:
    """Prices for ``model`` ("gpt-4o-mini", "openai:gpt-4o-2024-08-06", ...), (0, 0) if unknown.

    Dated snapshots match their base name; the longest matching name wins, so
    "gpt-4o-mini-2024-07-18" is priced as gpt-4o-mini, not gpt-4o.
    """
    table = PRICES if prices is None else prices
    provider, sep, name = model.partition(":")
    if not sep:
        name = provider
    elif provider.strip().lower() not in _PRICED_PROVIDERS:
        return (0.0, 0.0)
    name = name.strip().lower()
    if name in table:
        return table[name]
    best = ""
    for known in table:
        if name.startswith(known + "-") and len(known) > len(best):
            best = known
    return table[best] if best else (0.0, 0.0)


def cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> float:
    """USD cost of one call; 0.0 for models without a known price."""
    price_in, price_out = price_for(model, prices)
    return (prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000
