"""Argument rules for the Python tools and dotnet: which options execute code, install
packages, delete directories or reach outside the worktree.

Each rule takes the arguments after the program (for ruff and dotnet: after the sub-command)
and returns None or a one-line reason. Every value that is not an expression is also checked
for paths outside the worktree (see ``command_args``).
"""

from __future__ import annotations

import re

from agents.command_args import Spec, check_args, outside_reason, show


def _pytest_plugin(value: str) -> str | None:
    # "-p no:cacheprovider" switches a plugin off, which is harmless and common.
    return None if value.startswith("no:") else "loads a plugin (only -p no:NAME is allowed)"


# ini keys that add command-line options or plugins, or put directories on sys.path.
_INI_BLOCKED = frozenset({"addopts", "required_plugins", "pythonpath"})


def _pytest_ini(value: str) -> str | None:
    key = value.partition("=")[0].strip().lower()
    return f"sets {key}, which loads options or code" if key in _INI_BLOCKED else None


PYTEST = Spec(
    short_values="kmpcorWn",
    long_values=frozenset({
        "--rootdir", "--basetemp", "--confcutdir", "--config-file", "--override-ini",
        "--deselect", "--ignore", "--ignore-glob", "--junitxml", "--junit-xml", "--junit-prefix",
        "--log-file", "--log-level", "--log-cli-level", "--log-file-level", "--log-format",
        "--log-date-format", "--log-cli-format", "--log-file-format", "--cov", "--cov-report",
        "--cov-config", "--cov-fail-under", "--durations", "--durations-min", "--maxfail",
        "--tb", "--import-mode", "--pdbcls", "--tx", "--rsyncdir", "--dist", "--numprocesses",
        "--maxprocesses", "--color", "--capture", "--report-log", "--timeout", "--show-capture",
        "--randomly-seed", "--code-highlight",
    }),
    patterns=frozenset({"-k", "-m", "-r", "--log-format", "--log-date-format",
                        "--log-cli-format", "--log-file-format"}),
    blocked={
        "--basetemp": "deletes and recreates that directory",
        "--pyargs": "imports test packages from outside the worktree",
        "--pdbcls": "imports and runs a debugger class",
        "--tx": "starts other Python interpreters",
        "--rsyncdir": "copies directories to other interpreters",
    },
    rules={"-p": _pytest_plugin, "-o": _pytest_ini, "--override-ini": _pytest_ini},
)

MYPY = Spec(
    short_values="mpc",
    long_values=frozenset({
        "--python-executable", "--python-version", "--platform", "--cache-dir", "--config-file",
        "--custom-typeshed-dir", "--custom-typing-module", "--shadow-file", "--junit-xml",
        "--html-report", "--txt-report", "--xml-report", "--linecount-report",
        "--linecoverage-report", "--lineprecision-report", "--any-exprs-report",
        "--cobertura-xml-report", "--xslt-html-report", "--xslt-txt-report",
        "--memory-xml-report", "--exclude", "--package-root", "--always-true", "--always-false",
        "--enable-error-code", "--disable-error-code", "--module", "--package", "--command",
        "--follow-imports", "--junit-format", "--enable-incomplete-feature",
    }),
    patterns=frozenset({"-c", "--command", "--exclude"}),
    blocked={
        "--install-types": "installs packages with pip",
        "--python-executable": "runs another Python interpreter",
    },
    abbreviations=True,  # mypy's argparse accepts "--python-exec" for "--python-executable"
    from_file=True,  # mypy reads "@args.txt"
)

RUFF = Spec(
    short_values="o",
    long_values=frozenset({
        "--config", "--select", "--ignore", "--extend-select", "--extend-ignore",
        "--per-file-ignores", "--extend-per-file-ignores", "--output-format", "--output-file",
        "--target-version", "--line-length", "--cache-dir", "--stdin-filename", "--exclude",
        "--extend-exclude", "--fixable", "--unfixable", "--extend-fixable", "--extension",
        "--dummy-variable-rgx", "--range",
    }),
    patterns=frozenset({"--dummy-variable-rgx"}),
)

# check and format (also --fix and formatting in place: they only rewrite files under the
# given paths, inside the worktree) and the read-only information commands.
_RUFF_SUBCOMMANDS = frozenset({"check", "format", "rule", "config", "linter", "version", "help"})
_RUFF_REFUSED = {
    "server": "starts a language server that runs until stopped",
    "clean": "deletes caches across the tree",
    "analyze": "is not needed to test a change",
}


def pytest_rule(args: list[str]) -> str | None:
    return check_args("pytest", args, PYTEST)


def mypy_rule(args: list[str]) -> str | None:
    return check_args("mypy", args, MYPY)


