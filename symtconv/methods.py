"""The four ways to compute a transposed convolution, each implemented once.

Every method takes the geometry, the input ``y`` of shape ``(C_in, *i)`` and the weight
``w`` of shape ``(C_in, C_out/groups, *k)`` and returns the output ``x`` of shape
``(C_out, *o)``.  They run on NumPy object arrays of SymPy expressions (for
derivations and proofs) and on arrays of numbers alike; none calls another, so
comparing them proves something.  The reference, :func:`scatter`, shares no helper
with the other three (only the shape check, which can raise but not change a value):
its channel mapping and its output size are its own, so a bug in a shared helper makes
the others disagree with it instead of agreeing wrongly.  Each method derives its
output size from its own steps — scatter from where its products land, flip-and-pad
from its padded array; ``Cᵀ`` (the columns of C) and the VJP (the ``x`` it
differentiates by) from :class:`Geometry`'s size formula, which the first two do not
use — so a size disagreement is caught when the proof compares shapes.

- :func:`scatter` — the definition: ``x[s·n + d·m - p] += y[n]·w[m]``.
- :func:`transpose` — ``Cᵀ·vec(y)`` with C the forward convolution's matrix.
- :func:`flip_and_pad` — the seed's recipe: zero insertion, padding, flipped kernel,
  stride-1 correlation; returns every intermediate.
- :func:`vjp` — the gradient of ``⟨y, conv(x)⟩`` with respect to ``x``, by SymPy
  differentiation of the forward convolution (:func:`conv`).

Examples
========

The seed's worked example, with numbers:

>>> import numpy as np
>>> from symtconv import Geometry
>>> from symtconv.methods import flip_and_pad
>>> g = Geometry((3, 3), 3, stride=2, padding=1)
>>> y = np.array([[[9, 1, 3], [7, 8, 7], [8, 2, 2]]])
>>> w = np.array([[[[4, 2, 3], [1, 4, 3], [1, 1, 1]]]])
>>> steps = flip_and_pad(g, y, w)
>>> steps.flipped[0, 0]
array([[1, 1, 1],
       [3, 4, 1],
       [3, 2, 4]], dtype=object)
>>> steps.result[0]
array([[36, 28, 4, 6, 12],
       [23, 63, 17, 56, 17],
       [28, 29, 32, 31, 28],
       [23, 47, 12, 29, 11],
       [32, 26, 8, 8, 8]], dtype=object)
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import sympy as sp

from .errors import NotAdjointError, ShapeError
from .geometry import Geometry
from .matrix import conv_matrix
from .tensors import output_symbols, spatial_shape

__all__ = [
    "FlipAndPad",
    "NotAdjointError",
    "conv",
    "flip_and_pad",
    "scatter",
    "transpose",
    "vjp",
]


# --------------------------------------------------------------------------- #
# shared checks and helpers
# --------------------------------------------------------------------------- #


def _check_shapes(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> None:
    """Raise :class:`ShapeError` unless ``y`` and ``w`` have the geometry's shapes."""
    want_y = spatial_shape(geometry, geometry.input_shape)
    want_w = spatial_shape(geometry, geometry.weight_shape)
    if y.shape != want_y:
        raise ShapeError(
            f"input y has shape {y.shape}, but the geometry needs {want_y} (C_in, *input_size)"
        )
    if w.shape != want_w:
        raise ShapeError(
            f"weight w has shape {w.shape}, but the geometry needs {want_w} "
            "(C_in, C_out/groups, *kernel_size)"
        )


