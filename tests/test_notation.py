"""Formulas a reader sees in text: :func:`symtconv.notation.inline` and :func:`prose`.

The printed notation is read back by :func:`_read_back`, a translation written here (not
the module's own parser): what ``inline`` prints must mean the expression it was given.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symtconv.general import output_size_derivation, prove_general
from symtconv.notation import inline, prose
from symtconv.overlap import derive_overlap

II, K, S, P, D, A = SYMBOLS = sp.symbols("i k s p d a", integer=True)

#: Back from the reader's symbols to Python's operators, for sympify.
_BACK = [("·", "*"), ("^", "**"), ("⌊", "floor("), ("⌋", ")"), ("⌈", "ceiling("),
         ("⌉", ")"), ("max(", "Max("), ("min(", "Min("), (" mod ", " % "),
         ("δ(", "KroneckerDelta(")]


def _read_back(text: str) -> sp.Expr:
    for reader, python in _BACK:
        text = text.replace(reader, python)
    return sp.sympify(text, locals={str(x): x for x in SYMBOLS})


def _expressions() -> st.SearchStrategy[sp.Expr]:
    leaves = st.sampled_from(SYMBOLS) | st.integers(-3, 5).map(sp.Integer)

    def grow(inner: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
        pair = st.tuples(inner, inner)
        return st.one_of(
            pair.map(lambda ab: ab[0] + ab[1]),
            pair.map(lambda ab: ab[0] - ab[1]),
            pair.map(lambda ab: ab[0] * ab[1]),
            inner.map(lambda x: -x),
            inner.map(lambda x: x**2),
            inner.map(lambda x: sp.floor(x / S)),
            inner.map(lambda x: sp.ceiling((x + 1) / D)),
            inner.map(lambda x: sp.Mod(x, S)),
            pair.map(lambda ab: sp.Max(ab[0], ab[1])),
            pair.map(lambda ab: sp.Min(ab[0], ab[1])),
        )

    return st.recursive(leaves, grow, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_inline_means_the_expression_it_prints(expr):
    text = inline(expr)
    assert "*" not in text and "\n" not in text
    assert sp.simplify(_read_back(text) - expr) == 0, text


def test_the_read_back_can_fail():
    # parentheses lost around a Mod, or a floor bracket dropped, would change the meaning
    assert sp.simplify(_read_back("-i mod s") - (-sp.Mod(II, S))) != 0
    assert sp.simplify(_read_back("i·s mod s") - sp.Mod(II, S) * S) != 0


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (sp.floor((II + 2 * P - K) / S) + 1, "⌊(i - k + 2·p)/s⌋ + 1"),
        (sp.Eq(sp.Mod(II, S), 0), "i mod s = 0"),
        (2 * sp.Mod(II, S), "2·(i mod s)"),
        (-sp.Mod(II, S), "-(i mod s)"),
        (sp.Le(0, II) & sp.Lt(II, S), "0 ≤ i and i < s"),
        (sp.Piecewise((K + 1, II < S), (K, True)), "{k + 1 if i < s; k otherwise}"),
        (sp.Sum(sp.KroneckerDelta(II, S * K), (K, 0, A - 1)), "Σ[k = 0..a - 1] δ(i, k·s)"),
        (sp.Symbol("rho") + 1, "ρ + 1"),
        # what follows a sum is not part of its summand (found by the hostile review)
        (sp.Sum(K, (K, 0, A)) ** 2, "(Σ[k = 0..a] k)^2"),
        (sp.Sum(K**2, (K, 0, A)), "Σ[k = 0..a] k^2"),
        (sp.Sum(K, (K, 0, A)) + 1, "(Σ[k = 0..a] k) + 1"),
        (sp.Eq(II, sp.Sum(K, (K, 0, A))), "i = Σ[k = 0..a] k"),
        (sp.Mod(sp.Symbol("x"), 1 / sp.Symbol("c")), "x mod (1/c)"),
        (sp.Mod(sp.Symbol("x"), 1) / sp.Symbol("c"), "(x mod 1)/c"),
    ],
)
def test_inline_notation(expr, text):
    # hand-written: the notation the module documents
    assert inline(expr) == text


SYMPY_SPELLINGS = re.compile(
    r"\*|<=|>=|==|&|\b(?:floor|ceiling|Eq|Ne|Mod|Max|Min|Sum|Piecewise|KroneckerDelta)\("
)
FUNCTION_WORDS = {"floor", "ceiling", "Eq", "Ne", "Mod", "Max", "Min", "Sum", "Piecewise",
                  "KroneckerDelta", "True", "False", "rho", "pb", "pe"}


#: The words the notation itself writes (``a mod b``, ``c and d``, ``max(a, b)``, ...).
NEW_WORDS = {"mod", "and", "otherwise", "max", "min", "true", "false"}


def _words(text: str, leave_out: set[str]) -> list[str]:
    """The words of a sentence (three letters or more), without SymPy's function names."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", text)
            if w not in FUNCTION_WORDS and w not in leave_out]


