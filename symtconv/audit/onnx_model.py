"""Reading the transposed convolutions of an ONNX model (needs the ``onnx`` package).

Explanation
===========

The file is read with ``onnx.load`` and checked with ``onnx.checker``; shapes come
from ``onnx.shape_inference.infer_shapes``, refined node by node from the graph
inputs: every ``ConvTranspose`` output is computed with symtconv's own size formula
(:func:`symtconv.conventions.from_onnx`, which follows the specification of the
model's opset — ConvTranspose-1, used by opsets 1 to 10, splits ``SAME_UPPER`` /
``SAME_LOWER`` the other way round), shape-preserving operators pass their input's
shape on, and every other operator keeps the inferred shape.  Shapes the model itself
declares (``value_info``, graph outputs) are compared with the computed ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError, SymtconvError
from .layers import Dim, Finding, LayerSpec, shape_text

__all__ = ["ModelError", "import_onnx", "read_onnx"]

#: Operators whose output has the shape of their first input (used to carry the
#: computed shapes forward between transposed convolutions).
SHAPE_PRESERVING = frozenset({
    "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Gelu", "HardSigmoid",
    "HardSwish", "Softplus", "Softsign", "Mish", "Identity", "Dropout", "BatchNormalization",
    "InstanceNormalization", "LayerNormalization", "Cast", "Clip", "Neg", "Abs", "Exp", "Log",
    "Sqrt", "Erf", "Softmax", "LogSoftmax",
})

#: The ONNX default domain's names.
_DEFAULT_DOMAINS = ("", "ai.onnx")


class ModelError(SymtconvError, ValueError):
    """A model that cannot be audited: unreadable, corrupt or unsupported."""


def import_onnx() -> Any:
    """The ``onnx`` module, or :class:`MissingDependencyError` with the pip command."""
    try:
        import onnx
    except ImportError:
        raise MissingDependencyError(
            "auditing an ONNX model needs the onnx package: pip install 'symtconv[onnx]'"
        ) from None
    return onnx


def _dims(value_type: Any) -> tuple[Dim | None, ...] | None:
    """A tensor type's shape: ints, dim_param names, None for unknown dims."""
    if not value_type.HasField("tensor_type") or not value_type.tensor_type.HasField("shape"):
        return None
    dims: list[Dim | None] = []
    for d in value_type.tensor_type.shape.dim:
        if d.HasField("dim_value"):
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param"):
            dims.append(str(d.dim_param))
        else:
            dims.append(None)
    return tuple(dims)


def _value_shapes(graph: Any, parts: Sequence[str]) -> dict[str, tuple[Dim | None, ...]]:
    shapes: dict[str, tuple[Dim | None, ...]] = {}
    for part in parts:
        for value in getattr(graph, part):
            dims = _dims(value.type)
            if dims is not None:
                shapes[value.name] = dims
    return shapes


def _opset(model: Any) -> int:
    for entry in model.opset_import:
        if entry.domain in _DEFAULT_DOMAINS:
            return int(entry.version)
    raise ModelError("unsupported model: it imports no opset of the default ONNX domain")


