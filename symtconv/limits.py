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
    "ENGINE_BLOCK_OUTPUTS",
    "ENGINE_BLOCK_TERMS",
    "ENGINE_BYTES_PER_MAP_ENTRY",
    "ENGINE_BYTES_PER_OUTPUT",
    "ENGINE_BYTES_PER_TERM",
    "bytes_text",
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
        Limit("prove", "terms", 2_500, "y·w terms", "prove --engine sympy (the four methods "
              "built and compared as SymPy expressions: seconds per thousand terms)",
              "use the fast engine (prove --engine fast), exact as well"),
        Limit("sympy", "entries", 100_000, "input and output entries",
              "the SymPy tier: one SymPy object per entry (a huge stride makes a huge, "
              "almost empty output from few terms)", _SYMPY_INSTEAD),
        Limit("engine", "bytes", 2 * GIB, "bytes (estimated peak of one block of outputs: "
              "64 per term, 16 per output, plus 8 per index-map entry)",
              "the fast exact engine (prove --engine fast/auto), which works in blocks of "
              "at most 4,194,304 terms and outputs",
              "use prove --general (every size at once), or fewer channels or a smaller input"),
        Limit("engine", "terms", 100_000_000, "y·w terms", "the fast exact engine's time "
              "(the 97-million-term 64→64, 22×22, k=7 layer: about 15 s)",
              "use prove --general (every size at once), or fewer channels or a smaller input"),
        Limit("engine", "entries", 1 << 25, "entries of the whole-layer index maps "
              "(flip-and-pad's zero-inserted and padded input, the VJP's padded x)",
              "the fast exact engine (a huge stride or dilation makes huge, almost empty maps)",
              "use prove --general (every size at once), or a smaller stride or dilation"),
        Limit("engine", "blocks", 4_096, "blocks of outputs",
              "the fast exact engine (per-block work in Python)",
              "use prove --general (every size at once), or fewer channels"),
        Limit("numeric", "bytes", 2 * GIB, "bytes (output plus one block of GEMM columns)",
              "the numeric tier (eval with floats or past the SymPy tier)", _NUMERIC_INSTEAD),
        Limit("numeric", "products", 10_000_000, "exact products y·w in Python integers",
              "exact eval of integers or rationals too large for int64 (about 0.7 µs each)",
              "use float values (then float64), or " + _NUMERIC_INSTEAD),
        Limit("eval", "entries", 1_000_000, "output entries", "what eval prints",
              "call symtconv.numeric.conv_transpose from Python"),
        Limit("values", "bytes", 64 * 2**20, "bytes of one value argument (inline, @PATH "
              "or -)", "reading --input-values, --kernel-values, --expected (parsed in "
              "memory)", "call symtconv.numeric.conv_transpose from Python on arrays"),
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
        Limit("decompose", "taps", 1_000_000, "entries of the phase tables (stride·sub-kernel "
              "length, added up over the axes)", "decompose (the plan lists the tap each "
              "phase reads at each position)", "use a smaller stride, kernel or dilation (the "
              "sub-pixel rewrite pays off for small strides)"),
        Limit("figure", "pixels", 50_000_000, "pixels (width·height·dpi²)",
              "figure (a PNG is rendered in memory; SVG and PDF are held to the same canvas)",
              "use a smaller --size or --dpi"),
        Limit("figure", "inches", 200, "inches per side", "figure --size",
              "use a smaller --size"),
        Limit("figure", "dpi", 2_400, "dots per inch", "figure --dpi", "use a smaller --dpi"),
        Limit("figure", "terms", 1_000_000, "nonzeros of one channel block of C",
              "figure --kind matrix (each nonzero is placed from Python)",
              "use a smaller geometry (the figure shows one channel block in detail anyway)"),
        Limit("figure", "blocks", 1_024, "channel blocks C_in·C_out",
              "figure --kind matrix (one patch per block)", "use fewer channels"),
        Limit("figure", "cells", 1_000_000, "cells of the drawn grids",
              "figure --kind steps (its five grids) and --kind overlap (the 2-D heat map)",
              "use a smaller geometry, or symtconv overlap for the per-axis counts"),
        Limit("figure", "bars", 20_000, "bars (one patch each)",
              "figure --kind overlap for 1-D and 3-D geometries",
              "use symtconv overlap for the per-axis counts"),
        Limit("figure", "taps", 10_000, "kernel taps (one colour each)",
              "figure --kind matrix", "use a smaller kernel"),
        Limit("onnx", "bytes", 2 * GIB, "bytes (the output and its working copy, 8 per "
              "entry)", "symtconv.conventions.onnx_conv_transpose (e.g. a huge output_shape)",
              "use a smaller output_shape, or compute the output in blocks of channels"),
        Limit("decompose", "terms", 30_000_000, "candidate y·w pairs (the stride-1 conv's "
              "multiply-adds, about 30 bytes each at the peak)",
              "decompose's concrete proof (prove_concrete), executed on the fast engine",
              "use a smaller layer with the same k, s, p, d (the index map is per axis), "
              "or decompose --proof general, or --proof none for the plan alone"),
        Limit("decompose", "entries", 2**28, "entries of the rearranged weight "
              "C_out·Πs·C_in/g·ΠT", "decompose --onnx (to_onnx): 1 GiB of float32, a "
              "protobuf model cannot exceed 2 GiB",
              "use fewer channels, or call symtconv.decompose from Python and run the plan"),
        Limit("audit", "layers", 10_000, "transposed convolutions in the model",
              "audit (one analysis and one report row per layer)",
              "use audit on the model in parts (e.g. torch submodules)"),
        Limit("audit", "terms", 400_000_000, "y·w terms of the distinct geometries added "
              "up", "audit --prove (the fast engine, about 10 million terms a second; each "
              "layer also within engine.bytes)", "use audit without --prove, or prove single "
              "layers with prove --engine fast or prove --general"),
        Limit("audit", "entries", 100_000_000, "entries of X, W and Y of the layers added up",
              "audit --runtime (each layer is run on one sample)",
              "use audit without --runtime, or run single layers with eval"),
        Limit("explore", "cells", 20_000, "cells the page draws (y, w twice, the padded "
              "input, x, and the matrix: entries of x times entries of y)",
              "explore (past it a browser still draws, but the page is no longer usable)",
              "use smaller sizes, or figure --kind matrix / --kind steps"),
        Limit("animation", "frames", 200, "frames (one per output entry plus four)",
              "figure --kind animation (write_animation)",
              "use a smaller input, or figure --kind steps for one picture"),
        Limit("animation", "cells", 900, "cells of the padded input (drawn cell by cell "
              "in every frame)", "figure --kind animation",
              "use a smaller input or kernel, or figure --kind steps"),
        Limit("animation", "pixels", 60_000_000, "pixels of all frames "
              "(frames·width·height·dpi²)", "figure --kind animation (Pillow holds every "
              "frame in memory, 4 bytes a pixel)", "use a smaller --size or --dpi"),
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
    ``overlap``, ``derive``, ``figure``, ``decompose``, ``audit``, ``explore``,
    ``animation``); each other field is one quantity of that tier (``None``
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
    taps: int | None = None
    layers: int | None = None
    frames: int | None = None
    what: str = field(default="", compare=False)

    def quantities(self) -> dict[str, int | float]:
        """The estimated quantities that are set."""
        names = ("terms", "entries", "bytes", "products", "cells", "pixels", "inches", "dpi",
                 "blocks", "period", "taps", "layers", "frames")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


_TIER_NAMES = {"sympy": "the SymPy tier", "engine": "the fast engine",
               "numeric": "the numeric tier", "eval": "eval", "overlap": "overlap",
               "derive": "derive", "values": "reading values", "prove": "the SymPy proof",
               "figure": "figure", "decompose": "decompose", "audit": "audit",
               "explore": "the explorer", "animation": "the animation"}


def bytes_text(value: int | float) -> str:
    """A number of bytes for people: ``'1.5 GiB'``; exact integer arithmetic, so a size of
    ``10**400`` (which has no float) prints too.

    >>> bytes_text(3 * 2**29), bytes_text(512), bytes_text(10**400)
    ('1.5 GiB', '512 bytes', 'about 10^400 bytes')
    """
    value = int(value)
    if value < GIB // 10:
        return f"{value:,} bytes"
    if value >= 10**18:
        return f"about 10^{len(str(value)) - 1} bytes"
    tenths = value * 10 // GIB
    return f"{tenths // 10:,}.{tenths % 10} GiB"


def _amount(value: int | float, unit: str) -> str:
    if unit.startswith("bytes"):
        return bytes_text(value)
    if isinstance(value, int):
        shown = f"about 10^{len(str(value)) - 1}" if value >= 10**18 else f"{value:,}"
    else:
        shown = f"{value:g}"
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
    if not lim.unit.startswith("bytes"):
        return f"{lim.value:,}"
    if lim.value % GIB == 0:
        return f"{lim.value // GIB} GiB"
    return f"{lim.value // 2**20} MiB"


def table() -> str:
    """The limits as a Markdown table (the README's "Limits" section).

    >>> print(table().splitlines()[2][:38])
    | `sympy.terms` | 10,000 | y·w terms |
    """
    rows = ["| limit | value | counts | bounds | past it |", "|---|---:|---|---|---|"]
    for lim in LIMITS.values():
        rows.append(f"| `{lim.key}` | {_value(lim)} | {lim.unit} | {lim.bounds} | {lim.instead} |")
    return "\n".join(rows)


#: The fast engine proves a layer in blocks of outputs with at most this many ``y·w``
#: terms ...
ENGINE_BLOCK_TERMS = 1 << 22
#: ... and at most this many outputs (``symtconv.engine.blocks``).
ENGINE_BLOCK_OUTPUTS = 1 << 22
#: The engine's estimated peak bytes per ``y·w`` term of a block (its reference set, a
#: method's index arrays while they are joined, a sort in place; measured: the
#: 16.5-million-term layer in 4 blocks peaks at 195 MiB for the whole process) ...
ENGINE_BYTES_PER_TERM = 64
#: ... per output of a block ...
ENGINE_BYTES_PER_OUTPUT = 16
#: ... and per entry of the whole-layer index maps.
ENGINE_BYTES_PER_MAP_ENTRY = 8
#: The numeric tier computes its GEMM in blocks of about this many entries
#: (``symtconv.numeric``), or one channel's columns when those are more.
NUMERIC_BLOCK_ENTRIES = 1 << 20
