"""Exact evaluation: substitution of integers and rationals."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symtconv import Geometry, ParameterTypeError, ShapeError, evaluate
from symtconv import strategies as sts


def direct_1d(y, w, stride, padding, out_len):
    """The scatter definition written out with Fractions, for one channel in 1-D."""
    out = [Fraction(0)] * out_len
    for n, m in product(range(len(y)), range(len(w))):
        j = stride * n + m - padding
        if 0 <= j < out_len:
            out[j] += Fraction(y[n]) * Fraction(w[m])
    return out


def test_seed_worked_example():
    g = Geometry((3, 3), 3, stride=2, padding=1)
    x = evaluate(g, [[9, 1, 3], [7, 8, 7], [8, 2, 2]], [[4, 2, 3], [1, 4, 3], [1, 1, 1]])
    assert np.asarray(x[0]).astype(int).tolist() == [
        [36, 28, 4, 6, 12],
        [23, 63, 17, 56, 17],
        [28, 29, 32, 31, 28],
        [23, 47, 12, 29, 11],
        [32, 26, 8, 8, 8],
    ]


fractions = st.fractions(min_value=-5, max_value=5, max_denominator=7)


@given(st.lists(fractions, min_size=1, max_size=4), st.lists(fractions, min_size=1, max_size=3),
       st.integers(1, 3))
def test_rationals_are_exact(y, w, stride):
    g = Geometry(len(y), len(w), stride=stride)
    got = evaluate(g, [str(v) for v in y], w)
    expected = direct_1d(y, w, stride, 0, g.output_size[0])
    assert [Fraction(int(v.p), int(v.q)) for v in got[0]] == expected


@given(sts.geometry_and_arrays(sts.geometries(max_input=3, max_ndim=2)))
def test_channels_and_groups(case):
    g, y, w = case
    from symtconv.methods import scatter

    assert np.array_equal(evaluate(g, y, w), scatter(g, y, w))


def test_floats_are_refused_with_a_pointer_to_numeric():
    with pytest.raises(ParameterTypeError, match="numeric"):
        evaluate(Geometry(2, 1), [1.5, 2], [1])


def test_wrong_value_shape():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(1, 2\)"):
        evaluate(Geometry(2, 1), [1, 2, 3], [1])
