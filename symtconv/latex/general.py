"""The general document: :class:`GeneralDerivation` and :func:`derive_general`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .options import _tex_path
from .printer import DerivationPrinter, escape_text, latex
from .writer import _Writer

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
