"""Crash harness: the bundled demo run headless in real processes, killed with SIGKILL at a
chosen point, resumed with ``workbench resume``, and checked against an uninterrupted run.

Used by ``tests/engine/test_crash_resume.py`` (a few kill points) and by
``tests/benchmarks/kill_resume.py`` (many random ones). Every scenario has its own folder:
the demo repository, the store (``data/runs.db``, worktrees beside it) and the temp dir the
engines use (``TMPDIR``), so leftovers can be traced to the scenario that made them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pygit2
from pygit2.enums import SortMode

from workbench.demo import DEMO_MODEL, demo_task, prepare_demo_repo

ROOT = Path(__file__).resolve().parents[1]
_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PYTHON if _VENV_PYTHON.exists() else Path(sys.executable))
PROCESS_TIMEOUT_S = 180.0
POLL_S = 0.001
STEP_S = 0.00005
HOME_PREFIX = "workbench-home-"
_HOME_RE = re.compile(r"workbench-home-(\d+)-(\d+)-")
_ALREADY_FINISHED = re.compile(r"already finished: ([A-Z_]+)")


# the user's repository ----------------------------------------------------------------------
@dataclass(frozen=True)
class RepoState:
    """What the user sees of their repository: HEAD, ``main`` and every file outside .git."""

    head_ref: str
    head: str
    main: str
    files: tuple[tuple[str, str], ...]

    def differences(self, other: RepoState) -> list[str]:
        out = []
        if (self.head_ref, self.head) != (other.head_ref, other.head):
            out.append(f"HEAD {self.head_ref}@{self.head[:10]} -> "
                       f"{other.head_ref}@{other.head[:10]}")
        if self.main != other.main:
            out.append(f"main {self.main[:10]} -> {other.main[:10]}")
        mine, theirs = dict(self.files), dict(other.files)
        for path in sorted(mine.keys() | theirs.keys()):
            if mine.get(path) != theirs.get(path):
                what = ("added" if path not in mine else "deleted" if path not in theirs
                        else "changed")
                out.append(f"{path} {what}")
        return out


def repo_state(repo_path: Path) -> RepoState:
    repo = pygit2.Repository(str(repo_path))
    main = repo.branches.local.get("main")
    files = []
    for folder, dirs, names in os.walk(repo_path):
        dirs[:] = sorted(d for d in dirs if not (folder == str(repo_path) and d == ".git"))
        for name in sorted(names):
            path = Path(folder) / name
            rel = path.relative_to(repo_path).as_posix()
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            files.append((rel, hashlib.sha256(data).hexdigest()))
    return RepoState(repo.head.name, str(repo.head.target),
                     str(main.target) if main is not None else "", tuple(files))


# one scenario: a fresh repo and a fresh store ------------------------------------------------
@dataclass
class Scenario:
    root: Path
    repo: Path
    db: Path
    tmp: Path
    before: RepoState

    @classmethod
    def create(cls, root: Path) -> Scenario:
        root.mkdir(parents=True, exist_ok=True)
        tmp = root / "tmp"
        tmp.mkdir()
        repo = prepare_demo_repo(root)
        # The local runner: its commands leave HOME folders and process groups that a later
        # engine must reap, which is what the kill points check (the jails die with the
        # engine by themselves: tests/sandbox covers them).
        (root / "config.yaml").write_text("sandbox:\n  backend: local\n")
        return cls(root, repo, root / "data" / "runs.db", tmp, repo_state(repo))

    @property
    def worktrees(self) -> Path:
        return self.db.parent / "worktrees"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WORKBENCH_", "OPENAI_", "PYTEST_")) and k != "TMPDIR"}
        env.update(WORKBENCH_DB=str(self.db), WORKBENCH_CONFIG=str(self.root / "config.yaml"),
                   TMPDIR=str(self.tmp), PYTHONUNBUFFERED="1")
        return env

    def run_argv(self) -> list[str]:
        return [PYTHON, "-m", "workbench", "run", demo_task(), "--repo", str(self.repo),
                "--model", DEMO_MODEL, "--auto-approve", "--json"]

    @staticmethod
    def resume_argv(run_id: str) -> list[str]:
        return [PYTHON, "-m", "workbench", "resume", run_id, "--auto-approve", "--json"]


@dataclass
class Attempt:
    """One engine process: ``run`` or ``resume``."""

    command: str
    proc: subprocess.Popen[bytes]
    started: float
    out_path: Path
    err_path: Path
    ended: float = 0.0
    killed: bool = False
    timed_out: bool = False

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    @property
    def rc(self) -> int | None:
        return self.proc.returncode

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")


def start(sc: Scenario, argv: Sequence[str], command: str) -> Attempt:
    n = len(list(sc.root.glob("attempt-*.out")))
    out, err = sc.root / f"attempt-{n}.out", sc.root / f"attempt-{n}.err"
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(list(argv), cwd=sc.root, env=sc.env(), stdin=subprocess.DEVNULL,
                                stdout=fo, stderr=fe, start_new_session=True)
    return Attempt(command, proc, time.monotonic(), out, err)


def _kill_group(att: Attempt) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(att.proc.pid, signal.SIGKILL)
    att.proc.wait()  # reaped: a zombie would still look alive to the next lease holder
    att.ended = time.monotonic()


def finish(att: Attempt, timeout_s: float = PROCESS_TIMEOUT_S) -> Attempt:
    try:
        att.proc.wait(timeout=max(0.0, timeout_s - att.seconds))
        att.ended = time.monotonic()
    except subprocess.TimeoutExpired:
        att.timed_out = True
        _kill_group(att)
    return att


# reading the store (read-only, never in the engine's way) ------------------------------------
def _ro(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
    conn.execute("PRAGMA busy_timeout=50")
    return conn


def max_seq(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = _ro(db)
    except sqlite3.Error:
        return 0
    try:
        row = conn.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)
    except sqlite3.Error:  # no schema yet, or busy for a moment
        return 0
    finally:
        conn.close()


def run_id_of(db: Path) -> str | None:
    if not db.exists():
        return None
    conn = _ro(db)
    try:
        row = conn.execute("SELECT run_id FROM runs").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    role: str
    payload: dict[str, object]

    @property
    def label(self) -> str:
        """kind plus what tells events of one kind apart (artifact type, tool, gate, phase)."""
        p = self.payload
        detail = p.get("type") or p.get("name") or p.get("gate") or p.get("phase") \
            or p.get("status") or ""
        return f"{self.kind}:{detail}" if detail else self.kind

    def line(self) -> str:
        p = self.payload
        bits = [f"{k}={p[k]}" for k in ("type", "name", "gate", "decision", "phase", "cycle",
                                         "turn", "status", "reason", "message", "snapshot",
                                         "artifact_id") if p.get(k) not in (None, "", [])]
        return f"{self.seq:>4} {self.kind:<18} {self.role:<12} {' '.join(bits)[:110]}"


def events_of(db: Path, run_id: str, after_seq: int = 0) -> list[Event]:
    conn = _ro(db)
    try:
        rows = conn.execute("SELECT seq, kind, role, payload FROM events WHERE run_id = ? "
                            "AND seq > ? ORDER BY seq", [run_id, after_seq]).fetchall()
    finally:
        conn.close()
    return [Event(int(s), k, r, json.loads(p or "{}")) for s, k, r, p in rows]


def run_row(db: Path, run_id: str) -> dict[str, object]:
    conn = _ro(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchone()
    finally:
        conn.close()
    return dict(row) if row else {}


def artifact_content(db: Path, artifact_id: int) -> object:
    conn = _ro(db)
    try:
        row = conn.execute("SELECT content FROM artifacts WHERE id = ?", [artifact_id]).fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if row else None


# Fields of the evidence bundle that name this run or measure its cost: they differ between
# any two runs. Usage differs after a crash too (the killed attempt's calls count).
_VOLATILE = ("run_id", "branch", "base_commit", "commit", "usage", "usage_by_role",
             "usage_by_model")


def evidence_bundle(db: Path, events: Sequence[Event]) -> dict[str, object] | None:
    """The run's evidence bundle without what differs between any two runs of one task."""
    recorded = [e for e in events if e.kind == "artifact" and e.payload.get("type") == "evidence"]
    if not recorded:
        return None
    data = artifact_content(db, int(str(recorded[-1].payload["artifact_id"])))
    if not isinstance(data, dict):
        return None
    out = {k: v for k, v in data.items() if k not in _VOLATILE}
    out["tests"] = [{k: v for k, v in t.items() if k != "log_artifact"}
                    for t in out.get("tests") or [] if isinstance(t, dict)]
    return out


