"""The explorer: one self-contained HTML page for learning transposed convolution.

Explanation
===========

:func:`explorer_page` writes a page (inline CSS and JavaScript, no network access) that
shows, for one or two spatial axes, the input ``y`` and kernel ``w`` with symbolic labels
(and values when given), the flipped kernel, the zero-inserted and padded input, the
matrix ``Cᵀ`` (or ``C``) and the output ``x``.  Clicking an output cell marks the cells
of its terms and writes its sum in the element ``#formula``; controls change the
geometry in the page.  The page's JavaScript computes positions with the library's rule
(``y[n]·w[m]`` lands at ``x[s·n + d·m - p_begin]`` per axis); the browser tests in
``tests/test_explore.py`` check it against :func:`symtconv.engine.scatter_terms`.

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.explore import explorer_page, page_cells
>>> g = Geometry((3, 3), 3, stride=2, padding=1)
>>> page_cells(g)
326
>>> y, w = [[9, 1, 3], [7, 8, 7], [8, 2, 2]], [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
>>> html = explorer_page(g, y, w)
>>> html.startswith("<!DOCTYPE html>"), "http" in html
(True, False)

See Also
========

symtconv.figures, symtconv.engine.scatter_terms
"""

from .page import MAX_CELLS, explorer_page, page_cells, write_page

__all__ = ["MAX_CELLS", "explorer_page", "page_cells", "write_page"]
