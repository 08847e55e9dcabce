"""One entry point per use: :func:`figure` (a kind by name), :func:`render` (to a file),
:func:`figure_kinds` and :func:`write_figures` (a document's figures), :func:`seed_figures`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ParameterError
from ..geometry import Geometry
from .matrix import matrix_figure
from .overlap import overlap_figure
from .steps import steps_figure
from .style import DPI, FORMATS, KINDS, _format_of, save_figure

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure


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

    Kind ``"animation"`` writes a .gif instead
    (:func:`~symtconv.figures.animation.write_animation`).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.figures import render
    >>> render("matrix", Geometry(4, 3, stride=2), "c.pdf", transpose=True)  # doctest: +SKIP
    PosixPath('c.pdf')
    """
    if kind == "animation":
        from .animation import write_animation

        return write_animation(geometry, path, y=y, w=w, dpi=dpi, size=size)
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
