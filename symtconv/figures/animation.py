"""The animation: flip-and-pad step by step, then the flipped kernel sliding over the input.

Explanation
===========

Like Dumoulin & Visin's animations, with symbols, dilation and output_padding: the frames
show the input ``y`` and the kernel ``w``; ``s-1`` zeros inserted between inputs; the
padding ``d(k-1)-p_begin`` before and ``d(k-1)-p_end+a`` after (a crop when negative);
the flipped kernel; then one frame per output ``x[j]``, with the window ``j + d·t`` of
the padded input outlined, the kernel taps it meets, and ``x[j]``'s sum written out.

The frames are data first (:func:`animation_frames`), built with the engine's own index
steps (:func:`~symtconv.engine.zero_insertion`, :func:`~symtconv.engine.pad_or_crop`,
:func:`~symtconv.engine.flip_kernel`), then drawn by matplotlib and written as a GIF by
matplotlib's Pillow writer (:func:`write_animation`; the ``plot`` extra).

Examples
========

>>> from symtconv import Geometry
>>> from symtconv.figures.animation import animation_frames
>>> frames = animation_frames(Geometry((3, 3), 3, stride=2, padding=1))
>>> len(frames), frames[4].caption
(29, 'x_{0,0} = w_{1,1}·y_{0,0}')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import flip_kernel, pad_or_crop, zero_insertion
from ..errors import MissingDependencyError, ParameterError, ShapeError, TooLargeError
from ..geometry import Geometry
from .style import _INPUT, _KERNEL, _ZERO, DPI, _cell_grid, _matplotlib, _style

__all__ = [
    "MAX_FRAMES",
    "MAX_GRID_CELLS",
    "MAX_PIXELS",
    "Frame",
    "animation_captions",
    "animation_frames",
    "animation_cost",
    "write_animation",
]

#: An animation has one frame per output plus four; past this many it is refused.
MAX_FRAMES = 200
#: The padded input is drawn cell by cell; past this many cells per frame it is refused.
MAX_GRID_CELLS = 900
#: Pillow holds every frame in memory (4 bytes a pixel): at most this many pixels in all.
MAX_PIXELS = 60_000_000

_SYMBOL = re.compile(r"([xyw]_\{[0-9,]+\})")
_WINDOW = "#e0452b"
_SELECTED = "#2f6fd6"
_DONE = "#dbe7fb"
_ON = "#ffcf4d"


@dataclass(frozen=True)
class Frame:
    """One frame: which stage, what the left grid holds, and the output being computed.

    ``grid`` holds flat input indices (``-1`` a zero); ``kernel`` flat tap indices;
    ``window`` the grid positions outlined; ``terms`` the ``(input, tap)`` pairs (flat
    spatial indices) of the output ``output``; ``done`` how many outputs are filled in.
    """

    stage: str
    caption: str
    grid: np.ndarray
    kernel: np.ndarray
    window: tuple[tuple[int, ...], ...] = ()
    output: tuple[int, ...] | None = None
    terms: tuple[tuple[int, int], ...] = ()
    done: int = 0


def _check(geometry: Geometry) -> None:
    if geometry.is_symbolic or geometry.ndim not in (1, 2):
        raise ParameterError(
            "the animation draws a concrete geometry with one or two spatial axes, got "
            f"{geometry.describe()}"
        )


def animation_cost(geometry: Geometry) -> tuple[int, int]:
    """``(frames, cells of the padded input)``: four steps plus one frame per output.

    >>> animation_cost(Geometry(4, 3, stride=2))
    (13, 11)
    """
    _check(geometry)
    outputs = math.prod(int(o) for o in geometry.output_size)
    padded = math.prod(int(o) + int(ax.d) * (int(ax.k) - 1)
                       for ax, o in zip(geometry.axes, geometry.output_size, strict=True))
    return 4 + outputs, padded


def _name(base: str, flat: int, shape: tuple[int, ...]) -> str:
    index = np.unravel_index(int(flat), shape)
    return f"{base}_{{{','.join(str(int(v)) for v in index)}}}"


def animation_frames(geometry: Geometry) -> list[Frame]:
    """The frames of the animation, as data (symbols only; values are drawn later).

    Raises :class:`~symtconv.errors.TooLargeError` past :data:`MAX_FRAMES` frames or
    :data:`MAX_GRID_CELLS` cells of the padded input.
    """
    frames_needed, cells = animation_cost(geometry)
    if frames_needed > MAX_FRAMES or cells > MAX_GRID_CELLS:
        raise TooLargeError(
            f"the animation would have {frames_needed:,} frames over a padded input of "
            f"{cells:,} cells; it draws at most {MAX_FRAMES:,} frames and {MAX_GRID_CELLS:,} "
            f"cells ({geometry.describe()})"
        )
    axes = geometry.axes
    i_shape = tuple(int(ax.i) for ax in axes)
    k_shape = tuple(int(ax.k) for ax in axes)
    taps = np.arange(math.prod(k_shape)).reshape(k_shape)
    inputs = np.arange(math.prod(i_shape)).reshape(i_shape)
    stretched = zero_insertion(geometry)
    before = [int(ax.pad_before) for ax in axes]
    after = [int(ax.pad_after) for ax in axes]
    padded = pad_or_crop(stretched, before, after)
    flipped = flip_kernel(geometry)
    strides = ", ".join(str(s - 1) for s in geometry.stride)

    def amount(value: int) -> str:
        return f"pad {value}" if value >= 0 else f"crop {-value}"

    per_axis = [f"{amount(b)} before, {amount(a)} after" for b, a in zip(
        before, after, strict=True)]
    pads = per_axis[0] if len(set(per_axis)) == 1 else "; ".join(per_axis)
    frames = [
        Frame("input", "the input y and the kernel w", inputs, taps),
        Frame("zeros", f"insert s-1 = {strides} zeros between the entries of y", stretched, taps),
        Frame("pad", f"d(k-1)-p before, d(k-1)-p+a after: {pads}", padded, taps),
        Frame("flip", "flip the kernel: tap t multiplies w[k-1-t]", padded, flipped),
    ]
    output_size = tuple(int(o) for o in geometry.output_size)
    for done, j in enumerate(np.ndindex(*output_size), start=1):
        window = tuple(
            tuple(jj + int(ax.d) * tt for jj, ax, tt in zip(j, axes, t, strict=True))
            for t in np.ndindex(*k_shape)
        )
        terms = tuple(
            (int(padded[q]), int(flipped[t]))
            for q, t in zip(window, np.ndindex(*k_shape), strict=True)
            if padded[q] >= 0
        )
        products = " + ".join(f"{_name('w', m, k_shape)}·{_name('y', n, i_shape)}"
                              for n, m in sorted(terms))
        caption = f"{_name('x', int(np.ravel_multi_index(j, output_size)), output_size)} = "
        caption += products or "0 (no term lands here)"
        frames.append(Frame("slide", caption, padded, flipped, window, j, tuple(sorted(terms)),
                            done))
    return frames


# --------------------------------------------------------------------------- #
# drawing
# --------------------------------------------------------------------------- #


def _two_d(array: np.ndarray) -> np.ndarray:
    return array.reshape(1, -1) if array.ndim == 1 else array


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _label(name: str) -> str:
    """``y_{0,1}`` as plain text with subscripts, ``y₀,₁`` (no mathtext: fast to draw)."""
    base, _, index = name.partition("_")
    return base + index.strip("{}").translate(_SUBSCRIPTS)


def _cell_text(base: str, flat: int, shape: tuple[int, ...], values: Any) -> str:
    if values is None:
        return _label(_name(base, flat, shape))
    return _number(np.asarray(values, dtype=object).reshape(-1)[int(flat)])


def _number(value: Any) -> str:
    return str(value) if not isinstance(value, float) else f"{value:.4g}"


def _factor(value: Any) -> str:
    """A number in a product: negatives and fractions in parentheses."""
    text = _number(value)
    return f"({text})" if "/" in text or text.startswith("-") else text


def _rgba(colours: np.ndarray) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.array([[to_rgba(c) for c in row] for row in colours])


class _Drawing:
    """The three panels, drawn once per grid and recoloured frame by frame (fast)."""

    def __init__(self, fig: Any, geometry: Geometry, outputs: np.ndarray | None,
                 y: Any, w: Any) -> None:
        self.fig, self.geometry, self.outputs, self.y, self.w = fig, geometry, outputs, y, w
        self.i_shape = tuple(int(v) for v in geometry.input_size)
        self.k_shape = tuple(int(v) for v in geometry.kernel_size)
        self.o_shape = tuple(int(v) for v in geometry.output_size)
        padded_cols = int(self.o_shape[-1]) + int(geometry.dilation[-1]) * (self.k_shape[-1] - 1)
        self.panels = fig.subplots(1, 3, width_ratios=[
            padded_cols, max(self.k_shape[-1], 2), self.o_shape[-1]])
        self.keys: list[Any] = [None, None]
        self.images: list[Any] = [None, None, None]
        self.outlines: list[Any] = []
        o_texts = _two_d(np.full(self.o_shape, "", dtype=object))
        self.images[2], self.out_texts = self._cells(self.panels[2], o_texts, "x")
        self.title = fig.suptitle("", fontsize=10)

    def _cells(self, ax: Any, texts: np.ndarray, title: str) -> tuple[Any, np.ndarray]:
        ax.clear()
        rows, cols = texts.shape
        image = ax.imshow(_rgba(np.full(texts.shape, "#ffffff", dtype=object)), aspect="equal")
        _cell_grid(ax, rows, cols, colour="#888888", width=0.6)
        size = max(4.0, min(9.0, 60.0 / max(rows, cols)))
        handles = np.empty(texts.shape, dtype=object)
        for (r, c), text in np.ndenumerate(texts):
            handles[r, c] = ax.text(c, r, text, ha="center", va="center", fontsize=size)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=9)
        return image, handles

    def draw(self, frame: Frame) -> None:
        grid = _two_d(frame.grid)
        used = {n for n, _ in frame.terms}
        if frame.stage in ("input", "zeros", "pad") or self.keys[0] is None:
            texts = np.vectorize(
                lambda n: "0" if n < 0 else _cell_text("y", n, self.i_shape, self.y),
                otypes=[object])(grid)
            self.images[0], _ = self._cells(self.panels[0], texts, _TITLES[frame.stage])
            self.outlines = []
        self.keys[0] = frame.stage
        if frame.stage == "slide":
            self.panels[0].set_title(_TITLES["slide"], fontsize=9)
        colours = np.where(grid >= 0, _INPUT, _ZERO).astype(object)
        colours[np.isin(grid, list(used)) & (grid >= 0)] = _ON
        self.images[0].set_data(_rgba(colours))
        for patch in self.outlines:
            patch.remove()
        from matplotlib.patches import Rectangle

        self.outlines = [
            self.panels[0].add_patch(Rectangle(
                ((q[-1] if len(q) == 2 else q[0]) - 0.5, (q[0] if len(q) == 2 else 0) - 0.5),
                1, 1, fill=False, edgecolor=_WINDOW, linewidth=2.0))
            for q in frame.window
        ]

        kernel = _two_d(frame.kernel)
        flipped = frame.stage in ("flip", "slide")
        if self.keys[1] != flipped:
            texts = np.vectorize(lambda m: _cell_text("w", m, self.k_shape, self.w),
                                 otypes=[object])(kernel)
            self.images[1], _ = self._cells(self.panels[1], texts,
                                            "flipped w" if flipped else "w")
            self.keys[1] = flipped
        k_colours = np.full(kernel.shape, _KERNEL, dtype=object)
        k_colours[np.isin(kernel, [m for _, m in frame.terms])] = _ON
        self.images[1].set_data(_rgba(k_colours))

        o_colours = np.full(math.prod(self.o_shape), "#ffffff", dtype=object)
        o_colours[: frame.done] = _DONE
        if frame.output is not None:
            o_colours[frame.done - 1] = _SELECTED
            flat = frame.done - 1
            text = (_label(_name("x", flat, self.o_shape)) if self.outputs is None
                    else _number(self.outputs[frame.output]))
            self.out_texts.reshape(-1)[flat].set_text(text)
        self.images[2].set_data(_rgba(_two_d(o_colours.reshape(self.o_shape))))

        caption = _with_numbers(frame, self.outputs, self.y, self.w)
        self.title.set_text(_SYMBOL.sub(lambda match: _label(match[1]), caption))


def _with_numbers(frame: Frame, outputs: np.ndarray | None, y: Any, w: Any) -> str:
    """The frame's caption, with the sum in numbers when there are values."""
    caption = frame.caption
    if frame.output is not None and outputs is not None:
        flat_y = np.asarray(y, dtype=object).reshape(-1)
        flat_w = np.asarray(w, dtype=object).reshape(-1)
        numbers = " + ".join(f"{_factor(flat_w[m])}·{_factor(flat_y[n])}" for n, m in frame.terms)
        if numbers:
            caption += f" = {numbers}"
        caption += f" = {_number(outputs[frame.output])}"
    return caption


