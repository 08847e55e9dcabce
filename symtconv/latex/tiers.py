"""What a concrete document shows, built by the SymPy tier (small geometries) or cell by cell
from the 1-D structure of every axis (large ones)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from .. import engine as _engine
from .. import methods as _methods
from ..geometry import Axis, Geometry
from ..matrix import conv_matrix, matrix_entries
from ..tensors import spatial_shape, symbol_name
from .printer import Grid

# --------------------------------------------------------------------------- #
# What a concrete document shows: by the SymPy tier, or cell by cell per axis
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Shown:
    """The arrays a document shows, for symbols or for numbers.

    ``transposed`` is ``Cᵀ·vec(y)`` — with ``y`` extended by zeros to ``C``'s rows when
    the geometry is not adjoint (``output_padding >= stride``).
    """

    y: Grid
    w: Grid
    matrix: Grid
    transposed: Grid
    zero_inserted: Grid
    padded: Grid
    flipped: Grid
    result: Grid


def _sympy_tier(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> _Shown:
    """Run the SymPy tier's methods on whole arrays (small geometries)."""
    steps = _methods.flip_and_pad(geometry, y, w)
    transposed = _methods.transpose(geometry, y, w, extend=geometry.is_adjoint is not True)
    return _Shown(
        y=Grid.of(y),
        w=Grid.of(w),
        matrix=Grid.of(conv_matrix(geometry, w)),
        transposed=Grid.of(transposed),
        zero_inserted=Grid.of(steps.zero_inserted),
        padded=Grid.of(steps.padded),
        flipped=Grid.of(steps.flipped),
        result=Grid.of(steps.result),
    )


@dataclass(frozen=True)
class _AxisMaps:
    """The 1-D structure of one axis, from the library's 1-D functions.

    ``taps`` maps ``(n, j)`` to the tap ``m`` with ``j = s n + d m - p`` (the 1-D ``C``,
    from :func:`matrix_entries`); ``column`` lists the ``(n, m)`` of each column ``j``;
    ``stretched`` and ``padded`` are flip-and-pad's index maps (input index, or ``-1``
    for a zero) and ``flip`` the reversed taps (from :mod:`symtconv.engine`).
    """

    taps: dict[tuple[int, int], int]
    column: dict[int, list[tuple[int, int]]]
    stretched: np.ndarray
    padded: np.ndarray
    flip: np.ndarray
    i: int
    d: int

    @classmethod
    def of(cls, ax: Axis) -> _AxisMaps:
        one = Geometry(
            int(ax.i),
            int(ax.k),
            stride=int(ax.s),
            padding=((int(ax.p_begin), int(ax.p_end)),),
            output_padding=int(ax.a),
            dilation=int(ax.d),
        )
        taps = {(row[1], col[1]): tap[2] for row, col, tap in matrix_entries(one)}
        column: dict[int, list[tuple[int, int]]] = {}
        for (n, j), m in sorted(taps.items()):
            column.setdefault(j, []).append((n, m))
        stretched = _engine.zero_insertion(one)
        padded = _engine.pad_or_crop(stretched, [int(ax.pad_before)], [int(ax.pad_after)])
        return cls(taps, column, stretched, padded, _engine.flip_kernel(one), int(ax.i), int(ax.d))


