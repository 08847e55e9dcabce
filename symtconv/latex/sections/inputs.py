"""Sections 1-2 of a concrete derivation: setup and notation, the tensors y and w."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from ...console import plural as _plural
from ..writer import _Writer
from .common import (
    _A,
    _D,
    _I,
    _J,
    _K,
    _LANDS,
    _O,
    _P,
    _S,
    _panels,
    _printed_names,
    _pytorch_call,
    _shape_tex,
    _show,
    _sizes,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_setup(doc: Derivation, out: _Writer) -> None:
    """Section 1: the layer, its parameters per axis, and the one idea (x = Cᵀ·vec(y))."""
    g = doc.geometry
    n = _printed_names(out)
    out.section("Setup and notation")
    out.say(
        f"This document derives the transposed convolution {_pytorch_call(g)} (PyTorch's "
        f"parameters) on an input of spatial size {_sizes(g.input_size)}. Its input {{y}} "
        "has shape {yshape} (channels, then space), its weight {w} has shape {wshape} "
        "(PyTorch's layout: input channel, output channel within the group, kernel) and "
        "its output {x} has shape {xshape}.",
        yshape=_shape_tex(g.input_shape),
        wshape=_shape_tex(g.weight_shape),
        xshape=_shape_tex(g.output_shape),
        **n,
    )
    header = ["axis", "$i$", "$k$", "$s$", "$p$ (begin, end)", "$d$", "$a$", "$o$"]
    rows = [
        " & ".join(
            str(v) for v in (r + 1, ax.i, ax.k, ax.s, f"{ax.p_begin}, {ax.p_end}", ax.d, ax.a, o)
        )
        for r, (ax, o) in enumerate(zip(g.axes, g.output_size, strict=True))
    ]
    out.raw(
        "",
        r"\begin{center}\begin{tabular}{" + "c" * len(header) + "}",
        " & ".join(header) + r"\\\hline",
        *(row + r"\\" for row in rows),
        r"\end{tabular}\end{center}",
    )
    out.say(
        "Per axis (the notation of Dumoulin and Visin): {i} input length, {k} kernel "
        "length, {s} stride, {p} padding (a crop of the full output at each end: "
        "PyTorch's meaning), {d} dilation, {a} output padding, {o} output length. "
        "Indices start at 0, and arrays are flattened row-major (channel first), as "
        "numpy.reshape and PyTorch do.",
        **{str(v): out.tex(v) for v in (_I, _K, _S, _P, _D, _A, _O)},
    )
    out.say(
        "The one idea: the forward convolution with the same kernel, stride, padding and "
        "dilation maps a signal of the output's size to one of the input's size. It is "
        "linear, so it is a matrix {C}: {forward}. The transposed convolution is "
        "multiplication by its transpose, {transposed} — transposed, not inverted: "
        "{inverse} in general. By definition (the scatter that frameworks implement) the "
        "product {product} lands at output position {lands} on every axis, and is "
        "cropped when that is outside {inside}. For this geometry:",
        C="C",
        forward=rf"\operatorname{{vec}}({n['y']}) = C \operatorname{{vec}}({n['x']})",
        transposed=rf"\operatorname{{vec}}({n['x']}) = "
        rf"C^{{\top}} \operatorname{{vec}}({n['y']})",
        inverse=r"C^{\top} C \neq I",
        product=f"{n['y']}_n {n['w']}_m",
        lands=out.tex(_LANDS),
        inside=out.tex(sp.And(_J >= 0, _J < _O)),
    )
    conditions = []
    for r, ax in enumerate(g.axes):
        j, i, m = (
            sp.Symbol(name + (f"_{r + 1}" if g.ndim > 1 else ""), integer=True) for name in "jnm"
        )
        conditions.append(out.tex(sp.Eq(j, ax.s * i + ax.d * m - ax.p_begin)))
    out.display(r",\qquad ".join(conditions))


def write_tensors(doc: Derivation, out: _Writer) -> None:
    """Section 2: the input y and the weight w, as symbols (and values, if given)."""
    g = doc.geometry
    n = _printed_names(out)
    out.section("The input and the kernel")
    if g.in_channels == 1:
        out.say("The input {y}:", **n)
    elif g.ndim == 1:
        out.say("The input {y}, one row per input channel:", **n)
    else:
        out.say("The input {y}, one matrix per input channel:", **n)
    _show(out, _panels(out, doc.symbols.y, "y", 1))
    if (g.in_channels, g.out_channels) == (1, 1):
        out.say("The kernel {w}:", **n)
    else:
        out.say(
            f"The kernel {{w}}, with G = {g.groups} {_plural(g.groups, 'group')} of {{qin}} "
            "input and {qout} "
            "output channels: {entry} connects input channel {c} to output channel "
            "{target}, where {group} is the group of {c}:",
            entry=rf"{n['w']}_{{c,l,\ldots}}",
            qin=rf"Q_{{in}} = {g.in_channels // g.groups}",
            qout=rf"Q_{{out}} = {g.out_channels // g.groups}",
            c="c",
            target=r"g Q_{out} + l",
            group=r"g = \lfloor c / Q_{in} \rfloor",
            **n,
        )
    _show(out, _panels(out, doc.symbols.w, "w", 2))
