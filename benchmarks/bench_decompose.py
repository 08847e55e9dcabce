"""Time the sub-pixel decomposition's ``apply`` against symtconv.numeric and PyTorch.

Usage::

    python benchmarks/bench_decompose.py [--repeat N] [--threads N] [--json]

The layers are those of ``bench_numeric.py`` (float64).  In one process, each repeat
times ``decompose(g).apply`` (the plan made once, outside the timing; the weight
rearranged inside, as a caller with a fresh weight would), then
``symtconv.numeric.conv_transpose``, then torch's ``conv_transpose*d``; the table
reports the medians and the ratios of ``apply`` to each (below 1: ``apply`` is faster),
with the multiply-adds of the decomposition and of flip-and-pad from the plan.  Before
timing, each case checks that the three results agree.  Thread handling is
``bench_numeric.py``'s.
"""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np
from bench_numeric import Case, _timed, compare_with_torch

from symtconv import Geometry
from symtconv.decomposition import decompose
from symtconv.numeric import conv_transpose


def run_case(case: Case, repeat: int, torch: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    y = rng.standard_normal(case.input_shape)
    w = rng.standard_normal(case.weight_shape)
    geometry = Geometry(
        case.input_shape[2:], case.weight_shape[2:], stride=case.stride, padding=case.padding,
        in_channels=case.weight_shape[0], out_channels=case.weight_shape[1],
    )
    plan = decompose(geometry)
    ty, tw = torch.from_numpy(y), torch.from_numpy(w)
    functional = getattr(torch.nn.functional, f"conv_transpose{w.ndim - 2}d")

    def ours() -> np.ndarray:
        return plan.apply(y, w)

    def numeric() -> np.ndarray:
        return conv_transpose(y, w, stride=case.stride, padding=case.padding)

    def theirs() -> Any:
        return functional(ty, tw, stride=case.stride, padding=case.padding)

    results = [ours(), numeric(), theirs().numpy()]  # also the warm-up
    for other in results[1:]:
        if results[0].shape != other.shape or not np.allclose(results[0], other):
            raise SystemExit(f"{case.name}: the decomposition disagrees")
    times: dict[str, list[float]] = {"apply": [], "numeric": [], "torch": []}
    for _ in range(repeat):
        times["apply"].append(_timed(ours))
        times["numeric"].append(_timed(numeric))
        times["torch"].append(_timed(theirs))
    medians = {name: statistics.median(values) for name, values in times.items()}
    macs = plan.macs()
    return {
        "case": case.name,
        "sub_kernel": list(plan.sub_kernel),
        "macs_decomposition": macs["decomposition"],
        "macs_flip_and_pad": macs["flip_and_pad"],
        **{f"{name}_median_s": value for name, value in medians.items()},
        "ratio_to_numeric": medians["apply"] / medians["numeric"],
        "ratio_to_torch": medians["apply"] / medians["torch"],
        "max_abs_difference": float(np.max(np.abs(results[0] - results[2]))),
    }


def markdown(results: list[dict[str, Any]], info: dict[str, Any]) -> str:
    lines = [
        f"NumPy {np.__version__}, torch {info['torch']}; threads: {info['threads']}; "
        f"median of {info['repeat']} repeats, float64",
        "",
        "| case | MACs decomposition / flip-and-pad | apply | numeric | torch "
        "| apply / numeric | apply / torch |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['macs_decomposition'] / r['macs_flip_and_pad']:.3f} "
            f"| {r['apply_median_s'] * 1e3:.1f} ms | {r['numeric_median_s'] * 1e3:.1f} ms "
            f"| {r['torch_median_s'] * 1e3:.1f} ms | {r['ratio_to_numeric']:.2f}× "
            f"| {r['ratio_to_torch']:.2f}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return compare_with_torch(argv, __doc__.splitlines()[0], 11, run_case, markdown)


if __name__ == "__main__":
    raise SystemExit(main())
