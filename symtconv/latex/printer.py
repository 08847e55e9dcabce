"""The printer: :class:`DerivationPrinter` (SymPy's ``LatexPrinter``), :func:`latex`, and the
small display objects it prints (:class:`ElidedMatrix`, :class:`ElidedSum`,
:class:`TensorSlice`, :class:`Gcd`, :class:`Divides`, :class:`Grid`); plain text and names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..errors import ParameterError

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

    def columns(self, cols: tuple[int | None, ...]) -> ElidedMatrix:
        """The same matrix with only the shown columns ``cols`` (a block of its columns)."""
        entries = {rc: v for rc, v in self.entries.items() if rc[1] in cols}
        return ElidedMatrix(self.shape, self.rows, tuple(cols), entries)

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
        # a fraction in a line of text is written a / b: \frac would set its digits and
        # letters at the script size (6 pt in 8-pt text), below what a reader must read
        "fold_short_frac": True,
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

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        # x_{c_out, j_1} would set out and 1 at 5 pt: a subscripted index goes in brackets
        indices = [self._print(index) for index in expr.indices]
        if any("_" in index or "^" in index for index in indices):
            return f"{self._print(expr.base)}[{', '.join(indices)}]"
        return str(super()._print_Indexed(expr))

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        # δ(a, b), not SymPy's δ_{a b}: an index such as ⌊c/Q_in⌋ would become a
        # second-level subscript (5 pt); the terminal's notation writes δ(a, b) too
        tex = rf"\delta\left({self._print(expr.args[0])}, {self._print(expr.args[1])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

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
