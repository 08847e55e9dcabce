"""Reading, writing and converting between frameworks by name.

Explanation
===========

:func:`read` gives the canonical geometry of a framework's call from its own
parameter names (:data:`ATTRIBUTES`); :func:`write` the :class:`~.common.Call` of a
framework for a geometry; :func:`convert` chains the two into a :class:`Translation`,
with the weight and data transforms composed; :func:`translate` starts from a
geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ParameterError, ParameterTypeError
from ..geometry import Geometry
from .common import (
    _NAMES,
    FRAMEWORKS,
    Array,
    Call,
    Transform,
    _channels_last_layout,
    _is_seq,
    _Layout,
    _ndim,
    _pytorch_layout,
    canonical,
)
from .jax import _jax_default_layout, _jax_layout, _jax_specs, from_jax, to_jax
from .keras import _keras_channels_last, from_keras, to_keras
from .onnx import from_onnx, to_onnx
from .pytorch import from_torch, to_torch
from .tensorflow import _tf_channels_last, from_tf, to_tf

_LAYOUTS: dict[str, Callable[[int], _Layout]] = {
    "torch": _pytorch_layout,
    "onnx": _pytorch_layout,
    "tf": _channels_last_layout,
    "keras": _channels_last_layout,
    "jax": _jax_default_layout,
}


def _layouts(framework: str, ndim: int) -> _Layout:
    """The layouts symtconv's writers use for a framework."""
    return _LAYOUTS[framework](ndim)


_WRITERS: dict[str, Callable[..., Call]] = {
    "torch": to_torch,
    "onnx": to_onnx,
    "tf": to_tf,
    "keras": to_keras,
    "jax": to_jax,
}


def _framework(name: Any, role: str) -> str:
    if name not in FRAMEWORKS:
        raise ParameterError(f"{role} must be one of {', '.join(FRAMEWORKS)}, got {name!r}")
    return str(name)


def write(framework: str, geometry: Geometry, *, batch: int = 1) -> Call:
    """The :class:`Call` of ``framework`` for a geometry (``to_torch`` … ``to_jax``).

    ``batch`` only enters TensorFlow's ``output_shape``.

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import write
    >>> write("onnx", Geometry(3, 3, stride=2)).kwargs["strides"]
    (2,)
    """
    framework = _framework(framework, "the target framework")
    if geometry.is_symbolic:
        raise ParameterTypeError("translations need a concrete geometry, got symbolic sizes")
    if framework == "tf":
        return to_tf(geometry, batch=batch)
    return _WRITERS[framework](geometry)


#: Each framework's parameter names (besides symtconv's sizes), as ``read`` accepts them.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "torch": ("kernel_size", "stride", "padding", "output_padding", "groups", "dilation",
              "in_channels", "out_channels", "output_size", "padding_mode"),
    "onnx": ("kernel_shape", "strides", "pads", "auto_pad", "output_shape", "output_padding",
             "dilations", "group", "opset"),
    "tf": ("output_shape", "strides", "padding", "data_format", "dilations"),
    "keras": ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format",
              "dilation_rate"),
    "jax": ("strides", "padding", "rhs_dilation", "dimension_numbers", "transpose_kernel",
            "use_consistent_padding"),
}


def _merged(framework: str, attrs: dict[str, Any], name: str, ours: Any, theirs: str) -> None:
    """Put symtconv's size ``ours`` under the framework's name ``theirs`` (no conflicts)."""
    if ours is None:
        return
    if theirs in attrs and attrs[theirs] is not None and _normal(attrs[theirs]) != _normal(ours):
        raise ParameterError(
            f"{name}={ours!r} disagrees with {_NAMES[framework]}'s {theirs}={attrs[theirs]!r}"
        )
    attrs.setdefault(theirs, ours)
    if attrs[theirs] is None:
        attrs[theirs] = ours


def _normal(value: Any) -> Any:
    if _is_seq(value):
        items = [_normal(v) for v in value]
        return items[0] if len(set(map(repr, items))) == 1 else items
    return value


