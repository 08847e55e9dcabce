"""The steps figure: flip-and-pad's stages side by side (input, zero-inserted, padded or
cropped, flipped kernel, output)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from ..geometry import Geometry
from ..overlap import overlap
from ..tensors import check_sympy_size, input_symbols, spatial_shape, weight_symbols
from .style import (
    _INPUT,
    _KERNEL,
    _ZERO,
    MAX_CELLS,
    MIN_FONT,
    TEXT_CELLS,
    WIDTH_IN,
    _entry_label,
    _matplotlib,
    _new_figure,
    _single_channel,
    _style,
    _wrapped,
    check_cells,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# --------------------------------------------------------------------------- #
# flip-and-pad steps
# --------------------------------------------------------------------------- #


def _as_2d(array: np.ndarray) -> np.ndarray:
    return array.reshape(1, -1) if array.ndim == 1 else array


def _entry_text(value: Any, short: bool = False) -> str:
    """A number as it is, a symbol such as ``y_{0,1}`` as ``y[0,1]``, zero as ``0``."""
    import sympy as sp

    value = sp.sympify(value)
    if value.is_Number:
        return str(value)
    if value.is_Symbol:
        label = _entry_label(value.name)
        return label[label.index("[") + 1 : -1] if short and "[" in label else label
    return str(value).replace("*", "·")


def _draw_grid(
    ax: Axes,
    values: np.ndarray,
    colours: np.ndarray,
    title: str,
    text: bool,
    fontsize: float,
    grid: bool = True,
    short: bool = False,
) -> None:
    from matplotlib.colors import to_rgba

    values, colours = _as_2d(values), _as_2d(colours)
    rgba = np.array([[to_rgba(c) for c in row] for row in colours])
    ax.imshow(rgba, aspect="equal")
    rows, cols = values.shape
    if grid:  # lines around the cells only (a stacked row is wider than its grid)
        ax.vlines(np.arange(-0.5, cols), -0.5, rows - 0.5, colors="#888888", linewidth=0.6)
        ax.hlines(np.arange(-0.5, rows), -0.5, cols - 0.5, colors="#888888", linewidth=0.6)
    if text:
        for (r, c), value in np.ndenumerate(values):
            label = _entry_text(value, short)
            ax.text(c, r, label, ha="center", va="center", fontsize=fontsize)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


def _entry_fontsize(values: np.ndarray, cell: float, short: bool = False) -> float:
    """The font size (points) at which the widest entry fits a cell ``cell`` inches wide."""
    texts = [_entry_text(v, short) for v in np.ravel(values)]
    chars = max((len(t) for t in texts), default=1)
    points = cell * 72
    return min(9.0, 0.6 * points, 0.9 * points / (0.6 * max(chars, 1)))


def _numbers(values: np.ndarray) -> np.ndarray | None:
    """``values`` as floats, or None when some entry is not a number."""
    import sympy as sp

    try:
        return np.vectorize(lambda v: float(sp.sympify(v)), otypes=[float])(values)
    except (TypeError, ValueError, sp.SympifyError):
        return None


def _pale(cmap: Any) -> Any:
    """The light part of ``cmap`` (black text stays readable on every colour)."""
    from matplotlib.colors import ListedColormap

    return ListedColormap(cmap(np.linspace(0.1, 0.65, 256)))


def _result_colouring(
    result: np.ndarray, terms: np.ndarray, symbolic: bool
) -> tuple[np.ndarray, np.ndarray, str]:
    """What the output panel shows, the numbers its cells are coloured by, and what
    they mean: the values themselves when they are numbers, else the terms per entry."""
    numbers = None if symbolic else _numbers(result)
    if numbers is None:
        return (terms if symbolic else result), terms.astype(float), "y·w terms per entry"
    return result, numbers, "value"


def _colour_bar(
    fig: Figure, ax: Axes, by: np.ndarray, palette: Any, meaning: str, location: str
) -> None:
    """A colour bar next to ``ax`` for cells coloured by ``by`` (see :func:`_colours`)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    low, high = _range(by)
    side = location == "right"
    bar = fig.colorbar(
        ScalarMappable(norm=Normalize(low, high), cmap=palette),
        ax=ax,
        location=location,
        shrink=0.8 if side else 0.4,
        aspect=12 if side else 25,
    )
    bar.set_label(meaning, fontsize=8)
    bar.ax.tick_params(labelsize=MIN_FONT)
    if meaning != "value":  # counts
        from matplotlib.ticker import MaxNLocator

        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()


def _range(by: np.ndarray) -> tuple[float, float]:
    """The range colours span: from 0 for counts, the values' own range otherwise."""
    low, high = min(float(by.min()), 0.0), float(by.max())
    return low, high if high > low else low + 1.0


