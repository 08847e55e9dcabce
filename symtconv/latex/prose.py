"""Prose with SymPy text in it, set as LaTeX: :func:`prose_tex`.

The general proof's steps explain themselves in sentences that quote SymPy's results as
text (``both sides come out as a + d*k - d + i*s - 2*p - s + 1``). A document sets each
such quotation as mathematics through the printer, so a reader sees ``a + dk - d + is -
2p - s + 1`` and no ``*``; the words around it stay text.  The quotations are found and
read by :func:`symtconv.notation.quotations`, as for a terminal (:func:`symtconv.notation.prose`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..notation import Notation, quotations
from .printer import escape_text

#: LaTeX's spelling of the relations a quotation chains.
_RELATIONS = {"<=>": r"\iff", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "=": "="}

#: The one-letter symbols of the proofs' vocabulary that prose may name on their own
#: ("C has i rows", "maps o to"); not ``I``, ``A`` or ``e`` (words, or ``e.g.``).
_VOCABULARY = "ikspdaojnmgqrtcxywuzCPQUGNT"
#: One such letter standing alone (perhaps with a subscript, ``Q_in``, primed, or indexed,
#: ``C[n, j]``): not part of a word, a contraction
#: (``SymPy's``), an abbreviation (``i.e.``) or a hyphenated word (``1-d``).
_LONE = re.compile(
    rf"(?<![\w'.\\-])([{_VOCABULARY}](?:_[A-Za-z0-9]+)?'?(?:\[[\w, +-]*\])?)(?![\w'-])(?!\.\w)"
)
#: What makes a lone ``a`` the output padding rather than the article: an operator or a
#: punctuation mark next to it, or ``plus``/``minus``/``every`` before it.
#: (The end of the words is no sign: a quotation may follow, "(a" + "negative pad".)
_OPERATOR_AFTER = re.compile(r"\s*[-+*/<>=≤≥·,;:.)]")
_OPERATOR_BEFORE = re.compile(r"(?:[-+*/<>=≤≥·]|\b(?:plus|minus|every))\s*$")
#: A list of symbols with an ellipsis, ``(c, j_1, ..., j_N)``: SymPy cannot read it.
_ELLIPSIS_LIST = re.compile(
    r"\((?=[^()]*\.\.\.)((?:\s*(?:[A-Za-z](?:_[A-Za-z0-9]+)?|\.\.\.)\s*,)+\s*[A-Za-z](?:_[A-Za-z0-9]+)?)\)"
)


def _is_symbol(words: str, match: re.Match[str]) -> bool:
    """Whether the lone letter ``match`` in ``words`` is a symbol (see :data:`_LONE`)."""
    if match.group(1) != "a":
        return True
    return bool(
        _OPERATOR_AFTER.match(words, match.end())
        or _OPERATOR_BEFORE.search(words, 0, match.start())
    )


def words_tex(words: str) -> str:
    r"""Words as LaTeX: escaped, with each symbol they name on its own in math italic.

    Explanation
    ===========

    A lone letter of the proofs' vocabulary (``i k s p d o j n m``, ``C``, …) is a
    symbol.  The letter ``a`` is the output padding only next to an operator or a
    punctuation mark, or after ``plus``, ``minus`` or ``every``; otherwise it is the
    article.  ``I`` and ``A`` are always words.

    Examples
    ========

    >>> from symtconv.latex.prose import words_tex
    >>> print(words_tex("C has i rows; plus a at the high end, a negative pad"))
    $C$ has $i$ rows; plus $a$ at the high end, a negative pad
    >>> print(words_tex("the sum over c_il in [0, Q_in) meets"))
    the sum over $c_{il}$ in [0, $Q_{in}$) meets
    >>> print(words_tex("SymPy's 1-d form, i.e. solved for a: C[n, j] (a crop)"))
    SymPy's 1-d form, i.e. solved for $a$: $C[n, j]$ (a crop)
    """
    out, last = [], 0
    for match in _LONE.finditer(words):
        if not _is_symbol(words, match):
            continue
        symbol = re.sub(r"_(\w+)", r"_{\1}", match.group(1))
        out += [escape_text(words[last : match.start()], strict=False), f"${symbol}$"]
        last = match.end()
    out.append(escape_text(words[last:], strict=False))
    return "".join(out)


def prose_tex(text: str, tex: Callable[[Any], str] | None = None, *, strict: bool = False) -> str:
    r"""``text`` as LaTeX: its SymPy quotations as math, the rest as escaped text.

    Explanation
    ===========

    A quotation is a run of one-letter symbols (with subscripts such as ``p_b``), numbers,
    operators and brackets; it is set as math when SymPy can read it, relations and
    ``&`` included; a list of symbols with an ellipsis (``(c, j_1, ..., j_N)``) is set as
    math too.  The words between are set by :func:`words_tex`: escaped, a symbol named
    on its own (``C has i rows``) in math italic.

    Examples
    ========

    >>> from symtconv.latex.prose import prose_tex
    >>> print(prose_tex("both sides come out as a + d*k - 2*p (SymPy's form)"))
    both sides come out as $a + d k - 2 p$ (SymPy's form)
    >>> print(prose_tex("a multi-index (c, j_1, ..., j_N) is a tuple"))
    a multi-index $(c, j_{1}, \ldots, j_{N})$ is a tuple
    >>> print(prose_tex("fits iff 0 <= j <= floor((o - 1)/s), a window"))
    fits iff $0 \le j \le \left\lfloor{\left(o - 1\right) / s}\right\rfloor$, a window

    Parameters
    ==========

    text : the prose.
    tex : prints a SymPy expression as LaTeX (default: :func:`symtconv.latex.latex`).
    strict : whether a parenthesis after a space always starts a new quotation (tried on
        a run that does not read as one quotation).
    """
    import sympy

    from .printer import latex

    print_ = latex if tex is None else tex

    def expression(expr: Any) -> str:
        if not isinstance(expr, sympy.Piecewise):
            return print_(expr)
        # in a line of text: a cases environment could not break across lines
        pieces = [
            print_(value)
            + (r" \text{ otherwise}" if cond is sympy.true else rf" \text{{ for }} {print_(cond)}")
            for value, cond in expr.args
        ]
        return r"; \ ".join(pieces)

    notation = Notation(
        expression=expression,
        relations=_RELATIONS,
        conjunction=r" \wedge ",
        condition=lambda condition: f"({condition})",
        math=lambda math: f"${math}$",
        text=words_tex,
        elided=r"\delta \cdots",
    )
    out, last = [], 0
    for match in _ELLIPSIS_LIST.finditer(text):
        items = [item.strip() for item in match.group(1).split(",")]
        listed = ", ".join(
            r"\ldots" if item == "..." else print_(sympy.Symbol(item)) for item in items
        )
        out += [quotations(text[last : match.start()], notation, strict=strict), f"$({listed})$"]
        last = match.end()
    out.append(quotations(text[last:], notation, strict=strict))
    return "".join(out)
