"""Jupyter's views: every result shows as its readable text or LaTeX, never as a dataclass
``repr`` (``ConventionProofs(proofs=(ConventionProof(framework='torch', ...``)."""

from __future__ import annotations

import html
import re

import pytest

from symtconv import Geometry, prove
from symtconv.conventions import prove_conventions
from symtconv.demo import seed_demo
from symtconv.general import prove_general


def _results():
    yield "prove", prove(Geometry(3, 3, stride=2, padding=1))
    yield "prove_general", prove_general()
    yield "prove_conventions", prove_conventions()
    yield "demo", seed_demo()


@pytest.mark.parametrize(("name", "result"), list(_results()), ids=lambda v: str(v)[:20])
def test_html_view_is_the_readable_text(name, result):
    view = result._repr_html_()
    assert view.startswith("<")
    text = html.unescape(re.sub(r"<[^>]+>", "", view))
    assert f"{type(result).__name__}(" not in text, "a dataclass repr"
    assert "PROVED" in text.upper()


def test_conventions_text_reads_as_formulas():
    text = str(prove_conventions())
    assert not re.search(r"\*|floor\(|Max\(|<=", text), text
