"""What every figure shares: matplotlib imported on demand under a fixed style, the
colours, deterministic saving (:func:`save_figure`), and small drawing helpers."""

from __future__ import annotations

import contextlib
import logging
import math
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..atomic import replacing
from ..errors import MissingDependencyError, ParameterError, ParameterTypeError, TooLargeError
from ..geometry import Geometry
from ..limits import limit

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


KINDS = ("matrix", "steps", "overlap")
FORMATS = ("png", "svg", "pdf")
DPI = 120

#: A matrix is drawn entry by entry up to this many rows and columns (else overview + zoom).
FULL_ROWS, FULL_COLUMNS = 64, 128
#: The zoom on a large matrix shows at most this many rows and columns.
ZOOM_ROWS, ZOOM_COLUMNS = 64, 200
#: Grids with more cells than this on an axis are drawn without text in the cells.
TEXT_CELLS = 16
#: The widest a figure is drawn by default, in inches: just under the text width of the
#: documents (16.5 cm), so that a document includes it at its own size and its fonts
#: print at the sizes they are drawn in.
WIDTH_IN = 6.48
#: No text in a figure is smaller than this (points, at the figure's own size).
MIN_FONT = 7.0

_INSTALL = "pip install 'symtconv[plot]'"

#: Limits, checked in closed form before matplotlib allocates anything: a side of a
#: figure in inches, the dots per inch, the pixels of the raster (width·height·dpi²) ...
#: (the ``figure.*`` limits of :mod:`symtconv.limits`, by name)
MAX_INCHES = limit("figure.inches")
MAX_DPI = limit("figure.dpi")
MAX_PIXELS = limit("figure.pixels")
#: ... the cells of a drawn grid, the bars of a bar chart (each a matplotlib patch) ...
MAX_CELLS = limit("figure.cells")
MAX_BARS = limit("figure.bars")
#: ... the nonzeros of one channel block of C (placed from Python), the channel
#: blocks of a large matrix (one patch each) and the kernel taps (one colour each).
MAX_MATRIX_TERMS = limit("figure.terms")
MAX_MATRIX_BLOCKS = limit("figure.blocks")
MAX_TAPS = limit("figure.taps")

_KEYS = {
    "MAX_INCHES": "figure.inches",
    "MAX_DPI": "figure.dpi",
    "MAX_PIXELS": "figure.pixels",
    "MAX_CELLS": "figure.cells",
    "MAX_BARS": "figure.bars",
    "MAX_MATRIX_TERMS": "figure.terms",
    "MAX_MATRIX_BLOCKS": "figure.blocks",
    "MAX_TAPS": "figure.taps",
}

#: The style every figure is drawn and saved with: matplotlib's defaults plus these.
_RC = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "image.interpolation": "nearest",
    "svg.hashsalt": "symtconv",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "savefig.facecolor": "white",
}

#: No dates or software versions, per format.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Creator": None, "Date": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}

_EMPTY = "#ffffff"
_ZERO = "#eeeeee"  # an inserted or padded zero
_INPUT = "#cfe3f7"
_KERNEL = "#fde2c4"
_GRID = "#b0b0b0"


def _matplotlib() -> Any:
    """Import matplotlib, or explain how to install it."""
    try:
        import matplotlib
        import matplotlib.figure  # Figure without pyplot's global state
    except ImportError as error:
        raise MissingDependencyError(
            f"figures need matplotlib, which is not installed: {_INSTALL}"
        ) from error
    return matplotlib


@contextlib.contextmanager
def _style() -> Iterator[Any]:
    """matplotlib's default style plus :data:`_RC`, whatever the user's rc files say."""
    mpl = _matplotlib()
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(_RC)
        yield mpl


# --------------------------------------------------------------------------- #
# limits
# --------------------------------------------------------------------------- #


