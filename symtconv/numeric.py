"""Fast numeric transposed convolution with PyTorch's semantics, on NumPy arrays.

This is symtconv's numeric tier: :func:`conv_transpose` computes what
``torch.nn.functional.conv_transpose{1,2,3}d`` computes, and :func:`conv` what
``torch.nn.functional.conv{1,2,3}d`` computes, without needing torch.  Integer inputs
give exact integer results, and object arrays (Python ints, fractions, SymPy
expressions) are computed exactly with their own arithmetic.

Explanation
===========

Both functions run the *scatter* definition, ``x[s·n + d·m - p] += y[n]·w[m]`` per
axis, vectorised in two steps:

1. one matrix product per group over the input channels gives, for every kernel tap
   ``m`` (a tuple with one entry per axis), the products ``y[n]·w[m]`` at every input
   position ``n`` at once;
2. a col2im-style accumulation, one strided slice-add per kernel tap: tap ``m`` sends
   input ``n`` to output ``s·n + d·m - p_begin``.  The output is allocated at its final
   length ``o``; products landing outside ``[0, o)`` are skipped, which is the crop by
   ``p_begin``/``p_end`` (also when it exceeds ``d(k-1)``, a negative input padding),
   and ``output_padding`` only lengthens ``o`` (positions past the uncropped output
   receive no product and stay zero).

The only Python loops are over kernel taps and, for large layers, over blocks of
samples and output channels (to bound the memory).  :func:`conv` uses the very same
index map the other way round (a gather of ``x``, then one matrix product), so the two
are adjoint by construction: ``⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩`` whenever
``output_padding < stride``.  With PyTorch's other accepted case,
``stride <= output_padding < dilation``, the transposed convolution is computed as
PyTorch computes it, but it is no longer the adjoint of a convolution with the same
stride (see :attr:`symtconv.Geometry.is_adjoint`).

Parameters are validated by :class:`symtconv.Geometry`, so the errors are the shared
ones; arrays whose shapes do not fit raise :class:`symtconv.errors.ShapeError`.

Examples
========

The seed's worked example (one channel, ``k=3, s=2, p=1``), exactly, in integers:

>>> import numpy as np
>>> from symtconv.numeric import conv_transpose
>>> y = np.array([[9, 1, 3], [7, 8, 7], [8, 2, 2]])
>>> w = np.array([[4, 2, 3], [1, 4, 3], [1, 1, 1]])
>>> conv_transpose(y[None], w[None, None], stride=2, padding=1)
array([[[36, 28,  4,  6, 12],
        [23, 63, 17, 56, 17],
        [28, 29, 32, 31, 28],
        [23, 47, 12, 29, 11],
        [32, 26,  8,  8,  8]]])
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from itertools import product
from math import prod
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import ParameterError, ParameterTypeError, ShapeError, TooLargeError
from .geometry import Axis, Geometry

__all__ = ["conv", "conv_transpose"]

Array = npt.NDArray[Any]

#: Largest magnitude an exact int64 result may reach.
_INT64_MAX = int(np.iinfo(np.int64).max)

#: About this many tap products (8 MiB of float64) are held at once; larger layers are
#: done in blocks of samples and output channels.
_CHUNK_ELEMENTS = 1 << 20

#: One kernel tap: its index ``m`` (one entry per axis), the slices of inputs that reach
#: the output, and the slices of outputs they land on.
_Tap = tuple[tuple[int, ...], tuple[slice, ...], tuple[slice, ...]]


# --------------------------------------------------------------------------- #
# Public functions
# --------------------------------------------------------------------------- #


def conv_transpose(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Array:
    """Transposed convolution of ``input`` with ``weight``, as PyTorch computes it.

    Explanation
    ===========

    Same signature and result as ``torch.nn.functional.conv_transpose1d/2d/3d`` (the
    number of spatial axes is ``weight.ndim - 2``; any number >= 1 works), on NumPy
    arrays.  Per axis the output length is
    ``o = (i-1)·s - p_begin - p_end + d·(k-1) + output_padding + 1``.

    Result dtype: integer inputs give exact ``int64`` (a :class:`~symtconv.errors.TooLargeError`
    is raised if int64 could overflow; use ``dtype=object`` arrays of Python ints then);
    any object array makes the whole computation exact in Python objects; otherwise the
    NumPy promotion of the input dtypes (``float32`` stays ``float32``).

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv.numeric import conv_transpose

    The seed's shape example, ``ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)``:

    >>> x = conv_transpose(np.ones((1, 3, 32, 32)), np.ones((3, 6, 3, 3)), stride=2, padding=2)
    >>> x.shape, x.dtype
    ((1, 6, 61, 61), dtype('float64'))

    Unbatched 1-D input; each input is spread over the kernel, ``stride`` apart:

    >>> conv_transpose([[1, 10]], [[[1, 2, 3]]], stride=2)
    array([[ 1,  2, 13, 20, 30]])
    >>> conv_transpose([[1, 10]], [[[1, 2, 3]]], stride=2, padding=1, output_padding=1)
    array([[ 2, 13, 20, 30]])

    An asymmetric crop, ``(begin, end)`` per axis (PyTorch cannot express it):

    >>> conv_transpose([[1, 10]], [[[1, 2, 3]]], stride=2, padding=[(0, 2)])
    array([[ 1,  2, 13]])

    Object arrays are computed exactly, so SymPy symbols show the formula:

    >>> import sympy as sp
    >>> y0, y1, w0, w1 = sp.symbols("y0 y1 w0 w1")
    >>> conv_transpose(np.array([[y0, y1]]), np.array([[[w0, w1]]]), stride=2)
    array([[w0*y0, w1*y0, w0*y1, w1*y1]], dtype=object)

    Parameters
    ==========

    input : array_like
        ``(N, C_in, *i)``, or ``(C_in, *i)`` without a batch axis.
    weight : array_like
        ``(C_in, C_out/groups, *k)`` (PyTorch's layout for transposed convolutions).
    bias : array_like, optional
        ``(C_out,)``, added to every output position of its channel.
    stride, output_padding, dilation : int or tuple of int
        One value for every axis, or one per axis (a one-entry tuple counts for every
        axis, as in PyTorch).
    padding : int or tuple
        The crop of the full output, per axis an int (both ends) or a ``(begin, end)``
        pair.
    groups : int
        Input and output channels are split into ``groups`` independent groups.

    Returns
    =======

    numpy.ndarray
        ``(N, C_out, *o)``, or ``(C_out, *o)`` for unbatched input.

    See Also
    ========

    conv, symtconv.Geometry
    """
    y, w, b = _as_array("input", input), _as_array("weight", weight), _as_optional(bias)
    ndim = _spatial_ndim(w, "(C_in, C_out/groups, *kernel_size)")
    y, batched = _with_batch(y, w, ndim)
    g = _groups(groups)
    if y.shape[1] != w.shape[0]:
        raise ShapeError(
            f"input has {y.shape[1]} channels but the weight expects weight.shape[0]="
            f"{w.shape[0]} (weight is (C_in, C_out/groups, *kernel_size)), got "
            f"input.shape={_shape(y, batched)} and weight.shape={w.shape}"
        )
    geometry = _concrete(
        Geometry(
            input_size=tuple(y.shape[2:]),
            kernel_size=tuple(w.shape[2:]),
            stride=_expand(stride, ndim),
            padding=_expand(padding, ndim),
            output_padding=_expand(output_padding, ndim),
            dilation=_expand(dilation, ndim),
            in_channels=w.shape[0],
            out_channels=w.shape[1] * g,
            groups=g,
        )
    )
    _check_bias(b, geometry.out_channels, w)
    terms = (w.shape[0] // g) * prod(w.shape[2:])
    dtype = _result_dtype(y, w, b, terms=terms)
    work = _work_dtype(dtype, y, w, b, terms)
    out = _scatter(y.astype(work, copy=False), w.astype(work, copy=False), geometry)
    if b is not None:
        out += b.astype(work, copy=False).reshape(-1, *(1,) * ndim)
    out = out if work == dtype else out.astype(dtype)
    return out if batched else out[0]


def conv(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Array:
    """Forward convolution (cross-correlation) of ``input`` with ``weight``, as PyTorch computes it.

    Explanation
    ===========

    Same signature and result as ``torch.nn.functional.conv1d/2d/3d`` with integer or
    per-axis ``(begin, end)`` padding: per axis ``y[n] = Σ_m w[m]·x[s·n + d·m - p_begin]``
    (terms outside the input are 0), with output length
    ``floor((i + p_begin + p_end - d·(k-1) - 1)/s) + 1``.

    It is the matrix ``C`` of symtconv's design: :func:`conv_transpose` with the *same*
    weight array is ``Cᵀ`` (the weight layouts ``(C_out, C_in/groups, *k)`` of a
    convolution and ``(C_in, C_out/groups, *k)`` of a transposed convolution describe
    the same array).  Dtype rules are those of :func:`conv_transpose`.

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv.numeric import conv, conv_transpose
    >>> conv([[1, 2, 3, 4, 5]], [[[1, 0, -1]]], stride=2, padding=1)
    array([[-2, -2, 4]])

    The dot test: ``conv_transpose`` with the same weight is the adjoint.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(-9, 10, size=(2, 4, 7, 7))
    >>> w = rng.integers(-9, 10, size=(6, 2, 3, 2))
    >>> y = conv(x, w, stride=2, padding=(1, 0), groups=2)
    >>> y.shape
    (2, 6, 4, 3)
    >>> r = rng.integers(-9, 10, size=y.shape)
    >>> back = conv_transpose(r, w, stride=2, padding=(1, 0), output_padding=(0, 1), groups=2)
    >>> back.shape == x.shape, int(np.vdot(y, r)) == int(np.vdot(x, back))
    (True, True)

    Parameters
    ==========

    input : array_like
        ``(N, C_in, *i)``, or ``(C_in, *i)`` without a batch axis.
    weight : array_like
        ``(C_out, C_in/groups, *k)`` (PyTorch's layout for convolutions).
    bias : array_like, optional
        ``(C_out,)``.
    stride, dilation : int or tuple of int
        One value for every axis, or one per axis (a one-entry tuple counts for every
        axis, as in PyTorch).
    padding : int or tuple
        Zeros added to the input, per axis an int (both ends) or a ``(begin, end)`` pair.
    groups : int
        Input and output channels are split into ``groups`` independent groups.

    See Also
    ========

    conv_transpose
    """
    x, w, b = _as_array("input", input), _as_array("weight", weight), _as_optional(bias)
    ndim = _spatial_ndim(w, "(C_out, C_in/groups, *kernel_size)")
    x, batched = _with_batch(x, w, ndim)
    g = _groups(groups)
    if x.shape[1] != w.shape[1] * g:
        raise ShapeError(
            f"input has {x.shape[1]} channels but the weight expects weight.shape[1]*groups="
            f"{w.shape[1] * g} (weight is (C_out, C_in/groups, *kernel_size)), got "
            f"input.shape={_shape(x, batched)} and weight.shape={w.shape}"
        )
    geometry = _forward_geometry(
        tuple(x.shape[2:]),
        w,
        _expand(stride, ndim),
        _expand(padding, ndim),
        _expand(dilation, ndim),
        g,
    )
    _check_bias(b, w.shape[0], w)
    terms = w.shape[1] * prod(w.shape[2:])
    dtype = _result_dtype(x, w, b, terms=terms)
    work = _work_dtype(dtype, x, w, b, terms)
    out = _gather(x.astype(work, copy=False), w.astype(work, copy=False), geometry)
    if b is not None:
        out += b.astype(work, copy=False).reshape(-1, *(1,) * ndim)
    out = out if work == dtype else out.astype(dtype)
    return out if batched else out[0]


# --------------------------------------------------------------------------- #
# The index map shared by both directions
# --------------------------------------------------------------------------- #


def _tap_slices(axis: Axis, m: int) -> tuple[slice, slice] | None:
    """Where kernel tap ``m`` of one axis sends the inputs: ``n -> s·n + d·m - p_begin``.

    Returns the slice of inputs ``n`` that land inside the output ``[0, o)`` and the
    (stride ``s``) slice of output positions they land on, or None when none does.
    """
    i, s, o = int(axis.i), int(axis.s), int(axis.output)
    offset = int(axis.d) * m - int(axis.p_begin)
    # 0 <= s·n + offset <= o - 1  <=>  ceil(-offset/s) <= n <= floor((o - 1 - offset)/s)
    first = max(0, -(offset // s))
    last = min(i - 1, (o - 1 - offset) // s)
    if first > last:
        return None
    return slice(first, last + 1), slice(s * first + offset, s * last + offset + 1, s)


def _taps(geometry: Geometry) -> list[_Tap]:
    """Every kernel tap that reaches the output: where it reads and where it writes.

    N-d is the product of the 1-D maps: a tap reaches the output when it does on every
    axis, and its slices are the per-axis slices.
    """
    per_axis = [
        [(m, sl) for m in range(int(axis.k)) if (sl := _tap_slices(axis, m)) is not None]
        for axis in geometry.axes
    ]
    return [
        (
            tuple(m for m, _ in combo),
            tuple(sl[0] for _, sl in combo),
            tuple(sl[1] for _, sl in combo),
        )
        for combo in product(*per_axis)
    ]


def _blocks(samples: int, channels: int, per_channel: int) -> tuple[int, int]:
    """Batch and channel block sizes that keep about ``_CHUNK_ELEMENTS`` products at once.

    ``per_channel`` is the number of products one sample needs for one channel (of
    every group).  Blocks bound the memory; a million products per block keep the
    matrix products large enough for BLAS.
    """
    if channels * per_channel <= _CHUNK_ELEMENTS:
        return max(1, min(samples, _CHUNK_ELEMENTS // (channels * per_channel))), channels
    return 1, max(1, _CHUNK_ELEMENTS // per_channel)


def _allocate(make: Callable[..., Array], shape: tuple[int, ...], dtype: Any) -> Array:
    """``make(shape, dtype)``, or :class:`TooLargeError` when the memory is not there."""
    try:
        return make(shape, dtype=dtype)
    except MemoryError:
        size = prod(shape) * np.dtype(dtype).itemsize
        raise TooLargeError(
            f"an array of shape {shape} ({size / 2**30:,.1f} GiB) does not fit in memory"
        ) from None


def _scatter(y: Array, w: Array, geometry: Geometry) -> Array:
    """``x = Cᵀy`` for a batch ``y`` of shape ``(N, C_in, *i)``: GEMM, then col2im.

    Done by blocks of samples and output channels; each block is one matrix product
    per group (the samples side by side as columns, so BLAS gets few, large products)
    and one slice-add per kernel tap.
    """
    n_batch, groups = y.shape[0], geometry.groups
    cin_g, cout_g = geometry.in_channels // groups, geometry.out_channels // groups
    kernel = tuple(int(k) for k in geometry.kernel_size)
    sizes = tuple(int(i) for i in geometry.input_size)
    k_total, i_total = prod(kernel), prod(sizes)
    # w[c_in, c_out, m] as one (C_out/g · K) × (C_in/g) matrix per group; contiguous,
    # because np.matmul only hands stacked products to BLAS for well-strided operands
    wmat = np.ascontiguousarray(w.reshape(groups, cin_g, cout_g * k_total).transpose(0, 2, 1))
    y_groups = y.reshape(n_batch, groups, cin_g, i_total)
    out = _allocate(np.zeros, (n_batch, groups, cout_g, *geometry.output_size), w.dtype)
    every = slice(None)
    taps: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = [
        ((every, every, *m, every, *src), (Ellipsis, *dst)) for m, src, dst in _taps(geometry)
    ]
    batch_block, channel_block = _blocks(n_batch, cout_g, groups * k_total * i_total)
    for n0 in range(0, n_batch, batch_block):
        block = y_groups[n0 : n0 + batch_block]
        # columns: (g, c_in, n·i), the block's samples side by side
        columns = np.ascontiguousarray(block.transpose(1, 2, 0, 3)).reshape(groups, cin_g, -1)
        for c0 in range(0, cout_g, channel_block):
            rows = wmat[:, c0 * k_total : (c0 + channel_block) * k_total]
            # cols[g, c_out, *m, n, *i] = Σ_{c_in in group g} w[c_in, c_out, *m]·y[n, c_in, *i]
            cols = np.matmul(rows, columns).reshape(groups, -1, *kernel, len(block), *sizes)
            # the output block as (g, c_out, n, *o), a view
            target = np.moveaxis(out[n0 : n0 + batch_block, :, c0 : c0 + channel_block], 0, 2)
            for tap, position in taps:
                target[position] += cols[tap]
    return out.reshape(n_batch, geometry.out_channels, *geometry.output_size)


def _gather(x: Array, w: Array, geometry: Geometry) -> Array:
    """``y = Cx`` for a batch ``x`` of shape ``(N, C, *o)``: im2col, then one GEMM.

    ``geometry`` is the transposed convolution that ``conv`` is the adjoint of: its
    input is the convolution's output and its output the convolution's input.
    """
    n_batch, groups = x.shape[0], geometry.groups
    cin_g, cout_g = geometry.out_channels // groups, geometry.in_channels // groups
    kernel = tuple(int(k) for k in geometry.kernel_size)
    sizes = tuple(int(i) for i in geometry.input_size)
    taps: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = [
        ((Ellipsis, *m, *src), (Ellipsis, *dst)) for m, src, dst in _taps(geometry)
    ]
    wmat = w.reshape(groups, cout_g, cin_g * prod(kernel))
    out = _allocate(np.empty, (n_batch, geometry.in_channels, *sizes), w.dtype)
    chunk, _ = _blocks(n_batch, cin_g, groups * prod(kernel) * prod(sizes))
    for start in range(0, n_batch, chunk):
        xs = x[start : start + chunk]
        xs = xs.reshape(len(xs), groups, cin_g, *xs.shape[2:])
        cols = _allocate(np.zeros, (len(xs), groups, cin_g, *kernel, *sizes), w.dtype)
        for tap, position in taps:
            cols[tap] = xs[position]
        flat = cols.reshape(len(xs), groups, cin_g * prod(kernel), prod(sizes))
        out[start : start + chunk] = np.matmul(wmat, flat).reshape(len(xs), -1, *sizes)
    return out


# --------------------------------------------------------------------------- #
# Checking arrays and building geometries
# --------------------------------------------------------------------------- #


def _as_array(name: str, value: Any) -> Array:
    """``np.asarray(value)``, refusing dtypes that are not numbers."""
    try:
        array = np.asarray(value)
    except ValueError as exc:
        raise ShapeError(
            f"{name} must be a rectangular array (nested lists of equal lengths), "
            f"got {name}={value!r:.80}"
        ) from exc
    kind = array.dtype.kind
    if kind == "O":
        _check_objects(name, array)
    if kind == "b":
        raise ParameterTypeError(
            f"{name} must hold numbers, got a bool array (dtype {array.dtype}); "
            f"convert it with .astype(int) if 0 and 1 are meant"
        )
    if kind not in "iufcO":
        raise ParameterTypeError(
            f"{name} must hold numbers (integer, float, complex or Python objects), "
            f"got dtype {array.dtype}"
        )
    return array


def _check_objects(name: str, array: Array) -> None:
    """An object array must hold numbers (Python ints, fractions, SymPy expressions...)."""
    for value in array.flat:
        if isinstance(value, numbers.Number) and not isinstance(value, bool):
            continue
        import sympy as sp  # symbols are welcome: the result is then a formula

        if isinstance(value, sp.Expr):
            continue
        raise ParameterTypeError(
            f"{name} must hold numbers (or SymPy expressions), got {value!r:.60} "
            f"({type(value).__name__}) in an object array of shape {array.shape}"
        )


def _as_optional(bias: Any) -> Array | None:
    return None if bias is None else _as_array("bias", bias)


def _spatial_ndim(w: Array, layout: str) -> int:
    if w.ndim < 3:
        raise ShapeError(
            f"weight must have shape {layout} with at least one spatial axis, "
            f"got weight.shape={w.shape}"
        )
    return w.ndim - 2


def _with_batch(array: Array, w: Array, ndim: int) -> tuple[Array, bool]:
    """The input with a batch axis, and whether it had one."""
    if array.ndim == ndim + 2:
        return array, True
    if array.ndim == ndim + 1:
        return array[None], False
    raise ShapeError(
        f"a weight with {ndim} spatial axes needs a {ndim + 2}-D (batched) or "
        f"{ndim + 1}-D (unbatched) input, got input.shape={array.shape} "
        f"and weight.shape={w.shape}"
    )


def _shape(array: Array, batched: bool) -> tuple[int, ...]:
    """The input's shape as the caller gave it."""
    return tuple(array.shape if batched else array.shape[1:])


def _expand(value: Any, ndim: int) -> Any:
    """A one-entry tuple or list means the same value on every axis, as in PyTorch."""
    if isinstance(value, (tuple, list)) and len(value) == 1 and ndim > 1:
        return tuple(value) * ndim
    return value


def _groups(groups: Any) -> int:
    """``groups`` as an int, checked before channel counts are computed from it."""
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral):
        raise ParameterTypeError(f"groups must be a positive integer, got groups={groups!r}")
    if groups < 1:
        raise ParameterError(f"groups must be a positive integer, got groups={int(groups)}")
    return int(groups)


def _check_bias(b: Array | None, channels: int, w: Array) -> None:
    if b is not None and b.shape != (channels,):
        raise ShapeError(
            f"bias must have shape (C_out,) = ({channels},), got bias.shape={b.shape} "
            f"and weight.shape={w.shape}"
        )


def _concrete(geometry: Geometry) -> Geometry:
    if geometry.is_symbolic:
        raise ParameterTypeError(
            f"numeric convolutions need integer parameters, got {geometry.describe()}"
        )
    return geometry


def _peak(array: Array | None) -> int:
    """Largest magnitude in an integer array, as a Python int (no overflow)."""
    if array is None or array.size == 0:
        return 0
    return max(abs(int(array.max())), abs(int(array.min())))


def _result_dtype(a: Array, w: Array, b: Array | None, terms: int) -> np.dtype[Any]:
    """The computation's dtype; for integers, proof that int64 cannot overflow.

    Each output is a sum of at most ``terms`` products ``a·w`` plus a bias, so
    ``max|a|·max|w|·terms + max|b|`` bounds every partial sum.
    """
    arrays = [v for v in (a, w, b) if v is not None]
    kinds = {v.dtype.kind for v in arrays}
    if "O" in kinds:
        return np.dtype(object)
    if kinds <= {"i", "u"}:
        peaks = [_peak(a), _peak(w), _peak(b)]
        bound = peaks[0] * peaks[1] * terms + peaks[2]
        if max(*peaks, bound) > _INT64_MAX:
            raise TooLargeError(
                f"integer inputs could overflow int64: |input| <= {peaks[0]}, "
                f"|weight| <= {peaks[1]}, |bias| <= {peaks[2]} with up to {terms} products "
                f"per output bound the result by {bound} > 2**63 - 1; pass arrays with "
                f"dtype=object (Python ints) for exact results of any size"
            )
        return np.dtype(np.int64)
    return np.result_type(*arrays)


#: Integers up to this magnitude are exact in float64 (a 53-bit significand).
_FLOAT_EXACT = 2**53


def _work_dtype(dtype: np.dtype[Any], a: Array, w: Array, b: Array | None, terms: int) -> Any:
    """The dtype to compute in: float64 for integers whose every partial sum stays below
    2**53 (exact there, and BLAS makes it fast), else ``dtype``.

    Every partial sum of an output is a sum of some of its at most ``terms`` products
    plus perhaps the bias, so ``max|a|·max|w|·terms + max|b|`` bounds them all.
    """
    if dtype != np.int64:
        return dtype
    bound = _peak(a) * _peak(w) * terms + _peak(b)
    return np.dtype(np.float64) if bound < _FLOAT_EXACT else dtype


def _padding_bound(padding: Any) -> int:
    """Sum of the magnitudes of every integer in a (nested) padding value.

    An int pads both ends, so twice this bounds ``p_begin + p_end`` on every axis.
    """
    if isinstance(padding, (tuple, list)):
        return sum(_padding_bound(p) for p in padding)
    return abs(int(padding)) if isinstance(padding, numbers.Integral) else 0


def _forward_geometry(
    sizes: tuple[int, ...], w: Array, stride: Any, padding: Any, dilation: Any, groups: int
) -> Geometry:
    """The transposed geometry whose adjoint is the convolution of ``sizes`` by ``w``.

    Its input size is the convolution's output size ``floor((i + p_b + p_e - ek)/s) + 1``
    and its ``output_padding`` the remainder ``(i + p_b + p_e - ek) mod s``, so that its
    output size is the convolution's input size ``i`` again.
    """
    channels = {"in_channels": w.shape[0], "out_channels": w.shape[1] * groups}
    kernel = tuple(w.shape[2:])
    # Validate and normalise the parameters first.  With input size P > p_begin + p_end
    # the probe's output size (P-1)s - p_begin - p_end + d(k-1) + 1 >= P - p_begin - p_end
    # is >= 1, so an error from the probe is about the parameters, never about sizes.
    probe = Geometry(
        input_size=(1 + 2 * _padding_bound(padding),) * len(sizes),
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        **channels,
    )
    probe = _concrete(probe)
    lengths, remainders = [], []
    for size, axis in zip(sizes, probe.axes, strict=True):
        padded = size + int(axis.p_begin) + int(axis.p_end)
        span = int(axis.effective_kernel)
        if padded < span:
            raise ParameterError(
                "the dilated kernel must fit in the padded input on every axis, got padded "
                f"input size {size} + {axis.p_begin} + {axis.p_end} = {padded} < "
                f"dilation*(kernel_size-1)+1 = {span} (input size {sizes}, kernel_size="
                f"{kernel}, padding={padding!r}, dilation={dilation!r})"
            )
        lengths.append((padded - span) // int(axis.s) + 1)
        remainders.append((padded - span) % int(axis.s))
    geometry = Geometry(
        input_size=tuple(lengths),
        kernel_size=kernel,
        stride=probe.stride,
        padding=padding,
        output_padding=tuple(remainders),
        dilation=probe.dilation,
        groups=groups,
        **channels,
    )
    assert geometry.output_size == sizes, (geometry.output_size, sizes)
    return geometry
