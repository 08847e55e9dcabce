"""Long integer sequences without listing them: computed entries and periodic runs.

Explanation
===========

The overlap counts of an axis (:mod:`symtconv.overlap`) have one entry per output
position, and an axis may have ``10**19`` positions.  Two small structures describe such
a sequence exactly without materialising it:

- :class:`Computed` — a read-only sequence whose entry ``j`` is computed on demand
  (in O(1) for the overlap formulas); it is iterated only when short enough.
- :class:`Run` — the entries ``start <= j < stop`` of a sequence that repeats with
  ``period``: entry ``j`` is the value at position ``(j + phase) mod period`` of one
  period, stored run-length encoded as ``(value, length)`` pairs.

Examples
========

>>> from symtconv.runs import Computed, Run
>>> squares = Computed(10**19, lambda j: j * j)
>>> squares[3], squares.length
(9, 10000000000000000000)
>>> run = Run(start=2, stop=10, period=3, phase=0, values=((5, 1), (0, 2)))
>>> [run.value(j) for j in range(2, 10)]
[0, 5, 0, 0, 5, 0, 0, 5]
"""

from __future__ import annotations

import bisect
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError, TooLargeError
from .geometry import pairs_up_to
from .limits import limit

__all__ = [
    "Computed",
    "Run",
    "border_cost",
    "border_values",
    "periodic_cost",
    "periodic_pattern",
    "run_length",
    "sparse_run_length",
]


class Computed(Sequence[int]):
    """A sequence of ``length`` integers whose entry ``j`` is ``entry(j)``.

    Iterating (and so ``list``, ``tuple``, ``numpy.array``) is allowed only up to
    ``listable`` entries; past that it raises :class:`~symtconv.errors.TooLargeError`,
    and ``len()`` works only while the length fits in a machine integer (use
    :attr:`length`).
    """

    def __init__(self, length: int, entry: Callable[[int], int], listable: int = 0) -> None:
        self.length = int(length)
        self._entry = entry
        self._listable = listable

    def __len__(self) -> int:
        if self.length > sys.maxsize:
            raise TooLargeError(
                f"the sequence has {self.length:,} entries, more than len() can return; "
                "use .length"
            )
        return self.length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.length)
            return [self[j] for j in range(start, stop, step)]
        j = int(index)
        if j < 0:
            j += self.length
        if not 0 <= j < self.length:
            raise IndexError(f"index {index} out of range for a sequence of {self.length:,}")
        return self._entry(j)

    def __iter__(self) -> Iterator[int]:
        if self.length > self._listable:
            raise TooLargeError(
                f"the sequence has {self.length:,} entries, more than are listed "
                f"(at most {self._listable:,}); index single entries instead"
            )
        return (self._entry(j) for j in range(self.length))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Computed):
            return self is other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Computed(length={self.length})"


@dataclass(frozen=True)
class Run:
    """Entries ``start <= j < stop``: the value at ``(j + phase) mod period`` of one period.

    ``values`` is the period run-length encoded: ``((value, length), ...)`` with lengths
    adding up to ``period``.
    """

    start: int
    stop: int
    period: int
    phase: int
    values: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if sum(n for _, n in self.values) != self.period or self.period < 1:
            raise ParameterError(
                f"the run lengths must add up to the period {self.period}, got {self.values}"
            )

    def value(self, j: int) -> int:
        """The entry at ``j`` (``start <= j < stop``)."""
        position = (j + self.phase) % self.period
        ends = self._ends()
        return self.values[bisect.bisect_right(ends, position)][0]

    def _ends(self) -> list[int]:
        ends, total = [], 0
        for _, n in self.values:
            total += n
            ends.append(total)
        return ends

    def to_dict(self) -> dict[str, Any]:
        """``{"start", "stop", "period", "phase", "values": [[value, length], ...]}``."""
        return {
            "start": self.start,
            "stop": self.stop,
            "period": self.period,
            "phase": self.phase,
            "values": [list(v) for v in self.values],
        }

    def __str__(self) -> str:
        shown = " ".join(f"{v}" if n == 1 else f"{v}×{n}" for v, n in self.values)
        if self.period == self.stop - self.start and self.phase % self.period == (
            -self.start % self.period
        ):
            return f"j in [{self.start}, {self.stop}): {shown}"
        return (
            f"j in [{self.start}, {self.stop}): period {self.period}, the value at "
            f"(j + {self.phase}) mod {self.period} of: {shown}"
        )


