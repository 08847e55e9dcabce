"""Prose with SymPy text in it, set as LaTeX: :func:`prose_tex`.

The general proof's steps explain themselves in sentences that quote SymPy's results as
text (``both sides come out as a + d*k - d + i*s - 2*p - s + 1``). A document sets each
such quotation as mathematics through the printer, so a reader sees ``a + dk - d + is -
2p - s + 1`` and no ``*``; the words around it stay text.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.parsing.sympy_parser import (
    implicit_multiplication,
    parse_expr,
    standard_transformations,
)
from sympy.utilities.exceptions import SymPyDeprecationWarning

from .printer import escape_text

#: How a step quotes a product of deltas it leaves out.
_ELIDED = "δ·…"

#: SymPy's functions that the steps quote; other names are words (or symbols).
_FUNCTIONS = {
    "floor": sp.floor,
    "ceiling": sp.ceiling,
    "Eq": sp.Eq,
    "Ne": sp.Ne,
    "Mod": sp.Mod,
    "Sum": sp.Sum,
    "KroneckerDelta": sp.KroneckerDelta,
    "Max": sp.Max,
    "Min": sp.Min,
    "Piecewise": sp.Piecewise,
    "U": sp.Function("U"),
}

# one token of a quotation: a function name, a symbol (one letter, perhaps a subscript such
# as p_b or Q_in, perhaps a prime), a number, an operator, a bracket, a comma, a space
_TOKEN = re.compile(
    r"(?P<func>\b(?:" + "|".join(_FUNCTIONS) + r")(?=\())"
    r"|(?P<name>\b[A-Za-z](?:_[A-Za-z0-9]+)?'?(?![A-Za-z0-9]))"
    r"|(?P<number>\b\d+\b)"
    r"|(?P<elided>δ·…)"
    r"|(?P<constant>\b(?:True|False)\b)"
    r"|(?P<op><=>|<=|>=|==|[-+*/%<>=&·])"
    r"|(?P<bracket>[][()])"
    r"|(?P<comma>,)"
    r"|(?P<space> +)"
)
_TRANSFORMS = (*standard_transformations, implicit_multiplication)
_RELATIONS = (("<=>", r"\iff"), ("<=", r"\le"), (">=", r"\ge"), ("<", "<"), (">", ">"), ("=", "="))


def _spans(text: str, strict: bool = False) -> list[tuple[int, int]]:
    """Where quotations may stand: maximal runs of math tokens (commas only inside brackets);
    with ``strict``, a bracket after a space (a parenthesis in the prose) starts a new run."""
    spans = []
    pos, start, depth = 0, None, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        kind = match.lastgroup if match else None
        if kind == "comma" and depth == 0:
            kind = None
        if strict and start is not None and text.startswith(" (", pos - 1) and depth == 0:
            spans.append((start, pos))
            start = None
        if kind is None:
            if start is not None:
                spans.append((start, pos))
                start, depth = None, 0
            pos += 1
            continue
        assert match is not None
        if start is None and kind != "space":
            start = pos
        if kind == "bracket":
            depth += 1 if match.group() in "([" else -1
        pos = match.end()
    if start is not None:
        spans.append((start, pos))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without surrounding spaces and brackets that do not pair up."""
    while True:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped != chunk:
            start += len(chunk) - len(chunk.lstrip())
            end -= len(chunk) - len(chunk.rstrip())
            continue
        if not chunk:
            return start, end
        depth, lowest = 0, 0
        for ch in chunk:
            depth += 1 if ch in "([" else -1 if ch in ")]" else 0
            lowest = min(lowest, depth)
        if lowest < 0 and chunk[0] in ")]":
            start += 1
        elif depth > 0 and chunk[-1] in "([":
            end -= 1
        elif depth > 0 and chunk[0] in "([":
            start += 1
        elif depth < 0 and chunk[-1] in ")]":
            end -= 1
        elif chunk[0] == "(" and chunk[-1] == ")" and _balanced(chunk[1:-1]):
            start, end = start + 1, end - 1  # a parenthesis of the prose: its brackets stay text
        else:
            return start, end


