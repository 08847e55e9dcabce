"""The matrix C of the forward convolution, whose transpose is the transposed convolution.

Explanation
===========

The forward convolution with the same kernel, stride, padding and dilation maps a
signal ``x`` of the transposed conv's *output* size to ``y``:

.. math::  y[c, n] = \\sum_{c'} \\sum_m w[c, c'_{local}, m] \\, x[c', s n + d m - p]

(terms outside ``x`` are zero; ``c'`` runs over the output channels of ``c``'s group).
Written as ``vec(y) = C vec(x)`` with row-major vec order over ``(channel, *spatial)``,
the entry of C in row ``(c, n)`` and column ``(c', j)`` is

.. math::  C[(c, n), (c', j)] = \\sum_m w[c, c'_{local}, m] \\, [j = s n + d m - p]

per axis (the condition holds on every axis at once).  C has one row per forward
output — ``i`` per axis exactly when ``output_padding < stride`` — and one column per
entry of ``x``: shape ``(C_in·Π i) × (C_out·Π o)``.

Examples
========

Dumoulin & Visin's example: a 3×3 kernel on a 4×4 input, unit stride, no padding, is a
4×16 matrix whose first row is ``w00 w01 w02 0 w10 w11 w12 0 w20 w21 w22 0 0 0 0 0``.
In symtconv's terms that is the forward conv of a transposed conv with a 2×2 input:

>>> from symtconv import Geometry, conv_matrix
>>> C = conv_matrix(Geometry((2, 2), 3))
>>> C.shape
(4, 16)
>>> print(*C.row(0))
w_{0,0} w_{0,1} w_{0,2} 0 w_{1,0} w_{1,1} w_{1,2} 0 w_{2,0} w_{2,1} w_{2,2} 0 0 0 0 0
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

import numpy as np
import sympy as sp

from .errors import ShapeError
from .geometry import Geometry
from .tensors import spatial_shape, weight_symbols

__all__ = ["conv_matrix", "matrix_entries"]


def _taps_1d(n: int, axis_k: int, s: int, d: int, p: int, o: int) -> list[tuple[int, int]]:
    """(tap m, column j) pairs of row ``n`` on one axis: ``j = s n + d m - p`` inside ``[0, o)``."""
    return [(m, s * n + d * m - p) for m in range(axis_k) if 0 <= s * n + d * m - p < o]


def matrix_entries(
    geometry: Geometry,
) -> Iterator[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]]:
    """Yield ``(row index, column index, weight index)`` for every nonzero of C.

    Row index is ``(c_in, *n)`` (forward output), column index ``(c_out, *j)``, weight
    index ``(c_in, c_out_local, *m)`` — the tap ``w[weight index]`` stands in that entry.
    """
    axes = geometry.axes
    out_sizes = spatial_shape(geometry, geometry.output_size)
    rows = spatial_shape(geometry, geometry.forward_output_size)
    per_group_in = geometry.in_channels // geometry.groups
    per_group_out = geometry.out_channels // geometry.groups
    for c_in in range(geometry.in_channels):
        group = c_in // per_group_in
        for n in np.ndindex(*rows):
            taps = [
                _taps_1d(nn, int(ax.k), int(ax.s), int(ax.d), int(ax.p_begin), o)
                for nn, ax, o in zip(n, axes, out_sizes, strict=True)
            ]
            for combo in product(*taps):
                m = tuple(t[0] for t in combo)
                j = tuple(t[1] for t in combo)
                for local in range(per_group_out):
                    c_out = group * per_group_out + local
                    yield (c_in, *n), (c_out, *j), (c_in, local, *m)


def conv_matrix(geometry: Geometry, weight: np.ndarray | None = None) -> sp.SparseMatrix:
    """The forward convolution's matrix C as a SymPy ``SparseMatrix``.

    Explanation
    ===========

    ``C`` maps ``vec(x)`` (the transposed conv's output space, length ``C_out·Π o``) to
    ``vec(y)`` (length ``C_in·Π i'`` with ``i'`` the forward output size, which is the
    input size ``i`` whenever ``output_padding < stride``).  The transposed convolution
    is ``Cᵀ vec(y)``.

    Parameters
    ==========

    geometry : Geometry
    weight : array of shape ``(C_in, C_out/groups, *k)``, optional
        Numbers or SymPy expressions; the symbols ``w_{...}`` by default.

    Examples
    ========

    >>> from symtconv import Geometry, conv_matrix
    >>> conv_matrix(Geometry(2, 3, stride=2, padding=1))
    Matrix([
    [w_{1}, w_{2},     0],
    [    0, w_{0}, w_{1}]])
    """
    w = weight_symbols(geometry) if weight is None else np.asarray(weight, dtype=object)
    if w.shape != geometry.weight_shape:
        raise ShapeError(
            f"weight has shape {w.shape}, but the geometry needs {geometry.weight_shape} "
            "(C_in, C_out/groups, *kernel_size)"
        )
    rows = spatial_shape(geometry, (geometry.in_channels, *geometry.forward_output_size))
    cols = spatial_shape(geometry, geometry.output_shape)
    entries: dict[tuple[int, int], sp.Expr] = {}
    for row, col, tap in matrix_entries(geometry):
        key = (int(np.ravel_multi_index(row, rows)), int(np.ravel_multi_index(col, cols)))
        entries[key] = entries.get(key, 0) + sp.sympify(w[tap])
    return sp.SparseMatrix(int(np.prod(rows)), int(np.prod(cols)), entries)
