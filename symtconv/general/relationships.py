"""Dumoulin & Visin's relationships 1-15 (and the dilated transposed case), checked.

Explanation
===========

Each relationship is a specialisation of the general results: its conditions are
substituted into :func:`~symtconv.general.output_size_derivation` and flip-and-pad's
padding ``d(k-1) - p``, and each claim is compared with
:func:`~symtconv.general.check_identity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from ..errors import ParameterError
from ..geometry import Axis
from ..notation import prose
from .checks import Step, _is_zero, check_identity
from .sizes import output_size_derivation
from .symbols import _integer


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
        claims = prose(self.statement)
        return f"Relationship {self.number}{source}, {self.name} [{verdict}]: {claims}"

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
