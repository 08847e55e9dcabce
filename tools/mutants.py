"""The mutation run: plant each known bug in a copy of the repository and run its tests.

Explanation
===========

Every verdict symtconv prints rests on checks that must be able to fail.  This tool
keeps that true: ``tools/mutants.toml`` lists planted bugs (mutants), each an exact
snippet of one file, its wrong replacement and the tests that must catch it.  For each
mutant the tool copies the tracked files (``git ls-files``, as they are in the working
tree: ``git add`` a new test file first) to a temporary directory, applies the
replacement there, and runs ``python -m pytest -x -q`` on the mutant's tests with
``PYTHONPATH`` set to the copy.

A mutant is *killed* when its tests fail, *SURVIVED* when they pass (a hole in the
tests), *timeout* when they run past ``--timeout`` seconds.  Before the mutants, the
same tests run once on an unchanged copy: if they fail there, a "kill" would mean
nothing, and the run stops.  The exit status is 0 only when every mutant was killed.

Usage::

    python tools/mutants.py                 # every mutant, one at a time
    python tools/mutants.py -j 2            # two at a time
    python tools/mutants.py --only scatter-groups matrix-groups
    python tools/mutants.py --list          # ids, files and the bug each stands for
    python tools/mutants.py --check         # only: every snippet occurs exactly once

The repository's own code is never modified; hypothesis runs with a fixed seed
(``--seed``) so a run is reproducible, and without shrinking (``tools/mutant_profile.py``):
a kill needs a failing example, not the smallest one.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = Path(__file__).resolve().parent / "mutants.toml"
FIELDS = ("id", "file", "original", "replacement", "tests", "why")


class MutantError(Exception):
    """A mutant list that cannot be run as written (stale snippet, bad entry)."""


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: str  # "killed", "SURVIVED", "timeout", "error"
    detail: str
    seconds: float


def load(path: Path = MUTANTS) -> list[Mutant]:
    """The mutants of ``path``, each entry checked for its fields and a unique id."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MutantError(f"cannot read the mutant list {path}: {error}") from None
    mutants, seen = [], set()
    for number, entry in enumerate(data.get("mutant", []), start=1):
        missing = [f for f in FIELDS if f not in entry]
        unknown = sorted(set(entry) - set(FIELDS))
        if missing or unknown:
            raise MutantError(
                f"mutant #{number} ({entry.get('id', '?')}) in {path.name}: "
                f"missing {missing}, unknown {unknown}; each needs {', '.join(FIELDS)}"
            )
        tests = entry["tests"]
        if not (isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests)):
            raise MutantError(f"mutant {entry['id']}: tests must be a non-empty list of strings")
        if entry["id"] in seen:
            raise MutantError(f"mutant id {entry['id']!r} appears twice in {path.name}")
        if entry["original"] == entry["replacement"]:
            raise MutantError(f"mutant {entry['id']}: the replacement equals the original")
        seen.add(entry["id"])
        mutants.append(Mutant(**{**entry, "tests": tuple(tests)}))
    if not mutants:
        raise MutantError(f"{path} lists no [[mutant]] entries")
    return mutants


def problems(mutants: list[Mutant], root: Path = ROOT) -> list[str]:
    """What keeps each mutant from running: a snippet not found exactly once, a missing
    file or test file.  Empty when all are runnable."""
    found = []
    for mutant in mutants:
        source = root / mutant.file
        if not source.is_file():
            found.append(f"{mutant.id}: file {mutant.file} does not exist")
            continue
        count = source.read_text(encoding="utf-8").count(mutant.original)
        if count != 1:
            found.append(
                f"{mutant.id}: the original snippet occurs {count} times in {mutant.file} "
                f"(must be exactly once): {mutant.original[:70]!r}"
            )
        for test in mutant.tests:
            if not (root / test.split("::")[0]).is_file():
                found.append(f"{mutant.id}: test file {test.split('::')[0]} does not exist")
    return found


def tracked_files(root: Path = ROOT) -> list[str]:
    try:
        listing = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"],
            check=True, capture_output=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise MutantError(f"the mutation run needs a git checkout: {error}") from None
    return [name for name in listing.split("\0") if name and (root / name).is_file()]


def copy_tree(files: list[str], target: Path, root: Path = ROOT) -> None:
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)


