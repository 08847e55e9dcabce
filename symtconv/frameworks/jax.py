"""JAX: ``jax.lax.conv_transpose``.

Explanation
===========

JAX pads the zero-inserted input (``lo = d(k-1) - p_begin``,
``hi = d(k-1) - p_end + a``) and correlates, flipping the kernel only with
``transpose_kernel=True``; ``'SAME'``/``'VALID'`` become pads by JAX's
``_conv_transpose_padding``.  ``dimension_numbers`` decide the layouts.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError, ParameterTypeError
from ..geometry import Geometry
from .common import (
    Call,
    Transform,
    _call,
    _ceil_half,
    _channels,
    _effective,
    _from_crops,
    _int,
    _is_seq,
    _Layout,
    _max,
    _ndim,
    _no_groups,
    _per_axis,
    _shown,
    _where,
)


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


def _jax_default_layout(ndim: int) -> _Layout:
    """The layouts :func:`to_jax` writes: PyTorch's arrays with ``transpose_kernel=True``."""
    letters = _SPATIAL_LETTERS[:ndim]
    return _jax_layout(("NC" + letters, "OI" + letters, "NC" + letters), True)


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
        ("padding", "(lo, hi) padding of the zero-inserted input: lo = d·(k - 1) - p_begin, "
         "hi = d·(k - 1) - p_end + output_padding (negative crops)"
         + (f"; the same as padding={shorthand!r}" if shorthand else "")),
        ("rhs_dilation", "kernel dilation per axis"),
        ("dimension_numbers", "PyTorch's layouts: input NC..., weight as "
         "(C_in, C_out, k_1, …, k_N) read as 'OI...', output NC..."),
        ("transpose_kernel", "flip the kernel and swap its channel axes, which turns JAX's "
         "correlation into PyTorch's scatter"),
    )
    return _call(
        geometry, "jax", "jax.lax.conv_transpose(lhs, rhs, **kwargs)", kwargs, explanations,
        None, _jax_layout(specs, True),
        notes=("lax.conv_transpose adds no bias: add it to the output",),
    )
