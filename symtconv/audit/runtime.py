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

import importlib
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
        onnxruntime = importlib.import_module("onnxruntime")
        from onnx import TensorProto, helper
    except ImportError:
        raise MissingDependencyError(
            "--runtime onnxruntime needs onnx and onnxruntime: pip install 'symtconv[runtime]'"
        ) from None
    feeds = {"X": x, "W": w, **({} if b is None else {"B": b})}
    names = list(feeds)
    node = helper.make_node("ConvTranspose", names, ["Y"], **dict(attributes))
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(a.shape))
              for n, a in feeds.items()]
    graph = helper.make_graph([node], "audit", inputs,
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 10)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 4  # its errors come back as exceptions, reported by us
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    return np.asarray(session.run(["Y"], feeds)[0])


def _values(rng: np.random.Generator, shape: tuple[int, ...], bound: int) -> np.ndarray:
    return rng.integers(-bound, bound + 1, size=shape).astype(np.int64)


def _opset_hint(spec: LayerSpec) -> str:
    """Why an old opset's SAME/output_shape split may be the reason for a deviation."""
    attrs = spec.attributes
    if spec.source != "onnx" or spec.opset is None or spec.opset >= 11:
        return ""
    if "output_shape" not in attrs and attrs.get("auto_pad") not in ("SAME_UPPER", "SAME_LOWER"):
        return ""
    return (f" (opset {spec.opset} means ConvTranspose-1, whose SAME_UPPER/SAME_LOWER split is "
            "the reverse of opset 11's; runtimes commonly apply opset 11's)")


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
    what = f"{runtime} on integer-valued float32 inputs (values in [-{bound}, {bound}])"
    hint = _opset_hint(spec)
    try:
        got = run_onnxruntime(_attributes(spec), x.astype(np.float32), w.astype(np.float32),
                              None if b is None else b.astype(np.float32), opset)
    except MissingDependencyError:
        raise
    except Exception as error:  # the runtime refuses a layer the specification defines
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Finding(
            "runtime-deviation",
            f"{runtime} refuses the layer ({type(error).__name__}: {first}); symtconv computes "
            f"an output of shape {shape_text(want.shape)}{hint}",
            {"runtime": runtime, "error": f"{type(error).__name__}: {first}",
             "expected_shape": list(want.shape)},
        ), f"{what}: refused"
    if got.shape != want.shape:
        return Finding(
            "runtime-deviation",
            f"{runtime} gives an output of shape {shape_text(got.shape)}, symtconv's numeric "
            f"tier {shape_text(want.shape)}{hint}",
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
        f"first at {list(index)}: {runtime} {got[index]:g}, expected {int(want[index])}{hint}",
        {"runtime": runtime, "index": list(index), "runtime_value": float(got[index]),
         "expected": int(want[index]), "differing": len(differ), "entries": int(want.size)},
    ), f"{what}: {len(differ)} entries differ"
