"""prove(): exact agreement of the methods, honest failures, the size guard."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings

import symtconv
from symtconv import Geometry, TooLargeError, prove
from symtconv import strategies as sts
from symtconv.methods import scatter
from symtconv.proofs import prove_sympy


@settings(max_examples=25)
@given(sts.geometries(adjoint=True, max_input=3, max_kernel=3, asymmetric=True))
def test_every_valid_adjoint_geometry_is_proved(g):
    proof = prove(g, engine="sympy")
    assert proof, str(proof)
    assert proof.methods == ("scatter", "transpose", "flip_and_pad", "vjp")
    assert proof.terms == g.count_terms()


def test_bool_and_fields_of_the_seed_proof():
    proof = prove(Geometry((3, 3), 3, stride=2, padding=1))
    assert bool(proof) is True
    assert proof.outputs == 25
    data = json.loads(json.dumps(proof.to_dict()))
    assert data["proved"] is True and len(data["methods"]) == 4


def test_stride_le_output_padding_lt_dilation_is_not_proved():
    # PyTorch accepts it; Cᵀ of the same-stride conv then has the wrong shape
    g = Geometry((3, 2), (3, 2), stride=(1, 2), dilation=(2, 1), output_padding=(1, 0))
    proof = prove(g, engine="sympy")
    assert not proof
    holds = {c.method: c.holds for c in proof.comparisons}
    assert holds == {"transpose": False, "flip_and_pad": True, "vjp": False}
    detail = next(c.detail for c in proof.comparisons if c.method == "transpose")
    assert "not defined" in detail and "(4, 2)" in detail  # forward conv gives 4 rows, not 3
    assert any("zero-extended" in note and "proved" in note for note in proof.notes)


def _no_flip(g, y, w):
    flipped_twice = w[(slice(None), slice(None), *(slice(None, None, -1),) * g.ndim)]
    return symtconv.methods.flip_and_pad(g, y, flipped_twice).result


def test_planted_mistake_is_reported_with_terms():
    # 1-D, i=2, k=2: scatter gives x0 = y0 w0, x1 = y0 w1 + y1 w0, x2 = y1 w1; without the
    # flip x0 = y0 w1, x1 = y0 w0 + y1 w1, x2 = y1 w0 — worked out by hand.
    g = Geometry(2, 2)
    proof = prove_sympy(g, implementations={"flip_and_pad": _no_flip})
    assert not proof
    failed = next(c for c in proof.comparisons if c.method == "flip_and_pad")
    assert failed.holds is False and failed.differing == 3
    first = proof.first_mismatch
    assert first.output == (0, 0)
    assert first.missing == ("y_{0}·w_{0}",)
    assert first.extra == ("y_{0}·w_{1}",)
    assert "x[0, 0]" in str(proof)


def test_coefficient_mistake_is_reported():
    def doubled(g, y, w):
        out = scatter(g, y, w)
        out[0, 0] = 2 * out[0, 0]
        return out

    proof = prove_sympy(Geometry(2, 2), implementations={"transpose": doubled})
    assert proof.first_mismatch.extra == ("y_{0}·w_{0}",)
    assert proof.first_mismatch.difference == "w_{0}*y_{0}"


def test_guard_refuses_large_geometries_quickly():
    with pytest.raises(TooLargeError, match="fast"):
        prove(Geometry((64, 64), 3, stride=2, padding=1), engine="sympy")


def test_unknown_engine_and_method():
    with pytest.raises(symtconv.ParameterError, match="engine"):
        prove(Geometry(2, 2), engine="magic")
    with pytest.raises(symtconv.ParameterError, match="methods"):
        prove(Geometry(2, 2), engine="sympy", methods=["nope"])


def test_selected_methods_only():
    proof = prove(Geometry(3, 2, stride=2), engine="sympy", methods=["flip_and_pad"])
    assert proof.methods == ("scatter", "flip_and_pad") and proof


def test_proof_repr_latex_is_latex():
    proof = prove(Geometry(2, 2), engine="sympy")
    latex = proof._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$")
    assert r"C^{\top}" in latex and r"\text{proved}" in latex
    failed = prove_sympy(Geometry(2, 2), implementations={"flip_and_pad": _no_flip})
    assert r"\neq" in failed._repr_latex_()


def test_terms_counted_like_the_expanded_polynomials():
    g = Geometry((3, 2), 2, stride=2, padding=1, in_channels=2, out_channels=2)
    y, w = symtconv.tensors.input_symbols(g), symtconv.tensors.weight_symbols(g)
    counted = sum(len(np.atleast_1d(e.expand().args)) if e != 0 else 0
                  for e in scatter(g, y, w).flat)
    assert prove(g, engine="sympy").terms == counted


def test_two_extra_trailing_zeros_of_padding_are_caught(monkeypatch):
    # flip-and-pad takes its output size from its own padded array: two more zeros at the
    # end of every axis make a longer output, which the shape comparison reports
    import symtconv.methods as methods

    pad = methods._pad

    def padded_too_much(geometry, a):
        out = pad(geometry, a)
        wider = np.full((out.shape[0], *(n + 2 for n in out.shape[1:])), 0, dtype=object)
        wider[tuple(slice(0, n) for n in out.shape)] = out
        return wider

    g = Geometry((3, 2), 3, stride=2, padding=1)
    monkeypatch.setattr(methods, "_pad", padded_too_much)
    proof = prove(g, engine="sympy")
    assert not proof
    failed = {c.method: c for c in proof.comparisons if not c.holds}
    assert set(failed) == {"flip_and_pad"}
    detail = failed["flip_and_pad"].detail
    assert "sizes differ" in detail and "(1, 7, 5)" in detail and "(1, 5, 3)" in detail
    assert "sizes differ" in str(proof)


def test_a_wrong_zero_extension_is_not_called_proved(monkeypatch):
    # stride <= output_padding < dilation: the note about Cᵀ of the zero-extended y must
    # follow its own comparison, so a wrong extension is reported as NOT equal
    import symtconv.methods as methods

    transpose = methods.transpose

    def wrong_extension(geometry, y, w, *, extend=False):
        out = transpose(geometry, y, w, extend=extend)
        if extend:
            out[(0,) * out.ndim] += y[(0,) * y.ndim] * w[(0,) * w.ndim]
        return out

    g = Geometry(3, 3, stride=1, dilation=2, output_padding=1)
    assert any("are equal (proved)" in note for note in prove(g, engine="sympy").notes)
    monkeypatch.setattr(methods, "transpose", wrong_extension)
    notes = prove(g, engine="sympy").notes
    assert any("NOT equal" in note for note in notes)
    assert not any("proved" in note for note in notes)
