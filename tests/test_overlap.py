"""The overlap analysis, checked against C, against enumeration, and the derivation."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symtconv import Geometry, conv_matrix
from symtconv import strategies as sts
from symtconv.cli import main
from symtconv.errors import ParameterTypeError
from symtconv.matrix import matrix_entries
from symtconv.overlap import (
    CONDITION,
    derive_overlap,
    interior_counts,
    is_uniform,
    least_period,
    overlap,
    taps_reaching,
)
from symtconv.overlap.derivation import _exhaustive

SEED = Geometry((3, 3), 3, stride=2, padding=1)
SHAPE_EXAMPLE = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)


# --------------------------------------------------------------------------- #
# independent counts
# --------------------------------------------------------------------------- #


def column_counts(geometry: Geometry) -> np.ndarray:
    """Nonzeros per column of C, read off matrix_entries, shape (C_out, *o)."""
    counts: Counter[tuple[int, ...]] = Counter(col for _, col, _ in matrix_entries(geometry))
    out = np.zeros(tuple(int(v) for v in geometry.output_shape), dtype=np.int64)
    for col, n in counts.items():
        out[col] = n
    return out


def scatter_counts(geometry: Geometry) -> list[list[int]]:
    """Per axis, the (n, m) pairs landing on each output index: the definition."""
    result = []
    for ax, o in zip(geometry.axes, geometry.output_size, strict=True):
        counts = [0] * o
        for n in range(ax.i):
            for m in range(ax.k):
                j = ax.s * n + ax.d * m - ax.p_begin
                if 0 <= j < o:
                    counts[j] += 1
        result.append(counts)
    return result


def brute_interior(t: int, k: int, s: int, d: int) -> int:
    return sum(1 for m in range(k) if (d * m - t) % s == 0)


# --------------------------------------------------------------------------- #
# the seed and C
# --------------------------------------------------------------------------- #


def test_seed_counts_are_the_nonzeros_of_each_column_of_C():
    C = conv_matrix(SEED)
    per_column = [sum(1 for v in C.col(c) if v != 0) for c in range(C.cols)]
    ov = overlap(SEED)
    assert ov.terms().reshape(-1).tolist() == per_column
    assert sorted(set(per_column)) == [1, 2, 4]
    assert not ov.uniform and ov.period == (2, 2)


def test_channels_and_groups_multiply_the_counts():
    g = Geometry(
        (3, 4), (2, 3), stride=(2, 3), padding=(0, 1), in_channels=4, out_channels=2, groups=2
    )
    C = conv_matrix(g)
    per_column = np.array([sum(1 for v in C.col(c) if v != 0) for c in range(C.cols)])
    terms = overlap(g).terms()
    assert overlap(g).channel_factor == 2
    assert per_column.reshape(g.output_shape).tolist() == [terms.tolist()] * 2


@given(
    sts.geometries(
        adjoint=True,
        max_ndim=2,
        max_input=5,
        max_kernel=4,
        max_stride=4,
        max_dilation=3,
        asymmetric=True,
    )
)
def test_counts_agree_with_the_columns_of_C(geometry):
    expected = column_counts(geometry)
    terms = overlap(geometry).terms()
    assert all((expected[c] == terms).all() for c in range(geometry.out_channels))


@given(
    sts.geometries(
        adjoint=False,
        max_ndim=1,
        max_input=6,
        max_kernel=4,
        max_stride=4,
        max_dilation=4,
        asymmetric=True,
    )
)
def test_counts_agree_with_the_scatter_definition(geometry):
    # also for output_padding >= stride, where C has extra rows but y has none
    ov = overlap(geometry)
    assert [list(ax.counts) for ax in ov.axes] == scatter_counts(geometry)


def test_the_shape_example():
    ov = overlap(SHAPE_EXAMPLE)
    assert ov.terms().shape == (61, 61)
    assert ov.channel_factor == 3
    assert [list(ax.counts) for ax in ov.axes] == scatter_counts(SHAPE_EXAMPLE)
    assert set(ov.terms()[2:-2, 2:-2].reshape(-1).tolist()) == {3, 6, 12}


# --------------------------------------------------------------------------- #
# interior, period and uniformity against brute force
# --------------------------------------------------------------------------- #


def brute_least_period(values: list[int]) -> int:
    n = len(values)
    return min(
        p for p in range(1, n + 1) if all(values[r] == values[(r + p) % n] for r in range(n))
    )


@given(k=st.integers(1, 13), s=st.integers(1, 9), d=st.integers(1, 9), p=st.integers(0, 6))
def test_interior_pattern_uniformity_and_period_on_a_long_input(k, s, d, p):
    # long enough that the interior spans several periods
    i = (d * (k - 1) + p) // s + 3 * s + 2
    g = Geometry(i, k, stride=s, dilation=d, padding=min(p, d * (k - 1)))
    ax = overlap(g).axes[0]
    counts = scatter_counts(g)[0]
    first, last = ax.interior_range
    interior = counts[first : last + 1]
    assert len(interior) >= 2 * s
    assert all(counts[j] == ax.interior[j % ax.period] for j in range(first, last + 1))
    assert all(counts[j] == ax.residues[j % s] for j in range(first, last + 1))
    assert ax.uniform == (len(set(interior)) == 1)
    assert ax.uniform == (math.gcd(d, s) == 1 and k % s == 0)
    window = [counts[first + r] for r in range(s)]  # one full period, aligned at `first`
    assert ax.period == brute_least_period(window)
    # positions t = j + p not divisible by gcd(d, s) receive nothing
    assert all(counts[j] == 0 for j in range(len(counts)) if (j + g.axes[0].p_begin) % ax.gcd)
    assert sum(ax.residues) == k  # each tap lands once per period


@given(k=st.integers(1, 16), s=st.integers(1, 10))
def test_without_dilation_the_condition_is_s_divides_k(k, s):
    assert is_uniform(k, s, 1) == (k % s == 0)
    counts = interior_counts(k, s, 1)
    assert sorted(set(counts)) == sorted({k // s, -(-k // s)})


@given(k=st.integers(1, 14), s=st.integers(1, 10), d=st.integers(1, 10))
def test_dilation_sharing_a_factor_with_the_stride_leaves_holes(k, s, d):
    g = math.gcd(d, s)
    counts = [brute_interior(t, k, s, d) for t in range(s)]
    assert (0 in counts) == (g > 1 or k < s)
    assert all(counts[t] == 0 for t in range(s) if t % g)
    assert is_uniform(k, s, d) == (len(set(counts)) == 1)
    assert least_period(k, s, d) == brute_least_period(counts)
    assert list(interior_counts(k, s, d)) == counts


# --------------------------------------------------------------------------- #
# the symbolic derivation
# --------------------------------------------------------------------------- #


def test_the_derivation_is_proved_step_by_step():
    od = derive_overlap()
    assert od.proved, "\n".join(str(s) for s in od.steps if not s)
    assert od.exhaustive["mismatches"] == [] and od.exhaustive["cases"] > 5000
    k, s = od.symbols["k"], od.symbols["s"]
    g = od.symbols["g"]
    assert od.condition == sp.And(sp.Eq(g, 1), sp.Eq(sp.Mod(k, s), 0))
    data = od.to_dict()
    assert data["proved"] is True
    names = {name: od.symbols[name] for name in ("k", "s", "g", "m_0")}
    in_class = sp.parse_expr(data["in_class"], local_dict=names)
    assert in_class.subs(names["g"], 1) == sp.floor((names["k"] - names["m_0"] - 1) / s) + 1
    assert sp.latex(od).startswith("N{\\left(t \\right)} =")


@given(t=st.integers(-3, 60), k=st.integers(1, 15), s=st.integers(1, 12), d=st.integers(1, 12))
def test_derived_interior_formula_matches_enumeration(t, k, s, d):
    od = derive_overlap()
    assert od.interior_at(t=t, k=k, s=s, d=d) == brute_interior(t, k, s, d)


@given(
    i=st.integers(1, 8),
    k=st.integers(1, 7),
    s=st.integers(1, 6),
    d=st.integers(1, 6),
    data=st.data(),
)
def test_derived_border_formula_matches_enumeration(i, k, s, d, data):
    t = data.draw(st.integers(-2, s * (i - 1) + d * (k - 1) + 2))
    brute = sum(1 for n in range(i) for m in range(k) if s * n + d * m == t)
    assert derive_overlap().count_at(t=t, i=i, k=k, s=s, d=d) == brute
    assert taps_reaching(t, k, s, d, i) == brute


def test_the_derived_split_gives_q_or_q_plus_one():
    od = derive_overlap()
    q, rho, m0 = od.symbols["q"], od.symbols["rho"], od.symbols["m_0"]
    for k in range(1, 12):
        for s1 in range(1, 6):
            values = sorted(int(od.split.subs({q: k // s1, rho: k % s1, m0: c})) for c in range(s1))
            assert sum(values) == k and max(values) - min(values) <= 1


def test_the_exhaustive_check_catches_a_wrong_formula():
    def wrong(t, k, s, d, g, e):  # the d = 1 folklore, ceil((k - t mod s)/s), for every d
        return -(-(k - t % s) // s)

    def count(t, i, k, s, d, g, e):
        return 0

    limits = {"s": 4, "d": 4, "k": 5, "border_s": 1, "border_d": 1, "border_k": 1, "i": 1}
    report = _exhaustive(wrong, count, limits)
    assert report["mismatches"]
    assert any("d=2" in m for m in report["mismatches"])


# --------------------------------------------------------------------------- #
# results and command line
# --------------------------------------------------------------------------- #


def test_to_dict_has_the_documented_shape():
    data = overlap(SEED).to_dict()
    json.dumps(data)
    assert data["condition"] == CONDITION
    axis = data["axes"][0]
    assert axis["counts"] == [1, 2, 1, 2, 1]
    assert axis["period"] == 2 and axis["uniform"] is False
    assert axis["interior"] == [1, 2] and axis["interior_range"] == [1, 3]


def test_symbolic_geometry_is_refused_with_a_pointer():
    k = sp.Symbol("k", integer=True, positive=True)
    with pytest.raises(ParameterTypeError, match="derive_overlap"):
        overlap(Geometry(3, k))


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_overlap(capsys):
    status, out, _ = run(
        capsys,
        "overlap",
        "--input",
        "3",
        "3",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "1",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert [ax["counts"] for ax in data["axes"]] == [[1, 2, 1, 2, 1]] * 2
    assert data["uniform"] is False and "gcd(d, s) = 1 and s | k" in data["condition"]
    status, out, _ = run(capsys, "overlap", "--input", "5", "--kernel", "4", "--stride", "2")
    assert status == 0 and "  uniform: " in out


def test_cli_overlap_symbolic(capsys):
    status, out, _ = run(capsys, "overlap", "--symbolic", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["proved"] is True and data["condition"] == "Eq(g, 1) & Eq(Mod(k, s), 0)"
    status, _, err = run(capsys, "overlap", "--symbolic", "--input", "3")
    assert status == 2 and err.count("\n") == 1


def test_cli_overlap_bad_input_is_one_line(capsys):
    status, _, err = run(capsys, "overlap", "--input", "3", "--kernel", "3", "--stride", "0")
    assert status == 2 and err.startswith("symtconv: error: stride") and err.count("\n") == 1


# --------------------------------------------------------------------------- #
# labels: nothing bounded or unchecked is called proved
# --------------------------------------------------------------------------- #


def _step(od, prefix):
    (step,) = [s for s in od.steps if s.name.startswith(prefix)]
    return step


def test_brute_force_is_labelled_checked_with_its_bounds(capsys):
    od = derive_overlap()
    brute = _step(od, "brute force agrees")
    assert brute.status == "checked" and not brute  # a Step is truthy only when proved
    # the bounds in the name, as EXHAUSTIVE_LIMITS has them
    limits = od.exhaustive["limits"]
    for key in ("s", "d", "k"):
        assert f"{key} <= {limits[key]}" in brute.name
    assert f"i <= {limits['i']}" in brute.name and "with borders" in brute.name
    assert od.proved  # the proof rests on the SymPy steps, which are all proved
    assert [s.name for s in od.steps if s.status != "proved"] == [brute.name]
    status, out, _ = run(capsys, "overlap", "--symbolic", "--json")
    data = json.loads(out)
    (entry,) = [s for s in data["steps"] if s["name"].startswith("brute force agrees")]
    assert entry["status"] == "checked" and "s <= 8" in entry["name"]
    assert data["exhaustive"]["limits"] == limits
    status, text, _ = run(capsys, "overlap", "--symbolic")
    assert status == 0 and "[checked] brute force agrees (checked for s ≤ 8" in text
    assert "[proved] brute force" not in text


def test_interior_count_and_borders_rest_on_checks_that_ran():
    od = derive_overlap()
    interior = _step(od, "interior count")
    assert interior.status == "proved" and "> -1" in interior.detail
    borders = _step(od, "taps at the borders")
    assert borders.status == "proved" and "the integer taps are" in borders.detail


def test_a_brute_force_mismatch_fails_the_derivation(monkeypatch):
    from symtconv.overlap import derivation as overlap_module

    def off_by_one(t, k, s, d, i=None):  # a wrong enumeration: one tap too many
        return sum(1 for m in range(k + 1) if (t - d * m) % s == 0) if i is None else 0

    derive_overlap.cache_clear()
    monkeypatch.setattr(overlap_module, "_brute", off_by_one)
    try:
        od = derive_overlap()
        brute = _step(od, "brute force agrees")
        assert brute.status == "failed" and not od.proved and not od
        assert od.to_dict()["proved"] is False
    finally:
        derive_overlap.cache_clear()
