"""What the sections of a concrete derivation share: symbols of the general formulas, sentence
and display helpers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from ...geometry import Axis, Geometry
from ..printer import MAX_SLICES, ElidedMatrix, Grid, TensorSlice, shown_indices
from ..writer import _font, _pack, _Writer


def _pytorch_call(g: Geometry) -> str:
    """The geometry as the PyTorch layer that has it, e.g. ``ConvTranspose2d(3, 6, ...)``.

    >>> from symtconv import Geometry
    >>> from symtconv.latex.sections.common import _pytorch_call
    >>> _pytorch_call(Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6))
    'ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)'
    """

    def value(values: tuple[Any, ...]) -> str:
        return str(values[0]) if len(set(values)) == 1 else str(tuple(values))

    name = f"ConvTranspose{g.ndim}d" if g.ndim <= 3 else f"ConvTranspose ({g.ndim}-d)"
    parts = [str(g.in_channels), str(g.out_channels), f"kernel_size={value(g.kernel_size)}"]
    for label, values, default in (
        ("stride", g.stride, 1),
        ("padding", g.padding, 0),
        ("output_padding", g.output_padding, 0),
        ("groups", (g.groups,), 1),
        ("dilation", g.dilation, 1),
    ):
        if any(v != default for v in values):
            parts.append(f"{label}={value(values)}")
    return f"{name}({', '.join(parts)})"


def _sizes(values: Iterable[Any]) -> str:
    return "×".join(str(v) for v in values)


# The symbols of the general formulas (one axis, no subscript).
_I, _K, _S, _P, _A, _D, _O = sp.symbols("i k s p a d o", integer=True)
_J, _N, _M = sp.symbols("j n m", integer=True)
_PLAIN = Axis(_I, _K, _S, _P, _P, _A, _D)
#: The index condition of the scatter, ``j = s n + d m - p``.
_LANDS = sp.Eq(_J, _S * _N + _D * _M - _P)

_ENGINES = {
    "sympy": "with SymPy expressions: every output of every method expanded and compared "
    "term by term",
    "fast": "with the fast exact engine: every method executed on exact (output, y, w) "
    "index triples and compared in a sorted canonical form",
}


def _forward_length(ax: Axis, o: Any) -> Any:
    """Where the forward convolution's window fits: ``floor((o + p_b + p_e - d(k-1) - 1)/s) + 1``.

    Written with ``o`` as a symbol, for display; the document checks its value against
    :attr:`Geometry.forward_output_size`.
    """
    return sp.floor((o + ax.p_begin + ax.p_end - ax.d * (ax.k - 1) - 1) / ax.s) + 1


#: Up to this many outputs, numbers are compared on every entry; past it, at the corners.
MAX_CHECKED = 4096


def _checked_cells(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every index of ``shape``, or (past :data:`MAX_CHECKED`) the corner indices."""
    if math.prod(shape) <= MAX_CHECKED:
        return [tuple(int(v) for v in index) for index in np.ndindex(*shape)]
    axes = [[v for v in shown_indices(n, 0) if v is not None] for n in shape]
    return list(itertools.product(*axes))


def _same(a: Grid, b: Grid, cells: Iterable[tuple[int, ...]]) -> bool:
    """Whether two grids agree exactly on ``cells``."""
    return a.shape == b.shape and all(
        sp.sympify(a.get(index)) == sp.sympify(b.get(index)) for index in cells
    )


def _elided(grid: Grid) -> ElidedMatrix:
    """A 2-D grid as an :class:`ElidedMatrix`."""
    return ElidedMatrix.of((grid.shape[0], grid.shape[1]), grid.get)


def _matrix_tex(out: _Writer, grid: Grid) -> str:
    """A kernel-shaped grid ``(1, *k)`` as one matrix (a 1-D kernel as a row vector; of
    more axes, the first 2-D slice)."""
    squeezed = grid.squeeze(1).as_matrix()
    return out.tex(_elided(squeezed.at((0,) * (len(squeezed.shape) - 2))))


