"""Figures: sizes, content, determinism, the committed files, and life without matplotlib."""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import seed_example  # the seed post's published numbers

from symtconv import Geometry, conv_matrix
from symtconv.cli import main
from symtconv.errors import MissingDependencyError, ParameterError
from symtconv.figures import (
    DPI,
    figure,
    matrix_figure,
    overlap_figure,
    render,
    save_figure,
    seed_figures,
    steps_figure,
    write_figures,
)
from symtconv.overlap import overlap

SEED = Geometry((3, 3), 3, stride=2, padding=1)
SEED_Y = np.array([seed_example.SEED_Y], dtype=object)
SEED_W = np.array([[seed_example.SEED_W]], dtype=object)
SEED_PUBLISHED = seed_example.SEED_PUBLISHED
SHAPE_EXAMPLE = Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6)
COMMITTED = Path(__file__).resolve().parent.parent / "derivations" / "figures"


#: The tests that draw need the ``plot`` extra; the ones that simulate its absence do not.
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="needs pip install 'symtconv[plot]'"
)


# --------------------------------------------------------------------------- #
# without matplotlib
# --------------------------------------------------------------------------- #


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make every ``import matplotlib`` fail, as on an install without the extra."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_missing_matplotlib_names_the_extra(no_matplotlib, tmp_path):
    with pytest.raises(MissingDependencyError, match=r"pip install 'symtconv\[plot\]'") as info:
        render("matrix", SEED, tmp_path / "c.png")
    assert isinstance(info.value, ImportError)
    assert not (tmp_path / "c.png").exists()


def test_cli_without_matplotlib_exits_2_with_one_line(no_matplotlib, tmp_path, capsys):
    status = main(
        [
            "figure",
            "--kind",
            "overlap",
            "--input",
            "3",
            "--kernel",
            "3",
            "-o",
            str(tmp_path / "o.png"),
        ]
    )
    _, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1 and "pip install 'symtconv[plot]'" in err


def test_the_analysis_needs_no_matplotlib(no_matplotlib, capsys):
    assert main(["overlap", "--input", "3", "--kernel", "2"]) == 0


# --------------------------------------------------------------------------- #
# with matplotlib
# --------------------------------------------------------------------------- #


