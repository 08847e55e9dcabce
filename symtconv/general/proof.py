"""General proofs: transposed convolution for *every* size, with symbolic parameters.

Explanation
===========

The other tiers prove the methods equal for one geometry at a time.  Here the sizes
and parameters are SymPy integer symbols (per axis ``i, k, s, p, d, a``), and each
method's output entry is *derived from that method's own steps* as a sum over the
input index ``n`` and the kernel tap ``m`` of ``y[n]·w[m]·[condition(j, n, m)]``:

- **scatter** (the definition): ``y[n]·w[m]`` lands at ``s·n + d·m`` of the full
  output, which is cropped by ``p`` at the start, so ``j = s·n + d·m - p``;
- **flip-and-pad**: zero insertion puts ``y[n]`` at ``s·n``, padding by
  ``P = d(k-1) - p`` (a crop when negative) moves it to ``s·n + P``, and the flipped
  tap ``m' = k-1-m`` reads ``j + d·m'`` of the padded sequence;
- **Cᵀ**: the ``(n, j)`` entry of the forward convolution's matrix, obtained as the
  Jacobian ``∂conv(x)[n]/∂x[j]`` with ``sympy.diff`` on ``Indexed``;
- **VJP**: ``∂⟨y, conv(x)⟩/∂x[j]``, again by ``sympy.diff``.

SymPy then shows that the conditions, the summation ranges and the output lengths
coincide.  Every claim is a :class:`Step` whose status is ``"proved"`` only when
SymPy established it (a difference simplified to 0, an inequality solved, a
structural equality), ``"failed"`` when a counterexample was found, and
``"undecided"`` otherwise.  The same machinery derives the output-size formula two
ways (:func:`output_size_derivation`) and reproduces Dumoulin & Visin's relationships
(:func:`relationships`).

Some facts are used as definitions, not proved by SymPy; they are listed in
:data:`ASSUMED` (and in every proof's ``to_dict()["assumed"]``): the definition of
``floor``, component-wise equality of multi-indices, that finite sums commute and
distribute over products, and that padding by a negative amount is a crop.

Examples
========

>>> from symtconv.general import prove_general
>>> proof = prove_general()
>>> bool(proof)
True
>>> proof.entry
Eq(x[j], Sum(KroneckerDelta(j, d*m + n*s - p)*w[m]*y[n], (m, 0, k - 1), (n, 0, i - 1)))
>>> [s.name for s in proof.steps if s.status != "proved"]
[]

The output size, derived rather than typed in:

>>> from symtconv.general import output_size_derivation
>>> output_size_derivation().formula
a + d*k - d + i*s - 2*p - s + 1
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import mul
from typing import Any, Literal

import sympy as sp
from sympy.core.relational import Relational

from ..errors import ParameterError
from ..geometry import Axis, Geometry

__all__ = [
    "ASSUMED",
    "EntryForm",
    "GeneralProof",
    "Relationship",
    "SizeDerivation",
    "Step",
    "check_identity",
    "check_relationship",
    "output_size_derivation",
    "prove_general",
    "relationships",
]

Status = Literal["proved", "undecided", "failed"]

#: The methods, in the order they are derived.
METHOD_NAMES = ("scatter", "flip_and_pad", "transpose", "vjp")

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


# --------------------------------------------------------------------------- #
# Steps and the decision procedure
# --------------------------------------------------------------------------- #


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
    [proved] stretched length: s*(i - 1) + 1 = i + (i - 1)*(s - 1)
    """

    name: str
    status: Status
    detail: str
    expression: Any = None

    def __bool__(self) -> bool:
        return self.status == "proved"

    def __str__(self) -> str:
        return f"[{self.status}] {self.name}: {self.detail}"

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
    weak = [str(p) for p in parts if p.status != "proved"]
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


# --------------------------------------------------------------------------- #
# Small symbolic tools (each one decided by SymPy, or reported as undecided)
# --------------------------------------------------------------------------- #


def _integer(name: str, **assumptions: bool) -> sp.Symbol:
    return sp.Symbol(name, integer=True, **assumptions)


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


# --------------------------------------------------------------------------- #
# Symbols
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _AxisSymbols:
    """The parameters and index variables of one axis."""

    i: sp.Symbol
    k: sp.Symbol
    s: sp.Symbol
    d: sp.Symbol
    p_b: sp.Symbol
    p_e: sp.Symbol
    a: sp.Symbol
    j: sp.Symbol
    n: sp.Symbol
    m: sp.Symbol
    mp: sp.Symbol
    t: sp.Symbol
    o: sp.Symbol
    label: str

    @property
    def axis(self) -> Axis:
        """The geometry module's :class:`Axis` on these symbols (its formulas reused)."""
        return Axis(self.i, self.k, self.s, self.p_b, self.p_e, self.a, self.d)

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        return tuple(dict.fromkeys((self.i, self.k, self.s, self.p_b, self.p_e, self.a, self.d)))


def _axis_symbols(axis: int | None, asymmetric: bool) -> _AxisSymbols:
    sub = "" if axis is None else f"_{axis}"

    def pos(name: str) -> sp.Symbol:
        return _integer(name + sub, positive=True)

    def nonneg(name: str) -> sp.Symbol:
        return _integer(name + sub, nonnegative=True)

    def index(name: str) -> sp.Symbol:
        return _integer(name + sub)

    if asymmetric:
        p_b, p_e = (nonneg("p_b"), nonneg("p_e")) if axis is None else (nonneg("pb"), nonneg("pe"))
    else:
        p_b = p_e = nonneg("p")
    return _AxisSymbols(
        i=pos("i"),
        k=pos("k"),
        s=pos("s"),
        d=pos("d"),
        p_b=p_b,
        p_e=p_e,
        a=nonneg("a"),
        j=index("j"),
        n=index("n"),
        m=index("m"),
        mp=index("m'"),
        t=index("t"),
        o=pos("o"),
        label="" if axis is None else f"axis {axis}: ",
    )


@dataclass(frozen=True)
class _Channels:
    """Channel symbols: ``C_in = G·Q_in``, ``C_out = G·Q_out`` (``G`` = groups)."""

    G: sp.Symbol = field(default_factory=lambda: _integer("G", positive=True))
    Q_in: sp.Symbol = field(default_factory=lambda: _integer("Q_in", positive=True))
    Q_out: sp.Symbol = field(default_factory=lambda: _integer("Q_out", positive=True))
    c_in: sp.Symbol = field(default_factory=lambda: _integer("c_in"))
    c_out: sp.Symbol = field(default_factory=lambda: _integer("c_out"))
    c_l: sp.Symbol = field(default_factory=lambda: _integer("c_l"))
    c_il: sp.Symbol = field(default_factory=lambda: _integer("c_il"))

    def group_of_input(self, c_in: Any) -> Any:
        return sp.floor(c_in / self.Q_in)

    def group_of_output(self, c_out: Any) -> Any:
        return sp.floor(c_out / self.Q_out)


_Y, _W, _X = sp.IndexedBase("y"), sp.IndexedBase("w"), sp.IndexedBase("x")


# --------------------------------------------------------------------------- #
# Sizes of one axis, derived
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _AxisSizes:
    scatter_length: Any  # output length of the scatter (derived from its extent)
    stretched: Any  # length after zero insertion
    padded: Any  # length after padding (or cropping) the stretched input
    flip_length: Any  # output length of flip-and-pad's correlation
    forward: sp.Lambda  # length o -> the forward convolution's output length
    forward_bound: Any  # the real upper bound U(o) on the forward output index
    o_min: Any
    o_max: Any
    a_range: tuple[Any, Any]
    window: Any  # span of the dilated kernel, d(k-1) + 1
    steps: tuple[Step, ...]


