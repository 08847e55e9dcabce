"""Tests for symtconv.numeric: the numeric transposed convolution with PyTorch's semantics.

Every value is checked against something computed independently of the code under test:
the seed's published numbers, a term-by-term Python implementation of the scatter
definition (``x[s·n + d·m - p] += y[n]·w[m]``), the symbolic tier with the values
substituted, the adjoint identity with the forward
convolution, and PyTorch itself (skipped, with a reason, when torch is missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symtconv import numeric as numeric_module
from symtconv import strategies as _sts
from symtconv.errors import (
    ParameterError,
    ParameterTypeError,
    ShapeError,
    SymtconvError,
    TooLargeError,
)
from symtconv.geometry import Geometry
from symtconv.numeric import conv, conv_transpose

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without torch
    torch = None

requires_torch = pytest.mark.skipif(
    torch is None,
    reason="PyTorch is not installed (pip install 'symtconv[torch]'); cross-checks skipped",
)

FAST = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------- #
# Independent helpers
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Layer:
    """A valid transposed-convolution layer: per-axis parameters and channel counts."""

    sizes: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int = 1
    cin_per_group: int = 1
    cout_per_group: int = 1
    batch: int | None = 1
    seed: int = 0

    @property
    def in_channels(self) -> int:
        return self.groups * self.cin_per_group

    @property
    def out_channels(self) -> int:
        return self.groups * self.cout_per_group

    @property
    def output_size(self) -> tuple[int, ...]:
        """``o = (i-1)s - p_begin - p_end + d(k-1) + a + 1``, written out here once more."""
        return tuple(
            (i - 1) * s - pb - pe + d * (k - 1) + a + 1
            for i, k, s, (pb, pe), a, d in zip(
                self.sizes,
                self.kernel,
                self.stride,
                self.pads,
                self.output_padding,
                self.dilation,
                strict=True,
            )
        )

    @property
    def symmetric(self) -> bool:
        return all(pb == pe for pb, pe in self.pads)

    @property
    def padding(self) -> tuple[Any, ...]:
        """Torch's symmetric ints where possible, else ``(begin, end)`` pairs."""
        if self.symmetric:
            return tuple(pb for pb, _ in self.pads)
        return self.pads

    def kwargs(self) -> dict[str, Any]:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "groups": self.groups,
            "dilation": self.dilation,
        }

    def batch_shape(self, channels: int, sizes: tuple[int, ...]) -> tuple[int, ...]:
        return (channels, *sizes) if self.batch is None else (self.batch, channels, *sizes)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.batch_shape(self.in_channels, self.sizes)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        return (self.in_channels, self.cout_per_group, *self.kernel)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.batch_shape(self.out_channels, self.output_size)

    def integers(self, shape: tuple[int, ...], salt: int) -> np.ndarray:
        return np.random.default_rng((self.seed, salt)).integers(-9, 10, size=shape)

    def normals(self, shape: tuple[int, ...], salt: int) -> np.ndarray:
        return np.random.default_rng((self.seed, salt)).standard_normal(shape)


def scatter_definition(y: np.ndarray, w: np.ndarray, layer: Layer) -> np.ndarray:
    """``x[s·n + d·m - p_begin] += y[n]·w[m]``, one product at a time, in Python ints."""
    batched = layer.batch is not None
    ys = y if batched else y[None]
    x = np.zeros((ys.shape[0], layer.out_channels, *layer.output_size), dtype=object)
    for b, c_in in product(range(ys.shape[0]), range(layer.in_channels)):
        group = c_in // layer.cin_per_group
        for n in product(*(range(i) for i in layer.sizes)):
            for c, m in product(
                range(layer.cout_per_group), product(*(range(k) for k in layer.kernel))
            ):
                position = tuple(
                    s * nn + d * mm - pb
                    for nn, mm, s, d, (pb, _) in zip(
                        n, m, layer.stride, layer.dilation, layer.pads, strict=True
                    )
                )
                if all(0 <= q < o for q, o in zip(position, layer.output_size, strict=True)):
                    c_out = group * layer.cout_per_group + c
                    x[(b, c_out, *position)] += int(ys[(b, c_in, *n)]) * int(w[(c_in, c, *m)])
    return x if batched else x[0]


