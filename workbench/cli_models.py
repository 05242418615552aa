"""``workbench models``: the configured models, each role's choice, and ``--check`` probes.

A probe is what a run needs from an endpoint: a streamed reply (one token) and a tool call.
Nothing here imports Textual; provider SDKs load only when ``--check`` builds a client.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from autogen_core.tools import ToolSchema

    from workbench.config import ModelSettings
    from workbench.models import ModelSpec
    from workbench.models.settings import CallSettings

PING_TOOL: ToolSchema = {
    "name": "ping",
    "description": "Answer a ping with the number you were given.",
    "parameters": {"type": "object", "required": ["value"],
                   "properties": {"value": {"type": "integer", "description": "the number"}}},
}


@dataclass
class Probe:
    name: str
    model: str
    ok: bool = False
    reply_ms: float | None = None
    tools: bool | None = None
    tools_ms: float | None = None
    note: str = ""
    error: str | None = None

    def line(self, width: int) -> str:
        head = f"{'ok' if self.ok else 'FAIL':<5} {self.name:<{width}} {self.model}"
        if self.error:
            return f"{head}  {self.error}"
        if self.note:
            return f"{head}  {self.note}"
        return f"{head}  reply {self.reply_ms:.0f} ms, tool call {self.tools_ms:.0f} ms"


def _describe(exc: BaseException) -> str:
    from workbench.models import ModelSpecError
    from workbench.models.faults import classify

    if isinstance(exc, ModelSpecError):
        return str(exc)
    return " ".join(classify(exc).message.split())[:300]


async def _reply(spec: ModelSpec, settings: CallSettings) -> float:
    from autogen_core.models import CreateResult, UserMessage

    from workbench.models import create_client

    client = create_client(spec, "developer", settings=replace(settings, max_tokens=1))
    started = time.perf_counter()
    try:
        final = None
        async for item in client.create_stream([UserMessage(content="Say OK.", source="user")]):
            final = item
        if not isinstance(final, CreateResult):
            raise RuntimeError("the stream ended without a result")
    finally:
        await client.close()
    return (time.perf_counter() - started) * 1000


async def _tool_call(spec: ModelSpec, settings: CallSettings) -> tuple[bool, float]:
    from autogen_core import FunctionCall
    from autogen_core.models import UserMessage

    from workbench.models import create_client

    client = create_client(spec, "developer", settings=replace(settings, max_tokens=256))
    task = UserMessage(content="Call the ping tool with value 7. Do not answer in text.",
                       source="user")
    started = time.perf_counter()
    try:
        result = await client.create([task], tools=[PING_TOOL])
    finally:
        await client.close()
    called = isinstance(result.content, list) and any(
        isinstance(c, FunctionCall) and c.name == "ping" for c in result.content)
    return called, (time.perf_counter() - started) * 1000


async def probe(name: str, spec: ModelSpec, settings: CallSettings) -> Probe:
    """One model's probe; every failure is one line in ``error``."""
    out = Probe(name, spec.label)
    try:
        if spec.is_scripted:
            out.ok, out.note = True, "scripted: no endpoint to probe"
            return out
        if spec.is_replay:
            from workbench.models.replay import load_outputs

            run_id, outputs = load_outputs(spec)
            count = sum(len(v) for v in outputs.values())
            out.ok, out.note = True, f"replay of run {run_id}: {count} recorded model outputs"
            return out
        out.reply_ms = await _reply(spec, settings)
        out.tools, out.tools_ms = await _tool_call(spec, settings)
    except Exception as exc:
        out.error = _describe(exc)
        return out
    out.ok = bool(out.tools)
    if not out.tools:
        out.error = (f"replies in {out.reply_ms:.0f} ms but tool calls do not work "
                     "(it answered in text): the agents need them")
    return out


def _targets(models: ModelSettings, db: str | None) -> list[tuple[str, ModelSpec | str]]:
    """(name, spec or error text) per distinct model in use: named ones, then provider
    strings that roles or the default give directly."""
    from workbench.models import ModelSpecError
    from workbench.models.registry import ROLE_NAMES
    from workbench.models.routing import resolve

    seen: set[str] = set()
    out: list[tuple[str, ModelSpec | str]] = []
    names = list(models.models)
    direct = [models.roles[r] for r in ROLE_NAMES if r in models.roles] + [models.default]
    for name in dict.fromkeys([*names, *direct]):  # each once, in order
        named = name in models.models
        if not named and ":" not in name:
            continue  # a name that is not defined: the listing reports it
        try:
            spec = resolve(name, models, db=db)
        except ModelSpecError as exc:
            if name not in seen:
                seen.add(name)
                out.append((name if named else "-", str(exc)))
            continue
        if spec.text in seen and not named:
            continue
        seen.add(spec.text)
        out.append((name if named else "-", spec))
    return out


