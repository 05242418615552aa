import pytest
from pydantic import ValidationError

from agents.commands import split_command
from agents.contracts import TestPlan


@pytest.mark.parametrize(
    ("given", "argv"),
    [
        ("python -m pytest -q", ["python", "-m", "pytest", "-q"]),
        (["python -m pytest -q"], ["python", "-m", "pytest", "-q"]),
        (["python", "-m", "pytest", "-k", "low and stock"],
         ["python", "-m", "pytest", "-k", "low and stock"]),
        ('pytest -k "low and stock" tests/test_x.py',
         ["pytest", "-k", "low and stock", "tests/test_x.py"]),
        (["python -m pytest", "-q"], ["python", "-m", "pytest", "-q"]),
        ("pytest '$HOME'", ["pytest", "$HOME"]),  # single quotes: literal, nothing expands
        ("pytest -k 'x;y' \"a | b\" 'c && d'", ["pytest", "-k", "x;y", "a | b", "c && d"]),
        ('pytest -k "a\\"b"', ["pytest", "-k", 'a"b']),
        ("pytest \\;", ["pytest", ";"]),  # escaped: a word, which the policy then refuses
        ("pytest # not a comment", ["pytest", "#", "not", "a", "comment"]),
        ("pytest tests/*.py", ["pytest", "tests/*.py"]),  # no globbing either
    ],
)
def test_commands_become_argv(given: str | list[str], argv: list[str]) -> None:
    assert split_command(given) == argv


def test_unclosed_quote_is_a_one_line_error_that_does_not_echo_the_command() -> None:
    with pytest.raises(ValueError, match=r"^the command has an unclosed quote$"):
        split_command('pytest -k "low')
    with pytest.raises(ValueError, match=r"^the command has an unclosed quote$"):
        split_command("pytest 'it\\'s'")  # no escapes inside single quotes
    with pytest.raises(ValueError, match="^command is empty$"):
        split_command("   ")
    with pytest.raises(ValueError, match="^command is empty$"):
        split_command([])


def test_test_plan_accepts_the_command_as_one_string() -> None:
    plan = TestPlan.model_validate({"targets": ["f"], "command": "python -m pytest -q tests"})
    assert plan.command == ["python", "-m", "pytest", "-q", "tests"]
    assert TestPlan.model_validate({"command": ["pytest -q"]}).command == ["pytest", "-q"]
    assert TestPlan().command == ["python", "-m", "pytest", "-q"]


def test_test_plan_reports_a_bad_command_in_its_validation_errors() -> None:
    with pytest.raises(ValidationError) as info:
        TestPlan.model_validate({"command": "pytest -k 'x"})
    (error,) = info.value.errors()
    assert error["loc"] == ("command",) and "unclosed quote" in error["msg"]
    with pytest.raises(ValidationError):
        TestPlan.model_validate({"command": 7})


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("pytest; rm -rf x", "shell chaining ';' is not allowed: commands run without a shell"),
        ("pytest && ls", "shell chaining '&&' is not allowed: commands run without a shell"),
        ("pytest || ls", "shell chaining '||' is not allowed: commands run without a shell"),
        ("pytest & ls", "background job '&' is not allowed: commands run without a shell"),
        ("pytest | tee o", "pipe '|' is not allowed: commands run without a shell"),
        ("pytest > o", "redirection '>' is not allowed: commands run without a shell"),
        ("pytest >> o", "redirection '>>' is not allowed: commands run without a shell"),
        ("pytest < i", "redirection '<' is not allowed: commands run without a shell"),
        ("(pytest)", "subshell '(' is not allowed: commands run without a shell"),
        ("pytest {a,b}", "brace group or expansion '{' is not allowed: commands run without a "
                         "shell"),
        ("pytest `id`", "command substitution '`' is not allowed: commands run without a shell"),
        ("pytest $(id)", "command substitution '$(' is not allowed: commands run without a shell"),
        ("pytest ${X}", "variable expansion '${' is not allowed: commands run without a shell"),
        ("pytest $X", "variable expansion '$' is not allowed: commands run without a shell"),
        ("pytest\nls", "a newline (a command separator) is not allowed: commands run without a "
                       "shell"),
        ('pytest "$(id)"', "command substitution '$(' inside double quotes is not allowed: "
                           "commands run without a shell (single quotes keep text literal)"),
        ('pytest "a`id`"', "command substitution '`' inside double quotes is not allowed: "
                           "commands run without a shell (single quotes keep text literal)"),
        ('pytest "$HOME"', "variable expansion '$' inside double quotes is not allowed: "
                           "commands run without a shell (single quotes keep text literal)"),
        ('pytest \\"; ls', "shell chaining ';' is not allowed: commands run without a shell"),
        ("pytest x\\", "a trailing backslash escapes nothing"),
        (["pytest -q; ls"], "shell chaining ';' is not allowed: commands run without a shell"),
    ],
)
def test_shell_syntax_is_refused_naming_the_construct(command: str | list[str],
                                                      reason: str) -> None:
    with pytest.raises(ValueError) as info:
        split_command(command)
    assert str(info.value) == reason


@pytest.mark.parametrize("element", [";", "&&", "||", "|", "&", ">", ">>", "<", "2>&1", ">out",
                                     "&>log", "(", "}", "$(id)", "`id`", "a${IFS}b"])
def test_an_argv_element_that_is_shell_syntax_is_refused(element: str) -> None:
    with pytest.raises(ValueError, match="commands run without a shell"):
        split_command(["pytest", "-q", element])


def test_test_plan_refuses_a_chained_command_in_its_validation_errors() -> None:
    with pytest.raises(ValidationError) as info:
        TestPlan.model_validate({"command": "pytest -q && curl http://x"})
    (error,) = info.value.errors()
    assert "shell chaining '&&'" in error["msg"] and "curl" not in error["msg"]
