r"""LaTeX derivation documents that compile: for learners, teachers and papers.

Explanation
===========

:func:`derive` turns a concrete geometry (and, optionally, exact values for ``y`` and
``w``) into a :class:`Derivation`; :func:`derive_general` turns the general proof of
:mod:`symtconv.general` into a :class:`GeneralDerivation`.  Both print themselves with
:class:`DerivationPrinter`, a subclass of SymPy's ``LatexPrinter``, and
:meth:`~Derivation.document` returns a standalone document that needs only
``texlive-latex-base`` (``amsmath``, ``amssymb``, ``graphicx``).

Everything mathematical goes through the printer: SymPy expressions, and the small
display objects defined here — :class:`ElidedMatrix` (a matrix of which only corners
are built and shown, with ``\cdots``, ``\vdots``, ``\ddots``), :class:`ElidedSum` (a
long sum with its middle left out) and :class:`TensorSlice` (``y_{0,\cdot,\cdot}``).
Large geometries stay readable because nothing past a few rows and columns is shown,
and nothing that is not shown is built: for them each shown entry comes from the 1-D
structure of every axis (:func:`symtconv.matrix.matrix_entries` and the index maps of
:mod:`symtconv.engine` on 1-D geometries); small ones run the SymPy tier's methods on
whole arrays (:mod:`symtconv.methods`, :func:`symtconv.conv_matrix`).  The two give
identical documents wherever both can run.

Every concrete document has a section on its overlap pattern (how many ``y·w`` terms
reach each output, from :func:`symtconv.overlap.overlap`, and why the interior is or is
not uniform).  With figures (``derive(..., figures=True)``, ``symtconv derive --figures``)
it also includes the figures of :mod:`symtconv.figures` — C, the flip-and-pad steps, the
overlap map — which :meth:`Derivation.write` draws as PDF files next to the ``.tex``.

Documents and figures are deterministic (no dates, no timings): rebuilding gives
identical bytes, which is how the committed documents in ``derivations/`` are kept fresh
(``python -m symtconv.latex --rebuild derivations``).

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.latex import ElidedMatrix, latex
>>> latex(ElidedMatrix.of((2, 40), lambda rc: rc[0] + rc[1], max_cols=4, head=2, tail=1))
'\\begin{bmatrix}0 & 1 & \\cdots & 39\\\\1 & 2 & \\cdots & 40\\end{bmatrix}'
>>> doc = derive(Geometry((3, 3), 3, stride=2, padding=1)).document()
>>> doc.startswith("\\documentclass"), doc.rstrip().endswith("\\end{document}")
(True, True)

The package keeps one concept per module: :mod:`~symtconv.latex.printer` (the printer
and its display objects), :mod:`~symtconv.latex.writer` (the document writer),
:mod:`~symtconv.latex.tiers` (what a concrete document shows, and how it is built),
:mod:`~symtconv.latex.derivation` (:class:`Derivation`, :func:`derive`), its sections in
:mod:`symtconv.latex.sections`, :mod:`~symtconv.latex.general` (the general document),
:mod:`~symtconv.latex.compile` (pdflatex) and :mod:`~symtconv.latex.documents` (the
committed documents, ``python -m symtconv.latex``).

See Also
========

symtconv.general, symtconv.proofs, symtconv.engine
"""

from .compile import PDFLATEX_MISSING, Compiled, LatexCompileError, compile_pdf
from .derivation import Derivation, derive
from .documents import DOCUMENTS, rebuild, stale_documents
from .general import GeneralDerivation, derive_general
from .options import FIGURE_FORMAT
from .printer import (
    DerivationPrinter,
    Divides,
    ElidedMatrix,
    ElidedSum,
    Gcd,
    Grid,
    TensorSlice,
    check_name,
    escape_text,
    latex,
    shown_indices,
)

__all__ = [
    "DOCUMENTS",
    "FIGURE_FORMAT",
    "Compiled",
    "Derivation",
    "DerivationPrinter",
    "Divides",
    "ElidedMatrix",
    "ElidedSum",
    "Gcd",
    "GeneralDerivation",
    "Grid",
    "LatexCompileError",
    "PDFLATEX_MISSING",
    "TensorSlice",
    "check_name",
    "compile_pdf",
    "derive",
    "derive_general",
    "escape_text",
    "latex",
    "rebuild",
    "shown_indices",
    "stale_documents",
]
