"""The command policy against a corpus of hostile and legitimate commands, as a model would
write them (one string, split like the engine does) or as argv lists."""

import random

import pytest

from agents.command_policy import check_command
from agents.commands import split_command
from tests.command_corpus import HOSTILE, LEGIT


def refusal(command: str | list[str], extra: tuple[tuple[str, ...], ...] = ()) -> str | None:
    """What the engine does with a model's command: split it, then check the argv."""
    try:
        argv = split_command(command)
    except ValueError as exc:
        return str(exc)
    return check_command(argv, extra)


@pytest.mark.parametrize(("command", "fragment"), HOSTILE, ids=[repr(c)[:60] for c, _ in HOSTILE])
def test_hostile_commands_are_refused_with_the_reason(command: str | list[str],
                                                      fragment: str) -> None:
    reason = refusal(command)
    assert reason is not None, f"allowed: {command!r}"
    assert fragment in reason
    assert "\n" not in reason and len(reason) < 200


@pytest.mark.parametrize("command", LEGIT, ids=[repr(c)[:60] for c in LEGIT])
def test_legitimate_commands_pass(command: str | list[str]) -> None:
    assert refusal(command) is None


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 80 and len(LEGIT) >= 30


def test_a_reason_never_echoes_much_of_the_command() -> None:
    long_path = "/" + "a" * 500
    reason = refusal(["pytest", long_path])
    assert reason is not None and "a" * 61 not in reason
    assert refusal(["pytest", "tests/" + "b" * 5000]) == "the command is too long"


def test_extra_commands_are_exact_prefixes_that_still_get_the_generic_checks() -> None:
    extra = (("make", "test"), ("pytest", "-p", "xdist"))
    assert refusal("make test", extra) is None
    assert refusal("make test TESTS=tests/unit", extra) is None
    assert refusal("pytest -p xdist -n 2", extra) is None
    assert refusal("make install", extra) == "program 'make' is not allowed"
    assert "outside the worktree" in str(refusal("make test ../x", extra))
    assert "';'" in str(refusal("make test; rm x", extra))
    assert "invisible" in str(refusal("make test \u200b", extra))
    # A prefix never lifts "by path" or environment refusals.
    assert "by path" in str(refusal("./make test", ((("./make", "test"),))))
    assert "environment" in str(refusal("A=1 make test", (("A=1", "make"),)))
    # Malformed configuration entries never match and never crash.
    assert refusal("make test", ("make test", (), (1, 2))) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize("argv", [
    "pytest", b"pytest", None, 7, [], [""], [1, 2], ["pytest", None], {"pytest": 1},
    ["x"] * 1000, [chr(0xD800)], ["pytest", chr(0xDFFF)], ["\ue000"],
])
def test_malformed_argv_is_refused_not_raised(argv: object) -> None:
    reason = check_command(argv)  # type: ignore[arg-type]
    assert isinstance(reason, str) and reason


def test_random_input_never_raises() -> None:
    rng = random.Random(9)
    alphabet = "pytest -=/.~'\"\\;&|<>(){}$`\n\t\x00\u200b\u0440\uff0e:@,ab0"
    words = ["pytest", "python", "-m", "npx", "node", "npm", "dotnet", "ruff", "mypy", "--test",
             "test", "--", "-p", "-o", "check", "build", "vitest", "jest"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert refusal(text) is None or isinstance(refusal(text), str)
        argv = [rng.choice(words + [text]) for _ in range(rng.randint(1, 6))]
        result = check_command(argv)
        assert result is None or (isinstance(result, str) and "\n" not in result)


def test_everything_the_old_prefix_list_allowed_still_runs() -> None:
    from agents.contracts import TestPlan
    from workbench.sandbox import DEFAULT_ALLOW

    for prefix in DEFAULT_ALLOW:
        argv = [*prefix, "check", "."] if prefix[-1] == "ruff" else list(prefix)
        assert check_command(argv) is None, argv
    assert check_command(TestPlan().command) is None
