"""Writing a document: the preamble, sections, sentences with math slots, displays, and the
width estimates that choose a font size and break lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .printer import DerivationPrinter, escape_text

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
