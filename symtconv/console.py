"""Writing results to a terminal that may not speak Unicode, and JSON that is always JSON.

Explanation
===========

symtconv's text uses a few non-ASCII symbols (``Cᵀ``, ``y·w``, ``3×3``, ``←``, the seed's
Chinese step names).  With ``PYTHONIOENCODING=ascii`` or ``LC_ALL=C`` the standard
streams cannot encode them; :func:`write` then falls back to ASCII spellings
(:func:`ascii_text`: ``×`` -> ``x``, ``·`` -> ``*``, ``ᵀ`` -> ``^T`` (``Cᵀy`` -> ``C^T y``),
``≡`` -> ``=`` (``a ≡ b (mod s)`` -> ``a = b (mod s)``), ``ĩ`` -> ``i_tilde``, subscripts
-> ``_0``, ...) instead of failing with ``UnicodeEncodeError``.  JSON is written with
``\\u`` escapes on such streams, so no information is lost there.

:func:`json_text` never writes the bare ``NaN`` / ``Infinity`` that Python's ``json``
emits and JSON forbids: a non-finite float becomes the string ``"NaN"``,
``"Infinity"`` or ``"-Infinity"``.

Text is fitted to the terminal (:func:`terminal_width`: ``COLUMNS``, else the
terminal's size, else 80 columns): :func:`fit` wraps each line at spaces, never inside a
token, and indents the continuation; :func:`grid` lays out a matrix in labelled column
blocks when its rows are wider than the terminal; :func:`formula` sets a SymPy expression
with SymPy's pretty printer (Unicode, or ASCII when the stream cannot encode it).  A line
of fitted text is wider than the width only when it is one *unbreakable token* (a run of
characters without a space) after its indentation.

Examples
========

>>> from symtconv.console import ascii_text, json_text
>>> ascii_text("Cᵀ·vec(y) on a 3×3 input, x₁ ← w₂")
'C^T*vec(y) on a 3x3 input, x_1 <- w_2'
>>> ascii_text("zero insertion (元素填充): s-1 zeros")
'zero insertion: s-1 zeros'
>>> json_text({"output": [1.5, float("nan"), float("-inf")]}, indent=None)
'{"output": [1.5, "NaN", "-Infinity"]}'
>>> print(fit("  row y_0: x_0<-w_0, x_1<-w_1, x_2<-w_2", 19))
  row y_0:
    x_0<-w_0,
    x_1<-w_1,
    x_2<-w_2
>>> print(grid([[1, 2, 3, 4], [5, 6, 7, 8]], 8))
columns 0–1:
[1  2]
[5  6]
columns 2–3:
[3  4]
[7  8]
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterable
from typing import Any, TextIO

__all__ = [
    "ascii_text", "can_encode", "display_width", "fit", "formula", "grid", "html_text",
    "json_safe", "json_text", "plural", "terminal_width", "write",
]

#: Text is never fitted narrower than this, whatever ``COLUMNS`` says.
MIN_WIDTH = 20

_SPELLINGS = {
    "×": "x", "·": "*", "ᵀ": "^T", "—": "--", "–": "-", "−": "-", "…": "...",
    "←": "<-", "→": "->", "⇔": "<=>", "≤": "<=", "≥": ">=", "≠": "!=", "≡": "=",
    "∈": " in ", "∋": " contains ", "∤": " does not divide ", "≈": "~", "±": "+-",
    "Σ": "sum", "Π": "prod", "∂": "d", "⟨": "<", "⟩": ">", "⌊": "floor(", "⌋": ")",
    "⌈": "ceil(", "⌉": ")", "∞": "inf", "√": "sqrt", "⊙": "(*)", "ρ": "rho",
    "δ": "delta", "ε": "eps", "α": "alpha", "µ": "u", "ĩ": "i_tilde", "“": '"', "”": '"',
    "‘": "'", "’": "'", "′": "'",
}
_SPELLINGS.update({chr(0x2080 + n): f"_{n}" for n in range(10)})  # ₀ … ₉
_SPELLINGS.update({c: f"^{n}" for n, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})
_TABLE = str.maketrans(_SPELLINGS)
#: ``ᵀ`` before a letter or a bracket: ``Cᵀy`` is ``C^T y``, not ``C^(Ty)``.
_TRANSPOSE_BEFORE = re.compile(r"ᵀ(?=[A-Za-z(\[])")
#: A parenthesised gloss written only in non-ASCII (the seed's Chinese step names).
_GLOSS = re.compile(r"\s*\([^\x00-\x7f]+\)")


def ascii_text(text: str) -> str:
    """``text`` with ASCII spellings of symtconv's symbols; anything left becomes ``?``."""
    text = _TRANSPOSE_BEFORE.sub("ᵀ ", _GLOSS.sub("", text)).translate(_TABLE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.encode("ascii", errors="replace").decode("ascii")


def can_encode(text: str, stream: TextIO) -> bool:
    """Whether ``stream`` can write ``text`` as it is."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def write(text: str, stream: TextIO | None = None, *, width: int | None = None) -> None:
    """Write ``text`` and a newline to ``stream`` (standard output by default), in ASCII
    spellings when the stream cannot encode it; with ``width``, fitted to that many
    columns (:func:`fit`, after the ASCII spelling, which can lengthen a line)."""
    stream = sys.stdout if stream is None else stream
    if not can_encode(text, stream):
        text = ascii_text(text)
        if not can_encode(text, stream):  # an exotic encoding without ASCII: escape
            text = text.encode("ascii", errors="backslashreplace").decode("ascii")
    if width is not None:
        text = fit(text, width)
    stream.write(text + "\n")
    stream.flush()


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``"NaN"``, ``"Infinity"`` or
    ``"-Infinity"`` (lists, tuples and dicts are walked).

    >>> json_safe([1.0, float("inf"), {"a": float("nan")}])
    [1.0, 'Infinity', {'a': 'NaN'}]
    """
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def json_text(data: Any, *, indent: int | None = 2, ascii_only: bool = False,
              separators: tuple[str, str] | None = None) -> str:
    """Strict JSON for ``data``: non-finite floats as strings (see :func:`json_safe`)."""
    try:
        return json.dumps(data, indent=indent, ensure_ascii=ascii_only, allow_nan=False,
                          separators=separators)
    except ValueError:
        return json.dumps(json_safe(data), indent=indent, ensure_ascii=ascii_only,
                          allow_nan=False, separators=separators)


# --------------------------------------------------------------------------- #
# fitting text to the terminal
# --------------------------------------------------------------------------- #


def plural(count: int, word: str) -> str:
    """``word`` for a count of 1, else its plural (regular plurals only: the words
    symtconv counts take an ``s``): ``f"{n} {plural(n, 'layer')}"``."""
    return word if count == 1 else word + "s"


def html_text(text: str) -> str:
    """``text`` for Jupyter's HTML view (``_repr_html_``): escaped, in a ``<pre>`` block, so
    that its alignment survives and a result never shows as its dataclass ``repr``."""
    from html import escape

    return f"<pre>{escape(text)}</pre>"


def terminal_width() -> int:
    """The columns text is fitted to: ``COLUMNS`` when set, else the terminal's width,
    else 80 (:func:`shutil.get_terminal_size`), and never less than ``MIN_WIDTH``."""
    return max(shutil.get_terminal_size().columns, MIN_WIDTH)


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (CJK) characters take two, combining
    marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


_SPACES = re.compile(r"( +)")


def _fit_line(line: str, width: int) -> list[str]:
    if display_width(line) <= width:
        return [line]
    indent = len(line) - len(line.lstrip(" "))
    hanging = " " * min(indent + 2, width // 3)
    parts = _SPACES.split(line[indent:])  # words at even positions, spaces at odd ones
    lines: list[str] = []
    current, used = " " * indent, indent
    empty = True  # the current line holds no word yet
    for n in range(0, len(parts), 2):
        word = parts[n]
        if not word:
            continue
        gap = parts[n - 1] if n and not empty else ""
        size = display_width(word)
        if not empty and used + len(gap) + size > width:
            lines.append(current)
            current, used, gap = hanging, len(hanging), ""
        current += gap + word
        used += len(gap) + size
        empty = False
    lines.append(current)
    return lines


def fit(text: str, width: int) -> str:
    """``text`` with every line wider than ``width`` columns wrapped at spaces.

    A wrapped line continues on lines indented two columns more than it; runs of spaces
    inside a line are kept (aligned columns stay aligned where no wrap happens).  A token
    (characters without a space) is never broken: one wider than ``width`` stands on a
    line of its own, the only way a fitted line can be wider than ``width``.
    """
    return "\n".join(out for line in text.split("\n") for out in _fit_line(line, width))


def grid(array: Any, width: int | None = None) -> str:
    """A 2-D array (numbers or symbols) as aligned rows, like PyTorch prints tensors.

    With ``width``, rows wider than that are split into column blocks, each headed
    ``columns 0–7:`` (0-based, as the indices of the entries).
    """
    rows = [[str(v) for v in row] for row in _rows(array)]
    cell = max((display_width(v) for row in rows for v in row), default=0)
    columns = max((len(row) for row in rows), default=0)

    def block(start: int, stop: int) -> list[str]:
        return ["[" + "  ".join(" " * (cell - display_width(v)) + v for v in row[start:stop])
                + "]" for row in rows]

    per_block = columns
    if width is not None and 2 + columns * cell + 2 * (columns - 1) > width:
        per_block = max(1, (width - 2 + 2) // (cell + 2))
        blocks = -(-columns // per_block)
        per_block = -(-columns // blocks)  # as many blocks, of balanced widths
    if per_block >= columns:
        return "\n".join(block(0, columns))
    lines: list[str] = []
    for start in range(0, columns, per_block):
        stop = min(start + per_block, columns)
        label = f"column {start}" if stop - start == 1 else f"columns {start}–{stop - 1}"
        lines += [label + ":", *block(start, stop)]
    return "\n".join(lines)


def _rows(array: Any) -> Iterable[Iterable[Any]]:
    import numpy as np

    return np.asarray(array, dtype=object)


def formula(expr: Any, width: int | None = None, stream: TextIO | None = None) -> str:
    """``expr`` set by SymPy's pretty printer: Unicode when ``stream`` (standard output
    by default) can encode it, else ASCII; wider expressions are split by SymPy into
    blocks of at most ``width`` columns.  Trailing spaces are dropped."""
    import sympy as sp
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.pretty_symbology import pretty_use_unicode

    class _Printer(PrettyPrinter):
        def _print_KroneckerDelta(self, e: Any) -> Any:
            if self._use_unicode:
                return super()._print_KroneckerDelta(e)
            # SymPy's ASCII delta is a bare "d", which reads as the dilation d
            return self._print(sp.Function("delta")(*e.args))

    unicode = can_encode("⋅∑δ⎢", sys.stdout if stream is None else stream)
    printer = _Printer({"use_unicode": unicode, "num_columns": width or terminal_width()})
    before = pretty_use_unicode(unicode)  # the printer falls back on this global switch
    try:
        text = printer.doprint(expr)
    finally:
        pretty_use_unicode(before)
    return "\n".join(line.rstrip() for line in text.split("\n"))
