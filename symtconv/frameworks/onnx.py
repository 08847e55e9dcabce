"""ONNX: the ``ConvTranspose`` operator (opsets 1, 11, 22), read, written and evaluated.

Explanation
===========

ONNX crops ``pads`` (asymmetric) from the full output, or derives the crops from
``output_shape``/``auto_pad`` (:func:`onnx_pads`, the specification's split of
``total_padding``).  :func:`onnx_conv_transpose` evaluates the operator exactly as the
specification defines it, in NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ParameterError, ShapeError, TooLargeError
from ..geometry import Geometry
from ..limits import limit
from .common import (
    _NAMES,
    Array,
    Call,
    _call,
    _channels,
    _crops,
    _effective,
    _from_crops,
    _int,
    _is_seq,
    _ndim,
    _per_axis,
    _pytorch_layout,
    _shown,
)


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
        "**kwargs)", kwargs, explanations, None, _pytorch_layout(geometry.ndim),
        notes=tuple(notes),
    )


#: :func:`onnx_conv_transpose` refuses outputs whose working copies (the result and its
#: zero-padded or biased copy, 8 bytes an entry) would take more bytes than this.
OUTPUT_BYTES = limit("onnx.bytes")


def _check_output_bytes(batch: int, channels: int, sizes: Sequence[int]) -> None:
    """Refuse, before any array is allocated, an output too large to build."""
    entries = batch * channels * math.prod(sizes)
    needed = 2 * 8 * entries
    if needed > OUTPUT_BYTES:
        raise TooLargeError(
            f"ONNX ConvTranspose's output would have {entries:,} entries (shape "
            f"{(batch, channels, *sizes)}, about {needed / 2**30:,.1f} GiB with its working "
            f"copy), more than OUTPUT_BYTES={OUTPUT_BYTES // 2**30} GiB (onnx.bytes); use a "
            "smaller output_shape, or compute the output in blocks of channels"
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

    An output that would take more than :data:`OUTPUT_BYTES` (with its working copy)
    is refused with :class:`~symtconv.errors.TooLargeError` before anything is allocated.

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
    sizes = []
    for j, (i, k, (b, e)) in enumerate(zip(x.shape[2:], kernel, crops, strict=True)):
        size = _onnx_output(i, k, s[j], d[j], a[j], b, e)
        sizes.append(size)
        if size < 1:
            raise ParameterError(
                f"ONNX ConvTranspose output size on axis {j + 1} is {size} < 1 (input {i}, kernel "
                f"{k}, stride {s[j]}, dilation {d[j]}, output_padding {a[j]}, pads ({b}, {e}))"
            )
    _check_output_bytes(x.shape[0], w.shape[1] * _int("onnx", "group", group), sizes)
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
