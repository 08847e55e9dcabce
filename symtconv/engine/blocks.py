"""Blocks: how the engine cuts a layer's outputs so that any accepted proof fits in memory.

Explanation
===========

Every output of a transposed convolution is its own polynomial, so the outputs can be
proved a few at a time: :func:`plan` partitions them into :class:`Block` boxes (a range
of output channels, or one output channel and a tile of its positions), each with at
most :data:`BLOCK_TERMS` ``y·w`` terms and :data:`BLOCK_OUTPUTS` outputs, and every
method is executed on each block in turn.  A block's keys need
``outputs of the block · |y| · |w| < 2**63`` only.

Before any array is built, :func:`estimate` computes in closed form (per axis, a few
integer operations per kernel tap) what the proof will cost: the layer's terms and
outputs, the entries of the whole-layer index maps that flip-and-pad and the VJP build
(zero-inserted and padded maps, the padded ``x``), the number of blocks, and the
estimated peak memory.  :func:`plan` refuses with one line
(:class:`~symtconv.errors.TooLargeError`) past :data:`MAX_TERMS`, :data:`MAP_ENTRIES`,
:data:`MAX_BLOCKS` or the key space.

Examples
========

>>> from symtconv import Geometry
>>> g = Geometry((64, 64), 4, stride=2, padding=1, in_channels=16, out_channels=16)
>>> cost = estimate(g)
>>> cost.terms, cost.blocks, cost.block_terms
(16516096, 4, 4129024)
>>> plan(g)[1]
Block(channels=(4, 8), spatial=((0, 128), (0, 128)))
>>> estimate(Geometry(3, 100_000, dilation=1_000))  # an output of 10**8 from 300,000 terms
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symtconv.errors.TooLargeError: the fast engine: ... would have 199,998,006 entries ...
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

from ..errors import TooLargeError
from ..geometry import Geometry, engine_map_entries
from ..limits import (
    ENGINE_BLOCK_OUTPUTS,
    ENGINE_BLOCK_TERMS,
    ENGINE_BYTES_PER_MAP_ENTRY,
    ENGINE_BYTES_PER_OUTPUT,
    ENGINE_BYTES_PER_TERM,
    limit,
)
from ..tensors import spatial_shape
from .methods import _axes, _Axis
from .term_sets import _KEY_LIMIT, Block

__all__ = [
    "BLOCK_OUTPUTS",
    "BLOCK_TERMS",
    "BYTES_PER_MAP_ENTRY",
    "BYTES_PER_TERM",
    "MAP_ENTRIES",
    "MAX_BLOCKS",
    "MAX_TERMS",
    "EngineCost",
    "estimate",
    "plan",
]

#: The engine proves at most this many ``y·w`` terms per layer (``engine.terms``, a time
#: limit: memory is bounded by the blocks) ...
MAX_TERMS = limit("engine.terms")
#: ... at most this many ``y·w`` terms in one block ...
BLOCK_TERMS = ENGINE_BLOCK_TERMS
#: ... and at most this many outputs.
BLOCK_OUTPUTS = ENGINE_BLOCK_OUTPUTS
#: The whole-layer index maps (flip-and-pad's zero-inserted and padded maps, the VJP's
#: padded ``x``) may have at most this many entries together (``engine.entries``).
MAP_ENTRIES = limit("engine.entries")
#: A layer is proved in at most this many blocks (``engine.blocks``).
MAX_BLOCKS = limit("engine.blocks")
#: Estimated peak bytes per term and per output of a block, and per index-map entry.
BYTES_PER_TERM = ENGINE_BYTES_PER_TERM
BYTES_PER_OUTPUT = ENGINE_BYTES_PER_OUTPUT
BYTES_PER_MAP_ENTRY = ENGINE_BYTES_PER_MAP_ENTRY


def _range_terms(ax: _Axis, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Per range ``[low, high)``: the pairs ``(n, m)`` with ``low <= s·n + d·m - p < high``.

    For each tap ``m`` the inputs that land in the range are the ``n`` between
    ``ceil((low + p - d·m)/s)`` and ``floor((high - 1 + p - d·m)/s)``, clipped to
    ``[0, i)``: one subtraction per tap and range.
    """
    base = ax.d * np.arange(ax.k, dtype=np.int64)[None, :] - ax.p_begin
    first = np.maximum(0, -((base - lows[:, None]) // ax.s))
    last = np.minimum(ax.i - 1, (highs[:, None] - 1 - base) // ax.s)
    counts: np.ndarray = np.maximum(0, last - first + 1).sum(axis=1)
    return counts


class EngineCost(NamedTuple):
    """What a fast-engine proof of a geometry costs, estimated before any work."""

    terms: int
    outputs: int
    map_entries: int
    blocks: int
    block_terms: int
    block_outputs: int

    @property
    def peak_bytes(self) -> int:
        """Estimated peak memory: one block's terms and outputs, plus the index maps."""
        return (
            BYTES_PER_TERM * self.block_terms
            + BYTES_PER_OUTPUT * self.block_outputs
            + BYTES_PER_MAP_ENTRY * self.map_entries
        )


def _refuse(geometry: Geometry, what: str, instead: str) -> TooLargeError:
    return TooLargeError(f"the fast engine: {what} ({geometry.describe()}); {instead}")


_INSTEAD = "use prove --general (every size at once), or fewer channels or a smaller input"


def _tiles(length: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` ranges of nearly equal length covering ``[0, length)``."""
    edges = (np.arange(count + 1, dtype=np.int64) * length) // count
    return edges[:-1], edges[1:]


def _checked(geometry: Geometry) -> tuple[tuple[_Axis, ...], int, int, int]:
    """The axes, the terms per output channel, and the output and key limits of a block;
    refuses past the layer-wide limits (one line naming the limit)."""
    axes = _axes(geometry)
    terms = int(geometry.count_terms())  # closed form per axis
    if terms > MAX_TERMS:
        raise _refuse(
            geometry,
            f"{terms:,} y·w terms, more than MAX_TERMS={MAX_TERMS:,} (engine.terms)",
            _INSTEAD,
        )
    maps = engine_map_entries(geometry)
    if maps > MAP_ENTRIES:
        raise _refuse(
            geometry,
            f"flip-and-pad's zero-inserted and padded maps or the VJP's padded x would have "
            f"{maps:,} entries ({maps * BYTES_PER_MAP_ENTRY / 2**30:,.1f} GiB), more than "
            f"MAP_ENTRIES={MAP_ENTRIES:,} (engine.entries)",
            "use prove --general (every size at once), or a smaller stride or dilation",
        )
    per_channel = terms // int(geometry.out_channels)
    ys = math.prod(spatial_shape(geometry, geometry.input_shape))
    ws = math.prod(spatial_shape(geometry, geometry.weight_shape))
    key_outputs = _KEY_LIMIT // (ys * ws)
    if key_outputs < 1:
        raise _refuse(
            geometry,
            f"a term key needs |y|·|w| = {ys:,}·{ws:,} < 2**63 for even one output",
            _INSTEAD,
        )
    return axes, per_channel, min(BLOCK_OUTPUTS, key_outputs), terms


def plan(geometry: Geometry) -> tuple[Block, ...]:
    """The blocks a proof of ``geometry`` runs on: they partition the outputs.

    Explanation
    ===========

    When one output channel fits in a block, blocks are ranges of whole output channels
    (as many as fit).  Otherwise each channel is cut into tiles: the axis with the
    longest tiles is cut in two until the largest tile has at most :data:`BLOCK_TERMS`
    terms (counted exactly per axis, :func:`_range_terms`) and :data:`BLOCK_OUTPUTS`
    outputs.  Refuses (:class:`~symtconv.errors.TooLargeError`, one line) past the
    limits of :func:`estimate`, or when a single output has more terms than a block
    holds.

    >>> from symtconv import Geometry
    >>> plan(Geometry((3, 3), 3, stride=2, padding=1))
    (Block(channels=(0, 1), spatial=((0, 5), (0, 5))),)
    """
    axes, per_channel, block_outputs, _ = _checked(geometry)
    out_channels = int(geometry.out_channels)
    spatial = math.prod(ax.o for ax in axes)
    if per_channel <= BLOCK_TERMS and spatial <= block_outputs:
        chunk = min(out_channels, BLOCK_TERMS // max(per_channel, 1), block_outputs // spatial)
        whole = tuple((0, ax.o) for ax in axes)
        blocks = tuple(
            Block((first, min(first + chunk, out_channels)), whole)
            for first in range(0, out_channels, chunk)
        )
    else:
        per_group_in = geometry.in_channels // geometry.groups
        counts = [1] * len(axes)
        while True:
            tiles = [_tiles(ax.o, n) for ax, n in zip(axes, counts, strict=True)]
            longest = [int((high - low).max()) for low, high in tiles]
            most = per_group_in * math.prod(
                int(_range_terms(ax, low, high).max())
                for ax, (low, high) in zip(axes, tiles, strict=True)
            )
            if most <= BLOCK_TERMS and math.prod(longest) <= block_outputs:
                break
            axis = int(np.argmax(longest))
            if longest[axis] == 1:
                raise _refuse(
                    geometry,
                    f"a single output has up to {most:,} y·w terms, more than one block "
                    f"holds (BLOCK_TERMS={BLOCK_TERMS:,})",
                    _INSTEAD,
                )
            counts[axis] = min(axes[axis].o, 2 * counts[axis])
        ranges = [
            [(int(lo), int(hi)) for lo, hi in zip(low, high, strict=True)] for low, high in tiles
        ]
        blocks = tuple(
            Block((channel, channel + 1), box)
            for channel in range(out_channels)
            for box in itertools.product(*ranges)
        )
    if len(blocks) > MAX_BLOCKS:
        raise _refuse(
            geometry,
            f"the outputs need {len(blocks):,} blocks, more than MAX_BLOCKS={MAX_BLOCKS:,} "
            "(engine.blocks)",
            _INSTEAD,
        )
    return blocks


def estimate(geometry: Geometry) -> EngineCost:
    """The cost of a fast-engine proof of ``geometry``, before any work (see :func:`plan`).

    Raises :class:`~symtconv.errors.TooLargeError` (one line naming the limit) when the
    engine would refuse the geometry.

    >>> from symtconv import Geometry
    >>> cost = estimate(Geometry((22, 22), 7, in_channels=64, out_channels=64))
    >>> cost.terms, cost.blocks, cost.peak_bytes < 2**30
    (97140736, 32, True)
    """
    axes, _, _, terms = _checked(geometry)
    blocks = plan(geometry)
    per_group_in = geometry.in_channels // geometry.groups
    block_terms = block_outputs = 0
    for block in {(b.channels[1] - b.channels[0], b.spatial) for b in blocks}:
        channels, box = block
        block_terms = max(
            block_terms,
            channels
            * per_group_in
            * math.prod(
                int(_range_terms(ax, np.array([lo]), np.array([hi]))[0])
                for ax, (lo, hi) in zip(axes, box, strict=True)
            ),
        )
        block_outputs = max(block_outputs, channels * math.prod(hi - lo for lo, hi in box))
    return EngineCost(
        terms=terms,
        outputs=int(geometry.out_channels) * math.prod(ax.o for ax in axes),
        map_entries=engine_map_entries(geometry),
        blocks=len(blocks),
        block_terms=block_terms,
        block_outputs=block_outputs,
    )
