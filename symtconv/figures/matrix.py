"""The matrix figure: the sparsity pattern of C (or Cᵀ), each nonzero coloured by its
kernel tap; a large matrix as an overview of its channel blocks and a zoom."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..geometry import Geometry
from ..matrix import matrix_entries
from ..tensors import spatial_shape, symbol_name
from .style import (
    _EMPTY,
    _GRID,
    _ZERO,
    FULL_COLUMNS,
    FULL_ROWS,
    MAX_MATRIX_BLOCKS,
    MAX_MATRIX_TERMS,
    MAX_TAPS,
    MIN_FONT,
    WIDTH_IN,
    ZOOM_COLUMNS,
    ZOOM_ROWS,
    _cell_grid,
    _entry_label,
    _index_name,
    _new_figure,
    _single_channel,
    _style,
    _tap_colours,
    _thin_ticks,
    _wrapped,
    check_cells,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
        labels.append(f"w[{index}]" if single else f"w[c,c',{index}]")
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
        _entry_label(symbol_name(base, tuple(int(v) for v in np.unravel_index(p, shape)), shape, 1))
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


#: The channel indices as the text writes them (plain text: no 70% mathtext subscript).
_C_IN, _C_OUT = "cᵢₙ", "cₒᵤₜ"


def _axis_names(transpose: bool, geometry: Geometry) -> tuple[str, str, str, str]:
    """(row base, column base, row label, column label): the labels name the indices as
    the text and the tick labels do (a channel index only with more than one channel),
    axes numbered from 1.

    >>> from symtconv import Geometry
    >>> from symtconv.figures.matrix import _axis_names
    >>> _axis_names(False, Geometry((3, 3), 3, in_channels=2))
    ('y', 'x', 'entries of y (cᵢₙ, n₁, n₂)', 'entries of x (j₁, j₂)')
    """
    ndim = geometry.ndim
    n = [_index_name(axis, ndim, "n") for axis in range(ndim)]
    j = [_index_name(axis, ndim, "j") for axis in range(ndim)]
    y_index = ([_C_IN] if geometry.in_channels > 1 else []) + n
    x_index = ([_C_OUT] if geometry.out_channels > 1 else []) + j
    y_label = f"entries of y ({', '.join(y_index)})"
    x_label = f"entries of x ({', '.join(x_index)})"
    if transpose:
        return "x", "y", x_label, y_label
    return "y", "x", y_label, x_label


def _full_matrix(
    fig: Figure, geometry: Geometry, pattern: _Pattern, transpose: bool, cell: float
) -> None:
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
    row_base, col_base, row_label, col_label = _axis_names(transpose, geometry)
    # as many index labels as fit along each side (one cell is ``cell`` inches)
    ax.set_yticks(ticks := _thin_ticks(rows, 40, cell * rows))
    ax.set_yticklabels(_index_labels(row_base, row_shape, ticks), fontsize=MIN_FONT)
    ax.set_xticks(ticks := _thin_ticks(cols, 64, cell * cols))
    ax.set_xticklabels(_index_labels(col_base, col_shape, ticks), fontsize=MIN_FONT, rotation=90)
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
    row_base, col_base, row_label, col_label = _axis_names(transpose, geometry)
    row_channel = _C_OUT if transpose else _C_IN
    col_channel = _C_IN if transpose else _C_OUT
    overview.set_yticks([(b + 0.5) * block_rows for b in range(n_row_blocks)])
    overview.set_yticklabels([f"{row_channel}={b}" for b in range(n_row_blocks)])
    overview.set_xticks([(b + 0.5) * block_cols for b in range(n_col_blocks)])
    overview.set_xticklabels(
        [f"{col_channel}={b}" for b in range(n_col_blocks)], rotation=90 if n_col_blocks > 4 else 0
    )
    overview.tick_params(length=0)
    overview.set_title(
        f"{'Cᵀ' if transpose else 'C'}: {rows}×{cols} in {n_row_blocks}×{n_col_blocks} blocks "
        f"of {block_rows}×{block_cols}\n"
        + _wrapped(f"{len(r)} nonzeros per nonzero block (dark: denser; hatched: other group)", 36)
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
    zoom.set_yticklabels(_index_labels(row_base, (1, *row_shape), ticks), fontsize=MIN_FONT)
    zoom.set_xticks(ticks := _thin_ticks(zoom_cols, 12))
    zoom.set_xticklabels(
        _index_labels(col_base, (1, *col_shape), ticks), fontsize=MIN_FONT, rotation=90
    )
    zoom.set_title(
        _wrapped(f"zoom: rows 0–{zoom_rows - 1}, columns 0–{zoom_cols - 1} of the first block", 40)
    )
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


def _check_large(geometry: Geometry) -> None:
    """The overview's channel blocks and the nonzeros of one block, before drawing."""
    blocks = int(geometry.in_channels) * int(geometry.out_channels)
    check_cells(
        "the channel blocks C_in·C_out", blocks, "MAX_MATRIX_BLOCKS", MAX_MATRIX_BLOCKS,
        "use fewer channels",
    )
    taps = math.prod(spatial_shape(geometry, geometry.kernel_size))
    inputs = math.prod(spatial_shape(geometry, geometry.input_size))
    if inputs * taps > MAX_MATRIX_TERMS:  # at most i·k per axis land; count them exactly
        from ..engine import count_terms

        check_cells(
            "the nonzeros of one channel block of C",
            count_terms(_single_channel(geometry)),
            "MAX_MATRIX_TERMS",
            MAX_MATRIX_TERMS,
            "use a smaller geometry (the figure shows one channel block in detail anyway)",
        )


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
    rows = geometry.in_channels * math.prod(
        spatial_shape(geometry, geometry.forward_output_size)
    )
    cols = geometry.out_channels * math.prod(spatial_shape(geometry, geometry.output_size))
    if transpose:
        rows, cols = cols, rows
    full = rows <= FULL_ROWS and cols <= FULL_COLUMNS
    check_cells(
        "the kernel taps (one colour each)",
        math.prod(spatial_shape(geometry, geometry.kernel_size)),
        "MAX_TAPS",
        MAX_TAPS,
        "use a smaller kernel",
    )
    if not full:
        _check_large(geometry)
    with _style():
        # at most a document's text width, so that the labels print at their sizes
        width = size[0] if size else min(WIDTH_IN, max(5.0, 0.16 * cols + 3.2))
        cell = max(0.01, min(0.16, (width - 3.2) / cols))  # cells stay square
        if size is None:
            size = (width, min(9.0, max(3.2, cell * rows + 2.4))) if full else (WIDTH_IN, 5.0)
        fig = _new_figure(size)
        if full:
            _full_matrix(fig, geometry, _pattern(geometry), transpose, cell)
        else:
            _large_matrix(fig, geometry, transpose)
    return fig
