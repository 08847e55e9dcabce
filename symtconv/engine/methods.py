"""The four methods, each executed on index arrays into a
:class:`~symtconv.engine.term_sets.TermSet`.

Scatter (the definition, and the reference), ``Cᵀy`` from the forward conv's matrix,
flip-and-pad one step at a time, and the VJP of the forward convolution; :func:`terms`
picks one by name.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from functools import reduce
from typing import NamedTuple

import numpy as np

from ..errors import NotAdjointError, ParameterError, ShapeError
from ..geometry import Geometry
from ..tensors import spatial_shape
from .term_sets import _INT, Index, TermSet, TermSpace

#: A method of the engine: the term set of a geometry's output.
MethodTerms = Callable[[Geometry], "TermSet"]


def _strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major strides (in elements) of ``shape``."""
    return tuple(math.prod(shape[j + 1 :]) for j in range(len(shape)))


def _outer_sum(parts: Sequence[Index]) -> Index:
    """All sums ``parts[0][a] + parts[1][b] + ...``, row-major (axis 0 slowest)."""
    if not parts:
        return np.zeros(1, dtype=_INT)
    return np.asarray(reduce(np.add.outer, parts), dtype=_INT).reshape(-1)


def _outer_blocks(channel_keys: Index, spatial_blocks: Sequence[Index]) -> Index:
    """``channel_keys[a] + block[b]`` for every block, concatenated (one allocation)."""
    total = channel_keys.size * sum(block.size for block in spatial_blocks)
    keys = np.empty(total, dtype=_INT)
    start = 0
    for block in spatial_blocks:
        size = channel_keys.size * block.size
        np.add.outer(channel_keys, block, out=keys[start : start + size].reshape(-1, block.size))
        start += size
    return keys


# The geometry, per axis, as plain integers
# --------------------------------------------------------------------------- #


class _Axis(NamedTuple):
    i: int
    k: int
    s: int
    p_begin: int
    p_end: int
    a: int
    d: int
    o: int


def _axes(geometry: Geometry) -> tuple[_Axis, ...]:
    spatial_shape(geometry, geometry.output_size)  # a clear error for symbolic sizes
    return tuple(
        _Axis(*(int(v) for v in (ax.i, ax.k, ax.s, ax.p_begin, ax.p_end, ax.a, ax.d, ax.output)))
        for ax in geometry.axes
    )


def _channels_per_group(geometry: Geometry) -> tuple[int, int]:
    """``(C_in/groups, C_out/groups)``."""
    return geometry.in_channels // geometry.groups, geometry.out_channels // geometry.groups


def _not_adjoint(geometry: Geometry, what: str, rows: int, entries: int) -> str:
    """Why ``Cᵀy`` (or the VJP) has no meaning when ``output_padding >= stride``."""
    reasons = []
    for n, ax in enumerate(_axes(geometry)):
        forward = (ax.o + ax.p_begin + ax.p_end - ax.d * (ax.k - 1) - 1) // ax.s + 1
        if forward != ax.i:
            reasons.append(
                f"on axis {n} output_padding={ax.a} >= stride={ax.s}, so the forward conv "
                f"maps the output length {ax.o} to {forward}, not to the input length {ax.i}"
            )
    return (
        f"{what} is not defined for this geometry: the forward convolution's output has "
        f"{rows} entries but y has {entries} ({'; '.join(reasons)}). PyTorch accepts it "
        "because output_padding < dilation, but the transposed conv is then not the "
        "transpose (nor the gradient) of the convolution with the same parameters"
    )


# --------------------------------------------------------------------------- #
# Method 1: scatter (the definition, and the reference)
# --------------------------------------------------------------------------- #


