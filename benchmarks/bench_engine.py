"""Benchmark the fast exact engine against plain SymPy and python-flint, in one run.

Usage::

    python benchmarks/bench_engine.py [--repeat N] [--quick] [--sympy-impl {methods,builtin}]

Cases (medians over ``--repeat`` runs, ratios against baselines run in the same process):

1. single channel 64×64, k=3, s=2, p=1 — flip-and-pad, Cᵀy and the equality check with
   (a) plain SymPy expressions, (b) python-flint's ``fmpz_mpoly``, (c) the engine.
   Targets: engine >= 300× faster than SymPy and >= 20× faster than flint.
2. the seed's shape example, 3→6 channels, 32×32, k=3, s=2, p=2 (152,352 terms):
   ``prove_fast`` with all four methods, in-process.  Target <= 0.3 s.
3. 16→16 channels, 64×64, k=4, s=2, p=1 (16.5 million terms): a whole Python process
   that imports symtconv, proves all four methods and prints the JSON proof.
   Targets <= 12 s wall time and <= 4 GiB peak memory.

The SymPy baseline is :mod:`symtconv.methods` (``flip_and_pad`` and ``transpose``) when it
is importable (``--sympy-impl methods``, the default); ``--sympy-impl builtin`` uses the
straightforward SymPy implementation written below instead (its Cᵀy accumulates a sparse
C entry by entry rather than multiplying SymPy matrices).  ``--quick`` runs a 24×24
first case once and skips the third.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from symtconv import Geometry
from symtconv import engine as E
from symtconv.tensors import input_symbols, weight_symbols

SEED_SHAPE = dict(
    input_size=(32, 32), kernel_size=3, stride=2, padding=2, in_channels=3, out_channels=6
)


def filled(shape: Any, value: Any) -> np.ndarray:
    """An object array of ``shape`` holding ``value`` (flint polynomials look like sequences)."""
    out = np.empty(shape, dtype=object)
    out.fill(value)
    return out


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --------------------------------------------------------------------------- #
# Straightforward implementations over any ring elements (SymPy or flint), 1 channel
# --------------------------------------------------------------------------- #


def flip_and_pad_plain(g: Geometry, y: np.ndarray, w: np.ndarray, zero: Any) -> np.ndarray:
    """Zero insertion, padding d(k-1)-p (negative = crop), flipped kernel, correlation."""
    axes = g.axes
    stretched = filled([(ax.i - 1) * ax.s + 1 for ax in axes], zero)
    stretched[tuple(slice(None, None, ax.s) for ax in axes)] = y
    padded_shape = [
        n + ax.pad_before + ax.pad_after for n, ax in zip(stretched.shape, axes, strict=True)
    ]
    padded = filled(padded_shape, zero)
    source, target = [], []
    for n, ax, size in zip(stretched.shape, axes, padded_shape, strict=True):
        start, stop = max(0, -ax.pad_before), min(n, size - ax.pad_before)
        source.append(slice(start, stop))
        target.append(slice(start + ax.pad_before, stop + ax.pad_before))
    padded[tuple(target)] = stretched[tuple(source)]
    flipped = w[(slice(None, None, -1),) * len(axes)]
    out = np.empty(g.output_size, dtype=object)
    for t in np.ndindex(*g.output_size):
        acc = zero
        for f in np.ndindex(*g.kernel_size):
            acc = (
                acc
                + padded[tuple(tt + ax.d * ff for tt, ff, ax in zip(t, f, axes, strict=True))]
                * flipped[f]
            )
        out[t] = acc
    return out


def transpose_plain(g: Geometry, y: np.ndarray, w: np.ndarray, zero: Any) -> np.ndarray:
    """Build C's nonzeros from the forward conv, then x[j] += C[n, j]·y[n]."""
    axes = g.axes
    entries = []  # (row n, column j, weight) of C
    for n in np.ndindex(*g.forward_output_size):
        for m in np.ndindex(*g.kernel_size):
            j = tuple(
                ax.s * nn + ax.d * mm - ax.p_begin for nn, mm, ax in zip(n, m, axes, strict=True)
            )
            if all(0 <= jj < ax.output for jj, ax in zip(j, axes, strict=True)):
                entries.append((n, j, w[m]))
    x = filled(g.output_size, zero)
    for n, j, weight in entries:
        x[j] = x[j] + weight * y[n]
    return x


def sympy_case(g: Geometry, impl: str) -> bool:
    y, w = input_symbols(g), weight_symbols(g)
    if impl == "methods":
        from symtconv import methods

        a = methods.flip_and_pad(g, y, w).result
        b = methods.transpose(g, y, w)
    else:
        a = flip_and_pad_plain(g, y[0], w[0, 0], sp.S.Zero)
        b = transpose_plain(g, y[0], w[0, 0], sp.S.Zero)
    return all(sp.expand(p - q) == 0 for p, q in zip(a.reshape(-1), b.reshape(-1), strict=True))


