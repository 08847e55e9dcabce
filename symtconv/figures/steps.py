"""The steps figure: flip-and-pad's stages side by side (input, zero-inserted, padded or
cropped, flipped kernel, output)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from ..geometry import Geometry
from ..overlap import overlap
from ..tensors import input_symbols, spatial_shape, weight_symbols
from .style import (
    _INPUT,
    _KERNEL,
    _ZERO,
    TEXT_CELLS,
    _cell_grid,
    _math,
    _matplotlib,
    _new_figure,
    _single_channel,
    _style,
    _wrapped,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