def _derive_sizes(ax: _AxisSymbols) -> _AxisSizes:
    i, k, s, d, p_b, p_e, a = ax.i, ax.k, ax.s, ax.d, ax.p_b, ax.p_e, ax.a
    n, m, mp, j, o = ax.n, ax.m, ax.mp, ax.j, ax.o
    geometry_axis = ax.axis
    steps: list[Step] = []
    undecided = sp.Symbol("undecided")

    # Scatter: y[n]·w[m] lands at s·n + d·m of the full output; its extent over the box
    # 0 <= n < i, 0 <= m < k; then a at the high end, crops p_b and p_e.
    extent = _extremes(s * n + d * m, [(n, 0, i - 1), (m, 0, k - 1)])
    if extent is None:
        steps.append(Step(ax.label + "scatter extent", "undecided", "not decided"))
        scatter_length: Any = undecided
    else:
        lowest, highest = extent
        scatter_length = sp.expand(highest - lowest + 1 + a - p_b - p_e)
        steps.append(
            check_identity(
                ax.label + "scatter: output length",
                scatter_length,
                geometry_axis.output,
                detail=(
                    f"positions s·n + d·m run from {lowest} to {highest} (slopes s, d > 0); "
                    "plus a at the high end, minus the crops p_b, p_e; compared with "
                    "symtconv.geometry"
                ),
            )
        )

    # Flip-and-pad: zero insertion puts y[n] at s·n.
    span = _extremes(s * n, [(n, 0, i - 1)])
    stretched: Any = undecided if span is None else sp.expand(span[1] - span[0] + 1)
    steps.append(
        check_identity(
            ax.label + "flip-and-pad: stretched length",
            stretched,
            geometry_axis.stretched,
            detail="y[n] sits at s·n for 0 <= n < i, the s-1 zeros fill the gaps",
        )
    )
    padded = sp.expand(stretched + geometry_axis.pad_before + geometry_axis.pad_after)
    window = _extremes(d * mp, [(mp, 0, k - 1)])
    positions = (
        None if window is None else _integer_interval([j >= 0, j + window[1] <= padded - 1], j)
    )
    if positions is None or None in positions:
        flip_length: Any = undecided
        steps.append(Step(ax.label + "flip-and-pad: output length", "undecided", "not solved"))
    else:
        flip_length = sp.expand(positions[1] - positions[0] + 1)
        steps.append(
            check_identity(
                ax.label + "flip-and-pad: output length equals the scatter's",
                flip_length,
                scatter_length,
                detail=(
                    f"padded length {padded}; the window j + d·m' (0 <= m' < k) fits iff "
                    f"{positions[0]} <= j <= {positions[1]} (SymPy solved the inequalities)"
                ),
            )
        )

    # Forward convolution on a length-o input, padded by p_b and p_e: output n exists
    # iff its whole window s·n - p_b + d·m (0 <= m < k) lies inside [-p_b, o - 1 + p_e].
    reach = _extremes(s * n + d * m - p_b, [(m, 0, k - 1)])
    rows = (
        None if reach is None else _integer_interval([reach[0] >= -p_b, reach[1] <= o - 1 + p_e], n)
    )
    if rows is None or None in rows:
        forward = sp.Lambda(o, undecided)
        bound: Any = undecided
        steps.append(Step(ax.label + "forward length", "undecided", "not solved"))
    else:
        forward = sp.Lambda(o, sp.expand(rows[1] - rows[0] + 1))
        bound = rows[1].args[0] if isinstance(rows[1], sp.floor) else rows[1]
        steps.append(
            check_identity(
                ax.label + "forward conv: output length",
                forward(geometry_axis.output),
                geometry_axis.forward_output,
                detail=(
                    f"the window of output n fits iff {rows[0]} <= n <= {rows[1]} "
                    "(SymPy solved the inequalities); compared with symtconv.geometry"
                ),
            )
        )
    steps.append(
        check_identity(
            ax.label + "forward conv maps o back to i + floor(a/s)",
            forward(scatter_length),
            i + sp.floor(a / s),
            detail="the derived forward length at the derived output length",
        )
    )

    # Inverting floor(U(o)) + 1 = i: by the definition of floor, i - 1 <= U(o) < i.
    sizes = _integer_interval(_floor_equals(bound, i - 1), o)
    offset = _integer("a")  # o = o_min + offset, with no sign assumed
    if sizes is None or None in sizes:
        o_min: Any = undecided
        o_max: Any = undecided
        a_range: tuple[Any, Any] = (undecided, undecided)
        steps.append(Step(ax.label + "sizes mapping back to i", "undecided", "not solved"))
    else:
        o_min, o_max = (sp.expand(v) for v in sizes)
        steps.append(
            check_identity(
                ax.label + "exactly s output sizes map back to i",
                o_max - o_min + 1,
                s,
                detail=f"{_FLOOR_DEFINITION}; SymPy solved for o: {o_min} <= o <= {o_max}",
            )
        )
        solved = _integer_interval(_floor_equals(bound.subs(o, o_min + offset), i - 1), offset)
        if solved is None or None in solved:
            a_range = (undecided, undecided)
            steps.append(Step(ax.label + "output_padding range", "undecided", "not solved"))
        else:
            a_range = (solved[0], solved[1])
            steps.append(
                _combine(
                    ax.label + "o = o_min + a maps back to i iff 0 <= a < s",
                    [
                        check_identity("lowest a", solved[0], 0),
                        check_identity("highest a", solved[1], s - 1),
                    ],
                    f"SymPy solved i - 1 <= U(o_min + a) < i for a: {solved[0]} <= a <= "
                    f"{solved[1]}",
                )
            )
        steps.append(
            check_identity(
                ax.label + "the two routes agree",
                flip_length,
                o_min + a,
                detail="flip-and-pad length vs the smallest size mapping back to i, plus a",
            )
        )
    return _AxisSizes(
        scatter_length=scatter_length,
        stretched=stretched,
        padded=padded,
        flip_length=flip_length,
        forward=forward,
        forward_bound=bound,
        o_min=o_min,
        o_max=o_max,
        a_range=a_range,
        window=undecided if window is None else sp.expand(window[1] - window[0] + 1),
        steps=tuple(steps),
    )


# --------------------------------------------------------------------------- #
# Each method's output entry, derived from the method's own steps
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class EntryForm:
    """One method's output entry ``x[c_out, *j]`` as a SymPy sum, as that method builds it.

    ``expression`` is a ``Sum`` over the channel, input and kernel indices of
    ``y·w·(Kronecker deltas)`` (the Iverson brackets of the method's conditions),
    with the summation ranges the method uses; ``conditions`` are the per-axis
    index equations read off the deltas; ``channel_condition`` the channel equations
    (``None`` without channels); ``input_lengths`` the number of ``y`` entries summed
    per axis and ``output_lengths`` the range of ``j`` per axis.
    """

    method: str
    expression: Any
    conditions: tuple[Any, ...]
    channel_condition: Any
    input_lengths: tuple[Any, ...]
    output_lengths: tuple[Any, ...]
    output_indices: tuple[sp.Symbol, ...]

    def at(self, values: Mapping[Any, Any]) -> Any:
        """The expression with the sizes replaced by ``values`` (see
        :meth:`GeneralProof.substitutions`)."""
        return self.expression.xreplace(dict(values))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "expression": str(self.expression),
            "conditions": [str(c) for c in self.conditions],
            "channel_condition": None
            if self.channel_condition is None
            else str(self.channel_condition),
            "input_lengths": [str(v) for v in self.input_lengths],
            "output_lengths": [str(v) for v in self.output_lengths],
        }


def _deltas_of(summand: Any) -> list[sp.KroneckerDelta]:
    return sorted(summand.atoms(sp.KroneckerDelta), key=str)


def _axis_delta(summand: Any, ax: _AxisSymbols) -> Any:
    found = [dl for dl in _deltas_of(summand) if dl.has(ax.j)]
    return found[0] if len(found) == 1 else None


def _form(
    method: str,
    expression: Any,
    axes: Sequence[_AxisSymbols],
    ch: _Channels | None,
    input_lengths: Sequence[Any],
    output_lengths: Sequence[Any],
    channel_condition: Any = None,
) -> EntryForm:
    summand, limits = _flatten(expression)
    conditions = []
    for ax in axes:
        delta = _axis_delta(summand, ax)
        conditions.append(None if delta is None else sp.Eq(*delta.args))
    if ch is not None and channel_condition is None:
        found = [dl for dl in _deltas_of(summand) if dl.has(ch.c_out)]
        channel_condition = sp.Eq(*found[0].args) if len(found) == 1 else None
    indices = ((ch.c_out,) if ch is not None else ()) + tuple(ax.j for ax in axes)
    return EntryForm(
        method=method,
        expression=sp.Sum(summand, *limits),
        conditions=tuple(conditions),
        channel_condition=channel_condition,
        input_lengths=tuple(input_lengths),
        output_lengths=tuple(output_lengths),
        output_indices=indices,
    )


def _indices(ch: _Channels | None, channels: Sequence[Any], spatial: Sequence[Any]) -> tuple:
    return (*channels, *spatial) if ch is not None else tuple(spatial)


