"""Tracing the transposed convolutions of a PyTorch module (needs ``torch``).

Explanation
===========

Forward hooks on every ``torch.nn.ConvTranspose1d/2d/3d`` record the input shape,
the ``output_size`` argument (if any) and the output shape while the module (in eval
mode, without gradients) runs on a zero input of the given shape.  Each call of a
layer is one entry; a layer called twice appears twice (``name#2``).  The geometry is
read from the module's parameters with :func:`symtconv.conventions.from_torch`; the
traced output shape is what PyTorch computed, compared with symtconv's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import MissingDependencyError, SymtconvError
from .layers import LayerSpec
from .onnx_model import ModelError

__all__ = ["import_torch", "trace_torch"]


def import_torch() -> Any:
    """The ``torch`` module, or :class:`MissingDependencyError` with the pip command."""
    try:
        import torch
    except ImportError:
        raise MissingDependencyError(
            "auditing a PyTorch module needs torch: pip install 'symtconv[torch]'"
        ) from None
    return torch


def _pair_list(value: Any) -> list[int]:
    return [int(v) for v in (value if isinstance(value, (tuple, list)) else (value,))]


def trace_torch(module: Any, input_shape: Sequence[int]) -> list[LayerSpec]:
    """The transposed convolutions ``module`` runs on a zero input of ``input_shape``."""
    torch = import_torch()
    from ..conventions import from_torch

    if not isinstance(module, torch.nn.Module):
        raise ModelError(f"the factory must return a torch.nn.Module, got {type(module).__name__}")
    shape = tuple(int(n) for n in input_shape)
    if not shape or min(shape) < 1:
        raise ModelError(f"--input-shape must be positive integers, got {list(input_shape)}")
    kinds = (torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d, torch.nn.ConvTranspose3d)
    calls: list[tuple[str, Any, tuple[int, ...], Any, tuple[int, ...]]] = []
    seen: dict[str, int] = {}

    def hook(name: str) -> Any:
        def record(layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
            size = kwargs.get("output_size", args[1] if len(args) > 1 else None)
            seen[name] = seen.get(name, 0) + 1
            label = name if seen[name] == 1 else f"{name}#{seen[name]}"
            calls.append((label, layer, tuple(args[0].shape), size, tuple(out.shape)))
        return record

    handles = [
        layer.register_forward_hook(hook(name or type(layer).__name__), with_kwargs=True)
        for name, layer in module.named_modules() if isinstance(layer, kinds)
    ]
    parameter = next(module.parameters(), None)
    dtype = parameter.dtype if parameter is not None else torch.float32
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            module(torch.zeros(shape, dtype=dtype))
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ModelError(f"the module's forward pass on a zero input of shape {list(shape)} "
                         f"failed: {type(error).__name__}: {first}") from None
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    specs = []
    for label, layer, x, size, out in calls:
        ndim = len(x) - 2 if len(x) == layer.weight.ndim else len(x) - 1
        batched = len(x) == layer.weight.ndim
        spatial = x[-ndim:]
        attrs = {
            "in_channels": layer.in_channels, "out_channels": layer.out_channels,
            "kernel_size": _pair_list(layer.kernel_size), "stride": _pair_list(layer.stride),
            "padding": _pair_list(layer.padding),
            "output_padding": _pair_list(layer.output_padding),
            "groups": layer.groups, "dilation": _pair_list(layer.dilation),
            "bias": layer.bias is not None, "padding_mode": layer.padding_mode,
        }
        if size is not None:
            attrs["output_size"] = [int(v) for v in size]
        try:
            geometry = from_torch(
                spatial, tuple(layer.kernel_size), tuple(layer.stride), tuple(layer.padding),
                tuple(layer.output_padding), layer.groups, tuple(layer.dilation),
                in_channels=layer.in_channels, out_channels=layer.out_channels,
                output_size=None if size is None else [int(v) for v in size],
                padding_mode=layer.padding_mode,
            )
        except SymtconvError as error:
            raise ModelError(f"unsupported module: layer {label!r}: "
                             f"{str(error).splitlines()[0]}") from None
        batch = x[0] if batched else 1
        specs.append(LayerSpec(
            name=label, op=type(layer).__name__, source="torch",
            input_shape=(batch, *x[-ndim - 1:]), geometry=geometry, attributes=attrs,
            declared_output=out if batched else (1, *out),
            declared_where="PyTorch's forward pass (traced)", bias=layer.bias is not None,
        ))
    return specs
