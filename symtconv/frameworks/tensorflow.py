"""TensorFlow: ``tf.nn.conv{1,2,3}d_transpose``, the gradient of a convolution.

Explanation
===========

TensorFlow defines the operation as the gradient of the forward convolution whose
input has ``output_shape``: ``strides``, ``dilations`` and ``padding`` (``'SAME'``,
``'VALID'`` or explicit pairs) are that convolution's, and ``output_shape`` must be one
it maps back to the input size.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError, ParameterTypeError
from ..geometry import Geometry
from .common import (
    Call,
    _call,
    _channels,
    _channels_last_layout,
    _crops,
    _from_crops,
    _full,
    _int,
    _is_seq,
    _max,
    _ndim,
    _no_groups,
    _per_axis,
    _shown,
)


def _tf_same_begin(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
    """TF's SAME crop at the start: ``max((i-1)s + ek - out, 0) // 2``.

    The forward conv2d of an input of length ``out`` pads
    ``max((ceil(out/s)-1)s + ek - out, 0)`` in total, the smaller half first, and
    ``ceil(out/s) = i`` for a valid ``output_shape``.
    """
    return _max(_full(i, k, s, d) - out, 0) // 2


def _tf_same_end(i: Any, k: Any, s: Any, d: Any, out: Any) -> Any:
    """TF's SAME net crop at the end: what is left of the full scatter after the begin crop
    and ``out`` entries, ``(i-1)s + ek - out - begin`` (negative: zeros appended)."""
    return _full(i, k, s, d) - out - _tf_same_begin(i, k, s, d, out)


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
                f"{st}) maps back to the input size {i}: on axis {j + 1} valid sizes are "
                f"{low}..{high}, got {o} ({described})"
            )
        if pad == "SAME":
            crops.append((_tf_same_begin(i, k, st, dj, o), _tf_same_end(i, k, st, dj, o)))
            continue
        begin = 0 if pad == "VALID" else pad[0]
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
        explanations, crop, _channels_last_layout(ndim), notes=tuple(notes),
    )
