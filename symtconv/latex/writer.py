"""Writing a document: the preamble, sections, sentences with math slots, displays, and the
width estimates that choose a font size and break lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .printer import DerivationPrinter, ElidedMatrix, escape_text

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
"""

_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, math: Mapping[str, str]) -> str:
    r"""A sentence: the text of ``template`` escaped, each ``{name}`` replaced by the math
    ``math[name]`` (already LaTeX, typeset inline).

    >>> from symtconv.latex.writer import _fill
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

    def tex(
        self, expr: Any, values: Mapping[Any, Any] | None = None, *, display: bool = False
    ) -> str:
        """``expr`` printed; with ``values``, those symbols printed as their values.

        Fractions are written ``a / b`` (they may stand in a line of text, where
        ``\\frac`` would shrink them to the script size), or with ``display`` (for a
        formula alone in a display) as ``\\frac``."""
        if values or display:
            settings = {"names": self.printer._settings["names"], "values": values}
            return DerivationPrinter({**settings, "fold_short_frac": not display}).doprint(expr)
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
        """Display math, in a smaller font when it is wide (never below ``\\footnotesize``):
        too wide even then, it is broken before each ``=`` (see :meth:`align`)."""
        if not _fits(body):
            parts = _split_equals(body)
            if len(parts) > 1:
                self.align([(parts[0], parts[1]), *(("", part) for part in parts[2:])])
                return
        self.lines += _sized(_font(body), [r"\[" + body + r"\]"])

    def display_lines(self, body: str) -> list[str]:
        """:meth:`display`'s lines, for a display inside another construct (a list item)."""
        start = len(self.lines)
        self.display(body)
        lines = self.lines[start:]
        del self.lines[start:]
        return lines

    def gather_lines(self, rows: Sequence[str]) -> list[str]:
        """:meth:`gather`'s lines, for a display inside another construct (a list item)."""
        start = len(self.lines)
        self.gather(rows)
        lines = self.lines[start:]
        del self.lines[start:]
        return lines

    def gather(self, rows: Sequence[str]) -> None:
        """Display lines, centred, in one font that fits the widest."""
        if len(rows) == 1:
            self.display(rows[0])
            return
        body = [r"\begin{gather*}", "\\\\\n".join(rows), r"\end{gather*}"]
        self.lines += _sized(_font(*rows), body)

    def matrix(self, lhs: str, matrix: ElidedMatrix) -> None:
        """``lhs = matrix`` displayed; a matrix too wide for the line even in
        ``\\footnotesize`` is shown in labelled blocks of columns, one per line."""
        whole = f"{lhs} = {self.tex(matrix)}"
        if _fits(whole) or len(matrix.cols) < 2:
            self.display(whole)
            return
        blocks = _column_blocks(matrix, lambda m: _fits(f"{lhs} = {self.tex(m)}" + _BLOCK_LABEL))
        rows = []
        for block in blocks:
            shown = [c for c in block.cols if c is not None]
            label = rf"\text{{ (columns {shown[0]}--{shown[-1]})}}" if shown else ""
            rows.append(f"{lhs}{label} = {self.tex(block)}")
        body = [r"\begin{gather*}", "\\\\\n".join(rows), r"\end{gather*}"]
        self.lines += _sized(_font(*rows), body)

    def align(self, rows: Sequence[tuple[str, str]]) -> None:
        """``lhs = rhs`` lines aligned at ``=`` (an empty ``rhs``: no ``=``), in a font
        that fits the widest."""
        size = _font(*(f"{lhs} = {rhs}" for lhs, rhs in rows))
        body = [
            r"\begin{align*}",
            "\\\\\n".join(f"{lhs} &= {rhs}" if rhs else f"{lhs} &" for lhs, rhs in rows),
            r"\end{align*}",
        ]
        self.lines += _sized(size, body)

    def figure(self, name: str, caption: str, **math: str) -> None:
        """The figure file ``name`` (next to the document) at its own size (figures for
        documents are drawn at most :data:`FIGURE_WIDTH_IN` wide, so that their fonts print
        at the sizes they were drawn in), centred where it is written (no float), with
        ``caption`` (see :func:`_fill`) under it."""
        self.lines += [
            "",
            r"\begin{center}",
            rf"\includegraphics{{{name}}}",
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
#: The text width in inches: the widest a figure in a document is drawn.
FIGURE_WIDTH_IN = 16.5 / 2.54

#: Font sizes for displays, largest first: (command, main pt, script pt, column sep pt).
#: Nothing a reader must read is set smaller than ``\footnotesize`` (8 pt): a display too
#: wide for it is broken (:meth:`_Writer.display`, :meth:`_Writer.matrix`), never shrunk.
_FONTS = (
    ("", 10.0, 7.0, 5.0),
    (r"\small", 9.0, 6.0, 5.0),
    (r"\footnotesize\setlength{\arraycolsep}{3pt}", 8.0, 6.0, 3.0),
)
_BLOCK_LABEL = r"\text{ (columns 00--00)}"


def _font(*displays: str) -> str:
    """The largest font size at which every one of ``displays`` fits the line (the
    smallest, ``\\footnotesize``, when none does)."""
    for command, main, script, sep in _FONTS:
        if all(_width_pt(tex, main, script, sep) <= LINE_PT for tex in displays):
            return command
    return _FONTS[-1][0]


def _fits(display: str) -> bool:
    """Whether ``display`` fits the line at the smallest display font."""
    _, main, script, sep = _FONTS[-1]
    return _width_pt(display, main, script, sep) <= LINE_PT


def _pack(
    items: Iterable[str], separator: str = r",\qquad ", gap: float = 20.0, line: float = LINE_PT
) -> list[str]:
    """``items`` joined by ``separator`` into display lines of at most ``line`` points
    (estimated)."""
    lines: list[list[str]] = [[]]
    used = 0.0
    for tex in items:
        width = _width_pt(tex) + gap
        if lines[-1] and used + width > line:
            lines.append([])
            used = 0.0
        lines[-1].append(tex)
        used += width
    return [separator.join(line) for line in lines if line]


def _sized(size: str, body: list[str]) -> list[str]:
    return [r"\begingroup" + size, *body, r"\endgroup"] if size else body


def _split_equals(tex: str) -> list[str]:
    r"""``tex`` cut before each ``=`` outside braces and environments.

    >>> from symtconv.latex.writer import _split_equals
    >>> _split_equals(r"a = \frac{b}{c} = \begin{bmatrix}1\end{bmatrix}")
    ['a', '\\frac{b}{c}', '\\begin{bmatrix}1\\end{bmatrix}']
    >>> _split_equals(r"x = \begin{bmatrix}1\end{bmatrix} + \begin{bmatrix}a = 2\end{bmatrix} = 3")
    ['x', '\\begin{bmatrix}1\\end{bmatrix} + \\begin{bmatrix}a = 2\\end{bmatrix}', '3']
    """
    parts, depth, last = [], 0, 0
    # \begin{env} and \end{env} whole: their braces must not count as a group's
    for match in re.finditer(r"\\begin\{[^}]*\}|\\end\{[^}]*\}|\\.|[{}=]", tex):
        token = match.group()
        if token.startswith("\\") and not token.startswith(("\\begin{", "\\end{")):
            continue
        if token == "{" or token.startswith("\\begin{"):
            depth += 1
        elif token == "}" or token.startswith("\\end{"):
            depth -= 1
        elif depth == 0:
            parts.append(tex[last : match.start()].strip())
            last = match.end()
    return [*parts, tex[last:].strip()]


def _column_blocks(
    matrix: ElidedMatrix, fits: Callable[[ElidedMatrix], bool]
) -> list[ElidedMatrix]:
    """``matrix`` cut into runs of columns, each as many columns as ``fits`` allows
    (at least one); runs are about equally wide."""
    cols = matrix.cols
    for count in range(2, len(cols) + 1):
        size = -(-len(cols) // count)
        blocks = [matrix.columns(cols[n : n + size]) for n in range(0, len(cols), size)]
        if all(fits(block) for block in blocks):
            return blocks
    return [matrix.columns((c,)) for c in cols]


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

    >>> from symtconv.latex.writer import _width_pt
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
