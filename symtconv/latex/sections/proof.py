"""The proof section: what was compared, by which tier, and the verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..printer import escape_text
from ..writer import _Writer
from .common import _ENGINES

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..derivation import Derivation


def write_proof(doc: Derivation, out: _Writer) -> None:
    """What was proved equal, by which tier, and the verdict (or why there is none)."""
    out.section("The proof")
    proof = doc.proof
    if proof is None:
        out.say(
            f"No proof was run for this geometry: {doc.not_proved}. Nothing in this "
            "document is claimed as proved for it beyond the general proof (symtconv "
            "derive --general), which covers every size."
        )
        return
    verdict = "proved" if proof.proved else "NOT proved"
    engine = _ENGINES.get(proof.engine, f"with the {proof.engine} engine")
    out.say(
        f"Claim: {proof.statement}. This was {verdict} by symtconv.prove {engine} "
        f"({proof.outputs} outputs, {proof.terms} products y·w):"
    )
    out.display(out.tex(proof))
    out.items(escape_text(str(c), strict=False) for c in proof.comparisons)
    if proof.notes:
        out.say("Notes: " + " ".join(note.rstrip(".") + "." for note in proof.notes))
    out.say(
        "The four are computed independently: the scatter (the definition), {C} times "
        "{vec}, flip-and-pad, and the gradient {grad} of the forward convolution. The "
        "general document proves the same identity for every size at once.",
        C=r"C^{\top}",
        vec=r"\operatorname{vec}(y)",
        grad=r"\partial \langle y, \operatorname{conv}(x) \rangle / \partial x",
    )