def _details():
    results = [prove_general(), prove_general(ndim=2, groups=True, asymmetric=True),
               output_size_derivation(), derive_overlap()]
    return [text for r in results for s in r.steps for text in (s.name, s.detail)]


def test_prose_leaves_no_sympy_spelling_and_keeps_every_word():
    details = _details()
    assert any(SYMPY_SPELLINGS.search(d) for d in details)  # there is something to set
    for detail in details:
        shown = prose(detail)
        assert not SYMPY_SPELLINGS.search(shown), shown
        assert _words(shown, NEW_WORDS) == _words(detail, NEW_WORDS), (detail, shown)


def test_prose_keeps_a_formula_sympy_would_rewrite():
    # SymPy reads (i*s - s + 1) + (d*(k - 1) - p) as one collected sum; the reader is shown
    # the sum as it was written, term by term
    text = "(a) flip-and-pad: (i*s - s + 1) + (d*(k - 1) - p) - (d*k - d + 1) + 1"
    assert prose(text) == "(a) flip-and-pad: (i·s - s + 1) + (d·(k - 1) - p) - (d·k - d + 1) + 1"
    assert prose("reads floor(Max(0, k)/s) here") == "reads ⌊max(0, k)/s⌋ here"


def test_prose_leaves_a_reader_s_notation_alone():
    for text in ("y[n] sits at s·n for n in range", "the pad d(k-1) - p is a crop", "plain words"):
        assert prose(text) == text


@pytest.mark.parametrize("argv", [["prove", "--general", "--ndim", "2", "--groups"],
                                  ["overlap", "--symbolic"], ["size", "--symbolic"],
                                  ["relationships"]])
def test_symbolic_commands_print_no_sympy_spelling(argv):
    done = subprocess.run([sys.executable, "-m", "symtconv", *argv], capture_output=True,
                          text=True, encoding="utf-8", timeout=600,
                          env={"COLUMNS": "100", "PYTHONIOENCODING": "utf-8", **_path_env()})
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith("* not in")]
    assert not [line for line in lines if SYMPY_SPELLINGS.search(line.replace("16*.", ""))]


@pytest.mark.parametrize("argv", [["prove", "--general"], ["overlap", "--symbolic"]])
def test_an_ascii_terminal_gets_ascii_formulas(argv):
    env = {"COLUMNS": "100", "PYTHONIOENCODING": "ascii", **_path_env()}
    done = subprocess.run([sys.executable, "-m", "symtconv", *argv], capture_output=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")  # raises if anything is not ASCII
    assert "floor(" in text and "<=" in text


def _path_env() -> dict[str, str]:
    import os

    keep = ("PATH", "PYTHONPATH", "HOME", "SYSTEMROOT", "VIRTUAL_ENV")
    return {k: os.environ[k] for k in keep if k in os.environ}


def test_an_entry_wider_than_the_terminal_is_one_wrapped_line_not_cut_blocks(capsys, monkeypatch):
    from symtconv.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["prove", "--general", "--ndim", "2", "--groups"]) == 0
    out = capsys.readouterr().out
    # SymPy's pretty printer would cut the six sums into blocks joined by ↪, inside tokens
    assert "↪" not in out
    assert "x[c_out, j_1, j_2] = Σ[c_in = 0..G·Q_in - 1" in out
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["prove", "--general"]) == 0  # one axis fits: the displayed formula
    assert "╲" in capsys.readouterr().out


def test_a_mod_kept_as_written_keeps_its_operands_together():
    # SymPy would reduce Mod(x + s, s) to Mod(x, s), so the text is respelled as written
    shown = prose("a = Mod(-d*(k - 1) + i + s - 1, s) here")
    assert shown == "a = (-d·(k - 1) + i + s - 1) mod s here"
    back = _read_back(shown[len("a = "):-len(" here")].replace("mod", "%"))
    assert sp.simplify(back - sp.Mod(-D * (K - 1) + II + S - 1, S)) == 0


@pytest.mark.parametrize(
    "text",
    ["9**9**9", "x*10**10**8", "2**999999", "(" * 20000 + "a*b",
     "floor(" * 3000 + "x*y" + ")" * 3000],
)
def test_prose_leaves_hostile_text_alone_quickly(text):
    # a power tower SymPy would evaluate, too many digits, brackets nested too deep: text
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from symtconv.notation import prose; "
         "sys.stdout.write(prose(sys.stdin.read()))"],
        input=text, capture_output=True, text=True, timeout=30, env=_path_env(),
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout == text


def test_a_mod_kept_as_written_brackets_a_product_modulus():
    assert prose("Mod(a, b*c) + (x - 1) here") == "(a mod (b·c)) + (x - 1) here"