def _attributes(onnx: Any, node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr in node.attribute:
        value = onnx.helper.get_attribute_value(attr)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif isinstance(value, list):
            value = [int(v) if isinstance(v, int) else v for v in value]
        out[attr.name] = value
    return out


def _load(onnx: Any, source: str | Path | Any) -> tuple[Any, str]:
    if not isinstance(source, (str, Path)):  # already a ModelProto
        return source, getattr(source.graph, "name", "") or "model"
    path = Path(source)
    if not path.is_file():
        raise ModelError(f"cannot read the model: no such file: {path}")
    try:
        model = onnx.load(str(path))
    except Exception as error:  # protobuf's DecodeError and friends
        raise ModelError(f"cannot read {path}: not an ONNX model ({type(error).__name__}: "
                         f"{str(error).splitlines()[0] if str(error) else 'unreadable'})") from None
    return model, str(path)


def _check(onnx: Any, model: Any, where: str) -> None:
    if not model.HasField("graph") or not model.opset_import:
        raise ModelError(f"cannot read {where}: not an ONNX model (no graph or no opset)")
    try:
        onnx.checker.check_model(model)
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelError(f"corrupt ONNX model {where}: {first}") from None


def _with_input_shape(onnx: Any, model: Any, input_shape: Sequence[int]) -> Any:
    """A copy whose single graph input (not an initializer) has ``input_shape``."""
    initializers = {t.name for t in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in initializers]
    open_sized = [v for v in inputs
                  if any(not isinstance(d, int) for d in (_dims(v.type) or (None,)))]
    if len(open_sized) == 1:  # the one input whose sizes the file leaves open
        inputs = open_sized
    if len(inputs) != 1:
        raise ModelError(
            f"--input-shape sets the shape of a model's single input (or of the single one "
            f"with open sizes); this model has {len(inputs)} ({', '.join(v.name for v in inputs)})"
        )
    model = onnx.ModelProto.FromString(model.SerializeToString())
    value = next(v for v in model.graph.input if v.name == inputs[0].name)
    shape = value.type.tensor_type.shape
    del shape.dim[:]
    for n in input_shape:
        shape.dim.add().dim_value = int(n)
    return model


def _sizes(name: str, what: str, dims: tuple[Dim | None, ...] | None,
           skip: int = 1) -> tuple[int, ...]:
    """``dims[skip:]`` as ints (X: skip the batch; W: keep everything), else ModelError."""
    if dims is None or len(dims) < 3 or any(not isinstance(d, int) for d in dims[skip:]):
        raise ModelError(
            f"unsupported model: the shape of node {name!r}'s {what} is not known "
            f"({'unknown' if dims is None else list(dims)}); give the graph input's shape with "
            "--input-shape"
        )
    return tuple(d for d in dims[skip:] if isinstance(d, int))


def _onnx_findings(attrs: Mapping[str, Any], geometry: Any, opset: int) -> list[Finding]:
    findings = []
    auto_pad = str(attrs.get("auto_pad", "NOTSET"))
    output_padding = list(attrs.get("output_padding", []) or [])
    if auto_pad in ("SAME_UPPER", "SAME_LOWER") and any(output_padding):
        from ..conventions import to_onnx

        explicit = to_onnx(geometry).kwargs
        findings.append(Finding(
            "auto-pad-with-output-padding",
            f"auto_pad={auto_pad} with output_padding={output_padding}: by the specification "
            "output_padding only enlarges the total padding, so the output stays input·stride "
            f"{tuple(geometry.output_size)}; converters and runtimes have handled this "
            "combination differently (some lengthen the output instead); the same operation "
            f"without ambiguity: pads={list(explicit['pads'])}, "
            f"output_padding={list(explicit['output_padding'])}, no auto_pad",
            {"auto_pad": auto_pad, "output_padding": output_padding,
             "pads": list(explicit["pads"]), "explicit_output_padding":
             list(explicit["output_padding"])},
        ))
    if "output_shape" in attrs:
        smaller = (auto_pad == "SAME_UPPER") == (opset >= 11)  # ConvTranspose-1: inverted
        rule = f"the {'smaller' if smaller else 'larger'} half at the start ({auto_pad}"
        crops = [[int(ax.p_begin), int(ax.p_end) - int(ax.a)] for ax in geometry.axes]
        ignored = " (the pads attribute is ignored)" if "pads" in attrs else ""
        findings.append(Finding(
            "output-shape-attribute",
            f"output_shape={list(attrs['output_shape'])} given: the pads are derived from it, "
            f"total = stride·(input-1) + output_padding + dilation·(kernel-1) + 1 - output_shape, "
            f"split with {rule}, opset {opset}): crops (start, end) {crops}{ignored}; "
            "a negative end crop appends zeros",
            {"output_shape": list(attrs["output_shape"]), "crops": crops, "auto_pad": auto_pad,
             "opset": opset},
        ))
    return findings


def read_onnx(
    source: str | Path | Any, *, input_shape: Sequence[int] | None = None
) -> tuple[str, int, list[LayerSpec]]:
    """``(name, opset, specs)``: every ``ConvTranspose`` of an ONNX file or ModelProto."""
    onnx = import_onnx()
    from ..conventions import from_onnx

    model, where = _load(onnx, source)
    _check(onnx, model, where)
    if input_shape is not None:
        model = _with_input_shape(onnx, model, input_shape)
    opset = _opset(model)
    declared = _value_shapes(model.graph, ("value_info", "output"))
    try:
        inferred_model = onnx.shape_inference.infer_shapes(model)
    except Exception:  # inference is a help, not a requirement
        inferred_model = model
    inferred = _value_shapes(inferred_model.graph, ("input", "value_info", "output"))
    shapes = {**inferred, **_value_shapes(model.graph, ("input",))}
    for tensor in model.graph.initializer:
        shapes[tensor.name] = tuple(int(d) for d in tensor.dims)
    specs: list[LayerSpec] = []
    origin: dict[str, int] = {}  # value name -> the layer whose output shape it carries
    downstream: dict[int, list[Finding]] = {}
    for index, node in enumerate(model.graph.node):
        if node.domain not in _DEFAULT_DOMAINS:
            continue
        if node.op_type == "ConvTranspose":
            name = node.name or f"ConvTranspose_{index}"
            if len(node.input) < 2 or len(node.output) < 1:
                raise ModelError(f"corrupt ONNX model {where}: node {name!r} needs X and W")
            x = shapes.get(node.input[0])
            w = shapes.get(node.input[1])
            spatial = _sizes(name, f"input {node.input[0]!r}", x)
            assert x is not None
            weight = _sizes(name, f"weight {node.input[1]!r}", w, skip=0)
            attrs = _attributes(onnx, node)
            group = int(attrs.get("group", 1))
            kernel = attrs.get("kernel_shape", list(weight[2:]))
            keys = ("strides", "pads", "auto_pad", "output_shape", "output_padding", "dilations")
            try:
                geometry = from_onnx(
                    spatial[1:], kernel, in_channels=spatial[0],
                    out_channels=weight[1] * group, group=group, opset=opset,
                    **{k: attrs[k] for k in keys if k in attrs},
                )
            except SymtconvError as error:
                raise ModelError(f"unsupported model: node {name!r}: "
                                 f"{str(error).splitlines()[0]}") from None
            if "kernel_shape" in attrs and list(attrs["kernel_shape"]) != list(weight[2:]):
                raise ModelError(
                    f"corrupt ONNX model {where}: node {name!r} has kernel_shape="
                    f"{list(attrs['kernel_shape'])} but W of shape {list(weight)}"
                )
            if weight[0] != spatial[0]:
                raise ModelError(
                    f"corrupt ONNX model {where}: node {name!r} has X with {spatial[0]} channels "
                    f"but W with {weight[0]} (W is (C, M/group, *kernel))"
                )
            out_name = node.output[0]
            batch = x[0] if x[0] is not None else "N"
            spec = LayerSpec(
                name=name, op="ConvTranspose", source="onnx",
                input_shape=(batch, *spatial), geometry=geometry, attributes=attrs,
                declared_output=_known(declared.get(out_name)),
                declared_where=f"the model's shape of {out_name!r}",
                findings=tuple(_onnx_findings(attrs, geometry, opset)), opset=opset,
                bias=len(node.input) > 2 and bool(node.input[2]),
                output_padding=tuple(int(v) for v in attrs.get("output_padding", ()))
                or (0,) * len(kernel),
            )
            specs.append(spec)
            shapes[out_name] = spec.output_shape
            origin[out_name] = len(specs) - 1
        elif node.op_type in SHAPE_PRESERVING and node.input and node.input[0] in shapes:
            for out in node.output[:1]:
                shapes[out] = shapes[node.input[0]]
                if node.input[0] in origin:
                    origin[out] = layer = origin[node.input[0]]
                    found = _mismatch(out, node.op_type, _known(declared.get(out)), shapes[out])
                    if found is not None:
                        downstream.setdefault(layer, []).append(found)
    specs = [replace(spec, findings=spec.findings + tuple(downstream.get(n, ())))
             for n, spec in enumerate(specs)]
    name = model.graph.name or where
    return (where if isinstance(source, (str, Path)) else name), opset, specs


def _mismatch(name: str, op: str, declared: tuple[Dim, ...] | None,
              computed: tuple[Dim | None, ...]) -> Finding | None:
    """A declared shape of a value that carries a layer's output shape, if it differs."""
    if declared is None:
        return None
    if len(declared) == len(computed) and all(
        not (isinstance(a, int) and isinstance(b, int)) or a == b
        for a, b in zip(declared, computed, strict=True)
    ):
        return None
    return Finding(
        "shape-mismatch",
        f"the model's shape of {name!r} (after {op}, which keeps the shape) declares "
        f"{shape_text(declared)}, the computed shape is {shape_text(computed)}",  # type: ignore[arg-type]
        {"value": name, "declared": list(declared), "computed": list(computed)},
    )


def _known(dims: tuple[Dim | None, ...] | None) -> tuple[Dim, ...] | None:
    """A declared shape with unknown dims written as ``?``; None when nothing is declared."""
    if dims is None or all(d is None for d in dims):
        return None
    return tuple("?" if d is None else d for d in dims)
