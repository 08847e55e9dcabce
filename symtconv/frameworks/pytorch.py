"""PyTorch: ``torch.nn.ConvTranspose{1,2,3}d`` and ``conv_transpose{1,2,3}d``.

Explanation
===========

PyTorch crops ``padding`` from both ends of the full output and adds
``output_padding`` at the high end; its parameters are symtconv's own.  The module's
``forward(input, output_size=...)`` picks ``output_padding`` from a requested size
(:func:`torch_output_padding`).
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError, ParameterTypeError
from ..geometry import Geometry
from .common import (
    Call,
    _call,
    _channels,
    _checked,
    _crops,
    _int,
    _is_seq,
    _ndim,
    _per_axis,
    _pytorch_layout,
    _shown,
    canonical,
)


def _torch_min_size(i: Any, k: Any, s: Any, p: Any, d: Any) -> Any:
    """PyTorch's smallest output for ``output_size``: ``(i-1)s - 2p + d(k-1) + 1``."""
    return (i - 1) * s - 2 * p + d * (k - 1) + 1


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
            f"axis {axis + 1}: crop {begin} at the start and net {net} at the end "
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
        "**kwargs)", kwargs, explanations, crop, _pytorch_layout(ndim),
        notes=(
            "torch.nn.ConvTranspose*d(in_channels, out_channels, kernel_size, **kwargs) "
            "is the same layer",
        ),
    )
