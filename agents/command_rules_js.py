"""Argument rules for node, npm and npx (vitest, jest).

node runs only its test runner: ``node --test`` with test-runner options and test files, no
option that evaluates code or loads a module from the command line, no ``data:`` or other URL.
npm runs only the test script (``npm test`` or ``npm run test``), with nothing before ``--``
(options there configure npm itself: ``--prefix``, ``--script-shell``). npx runs only the
vitest or jest installed in the tree: no version (that downloads), no ``-y``/``-p``/``-c``.
"""

from __future__ import annotations

import re

from agents.command_args import Spec, check_args, show

_NODE_NAMED = {
    "-e": "runs code given on the command line", "--eval": "runs code given on the command line",
    "-p": "runs code given on the command line", "--print": "runs code given on the command line",
    "-r": "loads a module before the tests", "--require": "loads a module before the tests",
    "--import": "loads a module before the tests", "--loader": "installs a module loader hook",
    "--experimental-loader": "installs a module loader hook",
    "-i": "opens an interactive interpreter", "--interactive": "opens an interactive interpreter",
    "--env-file": "reads environment variables from a file",
    "--run": "runs a package.json script",
}
_NODE_FLAGS = frozenset({
    "--test", "--no-warnings", "--no-deprecation", "--enable-source-maps", "--trace-warnings",
    "--trace-deprecation", "--trace-uncaught", "--pending-deprecation", "--throw-deprecation",
    "--experimental-vm-modules", "--experimental-strip-types", "--no-experimental-strip-types",
    "--experimental-transform-types", "--experimental-detect-module",
    "--no-experimental-detect-module", "--experimental-require-module",
    "--experimental-test-coverage", "--experimental-test-module-mocks",
    "--experimental-test-snapshots", "--experimental-test-isolation", "--version", "-v",
    "--help", "-h", "--experimental-default-type", "--conditions", "-C", "--stack-trace-limit",
    "--unhandled-rejections",
})
NODE = Spec(
    short_values="C",
    long_values=frozenset({
        "--test-reporter", "--test-reporter-destination", "--test-name-pattern",
        "--test-skip-pattern", "--test-concurrency", "--test-timeout", "--test-shard",
        "--test-coverage-include", "--test-coverage-exclude", "--conditions",
        "--experimental-default-type", "--stack-trace-limit", "--unhandled-rejections",
    }),
    patterns=frozenset({"--test-name-pattern", "--test-skip-pattern",
                        "--test-coverage-include", "--test-coverage-exclude"}),
)


def node_rule(args: list[str]) -> str | None:
    seen_test = False
    takes_value = False
    for arg in args:
        if takes_value:
            takes_value = False
            continue
        if arg == "--":
            break
        if not arg.startswith("-"):
            if not seen_test:
                return "node runs only its test runner: node --test [test files]"
            continue
        # node reads "--test_reporter" as "--test-reporter".
        name = arg.partition("=")[0].replace("_", "-")
        if name in _NODE_NAMED:
            return f"node {name} is not allowed: it {_NODE_NAMED[name]}"
        if name not in _NODE_FLAGS and not name.startswith("--test-"):
            return f"node option {show(name, 40)} is not allowed (only --test and its options)"
        seen_test = seen_test or name == "--test"
        takes_value = "=" not in arg and name in NODE.long_values
    if not seen_test:
        return "node runs only its test runner: node --test [test files]"
    return check_args("node", [a.replace("_", "-") if a.startswith("--") else a for a in args],
                      NODE)


# Options that make a JavaScript tool evaluate code or load a module from the command line,
# refused in arguments npm forwards to a script it does not know.
_EXEC_LIKE = {name: "runs or loads code given on the command line" for name in (
    "-e", "--eval", "-p", "--print", "-r", "--require", "--import", "--loader",
    "--experimental-loader", "--exec", "--node-options", "--node-option", "--script-shell",
    "--shell", "--inspect", "--inspect-brk",
)}
FORWARDED = Spec(short_values="tkmg", blocked=_EXEC_LIKE,
                 patterns=frozenset({"-t", "-k", "-m", "-g", "--testNamePattern", "--grep",
                                     "--testPathPattern"}))
