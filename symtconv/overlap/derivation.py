"""The overlap derived with SymPy for symbolic ``s, k, d``: :func:`derive_overlap` and its
steps (the congruence, the count per class, uniformity, the borders), and a bounded
brute-force check of the result, labelled as such.

See :mod:`symtconv.overlap` for the mathematics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import sympy as sp

from ..general import Step, check_identity
from ..general.checks import _combine
from ..notation import inline, prose
from .counts import CONDITION

_Status = Literal["proved", "checked", "assumed", "undecided", "failed"]

#: Facts the derivation takes as known rather than checking with SymPy.
ASSUMED = (
    "g = gcd(d, s) gives d = g·d', s = g·s' with gcd(d', s') = 1",
    "Bézout: since gcd(d', s') = 1, d' has an inverse e modulo s' (e·d' = 1 + s'·h)",
    "Euclid's lemma: gcd(d', s') = 1 and s' | d'·x imply s' | x (one solution class)",
    "floor(x) = c iff c <= x < c + 1; ceiling(x) = c iff c - 1 < x <= c",
    "the integers u with A <= u <= B number max(0, floor(B) - ceiling(A) + 1)",
    "a subset of Z/s' invariant under adding c is invariant under the subgroup that c "
    "generates, h·Z/s' with h = gcd(c, s'), and so is a union of its cosets",
)


# --------------------------------------------------------------------------- #
# The derivation, with symbolic s, k, d
# --------------------------------------------------------------------------- #


def _sign_step(name: str, expr: Any, slack: Mapping[Any, Any], sign: str, detail: str) -> Step:
    """Proved when ``expr`` (after writing variables with non-negative slacks) has ``sign``.

    ``sign`` is ``"nonnegative"``, ``"positive"`` or ``"negative"``.
    """
    # as given (SymPy knows e.g. floor((k-1)/s') >= 0), or expanded with the slacks in
    candidates = [sp.sympify(expr).subs(slack), sp.expand(sp.expand(expr).subs(slack))]
    known = [value for value in candidates if getattr(value, f"is_{sign}")]
    value = known[0] if known else candidates[-1]
    status: _Status = "proved" if known else "undecided"
    relation, symbol = {
        "nonnegative": (sp.Ge, ">="),
        "positive": (sp.Gt, ">"),
        "negative": (sp.Lt, "<"),
    }[sign]
    return Step(name, status, f"{detail}: {value} {symbol} 0", relation(value, 0, evaluate=False))


@dataclass(frozen=True)
class OverlapDerivation:
    """The taps reaching a position, derived for symbolic ``s, k, d`` (and ``i``).

    Explanation
    ===========

    ``interior`` is ``N(t)`` away from the borders (``in_class`` the same in terms of
    ``s'`` and the tap class ``m_0``) and ``count`` the exact number for
    every ``t`` (with input length ``i``), both SymPy expressions in ``t, i, k, s, d``
    and the two derived quantities ``g = gcd(d, s)`` and ``e``, the inverse of ``d/g``
    modulo ``s/g``; :meth:`interior_at` and :meth:`count_at` substitute them.
    ``period`` and ``condition`` are the least period and the uniformity condition.
    Every step is a :class:`symtconv.general.Step`; :data:`ASSUMED` lists the number
    theory used as known.  ``exhaustive`` records the brute-force check of every
    formula and claim on a range of small values.

    Examples
    ========

    >>> from symtconv.overlap import derive_overlap
    >>> od = derive_overlap()
    >>> bool(od), od.condition
    (True, Eq(g, 1) & Eq(Mod(k, s), 0))
    >>> od.in_class
    floor((k - m_0 - 1)/s') + 1
    >>> od.interior
    Piecewise((floor(g*(k - 1 - Mod(e*t, s)/g)/s) + 1, Eq(Mod(t, g), 0)), (0, True))
    >>> od.interior_at(t=2, k=3, s=2, d=1), od.count_at(t=0, i=3, k=3, s=2, d=1)
    (2, 1)
    """

    interior: Any
    in_class: Any
    count: Any
    split: Any
    period: Any
    condition: Any
    steps: tuple[Step, ...]
    symbols: Mapping[str, sp.Symbol]
    exhaustive: Mapping[str, Any]

    @property
    def proved(self) -> bool:
        """Whether every step was proved by SymPy; the brute-force cross-check (bounded:
        ``"checked"``, never ``"proved"``) must not have failed."""
        return all(
            step.status == "proved"
            or (step.status == "checked" and step.name.startswith("brute force agrees"))
            for step in self.steps
        )

    def __bool__(self) -> bool:
        return self.proved

    def _values(self, **values: int) -> dict[sp.Symbol, int]:
        s, d = values["s"], values["d"]
        g = math.gcd(d, s)
        subs = {self.symbols[name]: v for name, v in values.items()}
        subs[self.symbols["g"]] = g
        subs[self.symbols["e"]] = pow(d // g, -1, s // g)
        return subs

    def interior_at(self, *, t: int, k: int, s: int, d: int) -> int:
        """``N(t)`` for numbers, evaluated exactly from the SymPy expression."""
        return int(self.interior.xreplace(self._values(t=t, k=k, s=s, d=d)))

    def count_at(self, *, t: int, i: int, k: int, s: int, d: int) -> int:
        """The exact count at ``t`` for numbers, from the SymPy expression."""
        return int(self.count.xreplace(self._values(t=t, i=i, k=k, s=s, d=d)))

    def __str__(self) -> str:
        lines = [
            "taps reaching position t = j + p of the uncropped output "
            "(g = gcd(d, s), e = inverse of d/g mod s/g):",
            f"  interior:  N(t) = {inline(self.in_class)} if g | t, else 0",
            "             with s' = s/g and m_0 = (e·t/g) mod s' (the tap class reaching t)",
            f"             = {inline(self.split)}  for k = q·s' + ρ, 0 ≤ ρ < s'",
            f"  with borders: {inline(self.count)}",
            f"  least period: {inline(self.period)}",
            f"  uniform iff: {inline(self.condition)}",
        ]
        lines += [f"  {step}" for step in self.steps]
        lines.append("assumed: " + "; ".join(prose(fact) for fact in ASSUMED))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (expressions as strings ``sympy.parse_expr`` reads back)."""
        return {
            "interior": str(self.interior),
            "interior_latex": sp.latex(self.interior),
            # s' = s/g, so that parse_expr reads it back
            "in_class": str(
                self.in_class.subs(self.symbols["s'"], self.symbols["s"] / self.symbols["g"])
            ),
            "split": str(self.split),
            "count": str(self.count),
            "period": str(self.period),
            "condition": str(self.condition),
            "condition_text": CONDITION,
            "proved": self.proved,
            "steps": [step.to_dict() for step in self.steps],
            "assumed": list(ASSUMED),
            "exhaustive": dict(self.exhaustive),
        }

    def _latex(self, printer: Any) -> str:
        n = sp.Function("N")(self.symbols["t"])
        return printer._print(sp.Eq(n, self.interior))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {sp.latex(self)}$"


def _names() -> dict[str, sp.Symbol]:
    pos = {"integer": True, "positive": True}
    nonneg = {"integer": True, "nonnegative": True}
    names: dict[str, sp.Symbol] = {
        name: sp.Symbol(name, **pos) for name in ("i", "k", "s", "d", "g", "s'", "d'")
    }
    names.update({name: sp.Symbol(name, integer=True) for name in ("t", "t'", "m", "c", "u", "h")})
    names.update({name: sp.Symbol(name, **nonneg) for name in ("e", "m_0", "q", "rho", "v", "w")})
    return names


def _congruence_steps(x: Mapping[str, sp.Symbol]) -> list[Step]:
    t, m, c, g, s1, d1, tp, e, h, u = (
        x[n] for n in ("t", "m", "c", "g", "s'", "d'", "t'", "e", "h", "u")
    )
    s, d = x["s"], x["d"]
    # d·m ≡ t (mod s): d·m - t = s·c for an integer c; solve for t with d = g·d', s = g·s'
    (t_solved,) = sp.solve(sp.Eq(d * m - t, s * c).subs({d: g * d1, s: g * s1}), t)
    quotient = sp.factor(t_solved) / g
    integral = (
        sp.cancel(quotient).is_polynomial()
        and sp.Poly(sp.cancel(quotient), *sorted(quotient.free_symbols, key=str)).domain == sp.ZZ
    )
    steps = [
        Step(
            "only t divisible by g receive taps",
            "proved" if integral else "undecided",
            f"d·m - t = s·c with d = g·d', s = g·s' gives t = {t_solved} "
            f"= g·({sp.cancel(quotient)}), an integer multiple of g",
            sp.Eq(t, g * sp.cancel(quotient), evaluate=False),
        )
    ]
    # t = g·t': d'·m ≡ t' (mod s'); with e·d' = 1 + s'·h, m = e·t' + s'·u solves it
    residual = sp.expand(d1 * (e * tp + s1 * u) - tp).subs(e, (1 + s1 * h) / d1)
    ratio = sp.cancel(residual / s1)
    steps.append(
        Step(
            "the taps form one class m ≡ e·t' (mod s')",
            "proved" if ratio.is_polynomial() and sp.denom(ratio) == 1 else "undecided",
            f"d'·(e·t' + s'·u) - t' = s'·({ratio}) with e·d' = 1 + s'·h; "
            "other solutions differ by a multiple of s' (Euclid's lemma)",
            sp.Eq(sp.expand(d1 * (e * tp + s1 * u) - tp), s1 * ratio, evaluate=False),
        )
    )
    # t' -> e·t' is a bijection of Z/s' (its inverse is multiplication by d')
    back = sp.expand(d1 * e * tp - tp).subs(e, (1 + s1 * h) / d1)
    steps.append(
        Step(
            "m0 = e·t' mod s' runs over every residue once",
            "proved" if sp.expand(back - s1 * h * tp) == 0 else "undecided",
            f"d'·(e·t') - t' = {sp.expand(back)}, a multiple of s': multiplying by d' undoes "
            "multiplying by e modulo s', so t' -> e·t' mod s' is a bijection of Z/s'",
        )
    )
    return steps


def _counting_steps(x: Mapping[str, sp.Symbol]) -> tuple[list[Step], Any, Any]:
    """Taps in [0, k) of the class m0 + s'·u, and the split k = q·s' + ρ."""
    k, s1, u, m0, q, rho, v, w = (x[n] for n in ("k", "s'", "u", "m_0", "q", "rho", "v", "w"))
    solved = sp.reduce_inequalities([m0 + s1 * u >= 0, m0 + s1 * u <= k - 1], [u])
    lower = next(rel.lts for rel in solved.args if rel.gts == u)
    upper = next(rel.gts for rel in solved.args if rel.lts == u)
    # least integer u >= lower is 0: -1 < -m0/s' <= 0 (m0 = s' - 1 - v, v >= 0)
    steps = [
        _combine(
            "the least tap of the class is m0",
            [
                _sign_step("lower <= 0", -lower * s1, {}, "nonnegative", "-(lower)·s'"),
                _sign_step(
                    "lower > -1",
                    (lower + 1) * s1,
                    {m0: s1 - 1 - v},
                    "positive",
                    "(lower + 1)·s' with m0 = s' - 1 - v",
                ),
            ],
            f"{solved} solved by SymPy; ceiling({lower}) = 0 since -1 < {lower} <= 0",
        )
    ]
    interior = sp.floor(upper) + 1
    # the integers 0..floor(upper) number floor(upper) + 1 (an assumed count, see
    # ASSUMED) once that is >= 0, i.e. upper > -1: (upper + 1)·s' = k + v > 0
    steps.append(
        _combine(
            "interior count",
            [
                _sign_step("upper > -1", (upper + 1) * s1, {m0: s1 - 1 - v}, "positive",
                           "(upper + 1)·s' with m0 = s' - 1 - v"),
                check_identity("taps of the class", sp.Sum(1, (u, 0, sp.floor(upper))).doit(),
                               interior, detail="Σ 1 over u = 0..floor(upper), SymPy"),
            ],
            f"u runs over 0..floor({upper}), not empty or negative since {upper} > -1: "
            f"N = {interior}",
            sp.Eq(sp.Symbol("N"), interior, evaluate=False),
        )
    )
    # k = q·s' + ρ, 0 <= ρ < s':  N = q + 1 + floor((ρ - 1 - m0)/s')
    x_rest = (rho - 1 - m0) / s1
    steps.append(
        check_identity(
            "split k = q·s' + ρ",
            interior.subs(k, q * s1 + rho),
            q + 1 + sp.floor(x_rest),
            detail="floor(q + x) = q + floor(x) for integer q",
        )
    )
    # floor((ρ-1-m0)/s') = 0 for m0 < ρ and -1 for m0 >= ρ
    below = [  # m0 = ρ - 1 - v; ρ = s' - 1 - w
        _sign_step("x >= 0", x_rest * s1, {m0: rho - 1 - v}, "nonnegative", "m0 = ρ-1-v"),
        _sign_step(
            "x < 1",
            (x_rest - 1) * s1,
            {rho: s1 - 1 - w},
            "negative",
            "ρ = s'-1-w",
        ),
    ]
    above = [  # m0 = ρ + v; s' = m0 + 1 + w
        _sign_step("x < 0", x_rest * s1, {m0: rho + v}, "negative", "m0 = ρ+v"),
        _sign_step(
            "x >= -1",
            (x_rest + 1) * s1,
            {s1: m0 + 1 + w},
            "nonnegative",
            "s' = m0+1+w",
        ),
    ]
    split = sp.Piecewise((q + 1, m0 < rho), (q, True))
    steps.append(
        _combine(
            "N = q + [m0 < ρ]",
            [*below, *above],
            f"floor({x_rest}) is 0 when m0 < ρ and -1 when m0 ≥ ρ (definition of floor): "
            f"N = {split}",
        )
    )
    # one period: Σ over the s' classes = k; the other s - s' positions get 0
    total = sp.Sum(q + 1, (m0, 0, rho - 1)).doit() + sp.Sum(q, (m0, rho, s1 - 1)).doit()
    steps.append(
        check_identity(
            "each tap lands once per period",
            total,
            q * s1 + rho,
            detail="ρ classes with q+1 taps and s'-ρ with q",
        )
    )
    return steps, interior, split


def _uniform_steps(x: Mapping[str, sp.Symbol], interior: Any, split: Any) -> list[Step]:
    s1, m0, q, rho, v, w = (x[n] for n in ("s'", "m_0", "q", "rho", "v", "w"))
    at_zero = interior.subs(m0, 0)
    steps = [
        _combine(
            "g > 1 is never uniform",
            [_sign_step("N(0) >= 1", at_zero - 1, {}, "nonnegative", "N(0) - 1")],
            f"t = 1 gets no taps (g does not divide 1), t = 0 gets N(0) = {at_zero} >= 1",
        ),
        check_identity(
            "g = 1 and s | k is uniform",
            split.subs(rho, 0),
            q,
            detail="ρ = 0 (s' = s divides k): every class gets q = k/s taps",
        ),
        _combine(
            "g = 1 and s ∤ k is not uniform",
            [
                _sign_step(
                    "m0 = s'-1 >= ρ",
                    s1 - 1 - rho,
                    {s1: rho + 1 + w},
                    "nonnegative",
                    "ρ < s', s' = ρ + 1 + w",
                )
            ],
            "0 < ρ < s': the class m0 = 0 gets q+1 and the class m0 = s'-1 gets q",
        ),
    ]
    # least period: if s' | k, N(t) = (k/s')·[g | t], period g; otherwise a period P is a
    # multiple of g and P/g a period of [m0 < ρ] on Z/s', i.e. {0..ρ-1} a union of
    # cosets of h·Z/s' (h | s', h < s'): then s' - h <= ρ - 1 and ρ <= h - 1, so
    # s' <= 2h - 2; but s' = h·c2 with c2 >= 2 — contradiction:
    h, c2 = sp.Symbol("h", integer=True, positive=True), sp.Symbol("c_2", integer=True)
    steps.append(
        _combine(
            "least period: g if s' | k, else s",
            [
                _sign_step(
                    "2h - 2 < s'",
                    h * c2 - (2 * h - 2),
                    {c2: 2 + v},
                    "positive",
                    "s' = h·c2 - (2h - 2) with c2 = 2 + v",
                )
            ],
            "s' | k: N(t) = (k/s')·[g | t]; s' ∤ k: a shorter period would make {0..ρ-1} a "
            "union of cosets of a proper subgroup h·Z/s', forcing s' ≤ 2h - 2 < s'",
        )
    )
    return steps


def _border_steps(x: Mapping[str, sp.Symbol]) -> tuple[list[Step], Any, Any]:
    """Which taps survive at the borders: 0 <= (t - d·m)/s <= i - 1."""
    t, m, i, s, d = (x[n] for n in ("t", "m", "i", "s", "d"))
    solved = sp.reduce_inequalities([t - d * m >= 0, t - d * m <= s * (i - 1)], [m])
    upper = next(rel.gts for rel in solved.args if rel.lts == m)
    lower = next(rel.lts for rel in solved.args if rel.gts == m)
    lo, hi = sp.Max(0, sp.ceiling(lower)), sp.Min(x["k"] - 1, sp.floor(upper))
    # interior: over d(k-1) <= t <= s(i-1) and 0 <= m <= k-1, t - d·m is smallest at
    # (t, m) = (d(k-1), k-1) and largest at (s(i-1), 0)
    k = x["k"]
    smallest = (t - d * m).subs({t: d * (k - 1), m: k - 1})
    largest = (t - d * m).subs({t: s * (i - 1), m: 0})
    steps = [
        _combine(
            "taps at the borders",
            [  # by hand: d·m <= t iff m <= t/d, and t - d·m <= s(i-1) iff m >= (t - s(i-1))/d
                check_identity("highest tap", upper, t / d, detail="d > 0"),
                check_identity("lowest tap", lower, (t - s * (i - 1)) / d, detail="d > 0"),
            ],
            f"0 <= t - d·m <= s(i-1) solved by SymPy: {solved}; the integer taps are "
            f"{lo} <= m <= {hi}",
            solved,
        ),
        check_identity(
            "interior: n >= 0",
            smallest,
            0,
            detail="t - d·m at t = d(k-1), m = k-1 (slopes +1 in t, -d in m)",
        ),
        check_identity(
            "interior: n <= i-1", largest / s, i - 1, detail="(t - d·m)/s at t = s(i-1), m = 0"
        ),
    ]
    return steps, lo, hi


def _brute(t: int, k: int, s: int, d: int, i: int | None = None) -> int:
    """Count taps by enumerating ``m`` (and ``n``): the independent check."""
    if i is None:
        return sum(1 for m in range(k) if (t - d * m) % s == 0)
    return sum(1 for n in range(i) for m in range(k) if s * n + d * m == t)


def _least_period(values: tuple[int, ...]) -> int:
    n = len(values)
    return next(
        p for p in range(1, n + 1) if all(values[r] == values[(r + p) % n] for r in range(n))
    )


def _exhaustive(
    interior: Callable[..., Any], count: Callable[..., Any], limits: Mapping[str, int]
) -> dict[str, Any]:
    mismatches: list[str] = []
    cases = 0
    top_s, top_d, top_k = limits["s"], limits["d"], limits["k"]
    for s in range(1, top_s + 1):
        for d in range(1, top_d + 1):
            g = math.gcd(d, s)
            e = pow(d // g, -1, s // g)
            for k in range(1, top_k + 1):
                brute = tuple(_brute(t, k, s, d) for t in range(s))
                formula = tuple(int(interior(t, k, s, d, g, e)) for t in range(s))
                checks = {
                    "N(t)": (formula, brute),
                    "uniform": (g == 1 and k % s == 0, len(set(brute)) == 1),
                    "period": (g if k % (s // g) == 0 else s, _least_period(brute)),
                }
                for name, (derived, seen) in checks.items():
                    cases += 1
                    if derived != seen:
                        mismatches.append(f"{name} at s={s}, d={d}, k={k}: {derived} != {seen}")
    for s in range(1, limits["border_s"] + 1):
        for d in range(1, limits["border_d"] + 1):
            g = math.gcd(d, s)
            e = pow(d // g, -1, s // g)
            for k in range(1, limits["border_k"] + 1):
                for i in range(1, limits["i"] + 1):
                    for t in range(-1, s * (i - 1) + d * (k - 1) + 3):
                        cases += 1
                        derived = int(count(t, i, k, s, d, g, e))
                        if derived != _brute(t, k, s, d, i):
                            mismatches.append(f"count at t={t}, i={i}, k={k}, s={s}, d={d}")
    return {"limits": dict(limits), "cases": cases, "mismatches": mismatches[:10]}


def _exhaustive_bounds(limits: Mapping[str, int]) -> str:
    """The brute-force check's ranges in words: ``s <= 8, d <= 8, k <= 12; with borders ...``."""
    names = (("s", "border_s"), ("d", "border_d"), ("k", "border_k"), ("i", "i"))
    border = ", ".join(f"{key} <= {limits[name]}" for key, name in names)
    return ", ".join(f"{key} <= {limits[key]}" for key in "sdk") + f"; with borders {border}"


#: Ranges of the brute-force check inside :func:`derive_overlap`.
EXHAUSTIVE_LIMITS = {"s": 8, "d": 8, "k": 12, "border_s": 4, "border_d": 3, "border_k": 5, "i": 5}


@cache
def derive_overlap() -> OverlapDerivation:
    """Derive the number of taps reaching each output position, for symbolic ``s, k, d``.

    Explanation
    ===========

    1. ``d·m ≡ t (mod s)`` is solved with ``g = gcd(d, s)``: ``t`` must be a multiple
       ``g·t'`` (SymPy solves ``d·m - t = s·c`` for ``t``), and then the taps form the
       single class ``m ≡ e·t' (mod s')``;
    2. the taps of that class in ``[0, k)`` are counted by solving
       ``0 <= m0 + s'·u <= k-1`` for ``u``: ``N = floor((k-1-m0)/s') + 1``;
    3. with ``k = q·s' + ρ`` this is ``q + [m0 < ρ]``, and since ``m0`` runs over
       ``Z/s'`` once per period, ``ρ`` positions get ``q+1``, ``s'-ρ`` get ``q`` and
       the ``s - s'`` positions not divisible by ``g`` get 0 (total ``k``);
    4. uniform iff ``g = 1`` and ``s | k``; least period ``g`` if ``s' | k`` else ``s``;
    5. at the borders the tap range is cut to
       ``[max(0, ceil((t - s(i-1))/d)), min(k-1, floor(t/d))]``; the interior is
       ``d(k-1) <= t <= s(i-1)``.

    Each formula and claim is also compared with brute-force enumeration for every
    ``s, d <= 8``, ``k <= 12`` (and, with borders, ``s <= 4, d <= 3, k <= 5, i <= 5``);
    ``exhaustive`` reports it, and a mismatch marks the derivation failed.

    Examples
    ========

    >>> from symtconv.overlap import derive_overlap
    >>> od = derive_overlap()
    >>> od.split, od.period
    (Piecewise((q + 1, m_0 < rho), (q, True)), Piecewise((g, Eq(Mod(k, s/g), 0)), (s, True)))
    >>> od.exhaustive["mismatches"], od.exhaustive["cases"] > 5000
    ([], True)

    See Also
    ========

    overlap, symtconv.general.prove_general
    """
    x = _names()
    t, k, s, g, e, m0, s1 = (x[n] for n in ("t", "k", "s", "g", "e", "m_0", "s'"))
    steps = _congruence_steps(x)
    counting, interior_m0, split = _counting_steps(x)
    steps += counting
    steps += _uniform_steps(x, interior_m0, split)
    border, lo, hi = _border_steps(x)
    steps += border

    # back in s, d, t: s' = s/g, m0 = Mod(e·t/g, s/g); none when g does not divide t
    in_s = {s1: s / g}
    m0_of_t = sp.Mod(e * t / g, s / g)
    interior = sp.Piecewise(
        (interior_m0.subs(in_s).subs(m0, m0_of_t), sp.Eq(sp.Mod(t, g), 0)), (0, True)
    )
    per_class = sp.floor((hi - m0) / s1) - sp.ceiling((lo - m0) / s1) + 1
    count = sp.Piecewise(
        (sp.Max(0, per_class.subs(in_s).subs(m0, m0_of_t)), sp.Eq(sp.Mod(t, g), 0)), (0, True)
    )
    period = sp.Piecewise((g, sp.Eq(sp.Mod(k, s / g), 0)), (s, True))
    condition = sp.And(sp.Eq(g, 1), sp.Eq(sp.Mod(k, s), 0))

    args_i = (t, k, s, x["d"], g, e)
    args_c = (t, x["i"], k, s, x["d"], g, e)
    exhaustive = _exhaustive(
        sp.lambdify(args_i, interior, "math"),
        sp.lambdify(args_c, count, "math"),
        EXHAUSTIVE_LIMITS,
    )
    # a bounded enumeration: "checked" (with its bounds), never "proved"
    status: _Status = "failed" if exhaustive["mismatches"] else "checked"
    limits = _exhaustive_bounds(EXHAUSTIVE_LIMITS)
    steps.append(
        Step(
            f"brute force agrees (checked for {limits})",
            status,
            f"N(t), count(t), uniformity and least period against enumeration of (n, m): "
            f"{exhaustive['cases']} cases, {len(exhaustive['mismatches'])} mismatches (a "
            "bounded check, not a proof; the steps above are the proof)",
        )
    )
    return OverlapDerivation(
        interior=interior,
        in_class=interior_m0,
        count=count,
        split=split,
        period=period,
        condition=condition,
        steps=tuple(steps),
        symbols=x,
        exhaustive=exhaustive,
    )
