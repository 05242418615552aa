"""The command policy against a corpus of hostile and legitimate commands, as a model would
write them (one string, split like the engine does) or as argv lists."""

import random

import pytest

from agents.command_policy import check_command
from agents.commands import split_command


def refusal(command: str | list[str], extra: tuple[tuple[str, ...], ...] = ()) -> str | None:
    """What the engine does with a model's command: split it, then check the argv."""
    try:
        argv = split_command(command)
    except ValueError as exc:
        return str(exc)
    return check_command(argv, extra)


# (command, a fragment the reason must contain)
HOSTILE: list[tuple[str | list[str], str]] = [
    # chaining, substitution, pipes, redirection, background, subshells, braces
    ("pytest; rm -rf x", "';'"),
    ("pytest && curl http://x", "'&&'"),
    ("pytest || true", "'||'"),
    ("pytest & sleep 100", "'&'"),
    ("pytest | tee out.txt", "pipe"),
    ("pytest > /tmp/out", "redirection"),
    ("pytest 2>&1", "redirection"),
    ("pytest < /etc/passwd", "redirection"),
    ("pytest >> log", "redirection '>>'"),
    ("(pytest)", "subshell"),
    ("{ pytest; }", "brace"),
    ("pytest tests/{a,b}.py", "brace"),
    ("pytest $(cat /etc/passwd)", "'$('"),
    ("pytest `id`", "'`'"),
    ('pytest "$(id)"', "inside double quotes"),
    ('pytest "`id`"', "inside double quotes"),
    ('pytest -k "$HOME"', "inside double quotes"),
    ("pytest $HOME", "'$'"),
    ("pytest ${PWD}", "'${'"),
    ("pytest $'\\x41'", "'$'"),
    ("pytest\nrm -rf /", "newline"),
    ("pytest;rm x", "';'"),
    ('pytest -k "a" ; ls', "';'"),
    ("pytest -k 'x' && ls", "'&&'"),
    ('pytest -k "unclosed', "unclosed quote"),
    ("pytest 'unclosed", "unclosed quote"),
    ("pytest \\", "trailing backslash"),
    (["pytest", ";", "rm", "-rf", "x"], "shell operator"),
    (["pytest", "&&", "ls"], "shell operator"),
    (["pytest", "|", "tee"], "shell operator"),
    (["pytest", ">", "out"], "shell operator"),
    (["pytest", "2>&1"], "redirection"),
    (["pytest", ">out.txt"], "redirection"),
    (["pytest", "$(id)"], "'$('"),
    (["pytest", "`id`"], "'`'"),
    (["pytest", "x${IFS}y"], "'${'"),
    # environment prefixes and wrappers
    ("FOO=1 pytest", "environment assignment"),
    ("PYTHONPATH=/tmp python -m pytest", "environment assignment"),
    ("env pytest", "wrapper 'env'"),
    ("env -i pytest", "wrapper 'env'"),
    ("timeout 5 pytest", "wrapper 'timeout'"),
    ("sudo pytest", "wrapper 'sudo'"),
    ("nohup pytest", "wrapper 'nohup'"),
    ("exec pytest", "wrapper 'exec'"),
    ("xargs pytest", "wrapper 'xargs'"),
    ("nice pytest", "wrapper 'nice'"),
    ("sh -c pytest", "without a shell"),
    ("bash -c 'pytest'", "without a shell"),
    ("busybox sh", "without a shell"),
    ("uv run pytest", "wrapper 'uv'"),
    ("poetry run pytest", "wrapper 'poetry'"),
    ("strace pytest", "wrapper 'strace'"),
    # programs by path, look-alikes, invisible characters
    ("./pytest", "by path"),
    (".venv/bin/pytest", "by path"),
    ("/usr/bin/python3 -m pytest", "by path"),
    (["..\\pytest"], "by path"),
    ("p\u0443test", "non-ASCII"),  # Cyrillic u
    ("\u0440ytest", "non-ASCII"),  # Cyrillic er
    ("\uff50\uff59\uff54\uff45\uff53\uff54", "look-alike"),  # fullwidth
    ("py\u200btest", "invisible"),
    ("pytest\u200d", "invisible"),
    ("pytest tests/\u2060x.py", "invisible"),
    (["pytest", "-k", "a\x1b[2Jb"], "control character"),
    (["pytest", "x\x00y"], "control character"),
    ("python -m pyt\u0435st", "non-ASCII"),
    ("ruff ch\u0435ck .", "non-ASCII"),
    # python
    ("python -c 'import os'", "python -c"),
    ("python3 -c 1", "python -c"),
    ("python -m pip install requests", "python -m 'pip'"),
    ("python -m http.server", "python -m 'http.server'"),
    ("python setup.py test", "runs a script"),
    ("python", "interpreter"),
    ("python -I -m pytest", "python option"),
    ("python -mpytest", "module apart"),
    ("python3.12 -m pytest", "not allowed"),
    ("py.test", "not allowed"),
    ("rm -rf tests", "program 'rm'"),
    ("curl http://example.com", "program 'curl'"),
    ("git push", "program 'git'"),
    # pytest options
    ("pytest --basetemp=/tmp/x", "--basetemp"),
    ("pytest --basetemp src", "--basetemp"),
    ("pytest -p xdist", "plugin"),
    ("pytest -pevil", "plugin"),
    ("pytest -qp evil", "plugin"),
    ("pytest --rootdir=/", "outside the worktree"),
    ("pytest -c /etc/pytest.ini", "outside the worktree"),
    ("pytest -c/etc/pytest.ini", "outside the worktree"),
    ("pytest --confcutdir=..", "outside the worktree"),
    ("pytest --pyargs json", "--pyargs"),
    ("pytest --pdbcls=evil:Debugger", "--pdbcls"),
    ("pytest --tx popen//python=/bin/sh", "--tx"),
    ("pytest -o addopts='-p evil'", "addopts"),
    ("pytest --override-ini=pythonpath=/tmp", "pythonpath"),
    ("pytest -o cache_dir=/tmp/c", "outside the worktree"),
    ("pytest --junitxml=/tmp/r.xml", "outside the worktree"),
    ("pytest --cov-report=html:/tmp/cov", "outside the worktree"),
    # paths outside the tree
    ("pytest ../other/tests", "outside the worktree"),
    ("pytest tests/../../x", "outside the worktree"),
    ("pytest ~/.ssh", "outside the worktree"),
    ("pytest /etc/passwd", "outside the worktree"),
    (["pytest", "..\\..\\x"], "outside the worktree"),
    ("pytest C:/Windows", "outside the worktree"),
    ("pytest \uff0e\uff0e/x", "outside the worktree"),  # fullwidth dots: NFKC ".."
    ("pytest file:///etc/passwd", "URL"),
    # mypy
    ("mypy --install-types src", "--install-types"),
    ("mypy --install-typ src", "abbreviates --install-types"),
    ("mypy --python-executable /bin/sh src", "--python-executable"),
    ("mypy --python-exec=/bin/true src", "abbreviates --python-executable"),
    ("mypy --cache-dir=/tmp/c src", "outside the worktree"),
    ("mypy @args.txt", "reads more arguments"),
    ("python -m mypy --install-types", "--install-types"),
    # ruff
    ("ruff server", "ruff server"),
    ("ruff clean", "ruff clean"),
    ("ruff analyze graph", "ruff analyze"),
    ("ruff .", "sub-command '.'"),
    ("ruff", "needs a sub-command"),
    ("ruff check --cache-dir /tmp/rc .", "outside the worktree"),
    ("ruff check --config 'cache-dir = \"/tmp/x\"' .", "outside the worktree"),
    ("ruff format ../elsewhere", "outside the worktree"),
    ("python3 -m ruff server", "ruff server"),
    # node
    ("node -e 'require(1)'", "node -e"),
    ("node --eval=1", "node --eval"),
    ("node --test -p 1", "node -p"),
    ("node --test --print 1", "node --print"),
    ("node --test -r ./x.js", "node -r"),
    ("node --test --require=./x.js", "node --require"),
    ("node --test --import ./x.mjs", "node --import"),
    ("node --test --loader ./l.mjs", "node --loader"),
    ("node --test --experimental-loader=./l.mjs", "node --experimental-loader"),
    ("node --test --experimental_loader=./l.mjs", "node --experimental-loader"),
    ("node --test 'data:text/javascript,process.exit(1)'", "URL"),
    ("node --test --test-reporter=data:text/javascript,x", "URL"),
    ("node script.js", "only its test runner"),
    ("node x.js --test", "only its test runner"),
    ("node --inspect --test", "node option '--inspect'"),
    ("node --test ../outside.test.js", "outside the worktree"),
    ("node --test --test-reporter-destination=/tmp/r", "outside the worktree"),
    # npm
    ("npm install", "only the test script"),
    ("npm ci", "only the test script"),
    ("npm run build", "only the test script"),
    ("npm exec vitest", "only the test script"),
    ("npm test --prefix /tmp", "before '--'"),
    ("npm test --script-shell=/bin/evil", "before '--'"),
    ("npm --prefix x test", "only the test script"),
    ("npm test extra", "before '--'"),
    ("npm test -- --require=./x.js", "--require"),
    ("npm test -- 'a;b'", "passes to a shell"),
    ("npm test -- '$(id)'", "'$('"),
    ("npm test -- /etc", "outside the worktree"),
    # npx
    ("npx vitest@1 run", "version"),
    ("npx jest@29", "version"),
    ("npx -y vitest", "npx -y"),
    ("npx --yes jest", "npx --yes"),
    ("npx -p evil vitest", "npx -p"),
    ("npx --package=evil jest", "npx --package"),
    ("npx -c 'rm -rf x'", "npx -c"),
    ("npx cowsay hi", "only vitest or jest"),
    ("npx", "only vitest or jest"),
    ("npx vitest --ui", "vitest '--ui'"),
    ("npx vitest --api.port 1", "vitest '--api.port'"),
    ("npx vitest --browser.enabled", "vitest '--browser.enabled'"),
    ("npx vitest run --execArgv=--require=./x", "execArgv"),
    ("npx vitest --poolOptions.forks.execArgv=x", "execArgv"),
    ("npx vitest --typecheck.checker=evil", "typecheck.checker"),
    ("npx vitest init browser", "vitest init"),
    ("npx vitest watch", "vitest watch"),
    ("npx vitest --root /", "outside the worktree"),
    ("npx jest --config '{\"rootDir\":\"/\"}'", "inline JSON"),
    ("npx jest --rootDir=/", "outside the worktree"),
    ("npx jest --watchAll", "runs until stopped"),
    # dotnet
    ("dotnet exec x.dll", "dotnet 'exec'"),
    ("dotnet run", "dotnet 'run'"),
    ("dotnet tool install x", "dotnet 'tool'"),
    ("dotnet", "without a sub-command"),
    ("dotnet build -p:PreBuildEvent=touch", "PreBuildEvent"),
    ("dotnet test -property:PostBuildEvent=x", "PostBuildEvent"),
    ("dotnet build /p:Configuration=Release", "with '-'"),
    ("dotnet build -t:Evil", "MSBuild targets"),
    ("dotnet test -e DOTNET_STARTUP_HOOKS=x.dll", "environment"),
    ("dotnet test --environment LD_PRELOAD=x.so", "environment"),
    ("dotnet build -logger:Evil,x.dll", "logger assembly"),
    ("dotnet build @args.rsp", "response files"),
    ("dotnet build -- --exec", "nothing after '--'"),
    ("dotnet test -- --exec evil", "NAME=VALUE"),
    ("dotnet test -- RunConfiguration.DotNetHostPath=./evil", "DotNetHostPath"),
    ("dotnet test -- RunConfiguration.ResultsDirectory=/tmp", "outside the worktree"),
    ("dotnet test --logger 'trx;LogFileName=/tmp/x.trx'", "outside the worktree"),
    ("dotnet test -o /tmp/out", "outside the worktree"),
]