def ruff_rule(args: list[str]) -> str | None:
    if not args:
        return "ruff needs a sub-command: ruff check or ruff format"
    sub = args[0]
    if sub in ("--version", "-V", "--help", "-h") and len(args) == 1:
        return None
    if sub in _RUFF_REFUSED:
        return f"ruff {sub} is not allowed: it {_RUFF_REFUSED[sub]}"
    if sub not in _RUFF_SUBCOMMANDS:
        return (f"ruff sub-command {show(sub, 40)} is not allowed "
                "(allowed: check, format, rule, config, linter, version)")
    return check_args("ruff", args[1:], RUFF)


_SWITCH = re.compile(r"(?:-{1,2}|/)([A-Za-z][A-Za-z0-9-]*)(?::(.*))?", re.DOTALL)
# MSBuild properties that only choose a configuration or report: others (PreBuildEvent,
# PostBuildEvent, paths to tools) make a build run a command.
_SAFE_PROPERTIES = frozenset(p.lower() for p in (
    "Configuration", "Platform", "TargetFramework", "RuntimeIdentifier", "CollectCoverage",
    "CoverletOutput", "CoverletOutputFormat", "Include", "Exclude", "Threshold", "ThresholdType",
    "ContinuousIntegrationBuild", "TreatWarningsAsErrors", "WarningLevel", "NoWarn", "Nullable",
    "LangVersion", "Version", "VersionPrefix", "VersionSuffix", "Deterministic",
    "UseSharedCompilation", "GenerateDocumentationFile", "RestoreLockedMode", "RunAnalyzers",
    "EnableNETAnalyzers", "BuildInParallel",
))
_RUNSETTING_BLOCKED = re.compile(r"hostpath|environment|adapter|collector|logger", re.IGNORECASE)
_RUNSETTING = re.compile(r"[A-Za-z][\w.]*=.*", re.DOTALL)

DOTNET = Spec(
    short_values="cfrosldav",
    long_values=frozenset({
        "--configuration", "--framework", "--runtime", "--output", "--settings", "--logger",
        "--diag", "--test-adapter-path", "--results-directory", "--collect", "--filter",
        "--verbosity", "--arch", "--os", "--source", "--version-suffix",
        "--blame-hang-timeout", "--blame-crash-dump-type", "--blame-hang-dump-type",
    }),
    patterns=frozenset({"--filter"}),
)


def _properties(value: str) -> str | None:
    for assignment in value.split(";"):
        name = assignment.partition("=")[0].strip()
        if name and name.lower() not in _SAFE_PROPERTIES:
            return (f"MSBuild property {show(name, 40)} is not allowed "
                    "(only configuration and report properties)")
    return None


def _switch(name: str, value: str) -> str | None:
    if name in ("p", "property", "restoreproperty", "rp"):
        return _properties(value)
    if name in ("t", "target"):
        return "choosing MSBuild targets is not allowed: they can run any command"
    if name in ("e", "environment"):
        return "setting the test host's environment is not allowed (startup hooks, preloads)"
    # MSBuild loggers are "Class,Assembly"; test loggers are friendly names ("trx;...").
    if name in ("distributedlogger", "dl") or (
            name in ("logger", "l") and ("," in value or ".dll" in value.lower())):
        return "loading a logger assembly is not allowed"
    return None


def _runsettings(args: list[str]) -> str | None:
    for arg in args:
        if not _RUNSETTING.fullmatch(arg):
            return f"after '--' dotnet test takes only NAME=VALUE run settings: {show(arg, 40)}"
        if _RUNSETTING_BLOCKED.search(arg.partition("=")[0]):
            return f"run setting {show(arg.partition('=')[0], 40)} is not allowed"
        if (why := outside_reason(arg.partition("=")[2])) is not None:
            return why
    return None


def dotnet_rule(sub: str, args: list[str]) -> str | None:
    """``dotnet build`` and ``dotnet test`` arguments."""
    head, forwarded = args, []
    if "--" in args:
        cut = args.index("--")
        head, forwarded = args[:cut], args[cut + 1:]
        if sub != "test":
            return "dotnet build takes nothing after '--'"
        if (why := _runsettings(forwarded)) is not None:
            return why
    for i, arg in enumerate(head):
        if arg.startswith("@"):
            return "dotnet response files (@file) are not allowed: they hide arguments"
        match = _SWITCH.fullmatch(arg)
        if match is None:
            continue
        if arg.startswith("/"):
            return f"write MSBuild switches with '-', not '/': {show(arg, 40)}"
        name = match[1].lower()
        value = match[2]
        if value is None:
            value = head[i + 1] if i + 1 < len(head) else ""
        if (why := _switch(name, value)) is not None:
            return why
        # "--diag:/tmp/log": dotnet and MSBuild both take a value after a colon.
        if match[2] is not None and name != "filter" and (why := outside_reason(match[2])):
            return why
    return check_args("dotnet", head, DOTNET)
