"""What every framework module shares: the canonical geometry, calls and layouts.

Explanation
===========

The canonical meeting point is a :class:`~symtconv.Geometry` (PyTorch's names, with a
``(begin, end)`` crop per axis).  Two geometries describe the same operation exactly
when they agree on everything except how the end crop is split between ``p_end``
and ``output_padding``: only ``p_end - output_padding`` matters.  Readers
(``from_torch`` … ``from_jax``) therefore return the :func:`canonical` geometry — the
PyTorch form ``padding=p, output_padding=a`` whenever PyTorch can express the
operation, else an asymmetric crop.

Writers (``to_torch`` … ``to_jax``) return a :class:`Call`: the keyword arguments of
the target's call, how PyTorch's weight is rearranged for it (a :class:`Transform`),
and an extra ``crop`` of its output when the target cannot express the padding.

Also here: the scalar helpers that work on Python ints and on SymPy expressions alike
(so that :func:`~symtconv.frameworks.proofs.prove_conventions` runs the very formulas
the translations use), and the checks that read framework values into ints.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy as sp

from ..console import plural
from ..errors import ParameterError, ParameterTypeError
from ..geometry import Geometry

#: The frameworks symtconv translates between, by their short names.
FRAMEWORKS = ("torch", "onnx", "tf", "keras", "jax")

_NAMES = {
    "torch": "PyTorch",
    "onnx": "ONNX",
    "tf": "TensorFlow",
    "keras": "Keras",
    "jax": "JAX",
}

Array = npt.NDArray[Any]


def _symbolic(*values: Any) -> bool:
    return any(isinstance(v, sp.Basic) for v in values)


def _max(a: Any, b: Any) -> Any:
    return sp.Max(a, b) if _symbolic(a, b) else max(a, b)


def _min(a: Any, b: Any) -> Any:
    return sp.Min(a, b) if _symbolic(a, b) else min(a, b)


def _ceil_half(x: Any) -> Any:
    """``ceil(x/2)`` (``-((-x) // 2)`` on ints, as ``np.ceil(x / 2)`` in JAX's source)."""
    return sp.ceiling(x / 2) if _symbolic(x) else -((-x) // 2)


def _where(condition: Any, then: Any, otherwise: Any) -> Any:
    """``then if condition else otherwise``; a SymPy ``Piecewise`` when undecided."""
    if isinstance(condition, (bool, np.bool_)):
        return then if condition else otherwise
    if condition is sp.true or condition is sp.false:
        return then if condition is sp.true else otherwise
    return sp.Piecewise((then, condition), (otherwise, True))


def _effective(k: Any, d: Any) -> Any:
    """Span of the dilated kernel, ``d(k-1) + 1``."""
    return d * (k - 1) + 1


def _full(i: Any, k: Any, s: Any, d: Any) -> Any:
    """Length of the uncropped scatter, ``(i-1)s + d(k-1) + 1``."""
    return (i - 1) * s + _effective(k, d)


def _axis_form(p_begin: int, net_end: int, s: int, d: int) -> tuple[Any, int]:
    """Padding and output_padding of one axis from its begin crop and net end crop.

    PyTorch's symmetric form when it exists (``0 <= p_begin - net_end < max(s, d)``),
    else an asymmetric crop with output_padding 0 (net end crop >= 0) or the end
    crop 0 and output_padding ``-net_end``.
    """
    a = p_begin - net_end
    if 0 <= a < max(s, d):
        return p_begin, a
    if net_end >= 0:
        return (p_begin, net_end), 0
    return (p_begin, 0), -net_end


def _crops(geometry: Geometry) -> list[tuple[int, int]]:
    """Per axis ``(p_begin, p_end - a)``: the begin crop and the net end crop."""
    return [(int(ax.p_begin), int(ax.p_end) - int(ax.a)) for ax in geometry.axes]


def _from_crops(
    geometry_like: Mapping[str, Any], crops: Sequence[tuple[int, int]], framework: str
) -> Geometry:
    """The canonical Geometry of the given sizes with these (begin, net end) crops.

    A negative begin crop (zeros before the output) is not a transposed convolution
    in PyTorch's terms; neither is a zero extension at the end longer than
    ``max(s, d) - 1``.  Both raise, naming the framework's parameters.
    """
    stride = geometry_like["stride"]
    dilation = geometry_like["dilation"]
    padding, output_padding = [], []
    for axis, ((begin, net_end), s, d) in enumerate(zip(crops, stride, dilation, strict=True)):
        if begin < 0:
            raise ParameterError(
                f"{_NAMES[framework]}'s parameters put {-begin} {plural(-begin, 'zero')} before "
                "the output on "
                f"axis {axis + 1} (a negative begin crop): no PyTorch-style transposed convolution "
                f"computes that; got {geometry_like['described']}"
            )
        p, a = _axis_form(begin, net_end, s, d)
        padding.append(p)
        output_padding.append(a)
    sizes = {k: v for k, v in geometry_like.items() if k != "described"}
    sizes.update(padding=tuple(padding), output_padding=tuple(output_padding))
    try:
        return Geometry(**sizes)
    except ParameterError as error:
        raise ParameterError(
            f"{_NAMES[framework]}'s parameters ({geometry_like['described']}) give no valid "
            f"transposed convolution: {error}"
        ) from None


def canonical(geometry: Geometry) -> Geometry:
    """The canonical form of a geometry: the same operation, written as PyTorch would.

    Explanation
    ===========

    The output of a transposed convolution depends on ``p_end`` and
    ``output_padding`` only through ``p_end - output_padding`` (the net crop of the
    end; ``output_padding`` appends positions that receive no product).  The canonical
    form per axis is ``padding=p_begin`` with ``output_padding = p_begin - net`` when
    that is PyTorch-valid (``0 <= a < max(s, d)``), else the crop ``(p_begin, net)``
    with ``output_padding=0``, or ``(p_begin, 0)`` with ``output_padding=-net``.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import canonical
    >>> canonical(Geometry(3, 3, stride=2, padding=[(1, 0)])).padding
    (1,)
    >>> canonical(Geometry(3, 3, stride=2, padding=[(1, 0)])).output_padding
    (1,)
    >>> canonical(Geometry(3, 3, stride=2, padding=1, output_padding=1)) == Geometry(
    ...     3, 3, stride=2, padding=1, output_padding=1)
    True

    See Also
    ========

    same_operation
    """
    if geometry.is_symbolic:
        raise ParameterTypeError("canonical needs a concrete geometry, got symbolic sizes")
    sizes = _sizes(geometry)
    return _from_crops({**sizes, "described": geometry.describe()}, _crops(geometry), "torch")


def same_operation(first: Geometry, second: Geometry) -> bool:
    """Whether two geometries compute the same function (equal canonical forms).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import same_operation
    >>> same_operation(Geometry(3, 3, stride=2, padding=1, output_padding=1),
    ...                Geometry(3, 3, stride=2, padding=[(1, 0)]))
    True
    """
    return canonical(first) == canonical(second)


def _sizes(geometry: Geometry) -> dict[str, Any]:
    """The parameters of a geometry other than padding and output_padding."""
    return {
        "input_size": geometry.input_size,
        "kernel_size": geometry.kernel_size,
        "stride": geometry.stride,
        "dilation": geometry.dilation,
        "in_channels": geometry.in_channels,
        "out_channels": geometry.out_channels,
        "groups": geometry.groups,
    }


def _int(framework: str, name: str, value: Any, shown: Any = None) -> int:
    shown = value if shown is None else shown
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterTypeError(
            f"{_NAMES[framework]}'s {name} must hold integers, got {name}={shown!r}"
        )
    return int(value)


def _is_seq(value: Any) -> bool:
    return isinstance(value, (tuple, list))


def _per_axis(framework: str, name: str, value: Any, ndim: int) -> tuple[int, ...]:
    """One int per axis from an int, a one-entry sequence or an ``ndim``-entry one.

    ONNX's attributes are lists with one entry per spatial axis, exactly (the
    specification broadcasts nothing), so a one-entry list there counts only in 1-D.
    """
    if _is_seq(value):
        if len(value) == 1 and (framework != "onnx" or ndim == 1):
            return (_int(framework, name, value[0], value),) * ndim
        if len(value) != ndim:
            raise ParameterError(
                f"{_NAMES[framework]}'s {name} needs one entry per spatial axis ({ndim}), "
                f"got {name}={value!r}"
            )
        return tuple(_int(framework, name, v, value) for v in value)
    return (_int(framework, name, value),) * ndim


def _ndim(input_size: Any) -> int:
    if _is_seq(input_size):
        if not input_size:
            raise ParameterError(f"input_size must have at least one axis, got {input_size!r}")
        return len(input_size)
    return 1


def _channels(framework: str, name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    count = _int(framework, name, value)
    if count < 1:
        raise ParameterError(f"{name} must be a positive integer, got {name}={count}")
    return count


def _checked(framework: str, described: str, **params: Any) -> Geometry:
    """``Geometry(**params)``, with errors that say which framework's values they were."""
    try:
        return Geometry(**params)
    except (ParameterError, ParameterTypeError) as error:
        raise type(error)(
            f"{_NAMES[framework]}'s parameters ({described}) give no valid transposed "
            f"convolution: {error}"
        ) from None


def _shown(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items() if v is not None)


def _no_groups(geometry: Geometry, framework: str, function: str) -> None:
    if geometry.groups != 1:
        raise ParameterError(
            f"{function} has no groups, got groups={geometry.groups}: {_NAMES[framework]} "
            "cannot express this layer (split the channels into separate calls)"
        )


@dataclass(frozen=True)
class Transform:
    """Rearrange an array: ``np.transpose(array, permute)``, then flip the ``flip`` axes.

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv.conventions import Transform
    >>> t = Transform((1, 0), flip=(1,))
    >>> t.apply(np.array([[1, 2, 3], [4, 5, 6]]))
    array([[4, 1],
           [5, 2],
           [6, 3]])
    >>> t.then(t.inverse()).apply(np.arange(6).reshape(2, 3)).tolist()
    [[0, 1, 2], [3, 4, 5]]
    """

    permute: tuple[int, ...]
    flip: tuple[int, ...] = ()

    def apply(self, array: npt.ArrayLike) -> Array:
        """The rearranged array (a view where NumPy allows)."""
        result = np.transpose(np.asarray(array), self.permute)
        return np.flip(result, self.flip) if self.flip else result

    def then(self, other: Transform) -> Transform:
        """This transform followed by ``other``, as one transform."""
        permute = tuple(self.permute[q] for q in other.permute)
        moved = {q for q, source in enumerate(other.permute) if source in self.flip}
        return Transform(permute, tuple(sorted(moved ^ set(other.flip))))

    def inverse(self) -> Transform:
        """The transform that undoes this one."""
        back = tuple(int(q) for q in np.argsort(self.permute))
        return Transform(back, tuple(sorted(q for q, source in enumerate(back)
                                            if source in self.flip)))

    def to_dict(self) -> dict[str, list[int]]:
        """``{"permute": [...], "flip": [...]}``."""
        return {"permute": list(self.permute), "flip": list(self.flip)}


@dataclass(frozen=True)
class _Layout:
    """A framework's weight and data layouts, relative to PyTorch's.

    ``weight`` turns PyTorch's weight into the framework's; ``data_in``/``data_out``
    are the permutations that turn PyTorch's (N, C, *spatial) input/output into the
    framework's.
    """

    weight: Transform
    data_in: tuple[int, ...]
    data_out: tuple[int, ...]


def _pytorch_layout(ndim: int) -> _Layout:
    """PyTorch's own layouts (also ONNX's): nothing to rearrange."""
    identity = tuple(range(ndim + 2))
    return _Layout(Transform(identity), identity, identity)


def _channels_last_layout(ndim: int) -> _Layout:
    """TensorFlow's and Keras's layouts: data channels last, weight ``(*k, out, in)``."""
    last = (0, *range(2, ndim + 2), 1)
    return _Layout(Transform((*range(2, ndim + 2), 1, 0)), last, last)


@dataclass(frozen=True)
class Call:
    """How to run one framework's transposed convolution for a geometry.

    ``kwargs`` are the keyword arguments of ``function``; ``weight`` turns PyTorch's
    weight ``(C_in, C_out/groups, *k)`` into this framework's; ``data_in`` and
    ``data_out`` permute PyTorch's ``(N, C, *spatial)`` input and output into the
    framework's layout; ``crop`` (per spatial axis, ``(start, end)``, negative = zeros
    to append) is what remains to cut from the framework's output when it cannot
    express the geometry's padding, else None.
    """

    framework: str
    function: str
    kwargs: dict[str, Any]
    explanations: tuple[tuple[str, str], ...]
    layout: _Layout
    crop: tuple[tuple[int, int], ...] | None
    raw_output_size: tuple[int, ...]
    notes: tuple[str, ...] = ()

    @property
    def weight(self) -> Transform:
        """PyTorch's weight -> this framework's weight."""
        return self.layout.weight


def _call(
    geometry: Geometry,
    framework: str,
    function: str,
    kwargs: dict[str, Any],
    explanations: tuple[tuple[str, str], ...],
    crop: Sequence[tuple[int, int]] | None,
    layout: _Layout,
    notes: tuple[str, ...] = (),
) -> Call:
    cropped = None if crop is None or all(c == (0, 0) for c in crop) else tuple(crop)
    out = tuple(int(o) for o in geometry.output_size)
    raw = out if cropped is None else tuple(
        o + lo + hi for o, (lo, hi) in zip(out, cropped, strict=True)
    )
    return Call(framework, function, kwargs, explanations, layout, cropped, raw, notes)