def dot(a: np.ndarray, b: np.ndarray) -> int:
    """Exact inner product in Python ints."""
    return sum(int(u) * int(v) for u, v in zip(a.ravel(), b.ravel(), strict=True))


def torch_conv_transpose(y: np.ndarray, w: np.ndarray, bias: Any = None, **kwargs: Any) -> Any:
    functional = torch.nn.functional
    function = getattr(functional, f"conv_transpose{w.ndim - 2}d")
    return function(
        torch.from_numpy(np.asarray(y)),
        torch.from_numpy(np.asarray(w)),
        None if bias is None else torch.from_numpy(np.asarray(bias)),
        **kwargs,
    )


def torch_conv(x: np.ndarray, w: np.ndarray, bias: Any = None, **kwargs: Any) -> Any:
    function = getattr(torch.nn.functional, f"conv{w.ndim - 2}d")
    return function(
        torch.from_numpy(np.asarray(x)),
        torch.from_numpy(np.asarray(w)),
        None if bias is None else torch.from_numpy(np.asarray(bias)),
        **kwargs,
    )


# --------------------------------------------------------------------------- #
# Strategies: valid layers, and layers with one parameter broken
# --------------------------------------------------------------------------- #


@st.composite
def layers(
    draw: st.DrawFn, *, adjoint: bool = False, symmetric: bool = True, max_ndim: int = 3
) -> Layer:
    """Valid layers; ``adjoint`` keeps ``output_padding < stride`` (shapes of Cᵀ)."""
    ndim = draw(st.integers(1, max_ndim))
    largest = 4 if ndim < 3 else 3
    axes = []
    for _ in range(ndim):
        i, k = draw(st.integers(1, largest)), draw(st.integers(1, 3))
        s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        a = draw(st.integers(0, (s if adjoint else max(s, d)) - 1))
        room = (i - 1) * s + d * (k - 1) + a  # the output length is room + 1 - p_begin - p_end
        if symmetric:
            p = draw(st.integers(0, room // 2))
            pads = (p, p)
        else:
            begin = draw(st.integers(0, room))
            pads = (begin, draw(st.integers(0, room - begin)))
        axes.append((i, k, s, pads, a, d))
    sizes, kernel, stride, pads, output_padding, dilation = (
        tuple(v) for v in zip(*axes, strict=True)
    )
    return Layer(
        sizes,
        kernel,
        stride,
        pads,
        output_padding,
        dilation,
        groups=draw(st.integers(1, 3)),
        cin_per_group=draw(st.integers(1, 2)),
        cout_per_group=draw(st.integers(1, 2)),
        batch=draw(st.sampled_from([None, 1, 2])),
        seed=draw(st.integers(0, 2**16)),
    )


#: The cases a sweep must not miss, as explicit examples.
NEGATIVE_EFFECTIVE_PADDING = Layer((4,), (2,), (3,), ((3, 3),), (0,), (1,))  # p > d(k-1)
OUTPUT_PADDING_BEYOND_STRIDE = Layer((3, 2), (2, 3), (1, 2), ((1, 1), (0, 0)), (2, 1), (3, 2))
GROUPED_UNBATCHED_3D = Layer(
    (2, 3, 2),
    (2, 1, 3),
    (2, 1, 1),
    ((1, 1), (0, 0), (2, 2)),
    (1, 0, 0),
    (1, 1, 2),
    groups=3,
    cin_per_group=2,
    cout_per_group=2,
    batch=None,
)


def geometry_kwargs(layer: Layer, **changes: Any) -> dict[str, Any]:
    """``layer``'s parameters for ``conv_transpose`` with some of them replaced."""
    kwargs = layer.kwargs()
    kwargs.update(changes)
    return kwargs


def with_entry(values: tuple[Any, ...], axis: int, value: Any) -> tuple[Any, ...]:
    return (*values[:axis], value, *values[axis + 1 :])


@st.composite
def broken_parameters(draw: st.DrawFn) -> tuple[Layer, str, dict[str, Any]]:
    """A valid layer, the rule broken, and parameters that break it."""
    layer = draw(layers(max_ndim=2))
    axis = draw(st.integers(0, len(layer.sizes) - 1))
    s, d = layer.stride[axis], layer.dilation[axis]
    i, k, a = layer.sizes[axis], layer.kernel[axis], layer.output_padding[axis]
    room = (i - 1) * s + d * (k - 1) + a
    fault = draw(
        st.sampled_from(
            [
                "stride",
                "dilation",
                "padding",
                "output_padding",
                "output_padding_too_large",
                "crop_too_large",
                "float",
                "bool",
                "groups",
            ]
        )
    )
    below_one = draw(st.integers(-2, 0))
    if fault in ("stride", "dilation"):
        changes = {fault: with_entry(getattr(layer, fault), axis, below_one)}
    elif fault == "padding":
        changes = {"padding": with_entry(layer.padding, axis, draw(st.integers(-3, -1)))}
    elif fault == "output_padding":
        changes = {"output_padding": with_entry(layer.output_padding, axis, -1)}
    elif fault == "output_padding_too_large":
        too_large = draw(st.integers(max(s, d), max(s, d) + 2))
        changes = {"output_padding": with_entry(layer.output_padding, axis, too_large)}
    elif fault == "crop_too_large":
        # 2p >= room + 1 makes the output length room + 1 - 2p < 1
        p = room // 2 + 1 + draw(st.integers(0, 2))
        padding = with_entry(tuple(pb for pb, _ in layer.pads), axis, p)
        changes = {"padding": padding}
    elif fault == "float":
        name = draw(st.sampled_from(["stride", "dilation", "output_padding"]))
        changes = {name: with_entry(getattr(layer, name), axis, 1.5)}
    elif fault == "bool":
        changes = {"stride": with_entry(layer.stride, axis, True)}
    else:  # groups that do not divide the input channels
        changes = {"groups": layer.in_channels + 1}
    return layer, fault, geometry_kwargs(layer, **changes)


def geometry_error(layer: Layer, kwargs: dict[str, Any]) -> Exception:
    """The error :class:`Geometry` raises for these parameters (it must raise one)."""
    try:
        Geometry(
            input_size=layer.sizes,
            kernel_size=layer.kernel,
            stride=kwargs["stride"],
            padding=kwargs["padding"],
            output_padding=kwargs["output_padding"],
            dilation=kwargs["dilation"],
            in_channels=layer.in_channels,
            out_channels=layer.cout_per_group * kwargs["groups"],
            groups=kwargs["groups"],
        )
    except SymtconvError as error:
        return error
    raise AssertionError(f"Geometry accepted broken parameters {kwargs}")


# --------------------------------------------------------------------------- #
# The seed's reference cases
# --------------------------------------------------------------------------- #

SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
SEED_X = [
    [36, 28, 4, 6, 12],
    [23, 63, 17, 56, 17],
    [28, 29, 32, 31, 28],
    [23, 47, 12, 29, 11],
    [32, 26, 8, 8, 8],
]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, object])
def test_seed_worked_example(dtype: Any) -> None:
    y = np.array(SEED_Y, dtype=dtype)[None, None]
    w = np.array(SEED_W, dtype=dtype)[None, None]
    x = conv_transpose(y, w, stride=2, padding=1)
    assert x.shape == (1, 1, 5, 5)
    assert x.dtype == (np.dtype(object) if dtype is object else np.int64)
    assert x[0, 0].tolist() == SEED_X
    assert all(type(v) is int for v in x.ravel().tolist())


