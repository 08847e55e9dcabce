"""The audit of a whole model: :func:`audit_onnx`, :func:`audit_torch` and :class:`Audit`.

Explanation
===========

An audit reads a model's transposed convolutions (:mod:`.onnx_model`,
:mod:`.torch_model`), estimates its cost in closed form and refuses past the limits
``audit.*`` and ``engine.bytes`` (:mod:`symtconv.limits`), then analyses every layer
(:func:`.layers.analyse`), optionally proves each distinct geometry exactly with the
fast engine and runs each layer in ONNX Runtime.
The result prints itself as a table (one row per layer; one block per layer when the
table is wider than the terminal) followed by the findings, or as one JSON document.
Long lines are left to the console writer to fit (:func:`symtconv.console.fit`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..console import display_width, plural, terminal_width
from ..errors import ParameterError
from ..geometry import Geometry
from ..limits import Cost, require
from .layers import FINDINGS, Finding, Layer, LayerSpec, adjoint_form, analyse, shape_text
from .runtime import RUNTIMES, check_runtime, runtime_entries

__all__ = [
    "Audit",
    "audit_cost",
    "audit_onnx",
    "audit_torch",
    "audit_specs",
]


def audit_cost(specs: Sequence[LayerSpec], *, prove: bool = False,
               runtime: str | None = None) -> Cost:
    """The closed-form cost of an audit: layers, proof terms, runtime entries.

    ``terms`` counts the ``y·w`` terms of each distinct geometry once
    (:meth:`symtconv.Geometry.count_terms`, closed form), with ``prove`` only;
    ``entries`` the entries of X, W and Y of one sample per layer, with ``runtime``
    only.  :func:`symtconv.limits.require` compares it with the limits ``audit.*``.

    >>> from symtconv import Geometry
    >>> from symtconv.audit import LayerSpec
    >>> spec = LayerSpec("up", "ConvTranspose", "onnx", (1, 1, 4), Geometry(4, 3, stride=2))
    >>> audit_cost([spec, spec], prove=True).quantities()
    {'terms': 12, 'layers': 2}
    """
    distinct = {spec.geometry for spec in specs}
    return Cost(
        "audit",
        layers=len(specs),
        terms=sum(int(g.count_terms()) for g in distinct) if prove else None,
        entries=sum(runtime_entries(s) for s in specs) if runtime else None,
        what="audit" + (" --prove" if prove else "") + (" --runtime" if runtime else ""),
    )


def _proved_form(geometry: Geometry) -> Geometry:
    """What ``--prove`` proves: the same operation, with output_padding < stride if it can."""
    form = adjoint_form(geometry)
    return geometry if form is None else form


def _require(specs: Sequence[LayerSpec], *, prove: bool, runtime: str | None) -> None:
    """Refuse an audit past its limits, before any work.

    The audit's own limits (``audit.layers``, ``audit.terms``, ``audit.entries``), and
    with ``prove`` the fast engine's memory limit (``engine.bytes``) for every distinct
    geometry, since each is proved on its own.
    """
    require(audit_cost(specs, prove=prove, runtime=runtime))
    if prove:
        seen: set[Geometry] = set()
        for spec in specs:
            if spec.geometry not in seen:
                seen.add(spec.geometry)
                require(_proved_form(spec.geometry).cost(
                    "engine", what=f"audit --prove of layer {spec.name!r}"))


def _proof(geometry: Geometry) -> tuple[bool, str]:
    from ..proofs import prove

    proved_form = _proved_form(geometry)
    proof = prove(proved_form, engine="fast")
    written = "" if proved_form == geometry else f", written as {proved_form.describe()}"
    if proof.proved:
        return True, (f"proved: {', '.join(proof.methods[1:])} equal the scatter definition "
                      f"({proof.terms:,} terms, {proof.seconds:.2f} s{written})")
    failed = [c for c in proof.comparisons if not c.holds]
    reasons = "; ".join(f"{c.method}: {c.detail or 'differs'}" for c in failed)
    return False, f"NOT proved: {reasons.splitlines()[0] if reasons else 'undecided'}"


@dataclass(frozen=True)
class Audit:
    """The audit of one model: its layers and a summary.

    Truthy when no layer has a finding.
    """

    model: str
    source: str
    layers: tuple[Layer, ...]
    opset: int | None = None
    prove: bool = False
    runtime: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for layer in self.layers for f in layer.findings)

    def __bool__(self) -> bool:
        return not self.findings

    def summary(self) -> dict[str, Any]:
        """Counts: layers, findings (total and by code), proofs, runtime checks."""
        codes = Counter(f.code for f in self.findings)
        return {
            "layers": len(self.layers),
            "findings": sum(codes.values()),
            "by_code": {code: codes[code] for code in FINDINGS if codes[code]},
            "layers_with_findings": sum(1 for layer in self.layers if layer.findings),
            "proved": sum(1 for layer in self.layers if layer.proved) if self.prove else None,
            "not_proved": (sum(1 for layer in self.layers if layer.proved is False)
                           if self.prove else None),
            "runtime": self.runtime,
            "runtime_checked": (sum(1 for layer in self.layers if layer.runtime)
                                if self.runtime else None),
        }

    def to_dict(self) -> dict[str, Any]:
        """``{"model", "source", "opset", "layers": [...], "summary": {...}}``."""
        return {
            "model": self.model,
            "source": self.source,
            "opset": self.opset,
            "layers": [layer.to_dict() for layer in self.layers],
            "summary": self.summary(),
        }

    def _rows(self) -> list[list[str]]:
        rows = [["#", "layer", "op", "input", "output", "k / s / p / d", "findings"]]
        if self.prove:
            rows[0].append("proved")
        for n, layer in enumerate(self.layers):
            g = layer.spec.geometry
            params = "/".join(
                ",".join(str(v) for v in values)
                for values in (g.kernel_size, g.stride,
                               [f"{p[0]}:{p[1]}" if isinstance(p, tuple) else str(p)
                                for p in g.padding],
                               g.dilation)
            )
            if any(g.output_padding):
                params += " a=" + ",".join(str(v) for v in g.output_padding)
            row = [str(n), layer.name, layer.spec.op, shape_text(layer.spec.input_shape),
                   shape_text(layer.output_shape), params, ", ".join(layer.codes) or "-"]
            if self.prove:
                row.append({True: "yes", False: "NO", None: "-"}[layer.proved])
            rows.append(row)
        return rows

    def __str__(self) -> str:
        rows = self._rows()
        sizes = [max(display_width(r[c]) for r in rows) for c in range(len(rows[0]))]
        lines = [f"audit of {self.model} ({self.source}"
                 + (f", opset {self.opset}" if self.opset is not None else "")
                 + f"): {len(self.layers)} transposed {plural(len(self.layers), 'convolution')}"]
        table = ["  ".join(cell + " " * (size - display_width(cell))
                           for cell, size in zip(row, sizes, strict=True)).rstrip()
                 for row in rows]
        if max(map(display_width, table)) <= terminal_width():
            lines += table
        else:  # too wide for a table: one block per layer, a field per line
            header = rows[0]
            for row in rows[1:]:
                lines.append(f"[{row[0]}] {row[1]} ({row[2]})")
                lines += [f"    {name}: {cell}" for name, cell in zip(header[3:], row[3:],
                                                                     strict=True)]

        for n, layer in enumerate(self.layers):
            lines.append("")
            lines.append(f"[{n}] {layer.name}: {layer.spec.geometry.describe()}")
            for target, t in layer.translations.items():
                if isinstance(t, str):
                    lines.append(f"  {target}: cannot run it: {t}")
                    continue
                kwargs = ", ".join(f"{k}={_short(v)}" for k, v in t.kwargs.items()
                                   if k not in ("dimension_numbers",))
                crop = "" if t.crop is None else f"; then crop {[list(c) for c in t.crop]}"
                lines.append(f"  {target}: {kwargs}{crop}")
            if layer.proof is not None:
                lines.append(f"  prove: {layer.proof}")
            if layer.runtime is not None:
                lines.append(f"  runtime: {layer.runtime}")
            for finding in layer.findings:
                lines.append(f"  ! {finding}")
        summary = self.summary()
        lines.append("")
        by_code = ", ".join(f"{c} ×{k}" for c, k in summary["by_code"].items())
        lines.append(f"{summary['findings']} {plural(summary['findings'], 'finding')} in "
                     f"{summary['layers_with_findings']} of {summary['layers']} "
                     f"{plural(summary['layers'], 'layer')}" + (f": {by_code}" if by_code else ""))
        if self.prove:
            lines.append(f"proved: {summary['proved']} of {summary['layers']} "
                         f"{plural(summary['layers'], 'layer')}")
        return "\n".join(lines)


def _short(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_short(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value) if isinstance(value, str) else str(value)


def audit_specs(
    model: str,
    source: str,
    specs: Sequence[LayerSpec],
    *,
    targets: Sequence[str] | None = None,
    prove: bool = False,
    runtime: str | None = None,
    opset: int | None = None,
) -> Audit:
    """The :class:`Audit` of layers a reader found (the common part of every audit)."""
    from ..conventions import FRAMEWORKS

    chosen = tuple(targets if targets else FRAMEWORKS)
    unknown = [t for t in chosen if t not in FRAMEWORKS]
    if unknown:
        raise ParameterError(f"targets must be among {', '.join(FRAMEWORKS)}, got {unknown[0]!r}")
    if runtime is not None and runtime not in RUNTIMES:
        raise ParameterError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
    _require(specs, prove=prove, runtime=runtime)
    proofs: dict[Geometry, tuple[bool, str]] = {}
    layers = []
    for spec in specs:
        proof = None
        if prove:
            if spec.geometry not in proofs:
                proofs[spec.geometry] = _proof(spec.geometry)
            proof = proofs[spec.geometry]
        ran = check_runtime(spec, runtime) if runtime else None
        layers.append(analyse(spec, targets=chosen, proof=proof, runtime=ran))
    return Audit(model, source, tuple(layers), opset=opset, prove=prove, runtime=runtime)


def audit_onnx(
    model: str | Path | Any,
    *,
    targets: Sequence[str] | None = None,
    prove: bool = False,
    runtime: str | None = None,
    input_shape: Sequence[int] | None = None,
) -> Audit:
    """Audit every ``ConvTranspose`` of an ONNX model (a path or a ``ModelProto``).

    Examples
    ========

    An ONNX ``SAME_UPPER`` layer (needs the onnx package, so not a doctest;
    ``tests/test_audit.py`` runs it)::

        from onnx import TensorProto, helper
        node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[2, 2],
                                auto_pad="SAME_UPPER")
        graph = helper.make_graph(
            [node], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 1, 3, 3]),
                          helper.make_tensor_value_info("W", TensorProto.FLOAT, [1, 1, 3, 3])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
        audit = audit_onnx(helper.make_model(graph), targets=["torch"])
        audit.layers[0].output_shape     # (1, 1, 6, 6)
        audit.layers[0].codes            # ('asymmetric-padding', 'checkerboard')
        audit.layers[0].translations["torch"].crop   # ((0, 1), (0, 1))

    Parameters
    ==========

    model : str, Path or onnx.ModelProto
    targets : sequence of str, optional
        Frameworks to translate each layer into (default: all of
        :data:`symtconv.conventions.FRAMEWORKS`).
    prove : bool
        Prove each distinct geometry exactly with the fast engine.
    runtime : str, optional
        ``"onnxruntime"``: run each layer there and compare exactly.
    input_shape : sequence of int, optional
        The shape of the model's single graph input (for dynamic sizes).
    """
    from .onnx_model import read_onnx

    name, opset, specs = read_onnx(model, input_shape=input_shape)
    return audit_specs(name, "onnx", specs, targets=targets, prove=prove, runtime=runtime,
                       opset=opset)


def audit_torch(
    module: Any,
    input_shape: Sequence[int],
    *,
    name: str | None = None,
    targets: Sequence[str] | None = None,
    prove: bool = False,
    runtime: str | None = None,
) -> Audit:
    """Audit every ``torch.nn.ConvTranspose*d`` a module runs on a zero input.

    Examples
    ========

    (needs torch, so not a doctest; ``tests/test_audit.py`` runs it)::

        import torch
        net = torch.nn.Sequential(torch.nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1))
        audit = audit_torch(net, (1, 4, 8, 8), targets=["onnx"])
        audit.layers[0].name, audit.layers[0].output_shape, bool(audit)
        # ('0', (1, 2, 16, 16), True)

    Parameters
    ==========

    module : torch.nn.Module
    input_shape : sequence of int
        ``(N, C, *spatial)`` of the zero input the module runs on.
    name, targets, prove, runtime :
        As for :func:`audit_onnx`; ``name`` labels the report.
    """
    from .torch_model import trace_torch

    specs = trace_torch(module, input_shape)
    return audit_specs(name or type(module).__name__, "torch", specs, targets=targets,
                       prove=prove, runtime=runtime)
