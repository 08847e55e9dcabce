"""LaTeX derivation documents: printer pieces, determinism, the committed documents, pdflatex."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from seed_example import SEED_PUBLISHED, SEED_W, SEED_Y  # the post's numbers

from symtconv import Geometry, ParameterError
from symtconv import strategies as sts
from symtconv.cli import main
from symtconv.latex import (
    DOCUMENTS,
    PDFLATEX_MISSING,
    Derivation,
    DerivationPrinter,
    Divides,
    ElidedMatrix,
    ElidedSum,
    Gcd,
    TensorSlice,
    check_name,
    compile_pdf,
    derive,
    derive_general,
    escape_text,
    latex,
    shown_indices,
)
from symtconv.latex import documents as latex_module
from symtconv.latex.prose import prose_tex
from symtconv.matrix import conv_matrix

ROOT = Path(__file__).resolve().parent.parent
DERIVATIONS = ROOT / "derivations"
PDFLATEX = shutil.which("pdflatex")
needs_pdflatex = pytest.mark.skipif(
    PDFLATEX is None, reason="pdflatex is not installed (apt-get install texlive-latex-base)"
)
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason="figures need matplotlib (pip install 'symtconv[plot]')",
)
INCLUDED = re.compile(r"\\includegraphics(?:\[[^\]]*\])?\{([^}]*)\}")



@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    """Every committed document, built once in this process."""
    # as `python -m symtconv.latex --rebuild` writes them (figures named after the file)
    return {name: latex_module._text(build(), name) for name, build in DOCUMENTS.items()}


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make every ``import matplotlib`` fail, as on an install without the extra."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


# --------------------------------------------------------------------------- #
# printer pieces: exact, short strings
# --------------------------------------------------------------------------- #


def test_a_small_matrix_prints_whole():
    a, b, c, d = sp.symbols("a b c d")
    grid = [[a, b], [c, d]]
    assert (
        latex(ElidedMatrix.of((2, 2), lambda rc: grid[rc[0]][rc[1]]))
        == r"\begin{bmatrix}a & b\\c & d\end{bmatrix}"
    )


def test_a_large_matrix_keeps_its_corners():
    m = ElidedMatrix.of((100, 50), lambda rc: 0, max_rows=3, max_cols=3, head=1, tail=1)
    assert m.rows == (0, None, 99) and m.cols == (0, None, 49)
    assert latex(m) == (
        r"\begin{bmatrix}0 & \cdots & 0\\\vdots & \ddots & \vdots\\0 & \cdots & 0\end{bmatrix}"
    )
    assert len(m.entries) == 4  # only the shown cells were built


def test_an_empty_cell_is_a_dot():
    taps = {(0, 0): 1}
    assert latex(ElidedMatrix.of((1, 2), taps.get)) == r"\begin{bmatrix}1 & \cdot\end{bmatrix}"


def test_shown_indices():
    assert shown_indices(7, 7) == tuple(range(7))
    assert shown_indices(61, 25) == (0, 1, 2, 3, 4, None, 59, 60)
    assert shown_indices(6, 0) == tuple(range(6))  # never more than there are


def test_a_long_sum_is_elided_in_natural_order():
    w = [sp.Symbol(f"w_{{{c}}}") for c in range(12)]
    assert latex(ElidedSum(sp.Add(*w), max_terms=4, head=2)) == (
        r"w_{0} + w_{1} + \cdots + w_{11} \quad (12 \text{ terms})"
    )
    assert latex(ElidedSum(w[0] - w[1])) == "w_{0} - w_{1}"


def test_tensor_slices_and_names():
    assert latex(TensorSlice("y", (0,), 2)) == r"y_{0,\cdot,\cdot}"
    assert latex(TensorSlice("w", (), 0, "tilde"), names={"w": "theta"}) == r"\tilde{\theta}"
    assert latex(sp.Symbol("y_{1,2}") * sp.Symbol("w_{0}"), names={"y": "Y"}) == "w_{0} Y_{1,2}"


def test_values_print_into_the_formula():
    i, s = sp.symbols("i s")
    assert latex(s * (i - 1) + 1, values={i: 3, s: 2}) == r"2 \left(3 - 1\right) + 1"


def test_gcd_and_divisibility():
    d, s, k, j = sp.symbols("d s k j")
    assert latex(Gcd(d, s)) == r"\gcd(d, s)"
    assert latex(Gcd(d, s), values={d: 2, s: 4}) == r"\gcd(2, 4)"
    assert latex(Divides(s, k)) == r"s \mid k"
    assert latex(Divides(s, k, holds=False), values={s: 2, k: 3}) == r"2 \nmid 3"
    assert latex(Divides(2, j + 1)) == r"2 \mid j + 1"


def test_text_is_escaped():
    assert escape_text("a_b & {c} 50% ~x^2 $") == r"a\_b \& \{c\} 50\% \~{}x\^{}2 \$"
    assert escape_text("--general") == "-{}-general"
    assert escape_text("Cᵀ·y") == r"C$^{\top}$$\cdot$y"


def test_the_headline_for_jupyter():
    d = derive(Geometry(2, 2, stride=2))
    assert d._repr_latex_() == (
        r"$\displaystyle x = C^{\top} \operatorname{vec}(y),\quad C = "
        r"\begin{bmatrix}w_{0} & w_{1} & 0 & 0\\0 & 0 & w_{0} & w_{1}\end{bmatrix}$"
    )
    general = derive_general()._repr_latex_()
    assert general.startswith(r"$\displaystyle {x}_{j} = \sum_{") and r"\delta\left(j," in general


# --------------------------------------------------------------------------- #
# user-supplied names and text
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "names",
    [
        ["y}", "w", "x"],
        ["y", r"\input{/etc/passwd}", "x"],
        ["y", "w", "x_1"],
        ["a", "w", "x"],
        ["y", "y", "x"],
        ["y", "w"],
    ],
)
def test_a_bad_name_is_rejected(names):
    with pytest.raises(ParameterError, match="name"):
        derive(Geometry(3, 2), names=names)


def test_a_bad_name_on_the_command_line_is_one_line_and_status_2(capsys, tmp_path):
    status = main(
        [
            "derive",
            "--input",
            "3",
            "--kernel",
            "2",
            "--names",
            "y}",
            "w",
            "x",
            "-o",
            str(tmp_path / "d.tex"),
        ]
    )
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "name for y" in err
    assert not (tmp_path / "d.tex").exists()


def test_a_title_latex_cannot_typeset_is_rejected_and_specials_are_escaped():
    with pytest.raises(ParameterError, match="U\\+6F22"):
        derive(Geometry(3, 2), title="漢")
    doc = derive(Geometry(3, 2), title=r"50% of \x_1 & {y}").document()
    assert r"\title{50\% of \textbackslash{}x\_1 \& \{y\}}" in doc


def test_check_name_accepts_letters():
    assert check_name("theta") == "theta"
    renamed = derive(Geometry(2, 2), [1, 2], [3, 4], names=("theta", "phi", "X")).document()
    assert r"\theta_{0}" in renamed and r"\phi_{1}" in renamed and "X_{2}" in renamed
    assert "y_{0}" not in renamed


# --------------------------------------------------------------------------- #
# what the documents say
# --------------------------------------------------------------------------- #


def _bmatrix(rows: list[list[int]]) -> str:
    return r"\begin{bmatrix}" + r"\\".join(" & ".join(map(str, r)) for r in rows) + r"\end{bmatrix}"


def test_the_seed_values_reproduce_the_published_output(fresh):
    doc = fresh["seed_worked_example.tex"]
    assert f"x = {_bmatrix(SEED_PUBLISHED)}" in doc
    assert "This is the output the blog post printed" in doc
    assert "NOT" not in doc
    # the seed's intermediate steps: zero insertion 5×5, padding 7×7, flipped kernel
    stretched = [[9, 0, 1, 0, 3], [0] * 5, [7, 0, 8, 0, 7], [0] * 5, [8, 0, 2, 0, 2]]
    padded = [[0] * 7] + [[0, *row, 0] for row in stretched] + [[0] * 7]
    assert _bmatrix(stretched) in doc
    assert _bmatrix(padded) in doc
    assert _bmatrix([[1, 1, 1], [3, 4, 1], [3, 2, 4]]) in doc


def test_the_seed_document_writes_out_c_and_its_transpose(fresh):
    doc = fresh["seed_worked_example.tex"]
    c = conv_matrix(Geometry((3, 3), 3, stride=2, padding=1))  # 9×25, every entry shown
    shown = [[latex(c[r, col]) for col in range(c.cols)] for r in range(c.rows)]
    # too wide for a line at a readable size: C is shown in labelled blocks of columns
    label = r"C\\text\{ \(columns (\d+)--(\d+)\)\} = "
    blocks = re.findall(label + r"(\\begin\{bmatrix\}.*?\\end\{bmatrix\})", doc)
    assert len(blocks) >= 2
    starts = [int(b[0]) for b in blocks]
    ends = [int(b[1]) for b in blocks]
    assert starts == [0] + [end + 1 for end in ends[:-1]] and ends[-1] == c.cols - 1
    for first, last, tex in blocks:
        block = [row[int(first) : int(last) + 1] for row in shown]
        assert tex == _bmatrix(block)  # type: ignore[arg-type]
    transposed = [list(row) for row in zip(*shown, strict=True)]
    assert r"C^{\top} = " + _bmatrix(transposed) in doc  # type: ignore[arg-type]
    assert (
        r"x_{1,1} &= w_{0,0} y_{1,1} + w_{0,2} y_{1,0} + w_{2,0} y_{0,1} + w_{2,2} y_{0,0}" in doc
    )
    assert "proved by symtconv.prove with SymPy" in doc


def test_the_shape_example_is_elided_and_proved_by_the_engine(fresh):
    doc = fresh["seed_shape_example.tex"]
    assert all(dots in doc for dots in (r"\cdots", r"\vdots", r"\ddots"))
    assert r"3072$\times$22326" in doc and "(6, 61, 61)" in doc
    assert "proved by symtconv.prove with the fast exact engine" in doc
    assert "22326 outputs, 152352 products" in doc
    assert r"C = \begin{bmatrix}C_{0,0} & C_{0,1}" in doc  # the channel blocks


def test_the_general_document_has_the_relationships_table(fresh):
    doc = fresh["general_proof.tex"]
    assert doc.count("verified" + r"\tabularnewline") == 16
    assert "NOT" not in doc
    assert r"o = a + d k - d + i s - 2 p - s + 1" in doc


def test_a_layer_too_large_to_prove_says_what_was_not_proved():
    g = Geometry((512, 512), 4, stride=2, padding=1, in_channels=64, out_channels=64)
    d = derive(g)
    doc = d.document()
    assert d.proof is None and "No proof was run for this geometry" in doc
    assert "This was proved" not in doc and "(64, 1024, 1024)" in doc


def test_a_geometry_that_is_not_adjoint_says_so():
    g = Geometry(3, 3, dilation=2, output_padding=1)
    doc = derive(g).document()
    assert "is not defined here" in doc and "This was NOT proved" in doc


def test_documents_are_deterministic_across_processes(fresh):
    code = (
        "import sys; from symtconv.latex import DOCUMENTS; "
        "sys.stdout.write(DOCUMENTS['seed_worked_example.tex']().document("
        "stem='seed_worked_example'))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out == fresh["seed_worked_example.tex"]
    assert r"\date{}" in out and r"\today" not in out


# --------------------------------------------------------------------------- #
# the overlap section, against a brute-force count from the definition
# --------------------------------------------------------------------------- #


def _axis_counts(i: int, k: int, s: int, d: int, p: int, o: int) -> list[int]:
    """Per output index j, the pairs (n, m) of one axis with s·n + d·m − p = j."""
    counts = [0] * o
    for n in range(i):
        for m in range(k):
            j = s * n + d * m - p
            if 0 <= j < o:
                counts[j] += 1
    return counts


def _terms(g: Geometry) -> np.ndarray:
    """y·w products reaching each output of one channel: every (n, m) on every axis and
    every input channel of the group, counted one by one."""
    terms = np.zeros(g.output_size, dtype=int)
    spans = [range(i) for i in g.input_size] + [range(k) for k in g.kernel_size]
    for nm in itertools.product(*spans):
        n, m = nm[: g.ndim], nm[g.ndim :]
        j = tuple(
            int(ax.s) * nn + int(ax.d) * mm - int(ax.p_begin)
            for nn, mm, ax in zip(n, m, g.axes, strict=True)
        )
        if all(0 <= jj < o for jj, o in zip(j, g.output_size, strict=True)):
            terms[j] += g.in_channels // g.groups
    return terms


def _section(doc: str) -> str:
    start = doc.index(r"\section{The overlap pattern")
    return doc[start : doc.index(r"\section{", start + 1)]


def test_the_seed_overlap_section_states_the_brute_force_counts(fresh):
    section = _section(fresh["seed_worked_example.tex"])
    g = Geometry((3, 3), 3, stride=2, padding=1)
    terms = _terms(g)
    assert terms.tolist() == [[1, 2, 1, 2, 1], [2, 4, 2, 4, 2]] * 2 + [[1, 2, 1, 2, 1]]
    counts = _axis_counts(3, 3, 2, 1, 1, 5)
    assert np.array_equal(terms, np.outer(counts, counts))  # 2-D is the product of 1-D
    for axis in (1, 2):
        assert f"N_{{{axis}}} = " + _bmatrix([counts]) in section
        # interior 1 <= j <= 3: even j (j + p odd) gets one tap, odd j two
        even, odd = counts[2], counts[1]
        assert (
            rf"N_{{{axis}}}(j_{{{axis}}}) = \begin{{cases}} {even} & \text{{for}}\: "
            rf"j_{{{axis}}} \bmod 2 = 0 \\{odd} & \text{{otherwise}} \end{{cases}}"
        ) in section
    assert _bmatrix(terms.tolist()) in section
    interior = sorted(set(terms[1:4, 1:4].flat))
    assert interior == [1, 2, 4]
    assert (
        "Here $k = 3$ is not a multiple of $s = 2$ on both axes, so interior outputs alternate "
        "between 1, 2 and 4 terms --- the checkerboard." in section
    )
    assert r"$\gcd(d, s) = 1$ and $s \mid k$ on every axis; for $d = 1$ simply $s \mid k$" in (
        section
    )


@pytest.mark.parametrize(
    "geometry, each",
    [(Geometry(6, 4, stride=2, padding=1), 2), (Geometry((4, 5), 4, stride=2, padding=1), 4)],
)
def test_k4_s2_is_uniform(geometry, each):
    section = _section(derive(geometry).document())
    terms = _terms(geometry)
    # the interior: every tap finds an input, d(k-1) <= j + p <= s(i-1) on every axis
    inner = tuple(slice(3 - 1, 2 * (i - 1) - 1 + 1) for i in geometry.input_size)
    assert set(terms[inner].flat) == {each}  # uniform, by brute force
    assert (
        f"so interior coverage is uniform: every interior output receives {each} terms --- "
        "no checkerboard." in section
    )
    assert "not uniform" not in section and "alternate" not in section
    counts = _axis_counts(geometry.input_size[0], 4, 2, 1, 1, geometry.output_size[0])
    sub = "_{1}" if geometry.ndim > 1 else ""
    assert f"N{sub} = " + _bmatrix([counts]) in section
    # at the borders taps fall outside y: 1 instead of 2 at both ends
    assert counts[0] == counts[-1] == 1
    assert rf"N{sub}(0) = 1 < 2" in section and rf"N{sub}({len(counts) - 1}) = 1 < 2" in section


def test_gcd_above_1_leaves_outputs_without_taps():
    g = Geometry(4, 2, stride=2, dilation=2)
    section = _section(derive(g).document())
    counts = _axis_counts(4, 2, 2, 2, 0, g.output_size[0])
    assert counts[1::2] == [0] * 4  # odd outputs: no (n, m) at all
    assert "N = " + _bmatrix([counts]) in section
    assert r"$\gcd(d, s) = \gcd(2, 2) = 2 > 1$, only the outputs with $2 \mid j$" in section
    assert "alternate between 0 and 2 terms" in section


# --------------------------------------------------------------------------- #
# two computations, one document
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "geometry, y, w",
    [
        (Geometry((3, 3), 3, stride=2, padding=1), SEED_Y, SEED_W),
        (
            Geometry(
                (2, 3),
                (2, 2),
                stride=(1, 2),
                dilation=(2, 1),
                output_padding=(1, 1),
                in_channels=2,
                out_channels=4,
                groups=2,
            ),
            None,
            None,
        ),
        (Geometry(5, 2, stride=3, padding=3, in_channels=3, out_channels=2), None, None),
    ],
)
def test_the_sympy_tier_and_the_per_axis_structure_write_the_same_document(geometry, y, w):
    sympy_doc = derive(geometry, y, w, tier="sympy").document()
    assert sympy_doc == derive(geometry, y, w, tier="axes").document()


@settings(max_examples=6)
@given(sts.geometry_and_arrays(sts.geometries(max_ndim=2, asymmetric=True)))
def test_the_two_computations_agree_on_random_geometries(case):
    g, y, w = case
    assert derive(g, y, w, tier="sympy").document() == derive(g, y, w, tier="axes").document()


# --------------------------------------------------------------------------- #
# the committed documents
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_committed_document_is_fresh(fresh, name):
    committed = DERIVATIONS / name
    assert committed.exists(), (
        f"{committed} is missing: python -m symtconv.latex --rebuild derivations"
    )
    assert committed.read_text(encoding="utf-8") == fresh[name], (
        f"{committed} is stale: rebuild with python -m symtconv.latex --rebuild derivations"
    )


def test_every_included_figure_is_committed_next_to_its_document():
    included = {
        name: INCLUDED.findall((DERIVATIONS / name).read_text(encoding="utf-8"))
        for name in DOCUMENTS
    }
    assert included["seed_worked_example.tex"] == [
        "seed_worked_example-matrix.pdf",
        "seed_worked_example-steps.pdf",
        "seed_worked_example-overlap.pdf",
    ]
    for files in included.values():
        for file in files:
            assert (DERIVATIONS / file).read_bytes().startswith(b"%PDF"), file


@needs_matplotlib
def test_committed_figures_are_fresh(tmp_path):
    fresh = []
    for name, build in DOCUMENTS.items():
        document = build()
        if isinstance(document, Derivation) and document.figures:
            fresh += document.write_figures(tmp_path, Path(name).stem)
    assert len(fresh) == 3
    stale = [p.name for p in fresh if (DERIVATIONS / p.name).read_bytes() != p.read_bytes()]
    if stale:
        readme = (DERIVATIONS / "README.md").read_text(encoding="utf-8")
        recorded = re.search(r"rendered with matplotlib ([0-9][^\s;,]*)", readme)
        if recorded is None or recorded.group(1) != importlib.metadata.version("matplotlib"):
            pytest.skip(
                f"{stale} were rendered by another matplotlib version; rebuild with "
                "python -m symtconv.latex --rebuild derivations"
            )
    assert not stale, f"{stale} are stale: python -m symtconv.latex --rebuild derivations"


def test_the_readme_gives_the_rebuild_command():
    assert (
        "python -m symtconv.latex --rebuild derivations" in (DERIVATIONS / "README.md").read_text()
    )


def test_check_reports_a_stale_document(tmp_path, monkeypatch, capsys):
    from symtconv.latex import documents as module

    monkeypatch.setattr(module, "DOCUMENTS", {"tiny.tex": lambda: derive(Geometry(2, 1))})
    assert module._main(["--rebuild", str(tmp_path)]) == 0
    assert module._main(["--check", str(tmp_path)]) == 0
    (tmp_path / "tiny.tex").write_text("stale")
    assert module._main(["--check", str(tmp_path)]) == 1
    assert "stale:" in capsys.readouterr().err


@needs_matplotlib
def test_check_reports_a_stale_or_missing_figure(tmp_path, monkeypatch, capsys, request):
    from symtconv.latex import documents as module

    build = {"tiny.tex": lambda: derive(Geometry(3, 2, stride=2), figures=True)}
    monkeypatch.setattr(module, "DOCUMENTS", build)
    assert module._main(["--rebuild", str(tmp_path)]) == 0
    assert "wrote " + str(tmp_path / "tiny-overlap.pdf") in capsys.readouterr().out
    assert module._main(["--check", str(tmp_path)]) == 0
    (tmp_path / "tiny-steps.pdf").write_bytes(b"%PDF stale")
    assert module._main(["--check", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"stale: {tmp_path / 'tiny-steps.pdf'}\n"
    # without matplotlib the figures can only be required to exist, and it says so
    (tmp_path / "tiny-matrix.pdf").unlink()
    request.getfixturevalue("no_matplotlib")
    assert module._main(["--check", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("note: figures not compared:") and "symtconv[plot]" in err[0]
    assert err[1:] == [f"stale: {tmp_path / 'tiny-matrix.pdf'}"]


# --------------------------------------------------------------------------- #
# pdflatex
# --------------------------------------------------------------------------- #


def _pages(log: Path) -> int:
    found = re.search(r"Output written on .*?\((\d+) pages?", log.read_text(errors="replace"))
    assert found, f"no page count in {log}"
    return int(found.group(1))


@needs_pdflatex
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_committed_document_compiles(tmp_path, name):
    tex = tmp_path / name
    shutil.copy(DERIVATIONS / name, tex)
    for figure in INCLUDED.findall(tex.read_text(encoding="utf-8")):
        shutil.copy(DERIVATIONS / figure, tmp_path / figure)
    compiled = compile_pdf(tex)
    assert compiled.pdf.exists()
    assert compiled.pages == _pages(compiled.log)
    # nothing is shrunk to fit (see test_nothing_is_set_below_footnotesize), so nothing
    # may stick out of the text block either: no display, matrix block or figure
    overfull = re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", compiled.log.read_text())
    assert [float(pt) for pt in overfull if float(pt) > 1.0] == []
    if name == "seed_shape_example.tex":
        assert compiled.pages <= 30


@needs_pdflatex
def test_a_fresh_document_compiles_from_the_command_line(tmp_path, capsys):
    # not adjoint on axis 1 (s <= a < d), groups, values and renamed tensors
    tex = tmp_path / "fresh.tex"
    status = main(
        [
            "derive",
            "--stride",
            "1",
            "2",
            "--dilation",
            "2",
            "1",
            "--output-padding",
            "1",
            "1",
            "--groups",
            "2",
            "--input-values",
            json.dumps([[[1, 2, 3], [4, 5, 6]], [[0, 1, 0], [1, 0, 1]]]),
            "--kernel-values",
            json.dumps([[[[1, 2], [3, 4]]] * 2, [[[1, -1], ["1/2", 1]]] * 2]),
            "--names",
            "Y",
            "K",
            "X",
            "-o",
            str(tex),
            "--pdf",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["pages"] == _pages(tmp_path / "fresh.log")
    assert Path(data["pdf"]).exists()


@needs_matplotlib
@needs_pdflatex
def test_figures_are_written_next_to_the_document_included_and_compile(tmp_path, capsys):
    tex = tmp_path / "seed.tex"
    argv = ["--stride", "2", "--padding", "1", "-o", str(tex), "--figures", "--pdf", "--json"]
    values = ["--input-values", json.dumps(SEED_Y), "--kernel-values", json.dumps(SEED_W)]
    assert main(["derive", *values, *argv]) == 0
    data = json.loads(capsys.readouterr().out)
    names = ["seed-matrix.pdf", "seed-steps.pdf", "seed-overlap.pdf"]
    assert data["figures"] == [str(tmp_path / name) for name in names]
    assert all((tmp_path / name).read_bytes().startswith(b"%PDF") for name in names)
    doc = tex.read_text(encoding="utf-8")
    # relative to the .tex's folder, each in its section
    assert INCLUDED.findall(doc) == names
    titles = ("The matrix C", "Flip", "The overlap")
    sections = [doc.index(rf"\section{{{title}") for title in titles]
    for start, name in zip(sections, names, strict=True):
        assert doc.index(name) > start
        assert doc.index(name) < doc.index(r"\section{", start + 1)
    assert data["pages"] == _pages(tmp_path / "seed.log")
    # the library writes the same document and the same figures
    seed = derive(Geometry((3, 3), 3, stride=2, padding=1), SEED_Y, SEED_W, figures=True)
    again = seed.write(tmp_path / "again" / "seed.tex")
    assert [p.name for p in again] == ["seed.tex", *names]
    for path in again[1:]:
        assert path.read_bytes() == (tmp_path / path.name).read_bytes()


def test_figures_are_left_out_unless_asked_for():
    g = Geometry((2, 2, 2), 2)
    assert r"\includegraphics" not in derive(g).document()
    doc = derive(g, figures=True).document(stem="cube")
    assert INCLUDED.findall(doc) == ["cube-matrix.pdf", "cube-overlap.pdf"]  # no steps in 3-d
    assert r"\includegraphics" not in derive(g, figures=True).document(figures=False)


def test_a_figure_name_latex_could_misread_is_rejected_before_drawing(tmp_path):
    with pytest.raises(ParameterError, match="letters, digits"):
        derive(Geometry(3, 2), figures=True).write(tmp_path / "my seed.tex")
    assert list(tmp_path.iterdir()) == []


def test_figures_without_matplotlib_is_one_line_and_status_2(no_matplotlib, tmp_path, capsys):
    tex = tmp_path / "d.tex"
    status = main(["derive", "--input", "3", "--kernel", "2", "-o", str(tex), "--figures"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "pip install 'symtconv[plot]'" in err
    assert list(tmp_path.iterdir()) == []  # the figures come first: nothing half-written


def test_pdf_without_pdflatex_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pdflatex on it
    tex = tmp_path / "d.tex"
    status = main(["derive", "--input", "3", "--kernel", "2", "-o", str(tex), "--pdf"])
    err = capsys.readouterr().err
    assert status == 2
    assert err == f"symtconv: error: {PDFLATEX_MISSING}\n"
    assert "texlive-latex-base" in err and tex.exists()


# --------------------------------------------------------------------------- #
# the command line
# --------------------------------------------------------------------------- #


def test_derive_writes_to_standard_output(capsys):
    assert main(["derive", "--input", "2", "--kernel", "2", "--stride", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\documentclass") and out.endswith("\\end{document}\n")


def test_derive_general_writes_a_file(tmp_path, capsys, fresh):
    tex = tmp_path / "general.tex"
    assert main(["derive", "--general", "-o", str(tex)]) == 0
    assert tex.read_text(encoding="utf-8") == fresh["general_proof.tex"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["derive", "--input", "3", "--kernel", "2", "--pdf"], "--pdf needs -o"),
        (["derive", "--input-values", "[1, 2]"], "go together"),
        (["derive", "--general", "--input", "3"], "takes no --input"),
        (["derive", "--input", "3", "--kernel", "2", "-o", "out.pdf"], ".tex"),
        (["derive", "--input", "3", "--kernel", "2", "--expected", "[1]"], "--expected needs"),
        (["derive", "--input", "3", "--kernel", "2", "--figures"], "--figures needs -o"),
        (["derive", "--general", "--figures", "-o", "g.tex"], "--figures draws a concrete"),
    ],
)
def test_derive_usage_errors(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_printer_class_is_a_sympy_latex_printer():
    from sympy.printing.latex import LatexPrinter

    assert issubclass(DerivationPrinter, LatexPrinter)
    assert DerivationPrinter({"fold_short_frac": False}).doprint(sp.Rational(1, 3)) == (
        r"\frac{1}{3}"
    )
    assert DerivationPrinter().doprint(sp.Rational(1, 3)) == "1 / 3"  # in text: not 6 pt


# --------------------------------------------------------------------------- #
# readable: no small print, no SymPy text in the prose
# --------------------------------------------------------------------------- #

#: What would set something a reader must read below \footnotesize, or shrink it.
SMALL_PRINT = re.compile(r"\\(tiny|scriptsize|resizebox|scalebox)\b")


def _wide_documents() -> dict[str, str]:
    """Fresh documents whose matrices and formulas are wide: channels, a long 1-D input."""
    return {
        "channels": derive(Geometry((4, 4), 3, stride=2, in_channels=2, out_channels=3)).document(),
        "long 1-d": derive(Geometry(12, 4, stride=3, padding=1)).document(),
        "general 2-d": derive_general(2, True).document(),
    }


def test_nothing_is_set_below_footnotesize(fresh):
    committed = {name: (DERIVATIONS / name).read_text(encoding="utf-8") for name in DOCUMENTS}
    for name, text in {**committed, **fresh, **_wide_documents()}.items():
        assert SMALL_PRINT.findall(text) == [], name
    # the seed's C (9×25) is too wide for a line in \footnotesize: it comes in column blocks
    assert r"C\text{ (columns 0--" in fresh["seed_worked_example.tex"]


def _outside_markup(tex: str) -> str:
    """``tex`` without the starred LaTeX names and the relationship table's ``16*``."""
    tex = re.sub(r"\\(sub)*section\*|\{(gather|align)\*\}", "", tex)
    return re.sub(r"^\d+\* &", "", tex, flags=re.M)