def _choices(models: ModelSettings) -> dict[str, dict[str, str]]:
    from workbench.models import ModelSpecError
    from workbench.models.registry import ROLE_NAMES
    from workbench.models.routing import route

    def pick(role: str, risk: str | None, purpose: str) -> str:
        try:
            return route(role, risk, purpose, models)
        except ModelSpecError as exc:
            return f"error: {exc}"

    return {role: {"work": pick(role, None, "work"), "high_risk": pick(role, "high", "work")}
            for role in ROLE_NAMES}


def _named_rows(models: ModelSettings) -> list[dict[str, Any]]:
    from workbench.models import ModelSpecError
    from workbench.models.routing import price_for

    rows = []
    for name, named in models.models.items():
        row: dict[str, Any] = {"name": name, "model": named.spec_text, **named.model_dump(
            include={"base_url", "key_env", "context_window"})}
        try:
            row["price_in_per_mtok"], row["price_out_per_mtok"] = price_for(name, models)
        except ModelSpecError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


def _print_listing(rows: list[dict[str, Any]], choices: dict[str, dict[str, str]],
                   summary: str, config: str) -> None:
    click.echo(f"config: {config}")
    if not rows:
        click.echo("named models: none (add them under models.models in config.yaml)")
    else:
        click.echo("named models:")
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            at = f" @ {r['base_url']}" if r.get("base_url") else ""
            price = r.get("error", "")
            if "price_in_per_mtok" in r:
                p_in, p_out = r["price_in_per_mtok"], r["price_out_per_mtok"]
                price = (f"${p_in:.2f}/${p_out:.2f} per Mtok" if p_in or p_out
                         else "no known price (costs count as 0)")
            click.echo(f"  {r['name']:<{width}}  {r['model']}{at}  {price}")
    click.echo("roles (standard work | high risk, security or architecture review):")
    for role, pick in choices.items():
        click.echo(f"  {role:<12}  {pick['work']} | {pick['high_risk']}")
    click.echo(f"summaries and log condensing: {summary}")


@click.command("models")
@click.option("--check", is_flag=True,
              help="Probe each model in use: a one-token reply and a tool call.")
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds each probe call may take.")
@click.pass_context
def models(ctx: click.Context, check: bool, as_json: bool, timeout: float) -> None:
    """List the configured models and each role's choice; --check probes every endpoint
    (exits 1 when one fails)."""
    from workbench.config import load_settings
    from workbench.models.routing import route
    from workbench.models.settings import CallSettings
    from workbench.paths import config_path

    settings = load_settings()
    if settings.load_error:
        click.echo(f"warning: {settings.load_error} (using defaults)", err=True)
    db = (ctx.obj or {}).get("db")
    rows, choices = _named_rows(settings.models), _choices(settings.models)
    try:
        summary = route("developer", None, "summary", settings.models)
    except Exception as exc:  # a bad name: already one line
        summary = f"error: {exc}"
    failed = any("error" in r for r in rows) or any(
        v.startswith("error: ") for pick in choices.values() for v in pick.values())
    probes: list[Probe] = []
    if check:
        calls = replace(CallSettings(**settings.calls.model_dump()), timeout_s=timeout)
        targets = _targets(settings.models, str(db) if db else None)

        async def run_all() -> list[Probe]:
            async def one(name: str, target: ModelSpec | str) -> Probe:
                if isinstance(target, str):
                    return Probe(name, "?", error=target)
                return await probe(name, target, calls)

            return list(await asyncio.gather(*(one(n, t) for n, t in targets)))

        probes = asyncio.run(run_all())
        failed = failed or any(not p.ok for p in probes)
    if as_json:
        data: dict[str, Any] = {"config": str(config_path()), "models": rows,
                                "roles": choices, "summary": summary}
        if check:
            data["checks"] = [asdict(p) for p in probes]
        click.echo(json.dumps(data, indent=2))
    else:
        _print_listing(rows, choices, summary, str(config_path()))
        if check:
            click.echo("checks:")
            width = max((len(p.name) for p in probes), default=1)
            for p in probes:
                click.echo(p.line(width))
    if failed:
        sys.exit(1)