def _scatter_form(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> EntryForm:
    """x[c_out, j] collects y[c_in, n]·w[c_in, c_l, m] whose target is (c_out, j).

    The target of the term is channel ``g·Q_out + c_l`` with ``g = c_in // Q_in`` and,
    per axis, position ``s·n + d·m`` of the full output, which the crop moves to
    ``s·n + d·m - p_b``.  A multi-index equals ``(c_out, *j)`` iff every component does.
    """
    summand = _Y[_indices(ch, [ch.c_in] if ch else [], [ax.n for ax in axes])]
    summand *= _W[_indices(ch, [ch.c_in, ch.c_l] if ch else [], [ax.m for ax in axes])]
    limits: list[tuple[Any, Any, Any]] = []
    if ch is not None:
        target = ch.group_of_input(ch.c_in) * ch.Q_out + ch.c_l
        summand *= sp.KroneckerDelta(ch.c_out, target)
        limits += [(ch.c_in, 0, ch.G * ch.Q_in - 1), (ch.c_l, 0, ch.Q_out - 1)]
    for ax in axes:
        full_position = ax.s * ax.n + ax.d * ax.m
        summand *= sp.KroneckerDelta(ax.j, full_position - ax.p_b)
        limits += [(ax.n, 0, ax.i - 1), (ax.m, 0, ax.k - 1)]
    return _form(
        "scatter",
        sp.Sum(summand, *limits),
        axes,
        ch,
        [ax.i for ax in axes],
        [sz.scatter_length for sz in sizes],
    )


def _flip_and_pad_form(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> EntryForm:
    """Run flip-and-pad's four steps on symbolic sequences (SymPy ``Lambda``)."""
    c = _integer("c")
    ts = [ax.t for ax in axes]
    # 1. zero insertion: z[c, t] = y[c, n] where t = s·n (per axis), else 0
    stretched = sp.Sum(
        _Y[_indices(ch, [c], [ax.n for ax in axes])]
        * reduce(mul, [sp.KroneckerDelta(ax.t, ax.s * ax.n) for ax in axes], sp.S.One),
        *[(ax.n, 0, ax.i - 1) for ax in axes],
    )
    z = sp.Lambda(tuple(_indices(ch, [c], ts)), stretched)
    # 2. pad by P = d(k-1) - p_b before (a crop when P < 0): u[t] = z[t - P]
    shifts = [ax.axis.pad_before for ax in axes]
    u = sp.Lambda(
        tuple(_indices(ch, [c], ts)),
        z(*_indices(ch, [c], [t - shift for t, shift in zip(ts, shifts, strict=True)])),
    )
    # 3. flip every spatial axis of the kernel; with channels, the equivalent direct
    #    convolution's weight for output channel c_out (group g = c_out // Q_out) and
    #    its local input channel c_il is w[g·Q_in + c_il, c_out mod Q_out, k-1-m'].
    mps = [ax.mp for ax in axes]
    flipped_taps = [ax.k - 1 - ax.mp for ax in axes]
    if ch is not None:
        group = ch.group_of_output(ch.c_out)
        source = group * ch.Q_in + ch.c_il
        kernel = sp.Lambda(
            (ch.c_out, ch.c_il, *mps), _W[(source, sp.Mod(ch.c_out, ch.Q_out), *flipped_taps)]
        )
        kernel_entry = kernel(ch.c_out, ch.c_il, *mps)
        read = u(source, *[ax.j + ax.d * ax.mp for ax in axes])
        channel_limits = [(ch.c_il, 0, ch.Q_in - 1)]
    else:
        kernel = sp.Lambda(tuple(mps), _W[tuple(flipped_taps)])
        kernel_entry = kernel(*mps)
        read = u(*[ax.j + ax.d * ax.mp for ax in axes])
        channel_limits = []
    # 4. correlate with stride 1 and dilation d: x[j] = sum_m' kernel[m'] u[j + d·m']
    result = sp.Sum(
        kernel_entry * read,
        *channel_limits,
        *[(mp, 0, ax.k - 1) for mp, ax in zip(mps, axes, strict=True)],
    )
    # re-index the taps by m = k - 1 - m' (SymPy's change_index)
    for ax in axes:
        result = result.change_index(ax.mp, ax.k - 1 - ax.mp, ax.m)
    channel_condition = None
    if ch is not None:
        summand, _ = _flatten(result)
        (y_entry,) = [e for e in summand.atoms(sp.Indexed) if e.base == _Y]
        (w_entry,) = [e for e in summand.atoms(sp.Indexed) if e.base == _W]
        channel_condition = sp.And(
            sp.Eq(ch.c_in, y_entry.indices[0]),
            sp.Eq(ch.c_in, w_entry.indices[0]),
            sp.Eq(ch.c_l, w_entry.indices[1]),
        )
    return _form(
        "flip_and_pad",
        result,
        axes,
        ch,
        [ax.i for ax in axes],
        [sz.flip_length for sz in sizes],
        channel_condition,
    )


def _forward_conv(axes: Sequence[_AxisSymbols], ch: _Channels | None) -> tuple[sp.Lambda, Any]:
    """The forward convolution of x (length o per axis, zero outside) as a Lambda of
    its output index, and the padding condition on a position tuple."""
    ts = [ax.t for ax in axes]
    c = _integer("c")
    inside = sp.And(*[sp.And(t >= 0, t < ax.o) for t, ax in zip(ts, axes, strict=True)])
    padded_x = sp.Lambda(
        tuple(_indices(ch, [c], ts)),
        sp.Piecewise((_X[_indices(ch, [c], ts)], inside), (0, True)),
    )
    positions = [ax.s * ax.n + ax.d * ax.m - ax.p_b for ax in axes]
    if ch is not None:
        channel = ch.group_of_input(ch.c_in) * ch.Q_out + ch.c_l
        body = sp.Sum(
            _W[(ch.c_in, ch.c_l, *[ax.m for ax in axes])] * padded_x(channel, *positions),
            (ch.c_l, 0, ch.Q_out - 1),
            *[(ax.m, 0, ax.k - 1) for ax in axes],
        )
        conv = sp.Lambda((ch.c_in, *[ax.n for ax in axes]), body)
    else:
        body = sp.Sum(
            _W[tuple(ax.m for ax in axes)] * padded_x(*positions),
            *[(ax.m, 0, ax.k - 1) for ax in axes],
        )
        conv = sp.Lambda(tuple(ax.n for ax in axes), body)
    return conv, inside


def _output_limits(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> list[tuple[Any, Any, Any]]:
    limits = [(ch.c_in, 0, ch.G * ch.Q_in - 1)] if ch is not None else []
    return limits + [(ax.n, 0, sz.forward(ax.o) - 1) for ax, sz in zip(axes, sizes, strict=True)]


def _transpose_form(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> EntryForm:
    """(Cᵀy)[j] = Σ_n C[n, j]·y[n] with C[n, j] = ∂conv(x)[n]/∂x[j] (the Jacobian)."""
    conv, _ = _forward_conv(axes, ch)
    n_index = _indices(ch, [ch.c_in] if ch else [], [ax.n for ax in axes])
    x_entry = _X[_indices(ch, [ch.c_out] if ch else [], [ax.j for ax in axes])]
    entry = sp.diff(conv(*n_index), x_entry)  # C[n, j]
    # flatten before summing over n: Sum() applies piecewise_fold to its summand, which
    # would move C's padding Piecewise (its condition uses m) out of the sum over m
    # (sympy/sympy#12631, #17919)
    entry_summand, entry_limits = _flatten(entry)
    result = sp.Sum(entry_summand * _Y[n_index], *_output_limits(axes, ch, sizes), *entry_limits)
    return _form(
        "transpose",
        result,
        axes,
        ch,
        [sp.expand(sz.forward(sz.scatter_length)) for sz in sizes],
        [ax.o for ax in axes],
    )


def _vjp_form(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> EntryForm:
    """∂⟨y, conv(x)⟩/∂x[j] by ``sympy.diff``.

    The inner product is written as one flat sum before differentiating: SymPy 1.14's
    ``piecewise_fold`` would otherwise move the padding ``Piecewise`` (whose condition
    uses the inner summation index) out of the inner ``Sum`` (sympy/sympy#12631,
    #17919) and give a wrong expression.
    """
    conv, _ = _forward_conv(axes, ch)
    n_index = _indices(ch, [ch.c_in] if ch else [], [ax.n for ax in axes])
    inner, inner_limits = _flatten(conv(*n_index))
    pairing = sp.Sum(_Y[n_index] * inner, *_output_limits(axes, ch, sizes), *inner_limits)
    x_entry = _X[_indices(ch, [ch.c_out] if ch else [], [ax.j for ax in axes])]
    result = sp.diff(pairing, x_entry)
    return _form(
        "vjp",
        result,
        axes,
        ch,
        [sp.expand(sz.forward(sz.scatter_length)) for sz in sizes],
        [ax.o for ax in axes],
    )


# --------------------------------------------------------------------------- #
# The steps that compare the forms
# --------------------------------------------------------------------------- #


def _solve_for(condition: Any, var: sp.Symbol) -> Any:
    if condition is None:
        return None
    solutions = sp.solve(condition, var)
    return sp.expand(solutions[0]) if len(solutions) == 1 else None


def _index_step(form: EntryForm, reference: EntryForm, ax: _AxisSymbols, r: int, how: str) -> Step:
    name = f"{ax.label}{form.method}: index condition is the scatter's"
    mine = _solve_for(form.conditions[r], ax.j)
    theirs = _solve_for(reference.conditions[r], ax.j)
    if mine is None or theirs is None:
        return Step(name, "undecided", f"could not solve {form.conditions[r]} for {ax.j}")
    step = check_identity(
        name,
        mine,
        theirs,
        detail=f"{how}: {form.conditions[r]}; solved for {ax.j}",
    )
    return step


def _padding_step(form: EntryForm, axes: Sequence[_AxisSymbols]) -> tuple[Step, Any]:
    """Remove the zero padding of x: on the support of the deltas it is the j range.

    Returns the step and the summand without the ``Piecewise``.
    """
    summand, _ = _flatten(form.expression)
    pieces = list(summand.atoms(sp.Piecewise))
    name = f"{form.method}: the zero padding of x adds no term for 0 <= j < o"
    if len(pieces) != 1 or len(pieces[0].args) != 2 or pieces[0].args[1].cond is not sp.true:
        return Step(name, "undecided", f"unexpected form {summand}"), summand
    (piece,) = pieces
    inner, condition = piece.args[0].expr, piece.args[0].cond
    # on the support of delta(j, s·n + d·m - p) the position is j: solve for n and
    # substitute into the condition
    support = {}
    for ax in axes:
        delta = _axis_delta(inner, ax)
        solution = _solve_for(None if delta is None else sp.Eq(*delta.args), ax.n)
        if solution is None:
            return Step(name, "undecided", f"no unique n on the support of {delta}"), summand
        support[ax.n] = solution
    on_support = sp.simplify(condition.xreplace(support))
    expected = sp.And(*[sp.And(ax.j >= 0, ax.j < ax.o) for ax in axes])
    step = _check_equal_structure(
        name,
        on_support,
        sp.simplify(expected),
        f"SymPy's derivative is Piecewise((δ·…, {condition}), (0, True)); on the support "
        f"of the deltas the condition becomes {on_support}, the range of the output index",
    )
    return step, summand.xreplace({piece: inner})


def _leak_step(form: EntryForm, axes: Sequence[_AxisSymbols], ch: _Channels | None) -> Step:
    """No summation index may appear free in the derived entry (a SymPy sanity check)."""
    free = {sym for sym in form.expression.free_symbols if isinstance(sym, sp.Symbol)}
    allowed = set(form.output_indices) | {_Y.label, _W.label, _X.label}
    for ax in axes:
        allowed |= set(ax.parameters) | {ax.o}
    if ch is not None:
        allowed |= {ch.G, ch.Q_in, ch.Q_out}
    leaked = sorted(free - allowed, key=str)
    name = f"{form.method}: no summation index escapes its sum"
    if leaked:
        return Step(name, "failed", f"free symbols {leaked} in {form.expression}")
    return Step(name, "proved", f"free symbols: {sorted(free, key=str)}")


def _structure_step(form: EntryForm, axes: Sequence[_AxisSymbols], ch: _Channels | None) -> Step:
    """N-d: one delta per axis, each in that axis's symbols only (a product structure)."""
    summand, limits = _flatten(form.expression)
    name = f"{form.method}: the N-d condition is the product of the per-axis ones"
    others = [set(b.parameters) | {b.j, b.n, b.m, b.mp, b.o} for b in axes]
    for r, ax in enumerate(axes):
        delta = _axis_delta(summand, ax)
        if delta is None:
            return Step(name, "undecided", f"no single delta for {ax.label.strip(': ')}")
        foreign = set().union(*(others[q] for q in range(len(axes)) if q != r))
        if delta.free_symbols & foreign:
            return Step(name, "failed", f"{delta} mixes axes")
    ranges = ", ".join(f"{lim[0]} in [{lim[1]}, {lim[2]}]" for lim in limits)
    return Step(
        name,
        "proved",
        f"one Kronecker delta per axis, each in its own axis's symbols; the sum runs over "
        f"the product of the ranges {ranges}",
    )


def _channel_steps(forms: Mapping[str, EntryForm], ch: _Channels, lemma: Step) -> list[Step]:
    """The channel condition, in group coordinates c = g·Q + r (0 <= r < Q)."""
    g_in, g_out = _integer("g_in"), _integer("g_out")
    r_in, r_out = _integer("r_in"), _integer("r_out")
    coordinates = {ch.c_in: g_in * ch.Q_in + r_in, ch.c_out: g_out * ch.Q_out + r_out}
    small = {r_in: ch.Q_in, r_out: ch.Q_out, ch.c_l: ch.Q_out, ch.c_il: ch.Q_in}
    uses = f"uses the floor lemma ({lemma.status}) for {', '.join(map(str, small))}"

    def reduce_floors(expr: Any) -> Any:
        # floor(g + r/Q) = g + floor(r/Q) is SymPy's own evaluation; floor(r/Q) = 0 by
        # the floor lemma, for the remainders r in [0, Q)
        expr = _normalise(sp.sympify(expr).xreplace(coordinates))
        return sp.expand(expr.xreplace({sp.floor(r / q): 0 for r, q in small.items()}))

    steps = [
        _combine(
            "channels: coordinates c = g·Q + r (0 <= r < Q) are unique",
            [
                check_identity("quotient", reduce_floors(sp.floor(ch.c_in / ch.Q_in)), g_in),
                check_identity("remainder", reduce_floors(sp.Mod(ch.c_in, ch.Q_in)), r_in),
            ],
            f"floor((g·Q + r)/Q) = g and (g·Q + r) mod Q = r; {uses}",
        )
    ]
    scatter = forms["scatter"].channel_condition
    lhs, rhs = reduce_floors(scatter.lhs), reduce_floors(scatter.rhs)
    steps.append(
        _combine(
            "channels: scatter's condition iff g_in = g_out and c_l = r_out",
            [
                check_identity("quotients", reduce_floors(sp.floor(lhs / ch.Q_out)), g_out),
                check_identity("quotients", reduce_floors(sp.floor(rhs / ch.Q_out)), g_in),
                check_identity("remainders", lhs - ch.Q_out * g_out, r_out),
                check_identity("remainders", rhs - ch.Q_out * g_in, ch.c_l),
                check_identity("converse", (lhs - rhs).xreplace({g_out: g_in, r_out: ch.c_l}), 0),
            ],
            f"{scatter} reads {sp.Eq(lhs, rhs)}; dividing both sides by Q_out gives the "
            f"quotients (groups) and remainders (local channels)",
        )
    )
    flip = forms["flip_and_pad"].channel_condition
    equations = flip.args if isinstance(flip, sp.And) else (flip,)
    sources = [eq.rhs for eq in equations if eq.lhs == ch.c_in]
    locals_ = [eq.rhs for eq in equations if eq.lhs == ch.c_l]
    parts: list[Step] = []
    if len(sources) != 1 or len(locals_) != 1:
        # two different channels for y and w would show up as two equations for c_in
        parts.append(Step("form", "failed", f"y and w read different channels: {flip}"))
    else:
        lhs_in, rhs_in = reduce_floors(ch.c_in), reduce_floors(sources[0])
        parts += [
            check_identity("quotients", reduce_floors(sp.floor(lhs_in / ch.Q_in)), g_in),
            check_identity("quotients", reduce_floors(sp.floor(rhs_in / ch.Q_in)), g_out),
            check_identity("remainders", lhs_in - ch.Q_in * g_in, r_in),
            check_identity("remainders", rhs_in - ch.Q_in * g_out, ch.c_il),
            check_identity("local output channel", reduce_floors(locals_[0]), r_out),
        ]
    steps.append(
        _combine(
            "channels: flip_and_pad's condition iff g_in = g_out and c_l = r_out (and c_il = r_in)",
            parts,
            f"{flip} (read off the indices of y and w); the sum over c_il in [0, Q_in) "
            "meets each input channel of the group exactly once",
        )
    )
    for method in ("transpose", "vjp"):
        cond = forms[method].channel_condition
        steps.append(
            check_identity(
                f"channels: {method}'s condition is the scatter's",
                _solve_for(cond, ch.c_out) if cond is not None else sp.Symbol("undecided"),
                _solve_for(scatter, ch.c_out),
                detail=f"SymPy's derivative gives {cond}",
            )
        )
    return steps


# --------------------------------------------------------------------------- #
# The general proof
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class GeneralProof:
    """The four methods agree for every size: the result of :func:`prove_general`.

    Truthy only when every step was proved.  ``entry`` is the common output entry
    (an ``Eq``), ``forms`` each method's entry as derived from its own steps,
    ``conditions`` the side conditions as ``(SymPy boolean, meaning)`` pairs and
    ``symbols`` every symbol by name (``"i"``, ``"k_2"``, ``"Q_in"``, ``"y"``, …).

    Examples
    ========

    >>> from symtconv.general import prove_general
    >>> proof = prove_general()
    >>> proof.to_dict()["proved"], len(proof.steps) > 10
    (True, True)
    >>> proof.forms["transpose"].input_lengths
    (i + floor(a/s),)
    """

    ndim: int
    groups: bool
    asymmetric: bool
    entry: Any
    forms: Mapping[str, EntryForm]
    steps: tuple[Step, ...]
    conditions: tuple[tuple[Any, str], ...]
    symbols: Mapping[str, Any]
    _axes: tuple[_AxisSymbols, ...] = field(repr=False, default=())
    _channels: _Channels | None = field(repr=False, default=None)

    @property
    def proved(self) -> bool:
        """True only when every step is proved."""
        return bool(self.steps) and all(step.status == "proved" for step in self.steps)

    def __bool__(self) -> bool:
        return self.proved

    @property
    def undecided(self) -> tuple[Step, ...]:
        """The steps SymPy did not decide."""
        return tuple(s for s in self.steps if s.status == "undecided")

    @property
    def statement(self) -> str:
        """The theorem, in words."""
        axes = "per axis " if self.ndim > 1 else ""
        pads = "p_b, p_e" if self.asymmetric else "p"
        where = (
            f"For all integers {axes}i, k, s, d >= 1, {pads} >= 0, a >= 0"
            + (", groups G >= 1 with C_in = G·Q_in, C_out = G·Q_out" if self.groups else "")
            + f" and every output index with 0 <= j < o{' on each axis' if self.ndim > 1 else ''}"
        )
        return (
            f"{where}: scatter, flip-and-pad, Cᵀy and the VJP all give {self.entry}. "
            "Scatter and flip-and-pad agree for every a >= 0 (a negative pad d(k-1) - p is a "
            "crop); Cᵀy and the VJP need 0 <= a < s on every axis, because the forward "
            "convolution of the same stride maps o to i + floor(a/s) entries, so with "
            "s <= a (< d, which PyTorch allows) C has floor(a/s) rows too many (Cᵀ then "
            "equals the transposed convolution only on y extended by zeros)."
        )

    def substitutions(self, geometry: Geometry) -> dict[Any, int]:
        """Values of this proof's symbols for a concrete ``geometry`` (to specialise).

        ``o`` (the forward conv's input length) is set to the geometry's output size.
        """
        if geometry.is_symbolic:
            raise ParameterError(
                f"substitutions need a concrete geometry, got {geometry.describe()}"
            )
        if geometry.ndim != self.ndim:
            raise ParameterError(
                f"the proof has ndim={self.ndim}, got a geometry with ndim={geometry.ndim}"
            )
        if not self.groups and (geometry.in_channels, geometry.out_channels) != (1, 1):
            raise ParameterError(
                "this proof has no channels; use prove_general(groups=True) for "
                f"in_channels={geometry.in_channels}, out_channels={geometry.out_channels}"
            )
        values: dict[Any, int] = {}
        axes = self._axes
        for ax, concrete, o in zip(axes, geometry.axes, geometry.output_size, strict=True):
            values.update(
                {
                    ax.i: int(concrete.i),
                    ax.k: int(concrete.k),
                    ax.s: int(concrete.s),
                    ax.d: int(concrete.d),
                    ax.a: int(concrete.a),
                    ax.o: int(o),
                }
            )
            if ax.p_b == ax.p_e:
                if concrete.p_begin != concrete.p_end:
                    raise ParameterError(
                        "this proof has symmetric padding; use prove_general(asymmetric=True) "
                        f"for padding={geometry.padding}"
                    )
                values[ax.p_b] = int(concrete.p_begin)
            else:
                values[ax.p_b], values[ax.p_e] = int(concrete.p_begin), int(concrete.p_end)
        ch = self._channels
        if ch is not None:
            values.update(
                {
                    ch.G: geometry.groups,
                    ch.Q_in: geometry.in_channels // geometry.groups,
                    ch.Q_out: geometry.out_channels // geometry.groups,
                }
            )
        return values

    def __str__(self) -> str:
        verdict = "PROVED" if self.proved else "NOT PROVED"
        lines = [f"{verdict}: {self.statement}", "steps:"]
        lines += [f"  {step}" for step in self.steps]
        lines.append("side conditions:")
        lines += [f"  {cond}  ({meaning})" for cond, meaning in self.conditions]
        lines.append("taken as definitions (not proved by SymPy):")
        lines += [f"  {fact}" for fact in ASSUMED]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """``{"proved", "statement", "entry", "ndim", "groups", "asymmetric", "steps",
        "conditions", "forms", "undecided"}``."""
        return {
            "proved": self.proved,
            "statement": self.statement,
            "entry": str(self.entry),
            "entry_latex": sp.latex(self.entry),
            "ndim": self.ndim,
            "groups": self.groups,
            "asymmetric": self.asymmetric,
            "steps": [s.to_dict() for s in self.steps],
            "conditions": [
                {"condition": str(cond), "meaning": meaning} for cond, meaning in self.conditions
            ],
            "forms": {name: form.to_dict() for name, form in self.forms.items()},
            "undecided": [s.name for s in self.undecided],
            "assumed": list(ASSUMED),
        }

    def _latex(self, printer: Any) -> str:
        ranges = r",\quad ".join(
            printer._print(cond) for cond, meaning in self.conditions if "range" in meaning
        )
        return printer._print(self.entry) + (rf",\qquad {ranges}" if ranges else "")

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


def _ranges(
    axes: Sequence[_AxisSymbols], ch: _Channels | None, sizes: Sequence[_AxisSizes]
) -> list[tuple[Any, str]]:
    conds: list[tuple[Any, str]] = []
    if ch is not None:
        conds += [
            (sp.And(ch.c_out >= 0, ch.c_out < ch.G * ch.Q_out), "output channel range"),
            (sp.And(ch.c_in >= 0, ch.c_in < ch.G * ch.Q_in), "input channel range"),
            (sp.And(ch.c_l >= 0, ch.c_l < ch.Q_out), "weight's output-channel range"),
        ]
    for ax, sz in zip(axes, sizes, strict=True):
        conds += [
            (sp.And(ax.j >= 0, ax.j < sz.scatter_length), f"{ax.label}output index range (o)"),
            (sp.And(ax.n >= 0, ax.n < ax.i), f"{ax.label}input index range"),
            (sp.And(ax.m >= 0, ax.m < ax.k), f"{ax.label}kernel tap range"),
        ]
    return conds


def _side_conditions(axes: Sequence[_AxisSymbols]) -> list[tuple[Any, str]]:
    conds: list[tuple[Any, str]] = []
    for ax in axes:
        geometry_axis = ax.axis
        conds += [
            (sp.Ge(geometry_axis.output, 1), f"{ax.label}output size at least 1"),
            (sp.Lt(ax.a, ax.s), f"{ax.label}needed for Cᵀy and the VJP (C has i rows)"),
            (sp.Lt(ax.a, sp.Max(ax.s, ax.d)), f"{ax.label}PyTorch's rule for output_padding"),
            (
                sp.Lt(geometry_axis.pad_before, 0),
                f"{ax.label}when true, flip-and-pad crops instead of padding before",
            ),
        ]
    return conds


def _crop_step(ax: _AxisSymbols, sizes: _AxisSizes) -> Step:
    """Negative pads are crops: when p > d(k-1); the window never leaves the sequence."""
    geometry_axis = ax.axis
    solved = _integer_interval([geometry_axis.pad_before < 0], ax.p_b)
    window = _extremes(
        ax.j + ax.d * ax.mp, [(ax.j, 0, sizes.flip_length - 1), (ax.mp, 0, ax.k - 1)]
    )
    if solved is None or window is None or solved[0] is None:
        return Step(ax.label + "flip-and-pad: crops", "undecided", "not solved")
    return _combine(
        ax.label + "flip-and-pad: a negative pad is a crop, and no read leaves the sequence",
        [
            check_identity("pad is negative from", solved[0], ax.d * (ax.k - 1) + 1),
            check_identity("first read", window[0], 0),
            check_identity("last read", window[1], sizes.padded - 1),
        ],
        f"padding d(k-1) - p < 0 iff p >= {solved[0]} (SymPy); u[t] = z[t - P] for every "
        f"0 <= t < {sizes.padded} whatever the sign of P (P < 0 drops the first -P entries); "
        f"the correlation reads t = j + d·m' from {window[0]} to {window[1]}, exactly the "
        "padded (or cropped) sequence",
    )


def _reindex_step(form: EntryForm, axes: Sequence[_AxisSymbols]) -> Step:
    _, limits = _flatten(form.expression)
    found = {lim[0]: (lim[1], lim[2]) for lim in limits}
    parts = []
    for ax in axes:
        lo, hi = found.get(ax.m, (None, None))
        parts.append(check_identity(f"{ax.label}lowest tap", lo if lo is not None else sp.nan, 0))
        parts.append(
            check_identity(f"{ax.label}highest tap", hi if hi is not None else sp.nan, ax.k - 1)
        )
    return _combine(
        "flip-and-pad: the flip m' = k-1-m maps the taps 0..k-1 onto themselves",
        parts,
        "SymPy's Sum.change_index turned the limits of m' into these limits of m",
    )


def _rows_steps(
    form: EntryForm, axes: Sequence[_AxisSymbols], sizes: Sequence[_AxisSizes]
) -> list[Step]:
    steps = []
    _, limits = _flatten(form.expression)
    uppers = {var: hi for var, _, hi in limits}
    for ax, sz in zip(axes, sizes, strict=True):
        # the rows of C are the forward conv's outputs: n runs to the form's upper limit
        rows = uppers[ax.n] + 1
        at_o = sp.expand(rows.xreplace({ax.o: sz.scatter_length}))
        extra = sp.floor(ax.a / ax.s)
        steps.append(
            check_identity(
                f"{ax.label}{form.method}: y has i + floor(a/s) entries",
                at_o,
                ax.i + extra,
                detail="the forward conv's output length at the derived o",
            )
        )
    return steps


def _rows_condition_steps(axes: Sequence[_AxisSymbols], lemma: Step) -> list[Step]:
    steps = []
    for ax in axes:
        quotient = _integer("q")
        offset = _integer(str(ax.a))  # no sign assumed, so SymPy must find a >= 0 itself
        exact = _integer_interval(_floor_equals(offset / ax.s, 0), offset)
        more = sp.reduce_inequalities([offset / ax.s >= 1], offset)
        parts = [lemma]
        shown = "?" if exact is None else f"{exact[0]} <= a <= {exact[1]}"
        if exact is None or None in exact:
            parts.append(Step("solve", "undecided", "not solved"))
        else:
            parts.append(check_identity("lowest a", exact[0], 0))
            parts.append(check_identity("highest a", exact[1], ax.s - 1))
        steps.append(
            _combine(
                f"{ax.label}C has exactly i rows iff a < s",
                parts,
                f"floor(a/s) = 0 iff 0 <= a/s < 1 iff {shown}; floor(a/s) >= 1 iff {more} "
                f"({_FLOOR_DEFINITION})",
                sp.Equivalent(sp.Eq(sp.floor(ax.a / ax.s), 0), sp.Lt(ax.a, ax.s)),
            )
        )
        # with q = floor(a/s) >= 1 extra rows, zero-extending y gives back the scatter:
        # the extra terms are sums of y_ext[n] = 0 over n = i .. i + q - 1
        r = _integer("r", nonnegative=True)
        y_ext = sp.Piecewise((_Y[ax.n], ax.n < ax.i), (0, True))
        c_entry = sp.Function("C")(ax.n, ax.j)  # any entry of C
        tail = sp.Sum(c_entry * y_ext, (ax.n, ax.i, ax.i + quotient - 1)).change_index(
            ax.n, ax.n - ax.i, r
        )
        steps.append(
            check_identity(
                f"{ax.label}with s <= a: Cᵀ of y extended by zeros is the transposed conv",
                tail.doit(),
                0,
                detail=(
                    f"the rows n = i .. i + floor(a/s) - 1 of C meet y_ext[n] = 0, so "
                    f"Σ C[n, j]·y_ext[n] over them is "
                    f"{tail} (index shifted n = i + r, r >= 0)"
                ),
            )
        )
    return steps


def _normal_form(
    form: EntryForm,
    summand: Any,
    axes: Sequence[_AxisSymbols],
    reference: EntryForm,
    sizes: Sequence[_AxisSizes],
) -> Any:
    """``form`` with each proven-equal condition replaced by the scatter's, and (for
    Cᵀ and the VJP) o by its derived value and floor(a/s) by 0 (rows step, a < s)."""
    ref_summand, _ = _flatten(reference.expression)
    _, limits = _flatten(form.expression)
    replace = {}
    for ax in axes:
        mine, theirs = _axis_delta(summand, ax), _axis_delta(ref_summand, ax)
        if mine is not None and theirs is not None:
            replace[mine] = theirs
    summand = summand.xreplace(replace)
    lengths = {ax.o: sz.scatter_length for ax, sz in zip(axes, sizes, strict=True)}
    zero = {sp.floor(ax.a / ax.s): 0 for ax in axes}
    fixed = []
    for var, lo, hi in limits:
        hi = sp.expand(sp.sympify(hi).xreplace(lengths)).xreplace(zero)
        fixed.append((var, lo, hi))
    return _sorted_sum(summand, fixed)


def _regrouped(scatter_sum: Any, ch: _Channels) -> Any:
    """The scatter sum with its channel pairs parametrised as flip-and-pad does:
    c_in = (c_out // Q_out)·Q_in + c_il, c_l = c_out mod Q_out (the channel steps)."""
    summand, limits = _flatten(scatter_sum)
    group = ch.group_of_output(ch.c_out)
    change = {ch.c_in: group * ch.Q_in + ch.c_il, ch.c_l: sp.Mod(ch.c_out, ch.Q_out)}
    delta = next(dl for dl in _deltas_of(summand) if dl.has(ch.c_out))
    summand = summand.xreplace({delta: 1}).xreplace(change)
    kept = [lim for lim in limits if lim[0] not in (ch.c_in, ch.c_l)]
    return _sorted_sum(summand, [*kept, (ch.c_il, 0, ch.Q_in - 1)])


#: :func:`prove_general` takes 1 to this many axes (six take about 12 s).
MAX_NDIM = 6


@cache
def prove_general(ndim: int = 1, groups: bool = False, *, asymmetric: bool = False) -> GeneralProof:
    """Prove that scatter, flip-and-pad, Cᵀy and the VJP agree for every size.

    Explanation
    ===========

    Builds each method's output entry from the method's own steps on SymPy
    ``Indexed`` objects (see the module docstring), then checks with SymPy that the
    index conditions, the summation ranges, the output lengths and (with
    ``groups=True``) the channel conditions coincide.  The N-d case is the product
    of the per-axis structure; channels follow PyTorch's grouped layout.  Each claim
    becomes a :class:`Step`; nothing undecided is reported as proved.

    Examples
    ========

    >>> from symtconv.general import prove_general
    >>> proof = prove_general(2)
    >>> bool(proof), proof.entry.rhs.limits[0]
    (True, (m_1, 0, k_1 - 1))
    >>> proof.conditions[0]
    ((j_1 >= 0) & (j_1 < a_1 + d_1*k_1 - d_1 + i_1*s_1 - 2*p_1 - s_1 + 1),
     'axis 1: output index range (o)')

    Parameters
    ==========

    ndim : number of spatial axes (symbols get the suffix ``_1``, ``_2``, … when > 1).
    groups : add channels with groups: ``y[c_in, n]``, ``w[c_in, c_l, m]``,
        ``x[c_out, j]`` with ``C_in = G·Q_in``, ``C_out = G·Q_out``.
    asymmetric : separate crops ``p_b``, ``p_e`` at the two ends of each axis.

    See Also
    ========

    output_size_derivation, relationships, symtconv.prove
    """
    if not isinstance(ndim, int) or isinstance(ndim, bool) or not 1 <= ndim <= MAX_NDIM:
        raise ParameterError(
            f"ndim must be an integer from 1 to {MAX_NDIM}, got ndim={ndim!r} (the proof "
            "is one identity per axis; each axis adds seconds and SymPy's recursion depth)"
        )
    axes = [_axis_symbols(None if ndim == 1 else r + 1, asymmetric) for r in range(ndim)]
    ch = _Channels() if groups else None
    lemma = _floor_lemma()
    steps: list[Step] = [lemma]
    sizes = []
    for ax in axes:
        derived = _derive_sizes(ax)
        sizes.append(derived)
        steps += derived.steps
        steps.append(_crop_step(ax, derived))

    forms = {
        "scatter": _scatter_form(axes, ch, sizes),
        "flip_and_pad": _flip_and_pad_form(axes, ch, sizes),
        "transpose": _transpose_form(axes, ch, sizes),
        "vjp": _vjp_form(axes, ch, sizes),
    }
    reference = forms["scatter"]
    hows = {
        "flip_and_pad": "y[n] at s·n after zero insertion, shifted by the pad d(k-1) - p, "
        "read by the flipped tap k-1-m at j + d(k-1-m)",
        "transpose": "C[n, j] = ∂conv(x)[n]/∂x[j] by sympy.diff",
        "vjp": "∂⟨y, conv(x)⟩/∂x[j] by sympy.diff",
    }
    own: dict[str, list[Step]] = {m: [] for m in METHOD_NAMES}
    summands: dict[str, Any] = {m: _flatten(forms[m].expression)[0] for m in METHOD_NAMES}
    own["flip_and_pad"].append(_reindex_step(forms["flip_and_pad"], axes))
    for method in ("transpose", "vjp"):
        own[method].append(_leak_step(forms[method], axes, ch))
        padding, summands[method] = _padding_step(forms[method], axes)
        own[method].append(padding)
    for method in ("flip_and_pad", "transpose", "vjp"):
        for r, ax in enumerate(axes):
            own[method].append(_index_step(forms[method], reference, ax, r, hows[method]))
    for method in ("transpose", "vjp"):
        own[method] += _rows_steps(forms[method], axes, sizes)
    rows_condition = _rows_condition_steps(axes, lemma)
    if ndim > 1:
        for method in METHOD_NAMES:
            own[method].append(_structure_step(forms[method], axes, ch))
    channel_steps = _channel_steps(forms, ch, lemma) if ch is not None else []
    common = list(steps)
    for method in METHOD_NAMES:
        steps += own[method]
    steps += rows_condition + channel_steps

    # Finally: each method's sum, with the proven-equal pieces replaced, is the scatter's.
    scatter_sum = _normal_form(reference, summands["scatter"], axes, reference, sizes)
    for method in ("flip_and_pad", "transpose", "vjp"):
        mine = _normal_form(forms[method], summands[method], axes, reference, sizes)
        target = scatter_sum
        topic = "flip-and-pad" if method == "flip_and_pad" else "forward conv"
        relied = [s for s in common if s is lemma or "scatter:" in s.name or topic in s.name] + own[
            method
        ]
        if method in ("transpose", "vjp"):
            relied += rows_condition
        if ch is not None:
            relied += [s for s in channel_steps if "coordinates" in s.name or method in s.name]
            if method == "flip_and_pad":
                target = _regrouped(scatter_sum, ch)
        condition = " when 0 <= a < s" if method in ("transpose", "vjp") else ""
        steps.append(
            _combine(
                f"{method} equals scatter for every size{condition}",
                [
                    *relied,
                    _check_equal_structure(
                        "same sum", mine, target, "the normalised sums are identical"
                    ),
                ],
                f"with the steps above, {method}'s entry is the same SymPy Sum as the scatter's",
                sp.Eq(mine, target, evaluate=False),
            )
        )

    x_entry = _X[_indices(ch, [ch.c_out] if ch else [], [ax.j for ax in axes])]
    entry = sp.Eq(x_entry, scatter_sum)
    conditions = _ranges(axes, ch, sizes) + _side_conditions(axes)
    return GeneralProof(
        ndim=ndim,
        groups=groups,
        asymmetric=asymmetric,
        entry=entry,
        forms=forms,
        steps=tuple(steps),
        conditions=tuple(conditions),
        symbols=_symbol_table(axes, ch),
        _axes=tuple(axes),
        _channels=ch,
    )


def _symbol_table(axes: Sequence[_AxisSymbols], ch: _Channels | None) -> dict[str, Any]:
    table: dict[str, Any] = {"y": _Y, "w": _W, "x": _X}
    for ax in axes:
        for sym in (*ax.parameters, ax.o, ax.j, ax.n, ax.m):
            table[str(sym)] = sym
    if ch is not None:
        for sym in (ch.G, ch.Q_in, ch.Q_out, ch.c_in, ch.c_out, ch.c_l, ch.c_il):
            table[str(sym)] = sym
    return table


# --------------------------------------------------------------------------- #
# The output size, derived two ways
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class SizeDerivation:
    """The output size ``o`` derived from flip-and-pad and from the forward conv.

    Explanation
    ===========

    Route (a), flip-and-pad: the zero-inserted input has ``stretched`` entries; the
    pads ``d(k-1) - p`` and ``d(k-1) - p + a`` give ``padded``; a stride-1 window of
    span ``window = d(k-1) + 1`` fits at ``padded - window + 1`` positions: that is
    :attr:`formula`.  Route (b): the forward conv maps a length ``o`` to
    :attr:`forward` (derived from where its window fits); by the definition of
    ``floor`` the ``o`` with ``forward = i`` are ``o_min <= o <= o_max``, exactly
    ``s`` sizes, so ``o = o_min + a`` with ``0 <= a < s``.

    Examples
    ========

    >>> from symtconv.general import output_size_derivation
    >>> sd = output_size_derivation()
    >>> sd.o_min, sd.o_max
    (d*k - d + i*s - 2*p - s + 1, d*k - d + i*s - 2*p)
    >>> sd.output_padding, sd.round_trip, bool(sd)
    ((0, s - 1), i + floor(a/s), True)
    >>> import sympy as sp
    >>> formula = sp.parse_expr(sd.to_dict()["formula"])
    >>> sp.expand(formula - sp.parse_expr("(i-1)*s - 2*p + d*(k-1) + a + 1"))
    0
    """

    formula: Any
    stretched: Any
    padded: Any
    window: Any
    forward: Any
    o_min: Any
    o_max: Any
    output_padding: tuple[Any, Any]
    round_trip: Any
    steps: tuple[Step, ...]
    symbols: Mapping[str, sp.Symbol]

    @property
    def proved(self) -> bool:
        """Whether every step of both routes (and their agreement) was proved."""
        return all(step.status == "proved" for step in self.steps)

    def __bool__(self) -> bool:
        return self.proved

    @property
    def sizes(self) -> sp.Range:
        """The set of output sizes the forward conv maps back to ``i``."""
        return sp.Range(self.o_min, self.o_max + 1)

    @property
    def route_a(self) -> str:
        """Route (a) as the sum it is: stretched + pads - window + 1."""
        s = self.symbols
        before = s["d"] * (s["k"] - 1) - s["p"]
        return f"({self.stretched}) + ({before}) + ({before + s['a']}) - ({self.window}) + 1"

    def __str__(self) -> str:
        lines = [
            f"o = {self.formula}" + ("" if self.proved else "  (NOT fully proved)"),
            f"  (a) flip-and-pad: {self.route_a}",
            f"  (b) forward conv: floor-formula {self.forward} = i  iff  "
            f"{self.o_min} <= o <= {self.o_max}, i.e. o = o_min + a with "
            f"{self.output_padding[0]} <= a <= {self.output_padding[1]}",
            f"  forward conv of the output: {self.round_trip}",
        ]
        lines += [f"  {step}" for step in self.steps]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """``{"formula", "latex", "proved", "routes": {"flip_and_pad", "inverse_forward"},
        "valid_sizes", "output_padding", "round_trip", "steps"}`` (expressions as
        strings that ``sympy.parse_expr`` reads back)."""
        return {
            "formula": str(self.formula),
            "latex": sp.latex(self.formula),
            "proved": self.proved,
            "routes": {
                "flip_and_pad": {
                    "stretched": str(self.stretched),
                    "padded": str(self.padded),
                    "window": str(self.window),
                    "sum": self.route_a,
                    "output": str(self.formula),
                },
                "inverse_forward": {
                    "forward": str(self.forward),
                    "o_min": str(self.o_min),
                    "o_max": str(self.o_max),
                },
            },
            "valid_sizes": {"min": str(self.o_min), "max": str(self.o_max)},
            "output_padding": {
                "min": str(self.output_padding[0]),
                "max": str(self.output_padding[1]),
            },
            "round_trip": str(self.round_trip),
            "steps": [step.to_dict() for step in self.steps],
        }

    def _latex(self, printer: Any) -> str:
        o = sp.Symbol("o")
        return printer._print(sp.Eq(o, self.formula))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


@cache
def output_size_derivation() -> SizeDerivation:
    """Derive the output size of a transposed convolution, two ways, with SymPy.

    Explanation
    ===========

    Nothing here is typed in as an answer: lengths come from the extremes of index
    expressions over their ranges, and the inequalities are solved by SymPy.  The
    result is compared with :class:`symtconv.Geometry`'s formula as a last check.

    Examples
    ========

    >>> from symtconv.general import output_size_derivation
    >>> sd = output_size_derivation()
    >>> sd.formula
    a + d*k - d + i*s - 2*p - s + 1
    >>> sd.sizes
    Range(d*k - d + i*s - 2*p - s + 1, d*k - d + i*s - 2*p + 1, 1)

    See Also
    ========

    prove_general, relationships
    """
    ax = _axis_symbols(None, asymmetric=False)
    sizes = _derive_sizes(ax)
    o_symbol = ax.o
    steps = list(sizes.steps)
    steps.append(
        check_identity(
            "agrees with Geometry.output_size",
            sizes.flip_length,
            Geometry(ax.i, ax.k, ax.s, ax.p_b, ax.a, ax.d).output_size[0],
        )
    )
    return SizeDerivation(
        formula=sizes.flip_length,
        stretched=sizes.stretched,
        padded=sizes.padded,
        window=sizes.window,
        forward=sizes.forward(o_symbol),
        o_min=sizes.o_min,
        o_max=sizes.o_max,
        output_padding=sizes.a_range,
        round_trip=sp.expand(sizes.forward(sizes.flip_length)),
        steps=tuple(steps),
        symbols={
            "i": ax.i,
            "k": ax.k,
            "s": ax.s,
            "p": ax.p_b,
            "d": ax.d,
            "a": ax.a,
            "o": o_symbol,
        },
    )


# --------------------------------------------------------------------------- #
# Dumoulin & Visin's relationships as specialisations
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Relationship:
    """One of Dumoulin & Visin's relationships, checked against the general results.

    ``claims`` maps what is claimed (``"o"``, ``"o'"``, ``"p'"``, ``"ĩ'"``, ``"a"``)
    to the claimed SymPy expression; ``checks`` holds one :class:`Step` per claim
    (plus the round trip for transposed relationships); ``verified`` is True only
    when every check was proved.  Here ``i, k, s, p, d`` are the *forward*
    convolution's (as in the paper) and ``i'`` is the transposed conv's input.

    Examples
    ========

    >>> from symtconv.general import check_relationship
    >>> rel = check_relationship(13)
    >>> rel.verified, rel.claims["o'"]
    (True, k - 2*p + s*(i' - 1))
    >>> check_relationship(13, output="s*(ip - 1) + k").verified
    False
    """

    number: int
    name: str
    conditions: str
    claims: Mapping[str, Any]
    checks: tuple[Step, ...]
    in_paper: bool = True

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.status == "proved" for c in self.checks)

    def __bool__(self) -> bool:
        return self.verified

    @property
    def statement(self) -> str:
        """The relationship's claims, in words."""
        claims = ", ".join(f"{key} = {value}" for key, value in self.claims.items())
        where = f"if {self.conditions}: " if self.conditions else ""
        return f"{where}{claims}"

    def __str__(self) -> str:
        verdict = "verified" if self.verified else "NOT verified"
        source = "" if self.in_paper else " (not in the paper)"
        return f"Relationship {self.number}{source}, {self.name} [{verdict}]: {self.statement}"

    def to_dict(self) -> dict[str, Any]:
        """``{"number", "name", "conditions", "statement", "claims", "verified",
        "in_paper", "checks"}``."""
        return {
            "number": self.number,
            "name": self.name,
            "conditions": self.conditions,
            "statement": self.statement,
            "claims": {key: str(value) for key, value in self.claims.items()},
            "verified": self.verified,
            "in_paper": self.in_paper,
            "checks": [c.to_dict() for c in self.checks],
        }

    def _latex(self, printer: Any) -> str:
        names = {"ĩ'": r"\tilde{i}'"}
        return r",\quad ".join(
            f"{names.get(key, key)} = {printer._print(value)}" for key, value in self.claims.items()
        )

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


@dataclass(frozen=True)
class _Spec:
    number: int
    name: str
    conditions: str
    substitutions: tuple[tuple[str, str], ...]
    transposed: bool
    claims: tuple[tuple[str, str], ...]
    in_paper: bool = True


_SPECS = (
    _Spec(
        1,
        "no zero padding, unit strides",
        "s = 1, p = 0",
        (("s", "1"), ("p", "0"), ("d", "1")),
        False,
        (("o", "(i - k) + 1"),),
    ),
    _Spec(
        2,
        "zero padding, unit strides",
        "s = 1",
        (("s", "1"), ("d", "1")),
        False,
        (("o", "(i - k) + 2*p + 1"),),
    ),
    _Spec(
        3,
        "half (same) padding",
        "s = 1, k = 2n + 1, p = floor(k/2)",
        (("s", "1"), ("d", "1"), ("k", "2*n + 1"), ("p", "floor(k/2)")),
        False,
        (("o", "i"),),
    ),
    _Spec(
        4,
        "full padding",
        "s = 1, p = k - 1",
        (("s", "1"), ("d", "1"), ("p", "k - 1")),
        False,
        (("o", "i + (k - 1)"),),
    ),
    _Spec(
        5,
        "no zero padding, non-unit strides",
        "p = 0",
        (("p", "0"), ("d", "1")),
        False,
        (("o", "floor((i - k)/s) + 1"),),
    ),
    _Spec(
        6,
        "zero padding, non-unit strides",
        "",
        (("d", "1"),),
        False,
        (("o", "floor((i + 2*p - k)/s) + 1"),),
    ),
    _Spec(
        7,
        "pooling",
        "p = 0 (a pooling window of size k, stride s)",
        (("p", "0"), ("d", "1")),
        False,
        (("o", "floor((i - k)/s) + 1"),),
    ),
    _Spec(
        8,
        "transposed: no zero padding, unit strides",
        "s = 1, p = 0",
        (("s", "1"), ("p", "0"), ("d", "1")),
        True,
        (("p'", "k - 1"), ("o'", "ip + (k - 1)")),
    ),
    _Spec(
        9,
        "transposed: zero padding, unit strides",
        "s = 1",
        (("s", "1"), ("d", "1")),
        True,
        (("p'", "k - p - 1"), ("o'", "ip + (k - 1) - 2*p")),
    ),
    _Spec(
        10,
        "transposed: half padding",
        "s = 1, k = 2n + 1, p = floor(k/2)",
        (("s", "1"), ("d", "1"), ("k", "2*n + 1"), ("p", "floor(k/2)")),
        True,
        (("p'", "p"), ("o'", "ip")),
    ),
    _Spec(
        11,
        "transposed: full padding",
        "s = 1, p = k - 1",
        (("s", "1"), ("d", "1"), ("p", "k - 1")),
        True,
        (("p'", "0"), ("o'", "ip - (k - 1)")),
    ),
    _Spec(
        12,
        "transposed: no zero padding, non-unit strides",
        "p = 0, (i - k) mod s = 0",
        (("p", "0"), ("d", "1"), ("i", "k + s*t")),
        True,
        (("ĩ'", "ip + (s - 1)*(ip - 1)"), ("p'", "k - 1"), ("o'", "s*(ip - 1) + k")),
    ),
    _Spec(
        13,
        "transposed: zero padding, non-unit strides",
        "(i + 2p - k) mod s = 0",
        (("d", "1"), ("i", "k - 2*p + s*t")),
        True,
        (("ĩ'", "ip + (s - 1)*(ip - 1)"), ("p'", "k - p - 1"), ("o'", "s*(ip - 1) + k - 2*p")),
    ),
    _Spec(
        14,
        "transposed: general (output padding a)",
        "a = (i + 2p - k) mod s",
        (("d", "1"),),
        True,
        (
            ("ĩ'", "ip + (s - 1)*(ip - 1)"),
            ("p'", "k - p - 1"),
            ("a", "Mod(i + 2*p - k, s)"),
            ("o'", "s*(ip - 1) + a + k - 2*p"),
        ),
    ),
    _Spec(
        15,
        "dilated convolution",
        "",
        (),
        False,
        (("o", "floor((i + 2*p - k - (k - 1)*(d - 1))/s) + 1"),),
    ),
    _Spec(
        16,
        "dilated transposed convolution",
        "a = (i + 2p - d(k-1) - 1) mod s",
        (),
        True,
        (
            ("p'", "d*(k - 1) - p"),
            ("a", "Mod(i + 2*p - d*(k - 1) - 1, s)"),
            ("o'", "s*(ip - 1) + a + d*(k - 1) + 1 - 2*p"),
        ),
        in_paper=False,
    ),
)


def _paper_symbols() -> dict[str, sp.Symbol]:
    sd = output_size_derivation()
    names = dict(sd.symbols)
    names.pop("o")
    names["ip"] = _integer("i'", positive=True)
    names["n"] = _integer("n", nonnegative=True)
    names["t"] = _integer("t", nonnegative=True)
    return names


def _parse(text: Any, names: Mapping[str, sp.Symbol]) -> Any:
    if isinstance(text, sp.Basic):
        return text
    if not isinstance(text, str):
        return sp.sympify(text)
    return sp.parse_expr(text.replace("i'", "ip"), local_dict=dict(names))


def _check(spec: _Spec, overrides: Mapping[str, Any]) -> Relationship:
    sd = output_size_derivation()
    names = _paper_symbols()
    i, s, p, a, ip = names["i"], names["s"], names["p"], names["a"], names["ip"]
    k, d = names["k"], names["d"]

    substitutions: list[tuple[sp.Symbol, Any]] = []

    def specialise(expr: Any) -> Any:
        for symbol, value in substitutions:
            expr = expr.subs(symbol, value)
        return expr

    for key, value in spec.substitutions:  # later conditions see the earlier ones
        substitutions.append((names[key], specialise(_parse(value, names))))

    # the general results, in the paper's names (its i is the forward conv's input)
    forward = sd.forward.xreplace({sd.symbols["o"]: i})  # relationship 15 / route (b)
    transposed_output = sd.formula.xreplace({i: ip})  # route (a)
    # flip-and-pad's input padding (shown equivalent to the scatter by prove_general)
    pad = Axis(i, k, s, p, p, a, d).pad_before
    derived_a = i - sd.o_min.xreplace({i: forward})  # o = o_min + a, read backwards
    stretched = sd.stretched.xreplace({i: ip})

    # where the conditions fix the output padding (to 0), use that value
    fixed_a = specialise(derived_a)
    a_value = sp.S.Zero if _is_zero(fixed_a) else a
    general = {
        "o": forward,
        "o'": transposed_output.xreplace({a: a_value}),
        "p'": pad,
        "ĩ'": stretched,
        "a": derived_a,
    }
    domain = specialise(forward) >= 1
    if spec.transposed:
        domain = sp.And(domain, specialise(transposed_output) >= 1, sp.Lt(a, s))
    claims: dict[str, Any] = {}
    checks: list[Step] = []
    for key, text in spec.claims:
        claimed = _parse(overrides.get(key, text), names)
        claims[key] = claimed
        checks.append(
            check_identity(
                f"{key}",
                specialise(claimed),
                specialise(general[key]),
                domain=domain,
                detail=f"claimed {key} = {claimed}; the general result specialised",
            )
        )
    if spec.transposed and "a" not in claims:
        checks.append(
            check_identity(
                "a = 0",
                fixed_a,
                0,
                domain=domain,
                detail=f"the derived output padding {derived_a} under the conditions",
            )
        )
    if spec.transposed:
        round_trip = transposed_output.xreplace({ip: forward, a: derived_a})
        checks.append(
            check_identity(
                "round trip",
                specialise(round_trip),
                specialise(i),
                domain=domain,
                detail="the transposed conv of the forward conv's output size, with the "
                "derived a, is the forward conv's input size",
            )
        )
        # the paper's own route: a stride-1 convolution with padding p' on the stretched
        # input (with a extra zeros at the end) has the transposed conv's output size
        direct = forward.xreplace({i: stretched + a, s: 1, p: pad})
        checks.append(
            check_identity(
                "equivalent stride-1 convolution",
                specialise(direct.xreplace({a: a_value})),
                specialise(general["o'"]),
                domain=domain,
                detail="relationship 15 with s = 1 and p = p' on the stretched input",
            )
        )
    return Relationship(
        number=spec.number,
        name=spec.name,
        conditions=spec.conditions,
        claims=claims,
        checks=tuple(checks),
        in_paper=spec.in_paper,
    )


def check_relationship(
    number: int, output: Any = None, *, claims: Mapping[str, Any] | None = None
) -> Relationship:
    """Check one relationship, optionally with claims of your own (to see it fail).

    Explanation
    ===========

    The relationship's conditions are substituted into the general results
    (:func:`output_size_derivation`, flip-and-pad's padding ``d(k-1) - p``) and each
    claim is compared with :func:`check_identity`: a wrong claim is ``"failed"``
    with a counterexample, so ``verified`` is False.  ``output`` replaces the claimed
    output size (``o`` or ``o'``); ``claims`` may replace any claim by key.  Strings
    are parsed with ``i, k, s, p, d, a, n, t`` and ``ip`` (or ``i'``) for the
    transposed conv's input.

    Examples
    ========

    >>> from symtconv.general import check_relationship
    >>> check_relationship(6).verified
    True
    >>> bad = check_relationship(6, "floor((i + p - k)/s) + 1")
    >>> bad.verified, bad.checks[0].status
    (False, 'failed')

    Parameters
    ==========

    number : 1-15 (Dumoulin & Visin), or 16 (the dilated transposed case).
    output : a claimed output size (SymPy expression or string).
    claims : claimed values by key (``"o"``, ``"o'"``, ``"p'"``, ``"ĩ'"``, ``"a"``).
    """
    specs = {spec.number: spec for spec in _SPECS}
    if number not in specs:
        raise ParameterError(
            f"number must be one of the relationships 1-{max(specs)}, got number={number!r}"
        )
    spec = specs[number]
    overrides = dict(claims or {})
    if output is not None:
        key = "o'" if spec.transposed else "o"
        overrides[key] = output
    unknown = set(overrides) - {key for key, _ in spec.claims}
    if unknown:
        raise ParameterError(
            f"relationship {number} claims {[key for key, _ in spec.claims]}, "
            f"got claims for {sorted(unknown)}"
        )
    return _check(spec, overrides)


@cache
def relationships() -> tuple[Relationship, ...]:
    """Dumoulin & Visin's relationships 1-15, and 16 (dilated transposed), checked.

    Examples
    ========

    >>> from symtconv.general import relationships
    >>> rels = relationships()
    >>> len(rels), all(r.verified for r in rels)
    (16, True)
    >>> print(rels[0])
    Relationship 1, no zero padding, unit strides [verified]: if s = 1, p = 0: o = i - k + 1

    See Also
    ========

    check_relationship, output_size_derivation
    """
    return tuple(_check(spec, {}) for spec in _SPECS)
