"""The four methods, each run on its own, on numbers and symbols."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symtconv import Geometry
from symtconv import strategies as sts
from symtconv.errors import ShapeError
from symtconv.methods import NotAdjointError, conv, flip_and_pad, scatter, transpose, vjp
from symtconv.tensors import input_symbols, weight_symbols

# The seed's worked example and every intermediate it prints.
SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
SEED_ZERO_INSERTED = [
    [9, 0, 1, 0, 3], [0, 0, 0, 0, 0], [7, 0, 8, 0, 7], [0, 0, 0, 0, 0], [8, 0, 2, 0, 2],
]
SEED_PADDED = [
    [0, 0, 0, 0, 0, 0, 0],
    [0, 9, 0, 1, 0, 3, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 7, 0, 8, 0, 7, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 8, 0, 2, 0, 2, 0],
    [0, 0, 0, 0, 0, 0, 0],
]
SEED_FLIPPED = [[1, 1, 1], [3, 4, 1], [3, 2, 4]]
SEED_OUTPUT = [
    [36, 28, 4, 6, 12],
    [23, 63, 17, 56, 17],
    [28, 29, 32, 31, 28],
    [23, 47, 12, 29, 11],
    [32, 26, 8, 8, 8],
]
SEED = Geometry((3, 3), 3, stride=2, padding=1)


def seed_arrays():
    return np.array([SEED_Y], dtype=object), np.array([[SEED_W]], dtype=object)


def as_int(array):
    return np.asarray(array).astype(np.int64).tolist()


def test_seed_flip_and_pad_intermediates():
    steps = flip_and_pad(SEED, *seed_arrays())
    assert as_int(steps.zero_inserted[0]) == SEED_ZERO_INSERTED
    assert as_int(steps.padded[0]) == SEED_PADDED
    assert as_int(steps.flipped[0, 0]) == SEED_FLIPPED
    assert as_int(steps.result[0]) == SEED_OUTPUT


@pytest.mark.parametrize("method", [scatter, transpose, vjp])
def test_seed_output_by_every_method(method):
    assert as_int(method(SEED, *seed_arrays())[0]) == SEED_OUTPUT


def test_negative_padding_crops_the_zero_inserted_input():
    # p = 3 > d(k-1) = 2: the "padding" d(k-1)-p = -1 is a crop of one entry on each side
    g = Geometry(4, 3, stride=2, padding=3)
    steps = flip_and_pad(g, np.array([[1, 2, 3, 4]], dtype=object),
                         np.array([[[1, 10, 100]]], dtype=object))
    assert steps.zero_inserted.shape == (1, 7)
    assert as_int(steps.padded[0]) == [0, 2, 0, 3, 0]
    assert steps.result.shape == (1, g.output_size[0])


def test_a_crop_longer_than_the_zero_inserted_axis():
    # i=2, k=2, s=3, crops (6, 0), a=2: zero insertion gives 4 entries, the pad before is
    # d(k-1) - 6 = -5 (more than the axis holds) and after d(k-1) - 0 + a = 3, so the
    # padded sequence has 4 - 5 + 3 = 2 entries, both beyond y: zeros (found by hypothesis)
    g = Geometry(2, 2, stride=3, padding=((6, 0),), output_padding=2)
    y, w = np.array([[5, 7]], dtype=object), np.array([[[1, 10]]], dtype=object)
    steps = flip_and_pad(g, y, w)
    assert as_int(steps.padded[0]) == [0, 0]
    # the scatter definition by hand: positions 3n + m = 0, 1, 3, 4, cropped from 6 on
    assert as_int(steps.result[0]) == [0] == as_int(scatter(g, y, w)[0])


@given(sts.geometry_and_arrays(sts.geometries(adjoint=True, asymmetric=True)))
def test_four_methods_agree_on_integers(case):
    g, y, w = case
    expected = scatter(g, y, w)
    assert np.array_equal(transpose(g, y, w), expected)
    assert np.array_equal(flip_and_pad(g, y, w).result, expected)
    assert np.array_equal(vjp(g, y, w), expected)


@given(sts.geometry_and_arrays(sts.geometries(max_ndim=2, asymmetric=True)))
def test_flip_and_pad_agrees_with_scatter_for_pytorchs_whole_range(case):
    g, y, w = case
    assert np.array_equal(flip_and_pad(g, y, w).result, scatter(g, y, w))


@given(sts.geometry_and_arrays(sts.geometries(adjoint=True, asymmetric=True)), st.data())
def test_adjoint_dot_test(case, data):
    # <conv(x), y> = <x, conv_transpose(y)>: conv is a gather, scatter its adjoint
    g, y, w = case
    x = data.draw(sts.integer_arrays(g.output_shape))
    assert np.sum(conv(g, x, w) * y) == np.sum(x * scatter(g, y, w))


def test_methods_agree_symbolically_on_seed():
    y, w = input_symbols(SEED), weight_symbols(SEED)
    reference = scatter(SEED, y, w)
    for other in (transpose(SEED, y, w), flip_and_pad(SEED, y, w).result, vjp(SEED, y, w)):
        assert all((a - b).expand() == 0 for a, b in zip(reference.flat, other.flat, strict=True))


def test_not_adjoint_raises_for_transpose_and_vjp():
    g = Geometry(3, 3, stride=1, dilation=2, output_padding=1)
    y, w = input_symbols(g), weight_symbols(g)
    for method in (transpose, vjp):
        with pytest.raises(NotAdjointError, match="not defined"):
            method(g, y, w)
    extended = transpose(g, y, w, extend=True)
    reference = scatter(g, y, w)
    assert all((a - b).expand() == 0 for a, b in zip(extended.flat, reference.flat, strict=True))


def test_shape_errors_name_both_shapes():
    with pytest.raises(ShapeError, match=r"\(1, 2, 2\).*\(1, 3, 3\)"):
        scatter(SEED, np.zeros((1, 2, 2), dtype=object), np.zeros((1, 1, 3, 3), dtype=object))


@given(sts.geometry_and_arrays(sts.geometries(max_ndim=3)))
def test_scatter_matches_torch(case):
    torch = pytest.importorskip("torch", reason="torch cross-checks need the 'torch' extra")
    g, y, w = case
    functional = getattr(torch.nn.functional, f"conv_transpose{g.ndim}d")
    got = functional(
        torch.tensor(y.astype(np.float64)), torch.tensor(w.astype(np.float64)),
        **sts.torch_kwargs(g),
    )
    assert np.array_equal(got.numpy(), scatter(g, y, w).astype(np.float64))


def brute_force_conv_transpose(g, y, w):
    """The definition, one product at a time, written here independently of symtconv.

    Every ``y[c_in, n]·w[c_in, local, m]`` lands at ``s·n + d·m`` of a full output of
    length ``(i-1)s + d(k-1) + 1 + a`` per axis in output channel
    ``(c_in // (C_in/groups))·(C_out/groups) + local``; padding crops ``(p_begin, p_end)``.
    """
    ndim = y.ndim - 1
    strides, dilations, pads = g.stride, g.dilation, g.padding
    pairs = [p if isinstance(p, tuple) else (p, p) for p in pads]
    full = [
        (y.shape[1 + ax] - 1) * strides[ax] + dilations[ax] * (w.shape[2 + ax] - 1) + 1
        + g.output_padding[ax]
        for ax in range(ndim)
    ]
    per_in, per_out = y.shape[0] // g.groups, w.shape[1]
    x = np.zeros((per_out * g.groups, *full), dtype=object)
    for c_in in range(y.shape[0]):
        for local in range(per_out):
            c_out = (c_in // per_in) * per_out + local
            for n in np.ndindex(*y.shape[1:]):
                for m in np.ndindex(*w.shape[2:]):
                    j = tuple(strides[ax] * n[ax] + dilations[ax] * m[ax] for ax in range(ndim))
                    x[(c_out, *j)] += y[(c_in, *n)] * w[(c_in, local, *m)]
    crop = tuple(slice(b, full[ax] - e) for ax, (b, e) in enumerate(pairs))
    return x[(slice(None), *crop)]


@given(sts.geometry_and_arrays(sts.geometries(asymmetric=True)))
def test_scatter_alone_against_a_brute_force_loop(case):
    # channels, groups, stride, asymmetric crops, dilation, output_padding (PyTorch's whole
    # range), 1-D to 3-D; exact integers
    g, y, w = case
    expected = brute_force_conv_transpose(g, y, w)
    got = scatter(g, y, w)
    assert got.shape == expected.shape == tuple(g.output_shape)
    assert np.array_equal(got, expected)


@pytest.mark.parametrize(
    "g",
    [
        Geometry((2, 3), (2, 3), stride=(2, 1), padding=((1, 0), (0, 2)), dilation=(1, 2),
                 output_padding=(1, 1), in_channels=4, out_channels=6, groups=2),
        Geometry((2, 1, 2), 2, stride=(1, 3, 2), padding=((0, 1), 0, (1, 0)),
                 output_padding=(0, 2, 1), in_channels=3, out_channels=3, groups=3),
    ],
)
def test_scatter_alone_against_a_brute_force_loop_on_fixed_cases(g):
    # channels per group > 1 on both sides, and groups with one channel each
    y = np.arange(1, 1 + int(np.prod(g.input_shape)), dtype=object).reshape(g.input_shape)
    w = np.arange(2, 2 + int(np.prod(g.weight_shape)), dtype=object).reshape(g.weight_shape)
    w = w * np.array([(-1) ** v for v in range(w.size)], dtype=object).reshape(w.shape)
    assert np.array_equal(scatter(g, y, w), brute_force_conv_transpose(g, y, w))


def test_a_wrong_group_mapping_shared_by_the_others_is_caught(monkeypatch):
    # flip-and-pad and the VJP both map channels with methods._group_slices; the reference
    # has its own mapping, so a bug there makes them disagree with it instead of agreeing
    import symtconv.methods as methods
    from symtconv import prove

    def swapped(geometry, c_in):
        right = (c_in // (geometry.in_channels // geometry.groups) + 1) % geometry.groups
        per_out = geometry.out_channels // geometry.groups
        return slice(right * per_out, (right + 1) * per_out)

    g = Geometry(3, 2, stride=2, in_channels=2, out_channels=2, groups=2)
    assert prove(g, engine="sympy", methods=["flip_and_pad", "vjp"])
    monkeypatch.setattr(methods, "_group_slices", swapped)
    proof = prove(g, engine="sympy", methods=["flip_and_pad", "vjp"])
    assert not proof
    assert [c.holds for c in proof.comparisons] == [False, False]