def _short(value: object) -> str:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        value = [v.get("status", v.get("decision", "?")) for v in value if isinstance(v, dict)]
    return json.dumps(value, default=str)[:120]


def evidence_differences(got: dict[str, object] | None, want: dict[str, object] | None
                         ) -> list[str]:
    if got is None or want is None:
        return ["no evidence bundle" if got is None else "the reference has no evidence"]
    out = []
    for k in sorted(got.keys() | want.keys()):
        mine, theirs = got.get(k), want.get(k)
        if mine == theirs:
            continue
        if isinstance(mine, dict) and isinstance(theirs, dict):
            out += [f"{k}.{sub}: {_short(mine.get(sub))} (reference {_short(theirs.get(sub))})"
                    for sub in sorted(mine.keys() | theirs.keys())
                    if mine.get(sub) != theirs.get(sub)]
        else:
            out.append(f"{k}: {_short(mine)} (reference {_short(theirs)})")
    return out


def integrity(db: Path) -> str:
    conn = sqlite3.connect(str(db), timeout=5)
    try:
        return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall())
    finally:
        conn.close()


def events_around(events: Sequence[Event], seq: int, before: int = 4, after: int = 8) -> str:
    return "\n".join(e.line() for e in events if seq - before <= e.seq <= seq + after)


