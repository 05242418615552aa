"""Answering a live run's gates from its screen: approve, request changes, reject, with the
confirmations and inline checks each needs (an invalid spec, high-risk paths, a command)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.contracts import Approval, Decision
from widgets.diff_view import DiffView
from widgets.spec_editor import SpecEditor
from workbench.tui.screens.command_gate import CommandAnswer, CommandGateScreen
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.screens.prompt import TextPrompt

if TYPE_CHECKING:
    from workbench.tui.live import LiveRun
    from workbench.tui.screens.run import LiveRunScreen

ANSWERABLE = ("spec", "final", "review", "command")
"""Gates a human answers with a decision (the step gate only goes on)."""


class GateAnswers:
    """The decisions of one live run screen; each is sent to its engine's open gate."""

    def __init__(self, screen: LiveRunScreen) -> None:
        self.screen = screen

    @property
    def _gate(self) -> str | None:
        return self.screen.view.pending_approval

    def _live(self, action: str) -> LiveRun | None:
        """The engine when a gate waits for a decision, else None with a toast saying why."""
        screen = self.screen
        if screen.live is None:
            screen.notify(f"{action}: this run is not live here; resume it to act",
                          severity="warning")
            return None
        if self._gate not in ANSWERABLE:
            screen.notify(f"{action}: no gate is waiting for you right now", severity="warning")
            return None
        return screen.live

    def approve(self) -> None:
        screen, view = self.screen, self.screen.view
        if self._gate == "step" and screen.live is not None:
            screen.action_next_turn()
            return
        live = self._live("Approve")
        if live is None:
            return
        if self._gate == "spec":
            editor = screen.query_one(SpecEditor)
            spec = editor.current_spec()
            if spec is None:
                screen.app.bell()
                screen.notify(f"The spec is invalid: {editor.error_summary}", severity="error")
                screen.action_pane("spec")
                return
            edited = spec if editor.edited else None
            live.answer_gate(Approval(gate="spec", decision=Decision.APPROVE, spec=edited))
        elif self._gate == "review":
            live.answer_gate(Approval(gate="review", decision=Decision.APPROVE,
                                      comment="reviewed by the human"))
        elif self._gate == "command" and view.command_request:
            req = view.command_request
            screen.app.push_screen(CommandGateScreen(req.argv, req.reason, req.role),
                                   self._answer_command)
        elif view.high_risk_paths:
            paths = ", ".join(view.high_risk_paths)
            screen.app.push_screen(ConfirmScreen(
                f"This patch changes HIGH-RISK paths: {paths[:400]}. Approve them by name?",
                yes="Approve these paths", no="Not yet"), self._approve_final)
        else:
            self._approve_final(True)

    def _approve_final(self, yes: bool | None) -> None:
        screen = self.screen
        if not yes or screen.live is None or self._gate != "final":
            return
        rejected = sorted(screen.query_one(DiffView).rejected_hunks)
        screen.live.answer_gate(Approval(gate="final", decision=Decision.APPROVE,
                                         rejected_hunks=rejected,
                                         high_risk_paths=list(screen.view.high_risk_paths)))
        if rejected:
            screen.notify(f"{len(rejected)} hunk(s) left out", title="Approved")

    def _answer_command(self, answer: CommandAnswer | None) -> None:
        live = self.screen.live
        if answer is None or live is None or self._gate != "command":
            return
        live.answer_gate(Approval(gate="command", decision=Decision.APPROVE,
                                  remember=answer == "always"))

    def request_changes(self) -> None:
        if self._live("Request changes") is not None:
            self.screen.app.push_screen(TextPrompt("Request changes: what should change?"),
                                        self._send_changes)

    def _send_changes(self, comment: str | None) -> None:
        screen, gate = self.screen, self._gate
        if comment is None or screen.live is None or gate is None:
            return
        rejected = sorted(screen.query_one(DiffView).rejected_hunks) if gate == "final" else []
        screen.live.answer_gate(Approval(gate=gate, decision=Decision.REQUEST_CHANGES,  # type: ignore[arg-type]
                                         comment=comment, rejected_hunks=rejected))

    def reject(self) -> None:
        if self._live("Reject") is not None:
            ends = ("stop the run BLOCKED_BY_POLICY" if self._gate == "command"
                    else "end the run REJECTED")
            self.screen.app.push_screen(ConfirmScreen(
                f"Reject at the {self._gate} gate? This will {ends}.",
                yes="Reject", no="Keep waiting"), self._reject)

    def _reject(self, yes: bool | None) -> None:
        live, gate = self.screen.live, self._gate
        if yes and live is not None and gate is not None:
            live.answer_gate(Approval(gate=gate, decision=Decision.REJECT))  # type: ignore[arg-type]
