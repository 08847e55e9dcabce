"""Symbolic tensors and their LaTeX-friendly names."""

from __future__ import annotations

import pytest
import sympy as sp

from symtconv import Geometry, ParameterTypeError
from symtconv.tensors import input_symbols, output_symbols, term_name, weight_symbols


def test_single_channel_names_drop_the_channel():
    g = Geometry((2, 3), 2)
    y = input_symbols(g)
    assert y.shape == (1, 2, 3)
    assert str(y[0, 1, 2]) == "y_{1,2}"
    assert sp.latex(y[0, 1, 2]) == "y_{1,2}"
    assert str(weight_symbols(g)[0, 0, 1, 0]) == "w_{1,0}"


def test_channels_are_named_when_there_are_several():
    g = Geometry(3, 2, in_channels=2, out_channels=3)
    assert str(input_symbols(g)[1, 2]) == "y_{1,2}"
    assert str(weight_symbols(g)[1, 2, 0]) == "w_{1,2,0}"
    assert output_symbols(g).shape == (3, 4)


def test_symbols_are_distinct():
    g = Geometry((2, 2, 2), 2, in_channels=2, out_channels=2)
    names = [str(s) for s in input_symbols(g).flat] + [str(s) for s in weight_symbols(g).flat]
    assert len(names) == len(set(names))


def test_names_are_validated():
    with pytest.raises(ParameterTypeError, match="identifier"):
        input_symbols(Geometry(2, 2), name="y}\\evil")


def test_symbolic_geometry_has_no_concrete_tensors():
    i = sp.Symbol("i", integer=True, positive=True)
    with pytest.raises(ParameterTypeError, match="concrete"):
        input_symbols(Geometry(i, 2))


def test_term_name():
    y, w = sp.Symbol("y_{0,1}"), sp.Symbol("w_{2}")
    assert term_name(1, y, w) == "y_{0,1}·w_{2}"
    assert term_name(2, y, w) == "2·y_{0,1}·w_{2}"


def test_few_terms_but_a_huge_output_is_too_large_for_sympy():
    from symtconv.errors import TooLargeError
    from symtconv.tensors import check_sympy_size, sympy_fits, sympy_load

    g = Geometry(2, 1, stride=10**6)  # y at 0 and 10**6, nothing between: o = 10**6 + 1
    assert sympy_load(g) == (2, 2 + 10**6 + 1)
    assert not sympy_fits(g) and sympy_fits(Geometry(2, 1, stride=10))
    with pytest.raises(TooLargeError, match="input and output entries"):
        check_sympy_size(g)
