"""The matrix sections: C from the forward definition (its taps, its blocks), and Cᵀ·vec(y)
entry by entry."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from ...console import plural as _plural
from ...tensors import spatial_shape, symbol_name
from ..printer import MAX_COLS, MAX_ENTRIES, MAX_ROWS, ElidedMatrix, ElidedSum, Grid
from ..tiers import _AxisMaps
from ..writer import _Writer
from .common import _LANDS, _printed_names, _show, _sizes

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_matrix(doc: Derivation, out: _Writer, figure: str | None = None) -> None:
    """C from the forward definition: where each tap stands, its channel blocks, C itself."""
    g = doc.geometry
    n = _printed_names(out)
    c = doc.symbols.matrix
    rows, cols = c.shape
    forward = spatial_shape(g, g.forward_output_size)
    out.section("The matrix C of the forward convolution, and its transpose")
    inputs = f"{g.in_channels} {_plural(g.in_channels, 'channel')} of size {_sizes(forward)}"
    outputs = f"{g.out_channels} {_plural(g.out_channels, 'channel')}"
    out.say(
        f"{{C}} has one row per entry of the forward convolution's output ({inputs}) and "
        f"one column per entry of {{x}} ({outputs} of size {_sizes(g.output_size)}): it is "
        f"{rows}×{cols}. Row {{row}} holds the taps of {{w}} that the forward convolution "
        "applies to {x} to produce its output {row}.",
        C="C",
        row="(c, n)",
        **n,
    )
    if g.is_adjoint is not True:
        out.say(
            "Here output_padding is not smaller than the stride on some axis "
            f"(output_padding={g.output_padding}, stride={g.stride}; PyTorch accepts it "
            "because it is smaller than the dilation). The forward convolution then maps "
            f"the output size {_sizes(g.output_size)} to {_sizes(forward)}, not to the "
            f"input size {_sizes(g.input_size)}: {{C}} has {rows} rows while {{y}} has "
            f"{math.prod(g.input_shape)} entries.",
            C="C",
            **n,
        )
    _taps(doc, out)
    if (g.in_channels, g.out_channels) != (1, 1):
        _blocks(doc, out)
    matrix = ElidedMatrix.of((rows, cols), c.get)
    elided = rows > MAX_ROWS or cols > MAX_COLS
    out.say(
        "{C} itself" + (" (its corners: the dots stand for the rest)" if elided else "") + ":",
        C="C",
    )
    out.matrix("C", matrix)
    out.say(f"and its transpose, the matrix of the transposed convolution ({cols}×{rows}):")
    transposed = ElidedMatrix.of((cols, rows), lambda rc: c.get((rc[1], rc[0])))
    out.matrix(r"C^{\top}", transposed)
    if figure is not None:
        from ...figures.style import FULL_COLUMNS, FULL_ROWS

        whole = rows <= FULL_ROWS and cols <= FULL_COLUMNS
        out.figure(
            figure,
            "The pattern of {C}: each nonzero coloured by the kernel tap that stands in it"
            + (
                "."
                if whole
                else " — its channel blocks (shaded by the density of their nonzeros), "
                "and a zoom on the top-left corner of the first block."
            ),
            C="C",
        )


def _taps(doc: Derivation, out: _Writer) -> None:
    g = doc.geometry
    w = _printed_names(out)["w"]
    grouped = (g.in_channels, g.out_channels) != (1, 1)
    suffix = [f"_{{{r + 1}}}" if g.ndim > 1 else "" for r in range(g.ndim)]
    # bracket notation: T_r's arguments and w's indices stay first-level (no index of an
    # index, which would print at 5 pt)
    taps = ", ".join(f"T{sub}[n{sub}, j{sub}]" for sub in suffix)
    out.say(
        "Every axis has the same 1-D pattern: {T} when {lands} (a dot where no tap lands). "
        "An entry of {C} is the tap its axes select,",
        T="T[n, j] = m",
        lands=out.tex(_LANDS),
        C="C",
    )
    if grouped:
        out.display(rf"C[(c, n), (c', j)] = {w}[c, c' - g Q_{{out}}, {taps}]")
    else:
        out.display(rf"C[n, j] = {w}[{taps}]")
    out.say(
        "when every axis has a tap"
        + (" and the channels are in the same group g" if grouped else "")
        + ", and 0 otherwise. Here:"
    )
    panels = []
    for r, ax in enumerate(g.axes):
        taps_r = _AxisMaps.of(ax).taps
        shape = (int(g.forward_output_size[r]), int(g.output_size[r]))
        matrix = ElidedMatrix.of(shape, taps_r.get)
        panels.append(f"T{suffix[r]} = {out.tex(matrix)}")
    _show(out, panels)


def _blocks(doc: Derivation, out: _Writer) -> None:
    g = doc.geometry
    w = _printed_names(out)["w"]
    per_in, per_out = g.in_channels // g.groups, g.out_channels // g.groups
    blocks = ElidedMatrix.of(
        (g.in_channels, g.out_channels),
        lambda cc: (
            sp.Symbol(f"C_{{{cc[0]},{cc[1]}}}")
            if cc[0] // per_in == cc[1] // per_out
            else sp.Integer(0)
        ),
        max_rows=8,
        max_cols=8,
        head=3,
        tail=1,
    )
    spatial = math.prod(spatial_shape(g, g.forward_output_size))
    columns = math.prod(spatial_shape(g, g.output_size))
    out.say(
        f"With channels, {{C}} is a {g.in_channels}×{g.out_channels} matrix of blocks: "
        f"block {{block}} ({spatial}×{columns}) is the spatial matrix of the kernel "
        "{kernel} when channels {c} and {cp} are in the same group {g}, and zero "
        "otherwise. Every block has the pattern of the first:",
        C="C",
        block="C[c, c']",  # not C_{c,c'}: the prime would be a second-level script
        kernel=rf"{w}[c, c' - g Q_{{out}}, \ldots]",
        c="c",
        cp="c'",
        g="g",
    )
    first = ElidedMatrix.of((spatial, columns), doc.symbols.matrix.get)
    _show(out, ["C = " + out.tex(blocks)])
    out.matrix("C_{0,0}", first)  # in blocks of columns when too wide for the line


def write_transpose(doc: Derivation, out: _Writer) -> None:
    """Cᵀ·vec(y), entry by entry: each output as a sum of y·w terms."""
    g = doc.geometry
    n = _printed_names(out)
    shown = doc.symbols
    out.section("The transposed convolution entry by entry")
    shape = shown.y.shape
    vec = ElidedMatrix.of(
        (1, math.prod(shape)),
        lambda rc: shown.y.get(tuple(int(v) for v in np.unravel_index(rc[1], shape))),
        max_cols=10,
    )
    out.say("Flattened row-major,")
    out.display(rf"\operatorname{{vec}}({n['y']}) = {out.tex(vec)}^{{\top}}")
    product = rf"C^{{\top}} \operatorname{{vec}}({n['y']})"
    if g.is_adjoint is True:
        out.say(
            "and each entry of {x} is a column of {C} times {vec}:",
            x=f"{n['x']} = {product}",
            C="C",
            vec=rf"\operatorname{{vec}}({n['y']})",
        )
    else:
        out.say(
            "{product} is not defined here ({C} has more rows than {y} has entries). "
            "With {y} extended by zeros at the high end to the forward convolution's "
            "output size, the entries of {product} are (the proof below compares them with "
            "the definition):",
            product=product,
            C="C",
            **n,
        )
    out.align(_entries(doc, out, shown.transposed))


def _entries(doc: Derivation, out: _Writer, grid: Grid) -> list[tuple[str, str]]:
    """``x_{j} = …`` for the shown outputs (all of them when there are few)."""
    shape = grid.shape
    total = math.prod(shape)
    flat: Sequence[int | None] = (
        range(total) if total <= MAX_ENTRIES else (*range(6), None, *range(total - 3, total))
    )
    rows = []
    for number in flat:
        if number is None:
            rows.append((r"\vdots", ""))
            continue
        index = tuple(int(v) for v in np.unravel_index(number, shape))
        name = sp.Symbol(symbol_name("x", index, shape, 1))
        rows.append((out.tex(name), out.tex(ElidedSum(grid.get(index)))))
    return rows
