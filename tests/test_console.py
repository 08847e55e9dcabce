"""symtconv.console: fitting text to a width, matrices in column blocks, formulas, HTML."""

from __future__ import annotations

import io

import pytest

from symtconv.console import display_width, fit, formula, grid, write

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

WORD = st.text(alphabet="abxy_{}0123,←·×元", min_size=1, max_size=12)
LINE = st.builds(
    lambda indent, words, gaps: " " * indent + "".join(
        w + " " * g for w, g in zip(words, gaps, strict=False)).rstrip(" "),
    st.integers(0, 6), st.lists(WORD, max_size=15), st.lists(st.integers(1, 3), max_size=15),
)


@hypothesis.given(st.lists(LINE, min_size=1, max_size=4), st.integers(8, 60))
def test_fit_only_moves_line_breaks(lines, width):
    text = "\n".join(lines)
    fitted = fit(text, width)
    assert fitted.split() == text.split()  # the same tokens, in the same order
    for line in fitted.splitlines():
        # wider only when the line is one token after its indentation
        assert display_width(line) <= width or " " not in line.strip(" ")


@hypothesis.given(st.lists(LINE, min_size=1, max_size=4), st.integers(8, 60))
def test_lines_that_fit_are_kept_as_they_are(lines, width):
    for line in lines:
        if display_width(line) <= width:
            assert fit(line, width) == line


def test_wrapped_lines_continue_indented():
    assert fit("  aaa bbb ccc ddd", 12).splitlines() == ["  aaa bbb", "    ccc ddd"]


def test_display_width_counts_wide_characters_twice():
    assert display_width("元素") == 4 and display_width("x←y") == 3


@pytest.mark.parametrize("width", [20, 33, 60, 200])
def test_grid_blocks_hold_every_column_once(width):
    rows = [[f"value{r}{c}" for c in range(7)] for r in range(2)]
    lines = grid(rows, width).splitlines()
    for line in lines:
        assert len(line) <= width
    entries = [v for line in lines if line.startswith("[") for v in line.strip("[]").split()]
    # column by column, block after block: every entry exactly once
    assert sorted(entries) == sorted(v for row in rows for v in row)
    labels = [line for line in lines if line.startswith("column")]
    assert (labels == []) == (width == 200)


def test_formula_is_ascii_on_an_ascii_stream_and_never_prints_delta_as_d():
    import sympy as sp

    j, n = sp.symbols("j n")
    expr = sp.KroneckerDelta(j, 2 * n)
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    text = formula(expr, 80, ascii_stream)
    assert text.isascii() and "delta(j, 2*n)" in text
    assert "δ" in formula(expr, 80, io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))


def test_write_fits_after_the_ascii_spelling():
    """ASCII spellings lengthen a line (Σ -> sum): the width holds for what is written."""
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    write("ΣΣΣΣ ΣΣΣΣ ΣΣΣΣ", stream, width=14)
    stream.seek(0)
    lines = stream.read().splitlines()
    assert lines == ["sumsumsumsum", "  sumsumsumsum", "  sumsumsumsum"]


def test_proof_html_shows_the_verdict_of_each_comparison():
    from html.parser import HTMLParser

    from symtconv import Geometry
    from symtconv.proofs import prove, prove_sympy

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells: list[str] = []

        def handle_data(self, data):
            self.cells.append(data)

    def no_flip(g, y, w):
        from symtconv import methods

        return methods.flip_and_pad(g, y, w[..., ::-1]).result

    good = Cells()
    good.feed(prove(Geometry(2, 2), engine="sympy")._repr_html_())
    assert "PROVED" in good.cells and "NOT equal" not in good.cells
    bad = Cells()
    bad.feed(prove_sympy(Geometry(2, 2), implementations={"flip_and_pad": no_flip})
             ._repr_html_())
    assert "NOT PROVED" in bad.cells and "NOT equal" in bad.cells


def test_ascii_spellings_read_as_the_symbols_do():
    from symtconv.console import ascii_text

    # a transpose before a letter or bracket is not a power: C^T y, not C^(Ty)
    assert ascii_text("x = Cᵀy") == "x = C^T y"
    assert ascii_text("Cᵀ(y) and Cᵀ[y]") == "C^T (y) and C^T [y]"
    assert ascii_text("Cᵀ·vec(y), Cᵀ") == "C^T*vec(y), C^T"
    # a congruence keeps its (mod s): = reads right there, == (a test for equality) did not
    assert ascii_text("d·m ≡ r ≡ j + p_begin (mod s)") == "d*m = r = j + p_begin (mod s)"
    # the stretched size i-tilde-prime: no stray ~ before the prime
    shown = ascii_text("ĩ' = i' + (s - 1)·(i' - 1)")
    assert shown.startswith("i_tilde' = ") and "~" not in shown


def test_plural_counts_one_in_the_singular():
    from symtconv.console import plural

    assert [f"{n} {plural(n, 'layer')}" for n in (0, 1, 2)] == ["0 layers", "1 layer", "2 layers"]