def test_seed_worked_example_unbatched_from_lists() -> None:
    x = conv_transpose([SEED_Y], [[SEED_W]], stride=2, padding=1)
    assert x.shape == (1, 5, 5)
    assert np.issubdtype(x.dtype, np.integer)
    assert x[0].tolist() == SEED_X


def test_seed_shape_example() -> None:
    x = conv_transpose(np.zeros((1, 3, 32, 32)), np.zeros((3, 6, 3, 3)), stride=2, padding=2)
    assert x.shape == (1, 6, 61, 61)


# --------------------------------------------------------------------------- #
# Exact values: the scatter definition and the adjoint identity
# --------------------------------------------------------------------------- #


@FAST
@given(layers(symmetric=False))
@example(NEGATIVE_EFFECTIVE_PADDING)
@example(OUTPUT_PADDING_BEYOND_STRIDE)
@example(GROUPED_UNBATCHED_3D)
def test_matches_scatter_definition(layer: Layer) -> None:
    y = layer.integers(layer.input_shape, 0)
    w = layer.integers(layer.weight_shape, 1)
    x = conv_transpose(y, w, **layer.kwargs())
    assert x.dtype == np.int64
    assert x.shape == layer.output_shape
    assert np.array_equal(x, scatter_definition(y, w, layer))