def _checked(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y, w = np.asarray(y, dtype=object), np.asarray(w, dtype=object)
    _check_shapes(geometry, y, w)
    return y, w


def _zeros(shape: tuple[int, ...]) -> np.ndarray:
    return np.full(shape, sp.Integer(0), dtype=object)


def _group_slices(geometry: Geometry, c_in: int) -> slice:
    """The output channels fed by input channel ``c_in`` (its group's block)."""
    group = c_in // (geometry.in_channels // geometry.groups)
    per_out = geometry.out_channels // geometry.groups
    return slice(group * per_out, (group + 1) * per_out)


def _taps(geometry: Geometry) -> list[tuple[int, ...]]:
    return list(np.ndindex(*spatial_shape(geometry, geometry.kernel_size)))


def _broadcast(taps: np.ndarray, ndim: int) -> np.ndarray:
    """Weights ``w[c, :, m]`` shaped to multiply a spatial block: ``(C_out/g, 1, ..., 1)``."""
    return taps.reshape(taps.shape + (1,) * ndim)


# --------------------------------------------------------------------------- #
# scatter: the definition
# --------------------------------------------------------------------------- #


def scatter(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The definition frameworks implement: ``x[s·n + d·m - p] += y[n]·w[m]``.

    Explanation
    ===========

    For every input entry ``n`` and kernel tap ``m`` (per axis), the product lands at
    ``s·n + d·m`` of the full output, which ``output_padding`` lengthens by ``a`` at the
    high end; ``padding`` then crops ``p_begin`` and ``p_end`` (that is what it means in
    PyTorch).  Output channel ``c_out`` of group ``g`` sums the input channels of ``g``
    with the weights ``w[c_in, c_out - g·C_out/groups]``.  Vectorised over ``n``.

    This is the reference the other methods are compared with, so it shares no helper
    with them: its channel mapping, the range of ``n`` that lands inside the output and
    the output size are all worked out here, from the arrays' own shapes (the output
    size is not read off :class:`Geometry`, so a wrong size formula makes the methods
    that use it disagree with this one).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.tensors import input_symbols, weight_symbols
    >>> g = Geometry(2, 2, stride=2)
    >>> scatter(g, input_symbols(g), weight_symbols(g))
    array([[w_{0}*y_{0}, w_{1}*y_{0}, w_{0}*y_{1}, w_{1}*y_{1}]], dtype=object)
    """
    y, w = np.asarray(y, dtype=object), np.asarray(w, dtype=object)
    _check_shapes(geometry, y, w)
    groups = geometry.groups
    in_per_group, out_per_group = y.shape[0] // groups, w.shape[1]
    steps = [(int(ax.s), int(ax.d), int(ax.p_begin)) for ax in geometry.axes]
    # the positions s·n + d·m run over [0, (i-1)s + d(k-1)], output_padding adds a at
    # the high end, then the crops: o = (i-1)s + d(k-1) + 1 + a - p_begin - p_end
    size = tuple(
        s * (n - 1) + d * (k - 1) + 1 + int(ax.a) - int(ax.p_begin) - int(ax.p_end)
        for (s, d, _), n, k, ax in zip(steps, y.shape[1:], w.shape[2:], geometry.axes, strict=True)
    )
    out = np.full((out_per_group * groups, *size), sp.Integer(0), dtype=object)
    for m in np.ndindex(*w.shape[2:]):
        sources, targets = [], []
        for (s, d, p), mm, n_count, o in zip(steps, m, y.shape[1:], size, strict=True):
            positions = s * np.arange(n_count) + d * mm - p
            inside = np.flatnonzero((positions >= 0) & (positions < o))
            sources.append(inside)
            targets.append(positions[inside])
        if any(len(t) == 0 for t in targets):
            continue
        source, target = np.ix_(*sources), np.ix_(*targets)
        for c_out in range(out.shape[0]):
            group, local = divmod(c_out, out_per_group)
            for c_in in range(group * in_per_group, (group + 1) * in_per_group):
                out[(c_out, *target)] += w[(c_in, local, *m)] * y[(c_in, *source)]
    return out


# --------------------------------------------------------------------------- #
# Cᵀ·vec(y)
# --------------------------------------------------------------------------- #


def transpose(
    geometry: Geometry, y: np.ndarray, w: np.ndarray, *, extend: bool = False
) -> np.ndarray:
    """``Cᵀ·vec(y)``, reshaped to ``(C_out, *o)``.

    Explanation
    ===========

    Builds the forward convolution's matrix C (:func:`symtconv.conv_matrix`) and
    multiplies its transpose with the row-major vectorisation of ``y``.  Defined only when
    C has one row per entry of ``y``, i.e. ``output_padding < stride`` on every axis;
    otherwise raises :class:`NotAdjointError` — unless ``extend=True``, which first
    zero-extends ``y`` at the high end to the forward convolution's output size.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.tensors import input_symbols, weight_symbols
    >>> g = Geometry(2, 2, stride=2)
    >>> transpose(g, input_symbols(g), weight_symbols(g))
    array([[w_{0}*y_{0}, w_{1}*y_{0}, w_{0}*y_{1}, w_{1}*y_{1}]], dtype=object)
    """
    y, w = _checked(geometry, y, w)
    matrix = conv_matrix(geometry, w)
    if extend:
        extended = _zeros((y.shape[0], *spatial_shape(geometry, geometry.forward_output_size)))
        extended[tuple(slice(0, n) for n in y.shape)] = y
        y = extended
    if matrix.rows != y.size:
        raise NotAdjointError(
            f"Cᵀ·vec(y) is not defined for this geometry: the forward convolution maps the "
            f"output size {geometry.output_size} to {geometry.forward_output_size}, not to "
            f"the input size {geometry.input_size} (output_padding={geometry.output_padding} "
            f"is not smaller than stride={geometry.stride}), so C has {matrix.rows} rows "
            f"while vec(y) has {y.size} entries"
        )
    vec_y = sp.SparseMatrix(y.reshape(-1).tolist())  # sparse × sparse: no dense fill-in
    x = matrix.T * vec_y
    return np.array(list(x), dtype=object).reshape(spatial_shape(geometry, geometry.output_shape))


# --------------------------------------------------------------------------- #
# flip-and-pad: the seed's recipe
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class FlipAndPad:
    """Every intermediate of the flip-and-pad recipe.

    ``zero_inserted`` is ``y`` with ``s-1`` zeros between entries, ``(C_in, *(i-1)s+1)``;
    ``padded`` adds ``d(k-1)-p_begin`` before and ``d(k-1)-p_end+a`` after on every axis
    (a negative amount crops); ``flipped`` is the kernel reversed on every spatial axis;
    ``result`` is the stride-1 correlation of ``padded`` with ``flipped`` at dilation d.
    """

    zero_inserted: np.ndarray
    padded: np.ndarray
    flipped: np.ndarray
    result: np.ndarray


def _zero_insert(geometry: Geometry, y: np.ndarray) -> np.ndarray:
    # s-1 zeros between neighbours: (i-1)s + 1 entries per axis
    stretched = [(n - 1) * int(ax.s) + 1 for n, ax in zip(y.shape[1:], geometry.axes, strict=True)]
    out = _zeros((y.shape[0], *stretched))
    out[(slice(None), *(slice(None, None, int(ax.s)) for ax in geometry.axes))] = y
    return out


def _pad(geometry: Geometry, a: np.ndarray) -> np.ndarray:
    """Pad (or, for a negative amount, crop) every spatial axis."""
    before = [int(ax.pad_before) for ax in geometry.axes]
    after = [int(ax.pad_after) for ax in geometry.axes]
    shape = [n + b + e for n, b, e in zip(a.shape[1:], before, after, strict=True)]
    out = _zeros((a.shape[0], *shape))
    # u[t] = a[t - b] for 0 <= t < n + b + e: the entries a[q] with max(0, -b) <= q and
    # q < n + min(0, e) land at q + b; a crop longer than the axis leaves none of them
    source = tuple(
        slice(max(0, -b), max(max(0, -b), n + min(0, e)))
        for n, b, e in zip(a.shape[1:], before, after, strict=True)
    )
    target = tuple(slice(s.start + b, s.stop + b) for b, s in zip(before, source, strict=True))
    out[(slice(None), *target)] = a[(slice(None), *source)]
    return out


def _correlate(geometry: Geometry, padded: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Stride-1 correlation at dilation d: ``out[j] = Σ_m padded[j + d·m]·kernel[m]``.

    The output has one entry per position where the dilated kernel fits inside the
    padded array: ``len(padded) - d(k-1)`` per axis (not read off :class:`Geometry`, so
    a wrong padding shows up as a size that differs from the other methods').
    """
    dilation = [int(d) for d in geometry.dilation]
    sizes = zip(padded.shape[1:], dilation, kernel.shape[2:], strict=True)
    out_size = [n - d * (k - 1) for n, d, k in sizes]
    out = _zeros((kernel.shape[1] * geometry.groups, *out_size))
    for m in _taps(geometry):
        window = tuple(
            slice(d * mm, d * mm + o) for d, mm, o in zip(dilation, m, out_size, strict=True)
        )
        for c in range(geometry.in_channels):
            taps: tuple[Any, ...] = (c, slice(None), *m)
            inputs: tuple[Any, ...] = (c, *window)
            out[_group_slices(geometry, c)] += (
                _broadcast(kernel[taps], geometry.ndim) * padded[inputs]
            )
    return out


def flip_and_pad(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> FlipAndPad:
    """The seed's recipe: insert zeros, pad, flip the kernel, correlate with stride 1.

    Explanation
    ===========

    1. insert ``s-1`` zeros between the entries of ``y`` (length ``(i-1)s+1``);
    2. pad ``d(k-1)-p_begin`` zeros before and ``d(k-1)-p_end+a`` after (negative: crop);
       for ``d = 1`` and symmetric padding that is the seed's ``k-p-1``;
    3. flip the kernel on every spatial axis;
    4. correlate with stride 1 and dilation ``d``; the result has the output size.

    Returns a :class:`FlipAndPad` with every intermediate.
    """
    y, w = _checked(geometry, y, w)
    zero_inserted = _zero_insert(geometry, y)
    padded = _pad(geometry, zero_inserted)
    flipped = w[(slice(None), slice(None), *(slice(None, None, -1),) * geometry.ndim)]
    return FlipAndPad(zero_inserted, padded, flipped, _correlate(geometry, padded, flipped))


# --------------------------------------------------------------------------- #
# the forward convolution and the VJP
# --------------------------------------------------------------------------- #


def conv(geometry: Geometry, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The forward convolution (a correlation, as in deep learning) of ``x``.

    ``out[c, n] = Σ_{c' in c's group} Σ_m w[c, c'_local, m]·x[c', s·n + d·m - p_begin]``,
    with ``x`` of shape ``(C_out, *o)``; the result has shape ``(C_in, *i')`` with ``i'``
    the forward output size (``i`` when ``output_padding < stride``).  Computed by
    gathering, entry by entry — independently of :func:`symtconv.conv_matrix`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.tensors import output_symbols, weight_symbols
    >>> g = Geometry(2, 2, stride=2)
    >>> conv(g, output_symbols(g), weight_symbols(g))
    array([[w_{0}*x_{0} + w_{1}*x_{1}, w_{0}*x_{2} + w_{1}*x_{3}]], dtype=object)
    """
    x = np.asarray(x, dtype=object)
    out_shape = spatial_shape(geometry, geometry.output_shape)
    if x.shape != out_shape:
        raise ShapeError(f"x has shape {x.shape}, but the geometry needs {out_shape}")
    rows = spatial_shape(geometry, geometry.forward_output_size)
    out = _zeros((geometry.in_channels, *rows))
    taps = _taps(geometry)
    for c in range(geometry.in_channels):
        channels = range(geometry.out_channels)[_group_slices(geometry, c)]
        for n in np.ndindex(*rows):
            total = []
            for local, m in product(range(len(channels)), taps):
                j = tuple(
                    int(ax.s) * nn + int(ax.d) * mm - int(ax.p_begin)
                    for ax, nn, mm in zip(geometry.axes, n, m, strict=True)
                )
                if all(0 <= jj < o for jj, o in zip(j, out_shape[1:], strict=True)):
                    total.append(w[(c, local, *m)] * x[(channels[local], *j)])
            out[(c, *n)] = sp.Add(*total)
    return out


def vjp(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The vector–Jacobian product: ``∂⟨y, conv(x)⟩/∂x`` by SymPy differentiation.

    Explanation
    ===========

    Forms the scalar ``L = Σ y ⊙ conv(x)`` with symbolic ``x`` and differentiates it with
    respect to every entry of ``x`` (each entry only through the terms of ``L`` that
    contain it; the others have zero derivative).  Needs ``conv(x)`` to have the shape
    of ``y``, i.e. ``output_padding < stride`` on every axis; otherwise raises
    :class:`NotAdjointError`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.tensors import input_symbols, weight_symbols
    >>> g = Geometry(2, 2, stride=2)
    >>> vjp(g, input_symbols(g), weight_symbols(g))
    array([[w_{0}*y_{0}, w_{1}*y_{0}, w_{0}*y_{1}, w_{1}*y_{1}]], dtype=object)
    """
    y, w = _checked(geometry, y, w)
    x = output_symbols(geometry, name="x")
    forward = conv(geometry, x, w)
    if forward.shape != y.shape:
        raise NotAdjointError(
            f"⟨y, conv(x)⟩ is not defined for this geometry: conv maps the output size "
            f"{geometry.output_size} to {geometry.forward_output_size}, not to the input size "
            f"{geometry.input_size} (output_padding={geometry.output_padding} is not smaller "
            f"than stride={geometry.stride})"
        )
    # ∂⟨y, conv(x)⟩/∂x[j] = Σ_n y[n]·∂conv(x)[n]/∂x[j]  (y does not depend on x).  Only
    # the outputs conv(x)[n] that contain x[j] have a nonzero derivative; which ones is
    # read off the expressions' free symbols, not off C.
    y_flat, forward_flat = list(y.flat), [sp.sympify(e) for e in forward.flat]
    appears_in: dict[sp.Basic, list[int]] = {}
    for n, entry in enumerate(forward_flat):
        for symbol in entry.free_symbols:
            appears_in.setdefault(symbol, []).append(n)
    grad = np.empty(x.shape, dtype=object)
    for index in np.ndindex(*x.shape):
        variable = x[index]
        grad[index] = sp.Add(
            *(y_flat[n] * forward_flat[n].diff(variable) for n in appears_in.get(variable, ()))
        )
    return grad