def animation_captions(geometry: Geometry, y: Any = None, w: Any = None) -> list[str]:
    """The caption of every frame, as :func:`write_animation` writes them (``x_{0,0} = …``).

    >>> seed = Geometry((3, 3), 3, stride=2, padding=1)
    >>> y, w = [[9, 1, 3], [7, 8, 7], [8, 2, 2]], [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
    >>> animation_captions(seed, y, w)[4]
    'x_{0,0} = w_{1,1}·y_{0,0} = 4·9 = 36'
    """
    outputs, y, w = _values(geometry, y, w)
    return [_with_numbers(frame, outputs, y, w) for frame in animation_frames(geometry)]


def _values(geometry: Geometry, y: Any, w: Any) -> tuple[np.ndarray | None, Any, Any]:
    """The output computed by the numeric tier (exact on integers), and y, w reshaped."""
    from ..numeric import conv_transpose

    if (y is None) != (w is None):
        raise ParameterError("y and w go together: give both values or neither")
    if y is None:
        return None, None, None
    y = _shaped("y", y, tuple(int(v) for v in geometry.input_size))
    w = _shaped("w", w, tuple(int(v) for v in geometry.kernel_size))
    outputs = conv_transpose(
        y[None, None], w[None, None], stride=geometry.stride, padding=geometry.padding,
        output_padding=geometry.output_padding, dilation=geometry.dilation,
    )[0, 0]
    return outputs, y, w


