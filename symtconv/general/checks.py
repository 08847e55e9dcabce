"""Steps and the decision procedure of the general tier.

Explanation
===========

Every claim of a derivation is a :class:`Step`: ``"proved"`` only when SymPy
established it (a difference simplified to 0, an inequality solved, a structural
equality), ``"failed"`` when integer values were found that contradict it, and
``"undecided"`` otherwise.  The interval helpers solve linear inequalities for one
integer variable; the floor lemma is the one fact about ``floor`` the proofs use.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sympy as sp
from sympy.core.relational import Relational

from ..notation import prose
from .symbols import _integer

#: ``"checked"``: a bounded enumeration found no counterexample (the bounds are in the
#: step's text); ``"assumed"``: taken as given.  Neither is ``"proved"``.
Status = Literal["proved", "checked", "assumed", "undecided", "failed"]

_FLOOR_DEFINITION = "floor(x) = q  <=>  q <= x < q + 1 (the definition of floor)"


#: What the general proof takes as definitions rather than proving with SymPy.
ASSUMED = (
    _FLOOR_DEFINITION,
    "a multi-index (c, j_1, ..., j_N) equals another iff every component does",
    "finite sums commute and distribute over products (nested sums are flattened)",
    "padding a sequence z by P: u[t] = z[t - P]; for P < 0 this drops the first -P "
    "entries (a crop), and entries of z outside its range are 0",
    "the forward convolution reads x[t] = 0 outside 0 <= t < o (zero padding)",
)


@dataclass(frozen=True)
class Step:
    """One claim of a derivation, with what SymPy could establish about it.

    ``status`` is ``"proved"`` (SymPy established it), ``"failed"`` (a counterexample
    was found; ``detail`` gives it) or ``"undecided"`` (neither).  ``expression`` is
    the SymPy statement that was checked, when there is one.

    Examples
    ========

    >>> from symtconv.general import check_identity
    >>> import sympy as sp
    >>> s, i = sp.symbols("s i", integer=True, positive=True)
    >>> step = check_identity("stretched length", s*(i - 1) + 1, i + (s - 1)*(i - 1))
    >>> step.status, bool(step)
    ('proved', True)
    >>> print(step)
    [proved] stretched length: s·(i - 1) + 1 = i + (i - 1)·(s - 1)
    """

    name: str
    status: Status
    detail: str
    expression: Any = None

    def __bool__(self) -> bool:
        return self.status == "proved"

    def __str__(self) -> str:
        # for a reader: SymPy's text in a textbook's notation (the detail keeps SymPy's)
        return f"[{self.status}] {prose(self.name)}: {prose(self.detail)}"

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "status", "detail", "expression"}`` (the expression as a string)."""
        return {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "expression": None if self.expression is None else str(self.expression),
        }

    def _latex(self, printer: Any) -> str:
        body = printer._print(self.expression) if self.expression is not None else ""
        return rf"\text{{{self.name} ({self.status})}}" + (rf"\quad {body}" if body else "")


def _combine(name: str, parts: Sequence[Step], detail: str, expression: Any = None) -> Step:
    """A step that holds when all its parts hold (failed beats undecided)."""
    statuses = {p.status for p in parts}
    status: Status = (
        "failed" if "failed" in statuses else "undecided" if "undecided" in statuses else "proved"
    )
    weak = [f"[{p.status}] {p.name}: {p.detail}" for p in parts if p.status != "proved"]
    if weak:
        detail = detail + " — but " + "; ".join(weak)
    return Step(name, status, detail, expression)


def _normalise(expr: Any) -> Any:
    """Expand everywhere (also inside floor), and write Mod with floor."""
    expr = sp.sympify(expr)
    if expr.has(sp.Mod):
        expr = expr.rewrite(sp.floor)
    return sp.expand(expr)


def _is_zero(expr: Any) -> bool:
    """Whether SymPy can show that ``expr`` is identically 0."""
    expr = _normalise(expr)
    if expr == 0:
        return True
    return bool(sp.simplify(expr) == 0)