def pixels(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    return imread(path)


def assert_not_blank(image: np.ndarray) -> None:
    grey = image[..., :3].mean(axis=-1)
    assert grey.var() > 1e-3
    assert (grey < 0.9).mean() > 0.01  # a real share of the pixels is drawn on


@needs_matplotlib
@pytest.mark.parametrize("kind", ["matrix", "steps", "overlap"])
def test_png_has_the_requested_size_and_is_not_blank(kind, tmp_path):
    path = render(kind, SEED, tmp_path / f"{kind}.png", size=(6.5, 3.0), dpi=80)
    image = pixels(path)
    assert image.shape[:2] == (3 * 80, round(6.5 * 80))
    assert_not_blank(image)


@needs_matplotlib
def test_default_size_is_kept_when_saving(tmp_path):
    fig = matrix_figure(SEED)
    width, height = fig.get_size_inches()
    image = pixels(save_figure(fig, tmp_path / "c.png", dpi=50))
    assert image.shape[:2] == (round(height * 50), round(width * 50))


@needs_matplotlib
def test_svg_parses_and_pdf_is_a_pdf(tmp_path):
    svg = render("overlap", SEED, tmp_path / "o.svg", size=(5, 4))
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "360pt" and root.get("height") == "288pt"
    text = svg.read_text()
    assert "<dc:date>" not in text and "Matplotlib v" not in text
    pdf = render("steps", SEED, tmp_path / "s.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"CreationDate" not in pdf and b"matplotlib" not in pdf.lower()


@needs_matplotlib
@pytest.mark.parametrize(("kind", "fmt"), [("matrix", "svg"), ("steps", "png"), ("overlap", "pdf")])
def test_rendering_twice_gives_the_same_bytes(kind, fmt, tmp_path):
    first = render(kind, SEED, tmp_path / f"a.{fmt}").read_bytes()
    second = render(kind, SEED, tmp_path / f"b.{fmt}").read_bytes()
    assert first == second


@needs_matplotlib
def test_png_carries_no_software_tag(tmp_path):
    data = render("overlap", SEED, tmp_path / "o.png").read_bytes()
    assert b"Software" not in data and b"matplotlib" not in data.lower()


# --------------------------------------------------------------------------- #
# what the figures show, compared with C and the overlap counts
# --------------------------------------------------------------------------- #


def tap_of(entry) -> int:
    """The flat tap index of a symbol w_{a,b} standing alone in an entry of C."""
    indices = [int(v) for v in re.findall(r"\d+", str(entry))]
    return indices[0] * 3 + indices[1]


@needs_matplotlib
def test_matrix_image_is_C_coloured_by_tap():
    C = conv_matrix(SEED)
    fig = matrix_figure(SEED)
    (ax,) = [a for a in fig.axes if a.images]
    image = np.asarray(ax.images[0].get_array())
    expected = np.full(C.shape, -1)
    for (r, c), entry in C.todok().items():
        expected[r, c] = tap_of(entry)
    assert (image == expected).all()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0] == "w[0,0]" and labels[-1] == "w[2,2]"
    transposed = matrix_figure(SEED, transpose=True)
    (ax,) = [a for a in transposed.axes if a.images]
    assert (np.asarray(ax.images[0].get_array()) == expected.T).all()


@needs_matplotlib
def test_large_matrix_is_an_overview_and_a_zoom():
    fig = matrix_figure(SHAPE_EXAMPLE)
    overview, zoom = fig.axes[:2]
    assert "3072×22326" in overview.get_title()
    assert "zoom" in zoom.get_title()
    image = np.asarray(zoom.images[0].get_array())
    assert image.shape[0] <= 64 and image.shape[1] <= 200 and (image >= 0).sum() > 50
    # the zoom is the top-left corner of C's first block: compare with C of one channel
    C = conv_matrix(Geometry((32, 32), 3, stride=2, padding=2))
    rows, cols = image.shape
    corner = np.array([[C[r, c] != 0 for c in range(cols)] for r in range(rows)])
    assert ((image >= 0) == corner).all()


@needs_matplotlib
def test_steps_show_the_seed_numbers_and_the_symbols():
    texts = {t.get_text() for ax in steps_figure(SEED, SEED_Y, SEED_W).axes for t in ax.texts}
    assert {"63", "56", "47", "36"} <= texts  # the seed's output
    # drawn large, a cell holds its symbol; at a document's width only its index (the
    # symbol would print below 7 pt), and the title says so
    symbolic = steps_figure(SEED, size=(16, 5))
    names = {t.get_text() for t in symbolic.axes[0].texts}
    assert "y[0,1]" in names
    kernel = [t.get_text() for t in symbolic.axes[3].texts]
    assert kernel[0] == "w[2,2]"  # flipped
    narrow = steps_figure(SEED)
    assert "0,1" in {t.get_text() for t in narrow.axes[0].texts}
    assert narrow.axes[3].texts[0].get_text() == "2,2"
    assert "a cell labelled r,c holds y[r,c]" in narrow.get_suptitle()
    with pytest.raises(ParameterError, match="1-D and 2-D"):
        steps_figure(Geometry((2, 2, 2), 2))


@needs_matplotlib
def test_overlap_heat_map_is_the_column_counts_of_C():
    fig = overlap_figure(SEED)
    heat = next(a for a in fig.axes if a.images and a.get_xlabel().startswith("output"))
    C = conv_matrix(SEED)
    per_column = np.array([sum(1 for v in C.col(c) if v != 0) for c in range(C.cols)])
    assert (np.asarray(heat.images[0].get_array()) == per_column.reshape(5, 5)).all()
    one_d = overlap_figure(Geometry(6, 3, stride=2, dilation=2))
    heights = [bar.get_height() for bar in one_d.axes[0].patches if bar.get_width() < 1]
    assert heights == list(overlap(Geometry(6, 3, stride=2, dilation=2)).axes[0].counts)


@needs_matplotlib
def test_bad_requests_are_parameter_errors(tmp_path):
    with pytest.raises(ParameterError, match=r"\.png, \.svg or \.pdf"):
        render("matrix", SEED, tmp_path / "c.jpg")
    with pytest.raises(ParameterError, match="kind"):
        figure("heat", SEED)
    with pytest.raises(ParameterError, match="formats"):
        write_figures(SEED, tmp_path, formats=("gif",))


# --------------------------------------------------------------------------- #
# writing sets of figures, the committed figures, and the command line
# --------------------------------------------------------------------------- #


@needs_matplotlib
def test_write_figures_returns_every_path(tmp_path):
    paths = write_figures(
        Geometry(4, 3, stride=2), tmp_path / "new", stem="g", formats=("png", "svg")
    )
    assert [p.name for p in paths] == [
        "g-matrix.png",
        "g-matrix.svg",
        "g-steps.png",
        "g-steps.svg",
        "g-overlap.png",
        "g-overlap.svg",
    ]
    assert all(p.stat().st_size > 1000 for p in paths)
    three_d = write_figures(Geometry((2, 2, 2), 2), tmp_path, stem="v")
    assert [p.name for p in three_d] == ["v-matrix.png", "v-overlap.png"]


@needs_matplotlib
def test_committed_seed_figures_are_up_to_date(tmp_path):
    committed = sorted(COMMITTED.glob("seed-*.png"))
    assert [p.name for p in committed] == ["seed-matrix.png", "seed-overlap.png", "seed-steps.png"]
    fresh = {p.name: p.read_bytes() for p in seed_figures(tmp_path)}
    stale = [p.name for p in committed if p.read_bytes() != fresh[p.name]]
    if stale:
        recorded = re.search(r"matplotlib (\S+) ", (COMMITTED / "README.md").read_text())
        if recorded is None or recorded.group(1) != importlib.metadata.version("matplotlib"):
            pytest.skip(
                f"{stale} were rendered by another matplotlib version; regenerate them "
                "as derivations/figures/README.md says"
            )
    assert not stale, f"regenerate {stale} as derivations/figures/README.md says"
    for path in committed:
        assert_not_blank(pixels(path))


@needs_matplotlib
def test_cli_figure_matches_the_library(tmp_path, capsys):
    out = tmp_path / "steps.png"
    status = main(
        [
            "figure",
            "--kind",
            "steps",
            "--input-values",
            "[[9,1,3],[7,8,7],[8,2,2]]",
            "--kernel-values",
            "[[4,2,3],[1,4,3],[1,1,1]]",
            "--stride",
            "2",
            "--padding",
            "1",
            "-o",
            str(out),
        ]
    )
    assert status == 0 and f"wrote {out}" in capsys.readouterr().out
    assert out.read_bytes() == (COMMITTED / "seed-steps.png").read_bytes()
    status = main(
        [
            "figure",
            "--kind",
            "matrix",
            "--transpose",
            "--input",
            "3",
            "--kernel",
            "2",
            "--stride",
            "2",
            "-o",
            str(tmp_path / "ct.svg"),
            "--json",
        ]
    )
    assert status == 0 and '"kind": "matrix"' in capsys.readouterr().out
    assert pixels(render("matrix", SEED, tmp_path / "c.png", dpi=DPI)).shape[2] in (3, 4)


@needs_matplotlib
@pytest.mark.parametrize(
    "argv",
    [
        ["--kind", "overlap", "--transpose"],
        ["--kind", "matrix", "--input-values", "[1,2]", "--kernel-values", "[1]"],
        ["--kind", "matrix", "--dpi", "0"],
    ],
)
def test_cli_figure_usage_errors(argv, tmp_path, capsys):
    status = main(["figure", "--input", "3", "--kernel", "2", "-o", str(tmp_path / "f.png"), *argv])
    _, err = capsys.readouterr()
    assert status == 2 and err.count("\n") == 1


# --------------------------------------------------------------------------- #
# readable: print sizes, the text's axis numbering, what colours mean
# --------------------------------------------------------------------------- #

#: The text width of the documents (16.5 cm) in PDF points.
TEXT_WIDTH_PT = 16.5 / 2.54 * 72


def pdf_font_sizes(data: bytes) -> list[float]:
    """The size of every font a PDF's content streams select (``/F1 9 Tf``)."""
    import zlib

    sizes = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):  # an uncompressed stream stays as it is
            stream = zlib.decompress(stream)
        sizes += [float(s) for s in re.findall(rb"/[^\s/]+\s+([\d.]+)\s+Tf\b", stream)]
    return sizes