def _leading_indices(shape: tuple[int, ...]) -> list[tuple[int, ...] | None]:
    """Which leading indices get a panel: all, or the first two and the last."""
    total = math.prod(shape)
    picked = range(total) if total <= MAX_SLICES else (0, 1, None, total - 1)
    return [
        None if flat is None else tuple(int(v) for v in np.unravel_index(flat, shape))
        for flat in picked
    ]


def _interior_pattern(j: sp.Symbol, interior: Sequence[int]) -> Any:
    """The interior count as a function of ``j``: a number, or a ``Piecewise`` over
    ``j mod period`` with the residues of equal counts together."""
    period = len(interior)
    groups: dict[int, list[int]] = {}
    for residue, value in enumerate(interior):
        groups.setdefault(value, []).append(residue)
    if len(groups) == 1:
        return sp.Integer(interior[0])
    pieces = [
        (sp.Integer(value), sp.Or(*(sp.Eq(sp.Mod(j, period), r) for r in residues)))
        for value, residues in groups.items()
    ]
    return sp.Piecewise(*pieces[:-1], (pieces[-1][0], True))


def _and_list(values: Sequence[Any]) -> str:
    """``1, 2 and 4``."""
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _on_axes(axes: Sequence[int], ndim: int) -> str:
    """Where a reason holds: nothing in 1-d, else ``on axis 2`` / ``on both axes`` / …"""
    if ndim == 1:
        return ""
    if len(axes) == ndim:
        return " on both axes" if ndim == 2 else " on every axis"
    return " on axis " + _and_list(axes) if len(axes) == 1 else " on axes " + _and_list(axes)


def _shape_tex(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ")"


def _printed_names(out: _Writer) -> dict[str, str]:
    """The printed names of y, w, x (for sentences)."""
    return {b: out.tex(sp.Symbol(b)) for b in "ywx"}


def _axis(geometry: Geometry, r: int) -> tuple[Axis, dict[Any, Any]]:
    """Axis ``r`` with symbols (subscripted when N > 1), and the symbols' values."""
    ax = geometry.axes[r]
    suffix = f"_{r + 1}" if geometry.ndim > 1 else ""
    i, k, s, d, a = (sp.Symbol(n + suffix, integer=True) for n in "iksda")
    if ax.p_begin == ax.p_end:
        p_b = p_e = sp.Symbol("p" + suffix, integer=True)
    else:
        p_b, p_e = (sp.Symbol(f"p_{{{e}{suffix[1:]}}}", integer=True) for e in "be")
    values = {i: ax.i, k: ax.k, s: ax.s, p_b: ax.p_begin, p_e: ax.p_end, a: ax.a, d: ax.d}
    values[_o(geometry, r)] = geometry.output_size[r]
    return Axis(i, k, s, p_b, p_e, a, d), values


def _o(geometry: Geometry, r: int) -> sp.Symbol:
    return sp.Symbol("o" + (f"_{r + 1}" if geometry.ndim > 1 else ""), integer=True)


def _panels(
    out: _Writer,
    grid: Grid,
    base: str,
    channel_axes: int,
    values: Grid | None = None,
    accent: str = "",
) -> list[str]:
    """A tensor as matrices (its last two axes), one per leading index, labelled;
    with ``values``, each followed by ``= (the same with the values)``."""
    grids = [g.squeeze(channel_axes).as_matrix() for g in (grid, values) if g is not None]
    leading = grids[0].shape[:-2]
    panels = []
    for index in _leading_indices(leading):
        if index is None:
            panels.append(r"\cdots")
            continue
        label = out.tex(TensorSlice(base, index, 2 if leading else 0, accent))
        shown = [out.tex(_elided(g.at(index))) for g in grids]
        joined = " = ".join([label, *shown])
        if len(shown) > 1 and _font(joined) not in ("", r"\small"):
            # too wide for one line: the values go on a line of their own
            panels += [f"{label} = {shown[0]}", f"= {shown[1]}"]
        else:
            panels.append(joined)
    return panels


def _show(out: _Writer, *panels: list[str]) -> None:
    """Panels packed into display lines that fit the page."""
    out.gather(_pack(p for group in panels for p in group))
