"""The general document: :class:`GeneralDerivation` and :func:`derive_general`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_text
from .options import _tex_path
from .printer import DerivationPrinter, escape_text, latex
from .prose import prose_tex, words_tex
from .writer import LINE_PT, _fits, _pack, _width_pt, _Writer

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
        out.items(prose_tex(fact, out.tex) for fact in ASSUMED)
        what = f"{self.proof.ndim}-d" + (", with channels and groups" if self.proof.groups else "")
        return out.document(
            f"Transposed convolution for every size ({what})", "derived and proved with symtconv"
        )

    def write(self, path: str | Path) -> list[Path]:
        """Write the document to ``path`` (a ``.tex`` file); return ``[path]``."""
        path = _tex_path(path)
        write_text(path, self.document())  # whole or not at all
        return [path]

    def _theorem(self, out: _Writer) -> None:
        proof = self.proof
        out.section("The theorem")
        verdict = "PROVED" if proof.proved else "NOT PROVED"
        established = sum(1 for step in proof.steps if step)
        # the statement names the entry as SymPy text: show it as mathematics instead
        before, found, after = proof.statement.partition(str(proof.entry))
        out.raw(
            "",
            escape_text(
                f"{verdict} ({established} of {len(proof.steps)} steps established by SymPy). ",
                strict=False,
            )
            + prose_tex(before.rstrip() if found else proof.statement, out.tex),
        )
        out.gather(_formula_rows(out, proof.entry))
        if found:
            out.raw("", prose_tex(after.lstrip(". "), out.tex))
        out.say("The index ranges:")
        ranges = [out.tex(cond) for cond, meaning in proof.conditions if "range" in meaning]
        out.gather(_pack(ranges))
        out.say("Side conditions:")
        out.items(
            f"${out.tex(cond)}$: {prose_tex(meaning, out.tex)}"
            for cond, meaning in proof.conditions
            if "range" not in meaning
        )

    def _forms(self, out: _Writer) -> None:
        out.section("Each method's entry, derived from its own steps")
        out.say(
            "Each method's output entry as a SymPy sum over the input index {n} and the kernel "
            "tap {m} of {yw} times Kronecker deltas ({delta} is 1 when {ab} and 0 "
            "otherwise: the Iverson brackets of the method's index conditions), before the "
            "steps below show they coincide.",
            n="n",
            m="m",
            yw=r"y \cdot w",
            delta=r"\delta(a, b)",
            ab="a = b",
        )
        for name, form in self.proof.forms.items():
            out.subsection(_FORM_TITLES.get(name, name))
            out.gather(_formula_rows(out, form.expression))
            conditions = [out.tex(c) for c in form.conditions if c is not None]
            if conditions:
                out.say("Index condition: {conditions}.", conditions=r",\quad ".join(conditions))

    def _steps(self, out: _Writer, title: str, steps: Sequence[Any]) -> None:
        out.section(title)
        entries = []
        for step in steps:
            name, detail = (prose_tex(part, out.tex) for part in (step.name, step.detail))
            status = escape_text(step.status, strict=False)
            text = rf"\textbf{{{name}}} [{status}]. {detail}"
            if step.expression is not None:
                text += "\n" + "\n".join(out.gather_lines(_formula_rows(out, step.expression)))
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
            "positions. (b) The forward convolution maps a length {o} to {forward}; by the "
            "definition of floor that equals {i} exactly for {sizes}, so {omin} with {a}: the "
            "same formula. The forward convolution of the output has length {round_trip}.",
            i="i",
            o="o",
            forward=out.tex(size.forward),
            sizes=rf"{out.tex(size.o_min)} \le o \le {out.tex(size.o_max)}",
            omin=r"o = o_{\min} + a",
            a=rf"{out.tex(size.output_padding[0])} \le a \le {out.tex(size.output_padding[1])}",
            round_trip=out.tex(size.round_trip),
        )
        self._steps(out, "The size derivation's steps", size.steps)

    def _relationships(self, out: _Writer) -> None:
        out.section("Dumoulin and Visin's relationships")
        out.say(
            "Each relationship of 'A guide to convolution arithmetic for deep learning' (2016) "
            "as a special case of the general results; {forward} are the forward "
            "convolution's, primes the transposed convolution's. Relationship 16 (not in the "
            "paper) is the dilated transposed convolution.",
            forward="i, k, s, p, d",
        )
        rows = []
        for rel in self.relationships:
            cells = [
                f"{rel.number}" + ("" if rel.in_paper else "*"),
                r"\raggedright " + words_tex(rel.name),
                r"\raggedright " + _conditions_tex(rel.conditions, out),
                r"\raggedright $" + out.tex(rel) + "$",
                "verified" if rel.verified else "NOT verified",
            ]
            rows.append(" & ".join(cells) + r"\tabularnewline")
        out.raw(
            "",
            r"{\footnotesize\noindent",
            r"\begin{tabular}{@{}r p{2.9cm} p{3.9cm} p{6.5cm} l@{}}",
            r"\# & relationship & conditions & result & SymPy\tabularnewline\hline",
            *rows,
            r"\end{tabular}}",
        )


#: How much of a line the pieces of a broken formula fill (the width estimate is rough).
_BROKEN_LINE = 0.6 * LINE_PT


def _formula_rows(out: _Writer, expr: Any) -> list[str]:
    r"""``expr`` as display lines that fit the page in ``\footnotesize`` or larger.

    A formula too wide for one line is broken where the mathematics allows it: an
    equation before ``=``, a sum into its summand and the ranges of its indices
    (``\sum_{m, n}`` over ``0 \le m \le k - 1, …``), a summand that is zero outside a
    condition into its value and the condition, a product between its factors.
    """
    import sympy as sp

    whole = out.tex(expr, display=True)
    if _fits(whole):
        return [whole]
    if isinstance(expr, sp.Eq):
        left, right = _formula_rows(out, expr.lhs), _formula_rows(out, expr.rhs)
        if len(left) == 1 and _width_pt(left[0]) < 0.3 * LINE_PT:  # x_j = … on one line
            return [f"{left[0]} = {right[0]}", *right[1:]]
        return [*left, "= " + right[0], *right[1:]]
    if not isinstance(expr, sp.Sum):
        return _product_rows(out, expr)
    names = ", ".join(out.tex(limit[0]) for limit in expr.limits)
    ranges = [
        rf"{out.tex(low, display=True)} \le {out.tex(index)} \le {out.tex(high, display=True)}"
        for index, low, high in expr.limits
    ]
    body, conditions = expr.function, []
    otherwise = body.args[-1] if isinstance(body, sp.Piecewise) else None
    if otherwise is not None and len(body.args) == 2 and otherwise == (0, True):
        body, condition = body.args[0].expr, body.args[0].cond
        parts = condition.args if isinstance(condition, sp.And) else (condition,)
        conditions = [out.tex(part, display=True) for part in parts]
    # the "over" line names every index: under the sigma, subscripted ones (c_in) would
    # put their subscripts at 5 pt
    prefix = r"\sum " if "_" in names else rf"\sum_{{{names}}} "
    # the indices stand under the sigma (display style): the sigma itself takes ~20 pt
    summand = _product_rows(out, body, _BROKEN_LINE - 20.0)
    rows = [prefix + summand[0], *summand[1:]]
    rows += _labelled(r"\text{over } ", _pack(ranges, line=_BROKEN_LINE))
    if conditions:
        wedge = r" \wedge "
        rows += _labelled(r"\text{where } ", _pack(conditions, wedge, line=_BROKEN_LINE))
    return rows


def _labelled(label: str, lines: list[str]) -> list[str]:
    """``label`` in front of the first line, the others continuing it."""
    return [label + lines[0], *lines[1:]] if lines else []


def _product_rows(out: _Writer, expr: Any, room: float = _BROKEN_LINE) -> list[str]:
    """A product wider than ``room`` points, broken between its factors (``\\cdot`` in
    front of each continued line); anything else whole."""
    import sympy as sp

    whole = out.tex(expr, display=True)
    if _width_pt(whole) <= room or not isinstance(expr, sp.Mul):
        return [whole]
    factors = [out.tex(factor, display=True) for factor in expr.as_ordered_factors()]
    rows = _pack(factors, " ", gap=5.0, line=room)
    return [rows[0], *(r"\cdot " + row for row in rows[1:])]


def _conditions_tex(conditions: str, out: _Writer) -> str:
    r"""A relationship's conditions (``p = 0, (i - k) mod s = 0``) as mathematics, the
    paper's ``2p`` and ``mod`` read as SymPy would write them.

    >>> from symtconv.latex.general import _conditions_tex
    >>> from symtconv.latex.printer import DerivationPrinter
    >>> from symtconv.latex.writer import _Writer
    >>> print(_conditions_tex("s = 1, p = floor(k/2)", _Writer(DerivationPrinter())))
    $s = 1$, $p = \left\lfloor{k / 2}\right\rfloor$
    >>> print(_conditions_tex("(i + 2p - k) mod s = 0", _Writer(DerivationPrinter())))
    $\left(i - k + 2 p\right) \bmod s = 0$
    """
    if not conditions:
        return "any"
    sympy_text = re.sub(r"(\d)([a-z(])", r"\1*\2", conditions).replace(" mod ", " % ")
    return prose_tex(sympy_text, out.tex)


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
