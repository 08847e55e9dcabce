"""The conv matrix C: placement of entries, shape, and C·vec(x) = conv(x)."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symtconv import Geometry, conv_matrix
from symtconv import strategies as sts
from symtconv.methods import conv
from symtconv.tensors import output_symbols, weight_symbols


def test_dumoulin_visin_matrix_example():
    # A guide to convolution arithmetic, section 4.1: 3x3 kernel on a 4x4 input, unit stride,
    # no padding: a 4x16 matrix whose first row is w00 w01 w02 0 w10 w11 w12 0 w20 w21 w22 0 0 0 0 0
    # and whose other rows are that row shifted by 1, 4 and 5 columns.
    C = conv_matrix(Geometry((2, 2), 3))
    names = [[f"w_{{{r},{c}}}" for c in range(3)] for r in range(3)]
    first = [sp.Symbol(n) for n in names[0]] + [0]
    first += [sp.Symbol(n) for n in names[1]] + [0]
    first += [sp.Symbol(n) for n in names[2]] + [0, 0, 0, 0, 0]
    assert list(C.row(0)) == first
    for row, shift in zip(range(1, 4), (1, 4, 5), strict=True):
        assert list(C.row(row)) == [0] * shift + first[: 16 - shift]


@given(sts.geometries(adjoint=True, max_input=3, asymmetric=True))
def test_shape_is_inputs_by_outputs(g):
    C = conv_matrix(g)
    assert C.shape == (g.in_channels * int(np.prod(g.input_size)),
                       g.out_channels * int(np.prod(g.output_size)))
    assert C.nnz() == g.count_terms()


@given(sts.geometries(max_input=3, asymmetric=True), st.data())
def test_matrix_times_x_is_the_forward_conv(g, data):
    # C is built from the entry placement; conv() gathers entry by entry
    x = data.draw(sts.integer_arrays(g.output_shape))
    w = data.draw(sts.integer_arrays(g.weight_shape))
    C = conv_matrix(g, w)
    gathered = conv(g, x, w)
    assert list(C * sp.Matrix(x.reshape(-1).tolist())) == list(gathered.reshape(-1))


def test_groups_give_block_structure():
    g = Geometry(3, 2, in_channels=4, out_channels=2, groups=2)
    C = conv_matrix(g)
    rows_per_channel, cols_per_channel = 3, 4
    # input channels 0,1 (group 0) only reach output channel 0; 2,3 only output channel 1
    assert C[: 2 * rows_per_channel, cols_per_channel:].is_zero_matrix
    assert C[2 * rows_per_channel:, :cols_per_channel].is_zero_matrix


def test_symbols_used_by_default():
    g = Geometry(2, 2)
    assert set(conv_matrix(g).free_symbols) == set(weight_symbols(g).flat)
    assert output_symbols(g).shape == (1, 3)
