"""Prose with SymPy text in it, set as LaTeX: :func:`prose_tex`.

The general proof's steps explain themselves in sentences that quote SymPy's results as
text (``both sides come out as a + d*k - d + i*s - 2*p - s + 1``). A document sets each
such quotation as mathematics through the printer, so a reader sees ``a + dk - d + is -
2p - s + 1`` and no ``*``; the words around it stay text.  The quotations are found and
read by :func:`symtconv.notation.quotations`, as for a terminal (:func:`symtconv.notation.prose`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..notation import Notation, quotations
from .printer import escape_text

#: LaTeX's spelling of the relations a quotation chains.
_RELATIONS = {"<=>": r"\iff", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "=": "="}


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

    notation = Notation(
        expression=latex if tex is None else tex,
        relations=_RELATIONS,
        conjunction=r" \wedge ",
        condition=lambda condition: f"({condition})",
        math=lambda math: f"${math}$",
        text=lambda words: escape_text(words, strict=False),
        elided=r"\delta \cdots",
    )
    return quotations(text, notation, strict=strict)