@settings(max_examples=80, deadline=None)
@given(layers(adjoint=True, symmetric=False))
@example(NEGATIVE_EFFECTIVE_PADDING)
def test_adjoint_dot_test(layer: Layer) -> None:
    """⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩ exactly, with the same weight array."""
    y = layer.integers(layer.input_shape, 0)
    w = layer.integers(layer.weight_shape, 1)
    x = layer.integers(layer.output_shape, 2)
    forward = conv(
        x,
        w,
        stride=layer.stride,
        padding=layer.padding,
        dilation=layer.dilation,
        groups=layer.groups,
    )
    assert forward.shape == y.shape
    assert dot(forward, y) == dot(x, conv_transpose(y, w, **layer.kwargs()))


@FAST
@given(layers(adjoint=True))
def test_adjoint_with_bias_is_affine(layer: Layer) -> None:
    """The bias adds ``b[c]`` to every output of channel ``c``; the map is otherwise linear."""
    y = layer.integers(layer.input_shape, 0)
    w = layer.integers(layer.weight_shape, 1)
    b = layer.integers((layer.out_channels,), 2)
    without = conv_transpose(y, w, **layer.kwargs())
    with_bias = conv_transpose(y, w, b, **layer.kwargs())
    channel_axis = 0 if layer.batch is None else 1
    shape = [1] * without.ndim
    shape[channel_axis] = -1
    assert np.array_equal(with_bias - without, np.broadcast_to(b.reshape(shape), without.shape))


@FAST
@given(layers())
def test_output_padding_beyond_stride_breaks_the_shape_relation(layer: Layer) -> None:
    """With ``s <= a < d`` the forward conv maps the output to ``i + floor(a/s)``."""
    x = np.zeros(layer.output_shape, dtype=np.int64)
    w = np.zeros(layer.weight_shape, dtype=np.int64)
    forward = conv(
        x,
        w,
        stride=layer.stride,
        padding=layer.padding,
        dilation=layer.dilation,
        groups=layer.groups,
    )
    expected = tuple(
        i + a // s for i, a, s in zip(layer.sizes, layer.output_padding, layer.stride, strict=True)
    )
    assert forward.shape[-len(expected) :] == expected


