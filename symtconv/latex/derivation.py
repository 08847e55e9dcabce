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

See Also
========

symtconv.general, symtconv.proofs, symtconv.engine
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter

from .. import engine as _engine
from .. import methods as _methods
from ..errors import MissingDependencyError, ParameterError, SymtconvError
from ..evaluate import as_exact, with_channels
from ..geometry import Axis, Geometry
from ..matrix import conv_matrix, matrix_entries
from ..overlap import AxisOverlap, Overlap
from ..overlap import overlap as overlap_of
from ..proofs import AUTO_SYMPY_TERMS, prove
from ..results import Proof
from ..tensors import input_symbols, spatial_shape, symbol_name, weight_symbols

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

# --------------------------------------------------------------------------- #
# How much of a large object a document shows
# --------------------------------------------------------------------------- #

#: A matrix with more rows (columns) than this shows its first ``HEAD`` and last ``TAIL``.
MAX_ROWS = 30
MAX_COLS = 25
HEAD = 5
TAIL = 2
#: A sum with more terms than this shows its first ``SUM_HEAD`` and last term.
MAX_TERMS = 5
SUM_HEAD = 3
#: A listing of output entries longer than this shows its first 6 and last 3.
MAX_ENTRIES = 36
#: More slices (channels, leading axes) than this show the first 2 and the last.
MAX_SLICES = 4

#: The one line ``--pdf`` prints when pdflatex is missing.
PDFLATEX_MISSING = (
    "pdflatex is not installed; install TeX Live's LaTeX base, e.g. "
    "`sudo apt-get install texlive-latex-base` (Debian/Ubuntu), then rerun"
)


class LatexCompileError(SymtconvError, RuntimeError):
    """pdflatex ran and failed; the message has its first error line and the log's path."""


# --------------------------------------------------------------------------- #
# Plain text and user-supplied names
# --------------------------------------------------------------------------- #

_TEXT_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"$<$",
    ">": r"$>$",
    "|": r"$|$",
    '"': "''",
}

#: Non-ASCII characters the documents use, as LaTeX that the base fonts can typeset.
_TEXT_UNICODE = {
    "·": r"$\cdot$",
    "×": r"$\times$",
    "ᵀ": r"$^{\top}$",
    "⟨": r"$\langle$",
    "⟩": r"$\rangle$",
    "∂": r"$\partial$",
    "∋": r"$\ni$",
    "∈": r"$\in$",
    "≡": r"$\equiv$",
    "±": r"$\pm$",
    "∞": r"$\infty$",
    "√": r"$\surd$",
    "²": r"$^2$",
    "⌊": r"$\lfloor$",
    "⌋": r"$\rfloor$",
    "Π": r"$\Pi$",
    "α": r"$\alpha$",
    "ε": r"$\varepsilon$",
    "Σ": r"$\Sigma$",
    "δ": r"$\delta$",
    "ĩ": r"$\tilde{\imath}$",
    "…": r"\ldots{}",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "≠": r"$\ne$",
    "−": "-",
    "–": "--",
    "—": "---",
    "→": r"$\to$",
    "←": r"$\leftarrow$",
    "⊙": r"$\odot$",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "\u00a0": "~",
}

_ACCENTS = {"\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~"}


def escape_text(text: str, *, strict: bool = True) -> str:
    r"""Plain text as LaTeX: specials escaped, known non-ASCII characters translated.

    Explanation
    ===========

    Every character is either ASCII (LaTeX's specials are escaped), one of the symbols
    the documents use (``·``, ``ᵀ``, ``⟨``, …), or a Latin letter with an accent;
    anything else cannot be typeset with ``texlive-latex-base`` alone and raises
    :class:`~symtconv.errors.ParameterError` naming the character — or, with
    ``strict=False`` (for symtconv's own messages), is written as its code point.

    Examples
    ========

    >>> from symtconv.latex import escape_text
    >>> print(escape_text("漢"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: text must use characters ..., got '漢' (U+6F22) in '漢'
    >>> print(escape_text("漢", strict=False))
    [U+6F22]
    >>> print(escape_text("Cᵀ·vec(y) = 50% of {x_1}, café"))
    C$^{\top}$$\cdot$vec(y) = 50\% of \{x\_1\}, caf\'{e}
    """
    out = []
    for n, ch in enumerate(text):
        if ch == "-" and text[n + 1 : n + 2] == "-":
            out.append("-{}")
        elif ch in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[ch])
        elif ch == "\n":
            out.append(" ")
        elif ord(ch) < 128:
            if not ch.isprintable():
                raise ParameterError(f"text must be printable, got {ch!r} in {text!r}")
            out.append(ch)
        elif ch in _TEXT_UNICODE:
            out.append(_TEXT_UNICODE[ch])
        else:
            out.append(_accented(ch, text, strict))
    return "".join(out)


def _accented(ch: str, text: str, strict: bool) -> str:
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in _ACCENTS:
        return "\\" + _ACCENTS[parts[1]] + "{" + parts[0] + "}"
    if not strict:
        return f"[U+{ord(ch):04X}]"
    raise ParameterError(
        "text must use characters LaTeX's base fonts can typeset, got "
        f"{ch!r} (U+{ord(ch):04X}) in {text!r}"
    )


_NAME = re.compile(r"[A-Za-z]{1,12}")


def check_name(name: object, what: str = "name") -> str:
    r"""Validate a tensor name a user supplies for a document (``y``, ``X``, ``theta``).

    A name is 1 to 12 ASCII letters; SymPy's printer turns Greek names into letters
    (``theta`` prints ``\theta``).  Anything else — subscripts, braces, backslashes —
    could break or hijack the document and is rejected.

    Examples
    ========

    >>> from symtconv.latex import check_name
    >>> check_name("theta")
    'theta'
    >>> check_name("y}\\input{x}")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: name must be 1 to 12 ASCII letters ..., got name='y}\\input{x}'
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ParameterError(
            f"{what} must be 1 to 12 ASCII letters (such as 'y' or 'theta'), got {what}={name!r}"
        )
    return name


# --------------------------------------------------------------------------- #
# Display objects and the printer
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Grid:
    """An array read one cell at a time: only the cells a document shows are built.

    ``get`` takes a full index tuple.  :meth:`of` wraps a NumPy (object) array.
    """

    shape: tuple[int, ...]
    get: Callable[[tuple[int, ...]], Any]

    @classmethod
    def of(cls, array: Any) -> Grid:
        """A grid over an existing array (or SymPy matrix)."""
        shape = tuple(int(n) for n in array.shape)
        return cls(shape, lambda index: array[index])

    def squeeze(self, axes: int) -> Grid:
        """Leave out ``axes`` leading axes of length 1 (as symbol names leave out channels)."""
        if self.shape[:axes] != (1,) * axes:
            return self
        return Grid(self.shape[axes:], lambda index: self.get((0,) * axes + tuple(index)))

    def as_matrix(self) -> Grid:
        """A 1-D grid as a ``1×n`` row; others unchanged."""
        if len(self.shape) != 1:
            return self
        return Grid((1, self.shape[0]), lambda index: self.get((index[1],)))

    def at(self, lead: tuple[int, ...]) -> Grid:
        """The 2-D grid of the last two axes at the leading index ``lead``."""
        return Grid(self.shape[-2:], lambda index: self.get((*lead, *index)))


def shown_indices(n: int, limit: int, head: int = HEAD, tail: int = TAIL) -> tuple[int | None, ...]:
    """The indices of ``range(n)`` a display shows; ``None`` marks the elided middle.

    >>> from symtconv.latex import shown_indices
    >>> shown_indices(4, 5), shown_indices(61, 25)
    ((0, 1, 2, 3), (0, 1, 2, 3, 4, None, 59, 60))
    """
    if n <= max(limit, head + tail):
        return tuple(range(n))
    return (*range(head), None, *range(n - tail, n))


@dataclass(frozen=True)
class ElidedMatrix:
    r"""A matrix of which only some rows and columns are shown (and built).

    ``rows`` and ``cols`` are the shown indices, ``None`` where ``\vdots`` / ``\cdots``
    stand for the rest; ``entries`` maps each shown ``(row, col)`` to a SymPy
    expression, or to ``None`` for an empty cell (printed ``\cdot``).

    Examples
    ========

    >>> from symtconv.latex import ElidedMatrix, latex
    >>> m = ElidedMatrix.of((40, 3), lambda rc: rc[0] * rc[1], max_rows=3, head=1, tail=1)
    >>> m.shape, m.rows
    ((40, 3), (0, None, 39))
    >>> print(latex(m))
    \begin{bmatrix}0 & 0 & 0\\\vdots & \vdots & \vdots\\0 & 39 & 78\end{bmatrix}
    """

    shape: tuple[int, int]
    rows: tuple[int | None, ...]
    cols: tuple[int | None, ...]
    entries: Mapping[tuple[int, int], Any]

    @classmethod
    def of(
        cls,
        shape: tuple[int, int],
        entry: Callable[[tuple[int, int]], Any],
        *,
        max_rows: int = MAX_ROWS,
        max_cols: int = MAX_COLS,
        head: int = HEAD,
        tail: int = TAIL,
    ) -> ElidedMatrix:
        """Build the shown entries of a ``shape`` matrix from ``entry((row, col))``."""
        rows = shown_indices(shape[0], max_rows, head, tail)
        cols = shown_indices(shape[1], max_cols, head, tail)
        entries = {
            (r, c): _sympified(entry((r, c)))
            for r in rows
            if r is not None
            for c in cols
            if c is not None
        }
        return cls((int(shape[0]), int(shape[1])), rows, cols, entries)

    @property
    def shown_cols(self) -> int:
        """Columns on the page (an elided run counts as one)."""
        return len(self.cols)


def _sympified(value: Any) -> Any:
    return None if value is None else sp.sympify(value)


@dataclass(frozen=True)
class ElidedSum:
    r"""A sum printed with at most ``MAX_TERMS`` terms: the first few, ``\cdots``, the last.

    Examples
    ========

    >>> import sympy as sp
    >>> from symtconv.latex import ElidedSum, latex
    >>> a, b, c, d, e = sp.symbols("a:e")
    >>> latex(ElidedSum(a + b + c + d + e, max_terms=4, head=2))
    'a + b + \\cdots + e \\quad (5 \\text{ terms})'
    >>> latex(ElidedSum(a - b))
    'a - b'
    """

    expr: Any
    max_terms: int = MAX_TERMS
    head: int = SUM_HEAD


def _natural(text: str) -> list[Any]:
    """A sort key that orders the numbers in ``text`` by value."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)
    ]


@dataclass(frozen=True)
class TensorSlice:
    r"""The label of a 2-D slice of a tensor, such as ``y_{0,\cdot,\cdot}``.

    >>> from symtconv.latex import TensorSlice, latex
    >>> latex(TensorSlice("w", (1, 0), 2))
    'w_{1,0,\\cdot,\\cdot}'
    """

    name: str
    index: tuple[int, ...] = ()
    free: int = 0
    accent: str = ""


@dataclass(frozen=True)
class Gcd:
    r"""``gcd(a, b)`` left unevaluated, for display: ``\gcd(a, b)``.

    >>> import sympy as sp
    >>> from symtconv.latex import Gcd, latex
    >>> d, s = sp.symbols("d s")
    >>> latex(Gcd(d, s)), latex(Gcd(d, s), values={d: 2, s: 4})
    ('\\gcd(d, s)', '\\gcd(2, 4)')
    """

    a: Any
    b: Any


@dataclass(frozen=True)
class Divides:
    r"""``a`` divides ``b`` (``a \mid b``), or with ``holds=False`` does not (``a \nmid b``).

    >>> import sympy as sp
    >>> from symtconv.latex import Divides, latex
    >>> s, k = sp.symbols("s k")
    >>> latex(Divides(s, k)), latex(Divides(s, k, holds=False), values={s: 2, k: 3})
    ('s \\mid k', '2 \\nmid 3')
    """

    a: Any
    b: Any
    holds: bool = True


_INDEXED_NAME = re.compile(r"([A-Za-z]+)(_\{[0-9,]*\})?")


