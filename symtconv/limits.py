"""Cost limits, in one place: what each tier and command accepts, and what to use instead.

Explanation
===========

Every command and every tier estimates its cost *before any work*, in closed form from
the geometry (:meth:`symtconv.Geometry.cost`): the ``y·w`` terms, the entries of the
arrays it builds, the bytes of its largest intermediate arrays, the pixels of a
figure.  :func:`require` compares such a :class:`Cost` with the documented
:data:`LIMITS` and raises :class:`~symtconv.errors.TooLargeError` with one line that
names the limit, the estimate and what to use instead.  A check is a handful of integer
operations, so a geometry with sizes of ``10**19`` is refused in microseconds instead
of hanging or exhausting memory.

The README's "Limits" section lists the same table (:func:`table` prints it).

Examples
========

>>> from symtconv.limits import Cost, require
>>> require(Cost("sympy", terms=49, entries=34))          # within the limits: nothing
>>> require(Cost("sympy", terms=20_000, entries=34, what="prove"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symtconv.errors.TooLargeError: prove: 20,000 y·w terms, but the SymPy tier handles at most ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import TooLargeError

__all__ = [
    "ENGINE_BYTES_PER_OUTPUT",
    "ENGINE_BYTES_PER_TERM",
    "GIB",
    "LIMITS",
    "NUMERIC_BLOCK_ENTRIES",
    "Cost",
    "Limit",
    "limit",
    "require",
    "table",
]

#: One gibibyte.
GIB = 2**30


@dataclass(frozen=True)
class Limit:
    """One documented limit: ``quantity`` of ``tier`` may be at most ``value``.

    ``unit`` names what is counted, ``bounds`` says what it protects, ``instead`` what
    to use past it.
    """

    tier: str
    quantity: str
    value: int
    unit: str
    bounds: str
    instead: str

    @property
    def key(self) -> str:
        """``tier.quantity``, the name a refusal quotes."""
        return f"{self.tier}.{self.quantity}"


_SYMPY_INSTEAD = (
    "use the fast engine (prove --engine fast, prove(..., engine='fast')) or "
    "symtconv.numeric for numbers"
)
_NUMERIC_INSTEAD = (
    "call symtconv.numeric.conv_transpose from Python on smaller blocks (e.g. per "
    "output-channel group or band of rows)"
)

#: Every limit, by ``tier.quantity``.
LIMITS: dict[str, Limit] = {
    lim.key: lim
    for lim in (
        Limit("sympy", "terms", 10_000, "y·w terms", "the SymPy tier (prove --engine sympy, "
              "eval, derive, figure --kind steps): one SymPy expression per term",
              _SYMPY_INSTEAD),
        Limit("sympy", "entries", 100_000, "input and output entries",
              "the SymPy tier: one SymPy object per entry (a huge stride makes a huge, "
              "almost empty output from few terms)", _SYMPY_INSTEAD),
        Limit("engine", "bytes", 2 * GIB, "bytes (estimated peak: 32 per term, 24 per "
              "output entry)", "the fast exact engine (prove --engine fast/auto)",
              "use prove --general (every size at once), or fewer channels or a smaller input"),
        Limit("numeric", "bytes", 2 * GIB, "bytes (output plus one block of GEMM columns)",
              "the numeric tier (eval with floats or past the SymPy tier)", _NUMERIC_INSTEAD),
        Limit("numeric", "products", 10_000_000, "exact products y·w in Python integers",
              "exact eval of integers or rationals too large for int64 (about 0.7 µs each)",
              "use float values (then float64), or " + _NUMERIC_INSTEAD),
        Limit("eval", "entries", 1_000_000, "output entries", "what eval prints",
              "call symtconv.numeric.conv_transpose from Python"),
        Limit("derive", "entries", 250_000, "input and output entries",
              "derive (a document for people: elided matrices, entry by entry)",
              "use prove --engine fast for the proof, or derive --general for every size"),
        Limit("derive", "terms", 30_000, "y·w terms of the axes added up",
              "derive (the per-axis structure of C is listed from Python)",
              "use prove --engine fast for the proof, or derive --general for every size"),
        Limit("derive", "period", 64, "overlap pattern entries (the periods of the axes "
              "added up)", "derive (each interior count of one period is derived with SymPy, "
              "tens of milliseconds each)",
              "use overlap for the counts, or derive --general for every size"),
        Limit("overlap", "entries", 100_000, "listed counts per axis (border counts and "
              "the irregular positions of one period)", "overlap (counts past this length "
              "are summarised as border counts plus one period)",
              "use symtconv.overlap.taps_reaching(t, k, s, d, i) for single positions, or "
              "overlap --symbolic"),
        Limit("overlap", "cells", 4_000_000, "output positions of one channel",
              "Overlap.terms(), the grid of counts (and figure --kind overlap)",
              "use the per-axis counts (Overlap.axes), whose product it is"),
        Limit("figure", "pixels", 50_000_000, "pixels (width·height·dpi²)",
              "figure (a PNG is rendered in memory)", "use a smaller --size or --dpi, or .svg"),
        Limit("figure", "inches", 200, "inches per side", "figure --size",
              "use a smaller --size"),
        Limit("figure", "dpi", 2_400, "dots per inch", "figure --dpi", "use a smaller --dpi"),
        Limit("figure", "terms", 1_000_000, "nonzeros of one channel block of C",
              "figure --kind matrix (each nonzero is placed from Python)",
              "use a smaller geometry (the figure shows one channel block in detail anyway)"),
        Limit("figure", "blocks", 4_096, "channel blocks C_in·C_out",
              "figure --kind matrix (one patch per block)", "use fewer channels"),
    )
}


def limit(key: str) -> int:
    """The value of the limit ``key`` (``"tier.quantity"``).

    >>> limit("sympy.terms")
    10000
    """
    return LIMITS[key].value


@dataclass(frozen=True)
class Cost:
    """What one piece of work costs, estimated in closed form before doing it.

    ``tier`` selects the limits (``sympy``, ``engine``, ``numeric``, ``eval``,
    ``overlap``, ``figure``); each other field is one quantity of that tier (``None``
    when it does not apply).  ``what`` names the work in a refusal.
    """

    tier: str
    terms: int | None = None
    entries: int | None = None
    bytes: int | None = None
    products: int | None = None
    cells: int | None = None
    pixels: int | None = None
    inches: float | None = None
    dpi: int | None = None
    blocks: int | None = None
    period: int | None = None
    what: str = field(default="", compare=False)

    def quantities(self) -> dict[str, int | float]:
        """The estimated quantities that are set."""
        names = ("terms", "entries", "bytes", "products", "cells", "pixels", "inches", "dpi",
                 "blocks", "period")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


_TIER_NAMES = {"sympy": "the SymPy tier", "engine": "the fast engine",
               "numeric": "the numeric tier", "eval": "eval", "overlap": "overlap",
               "derive": "derive",
               "figure": "figure"}


def _amount(value: int | float, unit: str) -> str:
    if unit.startswith("bytes"):
        return f"{value / GIB:,.1f} GiB" if value >= GIB / 10 else f"{int(value):,} bytes"
    shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return f"{shown} {unit.split(' (')[0]}"


def require(cost: Cost) -> None:
    """Raise :class:`~symtconv.errors.TooLargeError` if ``cost`` exceeds a limit of its tier.

    The message is one line: the work, the estimate, the limit's value and name, and what
    to use instead.

    >>> require(Cost("figure", pixels=10**9, what="figure"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symtconv.errors.TooLargeError: figure: 1,000,000,000 pixels, but figure handles at most ...
    """
    for quantity, value in cost.quantities().items():
        lim = LIMITS.get(f"{cost.tier}.{quantity}")
        if lim is None or value <= lim.value:
            continue
        where = f"{cost.what}: " if cost.what else ""
        tier = _TIER_NAMES.get(cost.tier, cost.tier)
        raise TooLargeError(
            f"{where}{_amount(value, lim.unit)}, but {tier} handles at most {_value(lim)} "
            f"({lim.key}); {lim.instead}"
        )


def _value(lim: Limit) -> str:
    return f"{lim.value // GIB} GiB" if lim.unit.startswith("bytes") else f"{lim.value:,}"


def table() -> str:
    """The limits as a Markdown table (the README's "Limits" section).

    >>> print(table().splitlines()[2][:38])
    | `sympy.terms` | 10,000 | y·w terms |
    """
    rows = ["| limit | value | counts | bounds | past it |", "|---|---:|---|---|---|"]
    for lim in LIMITS.values():
        rows.append(f"| `{lim.key}` | {_value(lim)} | {lim.unit} | {lim.bounds} | {lim.instead} |")
    return "\n".join(rows)


#: The fast engine's estimated peak bytes per ``y·w`` term (measured: 16.5 million terms
#: peak at 0.6 GiB, 97 million at 3.1 GB) ...
ENGINE_BYTES_PER_TERM = 32
#: ... and per output entry (a 10⁸-entry output from 300,000 terms reached 2.5 GB).
ENGINE_BYTES_PER_OUTPUT = 24
#: The numeric tier computes its GEMM in blocks of about this many entries
#: (``symtconv.numeric``), or one channel's columns when those are more.
NUMERIC_BLOCK_ENTRIES = 1 << 20