@pytest.mark.parametrize("block", [1, 20, 100, 10**9])
def test_blocks_of_samples_and_channels(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Large layers are done in blocks (down to one sample and one channel at a time)."""
    monkeypatch.setattr(numeric_module, "_CHUNK_ELEMENTS", block)
    layer = Layer(
        (3, 2), (2, 2), (2, 1), ((0, 1), (1, 0)), (1, 0), (1, 2),
        batch=3, groups=2, cin_per_group=2, cout_per_group=3,
    )  # fmt: skip
    y = layer.integers(layer.input_shape, 0)
    w = layer.integers(layer.weight_shape, 1)
    x = conv_transpose(y, w, **layer.kwargs())
    assert np.array_equal(x, scatter_definition(y, w, layer))
    r = layer.integers(x.shape, 2)
    kwargs = {k: v for k, v in layer.kwargs().items() if k != "output_padding"}
    assert dot(conv(r, w, **kwargs), y) == dot(r, x)


# --------------------------------------------------------------------------- #
# Dtypes
# --------------------------------------------------------------------------- #


def test_object_arrays_are_exact_beyond_int64() -> None:
    big = 10**30
    y = np.array([[[big, -big, 3]]], dtype=object)
    w = np.array([[[big, 1]]], dtype=object)
    x = conv_transpose(y, w, stride=2, bias=np.array([1], dtype=object))
    assert x.dtype == object
    assert x[0, 0].tolist() == [big * big + 1, big + 1, -big * big + 1, -big + 1, 3 * big + 1, 4]


def test_int64_overflow_is_refused_not_wrapped() -> None:
    y = np.full((1, 2, 3), 2**31, dtype=np.int64)
    w = np.full((2, 1, 2), 2**31, dtype=np.int64)
    with pytest.raises(TooLargeError, match="dtype=object"):
        conv_transpose(y, w)
    exact = conv_transpose(y.astype(object), w.astype(object))
    assert exact.max() == 2 * 2**62 * 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtypes_are_kept(dtype: Any) -> None:
    """float32 stays float32 and agrees with the float64 result (checked against torch)."""
    rng = np.random.default_rng(0)
    y, w, b = rng.standard_normal((2, 4, 5, 3)), rng.standard_normal((4, 3, 2, 3)), np.ones(6)
    kwargs = {"stride": (2, 1), "padding": 1, "groups": 2}
    x = conv_transpose(y.astype(dtype), w.astype(dtype), b.astype(dtype), **kwargs)
    assert x.dtype == dtype
    np.testing.assert_allclose(x, conv_transpose(y, w, b, **kwargs), rtol=1e-4, atol=1e-5)


def test_complex_input_is_linear_in_real_and_imaginary_parts() -> None:
    rng = np.random.default_rng(1)
    re, im = rng.integers(-9, 10, size=(2, 1, 2, 4, 3))
    w = rng.integers(-9, 10, size=(2, 3, 3, 2))
    x = conv_transpose(re + 1j * im, w, stride=2, padding=(1, 0))
    assert x.dtype == np.complex128
    assert np.array_equal(x.real, conv_transpose(re, w, stride=2, padding=(1, 0)))
    assert np.array_equal(x.imag, conv_transpose(im, w, stride=2, padding=(1, 0)))


def test_mixed_integer_and_float_promote_like_numpy() -> None:
    x = conv_transpose(np.ones((1, 1, 2), dtype=np.int8), np.ones((1, 1, 2), dtype=np.float32))
    assert x.dtype == np.float32
    assert x.tolist() == [[[1.0, 2.0, 1.0]]]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("input", np.ones((1, 1, 3), dtype=bool)),
        ("input", [[["a", "b"]]]),
        ("weight", np.ones((1, 1, 2), dtype=bool)),
        ("bias", np.array([True])),
    ],
)
def test_non_numeric_dtypes_are_refused(name: str, value: Any) -> None:
    arrays: dict[str, Any] = {"input": np.ones((1, 1, 2)), "weight": np.ones((1, 1, 2))}
    arrays[name] = value
    with pytest.raises(ParameterTypeError, match=name):
        conv_transpose(**arrays)
    with pytest.raises(ParameterTypeError, match=name):
        conv(**arrays)


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #


@FAST
@given(broken_parameters())
def test_invalid_parameters_raise_the_geometry_errors(
    case: tuple[Layer, str, dict[str, Any]],
) -> None:
    layer, fault, kwargs = case
    expected = geometry_error(layer, kwargs)
    y = np.zeros(layer.input_shape)
    w = np.zeros(layer.weight_shape)
    with pytest.raises(type(expected)) as raised:
        conv_transpose(y, w, **kwargs)
    assert str(raised.value) == str(expected)
    # PyTorch refuses the same geometry -- except a bool after the first entry of a
    # tuple, which it takes as an int (stride=(1, True)); symtconv refuses every bool.
    if torch is not None and fault != "bool":
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            torch_conv_transpose(y, w, **kwargs)


@pytest.mark.parametrize(
    ("groups", "error"), [(0, ParameterError), (-1, ParameterError), (1.0, ParameterTypeError)]
)
def test_invalid_groups(groups: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="groups must be a positive integer"):
        conv_transpose(np.ones((1, 2, 3)), np.ones((2, 1, 2)), groups=groups)
    with pytest.raises(error, match="groups must be a positive integer"):
        conv(np.ones((1, 2, 3)), np.ones((1, 2, 2)), groups=groups)


def test_kernel_larger_than_padded_input() -> None:
    x, w = np.ones((1, 1, 2)), np.ones((1, 1, 3))
    with pytest.raises(ParameterError, match="padded input"):
        conv(x, w, dilation=2, padding=1)
    conv(x, w, dilation=2, padding=2)  # the padded input 6 now holds the span 5


# Each case: the function, input shape, weight shape, bias shape (or None), keywords.
SHAPE_MISMATCHES = [
    ("conv_transpose", (1, 3, 5, 5), (4, 2, 3, 3), None, {}),  # channels
    ("conv_transpose", (5, 5), (1, 1, 3, 3), None, {}),  # input ndim
    ("conv_transpose", (1, 1, 2, 5, 5), (1, 1, 3, 3), None, {}),  # input ndim
    ("conv_transpose", (2, 4, 5), (4, 1, 3), (3,), {"groups": 2}),  # bias length
    ("conv_transpose", (2, 4, 5), (4, 1, 3), (2, 1), {"groups": 2}),  # bias ndim
    ("conv", (1, 3, 5, 5), (2, 2, 3, 3), None, {}),  # channels
    ("conv", (3, 5, 5), (2, 1, 3, 3), None, {"groups": 2}),  # channels (groups)
    ("conv", (2, 5), (2, 2, 3, 3), None, {}),  # input ndim
    ("conv", (1, 2, 5), (4, 2, 3), (2,), {}),  # bias length
]


@pytest.mark.parametrize(
    ("function", "shape", "weight_shape", "bias_shape", "kwargs"), SHAPE_MISMATCHES
)
def test_shape_mismatch_names_both_shapes(
    function: str,
    shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None,
    kwargs: dict[str, Any],
) -> None:
    call = conv_transpose if function == "conv_transpose" else conv
    bias = None if bias_shape is None else np.ones(bias_shape)
    with pytest.raises(ShapeError) as raised:
        call(np.ones(shape), np.ones(weight_shape), bias, **kwargs)
    message = str(raised.value)
    assert str(weight_shape) in message
    assert str(bias_shape if bias_shape is not None else shape) in message


@pytest.mark.parametrize("function", [conv_transpose, conv])
def test_weight_without_spatial_axes(function: Any) -> None:
    with pytest.raises(ShapeError, match=r"\(3, 3\)"):
        function(np.ones((1, 3, 4)), np.ones((3, 3)))


def test_ragged_lists_are_a_shape_error() -> None:
    with pytest.raises(ShapeError, match="rectangular"):
        conv_transpose([[[1, 2], [3]]], [[[1]]])


def test_one_entry_tuples_mean_every_axis() -> None:
    y, w = np.arange(12).reshape(1, 1, 3, 4), np.arange(4).reshape(1, 1, 2, 2)
    assert np.array_equal(
        conv_transpose(y, w, stride=(2,), padding=[1], dilation=(2,), output_padding=(1,)),
        conv_transpose(y, w, stride=2, padding=1, dilation=2, output_padding=1),
    )


# --------------------------------------------------------------------------- #
# PyTorch cross-checks
# --------------------------------------------------------------------------- #


@requires_torch
@settings(max_examples=120, deadline=None)
@given(layers(), st.booleans())
@example(NEGATIVE_EFFECTIVE_PADDING, True)
@example(OUTPUT_PADDING_BEYOND_STRIDE, False)
@example(GROUPED_UNBATCHED_3D, True)
def test_conv_transpose_matches_torch(layer: Layer, with_bias: bool) -> None:
    y = layer.normals(layer.input_shape, 0)
    w = layer.normals(layer.weight_shape, 1)
    b = layer.normals((layer.out_channels,), 2) if with_bias else None
    expected = torch_conv_transpose(y, w, b, **layer.kwargs()).numpy()
    x = conv_transpose(y, w, b, **layer.kwargs())
    assert x.dtype == np.float64
    assert x.shape == expected.shape == layer.output_shape
    np.testing.assert_allclose(x, expected, rtol=1e-10, atol=1e-12)


@requires_torch
@FAST
@given(layers(), st.booleans())
def test_conv_matches_torch(layer: Layer, with_bias: bool) -> None:
    """The forward conv on the transposed conv's output space, against torch.conv*d."""
    x = layer.normals(layer.output_shape, 0)
    w = layer.normals(layer.weight_shape, 1)
    b = layer.normals((layer.in_channels,), 2) if with_bias else None
    kwargs = {
        "stride": layer.stride,
        "padding": layer.padding,
        "dilation": layer.dilation,
        "groups": layer.groups,
    }
    expected = torch_conv(x, w, b, **kwargs).numpy()
    y = conv(x, w, b, **kwargs)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


@requires_torch
def test_float32_matches_torch_float32() -> None:
    rng = np.random.default_rng(3)
    y = rng.standard_normal((2, 4, 6, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    kwargs = {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2), "groups": 2}
    x = conv_transpose(y, w, **kwargs)
    expected = torch_conv_transpose(y, w, **kwargs).numpy()
    assert x.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-5)


@requires_torch
@pytest.mark.parametrize(
    ("function", "shape", "weight_shape", "bias_shape", "kwargs"), SHAPE_MISMATCHES
)
def test_torch_refuses_the_same_shape_mismatches(
    function: str,
    shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None,
    kwargs: dict[str, Any],
) -> None:
    call = torch_conv_transpose if function == "conv_transpose" else torch_conv
    bias = None if bias_shape is None else np.ones(bias_shape)
    with pytest.raises(RuntimeError):
        call(np.ones(shape), np.ones(weight_shape), bias, **kwargs)


@requires_torch
def test_torch_refuses_kernel_larger_than_padded_input() -> None:
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        torch_conv(np.ones((1, 1, 2)), np.ones((1, 1, 3)), dilation=2, padding=1)


# --------------------------------------------------------------------------- #
# the numeric tier against the symbolic tier
# --------------------------------------------------------------------------- #


@settings(max_examples=60, deadline=None)
@given(
    case=_sts.geometry_and_arrays(_sts.geometries(asymmetric=True)),
    batched=st.booleans(),
    as_int64=st.booleans(),
)
def test_equals_the_symbolic_tier_after_substitution(case: Any, batched: bool,
                                                     as_int64: bool) -> None:
    # symtconv.evaluate builds Cᵀ·vec(y) (the scatter definition where Cᵀ has the wrong
    # shape) from SymPy symbols and substitutes the integers: exact, and computed without
    # any of symtconv.numeric's code
    from symtconv import evaluate

    g, y, w = case
    expected = evaluate(g, y, w)
    y_in = y.astype(np.int64) if as_int64 else y
    w_in = w.astype(np.int64) if as_int64 else w
    got = conv_transpose(y_in[None] if batched else y_in, w_in, stride=g.stride,
                         padding=tuple((ax.p_begin, ax.p_end) for ax in g.axes),
                         output_padding=g.output_padding, groups=g.groups, dilation=g.dilation)
    got = got[0] if batched else got
    assert got.shape == expected.shape
    assert got.tolist() == np.vectorize(int, otypes=[object])(expected).tolist()
