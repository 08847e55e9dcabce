"""Result objects of a proof: they print themselves as text, JSON and LaTeX.

Every tier (SymPy expressions, the fast engine) fills the same objects, so the CLI and
the LaTeX layer only format them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .geometry import Geometry

__all__ = ["METHODS", "Comparison", "Mismatch", "Proof"]

#: The four methods, by the names used everywhere (CLI, JSON, reports).
METHODS: dict[str, str] = {
    "scatter": "scatter: x[s·n + d·m - p] += y[n]·w[m] (the definition)",
    "transpose": "Cᵀ·vec(y), with C the matrix of the forward convolution",
    "flip_and_pad": "flip-and-pad: zero insertion, padding d(k-1)-p, flipped kernel, correlation",
    "vjp": "VJP: the gradient of ⟨y, conv(x)⟩ with respect to x",
}


#: How each method's output is written in LaTeX.
METHOD_LATEX: dict[str, str] = {
    "scatter": r"\operatorname{scatter}(y, w)",
    "transpose": r"C^{\top} \operatorname{vec}(y)",
    "flip_and_pad": r"\operatorname{conv}_{1}\bigl(\operatorname{pad}(\operatorname{stretch}(y)),"
    r" \operatorname{flip}(w)\bigr)",
    "vjp": r"\nabla_{x} \langle y, \operatorname{conv}(x) \rangle",
    "decomposition": r"\operatorname{crop}\bigl(\operatorname{shuffle}(\operatorname{conv}_{1}"
    r"(\operatorname{pad}(y), w'))\bigr)",
}


def _index_text(index: tuple[int, ...]) -> str:
    return "x[" + ", ".join(str(j) for j in index) + "]"


@dataclass(frozen=True)
class Mismatch:
    """One output where a method differs from the reference.

    ``output`` is the index ``(channel, *spatial)``; ``missing`` are terms of the
    reference the method lacks, ``extra`` terms the method has and the reference does
    not (each a readable product such as ``y_{0,1}·w_{2}``).
    """

    output: tuple[int, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    difference: str

    def __str__(self) -> str:
        lines = [f"{_index_text(self.output)}: method - reference = {self.difference}"]
        if self.missing:
            lines.append("    missing: " + ", ".join(self.missing))
        if self.extra:
            lines.append("    extra:   " + ", ".join(self.extra))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": list(self.output),
            "missing": list(self.missing),
            "extra": list(self.extra),
            "difference": self.difference,
        }


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing one method with the reference method.

    ``holds`` is ``True`` (proved equal), ``False`` (shown different, or not defined for
    this geometry — ``detail`` says which) or ``None`` (could not be decided).
    """

    method: str
    reference: str
    holds: bool | None
    detail: str = ""
    differing: int = 0
    mismatches: tuple[Mismatch, ...] = ()

    def __str__(self) -> str:
        verdict = {True: "equal", False: "NOT equal", None: "undecided"}[self.holds]
        text = f"{self.method} vs {self.reference}: {verdict}"
        if self.detail:
            text += f" ({self.detail})"
        if self.mismatches:
            text += f"; {self.differing} outputs differ, first:\n  " + "\n  ".join(
                str(m).replace("\n", "\n  ") for m in self.mismatches
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "reference": self.reference,
            "holds": self.holds,
            "detail": self.detail,
            "differing_outputs": self.differing,
            "mismatches": [m.to_dict() for m in self.mismatches],
        }


@dataclass(frozen=True)
class Proof:
    """An exact comparison of methods on one geometry; truthy only if all agree.

    Examples
    ========

    >>> import symtconv
    >>> proof = symtconv.prove(symtconv.Geometry((3, 3), 3, stride=2, padding=1))
    >>> bool(proof), proof.methods
    (True, ('scatter', 'transpose', 'flip_and_pad', 'vjp'))
    """

    geometry: Geometry
    engine: str
    methods: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    outputs: int
    terms: int
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def proved(self) -> bool:
        """True only when every comparison was proved to hold."""
        return bool(self.comparisons) and all(c.holds is True for c in self.comparisons)

    def __bool__(self) -> bool:
        return self.proved

    @property
    def first_mismatch(self) -> Mismatch | None:
        """The first differing output of the first failing comparison, if any."""
        for comparison in self.comparisons:
            if comparison.mismatches:
                return comparison.mismatches[0]
        return None

    @property
    def statement(self) -> str:
        """What was (or was to be) proved, in words."""
        names = ", ".join(self.methods)
        return (
            f"the methods {names} give the same output polynomial in y and w for every one "
            f"of the {self.outputs} outputs ({self.geometry.describe()})"
        )

    def __str__(self) -> str:
        verdict = "PROVED" if self.proved else "NOT PROVED"
        lines = [
            f"{verdict}: {self.statement}",
            f"engine: {self.engine}; {self.outputs} outputs, {self.terms} y·w terms, "
            f"{self.seconds:.3f} s",
        ]
        lines += [f"  {c}" for c in self.comparisons]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _latex(self, printer: Any = None) -> str:
        """``scatter = Cᵀ vec(y) = …`` with ``=`` where proved and ``≠`` where not."""
        parts = [METHOD_LATEX[self.methods[0]]]
        for comparison in self.comparisons:
            relation = "=" if comparison.holds else (r"\neq" if comparison.holds is False else "?")
            parts.append(f"{relation} {METHOD_LATEX[comparison.method]}")
        verdict = r"\text{proved}" if self.proved else r"\text{not proved}"
        return " ".join(parts) + rf" \quad ({verdict}, {self.outputs} \text{{ outputs}})"

    def _repr_latex_(self) -> str:
        return f"${self._latex()}$"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (what ``symtconv prove --json`` prints)."""
        return {
            "proved": self.proved,
            "statement": self.statement,
            "methods": list(self.methods),
            "engine": self.engine,
            "geometry": self.geometry.to_dict(),
            "outputs": self.outputs,
            "terms": self.terms,
            "seconds": round(self.seconds, 6),
            "comparisons": [c.to_dict() for c in self.comparisons],
            "first_mismatch": None
            if self.first_mismatch is None
            else self.first_mismatch.to_dict(),
            "notes": list(self.notes),
        }