@pytest.mark.parametrize(
    "args", [(1, False, False), (2, True, False), (1, False, True)], ids=str
)
def test_the_general_document_sets_every_formula_as_mathematics(args, fresh):
    ndim, groups, asymmetric = args
    tex = derive_general(ndim, groups, asymmetric=asymmetric).document()
    assert "*" not in _outside_markup(tex)  # no SymPy text such as d*k or 2*p
    assert "<=" not in tex and ">=" not in tex and "Eq(" not in tex and "floor(" not in tex
    assert "*" not in _outside_markup(fresh["general_proof.tex"])


def test_the_concrete_documents_have_no_sympy_text(fresh):
    for name, text in {**fresh, **_wide_documents()}.items():
        assert "*" not in _outside_markup(text), name


def test_prose_sets_sympy_quotations_as_math():
    assert prose_tex("both sides come out as a + d*k - 2*p (SymPy)") == (
        "both sides come out as $a + d k - 2 p$ (SymPy)"
    )
    assert prose_tex("so 0 <= a <= s_1 - 1; plus a at the end") == (
        r"so $0 \le a \le s_{1} - 1$; plus $a$ at the end"
    )
    assert prose_tex("Eq(j, d*m + n*s - p); solved for j") == "$j = d m + n s - p$; solved for $j$"
    assert prose_tex("the window j + d·m' (0 <= m' < k) fits") == (
        r"the window $d m' + j$ ($0 \le m' < k$) fits"
    )
    assert prose_tex("floor(x) = q  <=>  q <= x < q + 1 (the definition)") == (
        r"$\left\lfloor{x}\right\rfloor = q \iff q \le x < q + 1$ (the definition)"
    )
    # words, and text that is not SymPy's, stay text (escaped); a symbol named on its own
    # is set in math italic
    assert prose_tex("flip_and_pad's entry is a Sum") == r"flip\_and\_pad's entry is a Sum"
    assert prose_tex("C[n, j] = ∂conv(x)[n]") == r"$C[n, j]$ = $\partial$conv($x$)[$n$]"
