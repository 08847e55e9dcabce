"""Hypothesis strategies for valid (and invalid) transposed-convolution geometries.

Needs the ``test`` extra (``pip install 'symtconv[test]'``).

Examples
========

A property test of your own implementation against symtconv's exact reference::

    from hypothesis import given
    from symtconv import strategies as sts
    from symtconv.evaluate import evaluate

    @given(sts.geometry_and_arrays())
    def test_my_conv_transpose(case):
        geometry, y, w = case
        expected = evaluate(geometry, y, w)
        got = my_conv_transpose(y, w, **sts.torch_kwargs(geometry))
        assert (got == expected).all()
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised without the extra
    from .errors import MissingDependencyError

    raise MissingDependencyError(
        "symtconv.strategies needs hypothesis: pip install 'symtconv[test]'"
    ) from error

from .geometry import Geometry

__all__ = [
    "geometries",
    "geometry_and_arrays",
    "integer_arrays",
    "invalid_geometry_kwargs",
    "torch_kwargs",
]


@st.composite
def _axis(
    draw: st.DrawFn,
    *,
    max_input: int,
    max_kernel: int,
    max_stride: int,
    max_dilation: int,
    adjoint: bool,
    asymmetric: bool,
) -> dict[str, Any]:
    i = draw(st.integers(1, max_input))
    k = draw(st.integers(1, max_kernel))
    s = draw(st.integers(1, max_stride))
    d = draw(st.integers(1, max_dilation))
    a = draw(st.integers(0, (s if adjoint else max(s, d)) - 1))
    full = (i - 1) * s + d * (k - 1) + a  # output size + total crop - 1
    # any crop that leaves at least one output, including p > d(k-1) (negative input padding)
    if asymmetric:
        begin = draw(st.integers(0, full))
        end = draw(st.integers(0, full - begin))
        padding: Any = begin if begin == end else (begin, end)
    else:
        padding = draw(st.integers(0, full // 2))
    return {"i": i, "k": k, "s": s, "d": d, "a": a, "p": padding}


@st.composite
def geometries(
    draw: st.DrawFn,
    *,
    min_ndim: int = 1,
    max_ndim: int = 3,
    max_input: int = 4,
    max_kernel: int = 3,
    max_stride: int = 3,
    max_dilation: int = 2,
    max_channels_per_group: int = 2,
    max_groups: int = 2,
    adjoint: bool = False,
    asymmetric: bool = False,
) -> Geometry:
    """Valid geometries: 1-D to 3-D, channels, groups, stride, padding (also larger than
    ``d(k-1)``, i.e. a crop of the zero-inserted input), dilation, output_padding.

    ``adjoint=True`` keeps ``output_padding < stride`` (where the transposed conv is Cᵀ
    of the forward conv); otherwise PyTorch's full range ``< max(stride, dilation)``.
    ``asymmetric=True`` also draws (begin, end) crops.
    """
    ndim = draw(st.integers(min_ndim, max_ndim))
    axes = [
        draw(_axis(max_input=max_input, max_kernel=max_kernel, max_stride=max_stride,
                   max_dilation=max_dilation, adjoint=adjoint, asymmetric=asymmetric))
        for _ in range(ndim)
    ]
    groups = draw(st.integers(1, max_groups))
    c_in = groups * draw(st.integers(1, max_channels_per_group))
    c_out = groups * draw(st.integers(1, max_channels_per_group))
    return Geometry(
        input_size=tuple(ax["i"] for ax in axes),
        kernel_size=tuple(ax["k"] for ax in axes),
        stride=tuple(ax["s"] for ax in axes),
        padding=tuple(ax["p"] for ax in axes),
        output_padding=tuple(ax["a"] for ax in axes),
        dilation=tuple(ax["d"] for ax in axes),
        in_channels=c_in,
        out_channels=c_out,
        groups=groups,
    )


def integer_arrays(shape: tuple[int, ...], low: int = -9, high: int = 9) -> st.SearchStrategy:
    """Integer object arrays of ``shape`` (exact arithmetic, no overflow)."""
    size = int(np.prod(shape))
    return st.lists(st.integers(low, high), min_size=size, max_size=size).map(
        lambda values: np.array(values, dtype=object).reshape(shape)
    )


@st.composite
def geometry_and_arrays(
    draw: st.DrawFn, geometry: st.SearchStrategy[Geometry] | None = None
) -> tuple[Geometry, np.ndarray, np.ndarray]:
    """A geometry with integer ``y`` of shape ``(C_in, *i)`` and ``w`` of its weight shape."""
    g = draw(geometries() if geometry is None else geometry)
    y = draw(integer_arrays(tuple(int(v) for v in g.input_shape)))
    w = draw(integer_arrays(tuple(int(v) for v in g.weight_shape)))
    return g, y, w


def torch_kwargs(geometry: Geometry) -> dict[str, Any]:
    """The keyword arguments of ``torch.nn.functional.conv_transpose*d`` for ``geometry``.

    Only for symmetric padding (PyTorch cannot express an asymmetric crop).
    """
    if not geometry.is_symmetric:
        raise ValueError("PyTorch's padding is symmetric; this geometry crops asymmetrically")
    return {
        "stride": tuple(geometry.stride),
        "padding": tuple(geometry.padding),
        "output_padding": tuple(geometry.output_padding),
        "groups": geometry.groups,
        "dilation": tuple(geometry.dilation),
    }


#: Invalid keyword arguments: (kwargs, error class name, text the message must contain).
_INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"stride": 0}, "ParameterError", "stride"),
    ({"stride": -2}, "ParameterError", "stride"),
    ({"kernel_size": 0}, "ParameterError", "kernel_size"),
    ({"dilation": 0}, "ParameterError", "dilation"),
    ({"padding": -1}, "ParameterError", "padding"),
    ({"output_padding": -1}, "ParameterError", "output_padding"),
    ({"output_padding": 2, "stride": 2, "dilation": 1}, "ParameterError", "output_padding"),
    ({"output_padding": 3, "stride": 2, "dilation": 3}, "ParameterError", "output_padding"),
    ({"input_size": 2, "kernel_size": 1, "padding": 1}, "ParameterError", "output size"),
    ({"in_channels": 3, "groups": 2}, "ParameterError", "in_channels"),
    ({"out_channels": 3, "groups": 2, "in_channels": 2}, "ParameterError", "out_channels"),
    ({"in_channels": 0}, "ParameterError", "in_channels"),
    ({"stride": 2.5}, "ParameterTypeError", "stride"),
    ({"kernel_size": "3"}, "ParameterTypeError", "kernel_size"),
    ({"padding": True}, "ParameterTypeError", "padding"),
    ({"input_size": ()}, "ParameterError", "input_size"),
    ({"input_size": 0}, "ParameterError", "input_size"),
    ({"input_size": (2, 2), "kernel_size": (1, 2, 3)}, "ParameterError", "kernel_size"),
    ({"groups": 1.0}, "ParameterTypeError", "groups"),
]


def invalid_geometry_kwargs() -> st.SearchStrategy[tuple[dict[str, Any], str, str]]:
    """Keyword arguments of an invalid ``Geometry``, with the expected error and parameter.

    Each draw is ``(kwargs, error class name, parameter named in the message)``.
    """
    base = {"input_size": 3, "kernel_size": 3}
    return st.sampled_from(_INVALID).map(lambda case: ({**base, **case[0]}, case[1], case[2]))
