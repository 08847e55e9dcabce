"""Time ``symtconv check`` on a correct implementation, 100 examples.

Usage::

    python benchmarks/bench_check.py [--repeat N] [--examples N] [--json]

Rows, each the median of ``--repeat`` runs, all in this one process run:

- ``symtconv check symtconv.numeric:conv_transpose --max-examples 100 --seed 0`` as a whole
  new process (interpreter start, imports, the child process, hypothesis) — the target is
  under 10 s;
- ``verify("symtconv.numeric:conv_transpose")``: the same run from this process (a new
  interpreter imports the target in the child);
- ``verify(conv_transpose)``: the callable, forked into the child;
- ``verify(conv_transpose, isolate=False)``: the same examples called in this process, the
  baseline of the ratios (what isolation costs).

Each run uses the same seed, so every row draws the same examples.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from symtconv.numeric import conv_transpose
from symtconv.verification import verify

ROOT = Path(__file__).resolve().parents[1]
TARGET = "symtconv.numeric:conv_transpose"


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cli(examples: int) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run(
        [sys.executable, "-m", "symtconv", "check", TARGET, "--max-examples", str(examples),
         "--seed", "0", "--json"], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or json.loads(done.stdout)["examples"] != examples:
        raise SystemExit(f"check did not pass {examples} examples: {done.stdout}{done.stderr}")


def _verify(target: object, examples: int, **options: object) -> Callable[[], None]:
    def run() -> None:
        report = verify(target, max_examples=examples, seed=0, **options)  # type: ignore[arg-type]
        if not report or report.examples != examples:
            raise SystemExit(f"verify did not pass {examples} examples: {report}")

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n = args.examples
    rows = [
        (f"symtconv check {TARGET} --max-examples {n} (whole process)",
         _median(lambda: _cli(n), args.repeat)),
        (f'verify("{TARGET}"): a new interpreter imports it',
         _median(_verify(TARGET, n), args.repeat)),
        ("verify(conv_transpose): forked child", _median(_verify(conv_transpose, n), args.repeat)),
        ("verify(conv_transpose, isolate=False): in-process baseline",
         _median(_verify(conv_transpose, n, isolate=False), args.repeat)),
    ]
    baseline = rows[-1][1]
    if args.json:
        print(json.dumps([{"case": name, "median_s": round(t, 3), "ratio": round(t / baseline, 2)}
                          for name, t in rows], indent=2))
        return
    print(f"| case ({n} examples, median of {args.repeat}) | median | ratio to in-process |")
    print("|---|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.2f} s | {t / baseline:.2f}× |")


if __name__ == "__main__":
    main()
