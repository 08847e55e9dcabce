"""Tests of the general (symbolic-size) tier: symtconv.general.

The general results are specialised at concrete parameters and compared with
quantities computed independently here: a direct numpy scatter, a brute-force count of
the forward convolution's outputs, and :class:`symtconv.Geometry`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from itertools import product
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symtconv import Geometry, ParameterError
from symtconv.general import (
    GeneralProof,
    Step,
    check_identity,
    check_relationship,
    output_size_derivation,
    prove_general,
    relationships,
)
from symtconv.general.proof import _prove
from symtconv.geometry import Axis

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- #
# independent references (no symtconv code)
# --------------------------------------------------------------------------- #


def direct_scatter(g: Geometry, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x[g·Q_out + c_l, s·n + d·m - p] += y[c_in, n]·w[c_in, c_l, m], written out."""
    x = np.zeros(g.output_shape, dtype=np.int64)
    q_in = g.in_channels // g.groups
    q_out = g.out_channels // g.groups
    axes = g.axes
    for c_in, c_l in product(range(g.in_channels), range(q_out)):
        c_out = (c_in // q_in) * q_out + c_l
        for n in np.ndindex(*g.input_size):
            for m in np.ndindex(*g.kernel_size):
                pos = [
                    ax.s * nn + ax.d * mm - ax.p_begin
                    for ax, nn, mm in zip(axes, n, m, strict=True)
                ]
                if all(0 <= t < o for t, o in zip(pos, g.output_size, strict=True)):
                    x[(c_out, *pos)] += y[(c_in, *n)] * w[(c_in, c_l, *m)]
    return x


def brute_forward_length(o: int, k: int, s: int, p_total: int, d: int) -> int:
    """How many windows of a forward conv fit in a padded input of length o + p_total."""
    return sum(1 for n in range(o + p_total + 1) if s * n + d * (k - 1) <= o + p_total - 1)


_NUMERIC = {
    "indicator": lambda c: np.asarray(c).astype(np.int64),
    "ifloor": lambda v: np.floor(v).astype(np.int64),
    "imod": np.mod,
    "kd": lambda u, v: (np.asarray(u) == np.asarray(v)).astype(np.int64),
}


def evaluate_form(form: Any, values: dict, y: np.ndarray, w: np.ndarray, shape: tuple) -> Any:
    """Evaluate a derived entry form at every output index, vectorised with numpy.

    The form's summation ranges are used as they are (so a form that sums over the
    wrong range gives wrong numbers).
    """
    expression = form.at(values)
    indicator = sp.Function("indicator")

    def iverson(condition: Any) -> Any:  # [a and b] = [a]·[b], so numpy can broadcast
        if isinstance(condition, sp.And):
            return sp.Mul(*(iverson(c) for c in condition.args))
        return sp.S.One if condition is sp.true else indicator(condition)

    summand = (
        expression.function.replace(
            lambda e: isinstance(e, sp.Piecewise),
            lambda e: sp.Add(*(piece.expr * iverson(piece.cond) for piece in e.args)),
        )
        .replace(sp.floor, sp.Function("ifloor"))
        .replace(sp.Mod, sp.Function("imod"))
        .replace(sp.KroneckerDelta, sp.Function("kd"))
    )
    limits = [(v, int(lo), int(hi)) for v, lo, hi in expression.limits]
    variables = [*form.output_indices, *(v for v, _, _ in limits)]
    function = sp.lambdify(
        [*variables, sp.IndexedBase("y"), sp.IndexedBase("w")],
        summand,
        modules=[_NUMERIC, "numpy"],
    )
    ranges = [np.arange(n) for n in shape] + [np.arange(lo, hi + 1) for _, lo, hi in limits]
    grids = np.meshgrid(*ranges, indexing="ij", sparse=True)
    full = tuple(len(r) for r in ranges)
    terms = np.broadcast_to(function(*grids, y, w), full)
    return terms.sum(axis=tuple(range(len(shape), len(full))))


# --------------------------------------------------------------------------- #
# strategies
# --------------------------------------------------------------------------- #


@st.composite
def geometries(draw: st.DrawFn, ndim: int = 1, channels: bool = False) -> Geometry:
    """A valid concrete geometry, including crops (p > d(k-1)) and s <= a < d."""
    per_axis = []
    for _ in range(ndim):
        k, s, d = (draw(st.integers(1, 3)) for _ in range(3))
        i = draw(st.integers(1, 4))
        p = draw(st.integers(0, d * (k - 1) + 2))
        a = draw(st.integers(0, max(s, d) - 1))
        per_axis.append((i, k, s, p, a, d))
    i, k, s, p, a, d = (tuple(v) for v in zip(*per_axis, strict=True))
    groups, q_in, q_out = (1, 1, 1)
    if channels:
        groups, q_in, q_out = (draw(st.integers(1, 2)) for _ in range(3))
    try:
        return Geometry(i, k, s, p, a, d, groups * q_in, groups * q_out, groups)
    except ParameterError:
        assume(False)
        raise


@st.composite
def sizes_1d(draw: st.DrawFn) -> tuple[int, ...]:
    k, s, d = (draw(st.integers(1, 4)) for _ in range(3))
    i = draw(st.integers(1, 6))
    p = draw(st.integers(0, d * (k - 1) + 3))
    a = draw(st.integers(0, s - 1))
    assume((i - 1) * s - 2 * p + d * (k - 1) + a + 1 >= 1)
    return i, k, s, p, d, a


# --------------------------------------------------------------------------- #
# the general proof
# --------------------------------------------------------------------------- #


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    _prove.cache_clear()
    yield
    _prove.cache_clear()


@pytest.mark.parametrize(
    ("ndim", "groups", "asymmetric"),
    [(1, False, False), (1, True, False), (2, False, False), (2, True, True), (3, False, False)],
)
def test_general_proof_is_proved(ndim: int, groups: bool, asymmetric: bool) -> None:
    proof = prove_general(ndim, groups, asymmetric=asymmetric)
    assert proof and proof.proved
    assert all(step.status == "proved" for step in proof.steps)
    assert not proof.undecided
    data = proof.to_dict()
    assert data["proved"] is True and data["undecided"] == []
    assert {"statement", "steps", "conditions", "entry", "forms"} <= set(data)
    json.dumps(data)
    assert str(proof).startswith("PROVED:")
    names = [s.name for s in proof.steps]
    for method in ("flip_and_pad", "transpose", "vjp"):
        assert any(name.startswith(f"{method} equals scatter") for name in names)
    if ndim > 1:
        details = [s.detail for s in proof.steps]
        assert any("the N-d condition is the product of the per-axis ones" in d for d in details)
    if groups:
        assert any(name.startswith("channels:") for name in names)


def test_derived_conditions_are_each_methods_own() -> None:
    forms = prove_general().forms
    flip = forms["flip_and_pad"].conditions[0]
    # flip-and-pad's bracket is in its own terms: stretched index s·n = padded read
    assert flip.has(sp.Symbol("k", integer=True, positive=True))
    assert forms["scatter"].conditions[0] != flip
    assert forms["transpose"].input_lengths[0] != forms["scatter"].input_lengths[0]
    assert str(forms["transpose"].input_lengths[0]) == "i + floor(a/s)"


def test_s_le_a_is_stated_not_hidden() -> None:
    proof = prove_general()
    text = proof.statement
    assert "0 <= a < s" in text and "floor(a/s)" in text
    names = {s.name: s for s in proof.steps}
    assert names["C has exactly i rows iff a < s"]
    assert names["with s <= a: the floor(a/s) extra rows of C add 0 to Cᵀ of y extended by zeros"]
    assert any("a < s" in str(c) for c, _ in proof.conditions)


def test_latex_of_the_proof() -> None:
    latex = prove_general()._repr_latex_()
    assert latex.startswith("$\\displaystyle {x}_{j} = \\sum")
    assert "\\delta_{j, d m + n s - p}" in latex


@FAST
@given(geometries(ndim=1, channels=True), st.integers(0, 2**32 - 1))
def test_forms_specialise_to_the_direct_scatter_1d(g: Geometry, seed: int) -> None:
    _compare_forms(prove_general(1, True), g, seed)


@FAST
@given(geometries(ndim=2), st.integers(0, 2**32 - 1))
def test_forms_specialise_to_the_direct_scatter_2d(g: Geometry, seed: int) -> None:
    _compare_forms(prove_general(2, False), g, seed)


def _compare_forms(proof: GeneralProof, g: Geometry, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(-5, 6, size=g.input_shape)
    w = rng.integers(-5, 6, size=g.weight_shape)
    reference = direct_scatter(g, y, w)
    values = proof.substitutions(g)
    shape = g.output_shape if proof.groups else g.output_size
    expected = reference if proof.groups else reference[0]
    if not proof.groups:
        y, w = y[0], w[0, 0]
    for name, form in proof.forms.items():
        rows = [int(sp.sympify(v).xreplace(values)) for v in form.input_lengths]
        extra = [ax.a // ax.s for ax in g.axes]
        if name in ("transpose", "vjp"):
            # C has i + floor(a/s) rows; y extended by zeros gives the transposed conv
            assert rows == [ax.i + e for ax, e in zip(g.axes, extra, strict=True)]
            padding = [(0, 0)] * (y.ndim - g.ndim) + [(0, e) for e in extra]
            y_used = np.pad(y, padding)
        else:
            assert rows == list(g.input_size)
            y_used = y
        got = evaluate_form(form, values, y_used, w, shape)
        np.testing.assert_array_equal(got, expected, err_msg=f"{name} at {g.describe()}")


def test_forms_agree_with_the_methods_module_when_present() -> None:
    methods = pytest.importorskip("symtconv.methods")
    g = Geometry((3, 2), (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    rng = np.random.default_rng(0)
    y = rng.integers(-5, 6, size=g.input_shape)
    w = rng.integers(-5, 6, size=g.weight_shape)
    proof = prove_general(2)
    got = evaluate_form(
        proof.forms["scatter"], proof.substitutions(g), y[0], w[0, 0], g.output_size
    )
    np.testing.assert_array_equal(np.asarray(methods.scatter(g, y, w), dtype=np.int64)[0], got)


def test_seed_example_from_the_general_entry() -> None:
    g = Geometry((3, 3), 3, stride=2, padding=1)
    y = np.array([[9, 1, 3], [7, 8, 7], [8, 2, 2]])
    w = np.array([[4, 2, 3], [1, 4, 3], [1, 1, 1]])
    proof = prove_general(2)
    got = evaluate_form(proof.forms["flip_and_pad"], proof.substitutions(g), y, w, (5, 5))
    assert got.tolist() == [
        [36, 28, 4, 6, 12],
        [23, 63, 17, 56, 17],
        [28, 29, 32, 31, 28],
        [23, 47, 12, 29, 11],
        [32, 26, 8, 8, 8],
    ]


def test_substitutions_reject_a_geometry_that_does_not_fit() -> None:
    with pytest.raises(ParameterError, match="ndim=1"):
        prove_general().substitutions(Geometry((2, 2), 2))
    with pytest.raises(ParameterError, match="groups=True"):
        prove_general().substitutions(Geometry(2, 2, in_channels=2))
    with pytest.raises(ParameterError, match="asymmetric=True"):
        prove_general().substitutions(Geometry(4, 3, padding=((0, 1),)))


# --------------------------------------------------------------------------- #
# honesty: undecided is not proved, and a wrong method makes the proof fail
# --------------------------------------------------------------------------- #


def test_check_identity_reports_undecided_and_failed() -> None:
    x = sp.Symbol("x", integer=True)
    undecided = check_identity("halves", sp.floor(x / 2) + sp.floor((x + 1) / 2), x)
    assert undecided.status == "undecided" and not undecided
    failed = check_identity("wrong", sp.floor(x / 2), x)
    assert failed.status == "failed" and "differ at" in failed.detail


def test_an_undecided_step_makes_the_proof_not_proved() -> None:
    proof = prove_general()
    x = sp.Symbol("x", integer=True)
    step = check_identity("halves", sp.floor(x / 2) + sp.floor((x + 1) / 2), x)
    weaker = dataclasses.replace(proof, steps=(*proof.steps, step))
    assert not weaker
    data = weaker.to_dict()
    assert data["proved"] is False and data["undecided"] == ["halves"]
    assert data["steps"][-1]["status"] == "undecided"
    assert "[undecided] halves" in str(weaker)


def test_a_wrong_flip_and_pad_padding_fails_the_proof(
    monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    monkeypatch.setattr(Axis, "pad_before", property(lambda ax: ax.d * (ax.k - 1) - ax.p_begin + 1))
    proof = prove_general()
    assert not proof
    failed = [s.name for s in proof.steps if s.status == "failed"]
    assert "flip_and_pad: index condition is the scatter's" in failed
    assert "flip_and_pad equals scatter for every size" in failed
    assert not any(name.startswith("vjp") for name in failed)


def test_step_to_dict() -> None:
    step = Step("n", "proved", "d", sp.Eq(sp.Symbol("a"), 1))
    assert step.to_dict() == {
        "name": "n",
        "status": "proved",
        "detail": "d",
        "expression": "Eq(a, 1)",
    }


# --------------------------------------------------------------------------- #
# the output size
# --------------------------------------------------------------------------- #


def test_size_derivation_is_proved_and_round_trips() -> None:
    sd = output_size_derivation()
    assert sd and sd.proved
    data = sd.to_dict()
    json.dumps(data)
    names = {n: sp.Symbol(n, integer=True) for n in "ikspda"}
    parsed = sp.parse_expr(data["formula"], local_dict=names)
    assert parsed.free_symbols == set(names.values())
    assert str(sd.round_trip) == "i + floor(a/s)"
    assert sd.output_padding == (0, sd.symbols["s"] - 1)
    assert sp.latex(sd) == "o = a + d k - d + i s - 2 p - s + 1"
    route_a = sp.parse_expr(data["routes"]["flip_and_pad"]["sum"])
    assert sp.expand(route_a - sp.parse_expr(data["formula"])) == 0


@settings(max_examples=60, deadline=None)
@given(sizes_1d())
def test_size_formula_against_geometry_and_brute_force(values: tuple[int, ...]) -> None:
    i, k, s, p, d, a = values
    sd = output_size_derivation()
    subs = {sd.symbols[name]: v for name, v in zip("ikspda", values, strict=True)}
    o = int(sd.formula.xreplace(subs))
    assert (o,) == Geometry(i, k, s, p, a, d).output_size
    # every o whose forward conv has exactly i outputs, found by brute force
    mapping_back = [
        size for size in range(1, o + 2 * s + 2) if brute_forward_length(size, k, s, 2 * p, d) == i
    ]
    low, high = int(sd.o_min.xreplace(subs)), int(sd.o_max.xreplace(subs))
    assert mapping_back == [v for v in range(low, high + 1) if v >= 1]
    assert list(sd.sizes.xreplace(subs)) == list(range(low, high + 1))
    for size in mapping_back:
        forward = sd.forward.xreplace({**subs, sd.symbols["o"]: size})
        assert int(forward) == brute_forward_length(size, k, s, 2 * p, d)


# --------------------------------------------------------------------------- #
# Dumoulin & Visin's relationships
# --------------------------------------------------------------------------- #


def test_all_relationships_verified() -> None:
    rels = relationships()
    assert [r.number for r in rels] == list(range(1, 17))
    assert all(r.verified for r in rels), [str(r) for r in rels if not r.verified]
    assert [r.in_paper for r in rels] == [True] * 15 + [False]
    for rel in rels:
        data = rel.to_dict()
        json.dumps(data)
        assert data["verified"] is True and data["number"] == rel.number


@pytest.mark.parametrize("number", range(1, 17))
def test_each_relationship_fails_on_a_wrong_formula(number: int) -> None:
    rel = next(r for r in relationships() if r.number == number)
    key = "o'" if "o'" in rel.claims else "o"
    wrong = check_relationship(number, rel.claims[key] + 1)
    assert not wrong.verified
    assert any(c.status == "failed" for c in wrong.checks)


def test_a_wrong_padding_or_output_padding_claim_fails() -> None:
    assert not check_relationship(9, claims={"p'": "k - p"}).verified
    assert not check_relationship(14, claims={"a": "Mod(i - k, s)"}).verified
    assert check_relationship(14, claims={"a": "Mod(i + 2*p - k, s)"}).verified
    with pytest.raises(ParameterError):
        check_relationship(17)
    with pytest.raises(ParameterError):
        check_relationship(1, claims={"p'": "0"})


@settings(max_examples=40, deadline=None)
@given(sizes_1d())
def test_relationships_15_and_16_against_brute_force(values: tuple[int, ...]) -> None:
    _, k, s, p, d, _ = values
    forward_input = values[0] + d * (k - 1)  # a forward input with at least one window
    rels = {r.number: r for r in relationships()}
    names = {
        str(sym): sym
        for sym in rels[16].claims["o'"].free_symbols | rels[15].claims["o"].free_symbols
    }
    subs = {
        names[n]: v
        for n, v in (("i", forward_input), ("k", k), ("s", s), ("p", p), ("d", d))
        if n in names
    }
    i_t = brute_forward_length(forward_input, k, s, 2 * p, d)
    assume(i_t >= 1)
    assert int(rels[15].claims["o"].xreplace(subs)) == i_t
    a = int(rels[16].claims["a"].xreplace(subs))
    # the transposed conv with that output padding restores the forward input size
    assert Geometry(i_t, k, s, p, a, d).output_size == (forward_input,)
    assert (
        int(rels[16].claims["o'"].xreplace({**subs, names["i'"]: i_t, names["a"]: a}))
        == forward_input
    )


@pytest.mark.parametrize(
    "g",
    [
        Geometry(4, 2, stride=2, padding=2),  # d(k-1) - p = -1: flip-and-pad crops
        Geometry(3, 3, stride=2, padding=((3, 0),), output_padding=1),  # asymmetric crop
        Geometry((3, 2), (2, 3), stride=(1, 2), padding=((2, 1), (0, 3)), dilation=(1, 2)),
    ],
)
def test_forms_with_crops_and_asymmetric_padding(g: Geometry) -> None:
    assert any(ax.pad_before < 0 for ax in g.axes)
    _compare_forms(prove_general(g.ndim, asymmetric=True), g, 7)


def test_relationship_latex_and_assumptions_are_reported() -> None:
    assert sp.latex(check_relationship(1)) == "o = i - k + 1"
    assert sp.latex(check_relationship(12)).startswith("\\tilde{i}' = ")
    assert len(prove_general().to_dict()["assumed"]) >= 2
