"""Time symtconv.numeric.conv_transpose against PyTorch's CPU float64 conv_transpose.

Usage::

    python benchmarks/bench_numeric.py [--repeat N] [--json]

Both run in this one process on the same float64 arrays.  Each repeat times symtconv
and then torch, so a change of machine load hits both; the table reports the median
of each and their ratio (symtconv / torch; below 1 means symtconv is faster).  Before
timing, each case checks that the two results agree.

Threads: symtconv's matrix product runs in NumPy's BLAS (OpenBLAS in the NumPy
wheels).  The script reads OpenBLAS's thread count from the library (falling back to
``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``/the CPU count) and calls
``torch.set_num_threads`` with the same number, so both GEMMs use the same cores.
NumPy's element-wise work (the col2im slice-adds) is single-threaded.

``--threads N`` sets both thread counts instead (NumPy's through OpenBLAS's
``openblas_set_num_threads``, for this process only).  On a machine that other work
keeps busy, OpenBLAS threads that wait for a busy core slow NumPy's GEMM far more
than torch's; ``--threads 1`` then gives a steadier comparison.

``OPENBLAS_CORETYPE``, when set, forces OpenBLAS's kernels (it can make NumPy
slower); the script reports it and the kernel OpenBLAS uses, and never changes it.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from symtconv.numeric import conv_transpose


@dataclass(frozen=True)
class Case:
    name: str
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    stride: int
    padding: int


CASES = [
    Case("2-D N=8, 64→32 ch, 32×32, k=4, s=2, p=1", (8, 64, 32, 32), (64, 32, 4, 4), 2, 1),
    Case("1-D N=8, 64→32 ch, 1024, k=8, s=4, p=2", (8, 64, 1024), (64, 32, 8), 4, 2),
    Case("3-D N=2, 32→16 ch, 16³, k=4, s=2, p=1", (2, 32, 16, 16, 16), (32, 16, 4, 4, 4), 2, 1),
]


def _openblas() -> ctypes.CDLL | None:
    """NumPy's bundled OpenBLAS, if it can be found (it is already loaded)."""
    libs_dir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs_dir, "*openblas*"))):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _call(lib: ctypes.CDLL | None, names: list[str], restype: Any) -> Any:
    for name in names:
        function = getattr(lib, name, None) if lib is not None else None
        if function is not None:
            function.restype = restype
            return function()
    return None


def set_numpy_threads(threads: int) -> bool:
    """Set the thread count of NumPy's OpenBLAS; False if it cannot be found."""
    lib = _openblas()
    for name in (
        "scipy_openblas_set_num_threads64_",
        "openblas_set_num_threads64_",
        "openblas_set_num_threads",
    ):
        function = getattr(lib, name, None) if lib is not None else None
        if function is not None:
            function(ctypes.c_int(threads))
            return True
    return False


def numpy_blas_info() -> dict[str, Any]:
    """NumPy's BLAS thread count and kernel, as far as they can be read."""
    lib = _openblas()
    threads = _call(
        lib,
        [
            "scipy_openblas_get_num_threads64_",
            "openblas_get_num_threads64_",
            "openblas_get_num_threads",
        ],
        ctypes.c_int,
    )
    source = "OpenBLAS"
    if threads is None:
        source = "environment"
        env = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
        threads = int(env) if env else os.cpu_count() or 1
    core = _call(
        lib,
        ["scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"],
        ctypes.c_char_p,
    )
    return {
        "threads": int(threads),
        "threads_from": source,
        "openblas_core": core.decode() if core else None,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }


def _timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run_case(case: Case, repeat: int, torch: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    y = rng.standard_normal(case.input_shape)
    w = rng.standard_normal(case.weight_shape)
    ty, tw = torch.from_numpy(y), torch.from_numpy(w)
    functional = getattr(torch.nn.functional, f"conv_transpose{w.ndim - 2}d")

    def ours() -> np.ndarray:
        return conv_transpose(y, w, stride=case.stride, padding=case.padding)

    def theirs() -> Any:
        return functional(ty, tw, stride=case.stride, padding=case.padding)

    ours_result, theirs_result = ours(), theirs().numpy()  # also the warm-up
    if ours_result.shape != theirs_result.shape or not np.allclose(ours_result, theirs_result):
        raise SystemExit(f"{case.name}: symtconv and torch disagree")
    ours_times, theirs_times = [], []
    for _ in range(repeat):
        ours_times.append(_timed(ours))
        theirs_times.append(_timed(theirs))
    ours_median = statistics.median(ours_times)
    theirs_median = statistics.median(theirs_times)
    return {
        "case": case.name,
        "output_shape": list(ours_result.shape),
        "symtconv_median_s": ours_median,
        "torch_median_s": theirs_median,
        "ratio": ours_median / theirs_median,
        "max_abs_difference": float(np.max(np.abs(ours_result - theirs_result))),
    }


def markdown(results: list[dict[str, Any]], info: dict[str, Any]) -> str:
    lines = [
        f"NumPy {np.__version__}, torch {info['torch']}; threads: {info['threads']} "
        f"(numpy BLAS, read from {info['threads_from']}; torch.set_num_threads matches); "
        f"OpenBLAS kernel {info['openblas_core']}; "
        f"OPENBLAS_CORETYPE={info['OPENBLAS_CORETYPE'] or '(unset)'}; "
        f"median of {info['repeat']} repeats, float64",
        "",
        "| case | symtconv median | torch median | ratio |",
        "|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['symtconv_median_s'] * 1e3:.1f} ms "
            f"| {r['torch_median_s'] * 1e3:.1f} ms | {r['ratio']:.2f}× |"
        )
    return "\n".join(lines)


def compare_with_torch(
    argv: list[str] | None,
    description: str,
    default_repeat: int,
    run_case: Callable[[Case, int, Any], dict[str, Any]],
    markdown: Callable[[list[dict[str, Any]], dict[str, Any]], str],
) -> int:
    """The command line every benchmark against torch shares: ``--repeat``, ``--json``,
    ``--threads``; runs ``run_case`` on each of :data:`CASES` and prints the table."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=default_repeat,
                        help=f"timed runs per case (default {default_repeat})")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--threads", type=int, help="thread count for both (default: NumPy's BLAS count)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    try:
        import torch
    except ImportError:
        print("this benchmark needs PyTorch: pip install 'symtconv[torch]'", file=sys.stderr)
        return 2
    if args.threads is not None and not set_numpy_threads(args.threads):
        print("cannot set NumPy's BLAS thread count (OpenBLAS not found)", file=sys.stderr)
        return 2
    info = numpy_blas_info()
    torch.set_num_threads(info["threads"])
    info.update(torch=torch.__version__, repeat=args.repeat)
    results = [run_case(case, args.repeat, torch) for case in CASES]
    if args.json:
        print(json.dumps({"environment": info, "results": results}, indent=2))
    else:
        print(markdown(results, info))
    return 0


def main(argv: list[str] | None = None) -> int:
    return compare_with_torch(argv, __doc__.splitlines()[0], 15, run_case, markdown)


if __name__ == "__main__":
    raise SystemExit(main())