def scatter_terms(geometry: Geometry) -> TermSet:
    """The scatter definition: ``x[s·n + d·m - p_begin] += y[n]·w[m]`` for all ``n, m``.

    Loops over the kernel taps ``m`` (N-d), and for each tap places every input at once:
    per axis the landing position is ``s·n + d·m - p_begin``, dropped outside
    ``[0, o)``; the N-d block is the product of the axes.  Input channel ``c`` of group
    ``g = c // (C_in/groups)`` feeds output channel ``g·(C_out/groups) + j`` through
    ``w[c, j]``.

    >>> from symtconv import Geometry
    >>> ts = scatter_terms(Geometry(2, 2, stride=2))
    >>> [str(ts.expression((0, j))) for j in range(4)]
    ['w_{0}*y_{0}', 'w_{1}*y_{0}', 'w_{0}*y_{1}', 'w_{1}*y_{1}']
    """
    space = TermSpace.of(geometry)
    axes = _axes(geometry)
    in_per_group, out_per_group = _channels_per_group(geometry)
    out_strides = _strides([ax.o for ax in axes])
    in_strides = _strides([ax.i for ax in axes])
    tap_strides = _strides([ax.k for ax in axes])
    spatial_outputs = math.prod(ax.o for ax in axes)
    spatial_inputs = math.prod(ax.i for ax in axes)
    taps = math.prod(ax.k for ax in axes)
    per_output, per_input = space.output_stride, space.weights

    # channels: input channel c, weight column j, output channel g·(C_out/groups) + j
    c = np.arange(geometry.in_channels, dtype=_INT)[:, None]
    j = np.arange(out_per_group, dtype=_INT)[None, :]
    out_channel = (c // in_per_group) * out_per_group + j
    channel_keys = (
        out_channel * (spatial_outputs * per_output)
        + c * (spatial_inputs * per_input)
        + (c * out_per_group + j) * taps
    ).reshape(-1)

    blocks = []
    for tap in itertools.product(*(range(ax.k) for ax in axes)):
        per_axis = []
        for ax, m, out_stride, in_stride in zip(axes, tap, out_strides, in_strides, strict=True):
            n = np.arange(ax.i, dtype=_INT)
            lands = ax.s * n + ax.d * m - ax.p_begin
            inside = (lands >= 0) & (lands < ax.o)
            per_axis.append(
                lands[inside] * (out_stride * per_output) + n[inside] * (in_stride * per_input)
            )
        spatial = _outer_sum(per_axis) + sum(m * t for m, t in zip(tap, tap_strides, strict=True))
        if spatial.size:
            blocks.append(spatial)
    return TermSet._from_owned_keys(space, _outer_blocks(channel_keys, blocks))


# --------------------------------------------------------------------------- #
# Method 2: Cᵀy
# --------------------------------------------------------------------------- #


class MatrixEntries(NamedTuple):
    """The nonzeros of the forward conv's matrix ``C``: ``C[rows[e], columns[e]] ∋ w[weights[e]]``.

    ``shape`` is ``(C_in · Π forward_output, C_out · Π o)``; all indices are flat
    row-major (rows over ``(C_in, *forward_output)``, columns over ``x``'s
    ``(C_out, *o)``, weights over ``w``).
    """

    rows: Index
    columns: Index
    weights: Index
    shape: tuple[int, int]


def conv_matrix_entries(geometry: Geometry) -> MatrixEntries:
    """The nonzeros of ``C``, built from the forward convolution's definition.

    Explanation
    ===========

    The forward conv (same ``k, s, p, d``) maps ``x`` (length ``o``) to
    ``conv(x)[n] = Σ_m w[m]·x[s·n + d·m - p_begin]``, so ``C[n, j]`` holds ``w[m]``
    exactly when ``j = s·n + d·m - p_begin`` is inside ``[0, o)``; its rows ``n`` run
    over the forward output length ``floor((o + p_begin + p_end - d(k-1) - 1)/s) + 1``.
    The N-d matrix is the Kronecker product of the per-axis ones (rows, columns and
    taps are all row-major), and with channels ``C`` has a block ``w[c, j, :]`` in block
    row ``c`` and block column ``g·(C_out/groups) + j``.

    >>> from symtconv import Geometry
    >>> C = conv_matrix_entries(Geometry(2, 2, stride=2))   # o = 4: C is 2×4
    >>> C.shape, C.rows.tolist(), C.columns.tolist(), C.weights.tolist()
    ((2, 4), [0, 0, 1, 1], [0, 1, 2, 3], [0, 1, 0, 1])
    """
    axes = _axes(geometry)
    in_per_group, out_per_group = _channels_per_group(geometry)

    # one axis: rows n of the forward output, taps m, column s·n + d·m - p_begin
    rows, columns, taps = np.zeros(1, _INT), np.zeros(1, _INT), np.zeros(1, _INT)
    forward_sizes = []
    for ax in axes:
        forward = (ax.o + ax.p_begin + ax.p_end - ax.d * (ax.k - 1) - 1) // ax.s + 1
        forward_sizes.append(forward)
        n = np.arange(forward, dtype=_INT)[:, None]
        m = np.arange(ax.k, dtype=_INT)[None, :]
        column = ax.s * n + ax.d * m - ax.p_begin
        inside = (column >= 0) & (column < ax.o)
        axis_rows, axis_taps = np.nonzero(inside)
        axis_columns = column[inside]
        # Kronecker product with the axes so far: (r, c, t) -> (r·F + r', c·o + c', t·k + t')
        rows = np.add.outer(rows * forward, axis_rows).reshape(-1)
        columns = np.add.outer(columns * ax.o, axis_columns).reshape(-1)
        taps = np.add.outer(taps * ax.k, axis_taps).reshape(-1)

    spatial_rows = math.prod(forward_sizes)
    spatial_columns = math.prod(ax.o for ax in axes)
    spatial_taps = math.prod(ax.k for ax in axes)
    # channel blocks: y channel c (row) reads x channel g·(C_out/groups) + j through w[c, j]
    c = np.arange(geometry.in_channels, dtype=_INT)[:, None]
    j = np.arange(out_per_group, dtype=_INT)[None, :]
    block_row = np.broadcast_to(c, (geometry.in_channels, out_per_group)).reshape(-1)
    block_column = ((c // in_per_group) * out_per_group + j).reshape(-1)
    block_weight = (c * out_per_group + j).reshape(-1)
    return MatrixEntries(
        rows=np.add.outer(block_row * spatial_rows, rows).reshape(-1),
        columns=np.add.outer(block_column * spatial_columns, columns).reshape(-1),
        weights=np.add.outer(block_weight * spatial_taps, taps).reshape(-1),
        shape=(geometry.in_channels * spatial_rows, geometry.out_channels * spatial_columns),
    )


def transpose_terms(geometry: Geometry) -> TermSet:
    """``Cᵀ·vec(y)``: each nonzero ``C[n, j] ∋ w[m]`` times ``y[n]`` lands in output ``j``.

    Raises :class:`~symtconv.errors.NotAdjointError` when ``C`` has a different number of rows
    than ``y`` has entries (``output_padding >= stride`` on some axis): then ``Cᵀy`` is
    not defined.

    >>> from symtconv import Geometry
    >>> transpose_terms(Geometry(3, 2, stride=2)) == scatter_terms(Geometry(3, 2, stride=2))
    True
    >>> transpose_terms(Geometry(3, 2, stride=1, dilation=3, output_padding=1))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.NotAdjointError: Cᵀy is not defined for this geometry: ...
    """
    space = TermSpace.of(geometry)
    C = conv_matrix_entries(geometry)
    if C.shape[0] != space.inputs:
        raise NotAdjointError(_not_adjoint(geometry, "Cᵀy", C.shape[0], space.inputs))
    # Cᵀ[j, n] = C[n, j]: the entry multiplies y[n] and adds into output j.  (Keys are
    # written over C.columns, which is not needed afterwards; every index is in range by
    # construction of C and the row check above.)
    keys = space.encode(C.columns, C.rows, C.weights, out=C.columns)
    return TermSet._from_owned_keys(space, keys)


# --------------------------------------------------------------------------- #
# Method 3: flip-and-pad, one step at a time
# --------------------------------------------------------------------------- #


def zero_insertion(geometry: Geometry) -> Index:
    """Step 1: the stretched input, as an index map.

    Insert ``s-1`` zeros between neighbouring inputs (length ``(i-1)s+1`` per axis).
    Entry ``u`` holds the flat spatial index of the input placed there, ``-1`` for an
    inserted zero.

    >>> from symtconv import Geometry
    >>> zero_insertion(Geometry(3, 3, stride=2)).tolist()
    [0, -1, 1, -1, 2]
    """
    axes = _axes(geometry)
    stretched = np.full([(ax.i - 1) * ax.s + 1 for ax in axes], -1, dtype=_INT)
    every_stride = tuple(slice(None, None, ax.s) for ax in axes)
    stretched[every_stride] = np.arange(math.prod(ax.i for ax in axes), dtype=_INT).reshape(
        [ax.i for ax in axes]
    )
    return stretched


def pad_or_crop(index_map: Index, before: Sequence[int], after: Sequence[int]) -> Index:
    """Step 2: pad ``before``/``after`` cells of zeros (``-1``) per axis; negative = crop.

    >>> pad_or_crop(np.array([0, -1, 1]), [2], [-1]).tolist()
    [-1, -1, 0, -1]
    """
    index_map = np.asarray(index_map, dtype=_INT)
    if not len(before) == len(after) == index_map.ndim:
        raise ShapeError(
            f"pad_or_crop needs one before/after amount per axis of a {index_map.ndim}-d map, "
            f"got before={tuple(before)}, after={tuple(after)}"
        )
    new_shape = [n + b + a for n, b, a in zip(index_map.shape, before, after, strict=True)]
    if any(n < 1 for n in new_shape):
        raise ShapeError(
            f"padding {tuple(before)} before and {tuple(after)} after leaves nothing of a map "
            f"of shape {index_map.shape}"
        )
    padded = np.full(new_shape, -1, dtype=_INT)
    source, target = [], []
    for n, b, new in zip(index_map.shape, before, new_shape, strict=True):
        start, stop = max(0, -b), min(n, new - b)  # what survives a crop
        source.append(slice(start, max(start, stop)))
        target.append(slice(start + b, max(start, stop) + b))
    padded[tuple(target)] = index_map[tuple(source)]
    return padded


def flip_kernel(geometry: Geometry) -> Index:
    """Step 3: the flipped kernel, as a map of tap indices.

    Entry ``f`` holds the flat index of the tap ``k-1-f`` (every spatial axis reversed).

    >>> from symtconv import Geometry
    >>> flip_kernel(Geometry((2, 2), (2, 3))).tolist()
    [[5, 4, 3], [2, 1, 0]]
    """
    kernel = [int(ax.k) for ax in _axes(geometry)]
    taps = np.arange(math.prod(kernel), dtype=_INT).reshape(kernel)
    return np.ascontiguousarray(taps[(slice(None, None, -1),) * len(kernel)])


def correlate(geometry: Geometry, padded: Index, kernel: Index) -> TermSet:
    """Step 4: correlate the padded input map with the kernel map, stride 1, dilation ``d``.

    ``out[t] = Σ_f padded[t + d·f] · kernel[f]``; each nonzero cell of ``padded`` (a ``y``
    index) and kernel cell (a tap of ``w``) gives one term of output ``t``.  The output
    length is ``len(padded) - d(k-1)`` per axis.  Output channel ``co`` of group
    ``g = co // (C_out/groups)`` sums its group's input channels ``c``, each with
    ``w[c, co % (C_out/groups)]``.

    >>> from symtconv import Geometry
    >>> g = Geometry(2, 2)
    >>> correlate(g, np.array([-1, 0, 1, -1]), np.array([1, 0])) == scatter_terms(g)
    True
    """
    padded = np.asarray(padded, dtype=_INT)
    kernel = np.asarray(kernel, dtype=_INT)
    axes = _axes(geometry)
    base = TermSpace.of(geometry)
    if padded.ndim != len(axes) or kernel.ndim != len(axes):
        raise ShapeError(
            f"correlate needs {len(axes)}-d maps, got a padded map of shape {padded.shape} "
            f"and a kernel map of shape {kernel.shape}"
        )
    dilations = [ax.d for ax in axes]
    out_size = [
        n - d * (k - 1) for n, d, k in zip(padded.shape, dilations, kernel.shape, strict=True)
    ]
    if any(n < 1 for n in out_size):
        raise ShapeError(
            f"a padded map of shape {padded.shape} is shorter than the dilated kernel "
            f"({kernel.shape}, dilation {tuple(dilations)})"
        )
    space = TermSpace((geometry.out_channels, *out_size), base.input_shape, base.weight_shape)
    in_per_group, out_per_group = _channels_per_group(geometry)
    spatial_outputs = math.prod(out_size)
    spatial_inputs = math.prod(ax.i for ax in axes)
    taps = math.prod(ax.k for ax in axes)
    per_output, per_input = space.output_stride, space.weights

    # channels, by output channel: co = g·(C_out/groups) + j reads c in group g via w[c, j]
    co = np.arange(geometry.out_channels, dtype=_INT)[:, None]
    group, j = co // out_per_group, co % out_per_group
    c = group * in_per_group + np.arange(in_per_group, dtype=_INT)[None, :]
    channel_keys = (
        co * (spatial_outputs * per_output)
        + c * (spatial_inputs * per_input)
        + (c * out_per_group + j) * taps
    ).reshape(-1)

    t = np.arange(spatial_outputs, dtype=_INT)
    blocks = []
    for f in np.ndindex(*kernel.shape):
        window = padded[
            tuple(
                slice(d * fa, d * fa + n) for d, fa, n in zip(dilations, f, out_size, strict=True)
            )
        ].reshape(-1)
        nonzero = window >= 0
        spatial = t[nonzero] * per_output + window[nonzero] * per_input + int(kernel[f])
        if spatial.size:
            blocks.append(spatial)
    return TermSet._from_owned_keys(space, _outer_blocks(channel_keys, blocks))


def flip_and_pad_terms(geometry: Geometry) -> TermSet:
    """Flip-and-pad: zero insertion, padding ``d(k-1)-p``, flipped kernel, correlation.

    >>> from symtconv import Geometry
    >>> g = Geometry((5, 4), 3, stride=(2, 3), padding=((1, 3), 0), dilation=2)
    >>> flip_and_pad_terms(g) == scatter_terms(g)
    True
    """
    axes = _axes(geometry)
    stretched = zero_insertion(geometry)
    padded = pad_or_crop(
        stretched,
        before=[ax.d * (ax.k - 1) - ax.p_begin for ax in axes],
        after=[ax.d * (ax.k - 1) - ax.p_end + ax.a for ax in axes],
    )
    return correlate(geometry, padded, flip_kernel(geometry))


# --------------------------------------------------------------------------- #
# Method 4: the VJP of the forward convolution
# --------------------------------------------------------------------------- #


def vjp_terms(geometry: Geometry) -> TermSet:
    """The gradient of ``⟨y, conv(x)⟩`` with respect to ``x``.

    Runs the forward conv as frameworks do (pad ``x`` by ``p_begin``/``p_end``, take the
    dilated windows with stride ``s``), pairs its output ``n`` with ``y[n]`` to get the
    trilinear terms ``y[n]·w[m]·x[j]`` of the inner product, then differentiates: the
    term contributes ``y[n]·w[m]`` to output ``j``.  Raises
    :class:`~symtconv.errors.NotAdjointError` when ``conv(x)`` and ``y`` differ in shape.

    >>> from symtconv import Geometry
    >>> g = Geometry((4, 3), 2, stride=2, padding=1, output_padding=1)
    >>> vjp_terms(g) == scatter_terms(g)
    True
    """
    space = TermSpace.of(geometry)
    axes = _axes(geometry)
    in_per_group, out_per_group = _channels_per_group(geometry)

    # the forward conv's input x, padded with zeros (-1) by p_begin, p_end
    x_map = np.arange(math.prod(ax.o for ax in axes), dtype=_INT).reshape([ax.o for ax in axes])
    padded = pad_or_crop(x_map, [ax.p_begin for ax in axes], [ax.p_end for ax in axes])
    forward = [
        (n - ax.d * (ax.k - 1) - 1) // ax.s + 1 for n, ax in zip(padded.shape, axes, strict=True)
    ]
    rows = geometry.in_channels * math.prod(forward)
    if rows != space.inputs:
        raise NotAdjointError(
            _not_adjoint(geometry, "the VJP ∂⟨y, conv(x)⟩/∂x", rows, space.inputs)
        )

    # trilinear key: ((y · |w|) + w) · |x| + x  (y-major: the forward conv's own order)
    n_x, n_w = space.outputs, space.weights
    spatial_x = math.prod(ax.o for ax in axes)
    spatial_y = math.prod(forward)
    taps = math.prod(ax.k for ax in axes)
    # y channel c reads x channels g·(C_out/groups) + j through w[c, j]
    c = np.arange(geometry.in_channels, dtype=_INT)[:, None]
    j = np.arange(out_per_group, dtype=_INT)[None, :]
    channel_keys = (
        (c * (spatial_y * n_w) + (c * out_per_group + j) * taps) * n_x
        + ((c // in_per_group) * out_per_group + j) * spatial_x
    ).reshape(-1)

    n = np.arange(spatial_y, dtype=_INT)
    tap_strides = _strides([ax.k for ax in axes])
    blocks = []
    for tap in itertools.product(*(range(ax.k) for ax in axes)):
        window = padded[
            tuple(
                slice(ax.d * m, ax.d * m + ax.s * (f - 1) + 1, ax.s)
                for ax, m, f in zip(axes, tap, forward, strict=True)
            )
        ].reshape(-1)
        reads_x = window >= 0
        m_flat = sum(m * t for m, t in zip(tap, tap_strides, strict=True))
        spatial = (n[reads_x] * n_w + m_flat) * n_x + window[reads_x]
        if spatial.size:
            blocks.append(spatial)
    trilinear = _outer_blocks(channel_keys, blocks)

    # ∂/∂x[j] of y·w·x[j] is y·w: the x index becomes the output index
    yw = np.empty_like(trilinear)
    x_index = trilinear  # reused in place: the remainder is the x index
    np.divmod(trilinear, n_x, out=(yw, x_index))
    x_index *= space.output_stride
    x_index += yw
    del yw
    return TermSet._from_owned_keys(space, x_index)


# --------------------------------------------------------------------------- #
# Public entry points
# --------------------------------------------------------------------------- #

#: The engine's implementation of each method, by the names of :data:`symtconv.results.METHODS`.
METHOD_TERMS: dict[str, MethodTerms] = {
    "scatter": scatter_terms,
    "transpose": transpose_terms,
    "flip_and_pad": flip_and_pad_terms,
    "vjp": vjp_terms,
}


def terms(geometry: Geometry, method: str = "scatter") -> TermSet:
    """The exact output polynomials of ``method`` (one of ``METHODS``) as a :class:`TermSet`.

    >>> from symtconv import Geometry
    >>> g = Geometry(3, 2, stride=2, in_channels=2, out_channels=2, groups=2)
    >>> ts = terms(g, "vjp")
    >>> len(ts), ts.expression((1, 2))
    (12, w_{1,0,0}*y_{1,1})
    >>> terms(g, "conv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: method must be one of 'scatter', ..., got method='conv'
    """
    return _method(method)(geometry)


def _method(name: str) -> MethodTerms:
    if name not in METHOD_TERMS:
        allowed = ", ".join(repr(n) for n in METHOD_TERMS)
        raise ParameterError(f"method must be one of {allowed}, got method={name!r}")
    return METHOD_TERMS[name]
