"""What every figure shares: matplotlib imported on demand under a fixed style, the
colours, deterministic saving (:func:`save_figure`), and small drawing helpers."""

from __future__ import annotations

import contextlib
import math
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MissingDependencyError, ParameterError
from ..geometry import Geometry

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

_INSTALL = "pip install 'symtconv[plot]'"

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
    come from a fixed salt, so the same figure always gives the same bytes.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import overlap_figure, save_figure
    >>> save_figure(overlap_figure(Geometry(4, 3, stride=2)), "o.svg")  # doctest: +SKIP
    PosixPath('o.svg')
    """
    path = Path(path)
    fmt = _format_of(path)
    with _style():
        fig.savefig(path, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return path


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


def _math(name: str) -> str:
    """``y_{0,1}`` as mathtext."""
    return f"${name}$"


def _cell_grid(ax: Axes, rows: int, cols: int, colour: str = _GRID, width: float = 0.5) -> None:
    """Thin lines between the cells of an ``imshow`` of shape ``(rows, cols)``."""
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color=colour, linewidth=width)
    ax.tick_params(which="minor", length=0)


def _wrapped(text: str, width: int = 90) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _thin_ticks(count: int, most: int) -> list[int]:
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
