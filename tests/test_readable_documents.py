"""Issue #18 in the LaTeX documents and their figures: what a reader must read is large
enough (no fraction at the script size, no index of an index), definitions are not
garbled, symbols named in prose are math italic, and counts read as English."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from symtconv import Geometry
from symtconv.latex import DOCUMENTS, compile_pdf, derive, derive_general, latex
from symtconv.latex.prose import prose_tex, words_tex

ROOT = Path(__file__).resolve().parent.parent
DERIVATIONS = ROOT / "derivations"
SEED = Geometry((3, 3), 3, stride=2, padding=1)
CHANNELS = Geometry((3, 3), 3, stride=2, padding=1, in_channels=2, out_channels=2, groups=2)

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")
needs_mutool = pytest.mark.skipif(shutil.which("mutool") is None, reason="no mutool (mupdf-tools)")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed"
)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    """The committed documents, and fresh ones the committed set does not cover."""
    docs = {name: (DERIVATIONS / name).read_text(encoding="utf-8") for name in DOCUMENTS}
    docs["general 2-d, groups"] = derive_general(2, True).document()
    docs["general, asymmetric"] = derive_general(1, asymmetric=True).document()
    docs["channels"] = derive(CHANNELS).document()
    docs["channels, 3-d"] = derive(Geometry((2, 3, 2), 2, in_channels=2, out_channels=4)).document()
    return docs


# --------------------------------------------------------------------------- #
# The .tex: what TeX would set at the script sizes
# --------------------------------------------------------------------------- #

_INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)
_MATH = re.compile(
    r"(?<!\\)\$.+?(?<!\\)\$|\\\[.*?\\\]|\\begin\{(gather|align)\*\}.*?\\end\{\1\*\}", re.S
)
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[_^']|[{}]|[^\s{}_^\\']")


def _second_level_scripts(math: str) -> list[str]:
    """Where ``math`` puts a sub- or superscript (or a prime) on something that is itself
    a sub- or superscript: TeX sets it at 5 pt in 10-pt text."""
    found, stack, pending = [], [False], False
    for token in _TOKEN.finditer(math):
        text = token.group()
        if text in ("_", "^", "'"):
            if pending or stack[-1]:
                found.append(math[max(0, token.start() - 30) : token.end() + 10])
            pending = text != "'"
        elif text == "{":
            stack.append(pending or stack[-1])
            pending = False
        elif text == "}":
            if len(stack) > 1:
                stack.pop()
        else:
            pending = False
    return found


def test_the_detector_finds_a_second_level_subscript():
    assert _second_level_scripts(r"w_{T_1[n_1, j_1]}") != []
    assert _second_level_scripts(r"C_{c,c'}") != []
    assert _second_level_scripts(r"\delta_{c, \lfloor c_{in} / Q_{in} \rfloor}") != []
    assert _second_level_scripts(r"w[T_{1}[n_{1}, j_{1}]] + {x}_{j} + m'") == []


def test_no_formula_has_an_index_of_an_index(documents):
    for name, tex in documents.items():
        found = [hit for m in _MATH.finditer(tex) for hit in _second_level_scripts(m.group())]
        assert found == [], name


def test_no_fraction_in_a_line_of_text_is_set_at_the_script_size(documents):
    for name, tex in documents.items():
        inline = [m.group(1) for m in _INLINE.finditer(tex) if r"\frac" in m.group(1)]
        assert inline == [], name


def test_the_steps_are_not_set_small(documents):
    for name in ("general_proof.tex", "general 2-d, groups"):
        assert r"{\small" not in documents[name]
    # the floor of step 5 (forward conv: output length) is in the text, in full size
    assert (
        r"$0 \le n \le \left\lfloor{\left(- d k + d + o + 2 p - 1\right) / s}\right\rfloor$"
        in documents["general_proof.tex"]
    )


def test_the_relationships_table_has_no_script_size_fraction(documents):
    table = documents["general_proof.tex"].split(r"\begin{tabular}")[1].split(r"\end{tabular}")[0]
    assert r"\frac" not in table
    assert r"\left\lfloor{\left(i - k + 2 p\right) / s}\right\rfloor" in table


def test_kronecker_delta_is_a_function_of_two_arguments():
    c, q = sp.symbols("c_in Q_in", integer=True)
    j = sp.Symbol("j")
    assert latex(sp.KroneckerDelta(j, sp.floor(c / q))) == (
        r"\delta\left(j, \left\lfloor{c_{in} / Q_{in}}\right\rfloor\right)"
    )


def test_an_index_with_a_subscript_goes_in_brackets():
    x = sp.IndexedBase("x")
    c, j1, j = sp.symbols("c_out j_1 j")
    assert latex(x[c, j1]) == "x[c_{out}, j_{1}]"
    assert latex(x[j]) == "{x}_{j}"  # a plain index stays a subscript


def test_the_matrix_entry_is_written_with_brackets(documents):
    assert r"C[n, j] = w[T_{1}[n_{1}, j_{1}], T_{2}[n_{2}, j_{2}]]" in documents[
        "seed_worked_example.tex"
    ]
    channels = documents["channels"]
    assert r"C[(c, n), (c', j)] = w[c, c' - g Q_{out}, T_{1}[n_{1}, j_{1}]" in channels
    assert r"$w[c, c' - g Q_{out}, \ldots]$" in channels


# --------------------------------------------------------------------------- #
# The definitions, and symbols named in prose
# --------------------------------------------------------------------------- #


def test_a_list_with_an_ellipsis_is_one_formula():
    assert prose_tex("a multi-index (c, j_1, ..., j_N) equals another") == (
        r"a multi-index $(c, j_{1}, \ldots, j_{N})$ equals another"
    )
    # a list without an ellipsis is left to the quotation reader
    assert prose_tex("Mod(c_out, Q_out) = 0") == r"$c_{out} \bmod Q_{out} = 0$"


def test_the_general_document_states_the_multi_index_definition(documents):
    for name in ("general_proof.tex", "general 2-d, groups"):
        assert r"a multi-index $(c, j_{1}, \ldots, j_{N})$ equals another" in documents[name]


@needs_pdflatex
@needs_pdftotext
def test_the_general_pdf_reads_the_multi_index_as_written(tmp_path):
    tex = tmp_path / "general_proof.tex"
    shutil.copy(DERIVATIONS / "general_proof.tex", tex)
    pdf = compile_pdf(tex).pdf
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    text = " ".join(text.split())
    assert "((c, j" not in text
    assert re.search(r"multi-index \(c, j ?1 ?, \. \. \. , j ?N ?\) equals", text), text[-800:]


def test_single_letter_symbols_in_prose_are_math_italic(documents):
    general = documents["general_proof.tex"]
    for phrase in (
        r"For all integers $i$, $k$, $s$, $d \ge 1$",
        r"($C$ has $i$ rows)",
        r"exactly $s$ output sizes map back to $i$",
        r"the input index $n$ and the kernel tap $m$",
        r"maps a length $o$ to",
        r"plus $a$ at the high end",
        r"transposed: general (output padding $a$)",
    ):
        assert phrase in general, phrase
    # the article stays a word
    assert "a negative pad" in general and "$a$ negative" not in general
    assert "($a$ crop)" not in general and "(a crop)" in general


#: Words that may follow the symbol a (not a noun, as after the article a).
_AFTER_A_SYMBOL = {"at", "and", "or", "is", "to", "in", "on", "the", "with", "from", "of"}
_AFTER_A_SYMBOL.add("output")  # the legend of the concrete documents: "$a$ output padding"


def test_the_symbol_a_and_the_article_a_are_told_apart(documents):
    for name, tex in documents.items():
        # the symbol is never followed by a noun (it would have been the article)
        for word in re.findall(r"\$a\$ ([A-Za-z]+)", tex):
            assert word in _AFTER_A_SYMBOL, (name, word)
        # and the article (a roman a in the text) is always followed by a word
        prose = _MATH.sub(" MATH ", tex)
        # (not the enumerator "(a)")
        for after in re.findall(r"(?<![\w\\$'(-])a(?![\w'-])(\s*\S?)", prose):
            assert re.match(r"\s+[A-Za-z0-9]", after), (name, after)  # "a 3×3 input"


def test_words_tex_against_its_rule():
    assert words_tex("for a: the floor") == "for $a$: the floor"
    assert words_tex("a + d, minus a, every a") == "$a$ + $d$, minus $a$, every $a$"
    assert words_tex("a window of a kernel") == "a window of a kernel"
    assert words_tex("I said A guide, e.g. i.e. 2-d") == "I said A guide, e.g. i.e. 2-d"
    assert words_tex("SymPy's limits of m' and Q_in") == r"SymPy's limits of $m'$ and $Q_{in}$"


# --------------------------------------------------------------------------- #
# Counts and captions
# --------------------------------------------------------------------------- #


def test_counts_read_as_english():
    one = derive(SEED).document()
    assert "(1 channel of size 3$\\times$3)" in one
    many = derive(Geometry((3, 3), 3, in_channels=2, out_channels=3)).document()
    assert "(2 channels of size" in many and "(3 channels of size" in many
    assert "G = 1 group of" in many
    assert "G = 2 groups of" in derive(CHANNELS).document()


def test_no_document_writes_a_plural_in_brackets(documents):
    for name, tex in documents.items():
        assert "(s)" not in tex, name


_NUMBERS = {"three": 3, "four": 4, "five": 5, "six": 6}


@needs_matplotlib
def test_the_steps_caption_counts_the_panels_the_figure_draws():
    from symtconv.figures import steps_figure

    caption = derive(SEED, figures=True).document(stem="seed")
    said = re.search(r"in (\w+) panels", caption)
    assert said, "the caption does not count the panels"
    panels = [a for a in steps_figure(SEED).axes if re.match(r"\d+\. ", a.get_title())]
    assert _NUMBERS[said.group(1)] == len(panels)


@needs_matplotlib
@pytest.mark.parametrize(
    "geometry, rows, cols",
    [
        (CHANNELS, "entries of y (cᵢₙ, n₁, n₂)", "entries of x (cₒᵤₜ, j₁, j₂)"),
        (Geometry(6, 3, stride=2), "entries of y (n)", "entries of x (j)"),
        (SEED, "entries of y (n₁, n₂)", "entries of x (j₁, j₂)"),
        (
            Geometry((16, 16), 3, stride=2, in_channels=3, out_channels=2),
            "row blocks: entries of y (cᵢₙ, n₁, n₂)",
            "column blocks: entries of x (cₒᵤₜ, j₁, j₂)",
        ),
    ],
)
def test_the_matrix_figure_names_its_axes_as_the_text_does(geometry, rows, cols):
    from symtconv.figures import matrix_figure

    ax = matrix_figure(geometry).axes[0]
    assert rows in ax.get_ylabel() and cols in ax.get_xlabel()
    assert "c_in" not in ax.get_ylabel() + ax.get_xlabel()


# --------------------------------------------------------------------------- #
# The PDFs: glyph sizes as a reader sees them
# --------------------------------------------------------------------------- #


def _glyph_sizes(pdf: Path) -> dict[float, str]:
    """Every font size ``mutool`` finds in ``pdf``, with some of the text set in it."""
    stext = subprocess.run(
        ["mutool", "draw", "-F", "stext", "-o", "-", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes: dict[float, str] = {}
    for match in re.finditer(r'<font name="[^"]*" size="([\d.]+)">(.*?)</font>', stext, re.S):
        size = round(float(match.group(1)), 1)
        sizes[size] = sizes.get(size, "") + "".join(re.findall(r'c="([^"]*)"', match.group(2)))
    return sizes


@needs_pdflatex
@needs_mutool
@pytest.mark.parametrize("which", ["general 2-d, groups", "channels", "seed_worked_example.tex"])
def test_no_glyph_is_set_at_5pt(which, documents, tmp_path):
    tex = tmp_path / "doc.tex"
    text = documents[which]
    for figure in re.findall(r"\\includegraphics\{([^}]*)\}", text):
        shutil.copy(DERIVATIONS / figure, tmp_path / figure)
    tex.write_text(text, encoding="utf-8")
    sizes = _glyph_sizes(compile_pdf(tex).pdf)
    assert 10.0 in sizes  # the parser sees the text
    assert min(sizes) >= 6.0, {size: text[:80] for size, text in sizes.items() if size < 6.0}


def test_a_display_is_broken_at_equals_outside_its_matrices():
    from symtconv.latex.writer import _split_equals

    # the braces of \begin{bmatrix} and \end{bmatrix} are not groups: the = after the
    # second matrix is at the top level
    pair = r"\begin{bmatrix}1\end{bmatrix}, \begin{bmatrix}2\end{bmatrix}"
    tex = rf"x = \left\langle {pair} \right\rangle = 2"
    assert _split_equals(tex)[-1] == "2"


def test_a_window_too_wide_beside_its_kernel_is_shown_below_it():
    wide = derive(Geometry((12, 12), 9, stride=2, padding=1, in_channels=12, out_channels=12))
    doc = wide.document()
    assert r"\left\langle U,\ \tilde{w} \right\rangle = " in doc
    assert r"U = \begin{bmatrix}" in doc and r"\tilde{w} = \begin{bmatrix}" in doc
    assert "($U$ is the window of $u$" in doc
    narrow = derive(SEED).document()  # side by side when they fit
    assert r"\left\langle \begin{bmatrix}" in narrow and "(the window of $u$" in narrow