def flint_case(g: Geometry) -> bool:
    import flint

    names = [str(s) for s in input_symbols(g).reshape(-1)]
    names += [str(s) for s in weight_symbols(g).reshape(-1)]
    ctx = flint.fmpz_mpoly_ctx.get(names)
    gens = ctx.gens()
    y = np.empty(g.input_size, dtype=object)
    for number, index in enumerate(np.ndindex(*g.input_size)):
        y[index] = gens[number]
    w = np.empty(g.kernel_size, dtype=object)
    for number, index in enumerate(np.ndindex(*g.kernel_size)):
        w[index] = gens[y.size + number]
    zero = ctx.from_dict({})
    a = flip_and_pad_plain(g, y, w, zero)
    b = transpose_plain(g, y, w, zero)
    return all(p == q for p, q in zip(a.reshape(-1), b.reshape(-1), strict=True))


def engine_case(g: Geometry) -> bool:
    a = E.flip_and_pad_terms(g)
    b = E.transpose_terms(g)
    return bool(E.compare(a, b, method="flip_and_pad", reference="transpose").holds)


# --------------------------------------------------------------------------- #
# The large layer, in its own process
# --------------------------------------------------------------------------- #

#: The whole command a user runs for the large layer.
LARGE_COMMAND = [
    sys.executable, "-m", "symtconv", "prove", "--input", "64", "64", "--kernel", "4",
    "--stride", "2", "--padding", "1", "--in-channels", "16", "--out-channels", "16",
    "--engine", "fast", "--json",
]


def large_process() -> tuple[float, float, dict[str, Any]]:
    """Wall seconds, peak RSS in MiB and the JSON proof of one whole process."""
    command = list(LARGE_COMMAND)
    timer = shutil.which("time") if os.path.exists("/usr/bin/time") else None
    if timer:
        command = ["/usr/bin/time", "-v", *command]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    if timer:
        kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
    else:  # the largest child so far: fine, this is the largest
        import resource

        kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, kib / 1024, json.loads(done.stdout)


# --------------------------------------------------------------------------- #


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="small first case, no large case")
    parser.add_argument(
        "--sympy-impl",
        choices=["methods", "builtin"],
        default="methods",
        help="SymPy baseline: symtconv.methods (default, if importable) or the one here",
    )
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else max(args.repeat, 1)
    impl = args.sympy_impl
    if impl == "methods":
        try:
            import symtconv.methods  # noqa: F401
        except ImportError:
            impl = "builtin"

    n = 24 if args.quick else 64
    g = Geometry((n, n), 3, stride=2, padding=1)
    print(f"case 1: {g.describe()} — {g.count_terms()} terms; flip-and-pad, Cᵀy, equality")
    print(f"  SymPy baseline: {'symtconv.methods' if impl == 'methods' else 'builtin'}")
    sympy_s, sympy_ok = median_time(lambda: sympy_case(g, impl), repeat)
    print(f"  sympy  {sympy_s:.3f} s", flush=True)
    flint_s, flint_ok = median_time(lambda: flint_case(g), repeat)
    print(f"  flint  {flint_s:.3f} s", flush=True)
    engine_case(g)  # warm-up
    engine_s, engine_ok = median_time(lambda: engine_case(g), max(repeat, 5))
    print(f"  engine {engine_s:.4f} s", flush=True)
    assert sympy_ok and flint_ok and engine_ok

    seed = Geometry(**SEED_SHAPE)
    E.prove_fast(seed, progress=False)  # warm-up
    seed_s, seed_proof = median_time(lambda: E.prove_fast(seed, progress=False), max(repeat, 5))
    assert seed_proof.proved and seed_proof.terms == 152_352

    large = None
    if not args.quick:
        runs = [large_process() for _ in range(repeat)]
        assert all(r[2]["proved"] for r in runs)
        large = (
            statistics.median(r[0] for r in runs),
            max(r[1] for r in runs),
            statistics.median(r[2]["seconds"] for r in runs),
            runs[0][2]["terms"],
        )

    rows = [
        ("| case | implementation | median | ratio (baseline / engine) | target |"),
        ("|---|---|---:|---:|---|"),
        f"| {n}×{n}, k=3, s=2, p=1 (1 ch) | plain SymPy ({impl}) | {sympy_s:.3f} s | "
        f"{sympy_s / engine_s:,.0f}× | ≥ 300× |",
        f"| {n}×{n}, k=3, s=2, p=1 (1 ch) | python-flint fmpz_mpoly | {flint_s:.3f} s | "
        f"{flint_s / engine_s:,.0f}× | ≥ 20× |",
        f"| {n}×{n}, k=3, s=2, p=1 (1 ch) | engine | {engine_s * 1000:.2f} ms | 1× | |",
        f"| seed shape 3→6, 32×32, k=3, s=2, p=2 ({seed_proof.terms:,} terms) | "
        f"engine, prove_fast (4 methods) | {seed_s * 1000:.1f} ms | | ≤ 0.3 s |",
    ]
    if large is not None:
        wall, mib, inside, count = large
        rows.append(
            f"| 16→16, 64×64, k=4, s=2, p=1 ({count:,} terms) | whole process, prove_fast "
            f"(4 methods) + JSON | {wall:.2f} s (in-process {inside:.2f} s), peak "
            f"{mib:,.0f} MiB | | ≤ 12 s, ≤ 4 GiB |"
        )
    print()
    print(f"medians over {repeat} run(s) (engine and seed case: over {max(repeat, 5)})")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