def _read(
    framework: str,
    input_size: Any,
    kernel_size: Any,
    in_channels: Any,
    out_channels: Any,
    groups: Any,
    attributes: Mapping[str, Any],
) -> tuple[Geometry, _Layout]:
    framework = _framework(framework, "the source framework")
    unknown = sorted(set(attributes) - set(ATTRIBUTES[framework]))
    if unknown:
        raise ParameterTypeError(
            f"{_NAMES[framework]} has no parameter {unknown[0]!r} here; its parameters are "
            f"{', '.join(ATTRIBUTES[framework])}"
        )
    attrs = dict(attributes)
    ndim = _ndim(input_size)
    if framework == "torch":
        _merged(framework, attrs, "kernel_size", kernel_size, "kernel_size")
        _merged(framework, attrs, "in_channels", in_channels, "in_channels")
        _merged(framework, attrs, "out_channels", out_channels, "out_channels")
        _merged(framework, attrs, "groups", groups, "groups")
        _require(framework, attrs, "kernel_size")
        return from_torch(input_size, **attrs), _layouts("torch", ndim)
    if framework == "onnx":
        _merged(framework, attrs, "kernel_size", kernel_size, "kernel_shape")
        _merged(framework, attrs, "groups", groups, "group")
        _require(framework, attrs, "kernel_shape")
        geometry = from_onnx(input_size, in_channels=in_channels, out_channels=out_channels,
                             **attrs)
        return geometry, _layouts("onnx", ndim)
    if framework == "tf":
        _no_group_count(framework, groups)
        _require(framework, attrs, "output_shape")
        if kernel_size is None:
            raise ParameterError(
                "TensorFlow's kernel size comes from the filters: give kernel_size"
            )
        geometry = from_tf(input_size, kernel_size, in_channels=1 if in_channels is None
                           else in_channels, out_channels=out_channels, **attrs)
        last = _tf_channels_last(attrs.get("data_format"), ndim)
        base = _layouts("tf", ndim)
        data = base.data_in if last else tuple(range(ndim + 2))
        return geometry, _Layout(base.weight, data, data)
    if framework == "keras":
        _no_group_count(framework, groups)
        _merged(framework, attrs, "kernel_size", kernel_size, "kernel_size")
        _merged(framework, attrs, "out_channels", out_channels, "filters")
        _require(framework, attrs, "kernel_size")
        _require(framework, attrs, "filters")
        geometry = from_keras(input_size, in_channels=1 if in_channels is None else in_channels,
                              **attrs)
        last = _keras_channels_last(attrs.get("data_format"))
        base = _layouts("keras", ndim)
        data = base.data_in if last else tuple(range(ndim + 2))
        return geometry, _Layout(base.weight, data, data)
    _no_group_count(framework, groups)
    _require(framework, attrs, "strides")
    _require(framework, attrs, "padding")
    if kernel_size is None:
        raise ParameterError("JAX's kernel size comes from rhs: give kernel_size")
    geometry = from_jax(input_size, kernel_size, in_channels=1 if in_channels is None
                        else in_channels, out_channels=1 if out_channels is None
                        else out_channels, **attrs)
    specs = _jax_specs(attrs.get("dimension_numbers"), ndim)
    return geometry, _jax_layout(specs, bool(attrs.get("transpose_kernel", False)))


def _require(framework: str, attrs: Mapping[str, Any], name: str) -> None:
    if attrs.get(name) is None:
        raise ParameterError(f"{_NAMES[framework]}'s {name} is required")


def _no_group_count(framework: str, groups: Any) -> None:
    if groups not in (None, 1):
        raise ParameterError(f"{_NAMES[framework]}'s transposed convolution has no groups, "
                             f"got groups={groups!r}")