def _top_level_split(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` cut at each separator outside brackets, the separators kept as pieces."""
    pieces, depth, last, n = [], 0, 0, 0
    while n < len(text):
        ch = text[n]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0:
            found = next((s for s in separators if text.startswith(s, n)), None)
            if found:
                pieces += [text[last:n], found]
                n += len(found)
                last = n
                continue
        n += 1
    return [*pieces, text[last:]]


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        if depth < 0:
            return False
    return depth == 0


def _unwrap(text: str) -> str:
    """``(a)`` as ``a`` when the brackets enclose all of it."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _expression(text: str) -> Any:
    """One SymPy expression written as text (``d*(k - 1)``, ``y[n]``, ``Eq(j, s*n)``)."""
    names: dict[str, Any] = {**_FUNCTIONS, "ELIDED": sp.Symbol(r"\delta \cdots")}
    primes = {}
    text = text.replace(_ELIDED, "ELIDED")
    for name in set(re.findall(r"\b[A-Za-z](?:_[A-Za-z0-9]+)?'?", text)):
        if name in _FUNCTIONS:
            continue
        plain = name.rstrip("'")
        key = plain + "__prime" if name.endswith("'") else plain
        if name.endswith("'"):
            primes[name] = key
        indexed = re.search(re.escape(name) + r"\[", text)
        names[key] = sp.IndexedBase(name) if indexed else sp.Symbol(name)
    for name, key in primes.items():
        text = re.sub(re.escape(name), key, text)
    with warnings.catch_warnings():
        # implicit multiplication tried on a condition: the parse fails, the text stays text
        warnings.simplefilter("ignore", SymPyDeprecationWarning)
        return parse_expr(text.replace("·", "*"), local_dict=names, transformations=_TRANSFORMS)


def _math(text: str, tex: Callable[[Any], str]) -> str | None:
    """A quotation as LaTeX math, or None when it does not read as SymPy text."""
    text = _unwrap(text)
    parts = _top_level_split(text, ("&",))
    if len(parts) > 1:
        pieces = [_math(part, tex) for part in parts[::2]]
        return None if None in pieces else r" \wedge ".join(f"({p})" for p in pieces)
    if text.startswith("[") and text.endswith("]") and _balanced(text[1:-1]):
        items = [_math(item, tex) for item in _top_level_split(text[1:-1], (",",))[::2]]
        return None if None in items else "[" + ", ".join(str(i) for i in items) + "]"
    parts = _top_level_split(text, tuple(op for op, _ in _RELATIONS))
    tokens = []
    for n, part in enumerate(parts):
        if n % 2:
            tokens.append(dict(_RELATIONS)[part])
            continue
        if not part.strip():
            return None
        try:
            tokens.append(tex(_expression(part.strip())))
        except Exception:  # whatever SymPy's parser makes of it, it is no quotation
            return None
    return " ".join(tokens)


def _quotes(chunk: str) -> bool:
    """Whether a run of math tokens is a quotation worth setting as math: it has an
    operator, a subscript, a function or an index, not only a lone word such as ``a``."""
    has_name = re.search(r"[A-Za-z0-9]", chunk) is not None
    return has_name and re.search(r"[-+*/%<>=&·_\[]|\w\(", chunk) is not None


def prose_tex(text: str, tex: Callable[[Any], str] | None = None, *, strict: bool = False) -> str:
    r"""``text`` as LaTeX: its SymPy quotations as math, the rest as escaped text.

    Explanation
    ===========

    A quotation is a run of one-letter symbols (with subscripts such as ``p_b``), numbers,
    operators and brackets; it is set as math when SymPy can read it, relations and
    ``&`` included. Anything else stays text, escaped as by :func:`escape_text`.

    Examples
    ========

    >>> from symtconv.latex.prose import prose_tex
    >>> print(prose_tex("both sides come out as a + d*k - 2*p (SymPy's form)"))
    both sides come out as $a + d k - 2 p$ (SymPy's form)
    >>> print(prose_tex("fits iff 0 <= j <= floor((o - 1)/s), a window"))
    fits iff $0 \le j \le \left\lfloor{\frac{o - 1}{s}}\right\rfloor$, a window

    Parameters
    ==========

    text : the prose.
    tex : prints a SymPy expression as LaTeX (default: :func:`symtconv.latex.latex`).
    strict : whether a parenthesis after a space always starts a new quotation (tried on
        a run that does not read as one quotation).
    """
    from .printer import latex

    printer: Callable[[Any], str] = latex if tex is None else tex
    out, last = [], 0
    for start, end in _spans(text, strict):
        start, end = _trim(text, start, end)
        chunk = text[start:end]
        if not chunk or not _quotes(chunk):
            continue
        math = _math(chunk, printer) if _balanced(chunk) else None
        if math is not None:
            math = f"${math}$"
        elif not strict:
            math = prose_tex(chunk, printer, strict=True)
        else:
            continue
        out += [escape_text(text[last:start], strict=False), math]
        last = end
    out.append(escape_text(text[last:], strict=False))
    return "".join(out)
