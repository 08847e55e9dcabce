"""Geometry: normalisation, sizes, validation, symbolic parameters."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symtconv
from symtconv import Geometry, ParameterError, ParameterTypeError, SymtconvError
from symtconv import strategies as sts


def test_seed_shape_example():
    # the seed: ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2) on 1x3x32x32 -> 1x6x61x61
    g = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)
    assert g.output_size == (61, 61)
    assert g.output_shape == (6, 61, 61)
    assert g.weight_shape == (3, 6, 3, 3)


def test_seed_worked_example_size():
    assert Geometry((3, 3), 3, stride=2, padding=1).output_size == (5, 5)


def test_int_applies_to_every_axis_and_tuples_set_ndim():
    g = Geometry((4, 5, 6), 3, stride=(1, 2, 3))
    assert g.ndim == 3
    assert g.kernel_size == (3, 3, 3)
    assert g.stride == (1, 2, 3)
    assert Geometry(4, 3).ndim == 1


def test_four_dimensions_work():
    assert Geometry((2, 2, 2, 2), 2, stride=2).output_size == (4, 4, 4, 4)


def test_frozen_hashable_and_normalised():
    a = Geometry((3, 3), 3, stride=2, padding=1)
    b = Geometry([3, 3], (3, 3), stride=(2, 2), padding=((1, 1), (1, 1)))
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.stride = (1, 1)  # type: ignore[misc]


def test_asymmetric_padding():
    g = Geometry(5, 3, stride=2, padding=((0, 1),))
    assert g.padding == ((0, 1),)
    assert not g.is_symmetric
    # full scatter length (5-1)*2 + 3 = 11, cropped 0 at the start and 1 at the end
    assert g.output_size == (10,)


@given(sts.geometries(max_input=6, max_kernel=4, max_stride=4, max_dilation=3, asymmetric=True))
def test_forward_conv_maps_output_back(g):
    # count, by brute force, the windows of the forward conv that fit in the padded output
    for ax, o in zip(g.axes, g.output_size, strict=True):
        fitting = sum(
            1 for n in range(4 * ax.i + 8)
            if ax.s * n - ax.p_begin + ax.d * (ax.k - 1) <= o - 1 + ax.p_end
        )
        assert ax.forward_output == fitting
        assert (fitting == ax.i) == (ax.a < ax.s)


@given(sts.geometries(max_input=6, max_kernel=4, max_stride=4, max_dilation=3, asymmetric=True))
def test_output_size_is_extent_of_scatter(g):
    # the largest position s*n + d*m - p_begin reached by the scatter, + 1, + output_padding
    for ax, o in zip(g.axes, g.output_size, strict=True):
        last = max(ax.s * n + ax.d * m for n in range(ax.i) for m in range(ax.k)) - ax.p_begin
        assert o == last + 1 + ax.a - ax.p_end


@given(sts.invalid_geometry_kwargs())
def test_invalid_geometry_raises_own_error_naming_parameter(case):
    kwargs, error_name, parameter = case
    with pytest.raises(SymtconvError) as info:
        Geometry(**kwargs)
    assert type(info.value).__name__ == error_name
    assert parameter in str(info.value)
    assert isinstance(info.value, ValueError if error_name == "ParameterError" else TypeError)


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"stride": (2, 0)}, "stride=(2, 0)"),
        ({"padding": (-1, 0)}, "padding=(-1, 0)"),
        ({"stride": 2.5}, "stride=2.5"),
        ({"kernel_size": "3"}, "kernel_size='3'"),
        ({"dilation": True}, "dilation=True"),
    ],
)
def test_message_names_value_received(kwargs, shown):
    with pytest.raises(SymtconvError, match=None) as info:
        Geometry(**{"input_size": (3, 3), "kernel_size": 3, **kwargs})
    assert shown in str(info.value)


def test_output_padding_rule_is_pytorchs():
    # accepted: output_padding < stride or < dilation; refused otherwise
    Geometry(3, 3, stride=1, dilation=2, output_padding=1)
    with pytest.raises(ParameterError, match="smaller than either stride or dilation"):
        Geometry(3, 3, stride=2, dilation=2, output_padding=2)


def test_too_small_output_message():
    with pytest.raises(ParameterError, match="output size must be at least 1") as info:
        Geometry((2, 2), 1, padding=1)
    assert "(0, 0)" in str(info.value)


def test_non_integer_symbol_refused():
    with pytest.raises(ParameterTypeError, match="integer=True"):
        Geometry(sp.Symbol("i"), 3)


def test_symbolic_sizes_and_conditions():
    i, k, s, p, a, d = sp.symbols("i k s p a d", integer=True)
    g = Geometry(i, k, stride=s, padding=p, output_padding=a, dilation=d)
    (o,) = g.output_size
    assert g.is_symbolic
    concrete = {i: 3, k: 3, s: 2, p: 1, a: 1, d: 2}
    assert o.subs(concrete) == Geometry(3, 3, 2, 1, 1, 2).output_size[0]
    assert g.conditions.subs(concrete) == sp.true
    # p = 5 crops too much: the conditions say so instead of raising
    assert g.conditions.subs({**concrete, p: 5}) == sp.false
    assert g.is_adjoint == sp.Lt(a, s)


def test_symbolic_but_decidable_violation_raises():
    s = sp.Symbol("s", integer=True, negative=True)
    with pytest.raises(ParameterError, match="stride"):
        Geometry(3, 3, stride=s)


@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))
def test_count_terms_matches_brute_force(i, k, s):
    g = Geometry(i, k, stride=s)
    assert g.count_terms() == i * k  # no crop: every product lands


def test_public_api_exports():
    for name in ("Geometry", "prove", "conv_matrix", "evaluate", "Proof"):
        assert hasattr(symtconv, name)