# kill points --------------------------------------------------------------------------------
@dataclass(frozen=True)
class KillPoint:
    """When to SIGKILL an engine: as soon as the store holds event ``seq`` (or ``more`` events
    than when the process started), or ``delay_s`` after the start. With ``sandbox``, the
    seq is reached and a sandboxed command has started (its HOME folder exists): the kill
    lands while a command runs. With ``event`` (an :attr:`Event.label` such as
    ``artifact:review``), the kill lands as soon as the store holds such an event written
    after the process started.

    With ``exact``, the kill lands while event ``seq`` is the store's last one (``seq`` 0: the
    run row exists, no event yet): from event ``seq - 1`` on, the engine is stepped (SIGSTOP,
    SIGCONT for a few microseconds, SIGSTOP) and checked while stopped, so short windows
    between two events can be hit. With ``git_lock`` as well, it lands while the engine holds
    a git lock file (``*.lock``) in the user's repository, as libgit2 does while it writes a
    ref or an index."""

    seq: int | None = None
    delay_s: float | None = None
    more: int | None = None
    sandbox: bool = False
    exact: bool = False
    git_lock: bool = False
    event: str | None = None
    label: str = ""

    def __str__(self) -> str:
        if self.delay_s is not None:
            what = f"t={self.delay_s:.3f}s"
        elif self.more is not None:
            what = f"seq>=start+{self.more}"
        elif self.event is not None:
            what = f"first new {self.event}"
        else:
            what = f"seq=={self.seq}" if self.exact else f"seq>={self.seq}"
        what += " with a sandboxed command running" if self.sandbox else ""
        what += " holding a git lock" if self.git_lock else ""
        return f"{what} ({self.label})" if self.label else what


