"""Framework conventions: PyTorch, ONNX, TensorFlow, Keras and JAX, translated exactly.

Explanation
===========

Every framework computes the same operation — the scatter
``x[s·n + d·m - p_begin] += y[n]·w[m]`` cropped to the output — but each one names and
parametrises it its own way: PyTorch crops ``padding`` from both ends of the full
output and adds ``output_padding`` at the high end; ONNX crops ``pads`` (asymmetric)
or derives them from ``output_shape``/``auto_pad``; TensorFlow defines the operation
as the gradient of a convolution whose input has ``output_shape``; Keras derives
everything from ``padding='valid'|'same'`` and ``output_padding``; JAX pads the
zero-inserted input instead (``lo = d(k-1) - p_begin``, ``hi = d(k-1) - p_end + a``)
and correlates, flipping the kernel only with ``transpose_kernel=True``.

The canonical meeting point is a :class:`~symtconv.Geometry` (PyTorch's names, with a
``(begin, end)`` crop per axis).  Two geometries describe the same operation exactly
when they agree on everything except how the end crop is split between ``p_end``
and ``output_padding``: only ``p_end - output_padding`` matters.  Readers
(``from_torch`` … ``from_jax``) therefore return the :func:`canonical` geometry — the
PyTorch form ``padding=p, output_padding=a`` whenever PyTorch can express the
operation, else an asymmetric crop — so that a round trip
``F -> Geometry -> G -> Geometry`` gives the very same object.

Writers (``to_torch`` … ``to_jax``) return a :class:`Call`: the keyword arguments of
the target's call, how PyTorch's weight is rearranged for it, and an extra ``crop`` of
its output when the target cannot express the padding (reported, never dropped).
:func:`convert` chains a reader and a writer into a :class:`Translation`.

Every per-axis formula is a small function written once, for Python ints and SymPy
integer symbols alike; :func:`prove_conventions` runs those very functions on
symbols and lets SymPy show that each translation gives the same output size and
the same scatter positions.

Examples
========

The seed's ``ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)`` in JAX:

>>> from symtconv.conventions import convert
>>> t = convert("torch", "jax", (32, 32), kernel_size=3, stride=2, padding=2,
...             in_channels=3, out_channels=6)
>>> t.kwargs["padding"], t.kwargs["transpose_kernel"], t.output_size
(((0, 0), (0, 0)), True, (61, 61))

ONNX ``SAME_UPPER`` crops asymmetrically, which PyTorch cannot express; the
translation says which crop is left to do:

>>> t = convert("onnx", "torch", (3, 3), kernel_shape=(3, 3), strides=(2, 2),
...             auto_pad="SAME_UPPER")
>>> t.geometry.padding, t.kwargs["padding"], t.crop
(((0, 1), (0, 1)), (0, 0), ((0, 1), (0, 1)))

The weight layouts differ too (Keras keeps ``(*k, out, in)``):

>>> convert("torch", "keras", 4, kernel_size=3, out_channels=2).weight.permute
(2, 1, 0)
"""

from __future__ import annotations

import argparse
import json
import numbers
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy as sp

from ..errors import ParameterError, ParameterTypeError, ShapeError
from ..geometry import Axis, Geometry

__all__ = [
    "ATTRIBUTES",
    "DEVIATIONS",
    "FRAMEWORKS",
    "PARAMETER_TABLE",
    "Call",
    "ConventionProof",
    "Transform",
    "Translation",
    "canonical",
    "conventions_table",
    "convert",
    "from_jax",
    "from_keras",
    "from_onnx",
    "from_tf",
    "from_torch",
    "onnx_conv_transpose",
    "onnx_pads",
    "prove_conventions",
    "read",
    "same_operation",
    "to_jax",
    "to_keras",
    "to_onnx",
    "to_tf",
    "to_torch",
    "torch_output_padding",
    "translate",
    "write",
]

#: The frameworks symtconv translates between, by their short names.
FRAMEWORKS = ("torch", "onnx", "tf", "keras", "jax")

_NAMES = {
    "torch": "PyTorch",
    "onnx": "ONNX",
    "tf": "TensorFlow",
    "keras": "Keras",
    "jax": "JAX",
}

Array = npt.NDArray[Any]


# --------------------------------------------------------------------------- #
# Scalar helpers that work on Python ints and on SymPy expressions
# --------------------------------------------------------------------------- #


def _symbolic(*values: Any) -> bool:
    return any(isinstance(v, sp.Basic) for v in values)


def _max(a: Any, b: Any) -> Any:
    return sp.Max(a, b) if _symbolic(a, b) else max(a, b)


def _min(a: Any, b: Any) -> Any:
    return sp.Min(a, b) if _symbolic(a, b) else min(a, b)