def _sample_value(symbol: sp.Symbol, rng: random.Random) -> int:
    if symbol.is_positive:
        return rng.randint(1, 6)
    if symbol.is_nonnegative:
        return rng.randint(0, 5)
    return rng.randint(-3, 5)


def _counterexample(
    expr: Any, domain: Any, also: Iterable[sp.Symbol] = (), tries: int = 600
) -> dict[sp.Symbol, int] | None:
    """Integer values, inside ``domain``, at which ``expr`` is not 0 (or None)."""
    expr = sp.sympify(expr)
    domain = sp.sympify(domain)
    symbols = sorted(expr.free_symbols | domain.free_symbols | set(also), key=str)
    if not all(sym.is_integer for sym in symbols):
        return None
    rng = random.Random(0)
    for _ in range(tries):
        values = {sym: _sample_value(sym, rng) for sym in symbols}
        try:
            if domain.xreplace(values) is not sp.true:
                continue
            value = sp.sympify(expr.xreplace(values))
        except (TypeError, ZeroDivisionError):
            continue
        if value.is_number and value != 0:
            return values
    return None


def check_identity(
    name: str, lhs: Any, rhs: Any = 0, *, domain: Any = True, detail: str = ""
) -> Step:
    """Decide whether ``lhs = rhs`` for all integer values of the symbols.

    Explanation
    ===========

    ``"proved"`` when SymPy simplifies ``lhs - rhs`` to 0 (after expanding inside
    ``floor`` and writing ``Mod`` with ``floor``); ``"failed"`` when integer values
    inside ``domain`` (drawn consistently with the symbols' assumptions) make it
    nonzero; ``"undecided"`` otherwise.  Only integer symbols are sampled.

    Examples
    ========

    >>> import sympy as sp
    >>> from symtconv.general import check_identity
    >>> x = sp.Symbol("x", integer=True)
    >>> check_identity("shift", sp.floor(x + sp.S(1)/2), x).status
    'proved'
    >>> check_identity("wrong", sp.floor(x/2), x).status
    'failed'
    >>> check_identity("halves", sp.floor(x/2) + sp.floor((x + 1)/2), x).status
    'undecided'

    Parameters
    ==========

    name : what is claimed, for reports.
    lhs, rhs : SymPy expressions (or anything ``sympify`` reads).
    domain : a SymPy boolean restricting the counterexample search.
    detail : how the claim arises, put in front of the outcome.
    """
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    statement = sp.Eq(lhs, rhs, evaluate=False)
    prefix = f"{detail}; " if detail else ""
    if _is_zero(lhs - rhs):
        # two sides computed separately; when SymPy's canonical forms coincide, say so
        # rather than print a line that reads like a tautology
        outcome = (
            f"both sides come out as {lhs} (SymPy's canonical form)"
            if lhs == rhs
            else f"{lhs} = {rhs}"
        )
        return Step(name, "proved", prefix + outcome, statement)
    witness = _counterexample(lhs - rhs, domain, lhs.free_symbols | rhs.free_symbols)
    if witness is not None:
        shown = ", ".join(f"{k}={v}" for k, v in witness.items())
        return Step(
            name,
            "failed",
            f"{prefix}{lhs} != {rhs}: they differ at {shown} "
            f"({lhs.xreplace(witness)} vs {rhs.xreplace(witness)})",
            statement,
        )
    return Step(
        name,
        "undecided",
        f"{prefix}SymPy could not simplify {lhs} - {rhs} to 0 and found no counterexample",
        statement,
    )


def _check_equal_structure(name: str, lhs: Any, rhs: Any, detail: str) -> Step:
    """Proved when two SymPy objects are the same expression tree."""
    if lhs == rhs:
        return Step(name, "proved", detail, sp.Eq(lhs, rhs, evaluate=False))
    return Step(name, "undecided", f"{detail}; not identical:\n  {lhs}\n  {rhs}")


