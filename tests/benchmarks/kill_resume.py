"""Kill the demo run with SIGKILL at many random points, resume each, and compare every
outcome with an uninterrupted run.

    .venv/bin/python tests/benchmarks/kill_resume.py [--kills 100] [--seed S]

Half the kill points are event seqs (kill as soon as the store holds that event), half are
times (a random delay up to the reference run's wall time). With ``--exact``, a share of the
seq points lands while that event is the store's last one, and some while the engine holds
a git lock file (the engine is stepped with SIGSTOP/SIGCONT to get there). A share of the
scenarios kill the resume as well, so a run is resumed after two crashes. Every scenario gets
a fresh demo repository and a fresh store. Exit code 0 only when every scenario ends as the
reference. Not collected by pytest (the name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.crash_harness import (  # noqa: E402
    Check,
    Drive,
    KillPoint,
    PointSource,
    Reference,
    Scenario,
    check,
    describe,
    drive,
    events_of,
    lock_windows,
    reference,
)


@dataclass
class Outcome:
    number: int
    drive: Drive
    checks: list[Check]
    phases: list[str] = field(default_factory=list)  # the run's phase at each kill
    report: str = ""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failed(self, name: str) -> bool:
        return any(c.name == name and not c.ok for c in self.checks)


def pick_point(rng: random.Random, ref: Reference, exact: float) -> KillPoint:
    if rng.random() < 0.5:
        return KillPoint(delay_s=rng.uniform(0.0, ref.wall_s))
    if rng.random() < exact:
        if rng.random() < 1 / 3:  # while the engine writes a ref or an index
            return KillPoint(seq=rng.choice(lock_windows(ref)), exact=True, git_lock=True)
        return KillPoint(seq=rng.randint(1, len(ref.events)), exact=True)
    return KillPoint(seq=rng.randint(1, len(ref.events)))


def pick_resume_point(rng: random.Random, ref: Reference) -> PointSource:
    """A kill of the resume. By seq: some of the events still to come (the resume writes at
    least as many as the reference has after the store's last seq)."""
    if rng.random() < 0.5:
        return KillPoint(delay_s=rng.uniform(0.0, ref.wall_s))
    ahead = rng.random()
    return lambda last: KillPoint(more=max(1, round(ahead * (len(ref.events) - last))))


def phase_at(sc: Scenario, d: Drive, seq: int, before_row: bool) -> str:
    if before_row or d.run_id is None:
        return "before the run row"
    phase = "start-up" if seq == 0 else "requirements"
    for e in events_of(sc.db, d.run_id):
        if e.seq > seq:
            break
        if e.kind == "phase_changed":
            phase = str(e.payload.get("phase"))
        elif e.kind == "run_finished":
            phase = "finished"
    return phase


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=100, help="kills to make (default 100)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    ap.add_argument("--double", type=float, default=0.25,
                    help="share of scenarios whose resume is killed too (default 0.25)")
    ap.add_argument("--exact", type=float, default=0.0,
                    help="share of seq points that are exact: the kill lands while that event "
                         "is the last one (a third of them while a git lock is held); default 0")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where scenarios go (default: a new temp dir; failed ones are kept)")
    ap.add_argument("--keep", action="store_true", help="keep every scenario's folder")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kill-resume-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"seed {seed}, scenarios in {work}", flush=True)

    started = time.monotonic()
    ref = reference(work / "reference")
    print(f"reference: {ref.status}, tree {ref.tree[:12]}, {ref.commits} commit, "
          f"{len(ref.events)} events, {ref.wall_s:.2f} s", flush=True)

    outcomes: list[Outcome] = []
    kills = 0
    while kills < args.kills:
        n = len(outcomes) + 1
        points: list[PointSource] = [pick_point(rng, ref, args.exact)]
        if args.kills - kills >= 2 and rng.random() < args.double:
            points.append(pick_resume_point(rng, ref))
        sc = Scenario.create(work / f"s{n:03d}")
        d = drive(sc, points)
        checks = check(sc, ref, d)
        out = Outcome(n, d, checks,
                      [phase_at(sc, d, k.at_seq, k.before_row) for k in d.kills])
        kills += len(d.kills)
        if not out.ok:
            out.report = describe(sc, d, checks)
        outcomes.append(out)
        resume = d.resume_seconds
        print(f"#{n:03d} {'ok  ' if out.ok else 'FAIL'} "
              + " | ".join(f"{k} [{p}]" for k, p in zip(d.kills, out.phases, strict=True))
              + (f" | missed {', '.join(map(str, d.missed))}" if d.missed else "")
              + (f" | resume {resume:.2f}s" if resume is not None else f" | ended by "
                 f"{d.last.command}")
              + ("" if out.ok else " | " + ", ".join(c.name for c in checks if not c.ok)),
              flush=True)
        if out.ok and not args.keep:
            shutil.rmtree(sc.root, ignore_errors=True)

    print_summary(outcomes, kills, time.monotonic() - started, seed, work)
    return 0 if all(o.ok for o in outcomes) and kills >= args.kills else 1


