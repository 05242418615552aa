"""Command palette provider: every binding of the current screen and the app, by description.

Built from :func:`workbench.tui.bindings.palette_bindings`, the same data the help screen and
the footer use, so a new binding shows up everywhere without being listed twice.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from workbench.tui.bindings import BindingInfo, palette_bindings


class BindingCommands(Provider):
    """Offers each binding as a command; choosing it runs the bound action."""

    def _entries(self) -> list[BindingInfo]:
        return sorted(palette_bindings(self.screen), key=lambda info: info.description.lower())

    async def _run(self, info: BindingInfo) -> None:
        await self.app.run_action(info.action, info.node)

    @staticmethod
    def _help(info: BindingInfo) -> str:
        return f"{info.key_display}  ·  {info.id}"

    async def discover(self) -> Hits:
        for info in self._entries():
            yield DiscoveryHit(info.description, partial(self._run, info), help=self._help(info))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for info in self._entries():
            score = matcher.match(info.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(info.description),
                    partial(self._run, info),
                    text=info.description,
                    help=self._help(info),
                )
