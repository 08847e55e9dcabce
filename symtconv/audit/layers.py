"""One transposed-convolution layer of a model: its geometry, translations and findings.

Explanation
===========

The readers (:mod:`symtconv.audit.onnx_model`, :mod:`symtconv.audit.torch_model`)
turn each ``ConvTranspose`` of a model into a :class:`LayerSpec`: its name, the shape
of its input, its canonical :class:`~symtconv.Geometry` (read with
:func:`symtconv.conventions.from_onnx` / :func:`~symtconv.conventions.from_torch`),
the attributes as the model wrote them, and any shape the model declares for its
output.  :func:`analyse` then derives everything else from the geometry alone:

- the translation into each target framework, with the crop left to do;
- the findings (codes in :data:`FINDINGS`): an asymmetric crop PyTorch cannot
  express, ``output_padding >= stride`` (the ``Cᵀ`` identity fails), uneven overlap
  (the checkerboard, from :mod:`symtconv.overlap`), a declared shape that differs
  from the computed one — plus the ONNX-only ones the reader found;
- with ``prove=True`` an exact proof (:func:`symtconv.prove`, fast engine).

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.audit.layers import LayerSpec, analyse
>>> spec = LayerSpec("up", "ConvTranspose2d", "torch", (1, 1, 3, 3),
...                  Geometry((3, 3), 3, stride=2, padding=1))
>>> layer = analyse(spec, targets=("onnx",))
>>> layer.output_shape, [f.code for f in layer.findings]
((1, 1, 5, 5), ['checkerboard'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..console import plural
from ..errors import SymtconvError
from ..geometry import Geometry

__all__ = [
    "FINDINGS", "Dim", "Finding", "Layer", "LayerSpec", "adjoint_form", "analyse", "shape_text",
]

#: The finding codes, in the order reports list them, with what each means.
FINDINGS: dict[str, str] = {
    "asymmetric-padding": "begin and end crop differ on some axis in a way PyTorch's symmetric "
    "padding cannot express; the crop left to do is given",
    "output-padding-not-adjoint": "output_padding >= stride on some axis: the layer is not Cᵀ "
    "of the forward convolution with the same parameters",
    "auto-pad-with-output-padding": "ONNX auto_pad SAME_* together with output_padding: "
    "converters and runtimes have handled it differently",
    "output-shape-attribute": "ONNX output_shape given: the pads are derived from it",
    "checkerboard": "uneven overlap: interior output positions receive different numbers of "
    "y·w terms",
    "shape-mismatch": "a shape declared in the model differs from the one computed",
    "runtime-deviation": "the runtime's output differs from symtconv's numeric tier",
}

#: A dimension of a full shape: an int, or the name of a symbolic (batch) dimension.
Dim = int | str


def shape_text(shape: Sequence[Dim] | None) -> str:
    """``1×3×64×64`` (``?`` when unknown).

    >>> shape_text((1, 3, 64, 64)), shape_text(("N", 8)), shape_text(None)
    ('1×3×64×64', 'N×8', '?')
    """
    return "?" if shape is None else "×".join(str(d) for d in shape)


@dataclass(frozen=True)
class Finding:
    """One thing worth knowing about a layer: a code from :data:`FINDINGS` and a message.

    ``detail`` holds the numbers behind the message (JSON-ready).  Its axis indices
    (``"axis"``, ``"axes"``) are 0-based, as in the shapes' tuples; the message, like
    all of symtconv's text, numbers the spatial axes from 1 (``axis 1``, ``axis 2``).
    """

    code: str
    message: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": dict(self.detail)}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class LayerSpec:
    """What a reader found about one transposed convolution of a model.

    ``input_shape`` is the full ``(N, C, *spatial)`` shape; ``declared_output`` the
    output shape the model states (ONNX value_info / graph output; PyTorch: the traced
    output), ``None`` when it states none; ``findings`` those only the reader can see;
    ``output_padding`` the output_padding the model states (default: the geometry's).
    """

    name: str
    op: str
    source: str
    input_shape: tuple[Dim, ...]
    geometry: Geometry
    attributes: Mapping[str, Any] = field(default_factory=dict)
    declared_output: tuple[Dim, ...] | None = None
    declared_where: str = ""
    findings: tuple[Finding, ...] = ()
    opset: int | None = None
    bias: bool = False
    output_padding: tuple[int, ...] | None = None

    @property
    def output_shape(self) -> tuple[Dim, ...]:
        """``(N, C_out, *o)``: the batch of the input, the rest from the geometry."""
        return (self.input_shape[0], *(int(v) for v in self.geometry.output_shape))


@dataclass(frozen=True)
class Layer:
    """The audit of one layer.

    ``translations`` maps each target framework to a
    :class:`~symtconv.conventions.Translation` or, when the target cannot run the layer
    at all, to the reason (a string); ``proved`` is None unless a proof was asked for;
    ``runtime`` says what the runtime check did (None when none ran).
    """

    spec: LayerSpec
    translations: Mapping[str, Any]
    findings: tuple[Finding, ...]
    proved: bool | None = None
    proof: str | None = None
    runtime: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def output_shape(self) -> tuple[Dim, ...]:
        return self.spec.output_shape

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "op", "input_shape", "output_shape", "geometry", "translations", ...}``."""
        translations = {
            target: t if isinstance(t, str) else t.to_dict()
            for target, t in self.translations.items()
        }
        return {
            "name": self.name,
            "op": self.spec.op,
            "input_shape": list(self.spec.input_shape),
            "output_shape": list(self.output_shape),
            "geometry": self.spec.geometry.to_dict(),
            "attributes": _plain(dict(self.spec.attributes)),
            "translations": {
                target: {"error": t} if isinstance(t, str) else t
                for target, t in translations.items()
            },
            "findings": [f.to_dict() for f in self.findings],
            "proved": self.proved,
            "proof": self.proof,
            "runtime": self.runtime,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- #
# Findings derived from the geometry
# --------------------------------------------------------------------------- #


def _asymmetric(spec: LayerSpec) -> Finding | None:
    """PyTorch's padding is symmetric: the crop ``to_torch`` leaves over, if any."""
    from ..conventions import to_torch

    try:
        call = to_torch(spec.geometry)
    except SymtconvError:  # more than 3 spatial axes: no PyTorch layer at all
        return None
    if call.crop is None:
        return None
    g = spec.geometry
    axes = [
        f"axis {n + 1}: crop {int(ax.p_begin)} at the start and {int(ax.p_end) - int(ax.a)} "
        "at the end (net of output_padding)"
        for n, ax in enumerate(g.axes)
        if call.crop[n] != (0, 0)
    ]
    kwargs = call.kwargs
    return Finding(
        "asymmetric-padding",
        "; ".join(axes) + f": PyTorch cannot express it; use padding={kwargs['padding']}, "
        f"output_padding={kwargs['output_padding']}, then crop "
        f"{[list(c) for c in call.crop]} (start, end) per spatial axis of its "
        f"{shape_text(call.raw_output_size)} output",
        {"crop": [list(c) for c in call.crop], "padding": list(kwargs["padding"]),
         "output_padding": list(kwargs["output_padding"])},
    )


def adjoint_form(geometry: Geometry) -> Geometry | None:
    """The same operation written with ``output_padding < stride`` on every axis, if any.

    Explanation
    ===========

    Only the net end crop ``r = p_end - output_padding`` matters for the output, so per
    axis the crops ``(p_begin, max(r, 0))`` with ``output_padding = max(-r, 0)`` describe
    the same operation (ONNX's form, :func:`symtconv.conventions.to_onnx`).  That form is
    ``Cᵀ`` of its forward convolution exactly when ``max(-r, 0) < s``; when ``r <= -s``
    on some axis the layer appends ``s`` or more zeros and no forward convolution with
    non-negative crops has it as its transpose: None.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> adjoint_form(Geometry(1, 2, stride=1, dilation=2, padding=1, output_padding=1)).padding
    ((1, 0),)
    >>> adjoint_form(Geometry(3, 3, stride=1, dilation=2, output_padding=1)) is None
    True
    """
    padding, output_padding = [], []
    for ax in geometry.axes:
        begin, net, s = int(ax.p_begin), int(ax.p_end) - int(ax.a), int(ax.s)
        if -net >= s:
            return None
        end = max(net, 0)
        padding.append(begin if begin == end else (begin, end))
        output_padding.append(max(-net, 0))
    return Geometry(
        input_size=geometry.input_size, kernel_size=geometry.kernel_size,
        stride=geometry.stride, padding=tuple(padding), output_padding=tuple(output_padding),
        dilation=geometry.dilation, in_channels=geometry.in_channels,
        out_channels=geometry.out_channels, groups=geometry.groups,
    )


def _not_adjoint(spec: LayerSpec) -> Finding | None:
    """output_padding >= stride as the model states it, or zeros appended >= stride."""
    g = spec.geometry
    stated = spec.output_padding if spec.output_padding is not None else g.output_padding
    appended = [max(int(ax.a) - int(ax.p_end), 0) for ax in g.axes]
    bad = [n for n, ax in enumerate(g.axes)
           if int(stated[n]) >= int(ax.s) or appended[n] >= int(ax.s)]
    if not bad:
        return None
    where = "; ".join(
        f"axis {n + 1}: output_padding {stated[n]} ≥ stride {g.axes[n].s} "
        f"(dilation {g.axes[n].d})"
        if int(stated[n]) >= int(g.axes[n].s) else
        f"axis {n + 1}: {appended[n]} {plural(appended[n], 'zero')} appended at the end ≥ stride "
        f"{g.axes[n].s}"
        for n in bad
    )
    form = adjoint_form(g)
    if form is None:
        forward = tuple(int(v) for v in g.forward_output_size)
        tail = (f"the forward convolution maps the output size {tuple(g.output_size)} back to "
                f"{forward}, not to the input size {tuple(g.input_size)}: the layer is not Cᵀ "
                "of any forward convolution with the same stride (symtconv prove explains what "
                "still holds)")
    else:
        forward = tuple(int(v) for v in form.forward_output_size)
        tail = (f"written this way it is not Cᵀ of the forward convolution with the same "
                f"parameters; the same operation with crops {list(form.padding)} and "
                f"output_padding {list(form.output_padding)} is (asymmetric crops: not PyTorch "
                "syntax, but ONNX pads)")
    return Finding(
        "output-padding-not-adjoint",
        f"{where}: {tail}",
        {"axes": bad, "adjoint_form": None if form is None else form.to_dict(),
         "forward_output_size": list(forward)},
    )


def _checkerboard(spec: LayerSpec) -> Finding | None:
    from ..overlap import CONDITION, overlap

    ov = overlap(spec.geometry)
    if ov.uniform:
        return None
    parts, detail = [], []
    for n, ax in enumerate(ov.axes):
        detail.append({"axis": n, "interior": list(ax.interior), "period": ax.period,
                       "uniform": ax.uniform, "reason": ax.reason})
        if not ax.uniform:
            parts.append(
                f"axis {n + 1} (k={ax.kernel}, s={ax.stride}, d={ax.dilation}): interior positions "
                f"receive {' '.join(map(str, ax.interior))} taps by j mod {ax.period} "
                f"({ax.reason})"
            )
    factor = ov.channel_factor
    return Finding(
        "checkerboard",
        "; ".join(parts)
        + (f"; times {factor} input channels per group (C_in/groups)" if factor > 1 else "")
        + "; uniform coverage needs gcd(d, s) = 1 and s | k on every axis",
        {"axes": detail, "channel_factor": factor, "condition": CONDITION},
    )


def _mismatch(spec: LayerSpec) -> Finding | None:
    declared = spec.declared_output
    computed = spec.output_shape
    if declared is None:
        return None
    differ = len(declared) != len(computed) or any(
        isinstance(a, int) and isinstance(b, int) and a != b
        for a, b in zip(declared, computed, strict=False)
    )
    if not differ:
        return None
    return Finding(
        "shape-mismatch",
        f"{spec.declared_where or 'the model'} declares the output {shape_text(declared)}, "
        f"the computed output is {shape_text(computed)}",
        {"declared": list(declared), "computed": list(computed)},
    )


_CHECKS: tuple[Callable[[LayerSpec], Finding | None], ...] = (
    _asymmetric, _not_adjoint, _checkerboard, _mismatch,
)


def _translations(spec: LayerSpec, targets: Sequence[str]) -> dict[str, Any]:
    from ..conventions import translate

    source = spec.source if spec.source in ("onnx", "torch") else "torch"
    out: dict[str, Any] = {}
    for target in targets:
        try:
            out[target] = translate(spec.geometry, target, source=source)
        except SymtconvError as error:  # e.g. groups in JAX: the target cannot run it
            out[target] = str(error).splitlines()[0]
    return out


def _order(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    rank = {code: n for n, code in enumerate(FINDINGS)}
    return tuple(sorted(findings, key=lambda f: rank.get(f.code, len(rank))))


def analyse(
    spec: LayerSpec,
    *,
    targets: Sequence[str],
    proof: tuple[bool, str] | None = None,
    runtime: tuple[Finding | None, str] | None = None,
) -> Layer:
    """The :class:`Layer` of a spec: translations and every finding.

    ``proof`` is ``(proved, summary)`` when the layer was proved; ``runtime`` is
    ``(finding or None, summary)`` when it ran in a runtime.
    """
    findings = list(spec.findings)
    findings.extend(f for check in _CHECKS if (f := check(spec)) is not None)
    if runtime is not None and runtime[0] is not None:
        findings.append(runtime[0])
    return Layer(
        spec=spec,
        translations=_translations(spec, targets),
        findings=_order(findings),
        proved=None if proof is None else proof[0],
        proof=None if proof is None else proof[1],
        runtime=None if runtime is None else runtime[1],
    )