def pdf_width_pt(data: bytes) -> float:
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box, "no MediaBox"
    return float(box.group(1))


READABLE_CASES = [
    SEED,
    Geometry(7, 3, stride=2, dilation=2),
    Geometry((4, 4), 3, stride=2, in_channels=2, out_channels=3),
    SHAPE_EXAMPLE,
    Geometry((2, 3, 2), 2, stride=(1, 2, 1)),
]


@needs_matplotlib
@pytest.mark.parametrize("geometry", READABLE_CASES, ids=lambda g: g.describe())
def test_figure_text_prints_at_7pt_or_more_in_a_document(geometry, tmp_path):
    for path in write_figures(geometry, tmp_path, formats=("pdf",)):
        data = path.read_bytes()
        sizes = pdf_font_sizes(data)
        assert sizes, f"no text found in {path.name}"  # the parser sees the fonts
        assert min(sizes) >= 7.0, (path.name, sorted(set(sizes)))
        # no wider than the text: a document includes it at its own size, unscaled
        assert pdf_width_pt(data) <= TEXT_WIDTH_PT, path.name


@needs_matplotlib
def test_committed_document_figures_print_at_7pt_or_more():
    figures = sorted(COMMITTED.parent.glob("*-*.pdf"))
    assert figures
    for path in figures:
        data = path.read_bytes()
        assert min(pdf_font_sizes(data)) >= 7.0, path.name
        assert pdf_width_pt(data) <= TEXT_WIDTH_PT, path.name


