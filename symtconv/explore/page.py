"""The explorer page: the geometry and values as JSON, inside an HTML template.

The template, its CSS and its JavaScript are package data files next to this module
(``template.html``, ``explorer.css``, ``explorer.js``); the page inlines all three, so
it opens from disk in any browser with no network access.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError, ParameterTypeError, ShapeError, TooLargeError
from ..geometry import Geometry

__all__ = ["MAX_CELLS", "explorer_page", "page_cells", "write_page"]

#: The page refuses geometries that need more cells than this (the matrix alone has
#: ``|x|·|y|`` entries); past it a browser still draws, but the page is no longer usable.
MAX_CELLS = 20_000


def _padded_length(geometry: Geometry) -> list[int]:
    """Flip-and-pad's padded input per axis: ``(i-1)s + 1`` plus both pads, ``o + d(k-1)``."""
    return [int(o) + int(ax.d) * (int(ax.k) - 1) for ax, o in zip(
        geometry.axes, geometry.output_size, strict=True)]


def page_cells(geometry: Geometry) -> int:
    """The number of cells the page draws for ``geometry`` (its cost, in closed form).

    ``|y| + 2|w|`` (the kernel and the flipped kernel) ``+ |padded input| + |x| + |x|·|y|``
    (the matrix).  The page's JavaScript computes the same number for its controls.

    >>> from symtconv import Geometry
    >>> page_cells(Geometry(4, 3))  # 4 + 2·3 + 8 + 6 + 6·4
    48
    """
    _check_geometry(geometry)
    y = math.prod(int(v) for v in geometry.input_size)
    w = math.prod(int(v) for v in geometry.kernel_size)
    x = math.prod(int(v) for v in geometry.output_size)
    padded = math.prod(_padded_length(geometry))
    return y + 2 * w + padded + x + x * y


def _check_geometry(geometry: Geometry) -> None:
    if not isinstance(geometry, Geometry):
        raise ParameterTypeError(
            f"geometry must be a symtconv.Geometry, got {type(geometry).__name__}"
        )
    if geometry.is_symbolic:
        raise ParameterTypeError(
            f"the explorer draws concrete sizes, got a symbolic geometry ({geometry.describe()})"
        )
    if geometry.ndim not in (1, 2):
        raise ParameterError(
            f"the explorer draws one or two spatial axes, got {geometry.ndim} "
            f"(input_size={geometry.input_size})"
        )
    channels = (geometry.in_channels, geometry.out_channels, geometry.groups)
    if channels != (1, 1, 1):
        raise ParameterError(
            "the explorer draws one input and one output channel, got in_channels="
            f"{channels[0]}, out_channels={channels[1]}, groups={channels[2]}"
        )


def _values(name: str, values: Any, shape: tuple[int, ...]) -> list[Any]:
    """Values as nested lists of Python numbers with the spatial ``shape``."""
    try:
        array = np.array(values, dtype=object)
    except ValueError:
        raise ShapeError(f"{name} must be a rectangular nested list of numbers") from None
    if array.size == math.prod(shape) and array.shape != shape:
        array = array.reshape(shape)  # e.g. (1, *i): a channel axis of length 1
    if array.shape != shape:
        raise ShapeError(f"{name} must have shape {shape} for this geometry, got {array.shape}")
    for v in array.flat:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ParameterTypeError(
                f"{name} must hold integers or decimals, got {v!r} ({type(v).__name__})"
            )
        if not math.isfinite(float(v)):
            raise ParameterError(f"{name} must hold finite numbers, got {v!r}")
        if isinstance(v, numbers.Integral) and abs(int(v)) > 2**53:
            raise ParameterError(
                f"{name} must hold integers of at most 2**53 in size (exact in the browser), "
                f"got {v!r}"
            )
    plain = np.vectorize(
        lambda v: int(v) if isinstance(v, numbers.Integral) else float(v), otypes=[object]
    )(array)
    return list(plain.tolist())


def _resource(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def explorer_page(geometry: Geometry, y: Any = None, w: Any = None, *,
                  title: str | None = None) -> str:
    """The explorer's HTML for ``geometry`` (one or two axes, one channel), as a string.

    Explanation
    ===========

    ``y`` and ``w`` (nested lists or arrays of integers or decimals, spatial shapes
    ``input_size`` and ``kernel_size``) are shown next to the symbols and summed in the
    formula; without them the page is symbolic.  Geometries needing more than
    :data:`MAX_CELLS` cells (:func:`page_cells`) raise
    :class:`~symtconv.errors.TooLargeError`.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> page = explorer_page(Geometry(4, 3, stride=2, output_padding=1))
    >>> '"a": [1]' in page, "<script>" in page
    (True, True)

    Parameters
    ==========

    geometry : Geometry
    y, w : nested lists of numbers, optional (both or neither)
    title : str, optional; the page's heading
    """
    _check_geometry(geometry)
    cells = page_cells(geometry)
    if cells > MAX_CELLS:
        raise TooLargeError(
            f"the explorer page would draw {cells:,} cells (y, w, the flipped w, the padded "
            f"input, x and the {math.prod(geometry.output_size):,}×"
            f"{math.prod(geometry.input_size):,} matrix), more than its limit of "
            f"{MAX_CELLS:,}; choose smaller sizes ({geometry.describe()})"
        )
    if (y is None) != (w is None):
        raise ParameterError("y and w go together: give both values or neither")
    axes = geometry.axes
    data: dict[str, Any] = {
        "geometry": {
            "i": [int(ax.i) for ax in axes],
            "k": [int(ax.k) for ax in axes],
            "s": [int(ax.s) for ax in axes],
            "p": [int(ax.p_begin) for ax in axes],
            "pe": [int(ax.p_end) for ax in axes],
            "d": [int(ax.d) for ax in axes],
            "a": [int(ax.a) for ax in axes],
        },
        "max_cells": MAX_CELLS,
        "y": None,
        "w": None,
    }
    if y is not None:
        y_shape = tuple(int(v) for v in geometry.input_size)
        w_shape = tuple(int(v) for v in geometry.kernel_size)
        data.update(y=_values("input values (y)", y, y_shape),
                    w=_values("kernel values (w)", w, w_shape),
                    y_shape=list(y_shape), w_shape=list(w_shape))
    if title is None:
        title = "Transposed convolution explorer"
    # JSON inside <script>: "</" would end the element early
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    parts = {
        "@@TITLE@@": html.escape(title),
        "@@STYLE@@": _resource("explorer.css"),
        "@@DATA@@": payload,
        "@@SCRIPT@@": _resource("explorer.js"),
    }
    # one pass, so that no inserted text is read as a marker
    return re.sub("@@[A-Z]+@@", lambda match: parts[match[0]], _resource("template.html"))


def write_page(path: str | Path, geometry: Geometry, y: Any = None, w: Any = None, *,
               title: str | None = None) -> Path:
    """Write :func:`explorer_page` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    page = explorer_page(geometry, y, w, title=title)
    path.write_text(page, encoding="utf-8")
    return path