def _colours(by: np.ndarray, palette: Any) -> np.ndarray:
    low, high = _range(by)
    return np.vectorize(lambda v: palette((v - low) / (high - low)), otypes=[object])(by)


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
    # symbols: one channel is drawn, and the output panel shows term counts, so the
    # single-channel recipe is enough (and much cheaper in SymPy)
    drawn = _single_channel(geometry) if symbolic else geometry
    axes = geometry.axes
    stretched = [(int(ax.i) - 1) * int(ax.s) + 1 for ax in axes]
    grids = [
        spatial_shape(geometry, geometry.input_size),
        stretched,
        [n + int(ax.pad_before) + int(ax.pad_after) for n, ax in zip(stretched, axes, strict=True)],
        spatial_shape(geometry, geometry.kernel_size),
        spatial_shape(geometry, geometry.output_size),
    ]
    check_cells(
        "the cells of the five grids", sum(math.prod(g) for g in grids), "MAX_CELLS", MAX_CELLS,
        "use a smaller geometry",
    )
    check_sympy_size(drawn)  # the stages are computed with SymPy
    terms = overlap(geometry).terms()
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
    # the output panel: with symbols, the number of y·w terms of each entry, coloured by it;
    # with values, the values, coloured by value — the title and a colour bar say which
    shown, by, meaning = _result_colouring(result, terms, symbolic)
    palette = _pale(_matplotlib().colormaps["YlOrRd"])
    stages: list[tuple[np.ndarray, np.ndarray, str]] = [
        (y0, np.full(y0.shape, _INPUT, dtype=object), f"1. input y ({shape_text(y0)})"),
        (
            steps.zero_inserted[0],
            coloured(where.zero_inserted[0]),
            f"2. insert s-1 zeros, s = {stride} ({shape_text(steps.zero_inserted[0])})",
        ),
        (
            steps.padded[0],
            coloured(where.padded[0]),
            _pad_title(geometry) + f" ({shape_text(steps.padded[0])})",
        ),
        (
            kernel,
            np.full(kernel.shape, _KERNEL, dtype=object),
            f"4. flip the kernel ({shape_text(kernel)})",
        ),
        (
            shown,
            _colours(by, palette),
            f"5. correlate, stride 1, dilation {dilation} ({shape_text(result)}); "
            f"colour: {meaning}",
        ),
    ]
    shapes = [_as_2d(values).shape for values, _, _ in stages]
    widths = [cols for _, cols in shapes]
    # 1-D: one stage per row, cells aligned; 2-D: side by side, small grids (the kernel)
    # getting a fair share of the width
    stacked = geometry.ndim == 1
    ratios = [float(max(widths))] * len(stages) if stacked else [
        max(cols, sum(widths) / 12) for cols in widths
    ]
    across = max(ratios) if stacked else sum(ratios)  # cells across the figure
    with _style():
        if size is None:
            # at most a document's text width (the colour bar and margins take 1.6 in),
            # so that a document prints the text at the sizes it is drawn in
            most = 0.5 if max(widths) <= TEXT_CELLS else 8.0 / max(widths)
            cell = max(0.05, min(most, (WIDTH_IN - 1.6) / across))
            height = max(rows for rows, _ in shapes)
            size = (
                min(WIDTH_IN, cell * across + 1.6),
                len(stages) * (cell + 0.45) + 0.7 if stacked else min(8.0, cell * height + 1.6),
            )
        fig = _new_figure(size)
        axes = fig.subplots(len(stages), 1) if stacked else fig.subplots(
            1, len(stages), width_ratios=ratios
        )
        indices_only = False
        for ax, (values, colours, title), (rows, cols), ratio in zip(
            axes, stages, shapes, ratios, strict=True
        ):
            # the side of one cell in inches, as the panel will draw it (equal aspect)
            share = 1.0 if stacked else ratio / across
            tall = (size[1] - 0.7) / len(stages) - 0.45 if stacked else size[1] - 1.6
            cell = min((size[0] - 1.6) * share / (max(widths) if stacked else cols), tall / rows)
            fontsize = _entry_fontsize(values, cell)
            # symbols too long for the cells at a readable size: their indices only
            short = fontsize < MIN_FONT <= _entry_fontsize(values, cell, short=True)
            if short:
                fontsize = _entry_fontsize(values, cell, short=True)
                indices_only = True
            title = _wrapped(title, max(12, int((size[0] - 1.6) * share * 14)))
            text = fontsize >= MIN_FONT
            _draw_grid(ax, values, colours, title, text, fontsize, cell >= 0.06, short)
            if stacked:  # every row as wide as the widest, so that the cells line up
                margin = (max(widths) - cols) / 2
                ax.set_xlim(-0.5 - margin, cols - 0.5 + margin)
                ax.set_frame_on(False)
        _colour_bar(fig, axes[-1], by, palette, meaning, "bottom" if stacked else "right")
        channels = ""
        if geometry.in_channels * geometry.out_channels > 1:
            channels = " — channel 0 of y, w[0, 0] and output channel 0 shown"
        lines = [f"flip-and-pad: {geometry.describe()}{channels}"]
        if indices_only:
            index = "n" if geometry.ndim == 1 else "r,c"
            lines.append(f"a cell labelled {index} holds y[{index}] (w[{index}] in the kernel)")
        fig.suptitle("\n".join(_wrapped(line, int(size[0] * 15)) for line in lines), fontsize=9)
    return fig