@dataclass
class Kill:
    point: KillPoint
    command: str  # the process killed: run or resume
    at_seq: int  # the store's last seq once the process was dead
    after_s: float
    before_row: bool = False  # no run row existed yet: a fresh run was started
    left: list[str] = field(default_factory=list)  # sandbox leftovers right after the kill
    hit: bool = True  # an exact point: the kill landed inside its window
    locks: list[str] = field(default_factory=list)  # git lock files at the kill

    def __str__(self) -> str:
        where = "before the run row" if self.before_row else f"at seq {self.at_seq}"
        left = f", left {len(self.left)} sandbox leftover(s)" if self.left else ""
        locks = f", holding {', '.join(self.locks)}" if self.locks else ""
        missed = "" if self.hit else ", outside the exact window"
        return f"{self.point} on {self.command}, {where}, {self.after_s:.2f}s in{left}{locks}" \
            f"{missed}"


def _sandbox_started(tmp: Path) -> bool:
    return any(e.name.startswith(HOME_PREFIX) for e in os.scandir(tmp))


def git_locks(repo: Path) -> list[str]:
    """Lock files in the repository's git dir (refs, packed-refs, worktree admin dirs)."""
    git = repo / ".git"
    found = [p for p in git.glob("*.lock")]
    found += git.glob("worktrees/*/*.lock")
    for folder, _dirs, names in os.walk(git / "refs"):
        found += [Path(folder) / n for n in names if n.endswith(".lock")]
    return sorted(p.relative_to(git).as_posix() for p in found)


