"""Group mode (``--mode group``): the four roles are seats of an AutoGen ``SelectorGroupChat``
that share one thread. Where more than one role could act (after a review: fix the code or
revise the spec; after a review with only notes: test it or take the notes first), the
selector model chooses from the thread; elsewhere the one role that can act speaks.

A seat's turn is the pipeline's step for that role (the same agent turn, tools, validation
and events), and what it achieved is posted to the thread as a ``group_message``. Gates,
decisions and the commit stay the engine's: the chat stops there (an AutoGen
``FunctionalTermination`` asks the engine), the gate runs exactly as in the pipeline, and the
chat goes on with the human's decision as the next message. The thread is rebuilt from the
events, so a resume or a fork continues the same conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from typing import Any, Literal

from autogen_agentchat.agents import BaseChatAgent
from autogen_agentchat.base import Response
from autogen_agentchat.conditions import FunctionalTermination
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, TextMessage
from autogen_agentchat.teams import SelectorGroupChat
from autogen_core import CancellationToken

from agents import prompts
from agents.contracts import AGENT_ROLES, Role
from agents.events import GroupMessage, SpeakerSelected
from workbench.engine.base import CommandBlocked
from workbench.engine.group_thread import (
    SEAT_DESCRIPTIONS,
    SELECTOR_PROMPT,
    candidates,
    milestone_post,
    news_for,
)
from workbench.engine.pipeline import Pipeline
from workbench.engine.team import make_client
from workbench.models import ModelSpec

SELECTOR = "selector"
"""The selector model's name in events, budgets and scripts."""


class RoleSeat(BaseChatAgent):
    """One role at the table: when the chat gives it the turn, the engine runs that role's
    step, and the seat answers with what the step told the team."""

    def __init__(self, role: Role, run: GroupRun) -> None:
        super().__init__(role.value, SEAT_DESCRIPTIONS[role])
        self._role, self._run = role, run

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage],
                          cancellation_token: CancellationToken) -> Response:
        text = await self._run.speak(self._role)
        return Response(chat_message=TextMessage(source=self._role.value, content=text))

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        return None  # the role's memory is its agent's, restored from the events


class GroupRun(Pipeline):
    """A run whose turns a group chat hands out; the same gates, events and terminal states
    as the pipeline (APPROVED, NEEDS_HUMAN_REVIEW, BLOCKED_BY_POLICY, budgets)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._team: SelectorGroupChat | None = None
        self._stop: BaseException | None = None
        self._offered: list[Role] = []
        self._told = -1  # thread posts the chat has seen (-1: none, the chat is new)
        self._news = ""

    # the engine side -----------------------------------------------------------------------
    def _candidates(self) -> list[Role]:
        return candidates(self.state, self.blocking_issues,
                          self.config.budgets.max_review_rounds)

    def _chat_over(self) -> bool:
        return self._stop is not None or not self._candidates()

    async def _drive(self) -> None:
        while self.state.stage != "committed":
            self._post()  # a decision taken at a gate (now, or before a resume)
            try:
                if self._candidates():
                    await self._chat()
                else:
                    await self._step()
            except CommandBlocked as blocked:  # the turn is recorded; the human decides
                self._post()
                await self.command_gate(blocked)

    async def _chat(self) -> None:
        """Let the chat hand out turns until the engine's next step is not a role's."""
        team = self._team or self._build_team()
        thread = self.state.group_thread
        if self._told < 0:  # a new chat: the task, or the whole thread of a resumed run
            task: list[BaseChatMessage] = [TextMessage(source=a, content=t) for a, t in thread]
            if not task:
                task = [TextMessage(source="human", content=self.config.task)]
        else:
            task = [TextMessage(source=a, content=t) for a, t in thread[self._told:]]
        async with aclosing(team.run_stream(task=task or None)) as items:
            async for _ in items:
                pass  # the seats record their own events
        self._told = len(self.state.group_thread)
        stop, self._stop = self._stop, None
        if stop is not None:
            raise stop

    def _build_team(self) -> SelectorGroupChat:
        selector, _ = make_client(
            self._selector_model(), SELECTOR, self.config.base_url,
            self.state.calls_by_role[SELECTOR], self._on_model_call, self.config.calls,
            self._on_retry, db=str(self.store.path))
        self._team = SelectorGroupChat(
            [RoleSeat(role, self) for role in AGENT_ROLES], model_client=selector,
            termination_condition=FunctionalTermination(self._ended),
            selector_prompt=SELECTOR_PROMPT, candidate_func=self._offer,
            allow_repeated_speaker=True)
        return self._team

    def _selector_model(self) -> str | ModelSpec:
        configured = (self.config.pinned_models.get(SELECTOR)
                      or self.config.role_models.get(SELECTOR))
        # else the judge of the change judges who goes next
        return configured or self._model(Role.REVIEWER)

    def _ended(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> bool:
        return self._chat_over()

    def _offer(self, thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str]:
        self._offered = self._candidates()
        return [role.value for role in self._offered]

    def _post(self) -> str:
        """Tell the team what the last milestone achieved (once); the text posted."""
        post = milestone_post(self.state)
        if post is None:
            return ""
        author, text = post
        self.bus.put(GroupMessage(role=author, content=text))
        return text

    # the seat side -------------------------------------------------------------------------
    async def speak(self, role: Role) -> str:
        """The step of ``role`` at this milestone; a stop (a gate that parks the run, a
        budget, a blocked command) is kept for the engine and ends the chat."""
        offered = self._offered or self._candidates() or [role]
        by: Literal["selector", "only", "fallback"] = "selector" if len(offered) > 1 else "only"
        if role not in offered:  # AutoGen takes any participant's name, or the last speaker
            role, by = offered[0], "fallback"
        self.bus.put(SpeakerSelected(speaker=role.value, candidates=[r.value for r in offered],
                                     by=by))
        news = news_for(role, self.state.group_thread)
        self._news = prompts.team_thread(news) if news else ""
        try:
            await self._seat_step(role)
        except Exception as exc:  # noqa: BLE001 - AutoGen would flatten it to a RuntimeError
            self._stop = exc
            return self._post() or f"stopped: {exc}"
        finally:
            self._news = ""
        return self._post() or "(nothing to report)"

    async def _seat_step(self, role: Role) -> None:
        stage = self.state.stage
        if role is Role.REQUIREMENTS:
            if stage == "reviewed":
                await self.requirements(self.review_feedback(), "The reviewer")
            elif stage == "spec_decided":
                await self._after_spec_decision()
            else:
                await self.requirements("")
        elif role is Role.DEVELOPER:
            if stage == "reviewed":
                review = self.state.last_review
                blocking = review is not None and bool(self.blocking_issues(review))
                self._bound(self.state.review_rounds, "the reviewer asked for a revision")
                await self.develop(self.review_feedback() if blocking or review is None
                                   else prompts.review_feedback(review))
            else:
                await self._step()  # a new cycle, or a turn that left no patch
        elif role is Role.REVIEWER:
            await self.review()
        elif stage == "reviewed":
            await self.plan_tests()
        else:
            await self.run_planned_tests()

    async def turn(self, role: Role, task: str) -> str:
        """A seat's first turn reads what the team said since the role last spoke."""
        news, self._news = self._news, ""
        return await super().turn(role, f"{news}\n\n{task}" if news else task)
