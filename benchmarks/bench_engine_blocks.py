"""Benchmark the fast engine in blocks: time and peak memory of whole proofs, each in its
own process, with the ratio against a baseline run in the same benchmark process.

Usage::

    python benchmarks/bench_engine_blocks.py [--repeat N] [--quick]

Cases (medians over ``--repeat`` runs of a whole Python process; peak memory is the
largest resident set of those runs, from ``/usr/bin/time -v`` or ``getrusage``):

1. 16→16 channels, 64×64, k=4, s=2, p=1 (16.5 million terms), blocked (the default)
   against the same layer proved unblocked — every method given as a callable without a
   ``block`` parameter, so the whole layer is one term set (the engine before blocks).
   Targets: blocked time <= 1.2× unblocked, blocked peak <= the unblocked peak.
2. 64→64 channels, 22×22, k=7 (97 million terms: too large to prove unblocked within
   2 GiB), blocked; the ratio is its time per term against case 1's.  Target: peak <= 2 GiB.
3. one channel, 2000×2000, k=3, s=2 (36 million terms, 16 million outputs): one channel
   is too large for a block, so it is cut into tiles.  Target: peak <= 2 GiB.

Each row also shows the engine's own estimate of the peak
(:func:`symtconv.engine.estimate`).  ``--quick`` runs case 1 once and skips case 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

from symtconv import Geometry
from symtconv.engine import estimate

#: name -> geometry keyword arguments
LAYERS: dict[str, dict[str, Any]] = {
    "16->16, 64x64, k=4, s=2, p=1": dict(
        input_size=(64, 64), kernel_size=4, stride=2, padding=1, in_channels=16, out_channels=16
    ),
    "64->64, 22x22, k=7": dict(input_size=(22, 22), kernel_size=7, in_channels=64, out_channels=64),
    "1 channel, 2000x2000, k=3, s=2": dict(input_size=(2000, 2000), kernel_size=3, stride=2),
}

#: The proof, in a child process; prints the JSON of the proof.  ``unblocked`` gives every
#: method as a callable without a ``block`` parameter (one term set per method).
CHILD = """
import json, sys
from symtconv import Geometry
from symtconv.engine import METHOD_TERMS, prove_fast, WHOLE_LAYER_TERMS
from symtconv.engine import comparison
kwargs, unblocked = json.loads(sys.argv[1]), sys.argv[2] == "unblocked"
g = Geometry(**kwargs)
methods = None
if unblocked:
    comparison.WHOLE_LAYER_TERMS = 10**9
    methods = {name: (lambda g, f=f: f(g)) for name, f in METHOD_TERMS.items()}
proof = prove_fast(g, methods=methods, progress=False)
print(json.dumps(proof.to_dict()))
"""


def run_child(kwargs: dict[str, Any], mode: str) -> tuple[float, float, dict[str, Any]]:
    """Wall seconds, peak RSS in MiB and the JSON proof of one whole process."""
    command = [sys.executable, "-c", CHILD, json.dumps(kwargs), mode]
    timer = os.path.exists("/usr/bin/time")
    if timer:
        command = ["/usr/bin/time", "-v", *command]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    if timer:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        assert match is not None, done.stderr
        kib = int(match[1])
    else:  # the largest child so far
        import resource

        kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, kib / 1024, json.loads(done.stdout)


def measure(name: str, mode: str, repeat: int) -> dict[str, Any]:
    kwargs = LAYERS[name]
    runs = [run_child(kwargs, mode) for _ in range(repeat)]
    assert all(r[2]["proved"] for r in runs), runs[0][2]
    result = {
        "name": name,
        "mode": mode,
        "wall": statistics.median(r[0] for r in runs),
        "peak_mib": max(r[1] for r in runs),
        "inside": statistics.median(r[2]["seconds"] for r in runs),
        "terms": runs[0][2]["terms"],
        "estimate_mib": estimate(Geometry(**kwargs)).peak_bytes / 2**20,
        "blocks": estimate(Geometry(**kwargs)).blocks,
    }
    print(
        f"  {name} ({mode}): {result['wall']:.2f} s wall, {result['inside']:.2f} s in "
        f"prove_fast, peak {result['peak_mib']:,.0f} MiB",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="processes per case (median)")
    parser.add_argument("--quick", action="store_true", help="one run, no 97M-term layer")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else max(args.repeat, 1)
    names = list(LAYERS)
    small, large, tiled = names
    print(f"load before: {os.getloadavg()[0]:.2f}")

    blocked = measure(small, "blocked", repeat)
    unblocked = measure(small, "unblocked", repeat)
    rows = [
        "| layer | engine | blocks | median wall (in prove_fast) | peak RSS | estimated peak "
        "| ratio | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]

    def row(r: dict[str, Any], ratio: str, target: str) -> str:
        return (
            f"| {r['name']} ({r['terms']:,} terms) | {r['mode']} | "
            f"{r['blocks'] if r['mode'] == 'blocked' else 1} | {r['wall']:.2f} s "
            f"({r['inside']:.2f} s) | {r['peak_mib']:,.0f} MiB | "
            f"{'—' if r['mode'] == 'unblocked' else format(r['estimate_mib'], ',.0f') + ' MiB'} "
            f"| {ratio} | {target} |"
        )

    rows.append(row(unblocked, "1×", ""))
    rows.append(
        row(
            blocked,
            f"{blocked['inside'] / unblocked['inside']:.2f}× time, "
            f"{blocked['peak_mib'] / unblocked['peak_mib']:.2f}× memory",
            "≤ 1.2× time, ≤ 1× memory",
        )
    )
    for name, skip in ((large, args.quick), (tiled, False)):
        if skip:
            continue
        r = measure(name, "blocked", repeat)
        per_term = (r["inside"] / r["terms"]) / (blocked["inside"] / blocked["terms"])
        rows.append(row(r, f"{per_term:.2f}× time per term (vs row 2)", "peak ≤ 2 GiB"))
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print()
    print(f"medians over {repeat} process(es)")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
