"""Figures: the matrix C, the flip-and-pad steps, and the overlap (checkerboard) map.

Explanation
===========

Three kinds of figure, each a function returning a matplotlib ``Figure``:

- :func:`matrix_figure` — the sparsity pattern of C (or Cᵀ), every nonzero coloured
  by the kernel tap that stands in it, channel blocks outlined.  A matrix too large
  to read entry by entry (the seed's 3→6 channel, 32×32 layer has a 3072×22326 C)
  is drawn as an overview of its channel blocks (each with the density of its
  nonzeros) next to a zoom on the top-left corner of the first block;
- :func:`steps_figure` — flip-and-pad's stages side by side: input, zero-inserted,
  padded (or cropped), flipped kernel, output; entries are values when given, else
  symbol names (``y_{0,1}`` in mathtext) when the grids are small enough;
- :func:`overlap_figure` — how many ``y·w`` terms reach each output position (the
  nonzeros of each column of C), from :mod:`symtconv.overlap`.

matplotlib is the optional ``plot`` extra (``pip install 'symtconv[plot]'``); it is
imported only inside these functions, and without it they raise
:class:`symtconv.errors.MissingDependencyError`.  Files are written with the Agg,
SVG and PDF backends under a fixed style and without dates or version strings in
their metadata, so rendering twice gives identical bytes and figures can be
committed.

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.figures import render
>>> g = Geometry((3, 3), 3, stride=2, padding=1)
>>> render("overlap", g, "overlap.png")  # doctest: +SKIP
PosixPath('overlap.png')

All three kinds for one geometry, e.g. for a derivation document:

>>> from symtconv.figures import write_figures
>>> paths = write_figures(g, "figures", stem="seed", formats=("svg",))  # doctest: +SKIP
>>> [p.name for p in paths]  # doctest: +SKIP
['seed-matrix.svg', 'seed-steps.svg', 'seed-overlap.svg']
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MissingDependencyError, ParameterError
from ..geometry import Geometry
from ..matrix import matrix_entries
from ..overlap import overlap
from ..tensors import input_symbols, spatial_shape, symbol_name, weight_symbols

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "FORMATS",
    "KINDS",
    "figure",
    "figure_kinds",
    "matrix_figure",
    "overlap_figure",
    "render",
    "save_figure",
    "seed_figures",
    "steps_figure",
    "write_figures",
]

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


# --------------------------------------------------------------------------- #
# matrix
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Pattern:
    """Nonzeros of C: flat row, flat column and flat spatial tap of each."""

    rows: np.ndarray
    cols: np.ndarray
    taps: np.ndarray
    row_shape: tuple[int, ...]
    col_shape: tuple[int, ...]


def _pattern(geometry: Geometry) -> _Pattern:
    row_shape = spatial_shape(geometry, (geometry.in_channels, *geometry.forward_output_size))
    col_shape = spatial_shape(geometry, geometry.output_shape)
    kernel = spatial_shape(geometry, geometry.kernel_size)
    rows, cols, taps = [], [], []
    for row, col, tap in matrix_entries(geometry):
        rows.append(row)
        cols.append(col)
        taps.append(tap[2:])
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Pattern(empty, empty, empty, row_shape, col_shape)
    return _Pattern(
        np.ravel_multi_index(np.array(rows).T, row_shape),
        np.ravel_multi_index(np.array(cols).T, col_shape),
        np.ravel_multi_index(np.array(taps).T, kernel),
        row_shape,
        col_shape,
    )


def _tap_labels(geometry: Geometry) -> list[str]:
    kernel = spatial_shape(geometry, geometry.kernel_size)
    single = (geometry.in_channels, geometry.out_channels) == (1, 1)
    labels = []
    for m in np.ndindex(*kernel):
        index = ",".join(str(v) for v in m)
        labels.append(_math(f"w_{{{index}}}" if single else f"w_{{c,c',{index}}}"))
    return labels


def _tap_image(
    rows: np.ndarray, cols: np.ndarray, taps: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    image = np.full(shape, -1, dtype=np.int64)
    image[rows, cols] = taps
    return image


def _draw_taps(ax: Axes, image: np.ndarray, colours: list[Any]) -> None:
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap([_EMPTY, *colours])
    norm = BoundaryNorm(np.arange(-1.5, len(colours), 1), cmap.N)
    ax.imshow(image, cmap=cmap, norm=norm, aspect="equal" if max(image.shape) <= 200 else "auto")


def _tap_legend(fig: Figure, ax: Axes, geometry: Geometry, colours: list[Any]) -> None:
    from matplotlib.patches import Patch

    labels = _tap_labels(geometry)
    if len(labels) <= 20:
        handles = [
            Patch(facecolor=c, edgecolor="none", label=t)
            for c, t in zip(colours, labels, strict=True)
        ]
        fig.legend(
            handles=handles,
            title="kernel tap",
            loc="outside right center",
            ncols=1 if len(labels) <= 10 else 2,
            frameon=False,
        )
    else:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import BoundaryNorm, ListedColormap

        cmap = ListedColormap(colours)
        norm = BoundaryNorm(np.arange(-0.5, len(colours), 1), cmap.N)
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8)
        bar.set_label("kernel tap m (row-major index)")


def _index_labels(base: str, shape: tuple[int, ...], positions: Sequence[int]) -> list[str]:
    return [
        _math(symbol_name(base, tuple(int(v) for v in np.unravel_index(p, shape)), shape, 1))
        for p in positions
    ]


def _block_lines(
    ax: Axes, geometry: Geometry, transpose: bool, block: tuple[int, int], size: tuple[int, int]
) -> None:
    """Thick lines between channel blocks; blocks joining different groups hatched."""
    from matplotlib.patches import Rectangle

    (row_block, col_block), (rows, cols) = block, size
    per_in = geometry.in_channels // geometry.groups
    per_out = geometry.out_channels // geometry.groups
    for br in range(rows // row_block):
        for bc in range(cols // col_block):
            c_in, c_out = (bc, br) if transpose else (br, bc)
            if c_in // per_in != c_out // per_out:
                ax.add_patch(
                    Rectangle(
                        (bc * col_block - 0.5, br * row_block - 0.5),
                        col_block,
                        row_block,
                        facecolor="none",
                        hatch="//",
                        edgecolor=_GRID,
                        linewidth=0,
                    )
                )
    for r in range(row_block, rows, row_block):
        ax.axhline(r - 0.5, color="black", linewidth=1.4)
    for c in range(col_block, cols, col_block):
        ax.axvline(c - 0.5, color="black", linewidth=1.4)


def _axis_names(transpose: bool) -> tuple[str, str, str, str]:
    """(row base, column base, row label, column label)."""
    y_label = "entries of y (c_in, n)"
    x_label = "entries of x (c_out, j)"
    if transpose:
        return "x", "y", x_label, y_label
    return "y", "x", y_label, x_label


def _full_matrix(fig: Figure, geometry: Geometry, pattern: _Pattern, transpose: bool) -> None:
    rows, cols = int(np.prod(pattern.row_shape)), int(np.prod(pattern.col_shape))
    r, c, row_shape, col_shape = pattern.rows, pattern.cols, pattern.row_shape, pattern.col_shape
    row_block, col_block = rows // geometry.in_channels, cols // geometry.out_channels
    if transpose:
        r, c, rows, cols = c, r, cols, rows
        row_shape, col_shape, row_block, col_block = col_shape, row_shape, col_block, row_block
    colours = _tap_colours(int(np.prod(spatial_shape(geometry, geometry.kernel_size))))
    ax = fig.add_subplot()
    _draw_taps(ax, _tap_image(r, c, pattern.taps, (rows, cols)), colours)
    _cell_grid(ax, rows, cols)
    _block_lines(ax, geometry, transpose, (row_block, col_block), (rows, cols))
    row_base, col_base, row_label, col_label = _axis_names(transpose)
    ax.set_yticks(ticks := _thin_ticks(rows, 40))
    ax.set_yticklabels(_index_labels(row_base, row_shape, ticks), fontsize=7)
    ax.set_xticks(ticks := _thin_ticks(cols, 64))
    ax.set_xticklabels(_index_labels(col_base, col_shape, ticks), fontsize=7, rotation=90)
    ax.tick_params(length=2)
    ax.set_ylabel(f"rows: {row_label}")
    ax.set_xlabel(f"columns: {col_label}")
    name = "Cᵀ" if transpose else "C"
    blocks = (
        f", {geometry.in_channels}×{geometry.out_channels} channel blocks"
        if geometry.in_channels * geometry.out_channels > 1
        else ""
    )
    ax.set_title(
        f"{name}: {rows}×{cols}, {len(r)} nonzeros{blocks}  "
        f"({'x = Cᵀ·y' if transpose else 'y = C·x'})"
    )
    _tap_legend(fig, ax, geometry, colours)


def _large_matrix(fig: Figure, geometry: Geometry, transpose: bool) -> None:
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Rectangle

    block = _pattern(_single_channel(geometry))
    block_rows, block_cols = int(np.prod(block.row_shape)), int(np.prod(block.col_shape))
    r, c = block.rows, block.cols
    row_shape, col_shape = block.row_shape[1:], block.col_shape[1:]
    n_row_blocks, n_col_blocks = geometry.in_channels, geometry.out_channels
    if transpose:
        r, c, block_rows, block_cols = c, r, block_cols, block_rows
        row_shape, col_shape = col_shape, row_shape
        n_row_blocks, n_col_blocks = n_col_blocks, n_row_blocks
    rows, cols = n_row_blocks * block_rows, n_col_blocks * block_cols
    overview, zoom = fig.subplots(1, 2, width_ratios=[1, 1.5])

    # overview: every channel block, each showing the density of its nonzeros
    bins = (min(block_rows, 96), min(block_cols, 192))
    density, _, _ = np.histogram2d(r, c, bins=bins, range=((0, block_rows), (0, block_cols)))
    density = np.where(density > 0, np.log1p(density), np.nan)
    cmap = LinearSegmentedColormap.from_list("density", ["#9ecae1", "#08306b"]).with_extremes(
        bad=_EMPTY
    )
    per_in = geometry.in_channels // geometry.groups
    per_out = geometry.out_channels // geometry.groups
    for br in range(n_row_blocks):
        for bc in range(n_col_blocks):
            c_in, c_out = (bc, br) if transpose else (br, bc)
            x0, y0 = bc * block_cols, br * block_rows
            if c_in // per_in == c_out // per_out:  # the same group: a nonzero block
                overview.imshow(
                    density,
                    cmap=cmap,
                    aspect="auto",
                    extent=(x0, x0 + block_cols, y0 + block_rows, y0),
                )
            else:
                overview.add_patch(
                    Rectangle(
                        (x0, y0),
                        block_cols,
                        block_rows,
                        facecolor=_ZERO,
                        hatch="//",
                        edgecolor=_GRID,
                        linewidth=0,
                    )
                )
    for br in range(n_row_blocks + 1):
        overview.axhline(br * block_rows, color="black", linewidth=1.0)
    for bc in range(n_col_blocks + 1):
        overview.axvline(bc * block_cols, color="black", linewidth=1.0)
    overview.set_xlim(0, cols)
    overview.set_ylim(rows, 0)
    row_base, col_base, row_label, col_label = _axis_names(transpose)
    row_channel = "c_out" if transpose else "c_in"
    col_channel = "c_in" if transpose else "c_out"
    overview.set_yticks([(b + 0.5) * block_rows for b in range(n_row_blocks)])
    overview.set_yticklabels([f"{row_channel}={b}" for b in range(n_row_blocks)])
    overview.set_xticks([(b + 0.5) * block_cols for b in range(n_col_blocks)])
    overview.set_xticklabels(
        [f"{col_channel}={b}" for b in range(n_col_blocks)], rotation=90 if n_col_blocks > 4 else 0
    )
    overview.tick_params(length=0)
    overview.set_title(
        f"{'Cᵀ' if transpose else 'C'}: {rows}×{cols} in {n_row_blocks}×{n_col_blocks} blocks "
        f"of {block_rows}×{block_cols}\n{len(r)} nonzeros per nonzero block "
        f"(dark: denser; hatched: other group)"
    )
    overview.set_ylabel(f"row blocks: {row_label}")
    overview.set_xlabel(f"column blocks: {col_label}")

    # zoom: the top-left corner of the first block, entry by entry
    trailing = int(np.prod(row_shape[1:])) if len(row_shape) > 1 else 8
    zoom_rows = min(block_rows, ZOOM_ROWS, max(16, 2 * trailing))
    inside = r < zoom_rows
    zoom_cols = min(block_cols, ZOOM_COLUMNS, int(c[inside].max()) + 1 if inside.any() else 1)
    keep = inside & (c < zoom_cols)
    colours = _tap_colours(int(np.prod(spatial_shape(geometry, geometry.kernel_size))))
    _draw_taps(
        zoom, _tap_image(r[keep], c[keep], block.taps[keep], (zoom_rows, zoom_cols)), colours
    )
    zoom.set_aspect("auto")
    if zoom_rows <= 40 and zoom_cols <= 100:
        _cell_grid(zoom, zoom_rows, zoom_cols)
    zoom.set_yticks(ticks := _thin_ticks(zoom_rows, 16))
    zoom.set_yticklabels(_index_labels(row_base, (1, *row_shape), ticks), fontsize=7)
    zoom.set_xticks(ticks := _thin_ticks(zoom_cols, 12))
    zoom.set_xticklabels(_index_labels(col_base, (1, *col_shape), ticks), fontsize=7, rotation=90)
    zoom.set_title(f"zoom: rows 0–{zoom_rows - 1}, columns 0–{zoom_cols - 1} of the first block")
    overview.add_patch(
        Rectangle((0, 0), zoom_cols, zoom_rows, fill=False, edgecolor="red", linewidth=1.5)
    )
    overview.annotate(
        "zoom",
        (zoom_cols, zoom_rows),
        xytext=(0.35, 0.9),
        textcoords="axes fraction",
        color="red",
        arrowprops={"arrowstyle": "->", "color": "red"},
    )
    _tap_legend(fig, zoom, geometry, colours)


def matrix_figure(
    geometry: Geometry, *, transpose: bool = False, size: tuple[float, float] | None = None
) -> Figure:
    """The sparsity pattern of C (or Cᵀ), coloured by kernel tap.

    Explanation
    ===========

    Up to :data:`FULL_ROWS` × :data:`FULL_COLUMNS` every entry is drawn, with cell
    grid lines, thick lines between channel blocks, ``y``/``x`` entry names on the
    axes and a legend of the taps ``w_{m}``.  Larger matrices get two panels: the
    channel blocks (each showing the density of its nonzeros; blocks that join
    different groups are hatched) and a zoom on the top-left corner of the first
    block, entry by entry.  The pattern comes from :func:`symtconv.matrix.matrix_entries`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import matrix_figure
    >>> fig = matrix_figure(Geometry((3, 3), 3, stride=2, padding=1))  # doctest: +SKIP
    >>> fig.get_size_inches()  # doctest: +SKIP
    array([10. ,  4.2])

    Parameters
    ==========

    geometry : a concrete Geometry.
    transpose : draw Cᵀ (rows: x entries, columns: y entries).
    size : figure size in inches (width, height); chosen from the matrix by default.
    """
    spatial_shape(geometry, geometry.input_size)
    with _style():
        rows = geometry.in_channels * int(
            np.prod(spatial_shape(geometry, geometry.forward_output_size))
        )
        cols = geometry.out_channels * int(np.prod(spatial_shape(geometry, geometry.output_size)))
        if transpose:
            rows, cols = cols, rows
        full = rows <= FULL_ROWS and cols <= FULL_COLUMNS
        if size is None:
            if full:
                width = min(14.0, max(6.0, 0.16 * cols + 3.2))
                cell = min(0.16, (width - 3.2) / cols)  # cells stay square
                size = (width, min(10.0, max(3.2, cell * rows + 2.4)))
            else:
                size = (14.0, 6.0)
        fig = _new_figure(size)
        if full:
            _full_matrix(fig, geometry, _pattern(geometry), transpose)
        else:
            _large_matrix(fig, geometry, transpose)
    return fig


# --------------------------------------------------------------------------- #
# flip-and-pad steps
# --------------------------------------------------------------------------- #


def _as_2d(array: np.ndarray) -> np.ndarray:
    return array.reshape(1, -1) if array.ndim == 1 else array


def _entry_text(value: Any) -> str:
    """A number as it is, a symbol such as ``y_{0,1}`` in mathtext, zero as ``0``."""
    import sympy as sp

    value = sp.sympify(value)
    if value.is_Number:
        return str(value)
    if value.is_Symbol:
        return _math(value.name)
    return _math(sp.latex(value))


def _draw_grid(
    ax: Axes,
    values: np.ndarray,
    colours: np.ndarray,
    title: str,
    text: bool,
    fontsize: float,
    grid: bool = True,
) -> None:
    from matplotlib.colors import to_rgba

    values, colours = _as_2d(values), _as_2d(colours)
    rgba = np.array([[to_rgba(c) for c in row] for row in colours])
    ax.imshow(rgba, aspect="equal")
    rows, cols = values.shape
    if grid:
        _cell_grid(ax, rows, cols, colour="#888888", width=0.6)
    if text:
        for (r, c), value in np.ndenumerate(values):
            ax.text(c, r, _entry_text(value), ha="center", va="center", fontsize=fontsize)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


def _pad_title(geometry: Geometry) -> str:
    befores = [int(ax.pad_before) for ax in geometry.axes]
    afters = [int(ax.pad_after) for ax in geometry.axes]

    def amount(value: int) -> str:
        return f"pad {value}" if value >= 0 else f"crop {-value}"

    if len(set(befores + afters)) == 1:
        what = amount(befores[0]) + " on each side"
    else:
        what = "; ".join(
            f"{amount(b)} before, {amount(e)} after" for b, e in zip(befores, afters, strict=True)
        )
    return f"3. {what}\nd(k-1)-p = {', '.join(str(b) for b in befores)}"


def steps_figure(
    geometry: Geometry,
    y: np.ndarray | None = None,
    w: np.ndarray | None = None,
    *,
    size: tuple[float, float] | None = None,
) -> Figure:
    """Flip-and-pad's stages side by side, for a 1-D or 2-D geometry.

    Explanation
    ===========

    Input ``y``, ``y`` with ``s-1`` zeros inserted, padded by ``d(k-1)-p`` (a crop when
    negative), the flipped kernel, and the output of the stride-1 correlation, all
    computed by :func:`symtconv.methods.flip_and_pad`.  Without values the entries are
    symbols (``y_{0,1}``, ``w_{2,2}``) and the output cells give their number of
    ``y·w`` terms; cells too small for text (grids much wider than :data:`TEXT_CELLS`)
    are drawn without it.  With
    several channels the first input channel, weight ``w[0, 0]`` and output channel
    are drawn.

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv import Geometry
    >>> from symtconv.figures import steps_figure
    >>> y = np.array([[[9, 1, 3], [7, 8, 7], [8, 2, 2]]])
    >>> w = np.array([[[[4, 2, 3], [1, 4, 3], [1, 1, 1]]]])
    >>> fig = steps_figure(Geometry((3, 3), 3, stride=2, padding=1), y, w)  # doctest: +SKIP

    Parameters
    ==========

    geometry : a concrete 1-D or 2-D Geometry.
    y, w : values of shape ``(C_in, *i)`` and ``(C_in, C_out/groups, *k)``; symbols
        when omitted.
    size : figure size in inches; chosen from the grids by default.
    """
    from ..methods import flip_and_pad

    spatial_shape(geometry, geometry.input_size)
    if geometry.ndim > 2:
        raise ParameterError(
            f"the steps figure draws 1-D and 2-D geometries, got {geometry.ndim} axes "
            f"({geometry.describe()})"
        )
    symbolic = y is None and w is None
    terms = overlap(geometry).terms()
    # symbols: one channel is drawn, and the output panel shows term counts, so the
    # single-channel recipe is enough (and much cheaper in SymPy)
    drawn = _single_channel(geometry) if symbolic else geometry
    if y is None:
        y = input_symbols(drawn)
    if w is None:
        w = weight_symbols(drawn)
    steps = flip_and_pad(drawn, y, w)
    # where y's entries stand after each stage: the same recipe run on ones
    where = flip_and_pad(
        drawn,
        np.ones(spatial_shape(drawn, drawn.input_shape), dtype=object),
        np.ones(spatial_shape(drawn, drawn.weight_shape), dtype=object),
    )

    def shape_text(a: np.ndarray) -> str:
        return "×".join(str(n) for n in a.shape)

    def coloured(mask: np.ndarray) -> np.ndarray:
        return np.where(mask != 0, _INPUT, _ZERO).astype(object)

    y0, kernel, result = np.asarray(y, dtype=object)[0], steps.flipped[0, 0], steps.result[0]
    stride = ", ".join(str(s) for s in geometry.stride)
    dilation = ", ".join(str(d) for d in geometry.dilation)
    top = max(int(terms.max()), 1)
    heat = _matplotlib().colormaps["YlOrRd"]
    stages: list[tuple[np.ndarray, np.ndarray, str]] = [
        (y0, np.full(y0.shape, _INPUT, dtype=object), f"1. input y ({shape_text(y0)})"),
        (
            steps.zero_inserted[0],
            coloured(where.zero_inserted[0]),
            f"2. insert s-1 zeros, s = {stride}\n({shape_text(steps.zero_inserted[0])})",
        ),
        (
            steps.padded[0],
            coloured(where.padded[0]),
            _pad_title(geometry) + f" ({shape_text(steps.padded[0])})",
        ),
        (
            kernel,
            np.full(kernel.shape, _KERNEL, dtype=object),
            f"4. flip the kernel\n({shape_text(kernel)})",
        ),
        (
            terms if symbolic else result,
            np.vectorize(lambda n: heat(0.1 + 0.55 * n / top), otypes=[object])(terms),
            f"5. correlate, stride 1, dilation {dilation}\n"
            f"({shape_text(result)}{': y·w terms per entry' if symbolic else ''})",
        ),
    ]
    shapes = [_as_2d(values).shape for values, _, _ in stages]
    widths = [cols for _, cols in shapes]
    # small grids (the kernel) get a fair share of the width, aligned grids equal cells
    ratios = [max(cols, sum(widths) / 12) for cols in widths]
    with _style():
        if size is None:
            cell = 0.5 if max(widths) <= TEXT_CELLS else max(0.12, 8.0 / max(widths))
            height = max(rows for rows, _ in shapes)
            size = (min(18.0, cell * sum(ratios) + 1.0), min(8.0, cell * height + 1.4))
        fig = _new_figure(size)
        axes = fig.subplots(1, len(stages), width_ratios=ratios)
        for ax, (values, colours, title), (rows, cols), ratio in zip(
            axes, stages, shapes, ratios, strict=True
        ):
            # the side of one cell in inches, as the panel will draw it (equal aspect)
            cell = min((size[0] - 1.0) * ratio / sum(ratios) / cols, (size[1] - 1.4) / rows)
            fontsize = min(9.0, cell * 72 * (0.3 if symbolic else 0.42))
            _draw_grid(ax, values, colours, title, fontsize >= 5.0, fontsize, cell >= 0.06)
        channels = ""
        if geometry.in_channels * geometry.out_channels > 1:
            channels = " — channel 0 of y, w[0, 0] and output channel 0 shown"
        fig.suptitle(_wrapped(f"flip-and-pad: {geometry.describe()}{channels}", 140), fontsize=9)
    return fig


# --------------------------------------------------------------------------- #
# overlap
# --------------------------------------------------------------------------- #


def overlap_figure(geometry: Geometry, *, size: tuple[float, float] | None = None) -> Figure:
    """A heat map of the number of ``y·w`` terms reaching each output position.

    Explanation
    ===========

    The counts of :func:`symtconv.overlap.overlap` — the nonzeros of each column of C
    within one output channel — with the per-axis counts as bars along the edges and
    the interior (no border effect) outlined.  1-D geometries are a bar chart; 3-D
    and higher show one bar chart per axis.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import overlap_figure
    >>> fig = overlap_figure(Geometry((3, 3), 3, stride=2, padding=1))  # doctest: +SKIP

    Parameters
    ==========

    geometry : a concrete Geometry.
    size : figure size in inches; (7, 6) for 2-D by default.
    """
    ov = overlap(geometry)
    terms = ov.terms()
    verdict = (
        "uniform interior"
        if ov.uniform
        else f"checkerboard, period {' × '.join(str(p) for p in ov.period)}"
    )
    title = f"y·w terms per output position: {verdict}"
    factor = f" (× C_in/groups = {ov.channel_factor})" if ov.channel_factor > 1 else ""
    with _style():
        if geometry.ndim == 2:
            fig = _new_figure(size or (7.0, 6.2))
            _overlap_2d(fig, ov, terms)
        else:
            fig = _new_figure(size or (min(14.0, 4.0 + 4.0 * geometry.ndim), 3.4))
            axes = fig.subplots(1, geometry.ndim, squeeze=False)[0]
            for n, (ax, axis) in enumerate(zip(axes, ov.axes, strict=True)):
                _bars(
                    ax,
                    np.array(axis.counts) * (ov.channel_factor if geometry.ndim == 1 else 1),
                    axis,
                )
                ax.set_xlabel(f"output index j{n if geometry.ndim > 1 else ''}")
                ax.set_ylabel("terms" if geometry.ndim == 1 else f"taps on axis {n}")
                ax.set_title(f"axis {n}: {axis.reason}", fontsize=7)
        fig.suptitle(f"{title}{factor}\n{_wrapped(geometry.describe())}", fontsize=9)
    return fig


def _bars(ax: Axes, counts: np.ndarray, axis: Any, vertical: bool = True) -> None:
    from matplotlib.ticker import MaxNLocator

    positions = np.arange(len(counts))
    (ax.yaxis if vertical else ax.xaxis).set_major_locator(MaxNLocator(integer=True))
    if vertical:
        ax.bar(positions, counts, color="#e6550d", width=0.85)
    else:
        ax.barh(positions, counts, color="#e6550d", height=0.85)
    if axis.interior_range is not None:
        first, last = axis.interior_range
        span = ax.axvspan if vertical else ax.axhspan
        span(first - 0.5, last + 0.5, color="#dddddd", zorder=0, label="interior")


def _overlap_2d(fig: Figure, ov: Any, terms: np.ndarray) -> None:
    from matplotlib.colors import BoundaryNorm
    from matplotlib.patches import Rectangle

    grid = fig.add_gridspec(2, 3, width_ratios=[5, 1, 0.25], height_ratios=[1, 5])
    heat = fig.add_subplot(grid[1, 0])
    top = fig.add_subplot(grid[0, 0], sharex=heat)
    side = fig.add_subplot(grid[1, 1], sharey=heat)
    bar_ax = fig.add_subplot(grid[1, 2])
    from matplotlib import colormaps

    high = int(terms.max())
    # one colour per count that occurs, boundaries halfway between them
    values = np.unique(terms)
    edges = np.concatenate(([values[0] - 0.5], (values[:-1] + values[1:]) / 2, [values[-1] + 0.5]))
    cmap = colormaps["viridis"].resampled(max(len(values), 2))
    norm = BoundaryNorm(edges, cmap.N)
    image = heat.imshow(terms, cmap=cmap, norm=norm, aspect="equal")
    rows, cols = terms.shape
    if max(rows, cols) <= 24:
        _cell_grid(heat, rows, cols, colour="white", width=0.8)
        for (r, c), value in np.ndenumerate(terms):
            heat.text(
                c,
                r,
                str(value),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value < 0.6 * high else "black",
            )
    ranges = [ax.interior_range for ax in ov.axes]
    if all(r is not None for r in ranges):
        (r0, r1), (c0, c1) = ranges
        heat.add_patch(
            Rectangle(
                (c0 - 0.5, r0 - 0.5),
                c1 - c0 + 1,
                r1 - r0 + 1,
                fill=False,
                edgecolor="red",
                linestyle="--",
                linewidth=2.0,
                label="interior",
            )
        )
    heat.set_xlabel("output index j1 (columns)")
    heat.set_ylabel("output index j0 (rows)")
    fig.colorbar(image, cax=bar_ax, ticks=values, label="terms")
    _bars(top, np.array(ov.axes[1].counts), ov.axes[1])
    _bars(side, np.array(ov.axes[0].counts), ov.axes[0], vertical=False)
    top.set_ylabel("taps (axis 1)")
    top.tick_params(labelbottom=False)
    side.set_xlabel("taps (axis 0)")
    side.tick_params(labelleft=False)
    top.set_title("\n".join(f"axis {n}: {ax.reason}" for n, ax in enumerate(ov.axes)), fontsize=7)
    from matplotlib.ticker import MaxNLocator

    heat.xaxis.set_major_locator(MaxNLocator(integer=True))
    heat.yaxis.set_major_locator(MaxNLocator(integer=True))


# --------------------------------------------------------------------------- #
# one entry point per use
# --------------------------------------------------------------------------- #


def figure(
    kind: str,
    geometry: Geometry,
    *,
    transpose: bool = False,
    y: np.ndarray | None = None,
    w: np.ndarray | None = None,
    size: tuple[float, float] | None = None,
) -> Figure:
    """The figure of ``kind`` (``"matrix"``, ``"steps"`` or ``"overlap"``).

    ``transpose`` applies to the matrix, ``y`` and ``w`` to the steps.

    >>> from symtconv import Geometry
    >>> from symtconv.figures import figure
    >>> figure("histogram", Geometry(3, 2))
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: kind must be one of matrix, steps, overlap, got kind='histogram'
    """
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {', '.join(KINDS)}, got kind={kind!r}")
    if kind == "matrix":
        return matrix_figure(geometry, transpose=transpose, size=size)
    if kind == "steps":
        return steps_figure(geometry, y, w, size=size)
    return overlap_figure(geometry, size=size)


def render(
    kind: str,
    geometry: Geometry,
    path: str | Path,
    *,
    dpi: int = DPI,
    transpose: bool = False,
    y: np.ndarray | None = None,
    w: np.ndarray | None = None,
    size: tuple[float, float] | None = None,
) -> Path:
    """Draw the figure of ``kind`` and write it to ``path`` (.png, .svg or .pdf).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import render
    >>> render("matrix", Geometry(4, 3, stride=2), "c.pdf", transpose=True)  # doctest: +SKIP
    PosixPath('c.pdf')
    """
    path = Path(path)
    _format_of(path)
    fig = figure(kind, geometry, transpose=transpose, y=y, w=w, size=size)
    return save_figure(fig, path, dpi=dpi)


def figure_kinds(geometry: Geometry) -> tuple[str, ...]:
    """The kinds :func:`write_figures` draws for ``geometry``: all three, but no steps
    figure past two axes.

    >>> from symtconv import Geometry
    >>> from symtconv.figures import figure_kinds
    >>> figure_kinds(Geometry(4, 3)), figure_kinds(Geometry((2, 2, 2), 2))
    (('matrix', 'steps', 'overlap'), ('matrix', 'overlap'))
    """
    return tuple(kind for kind in KINDS if kind != "steps" or geometry.ndim <= 2)


def write_figures(
    geometry: Geometry,
    folder: str | Path,
    *,
    stem: str = "tconv",
    formats: Sequence[str] = ("png",),
    y: np.ndarray | None = None,
    w: np.ndarray | None = None,
    dpi: int = DPI,
) -> list[Path]:
    """Write every kind of figure for ``geometry`` into ``folder``; return the paths.

    Files are named ``{stem}-{kind}.{format}``; the folder is created if needed.  The
    steps figure is left out for geometries with more than two axes.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import write_figures
    >>> [p.name for p in write_figures(Geometry(4, 3, stride=2), "out")]  # doctest: +SKIP
    ['tconv-matrix.png', 'tconv-steps.png', 'tconv-overlap.png']
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise ParameterError(f"formats must be among {', '.join(FORMATS)}, got {fmt!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in figure_kinds(geometry):
        fig = figure(kind, geometry, y=y, w=w)
        for fmt in formats:
            paths.append(save_figure(fig, folder / f"{stem}-{kind}.{fmt}", dpi=dpi))
    return paths


#: The seed's worked example: geometry, input and weight.
SEED_GEOMETRY = Geometry((3, 3), 3, stride=2, padding=1)
SEED_Y = np.array([[[9, 1, 3], [7, 8, 7], [8, 2, 2]]], dtype=object)
SEED_W = np.array([[[[4, 2, 3], [1, 4, 3], [1, 1, 1]]]], dtype=object)


def seed_figures(folder: str | Path) -> list[Path]:
    """The committed figures of the seed's worked example (``derivations/figures``).

    ``seed-matrix.png``, ``seed-steps.png`` (with the seed's numbers) and
    ``seed-overlap.png``.  Regenerate them with
    ``python -c "from symtconv.figures import seed_figures; seed_figures('derivations/figures')"``.
    """
    return write_figures(SEED_GEOMETRY, folder, stem="seed", y=SEED_Y, w=SEED_W)