def _stopped(pid: int) -> bool:
    """No thread of ``pid`` runs. A thread asleep (S, or D: disk, or a parent waiting for
    its vforked child, which the group stop also stopped) has the stop pending and stops
    before it runs user code again, so nothing it does can show in the store meanwhile."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return True
    for tid in tasks:
        try:
            raw = Path(f"/proc/{pid}/task/{tid}/stat").read_bytes()
        except OSError:
            continue
        if raw[raw.rindex(b")") + 2:].split()[0] == b"R":
            return False
    return True


def _stop(att: Attempt) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(att.proc.pid, signal.SIGSTOP)
    while att.proc.poll() is None and not _stopped(att.proc.pid):
        pass


def _step(att: Attempt) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(att.proc.pid, signal.SIGCONT)
    time.sleep(STEP_S)
    _stop(att)


def _kill(att: Attempt) -> None:
    _kill_group(att)
    att.killed = True


def kill_at(att: Attempt, point: KillPoint, sc: Scenario,
            timeout_s: float = PROCESS_TIMEOUT_S) -> tuple[bool, bool]:
    """SIGKILL the process group at ``point``. Returns (killed, inside the window): killed is
    False when the process ended first; the window only matters for exact points."""
    if point.delay_s is not None:
        try:
            att.proc.wait(timeout=point.delay_s)
        except subprocess.TimeoutExpired:
            _kill(att)
            return True, True
        att.ended = time.monotonic()
        return False, False
    if point.event is not None:
        return _kill_at_event(att, point.event, sc, timeout_s)
    target = point.seq if point.more is None else max_seq(sc.db) + point.more
    assert target is not None
    exact = point.exact or point.git_lock

    def step() -> tuple[bool, bool] | None:
        last = max_seq(sc.db)
        if exact and last >= target - 1 and (target > 0 or run_id_of(sc.db) is not None):
            return _kill_in_window(att, point, sc, target)
        if not exact and last >= target and (not point.sandbox or _sandbox_started(sc.tmp)):
            _kill(att)
            return True, True
        return None

    return _watch(att, timeout_s, step)


def _kill_at_event(att: Attempt, label: str, sc: Scenario,
                   timeout_s: float) -> tuple[bool, bool]:
    after = max_seq(sc.db)

    def step() -> tuple[bool, bool] | None:
        run_id = run_id_of(sc.db)
        with contextlib.suppress(sqlite3.OperationalError):  # busy for a moment
            if run_id is not None and any(e.label == label
                                          for e in events_of(sc.db, run_id, after)):
                _kill(att)
                return True, True
        return None

    return _watch(att, timeout_s, step)


def _watch(att: Attempt, timeout_s: float,
           step: Callable[[], tuple[bool, bool] | None]) -> tuple[bool, bool]:
    """Poll ``step`` while the process runs: its answer, or (False, False) when the process
    ended first (or ran past ``timeout_s`` and was killed)."""
    deadline = att.started + timeout_s
    while att.proc.poll() is None:
        answer = step()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            att.timed_out = True
            _kill_group(att)
            return False, False
        time.sleep(POLL_S)
    att.ended = time.monotonic()
    return False, False


def _kill_in_window(att: Attempt, point: KillPoint, sc: Scenario,
                    target: int) -> tuple[bool, bool]:
    _stop(att)
    while att.proc.poll() is None:
        last = max_seq(sc.db)
        if last > target:  # stepped past the window
            _kill(att)
            return True, False
        if last == target and (not point.git_lock or git_locks(sc.repo)):
            _kill(att)
            return True, True
        _step(att)
    att.ended = time.monotonic()
    return False, False


# driving a scenario -------------------------------------------------------------------------
@dataclass
class Drive:
    """What happened to one scenario: the kills, and the process that ended the run."""

    kills: list[Kill] = field(default_factory=list)
    missed: list[KillPoint] = field(default_factory=list)  # the process ended before them
    attempts: list[Attempt] = field(default_factory=list)
    run_id: str | None = None

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    @property
    def before_row(self) -> int:
        return sum(k.before_row for k in self.kills)

    @property
    def resume_seconds(self) -> float | None:
        """Wall time of the resume that ended the run (None: the run ended otherwise)."""
        last = self.last
        return last.seconds if last.command == "resume" and not last.killed else None


PointSource = KillPoint | Callable[[int], KillPoint]


def drive(sc: Scenario, points: Iterable[PointSource] = (),
          timeout_s: float = PROCESS_TIMEOUT_S, *, stop_on_miss: bool = False) -> Drive:
    """Start the demo run, kill it at each point in turn (the first on ``run``, later ones on
    the resume that follows), and let the last process run to its end. A point may be a
    function of the store's last seq when its process starts. A kill before the run row
    existed leaves nothing to resume: a fresh ``run`` starts instead. With ``stop_on_miss``,
    a kill outside its exact window ends the scenario there (nothing is resumed)."""
    d = Drive()
    pending = list(points)
    argv, command = sc.run_argv(), "run"
    while True:
        att = start(sc, argv, command)
        d.attempts.append(att)
        if not pending:
            finish(att, timeout_s)
            break
        source = pending.pop(0)
        point = source if isinstance(source, KillPoint) else source(max_seq(sc.db))
        killed, hit = kill_at(att, point, sc, timeout_s)
        if not killed:
            d.missed.append(point)
            d.missed.extend(p for p in pending if isinstance(p, KillPoint))
            if att.ended == 0.0:
                finish(att, timeout_s)
            break
        run_id = run_id_of(sc.db)
        d.kills.append(Kill(point, command, max_seq(sc.db), att.seconds, run_id is None,
                            leftover_files(sc) + leftover_processes(sc), hit,
                            git_locks(sc.repo)))
        if stop_on_miss and not hit:
            break
        if run_id is None:
            argv, command = sc.run_argv(), "run"
        else:
            argv, command = sc.resume_argv(run_id), "resume"
    d.run_id = run_id_of(sc.db)
    return d


# the reference and the checks ---------------------------------------------------------------
@dataclass
class Reference:
    status: str
    tree: str
    commits: int
    events: list[Event]
    wall_s: float
    evidence: dict[str, object] | None = None

    @property
    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def seq_of(self, kind: str, *, role: str | None = None, nth: int = 1,
               **payload: object) -> int:
        """The seq of the ``nth`` event of ``kind`` (and role, and payload values)."""
        found = [e.seq for e in self.events if e.kind == kind
                 and (role is None or e.role == role)
                 and all(e.payload.get(k) == v for k, v in payload.items())]
        if len(found) < nth:
            raise LookupError(f"no event #{nth} {kind} {role or ''} {payload} in the reference")
        return found[nth - 1]


def lock_windows(ref: Reference) -> list[int]:
    """Seqs of the reference during which the engine writes a ref or an index in the user's
    repository: creating the branch and refs (run row, no event yet), each worktree snapshot
    (before the agent message that names it), the commit."""
    seqs = [0] + [e.seq - 1 for e in ref.events
                  if e.kind == "agent_message" and e.payload.get("snapshot")]
    seqs += [e.seq for e in ref.events
             if e.kind == "phase_changed" and e.payload.get("phase") == "commit"]
    return seqs


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    count: int | None = None  # what was counted (commits, run_finished, evidence events)

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}" + (f": {self.detail}"
                                                                 if self.detail else "")


CHECKS = ("status", "tree", "same_evidence", "one_commit", "one_run_finished",
          "evidence_at_most_once",
          "seq_contiguous", "integrity", "user_repo_unchanged", "no_leftover_process",
          "no_leftover_home")


def _branch_facts(sc: Scenario, run_id: str) -> tuple[str, int, str]:
    """(tree of the run branch tip, commits beyond the base, problem) for the run branch."""
    repo = pygit2.Repository(str(sc.repo))
    ref = repo.branches.local.get(f"workbench/{run_id}")
    if ref is None:
        return "", 0, "no run branch"
    tip = ref.peel(pygit2.Commit)
    base = pygit2.Oid(hex=sc.before.head)
    if tip.id != base and not repo.descendant_of(tip.id, base):
        return str(tip.tree_id), 0, "the branch tip does not descend from the base"
    walker = repo.walk(tip.id, SortMode.TOPOLOGICAL)
    walker.hide(base)
    return str(tip.tree_id), sum(1 for _ in walker), ""


def _reported_status(att: Attempt) -> str:
    """The status the last process printed (JSON), or the one a refusal named."""
    try:
        return str(json.loads(att.stdout())["status"])
    except (ValueError, KeyError, TypeError):
        found = _ALREADY_FINISHED.search(att.stderr())
        return found[1] if found else ""


def _proc_text(pid: str, name: str) -> str:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def leftover_processes(sc: Scenario) -> list[str]:
    """Live processes that name the scenario's worktrees or its sandbox HOME folders (in
    their command line, environment or working directory)."""
    marks = (str(sc.worktrees), str(sc.tmp / HOME_PREFIX))
    mine = {str(os.getpid())}
    out = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit() and p not in mine):
        status = _proc_text(pid, "status")
        if not status or "State:\tZ" in status:
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        cmd = _proc_text(pid, "cmdline")
        if any(m in cmd or m in _proc_text(pid, "environ") or cwd.startswith(m)
               for m in marks):
            out.append(f"pid {pid}: {cmd[:100]}")
    return out


def _alive(pid: int, start_ticks: int) -> bool:
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    rest = raw[raw.rindex(b")") + 2:].split()
    return rest[0] != b"Z" and int(rest[19]) == start_ticks


def leftover_files(sc: Scenario) -> list[str]:
    """Sandbox HOME folders and registry notes in the scenario's temp dir whose engine is dead."""
    out = []
    for entry in sorted(sc.tmp.iterdir()):
        m = _HOME_RE.match(entry.name)
        if m and not _alive(int(m[1]), int(m[2])):
            out.append(entry.name)
    for note in sorted(sc.tmp.glob("workbench-sandbox-*/*.json")):
        out.append(f"{note.parent.name}/{note.name}")
    return out