class DerivationPrinter(LatexPrinter):
    r"""SymPy's LaTeX printer, with the display objects of derivation documents.

    Explanation
    ===========

    Adds ``_print_ElidedMatrix``, ``_print_ElidedSum`` and ``_print_TensorSlice``, and
    two settings: ``names`` renames the tensors ``y``, ``w``, ``x`` in every symbol
    such as ``y_{0,1}`` (names checked with :func:`check_name`), and ``values``
    prints chosen symbols as numbers — the formula keeps its shape, so a derivation
    can show ``s(i-1) + 1`` next to ``2 (3 - 1) + 1``.

    Examples
    ========

    >>> import sympy as sp
    >>> from symtconv.latex import DerivationPrinter
    >>> i, s = sp.symbols("i s")
    >>> DerivationPrinter({"values": {i: 3, s: 2}}).doprint(s * (i - 1) + 1)
    '2 \\left(3 - 1\\right) + 1'
    >>> DerivationPrinter({"names": {"y": "theta"}}).doprint(sp.Symbol("y_{0,1}") * 2)
    '2 \\theta_{0,1}'
    """

    printmethod = "_latex"
    _default_settings: ClassVar[dict[str, Any]] = {
        **LatexPrinter._default_settings,
        "names": None,
        "values": None,
    }

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        settings = dict(settings or {})
        names = dict(settings.get("names") or {})
        for base, name in names.items():
            check_name(name, f"the name for {base}")
        settings["names"] = names
        settings["values"] = dict(settings.get("values") or {})
        super().__init__(settings)

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        values = self._settings["values"]
        if expr in values:
            return self._print(sp.sympify(values[expr]))
        match = _INDEXED_NAME.fullmatch(expr.name)
        names = self._settings["names"]
        if match and match.group(1) in names:
            base = super()._print_Symbol(sp.Symbol(names[match.group(1)]))
            return base + (match.group(2) or "")
        return super()._print_Symbol(expr, style=style)

    def _print_ElidedMatrix(self, m: ElidedMatrix) -> str:
        lines = []
        for r in m.rows:
            cells = []
            for c in m.cols:
                if r is None:
                    cells.append(r"\ddots" if c is None else r"\vdots")
                elif c is None:
                    cells.append(r"\cdots")
                else:
                    value = m.entries[(r, c)]
                    cells.append(r"\cdot" if value is None else self._print(value))
            lines.append(" & ".join(cells))
        return r"\begin{bmatrix}" + r"\\".join(lines) + r"\end{bmatrix}"

    def _print_ElidedSum(self, s: ElidedSum) -> str:
        expr = sp.sympify(s.expr)
        if not expr.is_Add or len(expr.args) <= s.max_terms:
            return self._print(expr)
        # in natural order of the indices (w_{2,…} before w_{10,…}), so that the first
        # and the last term shown are the first and the last
        terms = sorted(expr.args, key=lambda term: _natural(str(term)))
        shown = [*terms[: s.head], None, terms[-1]]
        tex = ""
        for n, term in enumerate(shown):
            if term is None:
                tex += r" + \cdots"
                continue
            if n and term.could_extract_minus_sign():
                tex, term = tex + " - ", -term
            elif n:
                tex += " + "
            term_tex = self._print(term)
            tex += rf"\left({term_tex}\right)" if self._needs_add_brackets(term) else term_tex
        return tex + rf" \quad ({len(terms)} \text{{ terms}})"

    def _print_TensorSlice(self, t: TensorSlice) -> str:
        name = self._settings["names"].get(t.name, t.name)
        base = super()._print_Symbol(sp.Symbol(name + t.accent))
        parts = [str(j) for j in t.index] + [r"\cdot"] * t.free
        return base + ("_{" + ",".join(parts) + "}" if parts else "")

    def _print_Gcd(self, g: Gcd) -> str:
        return rf"\gcd({self._print(sp.sympify(g.a))}, {self._print(sp.sympify(g.b))})"

    def _print_Divides(self, d: Divides) -> str:
        relation = r"\mid" if d.holds else r"\nmid"
        return f"{self._print(sp.sympify(d.a))} {relation} {self._print(sp.sympify(d.b))}"


def latex(expr: Any, **settings: Any) -> str:
    r"""Print ``expr`` with :class:`DerivationPrinter` (SymPy's ``latex`` plus the displays).

    >>> import sympy as sp
    >>> from symtconv.latex import latex
    >>> latex(sp.Symbol("w_{2,1}") * sp.Symbol("y_{0,0}"), names={"w": "v"})
    'v_{2,1} y_{0,0}'
    """
    return DerivationPrinter(settings).doprint(expr)


# --------------------------------------------------------------------------- #
# What a concrete document shows: by the SymPy tier, or cell by cell per axis
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Shown:
    """The arrays a document shows, for symbols or for numbers.

    ``transposed`` is ``Cᵀ·vec(y)`` — with ``y`` extended by zeros to ``C``'s rows when
    the geometry is not adjoint (``output_padding >= stride``).
    """

    y: Grid
    w: Grid
    matrix: Grid
    transposed: Grid
    zero_inserted: Grid
    padded: Grid
    flipped: Grid
    result: Grid


def _sympy_tier(geometry: Geometry, y: np.ndarray, w: np.ndarray) -> _Shown:
    """Run the SymPy tier's methods on whole arrays (small geometries)."""
    steps = _methods.flip_and_pad(geometry, y, w)
    transposed = _methods.transpose(geometry, y, w, extend=geometry.is_adjoint is not True)
    return _Shown(
        y=Grid.of(y),
        w=Grid.of(w),
        matrix=Grid.of(conv_matrix(geometry, w)),
        transposed=Grid.of(transposed),
        zero_inserted=Grid.of(steps.zero_inserted),
        padded=Grid.of(steps.padded),
        flipped=Grid.of(steps.flipped),
        result=Grid.of(steps.result),
    )


@dataclass(frozen=True)
class _AxisMaps:
    """The 1-D structure of one axis, from the library's 1-D functions.

    ``taps`` maps ``(n, j)`` to the tap ``m`` with ``j = s n + d m - p`` (the 1-D ``C``,
    from :func:`matrix_entries`); ``column`` lists the ``(n, m)`` of each column ``j``;
    ``stretched`` and ``padded`` are flip-and-pad's index maps (input index, or ``-1``
    for a zero) and ``flip`` the reversed taps (from :mod:`symtconv.engine`).
    """

    taps: dict[tuple[int, int], int]
    column: dict[int, list[tuple[int, int]]]
    stretched: np.ndarray
    padded: np.ndarray
    flip: np.ndarray
    i: int
    d: int

    @classmethod
    def of(cls, ax: Axis) -> _AxisMaps:
        one = Geometry(
            int(ax.i),
            int(ax.k),
            stride=int(ax.s),
            padding=((int(ax.p_begin), int(ax.p_end)),),
            output_padding=int(ax.a),
            dilation=int(ax.d),
        )
        taps = {(row[1], col[1]): tap[2] for row, col, tap in matrix_entries(one)}
        column: dict[int, list[tuple[int, int]]] = {}
        for (n, j), m in sorted(taps.items()):
            column.setdefault(j, []).append((n, m))
        stretched = _engine.zero_insertion(one)
        padded = _engine.pad_or_crop(stretched, [int(ax.pad_before)], [int(ax.pad_after)])
        return cls(taps, column, stretched, padded, _engine.flip_kernel(one), int(ax.i), int(ax.d))


