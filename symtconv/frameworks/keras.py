"""Keras 3: ``keras.layers.Conv{1,2,3}DTranspose``.

Explanation
===========

Keras derives everything from ``padding='valid'|'same'`` and ``output_padding``; on
the JAX backend it runs ``lax.conv_transpose`` with the pads of
:func:`_keras_jax_pads`, which are read back into crops as JAX's are.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError
from ..geometry import Geometry
from .common import (
    Call,
    _call,
    _channels,
    _channels_last_layout,
    _crops,
    _effective,
    _from_crops,
    _max,
    _min,
    _ndim,
    _no_groups,
    _per_axis,
    _shown,
)
from .jax import _crop_from_jax_pads


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
        ("padding", "'valid': no crop; 'same': output i·s (or (i - 1)·s + (ek mod 2) + "
                    "output_padding, with ek = d·(k - 1) + 1)"
         + ("" if crop is None else "; neither reproduces the crops: 'valid', then crop")),
        ("output_padding", "None: Keras's default size; else extra length per axis (< strides)"),
        ("data_format", "channels last (Keras's default)"),
        ("dilation_rate", "kernel dilation per axis"),
    )
    return _call(
        geometry, "keras", f"keras.layers.Conv{ndim}DTranspose(**kwargs)", kwargs, explanations,
        crop, _channels_last_layout(ndim),
        notes=("set use_bias=True and the bias for a bias",),
    )
