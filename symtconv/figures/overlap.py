"""The overlap figure: how many ``y·w`` terms reach each output position (the
checkerboard), from :mod:`symtconv.overlap`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..geometry import Geometry
from ..overlap import overlap
from .style import _cell_grid, _new_figure, _style, _wrapped

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