def _axis_tier(
    geometry: Geometry,
    y: Callable[[tuple[int, ...]], Any],
    w: Callable[[tuple[int, ...]], Any],
) -> _Shown:
    """The same arrays as :func:`_sympy_tier`, built one shown cell at a time.

    Explanation
    ===========

    A transposed convolution is the product of its 1-D structure per axis
    (:class:`_AxisMaps`), with channels in groups.  So an entry of ``C`` is the tap each
    axis selects (or 0), a column of ``C`` is the product of the axes' columns, and
    flip-and-pad's maps are products of the 1-D maps.  Nothing that is not shown is
    built, which keeps layers of any size cheap.  ``y`` and ``w`` give one entry (a
    symbol or a number) by index.
    """
    in_shape = spatial_shape(geometry, geometry.input_shape)
    w_shape = spatial_shape(geometry, geometry.weight_shape)
    out_shape = spatial_shape(geometry, geometry.output_shape)
    forward = spatial_shape(geometry, geometry.forward_output_size)
    maps = [_AxisMaps.of(ax) for ax in geometry.axes]
    per_in = geometry.in_channels // geometry.groups
    per_out = geometry.out_channels // geometry.groups
    rows_shape = (geometry.in_channels, *forward)

    def c_entry(rc: tuple[int, ...]) -> Any:
        c, *n = (int(v) for v in np.unravel_index(rc[0], rows_shape))
        co, *j = (int(v) for v in np.unravel_index(rc[1], out_shape))
        if c // per_in != co // per_out:
            return 0
        m = [a.taps[nj] for a, nj in zip(maps, zip(n, j, strict=True), strict=True) if nj in a.taps]
        return w((c, co % per_out, *m)) if len(m) == len(maps) else 0

    def transposed(index: tuple[int, ...]) -> Any:
        co, *j = index
        group = range((co // per_out) * per_in, (co // per_out + 1) * per_in)
        columns = [a.column.get(jj, []) for a, jj in zip(maps, j, strict=True)]
        terms = []
        for combo in itertools.product(*columns):
            n = tuple(nm[0] for nm in combo)
            if any(nn >= a.i for nn, a in zip(n, maps, strict=True)):
                continue  # a row of C past the end of y: y extended by zeros
            m = tuple(nm[1] for nm in combo)
            terms += [sp.sympify(w((c, co % per_out, *m))) * y((c, *n)) for c in group]
        return sp.Add(*terms)

    def placed(name: str) -> Callable[[tuple[int, ...]], Any]:
        def get(index: tuple[int, ...]) -> Any:
            n = [int(getattr(a, name)[t]) for a, t in zip(maps, index[1:], strict=True)]
            return 0 if min(n) < 0 else y((index[0], *n))

        return get

    def flipped(index: tuple[int, ...]) -> Any:
        taps = (int(a.flip[f]) for a, f in zip(maps, index[2:], strict=True))
        return w((index[0], index[1], *taps))

    def result(index: tuple[int, ...]) -> Any:
        co, *j = index
        group = range((co // per_out) * per_in, (co // per_out + 1) * per_in)
        # per axis, the taps f whose window cell j + d·f of the padded input holds y[n]
        reads = [
            [(f, int(a.padded[jj + a.d * f])) for f in range(a.flip.size)]
            for a, jj in zip(maps, j, strict=True)
        ]
        terms = []
        for combo in itertools.product(*([fn for fn in r if fn[1] >= 0] for r in reads)):
            f = tuple(fn[0] for fn in combo)
            n = tuple(fn[1] for fn in combo)
            terms += [sp.sympify(flipped((c, co % per_out, *f))) * y((c, *n)) for c in group]
        return sp.Add(*terms)

    spatial = [len(a.stretched) for a in maps], [len(a.padded) for a in maps]
    return _Shown(
        y=Grid(in_shape, y),
        w=Grid(w_shape, w),
        matrix=Grid((math.prod(rows_shape), math.prod(out_shape)), c_entry),
        transposed=Grid(out_shape, transposed),
        zero_inserted=Grid((in_shape[0], *spatial[0]), placed("stretched")),
        padded=Grid((in_shape[0], *spatial[1]), placed("padded")),
        flipped=Grid(w_shape, flipped),
        result=Grid(out_shape, result),
    )


def _symbol(base: str, shape: tuple[int, ...], channel_axes: int) -> Callable[..., sp.Symbol]:
    return lambda index: sp.Symbol(symbol_name(base, tuple(index), shape, channel_axes))


TIERS = ("auto", "sympy", "axes")


# --------------------------------------------------------------------------- #
# Writing a document
# --------------------------------------------------------------------------- #

_PREAMBLE = r"""\documentclass[a4paper,10pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\setcounter{MaxMatrixCols}{40}
\setlength{\textwidth}{16.5cm}
\setlength{\oddsidemargin}{-0.3cm}
\setlength{\evensidemargin}{-0.3cm}
\setlength{\textheight}{24cm}
\setlength{\topmargin}{-1.2cm}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6ex}
\allowdisplaybreaks
\sloppy
\renewcommand{\labelitemi}{$\bullet$}
% a display line, scaled down to the line width only when it is wider
\newcommand{\fitline}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}%
{$\displaystyle #1$}}
"""

_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, math: Mapping[str, str]) -> str:
    r"""A sentence: the text of ``template`` escaped, each ``{name}`` replaced by the math
    ``math[name]`` (already LaTeX, typeset inline).

    >>> from symtconv.latex import _fill
    >>> print(_fill("{C} is 9×25_wide", {"C": r"C^{\top}"}))
    $C^{\top}$ is 9$\times$25\_wide
    """
    parts = _SLOT.split(template)
    return "".join(
        escape_text(part, strict=False) if n % 2 == 0 else f"${math[part]}$"
        for n, part in enumerate(parts)
    )


class _Writer:
    """Accumulates a document's body; math is printed by one :class:`DerivationPrinter`."""

    def __init__(self, printer: DerivationPrinter) -> None:
        self.printer = printer
        self.lines: list[str] = []

    def tex(self, expr: Any, values: Mapping[Any, Any] | None = None) -> str:
        """``expr`` printed; with ``values``, those symbols printed as their values."""
        if values:
            names = self.printer._settings["names"]
            return DerivationPrinter({"names": names, "values": values}).doprint(expr)
        return self.printer.doprint(expr)

    def raw(self, *lines: str) -> None:
        self.lines.extend(lines)

    def section(self, title: str) -> None:
        self.lines += ["", rf"\section{{{escape_text(title)}}}"]

    def subsection(self, title: str) -> None:
        self.lines += ["", rf"\subsection*{{{escape_text(title)}}}"]

    def say(self, template: str, **math: str) -> None:
        """A paragraph (see :func:`_fill`)."""
        self.lines += ["", _fill(template, math)]

    def display(self, body: str) -> None:
        """Display math, in a smaller font when it is wide (and never wider than a line)."""
        size = _font(body)
        line = r"\[\fitline{" + body + r"}\]"
        self.lines += [r"\begingroup" + size, line, r"\endgroup"] if size else [line]

    def gather(self, rows: Sequence[str]) -> None:
        """Display lines, centred, in one font that fits the widest."""
        if len(rows) == 1:
            self.display(rows[0])
            return
        size = _font(*rows)
        fitted = (r"\fitline{" + row + "}" for row in rows)
        body = [r"\begin{gather*}", r"\\".join(fitted), r"\end{gather*}"]
        self.lines += [r"\begingroup" + size, *body, r"\endgroup"] if size else body

    def align(self, rows: Sequence[tuple[str, str]]) -> None:
        """``lhs = rhs`` lines aligned at ``=`` (an empty ``rhs``: no ``=``), in a font
        that fits the widest."""
        size = _font(*(f"{lhs} = {rhs}" for lhs, rhs in rows))
        body = [
            r"\begin{align*}",
            "\\\\\n".join(f"{lhs} &= {rhs}" if rhs else f"{lhs} &" for lhs, rhs in rows),
            r"\end{align*}",
        ]
        self.lines += [r"\begingroup" + size, *body, r"\endgroup"] if size else body

    def figure(self, name: str, caption: str, **math: str) -> None:
        """The figure file ``name`` (next to the document), as wide as the text and at most
        45% of the page high, centred where it is written (no float), with ``caption``
        (see :func:`_fill`) under it."""
        self.lines += [
            "",
            r"\begin{center}",
            r"\includegraphics[width=\linewidth,height=0.45\textheight,keepaspectratio]"
            + f"{{{name}}}",
            r"\par\smallskip{\small " + _fill(caption, math) + "}",
            r"\end{center}",
        ]

    def items(self, entries: Iterable[str], kind: str = "itemize") -> None:
        self.lines.append(rf"\begin{{{kind}}}")
        self.lines += [rf"\item {entry}" for entry in entries]
        self.lines.append(rf"\end{{{kind}}}")

    def document(self, title: str, subtitle: str) -> str:
        head = [
            _PREAMBLE.rstrip("\n"),
            rf"\title{{{escape_text(title)}}}",
            rf"\author{{{escape_text(subtitle)}}}",
            r"\date{}",
            r"\begin{document}",
            r"\maketitle",
        ]
        return "\n".join([*head, *self.lines, "", r"\end{document}", ""])


#: Width of the text block in points (16.5 cm), and of a display line we aim for.
LINE_PT = 440.0

#: Font sizes for displays, largest first: (command, main pt, script pt, column sep pt).
_FONTS = (
    ("", 10.0, 7.0, 5.0),
    (r"\small", 9.0, 6.0, 5.0),
    (r"\scriptsize\setlength{\arraycolsep}{2pt}", 7.0, 5.0, 2.0),
    (r"\tiny\setlength{\arraycolsep}{1.5pt}", 5.0, 5.0, 1.5),
)


def _font(*displays: str) -> str:
    """The largest font size at which every one of ``displays`` fits the line."""
    for command, main, script, sep in _FONTS:
        if all(_width_pt(tex, main, script, sep) <= LINE_PT for tex in displays):
            return command
    return _FONTS[-1][0]


_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[_^]|[{}]|[^\s{}_^\\]")
_MATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)
_SKIPPED = {r"\left", r"\right", r"\,", r"\!", r"\text", r"\operatorname", r"\displaystyle"}


def _text_pt(tex: str, main: float = 10.0, script: float = 7.0) -> float:
    """A rough width of math ``tex`` in points, at font sizes ``main`` and ``script``."""
    width = 0.0
    stack = [False]  # whether each open group is a sub- or superscript
    pending = False
    for token in _TOKEN.findall(tex):
        if token in ("_", "^"):
            pending = True
        elif token == "{":
            stack.append(pending or stack[-1])
            pending = False
        elif token == "}":
            if len(stack) > 1:
                stack.pop()
        elif token not in _SKIPPED:
            size = script if (pending or stack[-1]) else main
            pending = False
            em = {r"\quad": 1.0, r"\qquad": 2.0}.get(token)
            # a glyph is about (0.55 + 0.05·(10 - size)) of its font size: the small
            # sizes of Computer Modern are relatively wider
            glyph = size * (0.55 + 0.05 * (10.0 - size))
            width += main * em if em else glyph * (0.5 if token in ",." else 1.0)
    return width


def _width_pt(tex: str, main: float = 10.0, script: float = 7.0, sep: float = 5.0) -> float:
    """A rough width of a display in points: matrices by their widest entry per column.

    >>> from symtconv.latex import _width_pt
    >>> round(_width_pt(r"\\begin{bmatrix}1 & 2\\\\3 & 4\\end{bmatrix}"))
    41
    """
    width = sum(_text_pt(piece, main, script) for piece in _MATRIX.split(tex)[::2])
    for body in _MATRIX.findall(tex):
        rows = [row.split("&") for row in body.split(r"\\")]
        widths = [0.0] * max(len(row) for row in rows)
        for row in rows:
            for n, cell in enumerate(row):
                widths[n] = max(widths[n], _text_pt(cell, main, script))
        width += sum(widths) + 2 * sep * len(widths) + main
    return width


def _pytorch_call(g: Geometry) -> str:
    """The geometry as the PyTorch layer that has it, e.g. ``ConvTranspose2d(3, 6, ...)``.

    >>> from symtconv import Geometry
    >>> from symtconv.latex import _pytorch_call
    >>> _pytorch_call(Geometry((32, 32), 3, stride=2, padding=2, in_channels=3, out_channels=6))
    'ConvTranspose2d(3, 6, kernel_size=3, stride=2, padding=2)'
    """

    def value(values: tuple[Any, ...]) -> str:
        return str(values[0]) if len(set(values)) == 1 else str(tuple(values))

    name = f"ConvTranspose{g.ndim}d" if g.ndim <= 3 else f"ConvTranspose ({g.ndim}-d)"
    parts = [str(g.in_channels), str(g.out_channels), f"kernel_size={value(g.kernel_size)}"]
    for label, values, default in (
        ("stride", g.stride, 1),
        ("padding", g.padding, 0),
        ("output_padding", g.output_padding, 0),
        ("groups", (g.groups,), 1),
        ("dilation", g.dilation, 1),
    ):
        if any(v != default for v in values):
            parts.append(f"{label}={value(values)}")
    return f"{name}({', '.join(parts)})"


def _sizes(values: Iterable[Any]) -> str:
    return "×".join(str(v) for v in values)


# --------------------------------------------------------------------------- #
# Concrete derivations
# --------------------------------------------------------------------------- #

# The symbols of the general formulas (one axis, no subscript).
_I, _K, _S, _P, _A, _D, _O = sp.symbols("i k s p a d o", integer=True)
_J, _N, _M = sp.symbols("j n m", integer=True)
_PLAIN = Axis(_I, _K, _S, _P, _P, _A, _D)
#: The index condition of the scatter, ``j = s n + d m - p``.
_LANDS = sp.Eq(_J, _S * _N + _D * _M - _P)

_ENGINES = {
    "sympy": "with SymPy expressions: every output of every method expanded and compared "
    "term by term",
    "fast": "with the fast exact engine: every method executed on exact (output, y, w) "
    "index triples and compared in a sorted canonical form",
}


def _forward_length(ax: Axis, o: Any) -> Any:
    """Where the forward convolution's window fits: ``floor((o + p_b + p_e - d(k-1) - 1)/s) + 1``.

    Written with ``o`` as a symbol, for display; the document checks its value against
    :attr:`Geometry.forward_output_size`.
    """
    return sp.floor((o + ax.p_begin + ax.p_end - ax.d * (ax.k - 1) - 1) / ax.s) + 1


@dataclass(frozen=True)
class Derivation:
    r"""Everything a derivation document shows for one concrete geometry.

    Explanation
    ===========

    Built by :func:`derive`.  :meth:`document` writes the standalone LaTeX document:
    setup and notation, ``y`` and ``w``, the matrices ``C`` and ``Cᵀ`` (with their
    per-axis and channel block structure), ``Cᵀ·vec(y)`` entry by entry, the
    flip-and-pad steps with every intermediate, the output size, the overlap pattern
    (how many ``y·w`` terms reach each output, from :func:`symtconv.overlap.overlap`),
    the proof (and what was not proved), and — with values — the numbers substituted.
    With ``figures``, the document includes the figures of :mod:`symtconv.figures`
    (C, the flip-and-pad steps, the overlap map) in those sections; :meth:`write`
    writes them next to the ``.tex``.  ``_latex`` (and Jupyter's ``_repr_latex_``) is
    the headline ``x = Cᵀ vec(y)`` with ``C`` shown.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.latex import derive
    >>> d = derive(Geometry(2, 2, stride=2))
    >>> print(d._repr_latex_())  # doctest: +NORMALIZE_WHITESPACE
    $\displaystyle x = C^{\top} \operatorname{vec}(y),\quad
    C = \begin{bmatrix}w_{0} & w_{1} & 0 & 0\\0 & 0 & w_{0} & w_{1}\end{bmatrix}$
    """

    geometry: Geometry
    tier: str
    symbols: _Shown
    numbers: _Shown | None
    proof: Proof | None
    not_proved: str
    expected: Any
    names: Mapping[str, str]
    title: str
    expected_label: str = "the expected output"
    #: The exact values ``(y, w)`` with their channel axes (for the steps figure), if any.
    values: tuple[np.ndarray, np.ndarray] | None = None
    #: Whether :meth:`document` and :meth:`write` include the figures by default.
    figures: bool = False

    # -- Jupyter and sympy.latex ------------------------------------------- #

    def _latex(self, printer: Any) -> str:
        c = self.symbols.matrix
        matrix = ElidedMatrix.of((c.shape[0], c.shape[1]), c.get, max_rows=12, max_cols=12)
        y, x = (printer._print(sp.Symbol(b)) for b in "yx")
        return rf"{x} = C^{{\top}} \operatorname{{vec}}({y}),\quad C = {printer._print(matrix)}"

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {DerivationPrinter({'names': self.names}).doprint(self)}$"

    # -- the document ------------------------------------------------------- #

    def document(self, *, figures: bool | None = None, stem: str = "derivation") -> str:
        """The standalone LaTeX document (deterministic: same input, same bytes).

        With ``figures`` (default: as :func:`derive` was told), the document includes
        ``{stem}-matrix.pdf``, ``{stem}-steps.pdf`` and ``{stem}-overlap.pdf`` from its
        own folder: ``stem`` is the ``.tex`` file's name without ``.tex``, and
        :meth:`write` puts the figures there.
        """
        use = self.figures if figures is None else figures
        files = self.figure_files(stem) if use else {}
        out = _Writer(DerivationPrinter({"names": self.names}))
        self._setup(out)
        self._tensors(out)
        self._matrix(out, files.get("matrix"))
        self._transpose(out)
        self._flip_and_pad(out, files.get("steps"))
        self._output_size(out)
        self._overlap(out, files.get("overlap"))
        self._proof(out)
        if self.numbers is not None:
            self._numbers(out)
        return out.document(self.title, "derived and proved with symtconv")

    def figure_files(self, stem: str) -> dict[str, str]:
        """The figure file of each kind drawn for this geometry: ``{stem}-{kind}.pdf``.

        >>> from symtconv import Geometry
        >>> from symtconv.latex import derive
        >>> derive(Geometry((2, 2, 2), 2)).figure_files("cube")
        {'matrix': 'cube-matrix.pdf', 'overlap': 'cube-overlap.pdf'}
        """
        from ..figures import figure_kinds

        _check_stem(stem)
        return {kind: f"{stem}-{kind}.{FIGURE_FORMAT}" for kind in figure_kinds(self.geometry)}

    def write_figures(self, folder: str | Path, stem: str) -> list[Path]:
        """Draw the figures :meth:`document` includes into ``folder`` (needs matplotlib).

        With values, the steps figure shows them.  The files are deterministic (see
        :func:`symtconv.figures.save_figure`).
        """
        from ..figures import write_figures

        self.figure_files(stem)  # checks the stem before anything is drawn
        y, w = self.values if self.values is not None else (None, None)
        return write_figures(self.geometry, folder, stem=stem, formats=(FIGURE_FORMAT,), y=y, w=w)

    def write(self, path: str | Path, *, figures: bool | None = None) -> list[Path]:
        """Write the document to ``path`` (a ``.tex`` file) and, with ``figures``, the
        figures next to it (named after it); return the paths, the ``.tex`` first.

        The figures are drawn first, so without matplotlib
        (:class:`~symtconv.errors.MissingDependencyError`) nothing is written.
        """
        path = _tex_path(path)
        use = self.figures if figures is None else figures
        drawn = self.write_figures(path.parent, path.stem) if use else []
        path.write_text(self.document(figures=use, stem=path.stem), encoding="utf-8")
        return [path, *drawn]

    # -- helpers ------------------------------------------------------------ #

    def _names(self, out: _Writer) -> dict[str, str]:
        """The printed names of y, w, x (for sentences)."""
        return {b: out.tex(sp.Symbol(b)) for b in "ywx"}

    def _axis(self, r: int) -> tuple[Axis, dict[Any, Any]]:
        """Axis ``r`` with symbols (subscripted when N > 1), and the symbols' values."""
        ax = self.geometry.axes[r]
        suffix = f"_{r + 1}" if self.geometry.ndim > 1 else ""
        i, k, s, d, a = (sp.Symbol(n + suffix, integer=True) for n in "iksda")
        if ax.p_begin == ax.p_end:
            p_b = p_e = sp.Symbol("p" + suffix, integer=True)
        else:
            p_b, p_e = (sp.Symbol(f"p_{{{e}{suffix[1:]}}}", integer=True) for e in "be")
        values = {i: ax.i, k: ax.k, s: ax.s, p_b: ax.p_begin, p_e: ax.p_end, a: ax.a, d: ax.d}
        values[self._o(r)] = self.geometry.output_size[r]
        return Axis(i, k, s, p_b, p_e, a, d), values

    def _o(self, r: int) -> sp.Symbol:
        return sp.Symbol("o" + (f"_{r + 1}" if self.geometry.ndim > 1 else ""), integer=True)

    def _panels(
        self,
        out: _Writer,
        grid: Grid,
        base: str,
        channel_axes: int,
        values: Grid | None = None,
        accent: str = "",
    ) -> list[str]:
        """A tensor as matrices (its last two axes), one per leading index, labelled;
        with ``values``, each followed by ``= (the same with the values)``."""
        grids = [g.squeeze(channel_axes).as_matrix() for g in (grid, values) if g is not None]
        leading = grids[0].shape[:-2]
        panels = []
        for index in _leading_indices(leading):
            if index is None:
                panels.append(r"\cdots")
                continue
            label = out.tex(TensorSlice(base, index, 2 if leading else 0, accent))
            shown = [out.tex(_elided(g.at(index))) for g in grids]
            joined = " = ".join([label, *shown])
            if len(shown) > 1 and _font(joined) not in ("", r"\small"):
                # too wide for one line: the values go on a line of their own
                panels += [f"{label} = {shown[0]}", f"= {shown[1]}"]
            else:
                panels.append(joined)
        return panels

    def _show(self, out: _Writer, *panels: list[str]) -> None:
        """Panels packed into display lines that fit the page."""
        lines: list[list[str]] = [[]]
        used = 0.0
        for tex in (p for group in panels for p in group):
            width = _width_pt(tex) + 20.0
            if lines[-1] and used + width > LINE_PT:
                lines.append([])
                used = 0.0
            lines[-1].append(tex)
            used += width
        out.gather([r",\qquad ".join(line) for line in lines])

    # -- sections ------------------------------------------------------------ #

    def _setup(self, out: _Writer) -> None:
        g = self.geometry
        n = self._names(out)
        out.section("Setup and notation")
        out.say(
            f"This document derives the transposed convolution {_pytorch_call(g)} (PyTorch's "
            f"parameters) on an input of spatial size {_sizes(g.input_size)}. Its input {{y}} "
            "has shape {yshape} (channels, then space), its weight {w} has shape {wshape} "
            "(PyTorch's layout: input channel, output channel within the group, kernel) and "
            "its output {x} has shape {xshape}.",
            yshape=_shape_tex(g.input_shape),
            wshape=_shape_tex(g.weight_shape),
            xshape=_shape_tex(g.output_shape),
            **n,
        )
        header = ["axis", "$i$", "$k$", "$s$", "$p$ (begin, end)", "$d$", "$a$", "$o$"]
        rows = [
            " & ".join(
                str(v)
                for v in (r + 1, ax.i, ax.k, ax.s, f"{ax.p_begin}, {ax.p_end}", ax.d, ax.a, o)
            )
            for r, (ax, o) in enumerate(zip(g.axes, g.output_size, strict=True))
        ]
        out.raw(
            "",
            r"\begin{center}\begin{tabular}{" + "c" * len(header) + "}",
            " & ".join(header) + r"\\\hline",
            *(row + r"\\" for row in rows),
            r"\end{tabular}\end{center}",
        )
        out.say(
            "Per axis (the notation of Dumoulin and Visin): {i} input length, {k} kernel "
            "length, {s} stride, {p} padding (a crop of the full output at each end: "
            "PyTorch's meaning), {d} dilation, {a} output padding, {o} output length. "
            "Indices start at 0, and arrays are flattened row-major (channel first), as "
            "numpy.reshape and PyTorch do.",
            **{str(v): out.tex(v) for v in (_I, _K, _S, _P, _D, _A, _O)},
        )
        out.say(
            "The one idea: the forward convolution with the same kernel, stride, padding and "
            "dilation maps a signal of the output's size to one of the input's size. It is "
            "linear, so it is a matrix {C}: {forward}. The transposed convolution is "
            "multiplication by its transpose, {transposed} — transposed, not inverted: "
            "{inverse} in general. By definition (the scatter that frameworks implement) the "
            "product {product} lands at output position {lands} on every axis, and is "
            "cropped when that is outside {inside}. For this geometry:",
            C="C",
            forward=rf"\operatorname{{vec}}({n['y']}) = C \operatorname{{vec}}({n['x']})",
            transposed=rf"\operatorname{{vec}}({n['x']}) = "
            rf"C^{{\top}} \operatorname{{vec}}({n['y']})",
            inverse=r"C^{\top} C \neq I",
            product=f"{n['y']}_n {n['w']}_m",
            lands=out.tex(_LANDS),
            inside=out.tex(sp.And(_J >= 0, _J < _O)),
        )
        conditions = []
        for r, ax in enumerate(g.axes):
            j, i, m = (
                sp.Symbol(name + (f"_{r + 1}" if g.ndim > 1 else ""), integer=True)
                for name in "jnm"
            )
            conditions.append(out.tex(sp.Eq(j, ax.s * i + ax.d * m - ax.p_begin)))
        out.display(r",\qquad ".join(conditions))

    def _tensors(self, out: _Writer) -> None:
        g = self.geometry
        n = self._names(out)
        out.section("The input and the kernel")
        if g.in_channels == 1:
            out.say("The input {y}:", **n)
        elif g.ndim == 1:
            out.say("The input {y}, one row per input channel:", **n)
        else:
            out.say("The input {y}, one matrix per input channel:", **n)
        self._show(out, self._panels(out, self.symbols.y, "y", 1))
        if (g.in_channels, g.out_channels) == (1, 1):
            out.say("The kernel {w}:", **n)
        else:
            out.say(
                f"The kernel {{w}}, with G = {g.groups} group(s) of {{qin}} input and {{qout}} "
                "output channels: {entry} connects input channel {c} to output channel "
                "{target}, where {group} is the group of {c}:",
                entry=rf"{n['w']}_{{c,l,\ldots}}",
                qin=rf"Q_{{in}} = {g.in_channels // g.groups}",
                qout=rf"Q_{{out}} = {g.out_channels // g.groups}",
                c="c",
                target=r"g Q_{out} + l",
                group=r"g = \lfloor c / Q_{in} \rfloor",
                **n,
            )
        self._show(out, self._panels(out, self.symbols.w, "w", 2))

    def _matrix(self, out: _Writer, figure: str | None = None) -> None:
        g = self.geometry
        n = self._names(out)
        c = self.symbols.matrix
        rows, cols = c.shape
        forward = spatial_shape(g, g.forward_output_size)
        out.section("The matrix C of the forward convolution, and its transpose")
        out.say(
            f"{{C}} has one row per entry of the forward convolution's output "
            f"({g.in_channels} channel(s) of size {_sizes(forward)}) and one column per entry "
            f"of {{x}} ({g.out_channels} channel(s) of size {_sizes(g.output_size)}): it is "
            f"{rows}×{cols}. Row {{row}} holds the taps of {{w}} that the forward convolution "
            "applies to {x} to produce its output {row}.",
            C="C",
            row="(c, n)",
            **n,
        )
        if g.is_adjoint is not True:
            out.say(
                "Here output_padding is not smaller than the stride on some axis "
                f"(output_padding={g.output_padding}, stride={g.stride}; PyTorch accepts it "
                "because it is smaller than the dilation). The forward convolution then maps "
                f"the output size {_sizes(g.output_size)} to {_sizes(forward)}, not to the "
                f"input size {_sizes(g.input_size)}: {{C}} has {rows} rows while {{y}} has "
                f"{math.prod(g.input_shape)} entries.",
                C="C",
                **n,
            )
        self._taps(out)
        if (g.in_channels, g.out_channels) != (1, 1):
            self._blocks(out)
        matrix = ElidedMatrix.of((rows, cols), c.get)
        elided = rows > MAX_ROWS or cols > MAX_COLS
        out.say(
            "{C} itself" + (" (its corners: the dots stand for the rest)" if elided else "") + ":",
            C="C",
        )
        out.display("C = " + out.tex(matrix))
        out.say(f"and its transpose, the matrix of the transposed convolution ({cols}×{rows}):")
        transposed = ElidedMatrix.of((cols, rows), lambda rc: c.get((rc[1], rc[0])))
        out.display(r"C^{\top} = " + out.tex(transposed))
        if figure is not None:
            from ..figures import FULL_COLUMNS, FULL_ROWS

            whole = rows <= FULL_ROWS and cols <= FULL_COLUMNS
            out.figure(
                figure,
                "The pattern of {C}: each nonzero coloured by the kernel tap that stands in it"
                + (
                    "."
                    if whole
                    else " — its channel blocks (shaded by the density of their nonzeros), "
                    "and a zoom on the top-left corner of the first block."
                ),
                C="C",
            )

    def _taps(self, out: _Writer) -> None:
        g = self.geometry
        w = self._names(out)["w"]
        grouped = (g.in_channels, g.out_channels) != (1, 1)
        suffix = [f"_{{{r + 1}}}" if g.ndim > 1 else "" for r in range(g.ndim)]
        taps = ",".join(f"T{sub}[n{sub}, j{sub}]" for sub in suffix)
        out.say(
            "Every axis has the same 1-D pattern: {T} when {lands} (a dot where no tap lands). "
            "An entry of {C} is the tap its axes select,",
            T="T[n, j] = m",
            lands=out.tex(_LANDS),
            C="C",
        )
        if grouped:
            out.display(rf"C_{{(c, n), (c', j)}} = {w}_{{c,\, c' - g Q_{{out}},\, {taps}}}")
        else:
            out.display(rf"C_{{n, j}} = {w}_{{{taps}}}")
        out.say(
            "when every axis has a tap"
            + (" and the channels are in the same group g" if grouped else "")
            + ", and 0 otherwise. Here:"
        )
        panels = []
        for r, ax in enumerate(g.axes):
            taps_r = _AxisMaps.of(ax).taps
            shape = (int(g.forward_output_size[r]), int(g.output_size[r]))
            matrix = ElidedMatrix.of(shape, taps_r.get)
            panels.append(f"T{suffix[r]} = {out.tex(matrix)}")
        self._show(out, panels)

    def _blocks(self, out: _Writer) -> None:
        g = self.geometry
        w = self._names(out)["w"]
        per_in, per_out = g.in_channels // g.groups, g.out_channels // g.groups
        blocks = ElidedMatrix.of(
            (g.in_channels, g.out_channels),
            lambda cc: (
                sp.Symbol(f"C_{{{cc[0]},{cc[1]}}}")
                if cc[0] // per_in == cc[1] // per_out
                else sp.Integer(0)
            ),
            max_rows=8,
            max_cols=8,
            head=3,
            tail=1,
        )
        spatial = math.prod(spatial_shape(g, g.forward_output_size))
        columns = math.prod(spatial_shape(g, g.output_size))
        out.say(
            f"With channels, {{C}} is a {g.in_channels}×{g.out_channels} matrix of blocks: "
            f"block {{block}} ({spatial}×{columns}) is the spatial matrix of the kernel "
            "{kernel} when channels {c} and {cp} are in the same group {g}, and zero "
            "otherwise. Every block has the pattern of the first:",
            C="C",
            block="C_{c,c'}",
            kernel=rf"{w}_{{c,\, c' - g Q_{{out}}, \ldots}}",
            c="c",
            cp="c'",
            g="g",
        )
        first = ElidedMatrix.of((spatial, columns), self.symbols.matrix.get)
        self._show(out, ["C = " + out.tex(blocks), "C_{0,0} = " + out.tex(first)])

    def _transpose(self, out: _Writer) -> None:
        g = self.geometry
        n = self._names(out)
        shown = self.symbols
        out.section("The transposed convolution entry by entry")
        shape = shown.y.shape
        vec = ElidedMatrix.of(
            (1, math.prod(shape)),
            lambda rc: shown.y.get(tuple(int(v) for v in np.unravel_index(rc[1], shape))),
            max_cols=10,
        )
        out.say("Flattened row-major,")
        out.display(rf"\operatorname{{vec}}({n['y']}) = {out.tex(vec)}^{{\top}}")
        product = rf"C^{{\top}} \operatorname{{vec}}({n['y']})"
        if g.is_adjoint is True:
            out.say(
                "and each entry of {x} is a column of {C} times {vec}:",
                x=f"{n['x']} = {product}",
                C="C",
                vec=rf"\operatorname{{vec}}({n['y']})",
            )
        else:
            out.say(
                "{product} is not defined here ({C} has more rows than {y} has entries). "
                "With {y} extended by zeros at the high end to the forward convolution's "
                "output size, the entries of {product} are (the proof below compares them with "
                "the definition):",
                product=product,
                C="C",
                **n,
            )
        out.align(self._entries(out, shown.transposed))

    def _entries(self, out: _Writer, grid: Grid) -> list[tuple[str, str]]:
        """``x_{j} = …`` for the shown outputs (all of them when there are few)."""
        shape = grid.shape
        total = math.prod(shape)
        flat: Sequence[int | None] = (
            range(total) if total <= MAX_ENTRIES else (*range(6), None, *range(total - 3, total))
        )
        rows = []
        for number in flat:
            if number is None:
                rows.append((r"\vdots", ""))
                continue
            index = tuple(int(v) for v in np.unravel_index(number, shape))
            name = sp.Symbol(symbol_name("x", index, shape, 1))
            rows.append((out.tex(name), out.tex(ElidedSum(grid.get(index)))))
        return rows

    def _flip_and_pad(self, out: _Writer, figure: str | None = None) -> None:
        g = self.geometry
        n = self._names(out)
        shown, numbers = self.symbols, self.numbers
        out.section("Flip and pad, step by step")
        out.say(
            "The recipe of the blog post this project started from, in general form: insert "
            "zeros between the inputs, pad, flip the kernel, then convolve with stride 1. Each "
            "intermediate is shown with symbols"
            + (" and, after the second =, with the values." if numbers is not None else ".")
        )
        out.subsection("1. Zero insertion")
        out.say(
            "Put {gap} zeros between neighbouring entries of {y}: on each axis the length "
            "becomes {length}, here",
            gap=out.tex(_S - 1),
            length=out.tex(_PLAIN.stretched),
            **n,
        )
        rows = []
        for r in range(g.ndim):
            ax, values = self._axis(r)
            rows.append(
                (
                    rf"\text{{axis {r + 1}: }} {out.tex(ax.stretched)}",
                    f"{out.tex(ax.stretched, values)} = {g.axes[r].stretched}",
                )
            )
        out.align(rows)
        with_values = numbers.zero_inserted if numbers else None
        self._show(out, self._panels(out, shown.zero_inserted, "z", 1, with_values))
        out.subsection("2. Padding")
        out.say(
            "Pad {before} zeros before and {after} after, on every axis (a negative amount "
            "crops). For {d1} and {a0} both are the blog post's {seed}; in general they depend "
            "on the dilation and the output padding. Here",
            before=out.tex(_PLAIN.pad_before),
            after=out.tex(_PLAIN.pad_after),
            d1="d = 1",
            a0="a = 0",
            seed=out.tex(_K - _P - 1),
        )
        amounts = []
        for r, g_ax in enumerate(g.axes):
            ax, values = self._axis(r)
            axis = f" (axis {r + 1})" if g.ndim > 1 else ""
            for label, expr, value in (
                ("before", ax.pad_before, g_ax.pad_before),
                ("after", ax.pad_after, g_ax.pad_after),
            ):
                amounts.append(
                    (
                        rf"\text{{{label}{axis}: }} {out.tex(expr)}",
                        f"{out.tex(expr, values)} = {value}",
                    )
                )
        out.align(amounts)
        crops = [r + 1 for r, ax in enumerate(g.axes) if ax.pad_before < 0 or ax.pad_after < 0]
        if crops:
            out.say(
                f"A negative amount crops: on axis {', '.join(map(str, crops))} entries are "
                "removed instead of zeros added (this happens when {when}).",
                when=out.tex(_P > _D * (_K - 1)),
            )
        with_values = numbers.padded if numbers else None
        self._show(out, self._panels(out, shown.padded, "u", 1, with_values))
        out.subsection("3. Flipping the kernel")
        out.say(
            "Reverse the kernel on every spatial axis (top to bottom, left to right): {flip}.",
            flip=rf"\tilde{{{n['w']}}}_m = {n['w']}_{{k - 1 - m}}",
        )
        with_values = numbers.flipped if numbers else None
        self._show(out, self._panels(out, shown.flipped, "w", 2, with_values, "tilde"))
        out.subsection("4. Convolution with stride 1")
        out.say(
            "Slide the flipped kernel over the padded input with stride 1 and dilation {d} (a "
            "correlation, as deep-learning convolutions are), {sum}, summed over the input "
            "channels of the group. The output length per axis is the padded length minus the "
            "dilated kernel's span {span}, plus one. For example",
            d="d",
            sum=rf"{n['x']}_j = \sum_m u_{{j + d m}} \tilde{{{n['w']}}}_m",
            span=out.tex(_PLAIN.effective_kernel),
        )
        self._window(out)
        if numbers is not None:
            out.say("With the values, the result of flip-and-pad is")
            self._show(out, self._panels(out, numbers.result, "x", 1))
        if figure is not None:
            channels = g.in_channels * g.out_channels > 1
            out.figure(
                figure,
                "The four steps at a glance: the input, zero insertion, padding, the flipped "
                "kernel and the output"
                + (" (channel 0 of {y}, the kernel {w00} and output channel 0)" if channels else "")
                + (
                    ", with the values."
                    if numbers is not None
                    else ", whose cells give the number of y·w terms each output receives."
                ),
                y=n["y"],
                w00=out.tex(TensorSlice("w", (0, 0), g.ndim)),
            )

    def _window(self, out: _Writer) -> None:
        """One output of flip-and-pad as the window of ``u`` against the flipped kernel."""
        g = self.geometry
        w = self._names(out)["w"]
        shown = self.symbols
        kernel = spatial_shape(g, g.kernel_size)
        dilation = [int(v) for v in g.dilation]
        target = tuple(min(1, int(o) - 1) for o in g.output_size)
        window = Grid(
            (1, *kernel),
            lambda index: shown.padded.get(
                (0, *(t + d * m for t, d, m in zip(target, dilation, index[1:], strict=True)))
            ),
        )
        flipped = Grid((1, *kernel), lambda index: shown.flipped.get((0, 0, *index[1:])))
        output = (0, *target)
        name = out.tex(sp.Symbol(symbol_name("x", output, shown.result.shape, 1)))
        many = g.in_channels // g.groups > 1
        channels = r"\sum_{c}" if many else ""
        out.display(
            rf"{name} = {channels}\left\langle {_matrix_tex(out, window)},\ "
            rf"{_matrix_tex(out, flipped)} \right\rangle = "
            rf"{out.tex(ElidedSum(shown.result.get(output)))}"
        )
        out.say(
            "(the window of {u}"
            + (" of input channel 0" if many else "")
            + " that this output reads, entrywise times {wt}, summed"
            + (" over the group's input channels" if many else "")
            + "). The proof below shows that every output equals the entry of {product} "
            "listed above.",
            u="u",
            wt=rf"\tilde{{{w}}}",
            product=r"C^{\top} \operatorname{vec}(y)",
        )

    def _output_size(self, out: _Writer) -> None:
        g = self.geometry
        out.section("The output size")
        out.say(
            "Zero insertion leaves {stretched} entries, padding adds {before} and {after}, and "
            "a stride-1 window of span {span} fits at",
            stretched=out.tex(_PLAIN.stretched),
            before=out.tex(_PLAIN.pad_before),
            after=out.tex(_PLAIN.pad_after),
            span=out.tex(_PLAIN.effective_kernel),
        )
        out.display(out.tex(sp.Eq(_O, _PLAIN.output)))
        out.say(
            "positions (the general document derives this two ways with SymPy: symtconv "
            "derive --general). Here"
        )
        rows = []
        for r in range(g.ndim):
            ax, values = self._axis(r)
            rows.append((out.tex(self._o(r)), f"{out.tex(ax.output, values)} = {g.output_size[r]}"))
        out.align(rows)
        out.say(
            "The forward convolution maps a length o back to the number of places its window fits,"
        )
        rows = []
        for r in range(g.ndim):
            ax, values = self._axis(r)
            length = _forward_length(ax, self._o(r))
            value = int(length.xreplace(values))
            if value != g.forward_output_size[r]:  # the display formula must be Geometry's
                raise AssertionError(f"forward length {value} != {g.forward_output_size[r]}")
            rows.append((out.tex(length), f"{out.tex(length, values)} = {value}"))
        out.align(rows)
        if g.is_adjoint is True:
            out.say(
                "which is the input size. Exactly s output sizes, {sizes}, map back to it; "
                "output_padding {a} picks one of them, adding length at the high end and no "
                "data.",
                sizes=r"o - a, \ldots, o - a + s - 1",
                a=r"0 \le a < s",
            )
        else:
            out.say(
                "which is more than the input size: with {a} the shape relation of a "
                "transposed convolution breaks.",
                a=r"a \ge s",
            )
        out.say(
            f"So the output has shape {_sizes(g.output_shape)} "
            f"(1×{_sizes(g.output_shape)} with a batch of one)."
        )

    def _overlap(self, out: _Writer, figure: str | None = None) -> None:
        """How many ``y·w`` terms reach each output: per axis, then in N-d; why the
        interior is (not) uniform here."""
        g = self.geometry
        ov = overlap_of(g)
        n = self._names(out)
        per_group = ov.channel_factor
        out.section("The overlap pattern: how many terms reach each output")
        out.say(
            "Each entry of {x} is a sum of products {product} (listed above). On an axis the "
            "product lands at {lands}, so the taps {m} that reach output {j} are those with "
            "{index} for an integer {n} with {inside}. Their number is the number of nonzeros "
            "in column {j} of the axis's pattern {T}"
            + (
                ", and an entry of {x} receives the product of its axes' counts"
                if g.ndim > 1
                else ""
            )
            + (
                f", times the {per_group} input channels of its group (C_in/groups)"
                if per_group > 1
                else ""
            )
            + ". Away from the borders, where {interior}, every tap whose input index is an "
            "integer finds an input, and the count depends only on {j} modulo the stride.",
            product=f"{n['y']}_n {n['w']}_m",
            m=out.tex(_M),
            j=out.tex(_J),
            T="T",
            lands=out.tex(_LANDS),
            index=out.tex(sp.Eq(_J + _P - _D * _M, _S * _N)),
            n=out.tex(_N),
            inside=out.tex(sp.And(_N >= 0, _N <= _I - 1)),
            interior=rf"{out.tex(_D * (_K - 1))} \le j + p \le {out.tex(_S * (_I - 1))}",
            **n,
        )
        out.say(
            "Interior coverage is uniform — the same number of terms at every interior output, "
            "no checkerboard — exactly when {gcd} and {divides} on every axis"
            + ("; for {d1} simply {divides}, as here" if all(a.d == 1 for a in g.axes) else "")
            + ". With {g} the outputs with {skipped} receive no taps at all. (symtconv overlap "
            "--symbolic derives this with SymPy for symbolic s, k and d.)",
            d1=out.tex(sp.Eq(_D, 1)),
            gcd=f"{out.tex(Gcd(_D, _S))} = 1",
            divides=out.tex(Divides(_S, _K)),
            g=rf"g = {out.tex(Gcd(_D, _S))} > 1",
            skipped=out.tex(Divides(sp.Symbol("g"), _J + _P, holds=False)),
        )
        for r, axis in enumerate(ov.axes):
            self._overlap_axis(out, r, axis)
        self._overlap_verdict(out, ov, per_group)
        if figure is not None:
            out.figure(
                figure,
                "The overlap map: the number of terms reaching each output"
                + (
                    ", the axes' counts along the edges and the interior outlined."
                    if g.ndim == 2
                    else ", per axis, the interior shaded."
                ),
            )

    def _overlap_axis(self, out: _Writer, r: int, axis: AxisOverlap) -> None:
        g = self.geometry
        ax, values = self._axis(r)
        sub = f"_{r + 1}" if g.ndim > 1 else ""
        j, count = sp.Symbol("j" + sub, integer=True), sp.Symbol("N" + sub)
        o = len(axis.counts)
        if g.ndim > 1:
            out.subsection(f"Axis {r + 1}")
        out.say(
            "The number of taps reaching each output index {range}:",
            range=rf"{out.tex(j)} = 0, \ldots, {o - 1}" if o > 1 else rf"{out.tex(j)} = 0",
        )
        counts = ElidedMatrix.of((1, o), lambda rc: axis.counts[rc[1]])
        out.display(f"{out.tex(count)} = {out.tex(counts)}")
        pattern = _interior_pattern(j, axis.interior)
        where = (
            "Away from the borders, for {range}, the count"
            if axis.interior_range is not None
            else "No output here is away from both borders (the input is too short for the "
            "kernel's span), so a border may cut taps off any count; away from the borders, on "
            "a longer input, the count"
        )
        first, last = axis.interior_range or (0, 0)
        periodic = (
            f" depends only on {{j}} modulo its period {axis.period}:"
            if axis.period > 1
            else " is the same everywhere:"
        )
        out.say(where + periodic, range=rf"{first} \le {out.tex(j)} \le {last}", j=out.tex(j))
        out.display(f"{out.tex(count)}({out.tex(j)}) = {out.tex(pattern)}")
        self._overlap_borders(out, axis, j, count)
        gcd = f"{out.tex(Gcd(ax.d, ax.s))} = {out.tex(Gcd(ax.d, ax.s), values)} = {axis.gcd}"
        levels = _and_list(sorted(set(axis.interior)))
        if axis.gcd > 1:
            out.say(
                "Since {gcd}, only the outputs with {divides} receive taps; the interior count "
                f"runs through {levels} (period {axis.period}): not uniform.",
                gcd=gcd + " > 1",
                divides=out.tex(Divides(axis.gcd, j + axis.padding)),
            )
        elif not axis.uniform:
            out.say(
                "Since {gcd} but {divides} ({k} is not a multiple of {s}), the interior count "
                f"alternates between {levels} (period {axis.period}): not uniform.",
                gcd=gcd,
                divides=out.tex(Divides(ax.s, ax.k, holds=False), values),
                k=out.tex(sp.Eq(ax.k, axis.kernel)),
                s=out.tex(sp.Eq(ax.s, axis.stride)),
            )
        else:
            out.say(
                "Since {gcd} and {divides}, every interior output receives {each} "
                + _plural(axis.kernel // axis.stride, "tap")
                + ": uniform.",
                gcd=gcd,
                divides=out.tex(Divides(ax.s, ax.k), values),
                each=f"{out.tex(ax.k / ax.s)} = {axis.kernel // axis.stride}",
            )

    def _overlap_borders(self, out: _Writer, axis: AxisOverlap, j: Any, count: Any) -> None:
        """Where a border cuts taps off, or that it cuts none."""
        first, last = axis.interior_range or (0, -1)
        o = len(axis.counts)
        outside = [jj for jj in range(o) if not first <= jj <= last]
        # the interior pattern by j mod s; a border can only take taps away
        cut = [jj for jj in outside if axis.counts[jj] != axis.residues[jj % axis.stride]]
        if cut:
            shown = cut if len(cut) <= 8 else [*cut[:4], None, *cut[-4:]]
            listed = [
                r"\ldots"
                if jj is None
                else f"{out.tex(count)}({jj}) = {axis.counts[jj]} < "
                f"{axis.residues[jj % axis.stride]}"
                for jj in shown
            ]
            out.say(
                "Near the borders some taps would need an input index outside {y}, so fewer "
                "reach than the pattern gives: {cut}.",
                cut=r",\ ".join(listed),
                y=self._names(out)["y"],
            )
        elif outside:
            where = "{outside}" if len(outside) <= 8 else f"all {len(outside)} of them"
            out.say(
                "The border outputs, " + where + ", lose no tap here: their counts follow the "
                "same pattern.",
                outside=rf"{out.tex(j)} \in {out.tex(sp.FiniteSet(*outside))}",
            )
        else:
            out.say("Every output is away from the borders.")

    def _overlap_verdict(self, out: _Writer, ov: Overlap, per_group: int) -> None:
        """The N-d counts (2-D: as a matrix) and the verdict, with this geometry's reason."""
        g = self.geometry
        axes = ov.axes
        n = self._names(out)
        if g.ndim > 1:
            out.subsection("Together")
        if g.ndim == 2:
            terms = ov.terms()
            out.say(
                "The number of terms of each entry {entry} of {x}, the product of the axes' "
                "counts" + (f" times {per_group}" if per_group > 1 else "") + ":",
                entry=rf"{n['x']}_{{j_1, j_2}}",
                **n,
            )
            grid = ElidedMatrix.of(terms.shape, lambda rc: int(terms[rc]))
            out.display(out.tex(grid))
        # the counts interior outputs can have: a product of one interior count per axis
        per_axis = (set(axis.interior) for axis in axes)
        levels = sorted({per_group * math.prod(c) for c in itertools.product(*per_axis)})
        if all(axis.uniform for axis in axes):
            out.say(
                (
                    "Here {gcd} and {divides} on every axis"
                    if g.ndim > 1
                    else "Here {gcd} and {divides}"
                )
                + ", so interior coverage is uniform: every interior output receives "
                + f"{levels[0]} {_plural(levels[0], 'term')} — no checkerboard.",
                gcd=f"{out.tex(Gcd(_D, _S))} = 1",
                divides=out.tex(Divides(_S, _K)),
            )
            return
        # one reason per distinct cause, with the axes it holds on
        reasons: dict[tuple[int, int, int], list[int]] = {}
        for r, axis in enumerate(axes):
            if not axis.uniform:
                key = (axis.gcd, 0, 0) if axis.gcd > 1 else (1, axis.kernel, axis.stride)
                reasons.setdefault(key, []).append(r + 1)
        parts: list[str] = []
        math_: dict[str, str] = {}
        for number, ((gcd, k, s), on) in enumerate(reasons.items()):
            if gcd > 1:
                parts.append(f"{{gcd{number}}} leaves outputs without taps")
                math_[f"gcd{number}"] = rf"{out.tex(Gcd(_D, _S))} = {gcd} > 1"
            else:
                parts.append(f"{{k{number}}} is not a multiple of {{s{number}}}")
                math_[f"k{number}"] = out.tex(sp.Eq(_K, k))
                math_[f"s{number}"] = out.tex(sp.Eq(_S, s))
            parts[-1] += _on_axes(on, g.ndim)
        uneven = sum(len(on) for on in reasons.values())
        if uneven > 1:
            pattern = "the checkerboard"
        elif g.ndim > 1:
            pattern = "stripes (one axis varies)"
        else:
            pattern = "the 1-d form of the checkerboard"
        out.say(
            "Here " + "; ".join(parts) + f", so interior outputs alternate between "
            f"{_and_list(levels)} terms — {pattern}.",
            **math_,
        )

    def _proof(self, out: _Writer) -> None:
        out.section("The proof")
        proof = self.proof
        if proof is None:
            out.say(
                f"No proof was run for this geometry: {self.not_proved}. Nothing in this "
                "document is claimed as proved for it beyond the general proof (symtconv "
                "derive --general), which covers every size."
            )
            return
        verdict = "proved" if proof.proved else "NOT proved"
        engine = _ENGINES.get(proof.engine, f"with the {proof.engine} engine")
        out.say(
            f"Claim: {proof.statement}. This was {verdict} by symtconv.prove {engine} "
            f"({proof.outputs} outputs, {proof.terms} products y·w):"
        )
        out.display(out.tex(proof))
        out.items(escape_text(str(c), strict=False) for c in proof.comparisons)
        if proof.notes:
            out.say("Notes: " + " ".join(note.rstrip(".") + "." for note in proof.notes))
        out.say(
            "The four are computed independently: the scatter (the definition), {C} times "
            "{vec}, flip-and-pad, and the gradient {grad} of the forward convolution. The "
            "general document proves the same identity for every size at once.",
            C=r"C^{\top}",
            vec=r"\operatorname{vec}(y)",
            grad=r"\partial \langle y, \operatorname{conv}(x) \rangle / \partial x",
        )

    def _numbers(self, out: _Writer) -> None:
        numbers = self.numbers
        assert numbers is not None
        n = self._names(out)
        out.section("The numbers")
        out.say("The values")
        self._show(out, self._panels(out, numbers.y, "y", 1), self._panels(out, numbers.w, "w", 2))
        out.say(
            "substituted into {product} give the output",
            product=rf"C^{{\top}} \operatorname{{vec}}({n['y']})",
        )
        self._show(out, self._panels(out, numbers.transposed, "x", 1))
        cells = _checked_cells(numbers.transposed.shape)
        which = (
            "entry for entry"
            if len(cells) == math.prod(numbers.transposed.shape)
            else f"on the {len(cells)} entries checked (those at the corners)"
        )
        same = _same(numbers.transposed, numbers.result, cells)
        text = "Flip-and-pad on the values gives " + (
            f"the same numbers, {which}." if same else "DIFFERENT numbers."
        )
        if self.expected is not None:
            matches = _same(numbers.transposed, Grid.of(self.expected), cells)
            text += (" This is " if matches else " This is NOT ") + self.expected_label
            text += "." if len(cells) == self.expected.size else f" ({which})."
        out.say(text)


#: Up to this many outputs, numbers are compared on every entry; past it, at the corners.
MAX_CHECKED = 4096


def _checked_cells(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every index of ``shape``, or (past :data:`MAX_CHECKED`) the corner indices."""
    if math.prod(shape) <= MAX_CHECKED:
        return [tuple(int(v) for v in index) for index in np.ndindex(*shape)]
    axes = [[v for v in shown_indices(n, 0) if v is not None] for n in shape]
    return list(itertools.product(*axes))


def _same(a: Grid, b: Grid, cells: Iterable[tuple[int, ...]]) -> bool:
    """Whether two grids agree exactly on ``cells``."""
    return a.shape == b.shape and all(
        sp.sympify(a.get(index)) == sp.sympify(b.get(index)) for index in cells
    )


def _elided(grid: Grid) -> ElidedMatrix:
    """A 2-D grid as an :class:`ElidedMatrix`."""
    return ElidedMatrix.of((grid.shape[0], grid.shape[1]), grid.get)


def _matrix_tex(out: _Writer, grid: Grid) -> str:
    """A kernel-shaped grid ``(1, *k)`` as one matrix (a 1-D kernel as a row vector; of
    more axes, the first 2-D slice)."""
    squeezed = grid.squeeze(1).as_matrix()
    return out.tex(_elided(squeezed.at((0,) * (len(squeezed.shape) - 2))))


def _leading_indices(shape: tuple[int, ...]) -> list[tuple[int, ...] | None]:
    """Which leading indices get a panel: all, or the first two and the last."""
    total = math.prod(shape)
    picked = range(total) if total <= MAX_SLICES else (0, 1, None, total - 1)
    return [
        None if flat is None else tuple(int(v) for v in np.unravel_index(flat, shape))
        for flat in picked
    ]


def _interior_pattern(j: sp.Symbol, interior: Sequence[int]) -> Any:
    """The interior count as a function of ``j``: a number, or a ``Piecewise`` over
    ``j mod period`` with the residues of equal counts together."""
    period = len(interior)
    groups: dict[int, list[int]] = {}
    for residue, value in enumerate(interior):
        groups.setdefault(value, []).append(residue)
    if len(groups) == 1:
        return sp.Integer(interior[0])
    pieces = [
        (sp.Integer(value), sp.Or(*(sp.Eq(sp.Mod(j, period), r) for r in residues)))
        for value, residues in groups.items()
    ]
    return sp.Piecewise(*pieces[:-1], (pieces[-1][0], True))


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _and_list(values: Sequence[Any]) -> str:
    """``1, 2 and 4``."""
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _on_axes(axes: Sequence[int], ndim: int) -> str:
    """Where a reason holds: nothing in 1-d, else ``on axis 2`` / ``on both axes`` / …"""
    if ndim == 1:
        return ""
    if len(axes) == ndim:
        return " on both axes" if ndim == 2 else " on every axis"
    return " on axis " + _and_list(axes) if len(axes) == 1 else " on axes " + _and_list(axes)


def _shape_tex(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ")"


def derive(
    geometry: Geometry,
    input_values: Any = None,
    kernel_values: Any = None,
    *,
    names: Mapping[str, str] | Sequence[str] | None = None,
    title: str | None = None,
    expected: Any = None,
    expected_label: str = "the expected output",
    tier: str = "auto",
    figures: bool = False,
) -> Derivation:
    r"""Derive, prove and (optionally) evaluate one concrete geometry, for a document.

    Explanation
    ===========

    Small geometries (up to :data:`symtconv.proofs.AUTO_SYMPY_TERMS` products) are
    computed by the SymPy tier, larger ones one shown entry at a time from the 1-D
    structure of each axis — nothing that is not shown is built.  The proof is
    :func:`symtconv.prove` with ``engine="auto"``; if it cannot run, the document says
    what was not proved.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.latex import derive
    >>> seed = derive(Geometry((3, 3), 3, stride=2, padding=1),
    ...               [[9, 1, 3], [7, 8, 7], [8, 2, 2]], [[4, 2, 3], [1, 4, 3], [1, 1, 1]])
    >>> bool(seed.proof), seed.tier
    (True, 'sympy')
    >>> "36 & 28 & 4 & 6 & 12" in seed.document()
    True
    >>> derive(Geometry(3, 2), names=["y", "w", "x_1"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: the name for x must be 1 to 12 ASCII letters ...

    Parameters
    ==========

    geometry : Geometry
        Concrete sizes.
    input_values, kernel_values : nested lists, optional
        Exact values (integers, rationals such as ``"1/3"``) for ``y`` and ``w``; the
        channel axes may be left out for one channel.  Both or neither.
    names : mapping or sequence of three names, optional
        Display names for ``y``, ``w``, ``x`` (checked with :func:`check_name`).
    title : str, optional
        The document's title (escaped).  Defaults to the PyTorch layer.
    expected : nested list, optional
        An output to compare the computed one with (e.g. the seed's published output).
    expected_label : str
        What ``expected`` is, for the sentence that compares.
    tier : ``"auto"``, ``"sympy"`` or ``"axes"``
        Which computes the shown entries: the SymPy tier's methods on whole arrays, or
        the per-axis structure cell by cell (both give the same document).
    figures : bool
        Include the figures of :mod:`symtconv.figures` (C, the flip-and-pad steps, the
        overlap map) in the document; :meth:`Derivation.write` draws them next to the
        ``.tex`` (matplotlib: ``pip install 'symtconv[plot]'``).

    See Also
    ========

    derive_general, symtconv.prove
    """
    if not isinstance(geometry, Geometry):
        raise ParameterError(f"derive needs a Geometry, got {type(geometry).__name__}")
    if geometry.is_symbolic:
        raise ParameterError(
            "derive needs concrete sizes, got a symbolic geometry; use derive_general "
            "(CLI: symtconv derive --general) for every size at once"
        )
    if tier not in TIERS:
        raise ParameterError(f"tier must be one of {', '.join(TIERS)}, got tier={tier!r}")
    if (input_values is None) != (kernel_values is None):
        raise ParameterError("input_values and kernel_values must be given together")
    display = _names(names)
    if title is None:
        title = f"Transposed convolution: {_pytorch_call(geometry)}"
    for text in (title, expected_label):
        escape_text(text)  # fails now, naming the character, if LaTeX cannot typeset it
    if tier == "auto":
        tier = "sympy" if int(geometry.count_terms()) <= AUTO_SYMPY_TERMS else "axes"
    in_shape = spatial_shape(geometry, geometry.input_shape)
    w_shape = spatial_shape(geometry, geometry.weight_shape)
    if tier == "sympy":
        symbols = _sympy_tier(geometry, input_symbols(geometry), weight_symbols(geometry))
    else:
        symbols = _axis_tier(geometry, _symbol("y", in_shape, 1), _symbol("w", w_shape, 2))
    exact_expected = None
    if expected is not None:
        if input_values is None:
            raise ParameterError("expected needs input_values and kernel_values to compare with")
        shape = spatial_shape(geometry, geometry.output_shape)
        exact_expected = with_channels(as_exact(expected, "expected values"), shape, "expected")
    numbers = None
    values = None
    if input_values is not None:
        y = with_channels(as_exact(input_values, "input values"), in_shape, "input values")
        w = with_channels(as_exact(kernel_values, "kernel values"), w_shape, "kernel values")
        values = (y, w)
        numbers = (
            _sympy_tier(geometry, y, w)
            if tier == "sympy"
            else _axis_tier(geometry, lambda n: y[n], lambda m: w[m])
        )
    proof: Proof | None = None
    not_proved = ""
    try:
        proof = prove(geometry, engine="auto")
    except SymtconvError as error:
        not_proved = f"symtconv.prove stopped with: {str(error).splitlines()[0]}"
    return Derivation(
        geometry=geometry,
        tier=tier,
        symbols=symbols,
        numbers=numbers,
        proof=proof,
        not_proved=not_proved,
        expected=exact_expected,
        names=display,
        title=title,
        expected_label=expected_label,
        values=values,
        figures=bool(figures),
    )


#: Letters the documents use for other things; a tensor may not be renamed to them.
_RESERVED = frozenset("CTuzijksdpaomnlcgGN")

#: The format of a document's figures: vector, like the document.
FIGURE_FORMAT = "pdf"

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _tex_path(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path`, which must name a ``.tex`` file."""
    path = Path(path)
    if path.suffix != ".tex":
        raise ParameterError(f"path must name a .tex file, got {str(path)!r}")
    return path


def _check_stem(stem: str) -> None:
    """A figure's name is written into the document: only letters, digits, - and _."""
    if not _STEM.fullmatch(stem):
        raise ParameterError(
            "figures are named after the .tex file, so its name must be letters, digits, '-' "
            f"and '_' (starting with a letter or digit), got {stem!r}"
        )


def _names(names: Mapping[str, str] | Sequence[str] | None) -> dict[str, str]:
    """Checked display names for y, w, x (only the renamed ones)."""
    if names is None:
        return {}
    if isinstance(names, Mapping):
        unknown = set(names) - {"y", "w", "x"}
        if unknown:
            raise ParameterError(f"names can rename y, w and x, got names for {sorted(unknown)}")
        chosen = dict(names)
    else:
        if isinstance(names, str) or len(names) != 3:
            raise ParameterError(f"names must give three names (for y, w, x), got {names!r}")
        chosen = dict(zip("ywx", names, strict=True))
    for base, name in chosen.items():
        check_name(name, f"the name for {base}")
        if name in _RESERVED:
            raise ParameterError(
                f"the name for {base} must not be one of the document's other symbols "
                f"({', '.join(sorted(_RESERVED))}), got {name!r}"
            )
    if len(set(chosen.values())) != len(chosen):
        raise ParameterError(f"names must be different, got {chosen}")
    return {base: name for base, name in chosen.items() if name != base}


# --------------------------------------------------------------------------- #
# The general document
# --------------------------------------------------------------------------- #

_FORM_TITLES = {
    "scatter": "Scatter (the definition)",
    "flip_and_pad": "Flip-and-pad",
    "transpose": "Cᵀ·vec(y), with C the Jacobian of the forward convolution",
    "vjp": "The VJP, ∂⟨y, conv(x)⟩/∂x",
}


@dataclass(frozen=True)
class GeneralDerivation:
    r"""The general proof, the output-size derivation and Dumoulin & Visin's relationships.

    Explanation
    ===========

    Built by :func:`derive_general` from :func:`symtconv.general.prove_general`,
    :func:`~symtconv.general.output_size_derivation` and
    :func:`~symtconv.general.relationships`; :meth:`document` writes them out, every
    claim with the status SymPy gave it (nothing undecided is called proved).

    Examples
    ========

    >>> from symtconv.latex import derive_general
    >>> g = derive_general()
    >>> bool(g.proof), len(g.relationships)
    (True, 16)
    >>> g._repr_latex_()[:60]
    '$\\displaystyle {x}_{j} = \\sum_{\\substack{0 \\leq m \\leq k - 1'
    """

    proof: Any
    size: Any
    relationships: tuple[Any, ...] = field(default=())

    def _latex(self, printer: Any) -> str:
        return printer._print(self.proof.entry)

    def _repr_latex_(self) -> str:
        return rf"$\displaystyle {latex(self)}$"

    def document(self) -> str:
        """The standalone LaTeX document."""
        from ..general import ASSUMED

        out = _Writer(DerivationPrinter())
        self._theorem(out)
        self._forms(out)
        self._steps(out, "The steps, each checked by SymPy", self.proof.steps)
        self._size(out)
        self._relationships(out)
        out.section("Taken as definitions")
        out.say("These facts are used as definitions, not proved by SymPy:")
        out.items(escape_text(fact, strict=False) for fact in ASSUMED)
        what = f"{self.proof.ndim}-d" + (", with channels and groups" if self.proof.groups else "")
        return out.document(
            f"Transposed convolution for every size ({what})", "derived and proved with symtconv"
        )

    def write(self, path: str | Path) -> list[Path]:
        """Write the document to ``path`` (a ``.tex`` file); return ``[path]``."""
        path = _tex_path(path)
        path.write_text(self.document(), encoding="utf-8")
        return [path]

    def _theorem(self, out: _Writer) -> None:
        proof = self.proof
        out.section("The theorem")
        verdict = "PROVED" if proof.proved else "NOT PROVED"
        established = sum(1 for step in proof.steps if step)
        # the statement names the entry as SymPy text: show it as mathematics instead
        before, found, after = proof.statement.partition(str(proof.entry))
        out.say(
            f"{verdict} ({established} of {len(proof.steps)} steps established by SymPy). "
            + (before.rstrip() if found else proof.statement)
        )
        out.display(out.tex(proof.entry))
        if found:
            out.say(after.lstrip(". "))
        out.say("The index ranges:")
        ranges = [out.tex(cond) for cond, meaning in proof.conditions if "range" in meaning]
        out.display(r",\qquad ".join(ranges))
        out.say("Side conditions:")
        out.items(
            f"${out.tex(cond)}$: {escape_text(meaning, strict=False)}"
            for cond, meaning in proof.conditions
            if "range" not in meaning
        )

    def _forms(self, out: _Writer) -> None:
        out.section("Each method's entry, derived from its own steps")
        out.say(
            "Each method's output entry as a SymPy sum over the input index n and the kernel "
            "tap m of y·w times Kronecker deltas (the Iverson brackets of the method's index "
            "conditions), before the steps below show they coincide."
        )
        for name, form in self.proof.forms.items():
            out.subsection(_FORM_TITLES.get(name, name))
            out.display(out.tex(form.expression))
            conditions = [out.tex(c) for c in form.conditions if c is not None]
            if conditions:
                out.say("Index condition: {conditions}.", conditions=r",\quad ".join(conditions))

    def _steps(self, out: _Writer, title: str, steps: Sequence[Any]) -> None:
        out.section(title)
        entries = []
        for step in steps:
            name, status, detail = (
                escape_text(part, strict=False) for part in (step.name, step.status, step.detail)
            )
            text = rf"\textbf{{{name}}} [{status}]. {{\small {detail}}}"
            if step.expression is not None:
                text += r"\[\fitline{" + out.tex(step.expression) + r"}\]"
            entries.append(text)
        out.items(entries, "enumerate")

    def _size(self, out: _Writer) -> None:
        size = self.size
        s = size.symbols
        before = s["d"] * (s["k"] - 1) - s["p"]
        out.section("The output size, derived two ways")
        out.say(
            "(a) Flip-and-pad: zero insertion leaves {stretched} entries, padding by {before} "
            "and {after} gives {padded}, and a window of span {window} fits at",
            stretched=out.tex(size.stretched),
            before=out.tex(before),
            after=out.tex(before + s["a"]),
            padded=out.tex(size.padded),
            window=out.tex(size.window),
        )
        out.display("o = " + out.tex(size.formula))
        out.say(
            "positions. (b) The forward convolution maps a length o to {forward}; by the "
            "definition of floor that equals i exactly for {sizes}, so {o} with {a}: the same "
            "formula. The forward convolution of the output has length {round_trip}.",
            forward=out.tex(size.forward),
            sizes=rf"{out.tex(size.o_min)} \le o \le {out.tex(size.o_max)}",
            o=r"o = o_{\min} + a",
            a=rf"{out.tex(size.output_padding[0])} \le a \le {out.tex(size.output_padding[1])}",
            round_trip=out.tex(size.round_trip),
        )
        self._steps(out, "The size derivation's steps", size.steps)

    def _relationships(self, out: _Writer) -> None:
        out.section("Dumoulin and Visin's relationships")
        out.say(
            "Each relationship of 'A guide to convolution arithmetic for deep learning' (2016) "
            "as a special case of the general results; i, k, s, p, d are the forward "
            "convolution's, primes the transposed convolution's. Relationship 16 (not in the "
            "paper) is the dilated transposed convolution."
        )
        rows = []
        for rel in self.relationships:
            cells = [
                f"{rel.number}" + ("" if rel.in_paper else "*"),
                r"\raggedright " + escape_text(rel.name, strict=False),
                r"\raggedright " + escape_text(rel.conditions or "any", strict=False),
                r"\raggedright $" + out.tex(rel) + "$",
                "verified" if rel.verified else "NOT verified",
            ]
            rows.append(" & ".join(cells) + r"\tabularnewline")
        out.raw(
            "",
            r"{\footnotesize\noindent",
            r"\begin{tabular}{@{}r p{3.3cm} p{3.1cm} p{6.9cm} l@{}}",
            r"\# & relationship & conditions & result & SymPy\tabularnewline\hline",
            *rows,
            r"\end{tabular}}",
        )


def derive_general(
    ndim: int = 1, groups: bool = False, *, asymmetric: bool = False
) -> GeneralDerivation:
    r"""The general proof (every size at once), for a document.

    Examples
    ========

    >>> from symtconv.latex import derive_general
    >>> "\\section{The theorem}" in derive_general().document()
    True

    Parameters
    ==========

    ndim, groups, asymmetric : as for :func:`symtconv.general.prove_general`.

    See Also
    ========

    derive, symtconv.general.prove_general
    """
    from ..general import output_size_derivation, prove_general, relationships

    return GeneralDerivation(
        proof=prove_general(ndim, groups, asymmetric=asymmetric),
        size=output_size_derivation(),
        relationships=relationships(),
    )


# --------------------------------------------------------------------------- #
# pdflatex
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Compiled:
    """A pdflatex run: the PDF, its log and its page count (read from the log)."""

    pdf: Path
    log: Path
    pages: int


_PAGES = re.compile(r"Output written on .*?\((\d+) pages?")


def compile_pdf(tex: str | Path, *, timeout: float = 300) -> Compiled:
    """Run ``pdflatex -halt-on-error -interaction=nonstopmode`` on ``tex``, output beside it.

    Raises :class:`~symtconv.errors.MissingDependencyError` (one line: what to install)
    when pdflatex is not installed and :class:`LatexCompileError` when it fails.  The
    documents need one run (they have no cross-references).
    """
    program = shutil.which("pdflatex")
    if program is None:
        raise MissingDependencyError(PDFLATEX_MISSING)
    path = Path(tex).resolve()
    command = [program, "-halt-on-error", "-interaction=nonstopmode", path.name]
    run = subprocess.run(
        command,
        cwd=path.parent,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    log = path.with_suffix(".log")
    text = log.read_text(errors="replace") if log.exists() else run.stdout
    pages = _PAGES.search(text)
    if run.returncode != 0 or pages is None:
        first = next((line for line in text.splitlines() if line.startswith("!")), "no output")
        raise LatexCompileError(f"pdflatex failed on {path.name}: {first} (see {log})")
    return Compiled(path.with_suffix(".pdf"), log, int(pages.group(1)))


# --------------------------------------------------------------------------- #
# The committed documents
# --------------------------------------------------------------------------- #


def _seed_worked_example() -> Derivation:
    from ..demo import SEED_INPUT, SEED_KERNEL, SEED_OUTPUT

    return derive(
        Geometry((3, 3), 3, stride=2, padding=1),
        SEED_INPUT,
        SEED_KERNEL,
        expected=SEED_OUTPUT,
        expected_label="the output the blog post printed with PyTorch's conv_transpose2d",
        title="The seed's worked example: ConvTranspose2d(1, 1, kernel_size=3, stride=2, "
        "padding=1) on a 3×3 input",
        figures=True,
    )


def _seed_shape_example() -> Derivation:
    from ..demo import SEED_SHAPE_EXAMPLE

    return derive(
        SEED_SHAPE_EXAMPLE,
        title="The seed's shape example: ConvTranspose2d(3, 6, kernel_size=3, stride=2, "
        "padding=2) on 3×32×32",
    )


def _dilated_1d() -> Derivation:
    return derive(
        Geometry(4, 3, stride=2, padding=1, dilation=2, output_padding=1),
        [1, 2, 3, 4],
        [1, -1, 2],
        title="A 1-d example with dilation and output padding: ConvTranspose1d(1, 1, "
        "kernel_size=3, stride=2, padding=1, output_padding=1, dilation=2)",
    )


#: The documents committed in ``derivations/``: file name -> builder.  A builder that
#: asks for figures gets them next to its document, named after it
#: (``seed_worked_example-matrix.pdf``, …).
DOCUMENTS: dict[str, Callable[[], Derivation | GeneralDerivation]] = {
    "seed_worked_example.tex": _seed_worked_example,
    "seed_shape_example.tex": _seed_shape_example,
    "dilated_1d.tex": _dilated_1d,
    "general_proof.tex": derive_general,
}


def rebuild(directory: str | Path, *, pdf: bool = False) -> list[Path]:
    """Write every document of :data:`DOCUMENTS` into ``directory``, with the figures
    those that have them include (needs matplotlib), and PDFs with ``pdf``."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in DOCUMENTS.items():
        paths = build().write(folder / name)
        written += paths
        if pdf:
            compile_pdf(paths[0])
    return written


def _text(document: Derivation | GeneralDerivation, name: str) -> str:
    """The text of ``document`` written as ``name`` (its figures are named after it)."""
    if isinstance(document, Derivation):
        return document.document(stem=Path(name).stem)
    return document.document()


def stale_documents(directory: str | Path, *, figures: bool = True) -> list[str]:
    """The files of :data:`DOCUMENTS` missing from ``directory`` or differing from a
    fresh build: documents, and the figures they include.

    The figures are drawn afresh and compared byte for byte, which needs matplotlib
    (:class:`~symtconv.errors.MissingDependencyError` without it); with
    ``figures=False`` they are only required to exist.
    """
    folder = Path(directory)
    stale = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, build in DOCUMENTS.items():
            document = build()
            path = folder / name
            if not path.exists() or path.read_text(encoding="utf-8") != _text(document, name):
                stale.append(name)
            if not (isinstance(document, Derivation) and document.figures):
                continue
            stem = Path(name).stem
            if not figures:
                files = document.figure_files(stem).values()
                stale += [file for file in files if not (folder / file).exists()]
                continue
            for fresh in document.write_figures(scratch, stem):
                committed = folder / fresh.name
                if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                    stale.append(fresh.name)
    return stale


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m symtconv.latex",
        description="Rebuild (or check) the committed derivation documents and their figures.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--rebuild", metavar="DIR", help="write every document into DIR")
    action.add_argument("--check", metavar="DIR", help="exit 1 if a file in DIR is stale")
    parser.add_argument("--pdf", action="store_true", help="with --rebuild: also run pdflatex")
    args = parser.parse_args(argv)
    try:
        if args.check:
            try:
                stale = stale_documents(args.check)
            except MissingDependencyError as error:
                print(f"note: figures not compared: {error}", file=sys.stderr)
                stale = stale_documents(args.check, figures=False)
            for name in stale:
                print(f"stale: {Path(args.check) / name}", file=sys.stderr)
            return 1 if stale else 0
        for path in rebuild(args.rebuild, pdf=args.pdf):
            print(f"wrote {path}")
    except SymtconvError as error:
        print(f"symtconv: error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
