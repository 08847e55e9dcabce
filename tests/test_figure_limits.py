"""Figures refuse sizes, dpi and drawings past their limits (symtconv.figures.style)
from closed-form estimates, before matplotlib allocates anything."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from symtconv import Geometry
from symtconv.errors import ParameterError, ParameterTypeError, TooLargeError
from symtconv.figures import figure, render, style
from symtconv.figures import matrix as matrix_module
from symtconv.figures import overlap as overlap_module
from symtconv.figures import steps as steps_module
from symtconv.overlap import overlap

SMALL = Geometry((3, 3), 3, stride=2, padding=1)


@pytest.fixture
def no_allocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any figure being created fails the test: refusals must come first."""

    def allocated(size):
        raise AssertionError(f"a figure of {size} inches was created")

    for module in (style, matrix_module, overlap_module, steps_module):
        monkeypatch.setattr(module, "_new_figure", allocated)


@pytest.mark.parametrize(
    "size, error, text",
    [
        ((float("nan"), float("nan")), ParameterError, "finite positive"),
        ((float("inf"), 3), ParameterError, "finite positive"),
        ((-1, 3), ParameterError, "finite positive"),
        ((0, 3), ParameterError, "finite positive"),
        ((1e308, 1e308), TooLargeError, "MAX_INCHES=200"),
        ((1000, 1000), TooLargeError, "MAX_INCHES=200"),
        ((3,), ParameterTypeError, "pair"),
        ("7x6", ParameterTypeError, "pair"),
        ((True, 3), ParameterTypeError, "numbers"),
    ],
)
@pytest.mark.parametrize("kind", ["matrix", "steps", "overlap"])
def test_bad_sizes_are_refused_by_figure_and_render(no_allocation, kind, size, error, text):
    with pytest.raises(error, match=text) as info:
        figure(kind, SMALL, size=size)
    assert "\n" not in str(info.value)
    with pytest.raises(error, match=text):
        render(kind, SMALL, "never.png", size=size)
    assert not Path("never.png").exists()


@pytest.mark.parametrize(
    "dpi, error, text",
    [
        (100_000, TooLargeError, "MAX_DPI=2,400"),
        (0, ParameterError, "finite positive"),
        (float("nan"), ParameterError, "finite positive"),
        ("300", ParameterTypeError, "number"),
        (True, ParameterTypeError, "number"),
    ],
)
def test_bad_dpi_is_refused_before_drawing(no_allocation, dpi, error, text) -> None:
    with pytest.raises(error, match=text):
        render("overlap", SMALL, "never.png", dpi=dpi)


@pytest.mark.parametrize(
    "size, dpi, pixels",
    [((100, 100), 2_000, "40,000,000,000"), ((150, 150), 120, "324,000,000")],
)
def test_pixels_of_size_and_dpi_together_are_refused(no_allocation, size, dpi, pixels) -> None:
    with pytest.raises(TooLargeError, match="MAX_PIXELS") as info:
        render("matrix", SMALL, "never.png", size=size, dpi=dpi)
    assert f"{pixels} pixels" in str(info.value)


@pytest.mark.parametrize(
    "kind, geometry, limit",
    [
        ("overlap", Geometry((100_000, 100_000), 3), "MAX_CELLS"),
        ("overlap", Geometry(30_000, 3), "MAX_BARS"),
        ("overlap", Geometry((9_000, 9_000, 9_000), 3), "MAX_BARS"),
        ("steps", Geometry((600, 600), 3, stride=2), "MAX_CELLS"),
        ("steps", Geometry((60, 60), 3, in_channels=4, out_channels=4), "SymPy tier"),
        ("matrix", Geometry((8, 8), 3, in_channels=100, out_channels=100), "MAX_MATRIX_BLOCKS"),
        ("matrix", Geometry((2_000, 2_000), 3), "MAX_MATRIX_TERMS"),
        ("matrix", Geometry(10, 2_000_000, padding=999_990), "MAX_TAPS"),
    ],
)
def test_drawings_too_large_are_refused_before_drawing(no_allocation, kind, geometry, limit):
    with pytest.raises(TooLargeError, match=limit) as info:
        figure(kind, geometry)
    assert "\n" not in str(info.value)


def test_the_pixel_estimate_is_the_size_of_the_png(monkeypatch, tmp_path) -> None:
    def png_size(path: Path) -> tuple[int, int]:
        width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the IHDR chunk
        return width, height

    path = render("overlap", SMALL, tmp_path / "a.png", size=(2.0, 1.5), dpi=50)
    width, height = png_size(path)
    monkeypatch.setattr(style, "MAX_PIXELS", width * height)
    render("overlap", SMALL, tmp_path / "b.png", size=(2.0, 1.5), dpi=50)
    monkeypatch.setattr(style, "MAX_PIXELS", width * height - 1)
    with pytest.raises(TooLargeError, match=f"{width * height:,} pixels"):
        render("overlap", SMALL, tmp_path / "c.png", size=(2.0, 1.5), dpi=50)


def test_the_cell_estimate_is_the_size_of_the_heat_map(monkeypatch) -> None:
    g = Geometry((5, 7), 3, stride=2)
    cells = overlap(g).terms().size
    monkeypatch.setattr(overlap_module, "MAX_CELLS", cells)
    figure("overlap", g)
    monkeypatch.setattr(overlap_module, "MAX_CELLS", cells - 1)
    with pytest.raises(TooLargeError, match=f"{cells:,}"):
        figure("overlap", g)


def test_a_geometry_is_required() -> None:
    with pytest.raises(ParameterTypeError, match=r"geometry must be a symtconv\.Geometry"):
        figure("overlap", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "arguments",
    [
        ["--size", "nan", "nan"],
        ["--size", "inf", "3"],
        ["--size", "1e308", "1e308"],
        ["--size", "1000", "1000"],
        ["--dpi", "100000"],
        ["--kind", "overlap", "--input", "100000", "100000"],
    ],
)
def test_the_cli_refuses_in_one_line(tmp_path, arguments) -> None:
    command = [sys.executable, "-m", "symtconv", "figure", "--kernel", "3",
               "-o", str(tmp_path / "f.png")]
    if "--input" not in arguments:
        command += ["--input", "3", "3"]
    done = subprocess.run(command + arguments, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "f.png").exists()
