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

The package keeps one figure kind per module: :mod:`~symtconv.figures.matrix`,
:mod:`~symtconv.figures.steps` and :mod:`~symtconv.figures.overlap`, with what they share in
:mod:`~symtconv.figures.style` and the entry points in :mod:`~symtconv.figures.dispatch`.

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

from .animation import write_animation
from .dispatch import figure, figure_kinds, render, seed_figures, write_figures
from .matrix import matrix_figure
from .overlap import overlap_figure
from .steps import steps_figure
from .style import DPI, FORMATS, KINDS, save_figure

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
    "write_animation",
    "write_figures",
]