def run_length(values: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """``values`` as ``((value, length), ...)``.

    >>> run_length([1, 1, 0, 0, 0, 2])
    ((1, 2), (0, 3), (2, 1))
    """
    out: list[list[int]] = []
    for v in values:
        if out and out[-1][0] == v:
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return tuple((v, n) for v, n in out)


def sparse_run_length(
    period: int, base: int, exceptions: Sequence[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """One period of ``base`` except at the sorted ``(position, value)`` pairs, encoded.

    >>> sparse_run_length(10, 0, [(0, 2), (7, 1)])
    ((2, 1), (0, 6), (1, 1), (0, 2))
    """
    out: list[tuple[int, int]] = []
    at = 0
    for position, value in exceptions:
        if position > at:
            out.append((base, position - at))
        out.append((value, 1))
        at = position + 1
    if at < period:
        out.append((base, period - at))
    merged: list[list[int]] = []
    for v, n in out:
        if merged and merged[-1][0] == v:
            merged[-1][1] += n
        else:
            merged.append([v, n])
    return tuple((v, n) for v, n in merged)


def periodic_cost(k: int, s: int, d: int) -> int:
    """Run-length entries of one period of :func:`periodic_pattern`, before computing it."""
    g = math.gcd(d, s)
    q, rho = divmod(k, s // g)
    if rho == 0:
        return 2
    return rho + (s // g if g > 1 and q >= 1 else 0) + 1


def periodic_pattern(k: int, s: int, d: int) -> tuple[int, tuple[tuple[int, int], ...]]:
    """``(period, values)``: the interior counts ``N(t)`` of one period, run-length encoded.

    From the derived split (:func:`symtconv.overlap.derive_overlap`): with ``g = gcd(d, s)``,
    ``s' = s/g`` and ``k = q·s' + rho``, the positions ``t ≡ 0 (mod g)`` receive ``q``
    taps, and ``rho`` of them one more: ``t ≡ d·m (mod s)`` for ``m < rho`` (tap ``m``
    is then the first of its class); the others receive none.  Only those ``rho``
    positions are computed, never the whole period.

    >>> periodic_pattern(3, 2, 1), periodic_pattern(4, 2, 2)
    ((2, ((2, 1), (1, 1))), (2, ((4, 1), (0, 1))))
    """
    g = math.gcd(d, s)
    q, rho = divmod(k, s // g)
    if rho == 0:
        return g, ((q, 1),) + (((0, g - 1),) if g > 1 else ())
    raised = sorted(d * m % s for m in range(rho))
    if g == 1 or q == 0:
        return s, sparse_run_length(s, q if g == 1 else 0, [(t, q + 1) for t in raised])
    marked = set(raised)
    return s, sparse_run_length(s, 0, [(t, q + (t in marked)) for t in range(0, s, g)])


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _ranges(t0: int, t1: int, i: int, k: int, s: int, d: int) -> tuple[range, range]:
    """The inputs ``n`` and taps ``m`` that can land in ``[t0, t1]`` (``t = s·n + d·m``)."""
    n_range = range(max(0, _ceil_div(t0 - d * (k - 1), s)), min(i - 1, t1 // s) + 1)
    m_range = range(max(0, _ceil_div(t0 - s * (i - 1), d)), min(k - 1, t1 // d) + 1)
    return n_range, m_range


def border_cost(t0: int, t1: int, i: int, k: int, s: int, d: int) -> int:
    """Work to list the counts of ``[t0, t1]``: its length when short, else the products
    landing there (counted in closed form) plus the loop that enumerates them."""
    if t0 > t1:
        return 0
    if t1 - t0 < limit("overlap.entries"):
        return t1 - t0 + 1
    pairs = pairs_up_to(t1, i, k, s, d) - pairs_up_to(t0 - 1, i, k, s, d)
    return pairs + min(len(r) for r in _ranges(t0, t1, i, k, s, d))


def border_values(
    t0: int, t1: int, i: int, k: int, s: int, d: int, count: Callable[[int], int]
) -> tuple[tuple[int, int], ...]:
    """The counts of ``[t0, t1]`` run-length encoded: ``count(t)`` at each position when
    the segment is short, else from the products ``t = s·n + d·m`` that land in it (a
    long, sparse border).

    >>> border_values(0, 4, 2, 3, 2, 1, lambda t: -1)
    ((-1, 5),)
    >>> border_values(0, 10**6, 2, 2, 10**5, 1, lambda t: -1)[:3]
    ((1, 2), (0, 99998), (1, 2))
    """
    if t1 - t0 < limit("overlap.entries"):
        return run_length([count(t) for t in range(t0, t1 + 1)])
    n_range, m_range = _ranges(t0, t1, i, k, s, d)
    # t = s·n + d·m is symmetric in (n, s) <-> (m, d): loop over the shorter range
    outer, a, b, inner_count = (n_range, s, d, k) if len(n_range) <= len(m_range) else (
        m_range, d, s, i)
    landed: Counter[int] = Counter()
    for u in outer:
        first, last = max(0, _ceil_div(t0 - a * u, b)), min(inner_count - 1, (t1 - a * u) // b)
        for v in range(first, last + 1):
            landed[a * u + b * v - t0] += 1
    return sparse_run_length(t1 - t0 + 1, 0, sorted(landed.items()))