def check(sc: Scenario, ref: Reference, d: Drive) -> list[Check]:
    run_id = d.run_id
    if run_id is None:
        return [Check(name, False, "no run in the store") for name in CHECKS]
    events = events_of(sc.db, run_id)
    finished = [e for e in events if e.kind == "run_finished"]
    evidence = [e for e in events if e.kind == "artifact" and e.payload.get("type") == "evidence"]
    row = run_row(sc.db, run_id)
    last = d.last
    reported = _reported_status(last)
    ended = str(finished[-1].payload.get("status")) if finished else ""
    status_detail = (f"reported {reported or '-'} (exit {last.rc}"
                     f"{', timed out' if last.timed_out else ''}), events {ended or '-'}, "
                     f"runs row {row.get('status')}")
    if not reported:
        status_detail += f"; stderr: {last.stderr().strip()[-300:]}"
    tree, commits, problem = _branch_facts(sc, run_id)
    seqs = [e.seq for e in events]
    gaps = [s for s in range(1, len(seqs) + 1) if s not in set(seqs)]
    repo_diff = sc.before.differences(repo_state(sc.repo))
    procs = leftover_processes(sc)
    files = leftover_files(sc)
    result = integrity(sc.db)
    evidence_diff = evidence_differences(evidence_bundle(sc.db, events), ref.evidence)
    return [
        Check("status", reported == ended == row.get("status") == ref.status, status_detail),
        Check("tree", tree == ref.tree and not problem,
              problem or f"tip tree {tree[:12]}, reference {ref.tree[:12]}"),
        Check("same_evidence", not evidence_diff, "; ".join(evidence_diff[:6])),
        Check("one_commit", commits == ref.commits == 1 and not problem,
              problem or f"{commits} commit(s) beyond the base", commits),
        Check("one_run_finished", len(finished) == 1,
              f"{len(finished)} run_finished at seq {[e.seq for e in finished]}", len(finished)),
        Check("evidence_at_most_once", len(evidence) <= 1,
              f"{len(evidence)} evidence at seq {[e.seq for e in evidence]}", len(evidence)),
        Check("seq_contiguous", seqs == list(range(1, len(seqs) + 1)),
              f"{len(seqs)} events" + (f", missing {gaps[:10]}" if gaps else "")
              + ("" if seqs == sorted(set(seqs)) else ", out of order or repeated")),
        Check("integrity", result == "ok", result),
        Check("user_repo_unchanged", not repo_diff, "; ".join(repo_diff[:10])),
        Check("no_leftover_process", not procs, "; ".join(procs[:5])),
        Check("no_leftover_home", not files, ", ".join(files[:5])),
    ]


