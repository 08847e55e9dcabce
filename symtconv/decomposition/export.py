"""The decomposition as an ONNX model: ``Conv``, a depth-to-space, ``Slice``/``Pad``.

Needs the ``onnx`` extra (``pip install 'symtconv[onnx]'``).

Explanation
===========

The graph, for input ``y`` of shape ``(N, C_in, *i)`` (``N`` free):

1. ``Pad`` and ``Slice`` of ``y`` when the plan's input padding is negative on some
   axis (otherwise the padding goes into ``Conv``'s ``pads``);
2. ``Conv`` with stride 1, ``group = groups``, the rearranged weight (an initializer,
   or the model's second input ``w`` when no weight is given) and bias;
3. the pixel shuffle: ``DepthToSpace`` (``mode='CRD'``) for 2-D with equal strides,
   otherwise ``Reshape`` -> ``Transpose`` -> ``Reshape`` (DepthToSpace has one block
   size and exactly two spatial axes);
4. ``Slice``, the final crop.

No ``ConvTranspose`` and no zero insertion.  Opset 13.

Examples
========

>>> import numpy as np
>>> from symtconv import Geometry
>>> from symtconv.decomposition import decompose, to_onnx
>>> model = to_onnx(decompose(Geometry((3, 3), 3, stride=2, padding=1)),
...                 np.ones((1, 1, 3, 3), dtype=np.float32))  # doctest: +SKIP
>>> [node.op_type for node in model.graph.node]  # doctest: +SKIP
['Conv', 'DepthToSpace', 'Slice']

(Skipped as a doctest, which runs without the ``onnx`` extra; ``tests/test_decompose.py``
builds and runs these models.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import MissingDependencyError, ParameterTypeError, ShapeError
from ..geometry import Geometry
from ..limits import Cost, require
from .plan import Decomposition, decompose

__all__ = ["OPSET", "export_cost", "to_onnx"]

#: The opset the models use.
OPSET = 13
#: The IR version written (ONNX Runtime and the reference evaluator both read it).
IR_VERSION = 8

_DTYPES = {np.dtype(np.float32): "FLOAT", np.dtype(np.float64): "DOUBLE"}


def _onnx() -> Any:
    try:
        import onnx
    except ImportError as error:
        raise MissingDependencyError(
            "the ONNX export needs onnx: pip install 'symtconv[onnx]'"
        ) from error
    return onnx


def _float(name: str, array: Any, dtype: np.dtype[Any] | None) -> npt.NDArray[Any]:
    array = np.asarray(array)
    if array.dtype not in _DTYPES:
        raise ParameterTypeError(
            f"{name} must be a float32 or float64 array (ONNX Conv computes in floats), "
            f"got dtype {array.dtype}"
        )
    if dtype is not None and array.dtype != dtype:
        raise ParameterTypeError(
            f"{name} must have the weight's dtype {dtype}, got dtype {array.dtype}"
        )
    return array


def export_cost(plan: Decomposition) -> int:
    """Entries of the rearranged weight the model stores: ``C_out·Πs · C_in/g · ΠT``.

    >>> from symtconv import Geometry
    >>> export_cost(decompose(Geometry((8, 8), 4, stride=2, in_channels=3, out_channels=5)))
    240
    """
    return math.prod(plan.conv_weight_shape)


def to_onnx(
    plan: Decomposition | Geometry,
    weight: npt.ArrayLike | None = None,
    bias: npt.ArrayLike | None = None,
    *,
    dtype: Any = np.float32,
) -> Any:
    """The decomposition as an ``onnx.ModelProto`` (checked with ``onnx.checker``).

    Refuses (``TooLargeError``) a rearranged weight past the limit ``decompose.entries``
    (:data:`symtconv.limits.LIMITS`; :func:`export_cost`), before any work.

    Parameters
    ==========

    plan : a :class:`~symtconv.decomposition.plan.Decomposition` (or a geometry).
    weight : PyTorch's ``(C_in, C_out/groups, *k)`` weight, float32 or float64; it is
        rearranged into an initializer.  (ONNX Runtime's CPU provider has no float64
        ``Conv``; float64 models run in ``onnx.reference``.)  ``None``: the model takes
        the rearranged weight ``(C_out·Πs, C_in/groups, *T)`` as its second input ``w``.
    bias : ``(C_out,)``, optional, in the weight's dtype.
    dtype : the element type when no weight is given (float32 or float64).
    """
    if isinstance(plan, Geometry):
        plan = decompose(plan)
    if not isinstance(plan, Decomposition):
        raise ParameterTypeError(
            f"plan must be a Decomposition or a Geometry, got {type(plan).__name__}"
        )
    g = plan.geometry
    require(Cost("decompose", entries=export_cost(plan),
                 what=f"the ONNX export's rearranged weight {plan.conv_weight_shape}"))
    onnx = _onnx()
    helper, numpy_helper, TensorProto = onnx.helper, onnx.numpy_helper, onnx.TensorProto
    w = None if weight is None else _float("weight", weight, None)
    element = w.dtype if w is not None else np.dtype(dtype)
    if element not in _DTYPES:
        raise ParameterTypeError(f"dtype must be float32 or float64, got {element}")
    b = None if bias is None else _float("bias", bias, element)
    elem = getattr(TensorProto, _DTYPES[element])
    ndim = g.ndim
    spatial = list(range(2, 2 + ndim))

    initializers: list[Any] = []
    nodes: list[Any] = []
    inputs = [helper.make_tensor_value_info("y", elem, ["N", g.in_channels,
                                                          *map(int, g.input_size)])]

    def constant(name: str, values: Any) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), name))
        return name

    def crop(source: str, output: str, starts: list[int], ends: list[int]) -> str:
        """A Slice node keeping ``starts:ends`` of each spatial axis of ``source``."""
        nodes.append(helper.make_node(
            "Slice",
            [source, constant(f"{output}_starts", starts), constant(f"{output}_ends", ends),
             constant(f"{output}_axes", spatial)],
            [output],
        ))
        return output

    # 1. the input padding; negative amounts are crops (Conv's pads cannot be negative)
    current = "y"
    pads = plan.input_pad
    conv_pads = [0] * (2 * ndim)
    if all(p >= 0 for pair in pads for p in pair):
        conv_pads = [b_ for b_, _ in pads] + [e for _, e in pads]
    else:
        grow = [(max(b_, 0), max(e, 0)) for b_, e in pads]
        if any(v for pair in grow for v in pair):
            pad_values = [0, 0, *(b_ for b_, _ in grow), 0, 0, *(e for _, e in grow)]
            nodes.append(helper.make_node("Pad", [current, constant("pad_y", pad_values)],
                                          ["y_padded"], mode="constant"))
            current = "y_padded"
        grown = [int(i) + b_ + e for i, (b_, e) in zip(g.input_size, grow, strict=True)]
        starts = [max(-b_, 0) for b_, _ in pads]
        ends = [n - max(-e, 0) for n, (_, e) in zip(grown, pads, strict=True)]
        current = crop(current, "y_cropped", starts, ends)

    # 2. the stride-1 convolution
    if w is not None:
        initializers.append(numpy_helper.from_array(
            plan.rearrange_weight(w).astype(element), "w_conv"))
        weight_name = "w_conv"
    else:
        inputs.append(helper.make_tensor_value_info("w", elem, list(plan.conv_weight_shape)))
        weight_name = "w"
    conv_inputs = [current, weight_name]
    if b is not None:
        initializers.append(numpy_helper.from_array(plan.conv_bias(b).astype(element), "b_conv"))
        conv_inputs.append("b_conv")
    nodes.append(helper.make_node(
        "Conv", conv_inputs, ["phases"], kernel_shape=list(plan.sub_kernel),
        strides=[1] * ndim, dilations=[1] * ndim, pads=conv_pads, group=g.groups,
    ))
    current = "phases"

    # 3. the pixel shuffle (CRD order)
    strides, lengths = plan.stride, plan.phase_length
    if plan.phases > 1:
        if ndim == 2 and strides[0] == strides[1]:
            nodes.append(helper.make_node("DepthToSpace", [current], ["shuffled"],
                                          blocksize=strides[0], mode="CRD"))
        else:
            split = [0, g.out_channels, *strides, *lengths]
            order = [0, 1] + [a for n in range(ndim) for a in (2 + ndim + n, 2 + n)]
            merged = [0, g.out_channels, *(q * s for q, s in zip(lengths, strides, strict=True))]
            nodes += [
                helper.make_node("Reshape", [current, constant("split_shape", split)],
                                 ["split"]),
                helper.make_node("Transpose", ["split"], ["interleaved"], perm=order),
                helper.make_node("Reshape", ["interleaved", constant("merged_shape", merged)],
                                 ["shuffled"]),
            ]
        current = "shuffled"

    # 4. the crop
    if any(v for pair in plan.crop for v in pair):
        starts = [c for c, _ in plan.crop]
        ends = [q * s - e for q, s, (_, e) in zip(lengths, strides, plan.crop, strict=True)]
        current = crop(current, "cropped", starts, ends)
    nodes[-1].output[0] = "x"  # the last step writes the model's output
    output = helper.make_tensor_value_info("x", elem, ["N", g.out_channels,
                                                        *map(int, g.output_size)])
    graph = helper.make_graph(nodes, "symtconv_subpixel", inputs, [output], initializers)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="symtconv",
        doc_string=f"sub-pixel decomposition of ConvTranspose: {g.describe()}",
    )
    model.ir_version = IR_VERSION
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as error:  # pragma: no cover - a bug of ours
        raise ShapeError(f"the exported model does not pass onnx.checker: {error}") from error
    return model