def figure_text(fig) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))


#: The 0-based numbering the text does not use: ``axis 0``, ``j0``, ``j₀``, ``j_0``.
ZERO_BASED = re.compile(r"axis 0|\bj_?\{?0|j₀")


@needs_matplotlib
@pytest.mark.parametrize(
    "geometry", [SEED, Geometry((2, 3, 2), 2, stride=(1, 2, 1))], ids=["2-d", "3-d"]
)
def test_figures_number_axes_as_the_text_does(geometry, tmp_path):
    text = "\n".join(
        figure_text(figure(kind, geometry)) for kind in ("matrix", "steps", "overlap")
        if kind != "steps" or geometry.ndim <= 2
    )
    assert ZERO_BASED.findall(text) == []
    assert "axis 1" in text and "axis 2" in text
    if geometry.ndim == 2:
        assert "j₁" in text and "j₂" in text
    else:
        assert "axis 3" in text


@needs_matplotlib
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_text_extracted_from_the_committed_figures_numbers_axes_from_1():
    for path in sorted(COMMITTED.parent.glob("*-*.pdf")):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert ZERO_BASED.findall(text) == [], path.name
        if path.name.endswith("-overlap.pdf"):
            assert "axis 1" in text and "j₁" in text


def _luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _output_colours(fig) -> np.ndarray:
    output = [a for a in fig.axes if a.images][-1]
    return np.asarray(output.images[0].get_array())


@needs_matplotlib
def test_the_steps_output_colour_is_explained_and_follows_what_it_says():
    # with values: coloured by value, darker for larger (the published numbers)
    fig = steps_figure(SEED, SEED_Y, SEED_W)
    title = [a for a in fig.axes if a.images][-1].get_title().replace("\n", " ")
    assert "colour: value" in title
    bar = next(a for a in fig.axes if a.get_label() == "<colorbar>")
    assert "value" in (bar.get_ylabel() + bar.get_xlabel())
    rgba = _output_colours(fig)
    published = np.array(SEED_PUBLISHED)
    light = np.vectorize(lambda r, c: _luminance(rgba[r, c]))(*np.indices(published.shape))
    order = np.argsort(published, axis=None)
    assert (np.diff(light.ravel()[order]) <= 1e-9).all()  # larger value, darker cell
    # with symbols: the number of y·w terms, coloured by it
    fig = steps_figure(SEED)
    title = [a for a in fig.axes if a.images][-1].get_title().replace("\n", " ")
    assert "colour: y·w terms per entry" in title
    counts = overlap(SEED).terms()
    rgba = _output_colours(fig)
    for a, b in zip(*np.nonzero(counts == counts.max()), strict=True):
        assert (rgba[a, b] == rgba[1, 1]).all()
    assert _luminance(rgba[1, 1]) < _luminance(rgba[0, 0])  # 4 terms darker than 1


@needs_matplotlib
def test_saving_a_pdf_prints_no_font_library_warning(capfd):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, r"$w_{c,c',0}$")  # embeds a font whose 'created' stamp is 0
    with tempfile.TemporaryDirectory() as folder:
        save_figure(fig, Path(folder) / "w.pdf")
    assert "timestamp seems very low" not in capfd.readouterr().err