LEGIT: list[str | list[str]] = [
    "python -m pytest -q tests/test_a.py::test_b",
    "python3 -m pytest -q",
    'pytest -k "not slow"',
    "pytest -k 'a or b'",
    "pytest -k 'x;y'",
    'pytest "tests/test x.py"',
    "pytest tests/../src/test_x.py",
    "pytest -q -x --tb=short -p no:cacheprovider",
    "pytest -pno:cacheprovider",
    "pytest -m 'not network' -rA",
    "pytest tests/test_a.py::TestX::test_y[1-2]",
    "pytest -n 2 --dist load",
    "pytest -o cache_dir=.cache --junitxml=build/report.xml",
    "pytest --cov=src --cov-report=html:build/cov",
    "pytest -W error::DeprecationWarning",
    "pytest --lf --maxfail=1 -vv",
    "ruff check .",
    "ruff check --fix src",
    "ruff format --check .",
    "ruff format --diff src tests",
    "ruff --version",
    "python -m ruff check src",
    "mypy src",
    "mypy --strict -p agents",
    "python3 -m mypy --cache-dir=.mypy_cache src",
    "npx vitest run",
    "npx vitest run src/a.test.ts -t 'adds two/three'",
    "npx jest --ci -t 'renders$'",
    "npx jest --testPathPattern=src/foo",
    "npm test",
    "npm run test",
    "npm test -- --coverage",
    "node --test",
    "node --test tests/",
    "node --test --test-reporter=spec --test-name-pattern='/add/i' tests/a.test.js",
    "dotnet test",
    "dotnet build",
    "dotnet build -c Release -p:TreatWarningsAsErrors=true",
    "dotnet test --filter 'FullyQualifiedName~Calc|Category=Unit'",
    "dotnet test --logger 'trx;LogFileName=r.trx' -- RunConfiguration.TestSessionTimeout=6000",
    ["python", "-m", "pytest", "-k", "low and stock"],
    ["pytest", "-k", "(a or b) and not c"],
    ["pytest", "tests/test_caf\u00e9.py"],
    ["pytest", "$HOME"],  # a literal argument: nothing expands it
]


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