def _axis_tier(
    geometry: Geometry,
    y: Callable[[tuple[int, ...]], Any],
    w: Callable[[tuple[int, ...]], Any],
) -> _Shown:
    """The same arrays as :func:`_sympy_tier`, built one shown cell at a time.

    Explanation
    ===========

    A transposed convolution is the product of its 1-D structure per axis
    (:class:`_AxisMaps`), with channels in groups.  So an entry of ``C`` is the tap each
    axis selects (or 0), a column of ``C`` is the product of the axes' columns, and
    flip-and-pad's maps are products of the 1-D maps.  Nothing that is not shown is
    built, which keeps layers of any size cheap.  ``y`` and ``w`` give one entry (a
    symbol or a number) by index.
    """
    in_shape = spatial_shape(geometry, geometry.input_shape)
    w_shape = spatial_shape(geometry, geometry.weight_shape)
    out_shape = spatial_shape(geometry, geometry.output_shape)
    forward = spatial_shape(geometry, geometry.forward_output_size)
    maps = [_AxisMaps.of(ax) for ax in geometry.axes]
    per_in = geometry.in_channels // geometry.groups
    per_out = geometry.out_channels // geometry.groups
    rows_shape = (geometry.in_channels, *forward)

    def c_entry(rc: tuple[int, ...]) -> Any:
        c, *n = (int(v) for v in np.unravel_index(rc[0], rows_shape))
        co, *j = (int(v) for v in np.unravel_index(rc[1], out_shape))
        if c // per_in != co // per_out:
            return 0
        m = [a.taps[nj] for a, nj in zip(maps, zip(n, j, strict=True), strict=True) if nj in a.taps]
        return w((c, co % per_out, *m)) if len(m) == len(maps) else 0

    def transposed(index: tuple[int, ...]) -> Any:
        co, *j = index
        group = range((co // per_out) * per_in, (co // per_out + 1) * per_in)
        columns = [a.column.get(jj, []) for a, jj in zip(maps, j, strict=True)]
        terms = []
        for combo in itertools.product(*columns):
            n = tuple(nm[0] for nm in combo)
            if any(nn >= a.i for nn, a in zip(n, maps, strict=True)):
                continue  # a row of C past the end of y: y extended by zeros
            m = tuple(nm[1] for nm in combo)
            terms += [sp.sympify(w((c, co % per_out, *m))) * y((c, *n)) for c in group]
        return sp.Add(*terms)

    def placed(name: str) -> Callable[[tuple[int, ...]], Any]:
        def get(index: tuple[int, ...]) -> Any:
            n = [int(getattr(a, name)[t]) for a, t in zip(maps, index[1:], strict=True)]
            return 0 if min(n) < 0 else y((index[0], *n))

        return get

    def flipped(index: tuple[int, ...]) -> Any:
        taps = (int(a.flip[f]) for a, f in zip(maps, index[2:], strict=True))
        return w((index[0], index[1], *taps))

    def result(index: tuple[int, ...]) -> Any:
        co, *j = index
        group = range((co // per_out) * per_in, (co // per_out + 1) * per_in)
        # per axis, the taps f whose window cell j + d·f of the padded input holds y[n]
        reads = [
            [(f, int(a.padded[jj + a.d * f])) for f in range(a.flip.size)]
            for a, jj in zip(maps, j, strict=True)
        ]
        terms = []
        for combo in itertools.product(*([fn for fn in r if fn[1] >= 0] for r in reads)):
            f = tuple(fn[0] for fn in combo)
            n = tuple(fn[1] for fn in combo)
            terms += [sp.sympify(flipped((c, co % per_out, *f))) * y((c, *n)) for c in group]
        return sp.Add(*terms)

    spatial = [len(a.stretched) for a in maps], [len(a.padded) for a in maps]
    return _Shown(
        y=Grid(in_shape, y),
        w=Grid(w_shape, w),
        matrix=Grid((math.prod(rows_shape), math.prod(out_shape)), c_entry),
        transposed=Grid(out_shape, transposed),
        zero_inserted=Grid((in_shape[0], *spatial[0]), placed("stretched")),
        padded=Grid((in_shape[0], *spatial[1]), placed("padded")),
        flipped=Grid(w_shape, flipped),
        result=Grid(out_shape, result),
    )


def _symbol(base: str, shape: tuple[int, ...], channel_axes: int) -> Callable[..., sp.Symbol]:
    return lambda index: sp.Symbol(symbol_name(base, tuple(index), shape, channel_axes))


TIERS = ("auto", "sympy", "axes")