def _extremes(expr: Any, ranges: Sequence[tuple[Any, Any, Any]]) -> tuple[Any, Any] | None:
    """Minimum and maximum of an expression linear in each variable, over a box.

    The slope in each variable must be free of it and of a sign SymPy decides from
    the assumptions; the extreme is then at an end of that variable's range.
    """
    lo = hi = sp.expand(expr)
    for var, first, last in ranges:
        slope = sp.diff(expr, var)
        if slope.has(var):
            return None
        if slope.is_nonnegative:
            lo, hi = lo.subs(var, first), hi.subs(var, last)
        elif slope.is_nonpositive:
            lo, hi = lo.subs(var, last), hi.subs(var, first)
        else:
            return None
    return sp.expand(lo), sp.expand(hi)


def _integer_interval(inequalities: Sequence[Any], var: sp.Symbol) -> tuple[Any, Any] | None:
    """The integers ``var`` satisfying linear ``inequalities``: ``(lowest, highest)``.

    SymPy solves the inequalities (``reduce_inequalities``); a strict or rational
    bound becomes the nearest integer inside (``floor``/``ceiling``).  A side without
    a finite bound is ``None``.  Returns ``None`` when SymPy's answer is not a
    conjunction of bounds on ``var``.
    """
    try:
        solved = sp.reduce_inequalities(list(inequalities), var)
    except (NotImplementedError, ValueError):
        return None
    relations = solved.args if isinstance(solved, sp.And) else (solved,)
    lo: Any = None
    hi: Any = None
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
    for rel in relations:
        if not isinstance(rel, Relational):
            return None
        if rel.lhs == var:
            op, bound = rel.rel_op, rel.rhs
        elif rel.rhs == var:
            op, bound = flipped[rel.rel_op], rel.lhs
        else:
            return None
        if bound.is_infinite:
            continue
        if op == "<=":
            hi = sp.floor(bound)
        elif op == "<":
            hi = sp.ceiling(bound) - 1
        elif op == ">=":
            lo = sp.ceiling(bound)
        elif op == ">":
            lo = sp.floor(bound) + 1
        else:
            return None
    return lo, hi


def _floor_equals(x: Any, q: Any) -> list[Any]:
    """``floor(x) = q`` as the two inequalities of the definition of floor."""
    return [sp.Le(q, x), sp.Lt(x, q + 1)]


def _floor_lemma() -> Step:
    """``floor(r/Q) = 0  ⇔  0 <= r < Q`` for integers r and Q >= 1, solved by SymPy."""
    r, q = _integer("r"), _integer("Q", positive=True)
    interval = _integer_interval(_floor_equals(r / q, 0), r)
    detail = f"from {_FLOOR_DEFINITION}, SymPy solves 0 <= r/Q < 1 for r"
    if interval is None or None in interval:
        return Step("floor lemma", "undecided", detail + ": no interval returned")
    lo, hi = interval
    parts = [
        check_identity("lowest r", lo, 0),
        check_identity("highest r", hi, q - 1),
    ]
    return _combine(
        "floor lemma: floor(r/Q) = 0 iff 0 <= r < Q (integers, Q >= 1)",
        parts,
        f"{detail}: {lo} <= r <= {hi}",
        sp.Equivalent(sp.Eq(sp.floor(r / q), 0), sp.And(r >= 0, r < q)),
    )


def _flatten(expr: Any) -> tuple[Any, tuple[tuple[Any, Any, Any], ...]]:
    """Pull nested finite sums out of products: ``(summand, limits)``.

    Valid here because no inner limit depends on an outer index (finite sums
    commute and distribute over products).
    """
    if isinstance(expr, sp.Sum):
        inner, limits = _flatten(expr.function)
        return inner, tuple(expr.limits) + limits
    if isinstance(expr, sp.Mul):
        summand: Any = sp.S.One
        limits = ()
        for factor in expr.args:
            f, lim = _flatten(factor)
            summand *= f
            limits += lim
        return summand, limits
    return expr, ()


def _sorted_sum(summand: Any, limits: Iterable[tuple[Any, Any, Any]]) -> sp.Sum:
    return sp.Sum(summand, *sorted(limits, key=lambda lim: str(lim[0])))
