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
        ("pytest $HOME", ["pytest", "$HOME"]),  # no expansion: words only
    ],
)
def test_commands_become_argv(given: str | list[str], argv: list[str]) -> None:
    assert split_command(given) == argv


def test_unclosed_quote_is_a_one_line_error() -> None:
    with pytest.raises(ValueError, match=r"^command has an unclosed quote: 'pytest -k \"low'$"):
        split_command('pytest -k "low')
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