def read(
    framework: str,
    input_size: Any,
    kernel_size: Any = None,
    *,
    in_channels: Any = None,
    out_channels: Any = None,
    groups: Any = None,
    **attributes: Any,
) -> Geometry:
    """The canonical Geometry of a framework's call, from its own parameter names.

    ``input_size`` (spatial) and, where the framework takes them from arrays,
    ``kernel_size`` and the channel counts are symtconv's; everything else is in
    the framework's names (:data:`ATTRIBUTES`).

    Examples
    ========

    >>> from symtconv.conventions import read
    >>> read("onnx", (5,), kernel_shape=[3], pads=[2, 0], strides=[1]).padding
    ((2, 0),)
    >>> read("keras", 5, kernel_size=3, filters=1, padding="full")
    Traceback (most recent call last):
    ...
    symtconv.errors.ParameterError: Keras's padding must be 'valid' or 'same', got padding='full'
    """
    return _read(framework, input_size, kernel_size, in_channels, out_channels, groups,
                 attributes)[0]


@dataclass(frozen=True)
class Translation:
    """One framework's transposed convolution written for another.

    Explanation
    ===========

    ``geometry`` is the canonical operation; ``call`` the target's :class:`Call`.
    ``weight`` turns the *source's* weight into the target's (permute, then flip);
    ``input_permute`` the source's input into the target's; ``output_permute`` the
    target's (cropped) output back into the source's layout; ``crop`` is the target
    output's extra crop per spatial axis (None when the target is exact).
    :meth:`prepare` and :meth:`finish` do all of it for arrays.

    Examples
    ========

    >>> import numpy as np
    >>> from symtconv.conventions import convert
    >>> t = convert("tf", "jax", (3,), 3, output_shape=(1, 6, 1), strides=2)
    >>> t.weight.permute, t.input_permute, t.output_permute
    ((2, 1, 0), (0, 2, 1), (0, 2, 1))
    >>> t.kwargs["padding"], t.to_dict()["kwargs"]["padding"]
    (((2, 1),), [[2, 1]])
    """

    source: str
    target: str
    geometry: Geometry
    call: Call
    weight: Transform
    input_permute: tuple[int, ...]
    output_permute: tuple[int, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def kwargs(self) -> dict[str, Any]:
        """The target call's keyword arguments."""
        return self.call.kwargs

    @property
    def crop(self) -> tuple[tuple[int, int], ...] | None:
        """Extra crop of the target's output per spatial axis, or None."""
        return self.call.crop

    @property
    def output_size(self) -> tuple[int, ...]:
        """Spatial output size of the operation (after any crop)."""
        return tuple(int(o) for o in self.geometry.output_size)

    def prepare(self, input: npt.ArrayLike, weight: npt.ArrayLike) -> tuple[Array, Array]:
        """The source's batched input and weight, rearranged for the target.

        Both are fresh C-ordered copies (PyTorch refuses negative strides).
        """
        return (np.transpose(np.asarray(input), self.input_permute).copy(),
                self.weight.apply(weight).copy())

    def finish(self, output: npt.ArrayLike) -> Array:
        """The target's batched output, cropped and put back in the source's layout."""
        out = np.asarray(output)
        if self.crop is not None:
            positions = [self.call.layout.data_out.index(2 + j) for j in range(self.geometry.ndim)]
            index: list[slice] = [slice(None)] * out.ndim
            widths = [(0, 0)] * out.ndim
            for q, (lo, hi) in zip(positions, self.crop, strict=True):
                index[q] = slice(max(lo, 0), out.shape[q] - max(hi, 0))
                widths[q] = (max(-lo, 0), max(-hi, 0))
            out = np.pad(out[tuple(index)], widths)
        return np.transpose(out, self.output_permute)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: kwargs, weight, data, crop, output_size and the rest."""
        return {
            "from": self.source,
            "to": self.target,
            "function": self.call.function,
            "kwargs": _plain(self.call.kwargs),
            "weight": self.weight.to_dict(),
            "data": {"input": list(self.input_permute), "output": list(self.output_permute)},
            "crop": None if self.crop is None else [list(c) for c in self.crop],
            "output_size": list(self.output_size),
            "geometry": self.geometry.to_dict(),
            "notes": list(self.notes + self.call.notes),
        }

    def __str__(self) -> str:
        g = self.geometry
        lines = [
            f"{_NAMES[self.source]} -> {_NAMES[self.target]}: {self.call.function}",
            f"  the operation (symtconv's canonical geometry): {g.describe()}",
            f"  output size {' × '.join(str(o) for o in self.output_size)}",
            "keyword arguments:",
        ]
        for name, why in self.call.explanations:
            lines.append(f"  {name}={_plain(self.call.kwargs[name])!r}")
            lines.append(f"      {why}")
        lines.append("weight (source -> target): "
                     f"permute {list(self.weight.permute)}, flip axes {list(self.weight.flip)}"
                     + ("  (unchanged)" if self.weight == Transform(tuple(
                         range(len(self.weight.permute)))) else ""))
        identity = tuple(range(g.ndim + 2))
        if self.input_permute != identity or self.output_permute != identity:
            lines.append(f"data: permute the input {list(self.input_permute)}, the output back "
                         f"{list(self.output_permute)}")
        # the only 0-based numbers in the text: array dimensions as numpy takes them
        lines.append("  (permute and flip name array dimensions from 0, as numpy.transpose "
                     "and numpy.flip take them)")
        if self.crop is None:
            lines.append("crop: none (the target expresses the padding exactly)")
        else:
            lines.append(f"crop: {[list(c) for c in self.crop]} (start, end) per spatial axis of "
                         f"the target's {' × '.join(map(str, self.call.raw_output_size))} output"
                         " (negative = append zeros)")
        lines.extend(f"note: {n}" for n in self.notes + self.call.notes)
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    """JSON-ready: tuples become lists, recursively (dict keys kept)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _translation(
    geometry: Geometry, source: str, layout: _Layout, target: str, batch: int,
    notes: tuple[str, ...] = (),
) -> Translation:
    call = write(target, geometry, batch=batch)
    weight = layout.weight.inverse().then(call.layout.weight)
    data_in = Transform(layout.data_in).inverse().then(Transform(call.layout.data_in)).permute
    data_out = Transform(call.layout.data_out).inverse().then(Transform(layout.data_out)).permute
    return Translation(source, target, geometry, call, weight, data_in, data_out, notes)


def convert(
    source: str,
    target: str,
    input_size: Any,
    kernel_size: Any = None,
    *,
    in_channels: Any = None,
    out_channels: Any = None,
    groups: Any = None,
    batch: int = 1,
    **attributes: Any,
) -> Translation:
    """Translate a ``source`` framework's call (its own parameter names) for ``target``.

    Explanation
    ===========

    :func:`read` gives the canonical geometry and the source's layouts;
    :func:`write` the target's call; the weight and data transforms are composed.

    Examples
    ========

    >>> from symtconv.conventions import convert
    >>> t = convert("jax", "torch", (4,), 3, strides=(2,), padding="VALID")
    >>> t.kwargs["padding"], t.kwargs["output_padding"], t.weight.flip, t.output_size
    ((0,), (0,), (2,), (9,))

    See Also
    ========

    translate, read, write
    """
    target = _framework(target, "the target framework")
    geometry, layout = _read(source, input_size, kernel_size, in_channels, out_channels, groups,
                             attributes)
    return _translation(geometry, source, layout, target, batch)


def translate(geometry: Geometry, target: str, *, source: str = "torch",
              batch: int = 1) -> Translation:
    """Translate a symtconv geometry for ``target``; the weight comes in ``source``'s layout.

    ``source``'s layout is the one symtconv writes for it (PyTorch's for torch and
    ONNX, channels last and ``(*k, out, in)`` for TF and Keras, PyTorch's with
    ``transpose_kernel=True`` for JAX).

    Examples
    ========

    >>> from symtconv import Geometry
    >>> from symtconv.conventions import translate
    >>> translate(Geometry((4, 4), 3, stride=2, padding=1), "tf").kwargs["output_shape"]
    (1, 7, 7, 1)
    """
    source = _framework(source, "the source framework")
    write(source, geometry, batch=batch)  # the source must be able to express it too
    return _translation(canonical(geometry), source, _layouts(source, geometry.ndim),
                        target, batch)
