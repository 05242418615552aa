"""Which model a role's call goes to: per-run flags, the routing rule, then config.

:func:`route` is pure: settings in, a provider string out. For a role in a run, first match:

1. the run's ``--role-model ROLE=...``, then its ``--model``;
2. the routing rule (``models.routing``, on by default), with the named models it finds:
   summaries and log condensing -> ``small``; a high-risk spec (FeatureSpec.risk_level
   "high") or a security or architecture review -> ``strong``;
3. the role's entry in ``models.roles``;
4. the ``standard`` named model (standard work);
5. ``models.default``.

Any of these may name a named model (``models.models.NAME``) or be a provider string.
:func:`resolve` turns the result into a :class:`ModelSpec` carrying the named model's base
URL, key variable and context window; :func:`price_for` gives its configured prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from .errors import ModelSpecError
from .registry import ModelSpec, parse_model_spec, split_spec

if TYPE_CHECKING:
    from workbench.config import ModelSettings, NamedModel

Purpose = Literal["work", "security_review", "architecture_review", "summary", "log_condense"]
PURPOSES: tuple[str, ...] = (
    "work", "security_review", "architecture_review", "summary", "log_condense",
)
STRONG, STANDARD, SMALL = "strong", "standard", "small"
_STRONG_PURPOSES = frozenset({"security_review", "architecture_review"})
_SMALL_PURPOSES = frozenset({"summary", "log_condense"})


def _named(settings: ModelSettings, name: str) -> NamedModel | None:
    return settings.models.get(name.strip())


def provider_string(choice: str, settings: ModelSettings, where: str = "model") -> str:
    """A named model's provider string, or ``choice`` itself when it is a provider string."""
    named = _named(settings, choice)
    if named is not None:
        return named.spec_text
    if ":" not in choice:
        known = ", ".join(sorted(settings.models)) or "none configured"
        raise ModelSpecError(
            f"{where} {choice!r} is neither a named model ({known}) nor a provider string "
            "(PROVIDER:MODEL)"
        )
    return choice.strip()


def route(
    role: str,
    risk_level: str | None,
    purpose: str,
    settings: ModelSettings,
    *,
    run_model: str | None = None,
    run_roles: Mapping[str, str] | None = None,
) -> str:
    """The provider string for one call of ``role`` (see the module doc for the order)."""
    if purpose not in PURPOSES:
        raise ModelSpecError(f"unknown purpose {purpose!r} (expected one of: "
                             f"{', '.join(PURPOSES)})")
    pinned = (run_roles or {}).get(role) or run_model
    if pinned:
        return provider_string(pinned, settings, "--model")
    if settings.routing:
        if purpose in _SMALL_PURPOSES and SMALL in settings.models:
            return provider_string(SMALL, settings)
        strong = risk_level == "high" or purpose in _STRONG_PURPOSES
        if strong and purpose not in _SMALL_PURPOSES and STRONG in settings.models:
            return provider_string(STRONG, settings)
    if role in settings.roles:
        return provider_string(settings.roles[role], settings, f"models.roles.{role}")
    if STANDARD in settings.models:
        return provider_string(STANDARD, settings)
    return provider_string(settings.default, settings, "models.default")


def _canonical(text: str) -> str:
    provider, name = split_spec(text)
    return f"{provider}:{name}"


def named_for(model: str, settings: ModelSettings) -> tuple[str, NamedModel] | None:
    """The named model ``model`` is (by name, or by its provider string), if any; two named
    models with the same provider string but different settings make it ambiguous."""
    named = _named(settings, model)
    if named is not None:
        return model.strip(), named
    if ":" not in model:
        return None
    text = _canonical(model)
    found = [(n, m) for n, m in settings.models.items() if _canonical(m.spec_text) == text]
    distinct = {(m.base_url, m.key_env, m.context_window) for _, m in found}
    if len(distinct) > 1:
        names = ", ".join(n for n, _ in found)
        raise ModelSpecError(f"named models {names} are all {text} with different settings: "
                             "give each its own provider string")
    return found[0] if found else None


def resolve(model: str, settings: ModelSettings, *, db: str | None = None) -> ModelSpec:
    """A named model or provider string as a :class:`ModelSpec`, with the named model's
    base URL, key variable and context window (``models.base_url`` for other openai: specs).
    """
    found = named_for(model, settings)
    if found is None:
        return parse_model_spec(provider_string(model, settings), settings.base_url, db=db)
    name, named = found
    try:
        return parse_model_spec(named.spec_text, settings.base_url, server=named.base_url,
                                key_env=named.key_env, context_window=named.context_window,
                                db=db)
    except ModelSpecError as exc:
        raise ModelSpecError(f"models.models.{name}: {exc}") from None


def price_for(model: str, settings: ModelSettings) -> tuple[float, float]:
    """USD per million (prompt, completion) tokens: a named model's configured prices, each
    missing one from the built-in table (0 for unknown models)."""
    from .pricing import table_price

    found = named_for(model, settings)
    text = found[1].spec_text if found else provider_string(model, settings)
    table_in, table_out = table_price(text)
    if found is None:
        return table_in, table_out
    named = found[1]
    price_in = named.price_in_per_mtok
    price_out = named.price_out_per_mtok
    return (table_in if price_in is None else price_in,
            table_out if price_out is None else price_out)


def configured_prices(settings: ModelSettings) -> dict[str, tuple[float, float]]:
    """Provider string -> prices, for every named model with a configured price."""
    out: dict[str, tuple[float, float]] = {}
    for named in settings.models.values():
        if named.price_in_per_mtok is None and named.price_out_per_mtok is None:
            continue
        try:
            text = _canonical(named.spec_text)
            out.setdefault(text, price_for(text, settings))
        except ModelSpecError:
            continue  # reported by `workbench models`; a price must not break a run
    return out
