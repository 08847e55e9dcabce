"""Running one transposed convolution in ONNX Runtime and comparing it exactly.

Explanation
===========

Each layer becomes a single-node ONNX model (the node's own attributes for an ONNX
model; :func:`symtconv.conventions.to_onnx` of the geometry for a PyTorch one) run
by ONNX Runtime on float32 inputs holding small integers, chosen so that every sum is
an integer below 2**24 and float32 is exact.  symtconv's numeric tier
(:func:`symtconv.numeric.conv_transpose`) computes the same layer on int64; any
difference is a ``runtime-deviation`` finding with the first differing entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import MissingDependencyError
from .layers import Finding, LayerSpec, shape_text

__all__ = ["RUNTIMES", "check_runtime", "run_onnxruntime", "runtime_entries"]

#: The runtimes ``--runtime`` accepts.
RUNTIMES = ("onnxruntime",)

#: float32 holds every integer up to this exactly.
_EXACT = 2**24


def runtime_entries(spec: LayerSpec) -> int:
    """Entries of X, W and Y of one sample: the cost of running the layer once."""
    g = spec.geometry
    sizes = (g.input_shape, g.weight_shape, g.output_shape)
    return sum(int(np.prod([int(v) for v in shape])) for shape in sizes)


def _attributes(spec: LayerSpec) -> dict[str, Any]:
    if spec.source == "onnx":
        return dict(spec.attributes)
    from ..conventions import to_onnx

    return {k: list(v) if isinstance(v, tuple) else v
            for k, v in to_onnx(spec.geometry).kwargs.items()}


def run_onnxruntime(attributes: Mapping[str, Any], x: np.ndarray, w: np.ndarray,
                    b: np.ndarray | None, opset: int) -> np.ndarray:
    """Y of one ``ConvTranspose`` node with these attributes, computed by ONNX Runtime."""
    try:
        import onnx
        import onnxruntime
    except ImportError:
        raise MissingDependencyError(
            "--runtime onnxruntime needs onnx and onnxruntime: pip install 'symtconv[runtime]'"
        ) from None
    from onnx import TensorProto, helper

    names = ["X", "W"] + ([] if b is None else ["B"])
    node = helper.make_node("ConvTranspose", names, ["Y"], **dict(attributes))
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(a.shape))
              for n, a in zip(names, (x, w, b), strict=False)]
    graph = helper.make_graph([node], "audit", inputs,
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 10)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    feeds = dict(zip(names, (x, w, b), strict=False))
    return np.asarray(session.run(["Y"], feeds)[0])


def _values(rng: np.random.Generator, shape: tuple[int, ...], bound: int) -> np.ndarray:
    return rng.integers(-bound, bound + 1, size=shape).astype(np.int64)


def check_runtime(spec: LayerSpec, runtime: str = "onnxruntime",
                  seed: int = 0) -> tuple[Finding | None, str]:
    """Run the layer in ``runtime`` and compare with the numeric tier exactly."""
    from ..numeric import conv_transpose

    g = spec.geometry
    # every output sums at most C_in/groups · Πk products of |x|·|w| <= bound**2 (+ bias)
    terms = (g.in_channels // g.groups) * int(np.prod([int(k) for k in g.kernel_size]))
    bound = max(1, min(4, int((_EXACT // (terms + 1)) ** 0.5)))
    rng = np.random.default_rng(seed)
    x = _values(rng, (1, *(int(v) for v in g.input_shape)), bound)
    w = _values(rng, tuple(int(v) for v in g.weight_shape), bound)
    b = _values(rng, (g.out_channels,), bound) if spec.bias else None
    want = conv_transpose(x, w, b, stride=g.stride, padding=g.padding,
                          output_padding=g.output_padding, groups=g.groups, dilation=g.dilation)
    opset = spec.opset if spec.opset is not None else 22
    got = run_onnxruntime(_attributes(spec), x.astype(np.float32), w.astype(np.float32),
                          None if b is None else b.astype(np.float32), opset)
    what = f"{runtime} on integer-valued float32 inputs (values in [-{bound}, {bound}])"
    if got.shape != want.shape:
        return Finding(
            "runtime-deviation",
            f"{runtime} gives an output of shape {shape_text(got.shape)}, symtconv's numeric "
            f"tier {shape_text(want.shape)}",
            {"runtime": runtime, "runtime_shape": list(got.shape),
             "expected_shape": list(want.shape)},
        ), f"{what}: shape differs"
    differ = np.argwhere(got != want)
    if len(differ) == 0:
        return None, f"{what}: equal to symtconv's numeric tier on all {want.size} entries"
    index = tuple(int(v) for v in differ[0])
    return Finding(
        "runtime-deviation",
        f"{runtime} differs from symtconv's numeric tier at {len(differ)} of {want.size} entries; "
        f"first at {list(index)}: {runtime} {got[index]:g}, expected {int(want[index])}",
        {"runtime": runtime, "index": list(index), "runtime_value": float(got[index]),
         "expected": int(want[index]), "differing": len(differ), "entries": int(want.size)},
    ), f"{what}: {len(differ)} entries differ"
