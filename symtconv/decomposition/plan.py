"""The sub-pixel (polyphase) plan of a transposed convolution, and its execution.

Explanation
===========

Per axis, the scatter sends ``y[n]·w[m]`` to the uncropped position ``J = s·n + d·m``
(the output keeps ``J - p_begin``).  Write ``J = s·q + r`` with the *phase*
``0 <= r < s`` and ``d·m = r + s·c``: then ``q = n + c``, so

    x_full[s·q + r] = Σ_c y[q - c] · w[m]   over the taps m with d·m = r + s·c,

a stride-1 convolution of ``y`` with the *sub-kernel* of phase ``r``: the taps with
``d·m ≡ r (mod s)``, at offsets ``c = (d·m - r)/s``.  Every phase shares one sub-kernel
length ``T = floor(d(k-1)/s) + 1`` (``ceil(k/s)`` when ``d = 1``); a phase with fewer
taps gets zero taps.  Correlation (what a ``Conv`` computes) reads the sub-kernel
backwards: tap ``u`` of phase ``r`` is the ``m`` with ``d·m = r + s·(T-1-u)``.

Only the phase outputs ``q0 = floor(p_begin/s) <= q < q1 = ceil((p_begin + o)/s)`` are
needed, ``Q = q1 - q0`` of them, so ``y`` is padded by ``P0 = T-1-q0`` before and
``P1 = q1 - i`` after (a negative amount is a crop of ``y``).  The ``C_out·Πs`` phase
channels, in the order ``(c_out, r_1, ..., r_N)`` (PyTorch's ``pixel_shuffle`` order,
ONNX ``DepthToSpace`` mode ``CRD``), are interleaved to ``s·Q`` positions, of which the
crop keeps ``[p_begin mod s, p_begin mod s + o)``.  ``output_padding`` needs nothing of
its own: it only lengthens ``o``.  Channels and groups carry over unchanged (each
phase channel of output channel ``c_out`` belongs to ``c_out``'s group), which is why
the channel order must be ``CRD``: in ``DCR`` order (phase-major) a group's phase
channels would not be contiguous.

Examples
========

>>> import numpy as np
>>> from symtconv import Geometry
>>> from symtconv.decomposition import decompose
>>> plan = decompose(Geometry((3, 3), 3, stride=2, padding=1))
>>> plan.sub_kernel, plan.conv_channels, plan.crop
((2, 2), (4, 1), ((1, 0), (1, 0)))
>>> y = np.array([[[9, 1, 3], [7, 8, 7], [8, 2, 2]]])
>>> w = np.array([[[[4, 2, 3], [1, 4, 3], [1, 1, 1]]]])
>>> plan.apply(y, w)[0]
array([[36, 28,  4,  6, 12],
       [23, 63, 17, 56, 17],
       [28, 29, 32, 31, 28],
       [23, 47, 12, 29, 11],
       [32, 26,  8,  8,  8]])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ParameterTypeError, ShapeError
from ..geometry import Geometry
from ..numeric import conv

__all__ = ["AxisPlan", "Decomposition", "decompose", "axis_numbers", "tap_position"]

Array = npt.NDArray[Any]


# --------------------------------------------------------------------------- #
# One axis: the formulas, written once (they also run on SymPy symbols)
# --------------------------------------------------------------------------- #


def tap_position(r: Any, u: Any, T: Any, s: Any) -> Any:
    """``d·m`` of the tap read at position ``u`` of phase ``r``'s correlation kernel.

    Phase ``r`` receives the taps with ``d·m = r + s·c`` (offset ``c``); a correlation
    reads offset ``c = T-1-u`` at position ``u``.  Works on ints and SymPy expressions.

    >>> tap_position(1, 0, 2, 2)      # k=3, s=2: phase 1, first position -> d·m = 3
    3
    """
    return r + s * (T - 1 - u)


def axis_numbers(
    i: Any, k: Any, s: Any, p_begin: Any, p_end: Any, a: Any, d: Any
) -> dict[str, Any]:
    """The plan of one axis as numbers: sub-kernel length, input padding, phases, crop.

    Every formula is written with ``//`` (floor division), so it runs on ints and on
    SymPy integer symbols alike (``//`` is ``floor`` there); the general proof feeds it
    symbols.

    >>> n = axis_numbers(3, 3, 2, 1, 1, 0, 1)
    >>> n["T"], n["q0"], n["Q"], n["P0"], n["P1"], n["crop_begin"], n["crop_end"]
    (2, 0, 3, 1, 0, 1, 0)
    """
    o = (i - 1) * s - p_begin - p_end + d * (k - 1) + a + 1
    T = d * (k - 1) // s + 1  # offsets c = floor(d·m/s) run over 0..floor(d(k-1)/s)
    q0 = p_begin // s  # first phase output the crop keeps
    q1 = -((-(p_begin + o)) // s)  # ceil((p_begin + o)/s): one past the last
    Q = q1 - q0
    P0 = T - 1 - q0  # correlation: phase output q' reads y[q0 + q' - (T-1) + u]
    P1 = q1 - i  # so that the padded length i + P0 + P1 is Q + T - 1
    crop_begin = p_begin - s * q0  # p_begin mod s
    return {
        "o": o,
        "T": T,
        "q0": q0,
        "Q": Q,
        "P0": P0,
        "P1": P1,
        "crop_begin": crop_begin,
        "crop_end": s * Q - crop_begin - o,
    }


@dataclass(frozen=True)
class AxisPlan:
    """The decomposition of one axis.

    ``taps[r][u]`` is the kernel tap ``m`` read at position ``u`` of phase ``r``'s
    stride-1 correlation, or ``-1`` for a zero tap.  ``pad`` is ``(P0, P1)``, the
    padding of ``y`` before the convolution (negative: a crop of ``y``); ``length`` is
    ``Q``, the number of outputs of each phase; ``crop`` the ``(begin, end)`` crop of
    the ``s·Q`` interleaved positions.
    """

    stride: int
    kernel: int
    taps: tuple[tuple[int, ...], ...]
    pad: tuple[int, int]
    length: int
    crop: tuple[int, int]

    @property
    def sub_kernel(self) -> int:
        """``T``, the length of every phase's sub-kernel."""
        return len(self.taps[0])

    @classmethod
    def of(cls, i: int, k: int, s: int, p_begin: int, p_end: int, a: int, d: int) -> AxisPlan:
        n = axis_numbers(i, k, s, p_begin, p_end, a, d)
        T = n["T"]
        taps = []
        for r in range(s):
            row = []
            for u in range(T):
                dm = tap_position(r, u, T, s)
                row.append(dm // d if dm % d == 0 and dm // d < k else -1)
            taps.append(tuple(row))
        return cls(s, k, tuple(taps), (n["P0"], n["P1"]), n["Q"],
                   (n["crop_begin"], n["crop_end"]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "stride": self.stride,
            "sub_kernel": self.sub_kernel,
            "taps_per_phase": [list(row) for row in self.taps],
            "input_pad": list(self.pad),
            "phase_length": self.length,
            "crop": list(self.crop),
        }


# --------------------------------------------------------------------------- #
# The steps, each a function of arrays (values, or index maps with fill -1)
# --------------------------------------------------------------------------- #


def pad_or_crop(array: Array, pads: Sequence[tuple[int, int]], fill: Any = 0) -> Array:
    """Pad (``fill``) or crop (negative amounts) the last ``len(pads)`` axes of ``array``.

    >>> pad_or_crop(np.arange(4), [(1, -2)]).tolist()
    [0, 0, 1]
    """
    lead = array.ndim - len(pads)
    shape = list(array.shape[:lead]) + [
        n + b + e for n, (b, e) in zip(array.shape[lead:], pads, strict=True)
    ]
    out = np.full(shape, fill, dtype=array.dtype)
    source: list[slice] = [slice(None)] * lead
    target: list[slice] = [slice(None)] * lead
    for n, (b, _), new in zip(array.shape[lead:], pads, shape[lead:], strict=True):
        start, stop = max(0, -b), min(n, new - b)
        stop = max(start, stop)
        source.append(slice(start, stop))
        target.append(slice(start + b, stop + b))
    out[tuple(target)] = array[tuple(source)]
    return out


def pixel_shuffle(z: Array, strides: Sequence[int]) -> Array:
    """Interleave phase channels: ``(N, C·Πs, *Q) -> (N, C, *(s·Q))``, CRD order.

    Channel ``c·Πs + flat(r)`` (``r`` row-major over the axes) lands at positions
    ``s·q + r``: PyTorch's ``pixel_shuffle`` (and ONNX ``DepthToSpace``, mode ``CRD``)
    generalised to N-d and per-axis factors.

    >>> pixel_shuffle(np.arange(6).reshape(1, 2, 3), [2]).tolist()
    [[[0, 3, 1, 4, 2, 5]]]
    """
    ndim = len(strides)
    batch, channels = z.shape[0], z.shape[1] // math.prod(strides)
    lengths = z.shape[2:]
    split = z.reshape(batch, channels, *strides, *lengths)
    # (N, C, s_1..s_N, Q_1..Q_N) -> (N, C, Q_1, s_1, ..., Q_N, s_N)
    order = [0, 1] + [a for n in range(ndim) for a in (2 + ndim + n, 2 + n)]
    return split.transpose(order).reshape(
        batch, channels, *(q * s for q, s in zip(lengths, strides, strict=True))
    )


def crop(array: Array, crops: Sequence[tuple[int, int]]) -> Array:
    """Drop ``(begin, end)`` entries of each of the last ``len(crops)`` axes."""
    lead = array.ndim - len(crops)
    index = (slice(None),) * lead + tuple(
        slice(b, n - e) for n, (b, e) in zip(array.shape[lead:], crops, strict=True)
    )
    return array[index]


# --------------------------------------------------------------------------- #
# The plan
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Decomposition:
    """A transposed convolution as one stride-1 convolution, a pixel shuffle and a crop.

    Explanation
    ===========

    ``axes`` holds one :class:`AxisPlan` per spatial axis.  The convolution has
    ``C_in`` input channels, ``C_out·Πs`` output channels, ``groups`` groups, kernel
    :attr:`sub_kernel`, stride 1, dilation 1 and padding :attr:`input_pad` (negative:
    crop ``y`` first); its weight is :meth:`rearrange_weight` of PyTorch's
    ``(C_in, C_out/g, *k)`` weight.  Then :func:`pixel_shuffle` with factors
    ``stride`` (channel order ``CRD``) and the :attr:`crop`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> plan = decompose(Geometry(4, 5, stride=2, padding=1, output_padding=1))
    >>> plan.axes[0].taps                 # phase 0 reads taps 4, 2, 0; phase 1: -, 3, 1
    ((4, 2, 0), (-1, 3, 1))
    >>> plan.macs()["decomposition"], plan.macs()["flip_and_pad"]
    (36, 50)
    """

    geometry: Geometry
    axes: tuple[AxisPlan, ...]

    # -- the structure ------------------------------------------------------ #

    @property
    def stride(self) -> tuple[int, ...]:
        """The pixel-shuffle factor per axis (the stride)."""
        return tuple(ax.stride for ax in self.axes)

    @property
    def phases(self) -> int:
        """``Πs``, the number of phases (phase channels per output channel)."""
        return math.prod(self.stride)

    @property
    def sub_kernel(self) -> tuple[int, ...]:
        """The stride-1 convolution's kernel size ``T`` per axis."""
        return tuple(ax.sub_kernel for ax in self.axes)

    @property
    def input_pad(self) -> tuple[tuple[int, int], ...]:
        """``(P0, P1)`` per axis: padding of ``y`` (negative: crop) before the conv."""
        return tuple(ax.pad for ax in self.axes)

    @property
    def phase_length(self) -> tuple[int, ...]:
        """``Q`` per axis: the convolution's output size."""
        return tuple(ax.length for ax in self.axes)

    @property
    def crop(self) -> tuple[tuple[int, int], ...]:
        """``(begin, end)`` crop of the interleaved output, per axis (each ``< s``)."""
        return tuple(ax.crop for ax in self.axes)

    @property
    def conv_channels(self) -> tuple[int, int]:
        """``(out, in)`` channels of the convolution: ``(C_out·Πs, C_in)``."""
        return self.geometry.out_channels * self.phases, self.geometry.in_channels

    @property
    def conv_weight_shape(self) -> tuple[int, ...]:
        """``(C_out·Πs, C_in/groups, *T)``, PyTorch's (and ONNX's) conv weight layout."""
        g = self.geometry
        return (g.out_channels * self.phases, g.in_channels // g.groups, *self.sub_kernel)

    # -- the steps ---------------------------------------------------------- #

    def rearrange_weight(self, w: npt.ArrayLike, fill: Any = 0) -> Array:
        """PyTorch's ``(C_in, C_out/g, *k)`` weight as the conv's ``(C_out·Πs, C_in/g, *T)``.

        Conv output channel ``c_out·Πs + flat(r)``, input channel ``c`` (within the
        group) and position ``u`` hold ``w[c, c_out mod C_out/g, taps[r][u]]`` per axis,
        ``fill`` where a tap is ``-1``.

        >>> from symtconv import Geometry
        >>> plan = decompose(Geometry(3, 3, stride=2))
        >>> plan.rearrange_weight(np.array([[[10, 20, 30]]]))[:, 0].tolist()
        [[30, 10], [0, 20]]
        """
        g = self.geometry
        w = np.asarray(w)
        if w.shape != tuple(g.weight_shape):
            raise ShapeError(
                f"weight must have shape (C_in, C_out/groups, *kernel_size) = "
                f"{tuple(g.weight_shape)}, got weight.shape={w.shape}"
            )
        ndim = len(self.axes)
        for n, ax in enumerate(self.axes):
            # append one `fill` entry at index k; a tap -1 reads it
            axis = 2 + 2 * n
            pad_shape = list(w.shape)
            pad_shape[axis] = 1
            w = np.concatenate([w, np.full(pad_shape, fill, dtype=w.dtype)], axis=axis)
            table = np.array(ax.taps, dtype=np.int64)
            table[table < 0] = ax.kernel
            w = np.take(w, table.reshape(-1), axis=axis)
            w = w.reshape(*w.shape[:axis], ax.stride, ax.sub_kernel, *w.shape[axis + 1 :])
        groups, cin_g = g.groups, g.in_channels // g.groups
        w = w.reshape(groups, cin_g, *w.shape[1:])
        # (g, c_in, c_out, s_1, T_1, ..., s_N, T_N) -> (g, c_out, s_1..s_N, c_in, T_1..T_N)
        order = (
            [0, 2]
            + [3 + 2 * n for n in range(ndim)]
            + [1]
            + [4 + 2 * n for n in range(ndim)]
        )
        return np.ascontiguousarray(w.transpose(order)).reshape(self.conv_weight_shape)

    def conv_bias(self, bias: npt.ArrayLike) -> Array:
        """The conv's bias: each output channel's bias repeated for its ``Πs`` phases."""
        b = np.asarray(bias)
        if b.shape != (self.geometry.out_channels,):
            raise ShapeError(
                f"bias must have shape (C_out,) = ({self.geometry.out_channels},), "
                f"got bias.shape={b.shape}"
            )
        return np.repeat(b, self.phases)

    def apply(self, y: npt.ArrayLike, w: npt.ArrayLike, bias: npt.ArrayLike | None = None) -> Array:
        """The transposed convolution, computed as stride-1 conv + pixel shuffle + crop.

        No zero is inserted: the convolution is :func:`symtconv.numeric.conv` with
        stride 1 on ``y`` (padded or cropped by :attr:`input_pad`).  Exact on integers,
        like :func:`symtconv.numeric.conv_transpose`, which it equals.

        Parameters
        ==========

        y : ``(N, C_in, *i)`` or ``(C_in, *i)``.
        w : PyTorch's ``(C_in, C_out/groups, *k)``.
        bias : ``(C_out,)``, optional.
        """
        g = self.geometry
        y = np.asarray(y)
        if y.dtype.kind not in "iufcO":
            raise ParameterTypeError(f"y must hold numbers, got dtype {y.dtype}")
        batched = y.ndim == g.ndim + 2
        if not batched:
            y = y[None]
        if tuple(y.shape[1:]) != tuple(g.input_shape):
            raise ShapeError(
                f"y must have shape (N, C_in, *input_size) or (C_in, *input_size) with "
                f"(C_in, *input_size) = {tuple(g.input_shape)}, got y.shape="
                f"{y.shape if batched else y.shape[1:]}"
            )
        weight = self.rearrange_weight(w)
        b = None if bias is None else self.conv_bias(bias)
        padded = pad_or_crop(y, self.input_pad)
        z = conv(padded, weight, b, groups=g.groups)
        x = crop(pixel_shuffle(z, self.stride), self.crop)
        return x if batched else x[0]

    # -- costs -------------------------------------------------------------- #

    def macs(self) -> dict[str, int]:
        """Multiply-adds per sample, in closed form.

        ``decomposition``: the stride-1 conv, ``C_out·Πs · C_in/g · Π(Q·T)`` (zero taps
        included: the conv does them); ``flip_and_pad``: the stride-1 correlation over
        the zero-inserted, padded input, ``C_out · C_in/g · Π(o·k)``; ``scatter``: every
        product ``y[n]·w[m]`` formed, ``C_in · C_out/g · Π(i·k)`` (GEMM then col2im, as
        frameworks do); ``useful``: the products that land in the output (the
        ``y·w`` terms).
        """
        g = self.geometry
        per_group = (g.in_channels // g.groups) * g.out_channels
        axes = g.axes
        return {
            "decomposition": per_group
            * math.prod(ax.stride * ax.length * ax.sub_kernel for ax in self.axes),
            "flip_and_pad": per_group * math.prod(int(a.output) * int(a.k) for a in axes),
            "scatter": per_group * math.prod(int(a.i) * int(a.k) for a in axes),
            "useful": int(g.count_terms()),
        }

    def to_dict(self) -> dict[str, Any]:
        """The recipe as JSON-friendly data."""
        g = self.geometry
        return {
            "geometry": g.to_dict(),
            "conv": {
                "in_channels": g.in_channels,
                "out_channels": g.out_channels * self.phases,
                "groups": g.groups,
                "kernel_size": list(self.sub_kernel),
                "stride": 1,
                "dilation": 1,
                "input_pad": [list(p) for p in self.input_pad],
                "output_size": list(self.phase_length),
                "weight_shape": list(self.conv_weight_shape),
            },
            "weight": {
                "from": "PyTorch (C_in, C_out/groups, *k)",
                "rule": "wc[c_out*prod(s) + flat(r), c, u] = w[group(c_out)*C_in/groups + c, "
                "c_out mod C_out/groups, taps[r][u] per axis] (0 where a tap is -1)",
                "axes": [ax.to_dict() for ax in self.axes],
            },
            "pixel_shuffle": {
                "factors": list(self.stride),
                "order": "CRD: channel c_out*prod(s) + flat(r) (PyTorch pixel_shuffle; "
                "ONNX DepthToSpace mode='CRD'; not DCR/TensorFlow depth_to_space)",
            },
            "crop": [list(c) for c in self.crop],
            "macs": self.macs(),
        }

    def __str__(self) -> str:
        g = self.geometry
        macs = self.macs()
        lines = [
            f"sub-pixel decomposition of {g.describe()}",
            f"1. pad y by {list(self.input_pad)} per axis (negative = crop)",
            f"2. stride-1 conv: {g.in_channels} -> {self.conv_channels[0]} channels, "
            f"groups={g.groups}, kernel {self.sub_kernel}, weight {self.conv_weight_shape}, "
            f"output {self.phase_length}",
        ]
        for n, ax in enumerate(self.axes):
            rows = "; ".join(
                f"r={r}: " + " ".join("0" if m < 0 else f"w{m}" for m in row)
                for r, row in enumerate(ax.taps)
            )
            lines.append(f"   axis {n} taps per phase (correlation order): {rows}")
        lines += [
            f"3. pixel shuffle by {self.stride} (CRD order = PyTorch pixel_shuffle)",
            f"4. crop {list(self.crop)} (begin, end) -> output {g.output_size}",
            "multiply-adds per sample: "
            + ", ".join(f"{k} {v:,}" for k, v in macs.items())
            + f" (decomposition / flip-and-pad = "
            f"{macs['decomposition'] / macs['flip_and_pad']:.3f})",
        ]
        return "\n".join(lines)


def decompose(geometry: Geometry) -> Decomposition:
    """The sub-pixel decomposition of a concrete geometry (any dilation, N axes, groups).

    >>> from symtconv import Geometry
    >>> decompose(Geometry((3, 3), 3, stride=2, padding=1)).stride
    (2, 2)
    """
    if not isinstance(geometry, Geometry):
        raise ParameterTypeError(
            f"geometry must be a symtconv.Geometry, got {type(geometry).__name__}"
        )
    if geometry.is_symbolic:
        raise ParameterTypeError(
            "decompose needs a concrete geometry (integers); for symbolic sizes use "
            f"symtconv.decomposition.prove_general, got {geometry.describe()}"
        )
    axes = tuple(
        AxisPlan.of(*(int(v) for v in (ax.i, ax.k, ax.s, ax.p_begin, ax.p_end, ax.a, ax.d)))
        for ax in geometry.axes
    )
    return Decomposition(geometry, axes)
