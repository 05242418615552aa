"""The ``mcp`` section of the config: MCP tool servers offered to chosen agent roles.

Every tool a server lists is shown to the roles, but a call passes the policy first: a call of a
tool not in ``allow``, or of one in ``risky``, is held for a human at the command gate (run it
once, allow the tool for this repository, send the role back, or stop the run
BLOCKED_BY_POLICY); every hold is recorded.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

MCP_ROLES = ("developer", "tester")
"""The roles that work with tools (the others answer with a contract and call none)."""


class McpServer(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="A short name, shown in events.")
    command: str | None = Field(default=None,
                                description="stdio: the program that serves MCP on stdin/out.")
    args: list[str] = Field(default_factory=list, description="stdio: its arguments.")
    url: str | None = Field(default=None,
                            description="Streamable HTTP: the server's URL (http or https).")
    roles: list[str] = Field(default_factory=lambda: ["developer"],
                             description="The agent roles offered this server's tools.")
    allow: list[str] = Field(default_factory=list,
                             description="Tool names that may be called without asking; a "
                             "call of any other tool waits for a human.")
    risky: list[str] = Field(default_factory=list,
                             description="Tool names that need a human's approval at the "
                             "command gate each time, even when allowed.")
    timeout_s: float = Field(default=30.0, gt=0, description="Limit for one tool call.")

    @model_validator(mode="after")
    def _one_transport(self) -> McpServer:
        if (self.command is None) == (self.url is None):
            raise ValueError(f"mcp server {self.name!r}: give either command (stdio) or url "
                             "(streamable HTTP), not both or neither")
        if self.url is not None and urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"mcp server {self.name!r}: url must be http:// or https://")
        wrong = sorted(set(self.roles) - set(MCP_ROLES))
        if wrong:
            raise ValueError(f"mcp server {self.name!r}: roles {', '.join(wrong)} use no "
                             f"tools (choose from {', '.join(MCP_ROLES)})")
        return self