def _too_large(estimate: str, name: str, value: int, instead: str) -> TooLargeError:
    """One line: the estimate, the limit by name, and what to do instead."""
    return TooLargeError(
        f"figure: {estimate}, more than {name}={value:,} ({_KEYS[name]}); {instead}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def check_size(size: Any) -> tuple[float, float] | None:
    """``size`` as ``(width, height)`` in inches: two finite positive numbers of at most
    :data:`MAX_INCHES` each, or ``None`` (chosen from the geometry).

    >>> check_size((7, 6.5))
    (7.0, 6.5)
    >>> check_size((float("nan"), 3))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: size must be two finite positive numbers of inches ...
    >>> check_size((1e308, 1e308))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.TooLargeError: figure: a side of 1e+308 inches, more than MAX_INCHES=200 ...
    """
    if size is None:
        return None
    if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
        raise ParameterTypeError(
            f"size must be a pair (width, height) of inches, got size={size!r:.60}"
        )
    if not all(_is_number(v) for v in size):
        raise ParameterTypeError(
            f"size must be two numbers of inches (width, height), got size={tuple(size)!r:.60}"
        )
    width, height = (float(v) for v in size)
    if not all(math.isfinite(v) and v > 0 for v in (width, height)):
        raise ParameterError(
            "size must be two finite positive numbers of inches (width, height), got "
            f"size={tuple(size)!r:.60}"
        )
    side = max(width, height)
    if side > MAX_INCHES:
        raise _too_large(
            f"a side of {side:g} inches", "MAX_INCHES", MAX_INCHES, "use a smaller size"
        )
    return width, height


def check_dpi(dpi: Any) -> float:
    """``dpi``: a finite positive number of dots per inch, at most :data:`MAX_DPI`.

    >>> check_dpi(300)
    300.0
    >>> check_dpi(100_000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.TooLargeError: figure: 100000 dpi, more than MAX_DPI=2,400 (figure.dpi); ...
    """
    if not _is_number(dpi):
        raise ParameterTypeError(f"dpi must be a number of dots per inch, got dpi={dpi!r:.60}")
    value = float(dpi)
    if not (math.isfinite(value) and value > 0):
        raise ParameterError(f"dpi must be a finite positive number, got dpi={dpi!r}")
    if value > MAX_DPI:
        raise _too_large(f"{value:g} dpi", "MAX_DPI", MAX_DPI, "use a smaller dpi")
    return value


def check_pixels(size: tuple[float, float], dpi: float) -> None:
    """Refuse a raster of more than :data:`MAX_PIXELS` pixels (``width·height·dpi²``).

    >>> check_pixels((1000.0, 1000.0), 120)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.TooLargeError: figure: 14,400,000,000 pixels (1000 × 1000 inches at 120 dpi)...
    """
    width, height = size
    pixels = round(width * dpi) * round(height * dpi)
    if pixels > MAX_PIXELS:
        raise _too_large(
            f"{pixels:,} pixels ({width:g} × {height:g} inches at {dpi:g} dpi)",
            "MAX_PIXELS",
            MAX_PIXELS,
            "use a smaller size or dpi, or .svg",
        )


def check_cells(what: str, value: int, name: str, most: int, instead: str) -> None:
    """Refuse a figure whose ``what`` (estimated in closed form) exceeds ``most``."""
    if value > most:
        raise _too_large(f"{what}: {value:,}", name, most, instead)


def _new_figure(size: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=DPI, layout="constrained")


# --------------------------------------------------------------------------- #
# saving
# --------------------------------------------------------------------------- #


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ParameterError(f"a figure file must end in .png, .svg or .pdf, got {str(path)!r}")
    return fmt


def save_figure(fig: Figure, path: str | Path, *, dpi: int = DPI) -> Path:
    """Write ``fig`` to ``path`` (.png, .svg or .pdf) reproducibly.

    Explanation
    ===========

    The figure keeps its size (no tight bounding box): a PNG is ``width·dpi`` by
    ``height·dpi`` pixels.  Metadata carries no date or software version and SVG ids
    come from a fixed salt, so the same figure always gives the same bytes.  The file is
    written to a temporary file in the same folder and renamed into place
    (:func:`symtconv.atomic.replacing`): an interrupted save leaves the previous file.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import overlap_figure, save_figure
    >>> save_figure(overlap_figure(Geometry(4, 3, stride=2)), "o.svg")  # doctest: +SKIP
    PosixPath('o.svg')
    """
    path = Path(path)
    fmt = _format_of(path)
    check_pixels(tuple(float(v) for v in fig.get_size_inches()), check_dpi(dpi))  # type: ignore[arg-type]
    with _style(), _quiet_fonts(), replacing(path) as partial:  # whole or not at all
        fig.savefig(partial, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return path


class _LowTimestamp(logging.Filter):
    """Drops fontTools' note that a bundled font's 'created'/'modified' timestamp "seems
    very low" (said while embedding the font in a PDF; harmless, and nothing a reader of
    the figure can act on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "timestamp seems very low" not in record.getMessage()


@contextlib.contextmanager
def _quiet_fonts() -> Iterator[None]:
    """:class:`_LowTimestamp` on fontTools' ``head`` table logger while a figure is saved."""
    logger = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    note = _LowTimestamp()
    logger.addFilter(note)
    try:
        yield
    finally:
        logger.removeFilter(note)


# --------------------------------------------------------------------------- #
# shared drawing helpers
# --------------------------------------------------------------------------- #


def _tap_colours(count: int) -> list[Any]:
    from matplotlib import colormaps

    if count <= 10:
        return [colormaps["tab10"](n) for n in range(count)]
    if count <= 20:
        return [colormaps["tab20"](n) for n in range(count)]
    return [colormaps["viridis"](n / max(count - 1, 1)) for n in range(count)]


def _entry_label(name: str) -> str:
    """An entry's symbol ``y_{0,1}`` as ``y[0,1]``: plain text, so that its index prints
    at the label's size (a mathtext subscript would print at 70% of it).

    >>> from symtconv.figures.style import _entry_label
    >>> _entry_label("y_{0,1}"), _entry_label("w_{c,c',2}"), _entry_label("x")
    ('y[0,1]', "w[c,c',2]", 'x')
    """
    return re.sub(r"_\{(.*)\}$", r"[\1]", name)


#: Subscript digits, for an axis's index as the text writes it (``j₁``).
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _index_name(axis: int, ndim: int, base: str = "j") -> str:
    """The index of ``axis`` (0-based) as the text writes it: ``j`` in 1-D, else ``j₁``,
    ``j₂``, ... (axes are numbered from 1, as in the documents and the terminal).

    >>> from symtconv.figures.style import _index_name
    >>> _index_name(0, 1), _index_name(0, 2), _index_name(1, 2)
    ('j', 'j₁', 'j₂')
    """
    return base if ndim == 1 else base + str(axis + 1).translate(_SUBSCRIPTS)


def _cell_grid(ax: Axes, rows: int, cols: int, colour: str = _GRID, width: float = 0.5) -> None:
    """Thin lines between the cells of an ``imshow`` of shape ``(rows, cols)``."""
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color=colour, linewidth=width)
    ax.tick_params(which="minor", length=0)


def _wrapped(text: str, width: int = 90) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _thin_ticks(count: int, most: int, length_in: float | None = None) -> list[int]:
    """Every ``step``-th of ``count`` positions: at most ``most`` of them and, given the
    axis length in inches, no more than fit side by side in :data:`MIN_FONT` text."""
    if length_in is not None:
        most = min(most, max(1, int(length_in * 72 / (MIN_FONT * 1.2))))
    step = max(1, math.ceil(count / most))
    return list(range(0, count, step))


def _single_channel(geometry: Geometry) -> Geometry:
    """The same spatial geometry with one input and one output channel."""
    return Geometry(
        geometry.input_size,
        geometry.kernel_size,
        stride=geometry.stride,
        padding=geometry.padding,
        output_padding=geometry.output_padding,
        dilation=geometry.dilation,
    )