def run_tests(copy: Path, tests: tuple[str, ...], timeout: float, seed: int) -> tuple[str, str]:
    """``("passed" | "failed" | "timeout" | "error", detail)`` of pytest in ``copy``."""
    # the copy's code is the one imported; tools/ holds the plugin that skips shrinking
    path = os.pathsep.join([str(copy), str(copy / "tools")])
    env = {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
        "-p", "mutant_profile", f"--hypothesis-seed={seed}", *tests,
    ]
    try:
        done = subprocess.run(
            command, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout", f"no result after {timeout:g} s"
    output = done.stdout + done.stderr
    if done.returncode == 0:
        return "passed", _last_line(output)
    if done.returncode in (1, 2):  # tests failed / collection (import) error
        return "failed", _first_failure(output)
    return "error", f"pytest exit status {done.returncode}: {_last_line(output)}"


def _first_failure(output: str) -> str:
    match = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    return match.group(1) if match else _last_line(output)


def _last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def run_mutant(
    mutant: Mutant, files: list[str], timeout: float, seed: int, root: Path = ROOT
) -> Outcome:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"mutant-{mutant.id}-") as temp:
        copy = Path(temp)
        copy_tree(files, copy, root)
        target = copy / mutant.file
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace(mutant.original, mutant.replacement, 1), encoding="utf-8")
        result, detail = run_tests(copy, mutant.tests, timeout, seed)
    status = {"failed": "killed", "passed": "SURVIVED"}.get(result, result)
    return Outcome(mutant, status, detail, time.perf_counter() - start)


def baseline(mutants: list[Mutant], files: list[str], timeout: float, seed: int) -> str | None:
    """Run every mutant's tests once on an unchanged copy; the failure, or None."""
    tests = tuple(dict.fromkeys(t for m in mutants for t in m.tests))
    with tempfile.TemporaryDirectory(prefix="mutant-baseline-") as temp:
        copy_tree(files, Path(temp))
        result, detail = run_tests(Path(temp), tests, timeout * 4, seed)
    return None if result == "passed" else f"{result}: {detail}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python tools/mutants.py",
        description="Plant each bug of tools/mutants.toml in a copy of the repository and "
        "check that its tests catch it. Exit status 0 only when every mutant is killed.",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument(
        "--check", action="store_true",
        help="only check that every snippet occurs exactly once (fast; run by the tests)",
    )
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, metavar="N",
        help="mutants run at the same time (default 1; each runs one pytest process)",
    )
    parser.add_argument(
        "--timeout", type=float, default=300, metavar="SECONDS",
        help="per mutant; a mutant still running then counts as 'timeout' (default 300)",
    )
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument(
        "--no-baseline", action="store_true",
        help="skip the run of the tests on the unchanged code (done first by default)",
    )
    parser.add_argument(
        "--mutants", type=Path, default=MUTANTS, metavar="FILE",
        help=f"the mutant list (default {MUTANTS.relative_to(ROOT)})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.jobs < 1:
        print(f"mutants: error: -j must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    try:
        mutants = load(args.mutants)
        if args.only:
            unknown = sorted(set(args.only) - {m.id for m in mutants})
            if unknown:
                print(f"mutants: error: --only names unknown mutants: {', '.join(unknown)} "
                      "(see --list)", file=sys.stderr)
                return 2
            mutants = [m for m in mutants if m.id in args.only]
        if args.list:
            for m in mutants:
                print(f"{m.id:38} {m.file:22} {m.why}")
            return 0
        found = problems(mutants)
        if found:
            print("mutants: stale mutant list:", *found, sep="\n  ", file=sys.stderr)
            return 1
        if args.check:
            print(f"mutants: all {len(mutants)} snippets occur exactly once")
            return 0
        files = tracked_files()
    except MutantError as error:
        print(f"mutants: error: {error}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    if not args.no_baseline:
        failure = baseline(mutants, files, args.timeout, args.seed)
        if failure:
            print(f"mutants: the tests fail on the unchanged code ({failure}); "
                  "fix that first: a kill would mean nothing", file=sys.stderr)
            return 1
        print(f"baseline: the mutants' tests pass on the unchanged code "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
    outcomes = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = [pool.submit(run_mutant, m, files, args.timeout, args.seed) for m in mutants]
        for job in jobs:
            outcome = job.result()
            outcomes.append(outcome)
            print(f"{outcome.status:8} {outcome.mutant.id:38} {outcome.seconds:5.1f} s  "
                  f"{outcome.detail}", flush=True)
    killed = sum(o.status == "killed" for o in outcomes)
    print(f"killed {killed}/{len(outcomes)} in {time.perf_counter() - start:.0f} s")
    for o in outcomes:
        if o.status != "killed":
            print(f"  {o.status}: {o.mutant.id} ({o.mutant.file}): {o.mutant.why}")
    return 0 if killed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
