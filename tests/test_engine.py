"""Tests of the fast exact engine (symtconv.engine) and the progress bar.

The expected polynomials are computed here, with plain SymPy, straight from the scatter
definition; the engine's four methods must agree with them on random small geometries,
and planted mistakes must be caught and named.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symtconv import Geometry
from symtconv import engine as E
from symtconv.engine import comparison as engine_comparison
from symtconv.errors import (
    ParameterError,
    ParameterTypeError,
    ShapeError,
    TooLargeError,
)
from symtconv.progress import NoProgress, ProgressBar
from symtconv.tensors import input_symbols, weight_symbols

# --------------------------------------------------------------------------- #
# An independent reference: the scatter definition, with SymPy symbols
# --------------------------------------------------------------------------- #


def sympy_scatter(g: Geometry) -> np.ndarray:
    """x[s·n + d·m - p_begin] += y[n]·w[m], channel by channel, written out plainly."""
    y, w = input_symbols(g), weight_symbols(g)
    x = np.empty(g.output_shape, dtype=object)
    x.fill(sp.S.Zero)
    per_group_in = g.in_channels // g.groups
    per_group_out = g.out_channels // g.groups
    for c in range(g.in_channels):
        group = c // per_group_in
        for j in range(per_group_out):
            out_channel = group * per_group_out + j
            for n in itertools.product(*(range(v) for v in g.input_size)):
                for m in itertools.product(*(range(v) for v in g.kernel_size)):
                    position = []
                    for ax, nn, mm in zip(g.axes, n, m, strict=True):
                        position.append(ax.s * nn + ax.d * mm - ax.p_begin)
                    if all(0 <= q < o for q, o in zip(position, g.output_size, strict=True)):
                        x[(out_channel, *position)] += y[(c, *n)] * w[(c, j, *m)]
    return x


def term_texts(expression: sp.Expr) -> dict[str, int]:
    """{'y_{..}·w_{..}': coefficient} of an expanded bilinear polynomial."""
    out = {}
    for monomial, coefficient in sp.expand(expression).as_coefficients_dict().items():
        if coefficient == 0:
            continue
        ys = [f for f in monomial.args if str(f).startswith("y")]
        ws = [f for f in monomial.args if str(f).startswith("w")]
        out[f"{ys[0]}·{ws[0]}"] = int(coefficient)
    return out


# --------------------------------------------------------------------------- #
# Valid geometries, drawn directly
# --------------------------------------------------------------------------- #


@st.composite
def geometries(draw: st.DrawFn) -> Geometry:
    ndim = draw(st.integers(1, 3))
    small = ndim == 3
    axes = []
    for _ in range(ndim):
        i = draw(st.integers(1, 2 if small else 4))
        k = draw(st.integers(1, 2 if small else 3))
        s = draw(st.integers(1, 3))
        d = draw(st.integers(1, 3))
        a = draw(st.integers(0, max(s, d) - 1))
        room = (i - 1) * s + d * (k - 1) + a  # p_begin + p_end <= room keeps o >= 1
        p_begin = draw(st.integers(0, min(room, d * (k - 1) + 2)))
        p_end = draw(st.integers(0, min(room - p_begin, d * (k - 1) + 2)))
        axes.append((i, k, s, d, a, (p_begin, p_end)))
    groups = draw(st.integers(1, 2))
    in_channels = groups * draw(st.integers(1, 1 if small else 2))
    out_channels = groups * draw(st.integers(1, 2))
    return Geometry(
        input_size=tuple(ax[0] for ax in axes),
        kernel_size=tuple(ax[1] for ax in axes),
        stride=tuple(ax[2] for ax in axes),
        dilation=tuple(ax[3] for ax in axes),
        output_padding=tuple(ax[4] for ax in axes),
        padding=tuple(ax[5] for ax in axes),
        in_channels=in_channels,
        out_channels=out_channels,
        groups=groups,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(geometries())
def test_every_method_agrees_with_sympy_scatter(g: Geometry) -> None:
    expected = sympy_scatter(g)
    for method in E.METHOD_TERMS:
        if method in ("transpose", "vjp") and not g.is_adjoint:
            with pytest.raises(ShapeError, match="not defined"):
                E.terms(g, method)
            continue
        ts = E.terms(g, method)
        assert ts.space.output_shape == expected.shape
        for index in np.ndindex(*expected.shape):
            assert sp.expand(ts.expression(index) - expected[index]) == 0, (method, index)
        assert E.TermSet.from_sympy(g, expected) == ts
    proof = E.prove_fast(g, progress=False)
    assert proof.terms == g.count_terms()
    assert proof.proved is bool(g.is_adjoint)


# --------------------------------------------------------------------------- #
# Planted mistakes are caught, and named
# --------------------------------------------------------------------------- #

# 2-D, strides (2, 3), asymmetric padding, dilation on one axis, output_padding (1, 2)
PLANTED = Geometry(
    (3, 4), (3, 2), stride=(2, 3), padding=((1, 0), 2), dilation=(1, 2), output_padding=(1, 2)
)


def steps(g: Geometry) -> tuple[np.ndarray, list[int], list[int], np.ndarray]:
    """The honest flip-and-pad ingredients, for planting one mistake at a time."""
    before = [ax.d * (ax.k - 1) - ax.p_begin for ax in g.axes]
    after = [ax.d * (ax.k - 1) - ax.p_end + ax.a for ax in g.axes]
    return E.zero_insertion(g), before, after, E.flip_kernel(g)


def no_flip(g: Geometry) -> E.TermSet:
    stretched, before, after, flipped = steps(g)
    unflipped = np.arange(flipped.size).reshape(flipped.shape)
    return E.correlate(g, E.pad_or_crop(stretched, before, after), unflipped)


def padding_off_by_one(g: Geometry) -> E.TermSet:
    stretched, before, after, flipped = steps(g)
    before = [b - 1 for b in before]
    after = [a + 1 for a in after]  # same length, shifted by one
    return E.correlate(g, E.pad_or_crop(stretched, before, after), flipped)


def output_padding_dropped(g: Geometry) -> E.TermSet:
    stretched, before, after, flipped = steps(g)
    after = [v - ax.a for v, ax in zip(after, g.axes, strict=True)]
    return E.correlate(g, E.pad_or_crop(stretched, before, after), flipped)


def flipped_first_axis_only(g: Geometry) -> E.TermSet:
    stretched, before, after, _ = steps(g)
    taps = np.arange(int(np.prod(g.kernel_size))).reshape(g.kernel_size)
    return E.correlate(g, E.pad_or_crop(stretched, before, after), taps[::-1].copy())


def assert_mismatches_are_the_first_differing_outputs(
    g: Geometry, wrong: E.TermSet, comparison: object
) -> None:
    """Recompute, with SymPy, which outputs differ, and check the report against it."""
    expected = sympy_scatter(g)
    differing = []
    for index in np.ndindex(*expected.shape):
        inside = all(v < n for v, n in zip(index, wrong.space.output_shape, strict=True))
        got = wrong.expression(index) if inside else sp.S.Zero
        if sp.expand(got - expected[index]) != 0:
            differing.append((index, term_texts(expected[index]), term_texts(got)))
    assert comparison.holds is False
    assert comparison.differing == len(differing) > 0
    assert len(comparison.mismatches) == min(3, len(differing))
    for mismatch, (index, want, got) in zip(comparison.mismatches, differing, strict=False):
        assert mismatch.output == index
        assert set(mismatch.missing) == {t for t in want if t not in got}
        assert set(mismatch.extra) == {t for t in got if t not in want}
        assert mismatch.difference == str(sp.expand(wrong_expr(wrong, index) - expected[index]))


def wrong_expr(wrong: E.TermSet, index: tuple[int, ...]) -> sp.Expr:
    inside = all(v < n for v, n in zip(index, wrong.space.output_shape, strict=True))
    return wrong.expression(index) if inside else sp.S.Zero


@pytest.mark.parametrize(
    "mistake", [no_flip, padding_off_by_one, flipped_first_axis_only], ids=lambda f: f.__name__
)
def test_planted_flip_and_pad_mistakes_are_caught(mistake) -> None:
    proof = E.prove_fast(PLANTED, methods={"flip_and_pad": mistake}, progress=False)
    assert not proof.proved
    (comparison,) = proof.comparisons
    assert comparison.method == "flip_and_pad"
    assert_mismatches_are_the_first_differing_outputs(PLANTED, mistake(PLANTED), comparison)
    assert proof.first_mismatch is comparison.mismatches[0]
    first = comparison.mismatches[0].output
    assert f"x[{', '.join(map(str, first))}]" in str(proof)


def test_dropped_output_padding_changes_the_shape_and_is_caught() -> None:
    proof = E.prove_fast(PLANTED, methods={"flip_and_pad": output_padding_dropped}, progress=False)
    (comparison,) = proof.comparisons
    assert not proof.proved
    assert "output shape (1, 6, 8) differs from the reference's (1, 7, 10)" in comparison.detail
    wrong = output_padding_dropped(PLANTED)
    assert_mismatches_are_the_first_differing_outputs(PLANTED, wrong, comparison)
    assert all(m.extra == () for m in comparison.mismatches)  # only outputs are lost


def test_forgetting_the_transpose_is_caught() -> None:
    # s=1, p=1, k=3: C is square, so using C instead of Cᵀ has the right shape
    g = Geometry(5, 3, stride=1, padding=1)

    def c_instead_of_c_transpose(g: Geometry) -> E.TermSet:
        C = E.conv_matrix_entries(g)
        return E.TermSet.from_indices(E.TermSpace.of(g), C.rows, C.columns, C.weights)

    proof = E.prove_fast(g, methods={"transpose": c_instead_of_c_transpose}, progress=False)
    (comparison,) = proof.comparisons
    assert_mismatches_are_the_first_differing_outputs(g, c_instead_of_c_transpose(g), comparison)
    assert comparison.mismatches[0].output == (0, 0)
    # Cᵀy: x[0] = y_0·w_1 + y_1·w_0;  C·y: x[0] = y_0·w_1 + y_1·w_2
    assert comparison.mismatches[0].missing == ("y_{1}·w_{0}",)
    assert comparison.mismatches[0].extra == ("y_{1}·w_{2}",)


def test_ignoring_groups_is_caught() -> None:
    g = Geometry(3, 2, stride=2, in_channels=2, out_channels=4, groups=2)

    def every_channel_feeds_every_output(g: Geometry) -> E.TermSet:
        space = E.TermSpace.of(g)
        outs, ins, ws = [], [], []
        for c, co, n, m in itertools.product(range(2), range(4), range(3), range(2)):
            outs.append(co * 6 + 2 * n + m)
            ins.append(c * 3 + n)
            ws.append((c * 2 + co % 2) * 2 + m)
        return E.TermSet.from_indices(space, outs, ins, ws)

    proof = E.prove_fast(g, methods={"scatter_without_groups": every_channel_feeds_every_output})
    (comparison,) = proof.comparisons
    assert comparison.method == "scatter_without_groups"
    assert_mismatches_are_the_first_differing_outputs(
        g, every_channel_feeds_every_output(g), comparison
    )
    assert comparison.mismatches[0].extra == ("y_{1,0}·w_{1,0,0}",)


def test_a_wrong_coefficient_is_shown_with_its_multiple() -> None:
    g = Geometry((2, 2), 2)

    def doubled_corner(g: Geometry) -> E.TermSet:
        good = E.terms(g, "vjp")
        return good + E.TermSet.from_indices(good.space, [0, 0], [0, 0], [0, 0])

    proof = E.prove_fast(g, methods={"vjp": doubled_corner}, progress=False)
    (mismatch,) = proof.comparisons[0].mismatches
    assert mismatch.output == (0, 0, 0)
    assert mismatch.extra == ("2·y_{0,0}·w_{0,0}",)
    assert mismatch.missing == ()
    assert mismatch.difference == "2*w_{0,0}*y_{0,0}"


# --------------------------------------------------------------------------- #
# Reference cases
# --------------------------------------------------------------------------- #


def test_seed_shape_example_proves() -> None:
    g = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)
    proof = E.prove_fast(g, progress=False)
    assert proof.proved, str(proof)
    assert proof.engine == "fast"
    assert proof.methods == ("scatter", "transpose", "flip_and_pad", "vjp")
    assert proof.outputs == 6 * 61 * 61
    assert proof.terms == g.count_terms() == 152_352
    assert proof.to_dict()["proved"] is True


def test_seed_worked_example_numbers_through_every_method() -> None:
    g = Geometry((3, 3), 3, stride=2, padding=1)
    y = np.array([[[9, 1, 3], [7, 8, 7], [8, 2, 2]]])
    w = np.array([[[[4, 2, 3], [1, 4, 3], [1, 1, 1]]]])
    seed = [
        [36, 28, 4, 6, 12],
        [23, 63, 17, 56, 17],
        [28, 29, 32, 31, 28],
        [23, 47, 12, 29, 11],
        [32, 26, 8, 8, 8],
    ]
    for method in E.METHOD_TERMS:
        assert E.terms(g, method).evaluate(y, w)[0].tolist() == seed, method
    assert E.flip_kernel(g).tolist() == [[8, 7, 6], [5, 4, 3], [2, 1, 0]]
    assert (E.pad_or_crop(E.zero_insertion(g), [1, 1], [1, 1]) >= 0).sum() == 9


def test_output_padding_past_stride_is_not_cT_y() -> None:
    # stride <= output_padding < dilation: PyTorch accepts it, Cᵀy has the wrong shape
    for g in (
        Geometry(4, 3, stride=1, dilation=2, output_padding=1),
        Geometry((3, 2), 2, stride=(2, 1), dilation=(1, 3), output_padding=(1, 2), padding=1),
    ):
        proof = E.prove_fast(g, progress=False)
        verdicts = {c.method: c for c in proof.comparisons}
        assert not proof.proved
        assert verdicts["flip_and_pad"].holds is True
        for method in ("transpose", "vjp"):
            assert verdicts[method].holds is False
            assert "not defined" in verdicts[method].detail
            assert "output_padding" in verdicts[method].detail
            assert verdicts[method].mismatches == ()
        assert any("output_padding >= stride" in note for note in proof.notes)


def test_a_medium_3d_grouped_layer_proves() -> None:
    g = Geometry(
        (6, 5, 4),
        (3, 2, 3),
        stride=(2, 1, 3),
        padding=((1, 2), 0, 4),
        dilation=(1, 2, 2),
        output_padding=(1, 0, 2),
        in_channels=4,
        out_channels=6,
        groups=2,
    )
    proof = E.prove_fast(g, progress=False)
    assert proof.proved, str(proof)
    assert proof.terms == g.count_terms()


# --------------------------------------------------------------------------- #
# The canonical form and the API
# --------------------------------------------------------------------------- #


def test_canonical_form_merges_and_drops() -> None:
    space = E.TermSpace((1, 3), (1, 2), (1, 1, 2))
    ts = E.TermSet(space, [5, 1, 5, 3, 3], [1, 2, 2, -1, 1])
    assert ts.keys.tolist() == [1, 5]
    assert ts.coefficients.tolist() == [2, 3]
    assert not ts.keys.flags.writeable
    assert len(ts - ts) == 0
    assert ts + ts == E.TermSet(space, [1, 5], [4, 6])
    with pytest.raises(ShapeError, match="term keys must lie in"):
        E.TermSet(space, [12])


def test_from_indices_rejects_out_of_range_indices() -> None:
    space = E.TermSpace((1, 3), (1, 2), (1, 1, 2))
    with pytest.raises(ShapeError, match=r"inputs must be flat indices in \[0, 2\)"):
        E.TermSet.from_indices(space, [0], [2], [0])


def test_key_overflow_is_refused() -> None:
    with pytest.raises(TooLargeError, match="2\\*\\*63"):
        E.TermSpace((1, 2**21), (1, 2**21), (1, 1, 2**21 + 1))
    largest = E.TermSpace((1, 2**21), (1, 2**21), (1, 1, 2**21))  # keys up to 2**63 - 1
    assert int(largest.encode(2**21 - 1, 2**21 - 1, 2**21 - 1)) == 2**63 - 1


def test_from_sympy_rejects_non_bilinear_outputs() -> None:
    g = Geometry(2, 1)
    y0, w0 = sp.symbols("y_{0} w_{0}")
    with pytest.raises(ShapeError, match="not a bilinear polynomial"):
        E.TermSet.from_sympy(g, np.array([[y0 * y0 * w0, 0]], dtype=object))
    with pytest.raises(ShapeError, match="not a bilinear polynomial"):
        E.TermSet.from_sympy(g, np.array([[y0 * w0 / 2, 0]], dtype=object))


def test_api_errors() -> None:
    g = Geometry(3, 2)
    with pytest.raises(ParameterError, match="method must be one of"):
        E.prove_fast(g, methods=["scatter", "im2col"])
    with pytest.raises(ParameterTypeError, match=r"must return a symtconv\.engine\.TermSet"):
        E.prove_fast(g, methods={"vjp": lambda g: "x"}, progress=False)
    with pytest.raises(ParameterTypeError, match="concrete sizes"):
        E.prove_fast(Geometry(sp.Symbol("i", integer=True, positive=True), 2))
    assert E.prove_fast(g, methods=["vjp"], progress=False).methods == ("scatter", "vjp")


def test_agrees_with_the_sympy_tier_methods() -> None:
    methods = pytest.importorskip("symtconv.methods")
    g = Geometry((3, 2), 2, stride=2, padding=((0, 1), 0), in_channels=2, out_channels=2)
    y, w = input_symbols(g), weight_symbols(g)
    sympy_outputs = {
        "scatter": methods.scatter(g, y, w),
        "transpose": methods.transpose(g, y, w),
        "flip_and_pad": methods.flip_and_pad(g, y, w).result,
        "vjp": methods.vjp(g, y, w),
    }
    for name, outputs in sympy_outputs.items():
        assert E.TermSet.from_sympy(g, outputs) == E.terms(g, name), name


# --------------------------------------------------------------------------- #
# Progress
# --------------------------------------------------------------------------- #


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Recorder(NoProgress):
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, total: int, title: str) -> None:
        self.events.append(("start", total))

    def step(self, label: str) -> None:
        self.events.append(("step", label))

    def finish(self) -> None:
        self.events.append(("finish", None))


def test_engine_reports_progress_per_method() -> None:
    recorder = Recorder()
    E.prove_fast(Geometry(4, 3, stride=2), progress=recorder)
    assert recorder.events == [
        ("start", 4),
        ("step", "scatter"),
        ("step", "transpose"),
        ("step", "flip_and_pad"),
        ("step", "vjp"),
        ("finish", None),
    ]


def test_progress_bar_draws_only_on_a_terminal() -> None:
    terminal = FakeTerminal()
    with ProgressBar(terminal, delay=0.0, interval=60.0) as bar:
        bar.start(4, "proof")
        bar.step("scatter")
        bar.step("transpose")
    text = terminal.getvalue()
    assert "proof [" in text and "1/4 transpose" in text
    assert text.endswith("\r")  # the line is erased at the end
    quiet = FakeTerminal()
    with ProgressBar(quiet, delay=60.0) as bar:  # a quick job shows nothing
        bar.start(2, "proof")
        bar.step("scatter")
    assert quiet.getvalue() == ""
    pipe = io.StringIO()
    E.prove_fast(Geometry(4, 3), progress=ProgressBar(pipe, delay=0.0))
    assert pipe.getvalue() == ""


def test_term_sets_pickle_and_huge_layers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    ts = E.terms(Geometry((3, 2), 2, stride=2, in_channels=2, out_channels=2), "transpose")
    assert pickle.loads(pickle.dumps(ts)) == ts
    g = Geometry((8, 8), 3)
    assert E.count_terms(g) == g.count_terms()
    monkeypatch.setattr(engine_comparison, "MAX_TERMS", g.count_terms() - 1)
    with pytest.raises(TooLargeError, match="at most MAX_TERMS"):
        E.prove_fast(g)