# npm hands forwarded arguments to the script's shell: shell syntax there would run.
_SCRIPT_SHELL = re.compile(r"[;&|<>`$\n\r]")


def npm_rule(args: list[str]) -> str | None:
    if args[:1] == ["test"]:
        rest = args[1:]
    elif args[:2] in (["run", "test"], ["run-script", "test"]):
        rest = args[2:]
    else:
        first = show(" ".join(args[:2]), 40) if args else "nothing"
        return f"npm runs only the test script (npm test, npm run test), not {first}"
    if not rest:
        return None
    if rest[0] != "--":
        return ("npm takes no options or arguments before '--' (they configure npm itself): "
                f"{show(rest[0], 40)}")
    forwarded = rest[1:]
    bad = next((a for a in forwarded if _SCRIPT_SHELL.search(a)), None)
    if bad is not None:
        return f"shell syntax in an argument npm passes to a shell: {show(bad, 40)}"
    return check_args("npm test --", forwarded, FORWARDED)


VITEST = Spec(
    short_values="tcr",
    long_values=frozenset({
        "--config", "--root", "--dir", "--reporter", "--outputFile", "--testNamePattern",
        "--project", "--environment", "--pool", "--shard", "--mode", "--workspace",
        "--maxWorkers", "--minWorkers", "--testTimeout", "--hookTimeout", "--bail", "--retry",
        "--exclude",
    }),
    patterns=frozenset({"-t", "--testNamePattern"}),
    blocked={"--watch": "runs until stopped", "-w": "runs until stopped"},
)
_VITEST_FAMILIES = re.compile(r"--(?:ui|open|api|browser|inspect)\b|execArgv|typecheck\.checker")
_VITEST_SUBCOMMANDS = {"init": "installs packages", "watch": "runs until stopped",
                       "dev": "runs until stopped"}


def _inline_json(value: str) -> str | None:
    return "inline JSON configuration is not allowed" if value.lstrip().startswith("{") else None


JEST = Spec(
    short_values="ctw",
    long_values=frozenset({
        "--config", "--testNamePattern", "--testPathPattern", "--testPathPatterns",
        "--testPathIgnorePatterns", "--rootDir", "--roots", "--outputFile", "--maxWorkers",
        "--reporters", "--testEnvironment", "--coverageDirectory", "--cacheDirectory", "--shard",
        "--selectProjects", "--testTimeout", "--seed", "--testRegex", "--testMatch", "--projects",
    }),
    patterns=frozenset({"-t", "--testNamePattern", "--testPathPattern", "--testPathPatterns",
                        "--testPathIgnorePatterns", "--testRegex", "--testMatch"}),
    blocked={"--watch": "runs until stopped", "--watchAll": "runs until stopped"},
    rules={"--config": _inline_json, "-c": _inline_json},
)
_NPX_OPTIONS = {
    "-y": "installs packages without asking", "--yes": "installs packages without asking",
    "-p": "installs a package", "--package": "installs a package",
    "-c": "runs a shell command", "--call": "runs a shell command",
}


def npx_rule(args: list[str]) -> str | None:
    if not args:
        return "npx runs only vitest or jest"
    tool, rest = args[0], args[1:]
    option = tool.partition("=")[0]
    if option in _NPX_OPTIONS:
        return f"npx {option} is not allowed: it {_NPX_OPTIONS[option]}"
    if tool.startswith("-"):
        return f"npx options are not allowed: {show(tool, 40)}"
    if "@" in tool and tool.partition("@")[0] in ("vitest", "jest"):
        return f"npx {show(tool, 40)}: a version downloads that package; use the tree's own"
    if tool == "vitest":
        return _vitest(rest)
    if tool == "jest":
        return check_args("jest", rest, JEST)
    return f"npx runs only vitest or jest, not {show(tool, 40)}"


def _vitest(args: list[str]) -> str | None:
    first = next((a for a in args if not a.startswith("-")), None)
    if first in _VITEST_SUBCOMMANDS:
        return f"vitest {first} is not allowed: it {_VITEST_SUBCOMMANDS[first]}"
    family = next((a for a in args if a.startswith("-") and _VITEST_FAMILIES.search(a)), None)
    if family is not None:
        return f"vitest {show(family.partition('=')[0], 40)} is not allowed"
    return check_args("vitest", args, VITEST)