def _ceil_half(x: Any) -> Any:
    """``ceil(x/2)`` (``-((-x) // 2)`` on ints, as ``np.ceil(x / 2)`` in JAX's source)."""
    return sp.ceiling(x / 2) if _symbolic(x) else -((-x) // 2)


def _where(condition: Any, then: Any, otherwise: Any) -> Any:
    """``then if condition else otherwise``; a SymPy ``Piecewise`` when undecided."""
    if isinstance(condition, (bool, np.bool_)):
        return then if condition else otherwise
    if condition is sp.true or condition is sp.false:
        return then if condition is sp.true else otherwise
    return sp.Piecewise((then, condition), (otherwise, True))


# --------------------------------------------------------------------------- #
# Per-axis formulas, one small function each (N-d is these zipped over axes)
# --------------------------------------------------------------------------- #


def _effective(k: Any, d: Any) -> Any:
    """Span of the dilated kernel, ``d(k-1) + 1``."""
    return d * (k - 1) + 1


def _full(i: Any, k: Any, s: Any, d: Any) -> Any:
    """Length of the uncropped scatter, ``(i-1)s + d(k-1) + 1``."""
    return (i - 1) * s + _effective(k, d)


def _torch_min_size(i: Any, k: Any, s: Any, p: Any, d: Any) -> Any:
    """PyTorch's smallest output for ``output_size``: ``(i-1)s - 2p + d(k-1) + 1``."""
    return (i - 1) * s - 2 * p + d * (k - 1) + 1


def _onnx_split(total: Any, auto_pad: str, opset: int) -> tuple[Any, Any]:
    """ONNX's split of ``total_padding`` into (begin, end).

    Since opset 11: ``SAME_UPPER`` puts the smaller half first
    (``begin = total/2``), anything else the larger one; opset 1 had them the other
    way round.  ``/`` is floor division (the backend test ``test_convtranspose_output_shape``
    needs a negative total, -1, to give ``end = -1``, i.e. one more output at the end).
    """
    small = total // 2
    upper = auto_pad == "SAME_UPPER"
    if opset < 11:
        upper = not upper
    return (small, total - small) if upper else (total - small, small)


def _onnx_total(i: Any, k: Any, s: Any, d: Any, a: Any, out: Any) -> Any:
    """ONNX ``total_padding = s(i-1) + output_padding + d(k-1)+1 - output_shape``."""
    return s * (i - 1) + a + _effective(k, d) - out


def _onnx_output(i: Any, k: Any, s: Any, d: Any, a: Any, begin: Any, end: Any) -> Any:
    """ONNX's ``output_shape = s(i-1) + output_padding + d(k-1)+1 - pads_begin - pads_end``."""
    return s * (i - 1) + a + _effective(k, d) - begin - end


def _jax_pads(k: Any, d: Any, p_begin: Any, p_end: Any, a: Any) -> tuple[Any, Any]:
    """JAX's explicit ``(lo, hi)`` for a crop: ``(d(k-1) - p_begin, d(k-1) - p_end + a)``.

    ``lax.conv_transpose`` pads the zero-inserted input by ``lo``/``hi`` and correlates,
    exactly flip-and-pad's padding (negative values crop).
    """
    return d * (k - 1) - p_begin, d * (k - 1) - p_end + a


def _crop_from_jax_pads(k: Any, d: Any, lo: Any, hi: Any) -> tuple[Any, Any]:
    """The inverse of :func:`_jax_pads`: ``(p_begin, p_end - a)``."""
    return d * (k - 1) - lo, d * (k - 1) - hi


def _jax_output(i: Any, k: Any, s: Any, d: Any, lo: Any, hi: Any) -> Any:
    """``lax.conv_transpose``'s output length: ``(i-1)s + 1 + lo + hi - (d(k-1)+1) + 1``."""
    return (i - 1) * s + lo + hi - _effective(k, d) + 2


def _jax_string_pads(k: Any, s: Any, d: Any, padding: str) -> tuple[Any, Any]:
    """``jax._src.lax.convolution._conv_transpose_padding`` on the dilated kernel.

    ``'SAME'``: ``pad_len = ek + s - 2``, ``lo = ek - 1`` if ``s > ek - 1`` else
    ``ceil(pad_len/2)``; ``'VALID'``: ``pad_len = ek + s - 2 + max(ek - s, 0)``,
    ``lo = ek - 1``; ``hi = pad_len - lo``.
    """
    ek = _effective(k, d)
    if padding == "SAME":
        pad_len = ek + s - 2
        lo = _where(s > ek - 1, ek - 1, _ceil_half(pad_len))
    else:
        pad_len = ek + s - 2 + _max(ek - s, 0)
        lo = ek - 1
    return lo, pad_len - lo


def _keras_jax_pads(k: Any, s: Any, d: Any, padding: str, output_padding: Any) -> tuple[Any, Any]:
    """Keras 3's ``_convert_conv_transpose_padding_args_from_keras_to_jax``.

    ``valid``: ``(ek-1, ek-1+op)`` with ``op = max(ek, s) - ek`` when None;
    ``same``: ``pad_len = s + ek - 2`` (op None) or ``ek + ek%2 - 2 + op``,
    ``lo = min(ceil(pad_len/2), ek-1)``, ``hi = pad_len - lo``.
    """
    ek = _effective(k, d)
    if padding == "valid":
        op = _max(ek, s) - ek if output_padding is None else output_padding
        return ek - 1, ek - 1 + op
    pad_len = s + ek - 2 if output_padding is None else ek + ek % 2 - 2 + output_padding
    lo = _min(pad_len // 2 + pad_len % 2, ek - 1)
    return lo, pad_len - lo


def _keras_output(i: Any, k: Any, s: Any, d: Any, padding: str, output_padding: Any) -> Any:
    """Keras 3's ``_get_output_shape_given_tf_padding`` (the layer's output length)."""
    ek = _effective(k, d)
    if padding == "valid":
        op = _max(ek, s) - ek if output_padding is None else output_padding
        return (i - 1) * s + ek + op
    if output_padding is None:
        return i * s
    return (i - 1) * s + ek % 2 + output_padding


def _tf_same_begin(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
    """TF's SAME crop at the start: ``max((i-1)s + ek - out, 0) // 2``.

    The forward conv2d of an input of length ``out`` pads
    ``max((ceil(out/s)-1)s + ek - out, 0)`` in total, the smaller half first, and
    ``ceil(out/s) = i`` for a valid ``output_shape``.
    """
    return _max(_full(i, k, s, d) - out, 0) // 2


def _tf_output_range(i: Any, k: Any, s: Any, d: Any, padding: Any) -> tuple[Any, Any]:
    """Output lengths TF accepts: the ones a forward conv maps back to ``i``.

    SAME: ``ceil(o/s) = i``; VALID: ``floor((o - ek)/s) + 1 = i``; explicit
    ``(pb, pe)``: ``floor((o + pb + pe - ek)/s) + 1 = i``.
    """
    if padding == "SAME":
        return (i - 1) * s + 1, i * s
    begin, end = (0, 0) if padding == "VALID" else padding
    low = _full(i, k, s, d) - begin - end
    return low, low + s - 1


# --------------------------------------------------------------------------- #
# Canonical geometry
# --------------------------------------------------------------------------- #


def _axis_form(p_begin: int, net_end: int, s: int, d: int) -> tuple[Any, int]:
    """Padding and output_padding of one axis from its begin crop and net end crop.

    PyTorch's symmetric form when it exists (``0 <= p_begin - net_end < max(s, d)``),
    else an asymmetric crop with output_padding 0 (net end crop >= 0) or the end
    crop 0 and output_padding ``-net_end``.
    """
    a = p_begin - net_end
    if 0 <= a < max(s, d):
        return p_begin, a
    if net_end >= 0:
        return (p_begin, net_end), 0
    return (p_begin, 0), -net_end


def _crops(geometry: Geometry) -> list[tuple[int, int]]:
    """Per axis ``(p_begin, p_end - a)``: the begin crop and the net end crop."""
    return [(int(ax.p_begin), int(ax.p_end) - int(ax.a)) for ax in geometry.axes]


def _from_crops(
    geometry_like: Mapping[str, Any], crops: Sequence[tuple[int, int]], framework: str
) -> Geometry:
    """The canonical Geometry of the given sizes with these (begin, net end) crops.

    A negative begin crop (zeros before the output) is not a transposed convolution
    in PyTorch's terms; neither is a zero extension at the end longer than
    ``max(s, d) - 1``.  Both raise, naming the framework's parameters.
    """
    stride = geometry_like["stride"]
    dilation = geometry_like["dilation"]
    padding, output_padding = [], []
    for axis, ((begin, net_end), s, d) in enumerate(zip(crops, stride, dilation, strict=True)):
        if begin < 0:
            raise ParameterError(
                f"{_NAMES[framework]}'s parameters put {-begin} zero(s) before the output on "
                f"axis {axis} (a negative begin crop): no PyTorch-style transposed convolution "
                f"computes that; got {geometry_like['described']}"
            )
        p, a = _axis_form(begin, net_end, s, d)
        padding.append(p)
        output_padding.append(a)
    sizes = {k: v for k, v in geometry_like.items() if k != "described"}
    sizes.update(padding=tuple(padding), output_padding=tuple(output_padding))
    try:
        return Geometry(**sizes)
    except ParameterError as error:
        raise ParameterError(
            f"{_NAMES[framework]}'s parameters ({geometry_like['described']}) give no valid "
            f"transposed convolution: {error}"
        ) from None


def canonical(geometry: Geometry) -> Geometry:
    """The canonical form of a geometry: the same operation, written as PyTorch would.

    Explanation
    ===========

    The output of a transposed convolution depends on ``p_end`` and
    ``output_padding`` only through ``p_end - output_padding`` (the net crop of the
    end; ``output_padding`` appends positions that receive no product).  The canonical
    form per axis is ``padding=p_begin`` with ``output_padding = p_begin - net`` when
    that is PyTorch-valid (``0 <= a < max(s, d)``), else the crop ``(p_begin, net)``
    with ``output_padding=0``, or ``(p_begin, 0)`` with ``output_padding=-net``.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import canonical
    >>> canonical(Geometry(3, 3, stride=2, padding=[(1, 0)])).padding
    (1,)
    >>> canonical(Geometry(3, 3, stride=2, padding=[(1, 0)])).output_padding
    (1,)
    >>> canonical(Geometry(3, 3, stride=2, padding=1, output_padding=1)) == Geometry(
    ...     3, 3, stride=2, padding=1, output_padding=1)
    True

    See Also
    ========

    same_operation
    """
    if geometry.is_symbolic:
        raise ParameterTypeError("canonical needs a concrete geometry, got symbolic sizes")
    sizes = _sizes(geometry)
    return _from_crops({**sizes, "described": geometry.describe()}, _crops(geometry), "torch")


def same_operation(first: Geometry, second: Geometry) -> bool:
    """Whether two geometries compute the same function (equal canonical forms).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import same_operation
    >>> same_operation(Geometry(3, 3, stride=2, padding=1, output_padding=1),
    ...                Geometry(3, 3, stride=2, padding=[(1, 0)]))
    True
    """
    return canonical(first) == canonical(second)


def _sizes(geometry: Geometry) -> dict[str, Any]:
    """The parameters of a geometry other than padding and output_padding."""
    return {
        "input_size": geometry.input_size,
        "kernel_size": geometry.kernel_size,
        "stride": geometry.stride,
        "dilation": geometry.dilation,
        "in_channels": geometry.in_channels,
        "out_channels": geometry.out_channels,
        "groups": geometry.groups,
    }


# --------------------------------------------------------------------------- #
# Reading framework values
# --------------------------------------------------------------------------- #


def _int(framework: str, name: str, value: Any, shown: Any = None) -> int:
    shown = value if shown is None else shown
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterTypeError(
            f"{_NAMES[framework]}'s {name} must hold integers, got {name}={shown!r}"
        )
    return int(value)


def _is_seq(value: Any) -> bool:
    return isinstance(value, (tuple, list))


def _per_axis(framework: str, name: str, value: Any, ndim: int) -> tuple[int, ...]:
    """One int per axis from an int, a one-entry sequence or an ``ndim``-entry one.

    ONNX's attributes are lists with one entry per spatial axis, exactly (the
    specification broadcasts nothing), so a one-entry list there counts only in 1-D.
    """
    if _is_seq(value):
        if len(value) == 1 and (framework != "onnx" or ndim == 1):
            return (_int(framework, name, value[0], value),) * ndim
        if len(value) != ndim:
            raise ParameterError(
                f"{_NAMES[framework]}'s {name} needs one entry per spatial axis ({ndim}), "
                f"got {name}={value!r}"
            )
        return tuple(_int(framework, name, v, value) for v in value)
    return (_int(framework, name, value),) * ndim


def _ndim(input_size: Any) -> int:
    if _is_seq(input_size):
        if not input_size:
            raise ParameterError(f"input_size must have at least one axis, got {input_size!r}")
        return len(input_size)
    return 1


def _channels(framework: str, name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    count = _int(framework, name, value)
    if count < 1:
        raise ParameterError(f"{name} must be a positive integer, got {name}={count}")
    return count


def _checked(framework: str, described: str, **params: Any) -> Geometry:
    """``Geometry(**params)``, with errors that say which framework's values they were."""
    try:
        return Geometry(**params)
    except (ParameterError, ParameterTypeError) as error:
        raise type(error)(
            f"{_NAMES[framework]}'s parameters ({described}) give no valid transposed "
            f"convolution: {error}"
        ) from None


def _shown(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items() if v is not None)


# --------------------------------------------------------------------------- #
# PyTorch
# --------------------------------------------------------------------------- #


def torch_output_padding(
    input_size: Any,
    kernel_size: Any,
    output_size: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
) -> tuple[int, ...]:
    """The ``output_padding`` PyTorch derives from ``forward(input, output_size=...)``.

    Explanation
    ===========

    Per axis the smallest output is ``min = (i-1)s - 2p + d(k-1) + 1`` and PyTorch
    accepts ``output_size`` in ``[min, min + s - 1]``; ``output_padding`` is
    ``output_size - min``.  ``output_size`` may include the batch and channel
    entries, as in PyTorch.  PyTorch's upper bound ignores dilation: with
    ``d > s`` the sizes ``min + s … min + d - 1`` are valid transposed convolutions
    (``output_padding < dilation`` is accepted when given directly) but
    ``output_size`` refuses them — and so does this function, to agree with PyTorch.

    Examples
    ========

    >>> from symtconv.conventions import torch_output_padding
    >>> torch_output_padding((32, 32), 3, output_size=(64, 64), stride=2, padding=1)
    (1, 1)
    >>> torch_output_padding(4, 3, output_size=11, stride=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: requested an output size of [11], but valid sizes range ...

    Parameters
    ==========

    input_size, kernel_size, stride, padding, dilation : int or tuple
        PyTorch's values (spatial input size first).
    output_size : int or sequence
        The requested size: spatial, or with the batch and channel entries in front.
    """
    ndim = _ndim(input_size)
    sizes = _per_axis("torch", "input_size", input_size, ndim)
    kernel = _per_axis("torch", "kernel_size", kernel_size, ndim)
    strides = _per_axis("torch", "stride", stride, ndim)
    pads = _per_axis("torch", "padding", padding, ndim)
    dils = _per_axis("torch", "dilation", dilation, ndim)
    requested = list(output_size) if _is_seq(output_size) else [output_size]
    if len(requested) in (ndim + 1, ndim + 2):
        requested = requested[len(requested) - ndim :]
    if len(requested) != ndim:
        raise ParameterError(
            f"output_size must have {ndim} or {ndim + 2} elements (the spatial sizes, "
            f"optionally after batch and channels), got output_size={output_size!r}"
        )
    requested = [_int("torch", "output_size", v, output_size) for v in requested]
    low = [_torch_min_size(*a) for a in zip(sizes, kernel, strides, pads, dils, strict=True)]
    high = [m + s - 1 for m, s in zip(low, strides, strict=True)]
    if any(not lo <= o <= hi for o, lo, hi in zip(requested, low, high, strict=True)):
        raise ParameterError(
            f"requested an output size of {requested}, but valid sizes range from {low} "
            f"to {high} (for an input of {list(sizes)})"
        )
    return tuple(o - lo for o, lo in zip(requested, low, strict=True))


def from_torch(
    input_size: Any,
    kernel_size: Any,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
    *,
    in_channels: Any = None,
    out_channels: Any = None,
    output_size: Any = None,
    padding_mode: str = "zeros",
) -> Geometry:
    """The canonical Geometry of ``torch.nn.ConvTranspose{1,2,3}d`` / ``conv_transpose*d``.

    Explanation
    ===========

    PyTorch's parameters are symtconv's own; the result is :func:`canonical`.
    ``output_size`` (the argument of the module's ``forward``) replaces
    ``output_padding`` as PyTorch does (see :func:`torch_output_padding`).  Channels
    default to ``groups``.

    Examples
    ========

    >>> from symtconv.conventions import from_torch
    >>> g = from_torch((32, 32), 3, stride=2, padding=1, output_size=(64, 64))
    >>> g.output_padding, g.output_size
    ((1, 1), (64, 64))
    >>> from_torch(4, 3, padding="same")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: PyTorch's ... integer padding ...; padding='same' is not ...

    See Also
    ========

    to_torch, torch_output_padding
    """
    if padding_mode != "zeros":
        raise ParameterError(
            "PyTorch's transposed convolutions support only padding_mode='zeros', "
            f"got padding_mode={padding_mode!r}"
        )
    if isinstance(padding, str):
        raise ParameterError(
            "PyTorch's transposed convolutions take integer padding (a crop of the output); "
            f"padding={padding!r} is not supported"
        )
    if output_size is not None:
        output_padding = torch_output_padding(
            input_size, kernel_size, output_size, stride=stride, padding=padding,
            dilation=dilation,
        )
    grp = _channels("torch", "groups", groups, 1)
    params = {
        "input_size": tuple(input_size) if _is_seq(input_size) else input_size,
        "kernel_size": tuple(kernel_size) if _is_seq(kernel_size) else kernel_size,
        "stride": tuple(stride) if _is_seq(stride) else stride,
        "padding": tuple(padding) if _is_seq(padding) else padding,
        "output_padding": tuple(output_padding) if _is_seq(output_padding) else output_padding,
        "dilation": tuple(dilation) if _is_seq(dilation) else dilation,
        "in_channels": _channels("torch", "in_channels", in_channels, grp),
        "out_channels": _channels("torch", "out_channels", out_channels, grp),
        "groups": grp,
    }
    ndim = _ndim(input_size)
    for name in ("kernel_size", "stride", "padding", "output_padding", "dilation"):
        value = params[name]
        if isinstance(value, tuple) and len(value) == 1 and ndim > 1:  # one entry: every axis
            params[name] = value * ndim
    pads = params["padding"]
    if isinstance(pads, tuple) and any(_is_seq(p) for p in pads):
        raise ParameterTypeError(
            "PyTorch's padding is one integer per axis (a symmetric crop), "
            f"got padding={padding!r}"
        )
    return canonical(_checked("torch", _shown(params), **params))


def to_torch(geometry: Geometry) -> Call:
    """``torch.nn.functional.conv_transpose{1,2,3}d`` keyword arguments for a geometry.

    Explanation
    ===========

    Per axis, PyTorch crops ``p`` from both ends and appends ``a`` (accepted while
    ``a < max(s, d)``).  The geometry's begin crop ``p_begin`` and net end crop
    ``r = p_end - output_padding`` are met exactly when ``0 <= p_begin - r < max(s, d)``
    (``p = p_begin``, ``a = p_begin - r``).  Otherwise ``p = min(p_begin, r + max(s,d) - 1)``,
    ``a = max(0, p - r)``, and the rest is returned as ``crop`` of PyTorch's output.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import to_torch
    >>> call = to_torch(Geometry((4, 4), 3, stride=2, padding=[(0, 1), (2, 1)]))
    >>> call.kwargs["padding"], call.kwargs["output_padding"], call.crop
    ((0, 2), (0, 1), ((0, 1), (0, 0)))
    """
    ndim = geometry.ndim
    if ndim > 3:
        raise ParameterError(
            f"PyTorch has conv_transpose1d/2d/3d only, got a geometry with {ndim} spatial axes"
        )
    pads, adds, crop, lines = [], [], [], []
    for axis, ((begin, net), ax) in enumerate(zip(_crops(geometry), geometry.axes, strict=True)):
        s, d = int(ax.s), int(ax.d)
        p = min(begin, net + max(s, d) - 1)
        a = max(0, p - net)
        pads.append(p)
        adds.append(a)
        crop.append((begin - p, a - p + net))
        lines.append(
            f"axis {axis}: crop {begin} at the start and net {net} at the end "
            f"(p_end - output_padding) -> padding {p}, output_padding {a}"
            + ("" if crop[-1] == (0, 0) else f", then crop {crop[-1]} of the output")
        )
    kwargs = {
        "stride": tuple(int(v) for v in geometry.stride),
        "padding": tuple(pads),
        "output_padding": tuple(adds),
        "groups": geometry.groups,
        "dilation": tuple(int(v) for v in geometry.dilation),
    }
    explanations = (
        ("stride", "stride per axis"),
        ("padding", "crop of both ends of the full output: " + "; ".join(lines)),
        ("output_padding", "extra length at the high end (PyTorch accepts a < max(s, d))"),
        ("groups", "channel groups"),
        ("dilation", "kernel dilation per axis"),
    )
    return _call(
        geometry, "torch", f"torch.nn.functional.conv_transpose{ndim}d(input, weight, bias, "
        "**kwargs)", kwargs, explanations, crop, _layouts("torch", ndim),
        notes=(
            "torch.nn.ConvTranspose*d(in_channels, out_channels, kernel_size, **kwargs) "
            "is the same layer",
        ),
    )


# --------------------------------------------------------------------------- #
# ONNX
# --------------------------------------------------------------------------- #

_AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


def onnx_pads(
    input_size: Sequence[int],
    kernel_shape: Sequence[int],
    *,
    strides: Any = None,
    pads: Any = None,
    auto_pad: str = "NOTSET",
    output_shape: Any = None,
    output_padding: Any = None,
    dilations: Any = None,
    opset: int = 22,
) -> tuple[tuple[int, int], ...]:
    """The ``(begin, end)`` crop per axis that the ONNX specification prescribes.

    Explanation
    ===========

    With ``output_shape``: ``total = s(i-1) + output_padding + d(k-1)+1 - output_shape``,
    split by :func:`_onnx_split` (``SAME_UPPER``: smaller half first; anything else:
    larger half first), ignoring ``pads``.  Else with ``auto_pad = SAME_*`` the same
    with ``output_shape = i·s``; ``VALID``: no crop; ``NOTSET``: ``pads``
    (``[x1_begin, x2_begin, …, x1_end, x2_end, …]``).  A negative entry adds zeros
    instead of cropping.

    Examples
    ========

    >>> from symtconv.conventions import onnx_pads
    >>> onnx_pads((3, 3), (3, 3), strides=(3, 2), output_shape=(10, 8))
    ((0, -1), (0, -1))
    >>> onnx_pads((3,), (3,), strides=(2,), auto_pad="SAME_UPPER")
    ((0, 1),)
    >>> onnx_pads((3,), (3,), strides=(2,), auto_pad="SAME_LOWER")
    ((1, 0),)

    Parameters
    ==========

    input_size, kernel_shape : sequence of int
        Spatial sizes of X and of the kernel.
    strides, pads, auto_pad, output_shape, output_padding, dilations :
        The node's attributes (None when absent).
    opset : int
        The ConvTranspose version; before 11 the SAME split was the other way round.
    """
    ndim = len(input_size)
    s = _per_axis("onnx", "strides", 1 if strides is None else strides, ndim)
    d = _per_axis("onnx", "dilations", 1 if dilations is None else dilations, ndim)
    a = _per_axis("onnx", "output_padding", 0 if output_padding is None else output_padding, ndim)
    if auto_pad not in _AUTO_PADS:
        raise ParameterError(
            f"ONNX's auto_pad must be one of {_AUTO_PADS}, got auto_pad={auto_pad!r}"
        )
    if output_shape is not None or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        if output_shape is None:
            out = tuple(i * st for i, st in zip(input_size, s, strict=True))
        else:
            shape = list(output_shape) if _is_seq(output_shape) else [output_shape]
            if len(shape) == ndim + 2:  # tolerated: batch and channels in front
                shape = shape[2:]
            out = _per_axis("onnx", "output_shape", shape, ndim)
        return tuple(
            _onnx_split(_onnx_total(*args), auto_pad, opset)
            for args in zip(input_size, kernel_shape, s, d, a, out, strict=True)
        )
    if auto_pad == "VALID" or pads is None:
        if auto_pad == "VALID" and pads is not None:
            raise ParameterError(
                f"ONNX's pads cannot be used together with auto_pad={auto_pad!r}, got pads={pads!r}"
            )
        return ((0, 0),) * ndim
    if not _is_seq(pads) or len(pads) != 2 * ndim:
        raise ParameterError(
            f"ONNX's pads must have 2 entries per spatial axis, [x1_begin, x2_begin, ..., "
            f"x1_end, x2_end, ...] ({2 * ndim}), got pads={pads!r}"
        )
    values = [_int("onnx", "pads", v, pads) for v in pads]
    if any(v < 0 for v in values):
        raise ParameterError(f"ONNX's pads must be non-negative, got pads={pads!r}")
    return tuple((values[j], values[j + ndim]) for j in range(ndim))


def from_onnx(
    input_size: Any,
    kernel_shape: Any,
    *,
    in_channels: Any = None,
    out_channels: Any = None,
    strides: Any = None,
    pads: Any = None,
    auto_pad: str = "NOTSET",
    output_shape: Any = None,
    output_padding: Any = None,
    dilations: Any = None,
    group: Any = 1,
    opset: int = 22,
) -> Geometry:
    """The canonical Geometry of an ONNX ``ConvTranspose`` node.

    Explanation
    ===========

    The crops are :func:`onnx_pads`; ``in_channels`` is X's ``C`` and
    ``out_channels`` is ``M = W.shape[1]·group`` (both default to ``group``).  A
    negative end crop (``output_shape`` larger than the natural size, or ``SAME``
    with ``d(k-1)+1 + output_padding < s``) becomes ``output_padding``; a negative
    begin crop has no PyTorch-style geometry and raises (:func:`onnx_conv_transpose`
    still evaluates it).

    Examples
    ========

    >>> from symtconv.conventions import from_onnx
    >>> g = from_onnx((3, 3), (3, 3), strides=(3, 2), output_shape=(10, 8))
    >>> g.padding, g.output_padding, g.output_size
    ((0, 0), (1, 1), (10, 8))

    See Also
    ========

    onnx_pads, to_onnx, onnx_conv_transpose
    """
    ndim = _ndim(input_size)
    sizes = _per_axis("onnx", "input_size", input_size, ndim)
    kernel = _per_axis("onnx", "kernel_shape", kernel_shape, ndim)
    crops = onnx_pads(
        sizes, kernel, strides=strides, pads=pads, auto_pad=auto_pad, output_shape=output_shape,
        output_padding=output_padding, dilations=dilations, opset=opset,
    )
    grp = _channels("onnx", "group", group, 1)
    a = _per_axis("onnx", "output_padding", 0 if output_padding is None else output_padding, ndim)
    attrs = {
        "kernel_shape": kernel_shape, "strides": strides, "pads": pads,
        "auto_pad": None if auto_pad == "NOTSET" else auto_pad, "output_shape": output_shape,
        "output_padding": output_padding, "dilations": dilations, "group": group,
    }
    described = f"input size {sizes}, " + _shown(attrs)
    # the geometry with the spec's crops, checked as given, then in canonical form
    stride = _per_axis("onnx", "strides", 1 if strides is None else strides, ndim)
    dilation = _per_axis("onnx", "dilations", 1 if dilations is None else dilations, ndim)
    base = {
        "input_size": sizes, "kernel_size": kernel, "stride": stride, "dilation": dilation,
        "in_channels": _channels("onnx", "in_channels", in_channels, grp),
        "out_channels": _channels("onnx", "out_channels", out_channels, grp), "groups": grp,
    }
    _check_output_padding("onnx", a, stride, dilation, described)
    net = [(b, e - ai) for (b, e), ai in zip(crops, a, strict=True)]
    return _from_crops({**base, "described": described}, net, "onnx")


def _check_output_padding(
    framework: str, a: Sequence[int], s: Sequence[int], d: Sequence[int], described: str
) -> None:
    for ai, si, di in zip(a, s, d, strict=True):
        if not 0 <= ai < max(si, di):
            raise ParameterError(
                f"{_NAMES[framework]}'s output_padding must be non-negative and smaller than "
                f"the stride or the dilation on every axis, got {described}"
            )


def to_onnx(geometry: Geometry) -> Call:
    """ONNX ``ConvTranspose`` attributes for a geometry (always exact).

    Explanation
    ===========

    ``pads = [p_begin…, max(r, 0)…]`` and ``output_padding = max(-r, 0)`` with the net
    end crop ``r = p_end - output_padding``; ``kernel_shape``, ``strides``,
    ``dilations`` and ``group`` carry over.  W is PyTorch's weight ``(C, M/group, *k)``.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import to_onnx
    >>> to_onnx(Geometry((3, 3), 3, stride=2, padding=1, output_padding=1)).kwargs["pads"]
    (1, 1, 0, 0)
    """
    crops = _crops(geometry)
    begins = tuple(b for b, _ in crops)
    ends = tuple(max(r, 0) for _, r in crops)
    adds = tuple(max(-r, 0) for _, r in crops)
    kwargs = {
        "kernel_shape": tuple(int(k) for k in geometry.kernel_size),
        "strides": tuple(int(v) for v in geometry.stride),
        "pads": begins + ends,
        "output_padding": adds,
        "dilations": tuple(int(v) for v in geometry.dilation),
        "group": geometry.groups,
    }
    notes = []
    if any(a >= int(s) for a, s in zip(adds, geometry.stride, strict=True)):
        notes.append(
            "output_padding >= strides on some axis (allowed while < dilations): "
            "onnx.reference.ReferenceEvaluator raises on it (see the deviations)"
        )
    explanations = (
        ("kernel_shape", "kernel size per axis (W.shape[2:])"),
        ("strides", "stride per axis"),
        ("pads", "[x1_begin, x2_begin, ..., x1_end, ...]: crops of the full output; "
                 "begin = p_begin, end = max(p_end - output_padding, 0)"),
        ("output_padding", "extra length at the high end = max(output_padding - p_end, 0)"),
        ("dilations", "kernel dilation per axis"),
        ("group", "channel groups"),
    )
    return _call(
        geometry, "onnx", "onnx.helper.make_node('ConvTranspose', ['X', 'W', 'B'], ['Y'], "
        "**kwargs)", kwargs, explanations, None, _layouts("onnx", geometry.ndim),
        notes=tuple(notes),
    )


def onnx_conv_transpose(
    X: npt.ArrayLike,
    W: npt.ArrayLike,
    B: npt.ArrayLike | None = None,
    *,
    auto_pad: str = "NOTSET",
    dilations: Any = None,
    group: int = 1,
    kernel_shape: Any = None,
    output_padding: Any = None,
    output_shape: Any = None,
    pads: Any = None,
    strides: Any = None,
    opset: int = 22,
) -> Array:
    """ONNX ``ConvTranspose`` exactly as the specification defines it, in NumPy.

    Explanation
    ===========

    The crops are the specification's (:func:`onnx_pads`); the values are the scatter
    of :func:`symtconv.numeric.conv_transpose` (PyTorch's semantics, which ONNX
    shares: W is ``(C, M/group, *k)``).  A negative crop — ``output_shape`` larger
    than the natural size, or ``SAME`` with ``d(k-1)+1 + output_padding < s`` — adds
    zeros at that end (and then the bias).  The result has X's dtype.

    ``onnx.reference.ReferenceEvaluator`` deviates from the specification in a few
    places (``output_shape`` without ``auto_pad``, ``group > 1`` with several
    channels per group or a bias, ``output_padding >= strides``); this function
    follows the specification.  See docs/conventions.md.

    Examples
    ========

    The backend test ``test_convtranspose_1d``:

    >>> import numpy as np
    >>> from symtconv.conventions import onnx_conv_transpose
    >>> x = np.array([[[0.0, 1.0, 2.0]]], dtype=np.float32)
    >>> onnx_conv_transpose(x, np.ones((1, 2, 3), dtype=np.float32))
    array([[[0., 1., 3., 3., 2.],
            [0., 1., 3., 3., 2.]]], dtype=float32)

    ``output_shape`` one longer than the natural size: the spec's ``end`` pad is -1.

    >>> onnx_conv_transpose(x, np.ones((1, 1, 3)), strides=[2], output_shape=[8])
    array([[[0., 0., 1., 1., 3., 2., 2., 0.]]], dtype=float32)

    Parameters
    ==========

    X : array_like
        ``(N, C, D1, …, Dn)``.
    W : array_like
        ``(C, M/group, k1, …, kn)``.
    B : array_like, optional
        ``(M,)``.
    auto_pad, dilations, group, kernel_shape, output_padding, output_shape, pads, strides :
        The node's attributes, with ONNX's names and defaults.
    opset : int
        ConvTranspose version (1, 11 or 22); below 11 the SAME split is inverted.

    See Also
    ========

    onnx_pads, from_onnx, symtconv.numeric.conv_transpose
    """
    from ..numeric import conv_transpose

    x, w = np.asarray(X), np.asarray(W)
    if x.ndim < 3 or w.ndim != x.ndim:
        raise ShapeError(
            "ONNX ConvTranspose needs X of shape (N, C, D1, ..., Dn) and W of shape "
            f"(C, M/group, k1, ..., kn) with n >= 1, got X.shape={x.shape} and W.shape={w.shape}"
        )
    ndim = x.ndim - 2
    kernel = tuple(w.shape[2:])
    if kernel_shape is not None and _per_axis("onnx", "kernel_shape", kernel_shape, ndim) != kernel:
        raise ShapeError(
            f"ONNX's kernel_shape={list(kernel_shape)} disagrees with W.shape[2:]={list(kernel)}"
        )
    crops = onnx_pads(
        x.shape[2:], kernel, strides=strides, pads=pads, auto_pad=auto_pad,
        output_shape=output_shape, output_padding=output_padding, dilations=dilations,
        opset=opset,
    )
    s = _per_axis("onnx", "strides", 1 if strides is None else strides, ndim)
    d = _per_axis("onnx", "dilations", 1 if dilations is None else dilations, ndim)
    a = _per_axis("onnx", "output_padding", 0 if output_padding is None else output_padding, ndim)
    for j, (i, k, (b, e)) in enumerate(zip(x.shape[2:], kernel, crops, strict=True)):
        size = _onnx_output(i, k, s[j], d[j], a[j], b, e)
        if size < 1:
            raise ParameterError(
                f"ONNX ConvTranspose output size on axis {j} is {size} < 1 (input {i}, kernel "
                f"{k}, stride {s[j]}, dilation {d[j]}, output_padding {a[j]}, pads ({b}, {e}))"
            )
    # crop what the spec crops; a negative pad is added afterwards as zeros
    out = conv_transpose(
        x, w, None, stride=s, padding=[(max(b, 0), max(e, 0)) for b, e in crops],
        output_padding=a, groups=_int("onnx", "group", group), dilation=d,
    )
    widths = [(0, 0), (0, 0)] + [(max(-b, 0), max(-e, 0)) for b, e in crops]
    if any(w_ != (0, 0) for w_ in widths):
        out = np.pad(out, widths)
    if B is not None:
        bias = np.asarray(B)
        if bias.shape != (out.shape[1],):
            raise ShapeError(
                f"B must have shape (M,) = ({out.shape[1]},), got B.shape={bias.shape}"
            )
        out = out + bias.reshape(-1, *(1,) * ndim)
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


# --------------------------------------------------------------------------- #
# TensorFlow
# --------------------------------------------------------------------------- #

_TF_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_TF_FIRST = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _tf_channels_last(data_format: Any, ndim: int) -> bool:
    if data_format is None or data_format == _TF_LAST.get(ndim):
        return True
    if data_format == _TF_FIRST.get(ndim):
        return False
    raise ParameterError(
        f"TensorFlow's data_format for {ndim}-D must be {_TF_LAST.get(ndim)!r} or "
        f"{_TF_FIRST.get(ndim)!r}, got data_format={data_format!r}"
    )


def _tf_spatial(name: str, value: Any, ndim: int, last: bool, default: int) -> tuple[int, ...]:
    """TF's strides/dilations: an int, or 1, ndim or ndim+2 entries (N and C must be 1)."""
    if value is None:
        return (default,) * ndim
    if _is_seq(value) and len(value) == ndim + 2 and ndim + 2 != 1:
        outer = (value[0], value[-1]) if last else (value[0], value[1])
        if any(_int("tf", name, v, value) != 1 for v in outer):
            raise ParameterError(
                f"TensorFlow's {name} must be 1 on the batch and channel axes, got {name}={value!r}"
            )
        inner = value[1:-1] if last else value[2:]
        return _per_axis("tf", name, list(inner), ndim)
    return _per_axis("tf", name, value, ndim)


def from_tf(
    input_size: Any,
    kernel_size: Any,
    output_shape: Any,
    strides: Any = 1,
    padding: Any = "SAME",
    data_format: Any = None,
    dilations: Any = None,
    *,
    in_channels: Any = 1,
    out_channels: Any = None,
) -> Geometry:
    """The canonical Geometry of ``tf.nn.conv{1,2,3}d_transpose``.

    Explanation
    ===========

    TensorFlow's transposed convolution is the gradient of the forward convolution
    whose input has ``output_shape``: ``filters`` ``[*k, out, in]``, ``strides``,
    ``dilations`` and ``padding`` are that convolution's.  ``output_shape`` must be
    one that the forward convolution maps back to the input size:

    - ``'VALID'``: ``o in [(i-1)s + ek, (i-1)s + ek + s - 1]``, no crop,
      ``output_padding = o - ((i-1)s + ek)``;
    - ``'SAME'``: ``ceil(o/s) = i``; total crop ``max((i-1)s + ek - o, 0)``, the
      smaller half (``total // 2``) at the start;
    - explicit ``[[0, 0], [pb, pe], …, [0, 0]]`` (conv2d_transpose only):
      ``o in [(i-1)s + ek - pb - pe, … + s - 1]``, crops ``pb`` and ``pe``.

    ``output_shape`` is the full shape (batch, spatial and channels in
    ``data_format`` order; the channel entry gives ``out_channels``) or only the
    spatial sizes.  TF's transposed convolutions have no groups.

    Examples
    ========

    >>> from symtconv.conventions import from_tf
    >>> g = from_tf((3, 3), 3, output_shape=(1, 6, 6, 4), strides=2, padding="SAME")
    >>> g.padding, g.output_size, g.out_channels
    (((0, 1), (0, 1)), (6, 6), 4)

    See Also
    ========

    to_tf
    """
    ndim = _ndim(input_size)
    last = _tf_channels_last(data_format, ndim)
    sizes = _per_axis("tf", "input_size", input_size, ndim)
    kernel = _per_axis("tf", "kernel_size", kernel_size, ndim)
    s = _tf_spatial("strides", strides, ndim, last, 1)
    d = _tf_spatial("dilations", dilations, ndim, last, 1)
    shape = list(output_shape) if _is_seq(output_shape) else [output_shape]
    channels = None
    if len(shape) == ndim + 2:
        channels = shape[-1] if last else shape[1]
        shape = shape[1:-1] if last else shape[2:]
    out = _per_axis("tf", "output_shape", shape, ndim)
    out_ch = _channels("tf", "out_channels", out_channels, 1)
    if channels is not None:
        ch = _channels("tf", "output_shape channels", channels, 1)
        if out_channels is not None and ch != out_ch:
            raise ParameterError(
                f"TensorFlow's output_shape has {ch} channels but out_channels={out_ch}"
            )
        out_ch = ch
    per_axis = _tf_padding(padding, ndim, last)
    attrs = {"output_shape": output_shape, "strides": strides, "padding": padding,
             "data_format": data_format, "dilations": dilations}
    described = f"input size {sizes}, kernel size {kernel}, " + _shown(attrs)
    crops = []
    for j, (i, k, st, dj, o, pad) in enumerate(zip(sizes, kernel, s, d, out, per_axis,
                                                   strict=True)):
        low, high = _tf_output_range(i, k, st, dj, pad)
        if not low <= o <= high:
            raise ParameterError(
                f"TensorFlow's output_shape must be one that conv (padding {pad!r}, stride "
                f"{st}) maps back to the input size {i}: on axis {j} valid sizes are "
                f"{low}..{high}, got {o} ({described})"
            )
        begin = _tf_same_begin(i, k, st, dj, o) if pad == "SAME" else (
            0 if pad == "VALID" else pad[0]
        )
        crops.append((begin, _full(i, k, st, dj) - o - begin))
    base = {"input_size": sizes, "kernel_size": kernel, "stride": s, "dilation": d,
            "in_channels": _channels("tf", "in_channels", in_channels, 1),
            "out_channels": out_ch, "groups": 1, "described": described}
    return _from_crops(base, crops, "tf")


def _tf_padding(padding: Any, ndim: int, last: bool) -> list[Any]:
    """Per axis 'SAME', 'VALID' or an explicit (begin, end) pair."""
    if padding in ("SAME", "VALID"):
        return [padding] * ndim
    if isinstance(padding, str):
        raise ParameterError(
            "TensorFlow's padding must be 'SAME', 'VALID' or explicit pairs, "
            f"got padding={padding!r}"
        )
    if ndim != 2:
        raise ParameterError(
            f"tf.nn.conv{ndim}d_transpose takes padding 'SAME' or 'VALID' only "
            f"(explicit pairs are for conv2d_transpose), got padding={padding!r}"
        )
    if not _is_seq(padding) or not all(_is_seq(p) and len(p) == 2 for p in padding):
        raise ParameterTypeError(
            "TensorFlow's explicit padding is a list of [begin, end] pairs, "
            f"got padding={padding!r}"
        )
    pairs = [tuple(_int("tf", "padding", v, padding) for v in p) for p in padding]
    if len(pairs) == ndim + 2:
        outer = (pairs[0], pairs[-1]) if last else (pairs[0], pairs[1])
        if any(p != (0, 0) for p in outer):
            raise ParameterError(
                f"TensorFlow's explicit padding must be [0, 0] on the batch and channel axes, "
                f"got padding={padding!r}"
            )
        pairs = pairs[1:-1] if last else pairs[2:]
    if len(pairs) != ndim or any(v < 0 for p in pairs for v in p):
        raise ParameterError(
            f"TensorFlow's explicit padding needs a non-negative [begin, end] pair per spatial "
            f"axis, got padding={padding!r}"
        )
    return pairs


def to_tf(geometry: Geometry, batch: int = 1) -> Call:
    """``tf.nn.conv{1,2,3}d_transpose`` keyword arguments for a geometry.

    Explanation
    ===========

    ``output_shape`` is ``[batch, *o, out_channels]`` (TensorFlow's CPU layout,
    channels last).  ``'SAME'`` or ``'VALID'`` when either reproduces every axis
    exactly; else explicit pairs (2-D: ``pb = p_begin``, ``pe = max(r, 0)`` with the
    net end crop ``r``, exact while ``-r < s``); else ``'VALID'`` with
    ``output_shape`` ``(i-1)s + ek + min(max(-r, 0), s-1)`` and the rest as ``crop``
    (negative entries there mean zeros to append).  No groups; no bias (add it).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import to_tf
    >>> call = to_tf(Geometry((3, 3), 3, stride=2, padding=[(0, 1), (0, 1)], out_channels=4))
    >>> call.kwargs["padding"], call.kwargs["output_shape"]
    ('SAME', (1, 6, 6, 4))
    >>> call.weight.permute
    (2, 3, 1, 0)
    """
    ndim = geometry.ndim
    _no_groups(geometry, "tf", "tf.nn.conv*_transpose")
    if ndim > 3:
        raise ParameterError(
            f"TensorFlow has conv1d/2d/3d_transpose only, got {ndim} spatial axes"
        )
    axes = [(int(ax.i), int(ax.k), int(ax.s), int(ax.d)) for ax in geometry.axes]
    crops = _crops(geometry)
    out = [int(o) for o in geometry.output_size]
    padding: Any = None
    crop: list[tuple[int, int]] = [(0, 0)] * ndim
    for mode in ("SAME", "VALID"):
        ok = True
        for (i, k, s, d), (begin, _), o in zip(axes, crops, out, strict=True):
            low, high = _tf_output_range(i, k, s, d, mode)
            want = _tf_same_begin(i, k, s, d, o) if mode == "SAME" else 0
            ok = ok and low <= o <= high and want == begin
        if ok:
            padding = mode
            break
    how = f"padding {padding!r} reproduces every axis exactly"
    if padding is None and ndim == 2 and all(net > -s for (_, _, s, _), (_, net) in
                                             zip(axes, crops, strict=True)):
        padding = [[0, 0]] + [[b, max(r, 0)] for b, r in crops] + [[0, 0]]
        how = "explicit padding [[0, 0], [pb, pe], ..., [0, 0]] = the crops of the full output"
    elif padding is None:
        padding = "VALID"
        out, crop = [], []
        for (i, k, s, d), (begin, net) in zip(axes, crops, strict=True):
            extra = min(max(-net, 0), s - 1)  # the largest output_padding VALID allows
            out.append(_full(i, k, s, d) + extra)
            crop.append((begin, extra + net))
        how = ("neither 'SAME' nor 'VALID' (nor explicit pairs) reproduce the crops: 'VALID' "
               "with the uncropped output_shape, then crop")
    kwargs = {
        "output_shape": (batch, *out, geometry.out_channels),
        "strides": tuple(s for _, _, s, _ in axes),
        "padding": padding,
        "data_format": _TF_LAST[ndim],
        "dilations": tuple(d for _, _, _, d in axes),
    }
    explanations = (
        ("output_shape", f"[batch, *spatial, out_channels]; batch={batch} is yours to set"),
        ("strides", "stride of the forward conv whose gradient this is"),
        ("padding", how),
        ("data_format", "channels last (TensorFlow's CPU kernels support only this)"),
        ("dilations", "kernel dilation per axis"),
    )
    notes = ["tf.nn.conv*_transpose adds no bias: add it to the output"]
    if any(d > 1 for _, _, _, d in axes):
        notes.append("dilations > 1: TensorFlow's CPU kernel (Conv2DBackpropInput) refuses "
                     "them ('Current CPU implementations do not yet support dilation rates "
                     "larger than 1'); run it on a GPU or translate to 'jax'")
    return _call(
        geometry, "tf", f"tf.nn.conv{ndim}d_transpose(input, filters, **kwargs)", kwargs,
        explanations, crop, _layouts("tf", ndim), notes=tuple(notes),
    )


# --------------------------------------------------------------------------- #
# Keras
# --------------------------------------------------------------------------- #


def _keras_padding(padding: Any) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ParameterError(
            f"Keras's padding must be 'valid' or 'same', got padding={padding!r}"
        )
    return padding.lower()


def _keras_channels_last(data_format: Any) -> bool:
    if data_format in (None, "channels_last"):
        return True
    if data_format == "channels_first":
        return False
    raise ParameterError(
        "Keras's data_format must be 'channels_last' or 'channels_first', "
        f"got data_format={data_format!r}"
    )


def from_keras(
    input_size: Any,
    kernel_size: Any,
    filters: Any,
    strides: Any = 1,
    padding: str = "valid",
    output_padding: Any = None,
    data_format: Any = None,
    dilation_rate: Any = 1,
    *,
    in_channels: Any = 1,
) -> Geometry:
    """The canonical Geometry of ``keras.layers.Conv{1,2,3}DTranspose`` (Keras 3).

    Explanation
    ===========

    Keras 3 runs ``lax.conv_transpose`` (JAX backend) with the pads of
    :func:`_keras_jax_pads`, which are converted to crops like :func:`from_jax`.  The
    output length is Keras's own ``(i-1)s + ek + op`` (valid; ``op`` defaults to
    ``max(ek, s) - ek``), ``i·s`` (same, ``output_padding=None``) or
    ``(i-1)s + ek%2 + op`` (same).  Keras refuses ``output_padding >= strides`` and
    ``strides > 1`` together with ``dilation_rate > 1``; so does this function.
    Kernel ``(*k, filters, in_channels)``; no groups.

    Examples
    ========

    >>> from symtconv.conventions import from_keras
    >>> g = from_keras((4, 4), 3, filters=2, strides=2, padding="same")
    >>> g.padding, g.output_size
    (((0, 1), (0, 1)), (8, 8))

    See Also
    ========

    to_keras
    """
    ndim = _ndim(input_size)
    mode = _keras_padding(padding)
    _keras_channels_last(data_format)
    sizes = _per_axis("keras", "input_size", input_size, ndim)
    kernel = _per_axis("keras", "kernel_size", kernel_size, ndim)
    s = _per_axis("keras", "strides", strides, ndim)
    d = _per_axis("keras", "dilation_rate", dilation_rate, ndim)
    ops = None if output_padding is None else _per_axis(
        "keras", "output_padding", output_padding, ndim
    )
    attrs = {"filters": filters, "kernel_size": kernel_size, "strides": strides,
             "padding": padding, "output_padding": output_padding,
             "dilation_rate": dilation_rate, "data_format": data_format}
    described = f"input size {sizes}, " + _shown(attrs)
    if ops is not None and any(not 0 <= a < st for a, st in zip(ops, s, strict=True)):
        raise ParameterError(
            f"Keras's output_padding must be non-negative and strictly less than strides "
            f"on every axis, got {described}"
        )
    if max(s) > 1 and max(d) > 1:
        raise ParameterError(
            f"Keras refuses strides > 1 together with dilation_rate > 1, got {described}"
        )
    crops = []
    for j in range(ndim):
        lo, hi = _keras_jax_pads(kernel[j], s[j], d[j], mode, None if ops is None else ops[j])
        crops.append(_crop_from_jax_pads(kernel[j], d[j], lo, hi))
    base = {"input_size": sizes, "kernel_size": kernel, "stride": s, "dilation": d,
            "in_channels": _channels("keras", "in_channels", in_channels, 1),
            "out_channels": _channels("keras", "filters", filters, 1), "groups": 1,
            "described": described}
    return _from_crops(base, crops, "keras")


def to_keras(geometry: Geometry) -> Call:
    """``keras.layers.Conv{1,2,3}DTranspose`` arguments for a geometry.

    Explanation
    ===========

    Tries ``padding='valid'`` then ``'same'``, first with ``output_padding=None``
    and then with one ``output_padding`` per axis (each ``< strides``), and keeps the
    first that reproduces every axis; else ``'valid'`` with
    ``output_padding = min(max(-r, 0), s-1)`` and the rest as ``crop``.  Keras has no
    groups and refuses ``strides > 1`` with ``dilation_rate > 1``: those raise.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import to_keras
    >>> call = to_keras(Geometry((4, 4), 3, stride=2, padding=[(0, 1), (0, 1)]))
    >>> call.kwargs["padding"], call.kwargs["output_padding"], call.crop
    ('same', None, None)

    PyTorch's ``padding=1, output_padding=1`` crops the start instead, which neither
    Keras padding does:

    >>> call = to_keras(Geometry((4, 4), 3, stride=2, padding=1, output_padding=1))
    >>> call.kwargs["padding"], call.kwargs["output_padding"], call.crop
    ('valid', (0, 0), ((1, 0), (1, 0)))
    """
    ndim = geometry.ndim
    _no_groups(geometry, "keras", "Keras's Conv*DTranspose")
    if ndim > 3:
        raise ParameterError(f"Keras has Conv1D/2D/3DTranspose only, got {ndim} spatial axes")
    axes = [(int(ax.k), int(ax.s), int(ax.d)) for ax in geometry.axes]
    if max(s for _, s, _ in axes) > 1 and max(d for _, _, d in axes) > 1:
        raise ParameterError(
            "Keras refuses strides > 1 together with dilation_rate > 1, got "
            f"{geometry.describe()}; translate to 'jax' or 'tf' instead"
        )
    crops = _crops(geometry)

    def matches(mode: str, k: int, s: int, d: int, op: int | None, want: tuple[int, int]) -> bool:
        lo, hi = _keras_jax_pads(k, s, d, mode, op)
        return _crop_from_jax_pads(k, d, lo, hi) == want

    choice: tuple[str, Any] | None = None
    for mode in ("valid", "same"):
        if all(matches(mode, *ax, None, c) for ax, c in zip(axes, crops, strict=True)):
            choice = (mode, None)
            break
    if choice is None:
        for mode in ("valid", "same"):
            found = [next((a for a in range(ax[1]) if matches(mode, *ax, a, c)), None)
                     for ax, c in zip(axes, crops, strict=True)]
            if all(a is not None for a in found):
                choice = (mode, tuple(found))
                break
    crop = None
    if choice is None:
        ops = [min(max(-net, 0), s - 1) for (_, s, _), (_, net) in zip(axes, crops, strict=True)]
        choice = ("valid", tuple(ops))
        crop = [(begin, a + net) for (begin, net), a in zip(crops, ops, strict=True)]
    mode, ops_value = choice
    kwargs = {
        "filters": geometry.out_channels,
        "kernel_size": tuple(k for k, _, _ in axes),
        "strides": tuple(s for _, s, _ in axes),
        "padding": mode,
        "output_padding": ops_value,
        "data_format": "channels_last",
        "dilation_rate": tuple(d for _, _, d in axes),
    }
    explanations = (
        ("filters", "output channels"),
        ("kernel_size", "kernel size per axis"),
        ("strides", "stride per axis"),
        ("padding", "'valid': no crop; 'same': output i·s (or (i-1)s + ek%2 + output_padding)"
         + ("" if crop is None else "; neither reproduces the crops: 'valid', then crop")),
        ("output_padding", "None: Keras's default size; else extra length per axis (< strides)"),
        ("data_format", "channels last (Keras's default)"),
        ("dilation_rate", "kernel dilation per axis"),
    )
    return _call(
        geometry, "keras", f"keras.layers.Conv{ndim}DTranspose(**kwargs)", kwargs, explanations,
        crop, _layouts("keras", ndim),
        notes=("set use_bias=True and the bias for a bias",),
    )


# --------------------------------------------------------------------------- #
# JAX
# --------------------------------------------------------------------------- #

_SPATIAL_LETTERS = "HWDABEFGJKLMPQRSTUVXYZ"
_JAX_DEFAULTS = {
    1: ("NHC", "HIO", "NHC"),
    2: ("NHWC", "HWIO", "NHWC"),
    3: ("NHWDC", "HWDIO", "NHWDC"),
}


def _jax_specs(dimension_numbers: Any, ndim: int) -> tuple[str, str, str]:
    if dimension_numbers is None:
        if ndim not in _JAX_DEFAULTS:
            raise ParameterError(
                f"jax.lax.conv_transpose has no default dimension_numbers for {ndim} spatial axes"
            )
        return _JAX_DEFAULTS[ndim]
    if not _is_seq(dimension_numbers) or len(dimension_numbers) != 3 or not all(
        isinstance(spec, str) for spec in dimension_numbers
    ):
        raise ParameterTypeError(
            "JAX's dimension_numbers must be three strings (lhs, rhs, out), e.g. "
            f"('NCHW', 'OIHW', 'NCHW'), got dimension_numbers={dimension_numbers!r}"
        )
    lhs, rhs, out = dimension_numbers
    spatial = [c for c in rhs if c not in "OI"]
    ok = (
        len(lhs) == len(rhs) == len(out) == ndim + 2
        and sorted(lhs) == sorted(out)
        and {"N", "C"} <= set(lhs) and {"O", "I"} <= set(rhs)
        and sorted(c for c in lhs if c not in "NC") == sorted(spatial)
        and len(set(lhs)) == len(lhs) and len(set(rhs)) == len(rhs)
    )
    if not ok:
        raise ParameterError(
            f"JAX's dimension_numbers must describe {ndim} spatial axes consistently "
            f"(lhs/out with N, C; rhs with O, I), got dimension_numbers={dimension_numbers!r}"
        )
    return lhs, rhs, out


def _jax_layout(specs: tuple[str, str, str], transpose_kernel: bool) -> _Layout:
    """How arrays in these dimension_numbers relate to PyTorch's layouts.

    Spatial axis j is the j-th spatial letter of the rhs spec (JAX orders the
    spatial dimensions that way).  With ``transpose_kernel=True`` the rhs 'O' axis
    holds PyTorch's C_in and 'I' its C_out and nothing is flipped (JAX flips and
    swaps back); without, 'O' is C_out, 'I' is C_in and the spatial axes are flipped
    (a plain correlation).
    """
    lhs, rhs, out = specs
    spatial = [c for c in rhs if c not in "OI"]

    def data(spec: str) -> tuple[int, ...]:
        return tuple(0 if c == "N" else 1 if c == "C" else 2 + spatial.index(c) for c in spec)

    o_axis, i_axis = (0, 1) if transpose_kernel else (1, 0)
    weight = tuple(o_axis if c == "O" else i_axis if c == "I" else 2 + spatial.index(c)
                   for c in rhs)
    flip = () if transpose_kernel else tuple(q for q, c in enumerate(rhs) if c not in "OI")
    return _Layout(Transform(weight, flip), data(lhs), data(out))


def from_jax(
    input_size: Any,
    kernel_size: Any,
    strides: Any,
    padding: Any,
    rhs_dilation: Any = None,
    dimension_numbers: Any = None,
    transpose_kernel: bool = False,
    *,
    use_consistent_padding: bool = False,
    in_channels: Any = 1,
    out_channels: Any = 1,
) -> Geometry:
    """The canonical Geometry of ``jax.lax.conv_transpose``.

    Explanation
    ===========

    Explicit ``padding=[(lo, hi), …]`` pads the zero-inserted input:
    ``p_begin = d(k-1) - lo`` and net end crop ``d(k-1) - hi``.  ``'SAME'`` and
    ``'VALID'`` are turned into pads by JAX's ``_conv_transpose_padding`` on the
    dilated kernel (:func:`_jax_string_pads`).  With ``use_consistent_padding=True``
    explicit pairs are the forward conv's padding (PyTorch's meaning).  ``lo`` larger
    than ``d(k-1)`` puts zeros before the output and raises.  ``dimension_numbers``
    and ``transpose_kernel`` only decide the layouts; no groups.

    Examples
    ========

    >>> from symtconv.conventions import from_jax
    >>> g = from_jax((4,), 3, strides=(2,), padding=[(1, 2)])
    >>> g.padding, g.output_padding, g.output_size
    ((1,), (1,), (8,))
    >>> from_jax((4,), 3, strides=(2,), padding="SAME").output_size
    (8,)

    See Also
    ========

    to_jax
    """
    ndim = _ndim(input_size)
    _jax_specs(dimension_numbers, ndim)
    if not isinstance(transpose_kernel, bool):
        raise ParameterTypeError(
            f"JAX's transpose_kernel must be a bool, got transpose_kernel={transpose_kernel!r}"
        )
    sizes = _per_axis("jax", "input_size", input_size, ndim)
    kernel = _per_axis("jax", "kernel_size", kernel_size, ndim)
    s = _per_axis("jax", "strides", strides, ndim)
    d = _per_axis("jax", "rhs_dilation", 1 if rhs_dilation is None else rhs_dilation, ndim)
    attrs = {"strides": strides, "padding": padding, "rhs_dilation": rhs_dilation,
             "use_consistent_padding": use_consistent_padding or None}
    described = f"input size {sizes}, kernel size {kernel}, " + _shown(attrs)
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            raise ParameterError(
                f"JAX's padding must be 'SAME', 'VALID' or (lo, hi) pairs, got padding={padding!r}"
            )
        pads = [_jax_string_pads(kernel[j], s[j], d[j], padding) for j in range(ndim)]
    else:
        if not _is_seq(padding) or len(padding) != ndim or not all(
            _is_seq(p) and len(p) == 2 for p in padding
        ):
            raise ParameterError(
                f"JAX's explicit padding needs one (lo, hi) pair per spatial axis ({ndim}), "
                f"got padding={padding!r}"
            )
        pads = [(_int("jax", "padding", lo, padding), _int("jax", "padding", hi, padding))
                for lo, hi in padding]
        if use_consistent_padding:  # the forward conv's padding, as in PyTorch
            pads = [(_effective(k, dj) - 1 - lo, _effective(k, dj) - 1 - hi)
                    for k, dj, (lo, hi) in zip(kernel, d, pads, strict=True)]
    crops = [_crop_from_jax_pads(k, dj, lo, hi)
             for k, dj, (lo, hi) in zip(kernel, d, pads, strict=True)]
    base = {"input_size": sizes, "kernel_size": kernel, "stride": s, "dilation": d,
            "in_channels": _channels("jax", "in_channels", in_channels, 1),
            "out_channels": _channels("jax", "out_channels", out_channels, 1), "groups": 1,
            "described": described}
    return _from_crops(base, crops, "jax")


def to_jax(geometry: Geometry) -> Call:
    """``jax.lax.conv_transpose`` keyword arguments for a geometry (always exact).

    Explanation
    ===========

    ``padding = [(d(k-1) - p_begin, d(k-1) - p_end + a), …]`` pads the zero-inserted
    input (negative values crop), ``rhs_dilation = dilation``,
    ``dimension_numbers = ('NC…', 'OI…', 'NC…')`` and ``transpose_kernel=True``, so
    PyTorch's input and weight are used as they are.  ``lax.conv_transpose`` has no
    groups: those raise.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import to_jax
    >>> kw = to_jax(Geometry((3, 3), 3, stride=2, padding=1, output_padding=1)).kwargs
    >>> kw["padding"], kw["dimension_numbers"]
    (((1, 2), (1, 2)), ('NCHW', 'OIHW', 'NCHW'))
    """
    _no_groups(geometry, "jax", "jax.lax.conv_transpose")
    pads = tuple(
        _jax_pads(int(ax.k), int(ax.d), int(ax.p_begin), int(ax.p_end), int(ax.a))
        for ax in geometry.axes
    )
    letters = _SPATIAL_LETTERS[: geometry.ndim]
    specs = ("NC" + letters, "OI" + letters, "NC" + letters)
    kwargs = {
        "strides": tuple(int(v) for v in geometry.stride),
        "padding": pads,
        "rhs_dilation": tuple(int(v) for v in geometry.dilation),
        "dimension_numbers": specs,
        "transpose_kernel": True,
    }
    same = [_jax_string_pads(int(ax.k), int(ax.s), int(ax.d), "SAME") for ax in geometry.axes]
    valid = [_jax_string_pads(int(ax.k), int(ax.s), int(ax.d), "VALID") for ax in geometry.axes]
    shorthand = "SAME" if list(pads) == same else "VALID" if list(pads) == valid else None
    explanations = (
        ("strides", "stride per axis (zeros inserted between inputs)"),
        ("padding", "(lo, hi) padding of the zero-inserted input: lo = d(k-1) - p_begin, "
         "hi = d(k-1) - p_end + output_padding (negative crops)"
         + (f"; the same as padding={shorthand!r}" if shorthand else "")),
        ("rhs_dilation", "kernel dilation per axis"),
        ("dimension_numbers", "PyTorch's layouts: input NC..., weight as (C_in, C_out, *k) "
         "read as 'OI...', output NC..."),
        ("transpose_kernel", "flip the kernel and swap its channel axes, which turns JAX's "
         "correlation into PyTorch's scatter"),
    )
    return _call(
        geometry, "jax", "jax.lax.conv_transpose(lhs, rhs, **kwargs)", kwargs, explanations,
        None, _jax_layout(specs, True),
        notes=("lax.conv_transpose adds no bias: add it to the output",),
    )


def _no_groups(geometry: Geometry, framework: str, function: str) -> None:
    if geometry.groups != 1:
        raise ParameterError(
            f"{function} has no groups, got groups={geometry.groups}: {_NAMES[framework]} "
            "cannot express this layer (split the channels into separate calls)"
        )


# --------------------------------------------------------------------------- #
# Layouts, calls and translations
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Transform:
    """Rearrange an array: ``np.transpose(array, permute)``, then flip the ``flip`` axes.

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv.conventions import Transform
    >>> t = Transform((1, 0), flip=(1,))
    >>> t.apply(np.array([[1, 2, 3], [4, 5, 6]]))
    array([[4, 1],
           [5, 2],
           [6, 3]])
    >>> t.then(t.inverse()).apply(np.arange(6).reshape(2, 3)).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """

    permute: tuple[int, ...]
    flip: tuple[int, ...] = ()

    def apply(self, array: npt.ArrayLike) -> Array:
        """The rearranged array (a view where NumPy allows)."""
        result = np.transpose(np.asarray(array), self.permute)
        return np.flip(result, self.flip) if self.flip else result

    def then(self, other: Transform) -> Transform:
        """This transform followed by ``other``, as one transform."""
        permute = tuple(self.permute[q] for q in other.permute)
        moved = {q for q, source in enumerate(other.permute) if source in self.flip}
        return Transform(permute, tuple(sorted(moved ^ set(other.flip))))

    def inverse(self) -> Transform:
        """The transform that undoes this one."""
        back = tuple(int(q) for q in np.argsort(self.permute))
        return Transform(back, tuple(sorted(q for q, source in enumerate(back)
                                            if source in self.flip)))

    def to_dict(self) -> dict[str, list[int]]:
        """``{"permute": [...], "flip": [...]}``."""
        return {"permute": list(self.permute), "flip": list(self.flip)}


@dataclass(frozen=True)
class _Layout:
    """A framework's weight and data layouts, relative to PyTorch's.

    ``weight`` turns PyTorch's weight into the framework's; ``data_in``/``data_out``
    are the permutations that turn PyTorch's (N, C, *spatial) input/output into the
    framework's.
    """

    weight: Transform
    data_in: tuple[int, ...]
    data_out: tuple[int, ...]


def _layouts(framework: str, ndim: int) -> _Layout:
    """The layouts symtconv's writers use for a framework."""
    identity = tuple(range(ndim + 2))
    if framework in ("torch", "onnx"):
        return _Layout(Transform(identity), identity, identity)
    if framework in ("tf", "keras"):
        last = (0, *range(2, ndim + 2), 1)
        return _Layout(Transform((*range(2, ndim + 2), 1, 0)), last, last)
    letters = _SPATIAL_LETTERS[:ndim]
    return _jax_layout(("NC" + letters, "OI" + letters, "NC" + letters), True)


@dataclass(frozen=True)
class Call:
    """How to run one framework's transposed convolution for a geometry.

    ``kwargs`` are the keyword arguments of ``function``; ``weight`` turns PyTorch's
    weight ``(C_in, C_out/groups, *k)`` into this framework's; ``data_in`` and
    ``data_out`` permute PyTorch's ``(N, C, *spatial)`` input and output into the
    framework's layout; ``crop`` (per spatial axis, ``(start, end)``, negative = zeros
    to append) is what remains to cut from the framework's output when it cannot
    express the geometry's padding, else None.
    """

    framework: str
    function: str
    kwargs: dict[str, Any]
    explanations: tuple[tuple[str, str], ...]
    layout: _Layout
    crop: tuple[tuple[int, int], ...] | None
    raw_output_size: tuple[int, ...]
    notes: tuple[str, ...] = ()

    @property
    def weight(self) -> Transform:
        """PyTorch's weight -> this framework's weight."""
        return self.layout.weight


def _call(
    geometry: Geometry,
    framework: str,
    function: str,
    kwargs: dict[str, Any],
    explanations: tuple[tuple[str, str], ...],
    crop: Sequence[tuple[int, int]] | None,
    layout: _Layout,
    notes: tuple[str, ...] = (),
) -> Call:
    cropped = None if crop is None or all(c == (0, 0) for c in crop) else tuple(crop)
    out = tuple(int(o) for o in geometry.output_size)
    raw = out if cropped is None else tuple(
        o + lo + hi for o, (lo, hi) in zip(out, cropped, strict=True)
    )
    return Call(framework, function, kwargs, explanations, layout, cropped, raw, notes)


_WRITERS: dict[str, Callable[..., Call]] = {
    "torch": to_torch,
    "onnx": to_onnx,
    "tf": to_tf,
    "keras": to_keras,
    "jax": to_jax,
}


def _framework(name: Any, role: str) -> str:
    if name not in FRAMEWORKS:
        raise ParameterError(f"{role} must be one of {', '.join(FRAMEWORKS)}, got {name!r}")
    return str(name)


def write(framework: str, geometry: Geometry, *, batch: int = 1) -> Call:
    """The :class:`Call` of ``framework`` for a geometry (``to_torch`` … ``to_jax``).

    ``batch`` only enters TensorFlow's ``output_shape``.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import write
    >>> write("onnx", Geometry(3, 3, stride=2)).kwargs["strides"]
    (2,)
    """
    framework = _framework(framework, "the target framework")
    if geometry.is_symbolic:
        raise ParameterTypeError("translations need a concrete geometry, got symbolic sizes")
    if framework == "tf":
        return to_tf(geometry, batch=batch)
    return _WRITERS[framework](geometry)


#: Each framework's parameter names (besides symtconv's sizes), as ``read`` accepts them.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "torch": ("kernel_size", "stride", "padding", "output_padding", "groups", "dilation",
              "in_channels", "out_channels", "output_size", "padding_mode"),
    "onnx": ("kernel_shape", "strides", "pads", "auto_pad", "output_shape", "output_padding",
             "dilations", "group", "opset"),
    "tf": ("output_shape", "strides", "padding", "data_format", "dilations"),
    "keras": ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format",
              "dilation_rate"),
    "jax": ("strides", "padding", "rhs_dilation", "dimension_numbers", "transpose_kernel",
            "use_consistent_padding"),
}


def _merged(framework: str, attrs: dict[str, Any], name: str, ours: Any, theirs: str) -> None:
    """Put symtconv's size ``ours`` under the framework's name ``theirs`` (no conflicts)."""
    if ours is None:
        return
    if theirs in attrs and attrs[theirs] is not None and _normal(attrs[theirs]) != _normal(ours):
        raise ParameterError(
            f"{name}={ours!r} disagrees with {_NAMES[framework]}'s {theirs}={attrs[theirs]!r}"
        )
    attrs.setdefault(theirs, ours)
    if attrs[theirs] is None:
        attrs[theirs] = ours


def _normal(value: Any) -> Any:
    if _is_seq(value):
        items = [_normal(v) for v in value]
        return items[0] if len(set(map(repr, items))) == 1 else items
    return value


def _read(
    framework: str,
    input_size: Any,
    kernel_size: Any,
    in_channels: Any,
    out_channels: Any,
    groups: Any,
    attributes: Mapping[str, Any],
) -> tuple[Geometry, _Layout]:
    framework = _framework(framework, "the source framework")
    unknown = sorted(set(attributes) - set(ATTRIBUTES[framework]))
    if unknown:
        raise ParameterTypeError(
            f"{_NAMES[framework]} has no parameter {unknown[0]!r} here; its parameters are "
            f"{', '.join(ATTRIBUTES[framework])}"
        )
    attrs = dict(attributes)
    ndim = _ndim(input_size)
    if framework == "torch":
        _merged(framework, attrs, "kernel_size", kernel_size, "kernel_size")
        _merged(framework, attrs, "in_channels", in_channels, "in_channels")
        _merged(framework, attrs, "out_channels", out_channels, "out_channels")
        _merged(framework, attrs, "groups", groups, "groups")
        _require(framework, attrs, "kernel_size")
        return from_torch(input_size, **attrs), _layouts("torch", ndim)
    if framework == "onnx":
        _merged(framework, attrs, "kernel_size", kernel_size, "kernel_shape")
        _merged(framework, attrs, "groups", groups, "group")
        _require(framework, attrs, "kernel_shape")
        geometry = from_onnx(input_size, in_channels=in_channels, out_channels=out_channels,
                             **attrs)
        return geometry, _layouts("onnx", ndim)
    if framework == "tf":
        _no_group_count(framework, groups)
        _require(framework, attrs, "output_shape")
        if kernel_size is None:
            raise ParameterError(
                "TensorFlow's kernel size comes from the filters: give kernel_size"
            )
        geometry = from_tf(input_size, kernel_size, in_channels=1 if in_channels is None
                           else in_channels, out_channels=out_channels, **attrs)
        last = _tf_channels_last(attrs.get("data_format"), ndim)
        base = _layouts("tf", ndim)
        data = base.data_in if last else tuple(range(ndim + 2))
        return geometry, _Layout(base.weight, data, data)
    if framework == "keras":
        _no_group_count(framework, groups)
        _merged(framework, attrs, "kernel_size", kernel_size, "kernel_size")
        _merged(framework, attrs, "out_channels", out_channels, "filters")
        _require(framework, attrs, "kernel_size")
        _require(framework, attrs, "filters")
        geometry = from_keras(input_size, in_channels=1 if in_channels is None else in_channels,
                              **attrs)
        last = _keras_channels_last(attrs.get("data_format"))
        base = _layouts("keras", ndim)
        data = base.data_in if last else tuple(range(ndim + 2))
        return geometry, _Layout(base.weight, data, data)
    _no_group_count(framework, groups)
    _require(framework, attrs, "strides")
    _require(framework, attrs, "padding")
    if kernel_size is None:
        raise ParameterError("JAX's kernel size comes from rhs: give kernel_size")
    geometry = from_jax(input_size, kernel_size, in_channels=1 if in_channels is None
                        else in_channels, out_channels=1 if out_channels is None
                        else out_channels, **attrs)
    specs = _jax_specs(attrs.get("dimension_numbers"), ndim)
    return geometry, _jax_layout(specs, bool(attrs.get("transpose_kernel", False)))


def _require(framework: str, attrs: Mapping[str, Any], name: str) -> None:
    if attrs.get(name) is None:
        raise ParameterError(f"{_NAMES[framework]}'s {name} is required")


def _no_group_count(framework: str, groups: Any) -> None:
    if groups not in (None, 1):
        raise ParameterError(f"{_NAMES[framework]}'s transposed convolution has no groups, "
                             f"got groups={groups!r}")


def read(
    framework: str,
    input_size: Any,
    kernel_size: Any = None,
    *,
    in_channels: Any = None,
    out_channels: Any = None,
    groups: Any = None,
    **attributes: Any,
) -> Geometry:
    """The canonical Geometry of a framework's call, from its own parameter names.

    ``input_size`` (spatial) and, where the framework takes them from arrays,
    ``kernel_size`` and the channel counts are symtconv's; everything else is in
    the framework's names (:data:`ATTRIBUTES`).

    Examples
    ========

    >>> from symtconv.conventions import read
    >>> read("onnx", (5,), kernel_shape=[3], pads=[2, 0], strides=[1]).padding
    ((2, 0),)
    >>> read("keras", 5, kernel_size=3, filters=1, padding="full")
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: Keras's padding must be 'valid' or 'same', got padding='full'
    """
    return _read(framework, input_size, kernel_size, in_channels, out_channels, groups,
                 attributes)[0]


@dataclass(frozen=True)
class Translation:
    """One framework's transposed convolution written for another.

    Explanation
    ===========

    ``geometry`` is the canonical operation; ``call`` the target's :class:`Call`.
    ``weight`` turns the *source's* weight into the target's (permute, then flip);
    ``input_permute`` the source's input into the target's; ``output_permute`` the
    target's (cropped) output back into the source's layout; ``crop`` is the target
    output's extra crop per spatial axis (None when the target is exact).
    :meth:`prepare` and :meth:`finish` do all of it for arrays.

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv.conventions import convert
    >>> t = convert("tf", "jax", (3,), 3, output_shape=(1, 6, 1), strides=2)
    >>> t.weight.permute, t.input_permute, t.output_permute
    ((2, 1, 0), (0, 2, 1), (0, 2, 1))
    >>> t.kwargs["padding"], t.to_dict()["kwargs"]["padding"]
    (((2, 1),), [[2, 1]])
    """

    source: str
    target: str
    geometry: Geometry
    call: Call
    weight: Transform
    input_permute: tuple[int, ...]
    output_permute: tuple[int, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def kwargs(self) -> dict[str, Any]:
        """The target call's keyword arguments."""
        return self.call.kwargs

    @property
    def crop(self) -> tuple[tuple[int, int], ...] | None:
        """Extra crop of the target's output per spatial axis, or None."""
        return self.call.crop

    @property
    def output_size(self) -> tuple[int, ...]:
        """Spatial output size of the operation (after any crop)."""
        return tuple(int(o) for o in self.geometry.output_size)

    def prepare(self, input: npt.ArrayLike, weight: npt.ArrayLike) -> tuple[Array, Array]:
        """The source's batched input and weight, rearranged for the target.

        Both are fresh C-ordered copies (PyTorch refuses negative strides).
        """
        return (np.transpose(np.asarray(input), self.input_permute).copy(),
                self.weight.apply(weight).copy())

    def finish(self, output: npt.ArrayLike) -> Array:
        """The target's batched output, cropped and put back in the source's layout."""
        out = np.asarray(output)
        if self.crop is not None:
            positions = [self.call.layout.data_out.index(2 + j) for j in range(self.geometry.ndim)]
            index: list[slice] = [slice(None)] * out.ndim
            widths = [(0, 0)] * out.ndim
            for q, (lo, hi) in zip(positions, self.crop, strict=True):
                index[q] = slice(max(lo, 0), out.shape[q] - max(hi, 0))
                widths[q] = (max(-lo, 0), max(-hi, 0))
            out = np.pad(out[tuple(index)], widths)
        return np.transpose(out, self.output_permute)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: kwargs, weight, data, crop, output_size and the rest."""
        return {
            "from": self.source,
            "to": self.target,
            "function": self.call.function,
            "kwargs": _plain(self.call.kwargs),
            "weight": self.weight.to_dict(),
            "data": {"input": list(self.input_permute), "output": list(self.output_permute)},
            "crop": None if self.crop is None else [list(c) for c in self.crop],
            "output_size": list(self.output_size),
            "geometry": self.geometry.to_dict(),
            "notes": list(self.notes + self.call.notes),
        }

    def __str__(self) -> str:
        g = self.geometry
        lines = [
            f"{_NAMES[self.source]} -> {_NAMES[self.target]}: {self.call.function}",
            f"  the operation (symtconv's canonical geometry): {g.describe()}",
            f"  output size {' × '.join(str(o) for o in self.output_size)}",
            "keyword arguments:",
        ]
        for name, why in self.call.explanations:
            lines.append(f"  {name}={_plain(self.call.kwargs[name])!r}")
            lines.append(f"      {why}")
        lines.append("weight (source -> target): "
                     f"permute {list(self.weight.permute)}, flip axes {list(self.weight.flip)}"
                     + ("  (unchanged)" if self.weight == Transform(tuple(
                         range(len(self.weight.permute)))) else ""))
        identity = tuple(range(g.ndim + 2))
        if self.input_permute != identity or self.output_permute != identity:
            lines.append(f"data: permute the input {list(self.input_permute)}, the output back "
                         f"{list(self.output_permute)}")
        if self.crop is None:
            lines.append("crop: none (the target expresses the padding exactly)")
        else:
            lines.append(f"crop: {[list(c) for c in self.crop]} (start, end) per spatial axis of "
                         f"the target's {' × '.join(map(str, self.call.raw_output_size))} output"
                         " (negative = append zeros)")
        lines.extend(f"note: {n}" for n in self.notes + self.call.notes)
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    """JSON-ready: tuples become lists, recursively (dict keys kept)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _translation(
    geometry: Geometry, source: str, layout: _Layout, target: str, batch: int,
    notes: tuple[str, ...] = (),
) -> Translation:
    call = write(target, geometry, batch=batch)
    weight = layout.weight.inverse().then(call.layout.weight)
    data_in = Transform(layout.data_in).inverse().then(Transform(call.layout.data_in)).permute
    data_out = Transform(call.layout.data_out).inverse().then(Transform(layout.data_out)).permute
    return Translation(source, target, geometry, call, weight, data_in, data_out, notes)


def convert(
    source: str,
    target: str,
    input_size: Any,
    kernel_size: Any = None,
    *,
    in_channels: Any = None,
    out_channels: Any = None,
    groups: Any = None,
    batch: int = 1,
    **attributes: Any,
) -> Translation:
    """Translate a ``source`` framework's call (its own parameter names) for ``target``.

    Explanation
    ===========

    :func:`read` gives the canonical geometry and the source's layouts;
    :func:`write` the target's call; the weight and data transforms are composed.

    Examples
    ========

    >>> from symtconv.conventions import convert
    >>> t = convert("jax", "torch", (4,), 3, strides=(2,), padding="VALID")
    >>> t.kwargs["padding"], t.kwargs["output_padding"], t.weight.flip, t.output_size
    ((0,), (0,), (2,), (9,))

    See Also
    ========

    translate, read, write
    """
    target = _framework(target, "the target framework")
    geometry, layout = _read(source, input_size, kernel_size, in_channels, out_channels, groups,
                             attributes)
    return _translation(geometry, source, layout, target, batch)


def translate(geometry: Geometry, target: str, *, source: str = "torch",
              batch: int = 1) -> Translation:
    """Translate a symtconv geometry for ``target``; the weight comes in ``source``'s layout.

    ``source``'s layout is the one symtconv writes for it (PyTorch's for torch and
    ONNX, channels last and ``(*k, out, in)`` for TF and Keras, PyTorch's with
    ``transpose_kernel=True`` for JAX).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import translate
    >>> translate(Geometry((4, 4), 3, stride=2, padding=1), "tf").kwargs["output_shape"]
    (1, 7, 7, 1)
    """
    source = _framework(source, "the source framework")
    write(source, geometry, batch=batch)  # the source must be able to express it too
    return _translation(canonical(geometry), source, _layouts(source, geometry.ndim),
                        target, batch)


# --------------------------------------------------------------------------- #
# Symbolic proofs of the translations
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ConventionProof:
    """One translation formula, checked by SymPy for every size at once.

    ``step`` is a :class:`symtconv.general.Step` (``"proved"`` when SymPy reduced
    the difference to 0).
    """

    framework: str
    claim: str
    step: Any

    def __bool__(self) -> bool:
        return bool(self.step)

    def __str__(self) -> str:
        return f"[{self.step.status}] {_NAMES[self.framework]}: {self.claim}: {self.step.detail}"

    def _latex(self, printer: Any) -> str:
        return str(self.step._latex(printer))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


def prove_conventions() -> tuple[ConventionProof, ...]:
    """Prove each translation formula with SymPy integer symbols (every size at once).

    Explanation
    ===========

    The per-axis functions the readers and writers use are run on symbols
    ``i, k, s, d >= 1``, ``p_b, p_e, a, o >= 0``, and SymPy shows that the
    framework's own output-size formula with the translated parameters is the
    Geometry's ``(i-1)s - p_b - p_e + d(k-1) + a + 1``, and that the position where
    ``y[n]·w[m]`` lands is PyTorch's ``s·n + d·m - p_b``.

    Examples
    ========

    >>> from symtconv.conventions import prove_conventions
    >>> proofs = prove_conventions()
    >>> all(proofs), len(proofs) > 10
    (True, True)
    >>> print(proofs[0])  # doctest: +ELLIPSIS
    [proved] PyTorch: output size ...
    """
    from ..general import Status, Step, check_identity

    pos = {"integer": True, "positive": True}
    nonneg = {"integer": True, "nonnegative": True}
    i, k, s, d = (sp.Symbol(n, **pos) for n in "iksd")
    pb, pe, a, o, n, m, p = (sp.Symbol(name, **nonneg) for name in
                             ("p_b", "p_e", "a", "o", "n", "m", "p"))
    axis = Axis(i, k, s, pb, pe, a, d)
    out = axis.output
    ek = _effective(k, d)
    torch_position = s * n + d * m - pb
    proofs: list[ConventionProof] = []

    def claim(framework: str, text: str, lhs: Any, rhs: Any) -> None:
        proofs.append(ConventionProof(framework, text, check_identity(text, lhs, rhs)))

    # PyTorch
    claim("torch", "output size (i-1)s - 2p + d(k-1) + a + 1 is the geometry's with p_b = p_e = p",
          Axis(i, k, s, p, p, a, d).output, (i - 1) * s - 2 * p + d * (k - 1) + a + 1)
    claim("torch", "output_size -> output_padding = o - min gives output size o",
          Axis(i, k, s, p, p, o - _torch_min_size(i, k, s, p, d), d).output, o)
    # ONNX
    claim("onnx", "output_shape formula with pads (p_b, p_e) is the geometry's output size",
          _onnx_output(i, k, s, d, a, pb, pe), out)
    for mode in ("SAME_UPPER", "SAME_LOWER"):
        begin, end = _onnx_split(_onnx_total(i, k, s, d, a, o), mode, 22)
        claim("onnx", f"pads from output_shape ({mode} split) give output size output_shape",
              _onnx_output(i, k, s, d, a, begin, end), o)
        begin, end = _onnx_split(_onnx_total(i, k, s, d, a, i * s), mode, 22)
        claim("onnx", f"auto_pad={mode} gives output size i·s",
              _onnx_output(i, k, s, d, a, begin, end), i * s)
    # JAX
    lo, hi = _jax_pads(k, d, pb, pe, a)
    claim("jax", "explicit pads lo = d(k-1) - p_b, hi = d(k-1) - p_e + a give the geometry's "
          "output size", _jax_output(i, k, s, d, lo, hi), out)
    # lax.conv_transpose correlates the padded, zero-inserted input (y[n] at lo + s·n)
    # with the kernel flipped by transpose_kernel (tap m read as k-1-m): output j reads
    # position j + d(k-1-m), so y[n]·w[m] lands at j = lo + s·n - d(k-1-m)
    claim("jax", "y[n]·w[m] lands at lo + s·n - d(k-1-m) = s·n + d·m - p_b (PyTorch's position)",
          lo + s * n - d * (k - 1 - m), torch_position)
    back = _crop_from_jax_pads(k, d, lo, hi)
    claim("jax", "reading lo back gives the begin crop p_b", back[0], pb)
    claim("jax", "reading hi back gives the net end crop p_e - a", back[1], pe - a)
    # 'SAME' against TF's SAME: only ek = e + 1 matters (k = e + 1, d = 1); SymPy decides
    # each case of JAX's branch s > e, and of the parity of e - s, separately
    e, t, v = (sp.Symbol(name, **nonneg) for name in ("e", "t", "v"))
    lo_s, _ = _jax_string_pads(e + 1, s, 1, "SAME")
    difference = e - lo_s - _tf_same_begin(i, e + 1, s, 1, i * s)
    cases = {"s > e": {s: e + t + 1}, "e - s even": {e: s + 2 * v},
             "e - s odd": {e: s + 2 * v + 1}}
    steps = [check_identity(name, sp.piecewise_fold(difference.xreplace(case)), 0)
             for name, case in cases.items()]
    status: Status = next((st.status for st in steps if st.status != "proved"), "proved")
    text = "'SAME' crops d(k-1) - lo at the start: TF's SAME begin crop for output i·s"
    detail = "; ".join(f"{st.name}: {st.detail}" for st in steps)
    proofs.append(ConventionProof("jax", text, Step(text, status, detail, difference)))
    for mode, size in (("SAME", i * s), ("VALID", i * s + sp.Max(ek - s, 0))):
        lo_s, hi_s = _jax_string_pads(k, s, d, mode)
        claim("jax", f"padding={mode!r} gives output size {size}",
              _jax_output(i, k, s, d, lo_s, hi_s), size)
    # Keras (through JAX's pads)
    for mode in ("valid", "same"):
        for op in (None, a):
            lo_k, hi_k = _keras_jax_pads(k, s, d, mode, op)
            claim("keras", f"padding={mode!r}, output_padding={op}: JAX's size with Keras's "
                  "pads is Keras's own output length",
                  _jax_output(i, k, s, d, lo_k, hi_k), _keras_output(i, k, s, d, mode, op))
    # TensorFlow: the gradient of conv2d with padding (p_b, p_e)
    # the forward conv's term y[n] += w[m]·x[s·n + d·m - p_b]; its derivative by x[j]
    x, w, j = sp.IndexedBase("x"), sp.IndexedBase("w"), sp.Symbol("j", integer=True)
    claim("tf", "d(w[m]·x[s·n + d·m - p_b])/dx[j] = w[m]·[j = s·n + d·m - p_b]: the gradient "
          "of conv scatters to PyTorch's position",
          sp.diff(w[m] * x[torch_position], x[j]), w[m] * sp.KroneckerDelta(j, torch_position))
    claim("tf", "output_shape o = geometry size: o + p_b + p_e - ek - (i-1)s = a, so "
          "floor((o + p_b + p_e - ek)/s) + 1 = i exactly when 0 <= a < s",
          out + pb + pe - ek - (i - 1) * s, a)
    claim("tf", "SAME: begin crop total//2 and net end crop full - o - begin give output size o",
          _full(i, k, s, d) - _tf_same_begin(i, k, s, d, o)
          - (_full(i, k, s, d) - o - _tf_same_begin(i, k, s, d, o)), o)
    return tuple(proofs)


# --------------------------------------------------------------------------- #
# The documentation table, generated from the code above
# --------------------------------------------------------------------------- #

#: What each parameter means in each framework (rows of the docs table).
PARAMETER_TABLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("call", "`conv_transpose{1,2,3}d` / `ConvTranspose{1,2,3}d`", "`ConvTranspose` node",
     "`tf.nn.conv{1,2,3}d_transpose`", "`keras.layers.Conv{1,2,3}DTranspose`",
     "`jax.lax.conv_transpose`"),
    ("what it computes", "scatter `x[s·n + d·m - p] += y[n]·w[m]`", "the same as PyTorch",
     "gradient of `conv` w.r.t. its input", "`lax.conv_transpose` with `transpose_kernel=True` "
     "(JAX backend)", "correlation of the zero-inserted, padded input (no flip unless "
     "`transpose_kernel=True`)"),
    ("stride", "`stride`", "`strides`", "`strides`", "`strides`", "`strides`"),
    ("dilation", "`dilation` (< max(s, d) rule for `output_padding`)", "`dilations`",
     "`dilations` (the CPU kernels accept only 1)", "`dilation_rate` (not with `strides > 1`)",
     "`rhs_dilation`"),
    ("padding", "`padding=p`: crop p from **both** ends of the full output",
     "`pads=[x1_b, x2_b, …, x1_e, x2_e, …]`: crops, asymmetric; or `auto_pad`/`output_shape`",
     "`'SAME'`/`'VALID'`/explicit (2-D): the *forward* conv's padding",
     "`'valid'`/`'same'` only", "`[(lo, hi), …]`: padding of the zero-inserted **input**; "
     "`'SAME'`/`'VALID'` of the forward conv"),
    ("output size", "`(i-1)s - 2p + d(k-1) + a + 1`", "`s(i-1) + a + d(k-1)+1 - p_b - p_e`",
     "`output_shape` (required): any size conv maps back to i",
     "valid `(i-1)s + ek + a`; same `i·s` or `(i-1)s + ek%2 + a`",
     "`(i-1)s + lo + hi - d(k-1) + 1`"),
    ("extra length", "`output_padding` (or `forward(output_size=…)`)", "`output_padding`; "
     "`output_shape`", "through `output_shape`", "`output_padding` (< strides)",
     "through `hi`"),
    ("groups", "`groups`", "`group`", "none", "none", "none (`conv_general_dilated` has "
     "`feature_group_count`)"),
    ("weight", "`(C_in, C_out/groups, *k)`", "`(C, M/group, *k)`", "`[*k, out, in]`",
     "`(*k, filters, in)`", "`rhs` per `dimension_numbers`; `transpose_kernel` flips and "
     "swaps O/I"),
    ("data", "`(N, C, *spatial)`", "`(N, C, *spatial)`", "`data_format`, default channels last",
     "`data_format`, default channels last", "per `dimension_numbers` (default channels last)"),
    ("bias", "`bias` (C_out)", "`B` (M)", "none (add it)", "`use_bias`", "none (add it)"),
)

#: Where implementations deviate from the ONNX specification (each one asserted by a test).
DEVIATIONS: tuple[tuple[str, str, str], ...] = (
    ("onnx.reference.ReferenceEvaluator", "`output_shape` with `auto_pad` NOTSET (the default)",
     "derives no pads from `output_shape`: it scatters with zero pads into an output of "
     "`output_shape`, so a size that zero pads cannot give raises (col2im's shape check), and "
     "a smaller one that they can (with `output_padding`) keeps the first entries instead of "
     "the specification's split crop"),
    ("onnx.reference.ReferenceEvaluator", "`group > 1` with more than one input or output "
     "channel per group", "raises (wrong reshapes and slices of W and of the result)"),
    ("onnx.reference.ReferenceEvaluator", "`group > 1` with a bias B",
     "adds `B[0 … M/group-1]` to every group instead of each group's own entries"),
    ("onnx.reference.ReferenceEvaluator", "`output_padding >= strides` (allowed while "
     "`< dilations`), e.g. SAME with such an `output_padding`",
     "raises: its col2im assumes the forward conv maps the output back to the input"),
    ("onnx.shape_inference", "`auto_pad` SAME_UPPER/SAME_LOWER",
     "uses total padding `max(d(k-1)+1 - s, 0)` and adds `output_padding`: infers "
     "`i·s + output_padding` when `d(k-1)+1 >= s` and the natural size "
     "`(i-1)s + d(k-1)+1 + output_padding` when smaller; the specification says `i·s`"),
    ("PyTorch", "`forward(input, output_size=…)`",
     "accepts sizes up to `min + s - 1` only, although `output_padding` up to "
     "`max(s, d) - 1` is valid; symtconv's `torch_output_padding` agrees with PyTorch"),
)


def _formulas() -> list[tuple[str, str, str]]:
    """(framework, quantity, formula) rows, printed from the per-axis functions on symbols."""
    pos = {"integer": True, "positive": True}
    i, k, s, d = (sp.Symbol(n, **pos) for n in "iksd")
    pb, pe, a, o, p, lo, hi = (sp.Symbol(n, integer=True, nonnegative=True)
                               for n in ("p_b", "p_e", "a", "o", "p", "lo", "hi"))
    total = sp.Symbol("total", integer=True)
    rows = [
        ("symtconv", "output size", Axis(i, k, s, pb, pe, a, d).output),
        ("torch", "output_size -> output_padding", o - _torch_min_size(i, k, s, p, d)),
        ("torch", "valid output_size", sp.Interval(_torch_min_size(i, k, s, p, d),
                                                   _torch_min_size(i, k, s, p, d) + s - 1)),
        ("onnx", "total_padding (output_shape o)", _onnx_total(i, k, s, d, a, o)),
        ("onnx", "(begin, end), SAME_UPPER", _onnx_split(total, "SAME_UPPER", 22)),
        ("onnx", "(begin, end), NOTSET / SAME_LOWER", _onnx_split(total, "SAME_LOWER", 22)),
        ("onnx", "(begin, end), SAME_UPPER, opset 1", _onnx_split(total, "SAME_UPPER", 1)),
        ("jax", "(lo, hi) from the geometry", _jax_pads(k, d, pb, pe, a)),
        ("jax", "(p_begin, p_end - a) from (lo, hi)", _crop_from_jax_pads(k, d, lo, hi)),
        ("jax", "output size", _jax_output(i, k, s, d, lo, hi)),
        ("jax", "(lo, hi) for 'SAME'", _jax_string_pads(k, s, d, "SAME")),
        ("jax", "(lo, hi) for 'VALID'", _jax_string_pads(k, s, d, "VALID")),
        ("keras", "(lo, hi), 'valid', output_padding a", _keras_jax_pads(k, s, d, "valid", a)),
        ("keras", "(lo, hi), 'valid', output_padding None",
         _keras_jax_pads(k, s, d, "valid", None)),
        ("keras", "(lo, hi), 'same', output_padding a", _keras_jax_pads(k, s, d, "same", a)),
        ("keras", "(lo, hi), 'same', output_padding None", _keras_jax_pads(k, s, d, "same", None)),
        ("tf", "valid output_shape, 'SAME'", sp.Interval(*_tf_output_range(i, k, s, d, "SAME"))),
        ("tf", "valid output_shape, 'VALID'",
         sp.Interval(*_tf_output_range(i, k, s, d, "VALID"))),
        ("tf", "valid output_shape, explicit (p_b, p_e)",
         sp.Interval(*_tf_output_range(i, k, s, d, (pb, pe)))),
        ("tf", "begin crop for 'SAME'", _tf_same_begin(i, k, s, d, o)),
    ]
    return [(fw, what, f"`{sp.sstr(expr)}`") for fw, what, expr in rows]


def _layout_rows(ndim: int) -> list[tuple[str, str, str, str]]:
    rows = []
    for framework in FRAMEWORKS:
        layout = _layouts(framework, ndim)
        rows.append((
            _NAMES[framework],
            f"`{list(layout.weight.permute)}`",
            f"`{list(layout.weight.flip)}`",
            f"`{list(layout.data_in)}`",
        ))
    return rows


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def conventions_table() -> str:
    """The Markdown of docs/conventions.md, generated from this module.

    Examples
    ========

    >>> from symtconv.conventions import conventions_table
    >>> conventions_table().splitlines()[0]
    '# Transposed convolution in PyTorch, ONNX, TensorFlow, Keras and JAX'
    """
    names = [_NAMES[f] for f in FRAMEWORKS]
    seed = convert("torch", "torch", (32, 32), 3, stride=2, padding=2, in_channels=3,
                   out_channels=6)
    lines = [
        "# Transposed convolution in PyTorch, ONNX, TensorFlow, Keras and JAX",
        "",
        "<!-- generated by `python -m symtconv.conventions --table`; do not edit by hand -->",
        "",
        "Every framework computes the scatter `x[s·n + d·m - p_begin] += y[n]·w[m]`, cropped to",
        "the output, and names it differently. symtconv reads each framework's parameters into",
        "a canonical `Geometry` (PyTorch's names, a `(begin, end)` crop per axis) and writes",
        "them back (`symtconv.conventions`, `symtconv convert`). Only `p_end - output_padding`",
        "matters at the end of an axis, so the canonical form is PyTorch's",
        "`padding=p, output_padding=a` whenever PyTorch can express the operation.",
        "",
        "Notation per axis: `i` input length, `k` kernel, `s` stride, `d` dilation,",
        "`ek = d(k-1)+1`, `p_b`/`p_e` crops of the full output, `a` output_padding, `o` output",
        "length.",
        "",
        "## Parameters",
        "",
        *_md_table(["", *names], PARAMETER_TABLE),
        "",
        "## Translation formulas",
        "",
        "Printed by SymPy from the very functions the translations run:",
        "",
        *_md_table(["framework", "quantity", "formula"], _formulas()),
        "",
        "`//` and `floor` are floor division. A negative crop (ONNX pads from `output_shape`",
        "or SAME, JAX `hi`) appends zeros; a negative begin crop has no PyTorch form and is",
        "an error when reading (ONNX's `onnx_conv_transpose` still evaluates it).",
        "",
        "## Weight and data layouts",
        "",
        "How symtconv's writers lay out arrays, from PyTorch's weight `(C_in, C_out/groups, k_h,",
        "k_w)` and data `(N, C, H, W)` (2-D shown): `framework array = flip(transpose(torch",
        "array, permute), flip)`.",
        "",
        *_md_table(["framework", "weight permute", "weight flip", "data permute"],
                   _layout_rows(2)),
        "",
        "JAX with `transpose_kernel=False` needs the spatial axes flipped and O/I swapped;",
        "`symtconv convert --from jax` reads both from `dimension_numbers` and",
        "`transpose_kernel`.",
        "",
        "## Proofs (SymPy, every size at once)",
        "",
        *_md_table(["framework", "claim", "status"],
                   [(_NAMES[p.framework], p.claim, p.step.status) for p in prove_conventions()]),
        "",
        "## Example: the seed's `ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)`",
        "",
        f"On a 32×32 input the output is {seed.output_size[0]}×{seed.output_size[1]}. "
        "In each framework:",
        "",
    ]
    for target in FRAMEWORKS:
        t = convert("torch", target, (32, 32), 3, stride=2, padding=2, in_channels=3,
                    out_channels=6)
        kwargs = json.dumps(_plain(t.kwargs))
        crop = "" if t.crop is None else f", then crop `{[list(c) for c in t.crop]}`"
        lines.append(f"- **{_NAMES[target]}**: `{t.call.function}` with `{kwargs}`; weight "
                     f"permute `{list(t.weight.permute)}`{crop}")
    lines += [
        "",
        "## Where implementations deviate from the specification",
        "",
        "symtconv's `onnx_conv_transpose` follows the ONNX specification; tests assert that",
        "each deviation below still exists, so this list stays true.",
        "",
        *_md_table(["implementation", "case", "behaviour"], DEVIATIONS),
        "",
    ]
    return "\n".join(lines)


def _default_docs_path() -> Path:
    return Path("docs") / "conventions.md"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m symtconv.conventions --table [PATH]``: write docs/conventions.md."""
    parser = argparse.ArgumentParser(prog="python -m symtconv.conventions",
                                     description="framework conventions for transposed conv")
    parser.add_argument("--table", nargs="?", const=str(_default_docs_path()), metavar="PATH",
                        help="write the conventions table (default docs/conventions.md)")
    args = parser.parse_args(argv)
    if args.table is None:
        parser.print_help()
        return 0
    path = Path(args.table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(conventions_table(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