def print_summary(outcomes: list[Outcome], kills: int, seconds: float, seed: int,
                  work: Path) -> None:
    all_kills = [k for o in outcomes for k in o.drive.kills]
    resumes = [s for o in outcomes if (s := o.drive.resume_seconds) is not None]
    matched = sum(o.ok for o in outcomes)

    def count(name: str) -> int:
        return sum(o.failed(name) for o in outcomes)

    print()
    print(f"kills done:                  {kills} ({sum(k.command == 'run' for k in all_kills)} "
          f"of run, {sum(k.command == 'resume' for k in all_kills)} of a resume) in "
          f"{len(outcomes)} scenarios ({sum(len(o.drive.kills) > 1 for o in outcomes)} killed "
          f"twice)")
    print(f"  by seq / by time:          {sum(k.point.delay_s is None for k in all_kills)} / "
          f"{sum(k.point.delay_s is not None for k in all_kills)}")
    exact = [k for k in all_kills if k.point.exact or k.point.git_lock]
    if exact:
        print(f"  exact points:              {len(exact)}, inside their window "
              f"{sum(k.hit for k in exact)} (holding a git lock: "
              f"{sum(bool(k.locks) for k in exact)})")
    print(f"  kill points not reached:   {sum(len(o.drive.missed) for o in outcomes)} "
          "(the process ended first)")
    print(f"  before the run row:        {sum(k.before_row for k in all_kills)} "
          "(a fresh run was started)")
    phases = Counter(p for o in outcomes for p in o.phases)
    print("  phase at the kill:         "
          + ", ".join(f"{p} {c}" for p, c in sorted(phases.items(), key=lambda x: -x[1])))
    print(f"resumed to the reference:    {matched}/{len(outcomes)} scenarios")
    def more_than_one(name: str) -> int:
        return sum(any(c.name == name and (c.count or 0) > 1 for c in o.checks)
                   for o in outcomes)

    print(f"duplicates:                  extra commits {more_than_one('one_commit')}, "
          f"run_finished {more_than_one('one_run_finished')}, evidence "
          f"{more_than_one('evidence_at_most_once')}")
    no_commit = sum(any(c.name == "one_commit" and c.count == 0 for c in o.checks)
                    for o in outcomes)
    print(f"no commit on the run branch: {no_commit}")
    print(f"wrong status/tree/evidence:  {count('status')} / {count('tree')} / "
          f"{count('same_evidence')}")
    print(f"seq gaps:                    {count('seq_contiguous')}")
    print(f"corrupt stores:              {count('integrity')}")
    print(f"user tree changed:           {count('user_repo_unchanged')}")
    print(f"leftovers:                   processes {count('no_leftover_process')}, "
          f"HOME folders {count('no_leftover_home')}; kills that left sandbox leftovers "
          f"for the resume to clean: {sum(bool(k.left) for k in all_kills)}")
    if resumes:
        print(f"resume time (last resume):   mean {statistics.mean(resumes):.2f} s, "
              f"max {max(resumes):.2f} s over {len(resumes)} resumes")
    print(f"total time:                  {seconds:.0f} s (seed {seed})")
    failures = [o for o in outcomes if not o.ok]
    print(f"failures:                    {len(failures)}")
    for o in failures:
        names = ", ".join(f"{c.name} ({c.detail})" for c in o.checks if not c.ok)
        points = "; ".join(str(k) for k in o.drive.kills)
        print(f"  #{o.number:03d} {names} -- kill {points}")
    for o in failures:
        print(f"\n--- scenario #{o.number:03d} (kept in {work})\n{o.report}")


if __name__ == "__main__":
    sys.exit(main())