def _shaped(name: str, values: Any, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    if array.size != math.prod(shape):
        raise ShapeError(f"{name} must have shape {shape} for this geometry, got {array.shape}")
    return array.reshape(shape)


_TITLES = {"input": "y", "zeros": "y with s-1 zeros inserted", "pad": "padded (or cropped)",
           "flip": "padded input", "slide": "padded input; the window of the output"}


def _size(geometry: Geometry) -> tuple[float, float]:
    """Inches: cells of 0.42 in side by side, within 14 × 7."""
    k = [int(v) for v in geometry.kernel_size]
    o = [int(v) for v in geometry.output_size]
    padded = [n + int(ax.d) * (kk - 1) for n, ax, kk in zip(o, geometry.axes, k, strict=True)]
    cols = padded[-1] + max(k[-1], 2) + o[-1]
    rows = max(padded[0], k[0], o[0]) if geometry.ndim == 2 else 1
    return (min(14.0, 0.42 * cols + 1.5), min(7.0, 0.42 * rows + 1.6))


def write_animation(geometry: Geometry, path: str | Path, *, y: Any = None, w: Any = None,
                    fps: int = 2, dpi: int = DPI,
                    size: tuple[float, float] | None = None) -> Path:
    """Write the animation of ``geometry`` as a GIF (matplotlib's Pillow writer).

    Explanation
    ===========

    The frames of :func:`animation_frames`; with values ``y`` and ``w`` (spatial shapes,
    or with channel axes of length 1) the cells show numbers and each output's sum is
    written out with them.  Refused past :data:`MAX_FRAMES` frames,
    :data:`MAX_GRID_CELLS` cells or :data:`MAX_PIXELS` pixels in all.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> write_animation(Geometry(4, 3, stride=2), "steps.gif")  # doctest: +SKIP
    PosixPath('steps.gif')

    Parameters
    ==========

    geometry : a concrete 1-D or 2-D Geometry with one channel.
    path : a ``.gif`` file.
    y, w : values (both or neither); symbols when omitted.
    fps : frames per second; dpi : resolution; size : inches (width, height).
    """
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ParameterError(f"an animation is written as a .gif file, got {str(path)!r}")
    if fps < 1 or dpi < 1:
        raise ParameterError(f"fps and dpi must be positive, got fps={fps!r}, dpi={dpi!r}")
    if (geometry.in_channels, geometry.out_channels) != (1, 1):
        raise ParameterError(
            "the animation draws one input and one output channel, got in_channels="
            f"{geometry.in_channels}, out_channels={geometry.out_channels}"
        )
    size = _size(geometry) if size is None else size
    frames_needed, _ = animation_cost(geometry)
    pixels = frames_needed * round(size[0] * dpi) * round(size[1] * dpi)
    if pixels > MAX_PIXELS:
        raise TooLargeError(
            f"the animation would hold {pixels:,} pixels ({frames_needed} frames of "
            f"{size[0]}×{size[1]} in at {dpi} dpi), more than {MAX_PIXELS:,}; use a smaller "
            "geometry, --size or --dpi"
        )
    frames = animation_frames(geometry)
    outputs, y, w = _values(geometry, y, w)
    _matplotlib()
    try:
        from matplotlib.animation import PillowWriter
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - matplotlib requires Pillow
        raise MissingDependencyError(
            "the animation needs Pillow: pip install 'symtconv[plot]'"
        ) from error
    with _style():
        # fixed margins, no layout engine: the same layout in every frame, drawn fast
        fig = Figure(figsize=size, dpi=DPI)
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.84, wspace=0.08)
        writer = PillowWriter(fps=fps)
        drawing = _Drawing(fig, geometry, outputs, y, w)
        with writer.saving(fig, str(path), dpi):
            for frame in frames:
                drawing.draw(frame)
                writer.grab_frame()
    return path
