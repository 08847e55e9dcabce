"""Formulas for a reader: :func:`inline` prints one in a line of text, :func:`prose` sets
the SymPy text quoted in a sentence that way, and :func:`quotations` finds and reads the
quotations for any printer (the LaTeX documents use it too).

Explanation
===========

The general proof's steps explain themselves in sentences that quote SymPy's results as
text (``both sides come out as a + d*k - d + i*s - 2*p - s + 1``).  That text is exact and
machine-readable, so it stays in the results and their JSON; a reader is shown the same
formula in mathematical notation instead: ``a + d·k - d + i·s - 2·p - s + 1`` in a terminal
(:func:`prose`), ``$a + d k - d + i s - 2 p - s + 1$`` in a document
(:func:`symtconv.latex.prose.prose_tex`).  The words around a quotation stay as they are.

A quotation is a run of one-letter symbols (with subscripts such as ``p_b``), numbers,
operators and brackets, read by SymPy's parser; a run SymPy cannot read stays text.

:func:`inline` is SymPy's ``str`` printer with the notation of a textbook: ``·`` for
products, ``≤ ≥ ≠`` and ``=`` for relations, ``⌊x⌋`` and ``⌈x⌉``, ``a mod b``,
``δ(j, n)``, ``Σ[m = 0..k - 1] f``, ``and``/``or`` for conditions and ``{a if c; b
otherwise}`` for a piecewise value.  On a terminal that cannot encode them,
:func:`symtconv.console.write` spells these symbols in ASCII.

Examples
========

>>> import sympy as sp
>>> from symtconv.notation import inline, prose
>>> i, k, s, p = sp.symbols("i k s p", integer=True)
>>> inline(sp.floor((i + 2*p - k) / s) + 1)
'⌊(i - k + 2·p)/s⌋ + 1'
>>> print(prose("both sides come out as a + d*k - 2*p (SymPy's canonical form)"))
both sides come out as a + d·k - 2·p (SymPy's canonical form)
>>> print(prose("fits iff 0 <= j <= floor((o - 1)/s) & Eq(Mod(t, g), 0)"))
fits iff 0 ≤ j ≤ ⌊(o - 1)/s⌋ and t mod g = 0
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.parsing.sympy_parser import (
    implicit_multiplication,
    parse_expr,
    standard_transformations,
)
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.pretty_symbology import greek_unicode
from sympy.printing.str import StrPrinter
from sympy.utilities.exceptions import SymPyDeprecationWarning

__all__ = ["Notation", "inline", "prose", "quotations"]

#: How a step quotes a product of deltas it leaves out.
ELIDED = "δ·…"

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

# one token of a quotation: a function name, a symbol (one letter or rho, pb, pe, perhaps a
# subscript such as p_b or Q_in, perhaps a prime), a number, an operator, a bracket, a
# comma, a space
_TOKEN = re.compile(
    r"(?P<func>\b(?:" + "|".join(_FUNCTIONS) + r")(?=\())"
    r"|(?P<name>\b(?:rho|pb|pe|[A-Za-z])(?:_[A-Za-z0-9]+)?'?(?![A-Za-z0-9]))"
    r"|(?P<number>\b\d+\b)"
    r"|(?P<elided>δ·…)"
    r"|(?P<constant>\b(?:True|False)\b)"
    r"|(?P<op><=>|<=|>=|==|[-+*/%<>=&·])"
    r"|(?P<bracket>[][()])"
    r"|(?P<comma>,)"
    r"|(?P<space> +)"
)
_TRANSFORMS = (*standard_transformations, implicit_multiplication)
#: A quotation longer than this stays text: symtconv's own are a few hundred characters,
#: and reading is quadratic in the nesting of brackets.
MAX_QUOTATION = 2_000
#: A power SymPy could not evaluate quickly: a tower, or an exponent that is not a small
#: integer (a quotation with one stays text).
_POWER_TOWER = re.compile(r"\*\*\s*(?:\(|[^\d\s(]|\d{3,})|\*\*[^*]*\*\*")
#: The relations a quotation may chain, longest first (``<=`` before ``<``).
_RELATION_TOKENS = ("<=>", "<=", ">=", "<", ">", "=")


@dataclass(frozen=True)
class Notation:
    """How :func:`quotations` sets what it reads.

    Parameters
    ==========

    expression : prints one SymPy expression.
    relations : how each of ``<=> <= >= < > =`` between two expressions is written.
    conjunction : joins the conditions of ``a & b``, each passed through ``condition``.
    condition : sets one condition of a conjunction (e.g. in parentheses).
    math : wraps a whole quotation (e.g. in ``$…$``).
    text : sets the words between quotations (e.g. escaped for LaTeX).
    elided : the symbol standing for :data:`ELIDED` (``δ·…``) in a quotation.
    verbatim : when given, sets an expression whose SymPy reading does not print back as
        it was written (a sum kept unsimplified on purpose, such as ``(i*s - s + 1) +
        (d*(k - 1) - p)``: SymPy would collect its terms) from its text instead, so that
        no quotation is shown in a form its author did not write.
    """

    expression: Callable[[Any], str]
    relations: Mapping[str, str]
    conjunction: str
    condition: Callable[[str], str] = str
    math: Callable[[str], str] = str
    text: Callable[[str], str] = str
    elided: str = ELIDED
    verbatim: Callable[[str], str] | None = None


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


def _expression(text: str, elided: str) -> Any:
    """One SymPy expression written as text (``d*(k - 1)``, ``y[n]``, ``Eq(j, s*n)``)."""
    names: dict[str, Any] = {**_FUNCTIONS, "ELIDED": sp.Symbol(elided)}
    primes = {}
    text = text.replace(ELIDED, "ELIDED")
    for name in set(re.findall(r"\b(?:rho|pb|pe|[A-Za-z])(?:_[A-Za-z0-9]+)?'?", text)):
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


def _math(text: str, notation: Notation) -> str | None:
    """A quotation in ``notation``, or None when it does not read as SymPy text."""
    text = _unwrap(text)
    parts = _top_level_split(text, ("&",))
    if len(parts) > 1:
        pieces = [_math(part, notation) for part in parts[::2]]
        if None in pieces:
            return None
        return notation.conjunction.join(notation.condition(str(p)) for p in pieces)
    if text.startswith("[") and text.endswith("]") and _balanced(text[1:-1]):
        items = [_math(item, notation) for item in _top_level_split(text[1:-1], (",",))[::2]]
        return None if None in items else "[" + ", ".join(str(i) for i in items) + "]"
    parts = _top_level_split(text, _RELATION_TOKENS)
    tokens = []
    for n, part in enumerate(parts):
        if n % 2:
            tokens.append(notation.relations[part])
            continue
        if not part.strip():
            return None
        if _POWER_TOWER.search(part):  # SymPy would evaluate 9**9**9 while reading it
            return None
        try:
            expression = _expression(part.strip(), notation.elided)
            printed = sp.sstr(expression)
        except Exception:  # whatever SymPy's parser makes of it, it is no quotation
            return None
        written = "*".join(part.strip().split("·")).replace("δ*…", ELIDED)
        if notation.verbatim is not None and printed != written:
            tokens.append(notation.verbatim(part.strip()))
        else:
            tokens.append(notation.expression(expression))
    return " ".join(tokens)


def _quotes(chunk: str) -> bool:
    """Whether a run of math tokens is a quotation worth setting as math: it has an
    operator, a subscript, a function or an index, not only a lone word such as ``a``."""
    has_name = re.search(r"[A-Za-z0-9]", chunk) is not None
    return has_name and re.search(r"[-+*/%<>=&·_\[]|\w\(", chunk) is not None


def quotations(
    text: str,
    notation: Notation,
    *,
    wanted: Callable[[str], bool] = _quotes,
    strict: bool = False,
) -> str:
    """``text`` with each SymPy quotation that ``wanted`` accepts set in ``notation``.

    Parameters
    ==========

    text : the prose.
    notation : how to set a quotation and the words between them.
    wanted : which runs of math tokens to read (default: any with an operator, a
        subscript, a function or an index).
    strict : whether a parenthesis after a space always starts a new quotation (tried on
        a run that does not read as one quotation).
    """
    out, last = [], 0
    for start, end in _spans(text, strict):
        if end - start > MAX_QUOTATION:
            continue
        start, end = _trim(text, start, end)
        chunk = text[start:end]
        if not chunk or not wanted(chunk):
            continue
        math = _math(chunk, notation) if _balanced(chunk) else None
        if math is not None:
            math = notation.math(math)
        elif not strict:
            math = quotations(chunk, notation, wanted=wanted, strict=True)
        else:
            continue
        out += [notation.text(text[last:start]), math]
        last = end
    out.append(notation.text(text[last:]))
    return "".join(out)


# --------------------------------------------------------------------------- #
# one line of text
# --------------------------------------------------------------------------- #

_INLINE_RELATIONS = {"==": "=", "<=": "≤", ">=": "≥", "!=": "≠", "<": "<", ">": ">"}


class _InlinePrinter(StrPrinter):
    """SymPy's ``str`` printer with a textbook's symbols, still on one line."""

    def _print_Symbol(self, expr: Any) -> str:
        name = str(expr.name)
        return greek_unicode.get(name, name)  # rho as ρ; m_0 and p_b as they are written

    def _print_Mul(self, expr: Any) -> str:
        # the factors are printed by this printer, whose powers use ^, so every * left is
        # a product sign
        return str(super()._print_Mul(expr)).replace("*", "·")

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        return str(super()._print_Pow(expr, rational)).replace("**", "^")

    def _print_Relational(self, expr: Any) -> str:
        op = _INLINE_RELATIONS.get(expr.rel_op)
        if op is None:
            return str(super()._print_Relational(expr))
        prec = PRECEDENCE["Relational"]
        lhs, rhs = (
            self.bare(side) if isinstance(side, sp.Mod | sp.Sum) else self.parenthesize(side, prec)
            for side in (expr.lhs, expr.rhs)
        )
        return f"{lhs} {op} {rhs}"

    def _junction(self, expr: Any, word: str) -> str:
        prec = PRECEDENCE["Relational"]
        return f" {word} ".join(
            f"({self._print(arg)})" if isinstance(arg, sp.And | sp.Or) else
            self.parenthesize(arg, prec, strict=True) for arg in expr.args
        )

    def _print_And(self, expr: Any) -> str:
        return self._junction(expr, "and")

    def _print_Or(self, expr: Any) -> str:
        return self._junction(expr, "or")

    def _print_Not(self, expr: Any) -> str:
        return f"not ({self._print(expr.args[0])})"

    def _print_floor(self, expr: Any) -> str:
        return f"⌊{self._print(expr.args[0])}⌋"

    def _print_ceiling(self, expr: Any) -> str:
        return f"⌈{self._print(expr.args[0])}⌉"

    def _print_Mod(self, expr: Any) -> str:
        a, b = (
            self._print(arg) if arg.is_Atom or isinstance(arg, sp.Function | sp.Indexed)
            else f"({self._print(arg)})" for arg in expr.args
        )
        return f"({a} mod {b})"  # bare only as a whole formula or a side of a relation

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        if isinstance(item, sp.Mod | sp.Sum):  # they bring their own
            return str(self._print(item))
        return str(super().parenthesize(item, level, strict))

    def bare(self, expr: Any) -> str:
        """``expr`` printed, without the parentheses of a ``Mod`` or ``Sum`` standing alone."""
        text = str(self._print(expr))
        return text[1:-1] if isinstance(expr, sp.Mod | sp.Sum) else text

    def _print_KroneckerDelta(self, expr: Any) -> str:
        return f"δ({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Sum(self, expr: Any) -> str:
        limits = ", ".join(
            f"{self._print(v)} = {self._print(lo)}..{self._print(hi)}" for v, lo, hi in expr.limits
        )
        summand = self.parenthesize(expr.function, PRECEDENCE["Mul"], strict=True)
        # bracketed, or what follows would read as part of the summand; bare only as a
        # whole formula or a side of a relation (bare)
        return f"(Σ[{limits}] {summand})"

    def _print_Piecewise(self, expr: Any) -> str:
        pieces = [
            f"{self._print(e)} otherwise" if c is sp.true else
            f"{self._print(e)} if {self._print(c)}"
            for e, c in expr.args
        ]
        return "{" + "; ".join(pieces) + "}"

    def _print_Max(self, expr: Any) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: Any) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_BooleanTrue(self, expr: Any) -> str:
        return "true"

    def _print_BooleanFalse(self, expr: Any) -> str:
        return "false"


def inline(expr: Any) -> str:
    """``expr`` on one line, in a textbook's notation (``⌊(i - k)/s⌋ + 1``, ``d·m ≤ t``,
    ``2·(t mod g)``)."""
    return _InlinePrinter().bare(sp.sympify(expr))


#: Brackets for SymPy's functions spelled by their own symbols, and names written in lower
#: case, when :func:`_respell` rewrites a formula as written.
_BRACKETS = {"floor": ("⌊", "⌋"), "ceiling": ("⌈", "⌉"), "Max": ("max(", ")"), "Min": ("min(", ")"),
             "Mod": ("(", ")")}
_CALL = re.compile(r"\b(" + "|".join(_BRACKETS) + r")\(")
#: An operand of ``mod`` that needs no brackets: a name or number, perhaps indexed.
_SIMPLE = re.compile(r"-?[\w']+(?:\[[^\[\]]*\])?")


def _respell(text: str) -> str:
    """A formula kept as written, in a reader's symbols: ``·`` and ``^`` for SymPy's ``*``
    and ``**``, ``⌊x⌋`` for ``floor(x)`` (brackets matched), ``max`` for ``Max``, ``(a mod
    b)`` for ``Mod(a, b)`` (bare when it is the whole formula)."""
    out, pos = [], 0
    for match in _CALL.finditer(text):
        if match.start() < pos:  # inside a call already rewritten
            continue
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        if depth:  # unbalanced: leave the rest as it is
            break
        opening, closing = _BRACKETS[match.group(1)]
        inner = _respell(text[match.end():end - 1])
        if match.group(1) == "Mod":  # Mod(a, b) as (a mod b)
            parts = _top_level_split(inner, (",",))
            if len(parts) == 3:
                a, b = (p.strip() if _SIMPLE.fullmatch(p.strip()) else f"({p.strip()})"
                        for p in parts[::2])
                inner = f"{a} mod {b}"
                if match.start() == 0 and end == len(text):  # the whole formula
                    opening, closing = "", ""
        out += [text[pos:match.start()], opening, inner, closing]
        pos = end
    out.append(text[pos:])
    return "".join(out).replace("**", "^").replace("*", "·")


#: The terminal's notation: :func:`inline` for expressions, ``≤``/``≥``/``⇔`` for relations.
TEXT = Notation(
    expression=inline,
    relations={"<=>": "⇔", "<=": "≤", ">=": "≥", "<": "<", ">": ">", "=": "="},
    conjunction=" and ",
    verbatim=lambda text: _respell(text),
)

# SymPy's spellings a reader should not see: a product or power sign, a relation, a
# conjunction or one of SymPy's function names
_SYMPY_TEXT = re.compile(r"\*|<=|>=|==|&|\b(?:" + "|".join(_FUNCTIONS) + r")\(")


def prose(text: str) -> str:
    """``text`` with each quotation of SymPy text (``d*k``, ``floor(a/s)``, ``p <= q``)
    printed by :func:`inline`; a quotation already in a reader's notation (``s·n + d·m``,
    ``d(k-1) - p``) stays as it was written, and so do the words around it.

    Only what SymPy printed is printed again: a formula SymPy would rewrite when reading it
    (``(i*s - s + 1) + (d*(k - 1) - p)`` collects to ``i*s + d*k - d - p - s + 1``) keeps
    its terms as written, with ``·`` for ``*``."""
    return quotations(text, TEXT, wanted=lambda chunk: _SYMPY_TEXT.search(chunk) is not None)
