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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised without the extra
    from .errors import MissingDependencyError

    raise MissingDependencyError(
        "symtconv.strategies needs hypothesis: pip install 'symtconv[test]'"
    ) from error

from .errors import ParameterError, ParameterTypeError
from .geometry import Geometry

__all__ = [
    "FEATURES",
    "Space",
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
    output_padding: bool = True,
    padding: bool = True,
) -> dict[str, Any]:
    i = draw(st.integers(1, max_input))
    k = draw(st.integers(1, max_kernel))
    s = draw(st.integers(1, max_stride))
    d = draw(st.integers(1, max_dilation))
    a = draw(st.integers(0, (s if adjoint else max(s, d)) - 1)) if output_padding else 0
    full = (i - 1) * s + d * (k - 1) + a  # output size + total crop - 1
    # any crop that leaves at least one output, including p > d(k-1) (negative input padding)
    if not padding:
        padding_: Any = 0
    elif asymmetric:
        begin = draw(st.integers(0, full))
        end = draw(st.integers(0, full - begin))
        padding_ = begin if begin == end else (begin, end)
    else:
        padding_ = draw(st.integers(0, full // 2))
    return {"i": i, "k": k, "s": s, "d": d, "a": a, "p": padding_}


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
    ndims: Sequence[int] | None = None,
    output_padding: bool = True,
    padding: bool = True,
) -> Geometry:
    """Valid geometries: 1-D to 3-D, channels, groups, stride, padding (also larger than
    ``d(k-1)``, i.e. a crop of the zero-inserted input), dilation, output_padding.

    ``adjoint=True`` keeps ``output_padding < stride`` (where the transposed conv is Cᵀ
    of the forward conv); otherwise PyTorch's full range ``< max(stride, dilation)``.
    ``asymmetric=True`` also draws (begin, end) crops.  ``ndims`` (instead of
    ``min_ndim``/``max_ndim``) lists the numbers of spatial axes to draw from;
    ``output_padding=False`` and ``padding=False`` keep those parameters at 0.
    """
    ndim = draw(st.integers(min_ndim, max_ndim) if ndims is None
                else st.sampled_from(sorted(set(ndims))))
    axes = [
        draw(_axis(max_input=max_input, max_kernel=max_kernel, max_stride=max_stride,
                   max_dilation=max_dilation, adjoint=adjoint, asymmetric=asymmetric,
                   output_padding=output_padding, padding=padding))
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


#: What a kernel may not support, for ``verify(fn, without=...)`` and ``check --without``:
#: groups (always 1), dilation (1), output-padding (0), padding (0), bias (none), batch (no
#: batch of more than one sample), unbatched (the input always has a batch axis) and channels
#: (one input and one output channel).
FEATURES = ("groups", "dilation", "output-padding", "padding", "bias", "batch", "unbatched",
            "channels")

#: The numbers of spatial axes drawn by default, and the largest ``max_size`` allowed.
NDIMS = (1, 2, 3)
MAX_SIZE = 64


@dataclass(frozen=True)
class Space:
    """The geometries and calls a verification draws from: what the kernel supports.

    Build it with :meth:`of`, which checks each value.  ``notes`` say what a calling
    convention itself rules out (e.g. JAX has no groups).

    Examples
    ========

    >>> from symtconv.strategies import Space
    >>> print(Space.of(ndim=2, without=["dilation", "groups"], max_size=8).describe())
    2-D; input sizes 1-8, kernel 1-3, stride 1-3, no dilation, padding, output_padding,
    no groups, 1-2 channels per group in and out, bias or none, unbatched or batches of 1-3
    """

    ndim: tuple[int, ...] = NDIMS
    without: frozenset[str] = frozenset()
    max_size: int = 4
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, ndim: Any = None, without: Any = (), max_size: Any = 4) -> Space:
        """A checked space: ``ndim`` an int or ints in 1-3, ``without`` names from
        :data:`FEATURES`, ``max_size`` the largest spatial input size (1 to 64)."""
        if ndim is None:
            ndims: tuple[Any, ...] = NDIMS
        else:
            many = isinstance(ndim, (list, tuple, set, frozenset))
            ndims = tuple(ndim) if many else (ndim,)
        for n in ndims:
            if not isinstance(n, int) or isinstance(n, bool):
                raise ParameterTypeError(f"ndim must be integers in 1-3, got ndim={ndim!r}")
        if not ndims or any(n not in NDIMS for n in ndims):
            raise ParameterError(f"ndim must be among 1, 2, 3 (spatial axes), got ndim={ndim!r}")
        names = (without,) if isinstance(without, str) else without
        if not isinstance(names, (list, tuple, set, frozenset)) or not all(
                isinstance(name, str) for name in names):
            raise ParameterTypeError(
                f"without must be names of features, got without={without!r}")
        unknown = [name for name in names if name not in FEATURES]
        if unknown:
            raise ParameterError(f"without must name features among {', '.join(FEATURES)}, "
                                 f"got {unknown[0]!r}")
        if not isinstance(max_size, int) or isinstance(max_size, bool):
            raise ParameterTypeError(
                f"max_size must be an integer in 1-{MAX_SIZE}, got max_size={max_size!r}")
        if not 1 <= max_size <= MAX_SIZE:
            raise ParameterError(
                f"max_size must be an integer in 1-{MAX_SIZE}, got max_size={max_size}")
        return cls(tuple(sorted(set(ndims))), frozenset(names), max_size)

    def lacks(self, feature: str) -> bool:
        """Whether ``feature`` is left out."""
        return feature in self.without

    def restricted(self, without: tuple[str, ...], note: str) -> Space:
        """This space without more features, saying why."""
        return Space(self.ndim, self.without | set(without), self.max_size, (*self.notes, note))

    def geometries(self) -> st.SearchStrategy[Geometry]:
        """The geometries of this space (small kernels, strides and dilations)."""
        single = self.lacks("channels")
        return geometries(
            ndims=self.ndim, max_input=self.max_size, max_kernel=3, max_stride=3,
            max_dilation=1 if self.lacks("dilation") else 2,
            max_groups=1 if self.lacks("groups") or single else 2,
            max_channels_per_group=1 if single else 2,
            output_padding=not self.lacks("output-padding"), padding=not self.lacks("padding"),
        )

    @property
    def batches(self) -> tuple[int, ...]:
        """The batch sizes drawn; 0 stands for an input without a batch axis."""
        sizes = (1,) if self.lacks("batch") else (1, 2, 3)
        if self.lacks("unbatched"):
            return sizes
        return (0,) if self.lacks("batch") else (0, *sizes)

    def describe(self) -> str:
        """The space in words (what a report says it covered)."""
        ndim = "1-D to 3-D" if self.ndim == NDIMS else ", ".join(f"{n}-D" for n in self.ndim)
        single = self.lacks("channels")
        batches = {(0,): "unbatched only", (1,): "batches of 1", (1, 2, 3): "batches of 1-3",
                   (0, 1, 2, 3): "unbatched or batches of 1-3"}[self.batches]
        parts = [
            f"{ndim}; input sizes 1-{self.max_size}, kernel 1-3, stride 1-3",
            "no dilation" if self.lacks("dilation") else "dilation 1-2",
            "no padding" if self.lacks("padding") else "padding",
            "no output_padding" if self.lacks("output-padding") else "output_padding",
            "no groups" if self.lacks("groups") or single else "groups 1-2",
            "1 channel in and out" if single else "1-2 channels per group in and out",
            "no bias" if self.lacks("bias") else "bias or none",
            batches,
        ]
        return ", ".join(parts) + "".join(f" ({note})" for note in self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {"ndim": list(self.ndim), "max_size": self.max_size,
                "without": sorted(self.without), "batches": list(self.batches),
                "notes": list(self.notes), "description": self.describe()}


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