def reference(root: Path) -> Reference:
    """The uninterrupted demo run: what every resumed run must end as."""
    sc = Scenario.create(root)
    d = drive(sc)
    if d.run_id is None or d.last.rc != 0:
        raise RuntimeError(f"the reference run failed (exit {d.last.rc}): "
                           f"{d.last.stderr().strip()[-500:]}")
    events = events_of(sc.db, d.run_id)
    tree, commits, _problem = _branch_facts(sc, d.run_id)
    ref = Reference(_reported_status(d.last), tree, commits, events, d.last.seconds,
                    evidence_bundle(sc.db, events))
    failed = [c for c in check(sc, ref, d) if not c.ok]
    if failed:
        raise RuntimeError("the reference run fails its own checks: "
                           + "; ".join(str(c) for c in failed))
    return ref


def describe(sc: Scenario, d: Drive, checks: Sequence[Check]) -> str:
    """A failure report: the kills, the failed checks and the events around each kill."""
    lines = [f"scenario {sc.root}", f"run {d.run_id}"]
    lines += [f"kill: {k}" for k in d.kills]
    lines += [f"missed: {p}" for p in d.missed]
    lines += [str(c) for c in checks if not c.ok]
    if d.run_id is not None:
        events = events_of(sc.db, d.run_id)
        for k in d.kills:
            if not k.before_row:
                lines.append(f"events around seq {k.at_seq}:")
                lines.append(events_around(events, k.at_seq))
        lines.append("last events:")
        lines.append("\n".join(e.line() for e in events[-6:]))
    err = d.last.stderr().strip() if d.attempts else ""
    if err:
        lines.append(f"stderr of the last {d.last.command}: {err[-600:]}")
    return "\n".join(lines)
