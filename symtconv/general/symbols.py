"""The symbols of the general proof: per-axis sizes and indices, channels, index algebra.

Explanation
===========

Each axis has integer symbols ``i, k, s, d >= 1``, crops ``p_b, p_e >= 0`` (one
``p`` when symmetric), ``a >= 0`` and the indices ``j, n, m, m', t``; channels with
groups are ``C_in = G·Q_in``, ``C_out = G·Q_out``.  The small helpers here take a
derived entry apart: nested finite sums flattened, Kronecker deltas found per axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..geometry import Axis


def _integer(name: str, **assumptions: bool) -> sp.Symbol:
    return sp.Symbol(name, integer=True, **assumptions)


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


def _indices(ch: _Channels | None, channels: Sequence[Any], spatial: Sequence[Any]) -> tuple:
    return (*channels, *spatial) if ch is not None else tuple(spatial)


def _deltas_of(summand: Any) -> list[sp.KroneckerDelta]:
    return sorted(summand.atoms(sp.KroneckerDelta), key=str)


def _axis_delta(summand: Any, ax: _AxisSymbols) -> Any:
    found = [dl for dl in _deltas_of(summand) if dl.has(ax.j)]
    return found[0] if len(found) == 1 else None
