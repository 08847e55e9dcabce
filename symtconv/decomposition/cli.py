"""``symtconv decompose``: the sub-pixel decomposition of a layer, proved, optionally exported.

:func:`register` adds the subcommand to the ``symtconv`` parser; :func:`run` is its
handler.  Exit status: 0 when every proof that ran holds (or none was asked for), 1 when
one does not, 2 for bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..errors import ShapeError
from .plan import decompose
from .proofs import prove_concrete, prove_general

__all__ = ["PROOFS", "register", "run"]

#: The choices of ``--proof``.
PROOFS = ("both", "concrete", "general", "none")


def register(commands: Any) -> argparse.ArgumentParser:
    """Add ``decompose`` to the ``symtconv`` subcommands (an argparse subparsers object)."""
    from ..cli.options import _add_command

    text = ("rewrite a transposed convolution as a stride-1 convolution, a pixel shuffle "
            "and a crop; prove it; optionally export it as ONNX")
    sub = _add_command(commands, "decompose", run, text, geometry=False)
    sub.add_argument("--proof", choices=PROOFS, default="both", metavar="WHICH",
                     help="which proofs to run: concrete (the exact one on this geometry, fast "
                          "engine), general (for symbolic sizes), both (default) or none")
    sub.add_argument("--onnx", metavar="OUT.onnx",
                     help="write the decomposition as an ONNX model (opset 13; needs "
                          "pip install 'symtconv[onnx]')")
    sub.add_argument("--weight", metavar="W.npy",
                     help="with --onnx: PyTorch's weight (C_in, C_out/groups, k_1, …, k_N), "
                          "float32 or float64 (ONNX Runtime runs float32 only), stored "
                          "rearranged in the model; without it the model takes the rearranged "
                          "weight as its second input 'w'")
    sub.add_argument("--bias", metavar="B.npy",
                     help="with --onnx: the bias (C_out,), in the weight's dtype")
    return sub


def _load(path: str, flag: str) -> np.ndarray:
    from ..cli.options import UsageError

    try:
        return np.asarray(np.load(path, allow_pickle=False))
    except (ValueError, EOFError) as error:
        reason = str(error).split(".")[0]
        raise UsageError(f"{flag} {path}: not a .npy file of numbers ({reason})") from None


def run(args: argparse.Namespace) -> int:
    """Handle ``symtconv decompose``."""
    from ..cli.options import UsageError, _emit, _geometry

    for flag, value in (("--weight", args.weight), ("--bias", args.bias)):
        if value is not None and args.onnx is None:
            raise UsageError(f"{flag} is only used with --onnx OUT.onnx")
    plan = decompose(_geometry(args))
    data: dict[str, Any] = plan.to_dict()
    texts = [str(plan)]
    if args.onnx is not None:  # first: a bad weight file or path fails before any proof
        data["onnx"] = _export(plan, args)
        texts.append(data["onnx"]["summary"])
    proofs: dict[str, Any] = {}
    if args.proof in ("both", "concrete"):
        concrete = prove_concrete(plan)  # refuses past decompose.terms, in one line
        proofs["concrete"] = concrete
        texts.append(str(concrete))
    if args.proof in ("both", "general"):
        general = prove_general()
        proofs["general"] = general
        texts.append(str(general))
    data["proofs"] = {name: proof.to_dict() for name, proof in proofs.items()}
    data["proved"] = bool(proofs) and all(bool(p) for p in proofs.values())
    _emit(args, data, "\n".join(texts))
    return 0 if all(bool(p) for p in proofs.values()) else 1


def _export(plan: Any, args: argparse.Namespace) -> dict[str, Any]:
    from .export import to_onnx

    weight = None if args.weight is None else _load(args.weight, "--weight")
    bias = None if args.bias is None else _load(args.bias, "--bias")
    if weight is not None and weight.shape != tuple(plan.geometry.weight_shape):
        raise ShapeError(
            f"--weight {args.weight} must have PyTorch's shape (C_in, C_out/groups, *k) = "
            f"{tuple(plan.geometry.weight_shape)}, got {weight.shape}"
        )
    model = to_onnx(plan, weight, bias)
    import onnx

    onnx.save(model, args.onnx)  # an unwritable path: OSError, one line from the CLI
    nodes = [node.op_type for node in model.graph.node]
    inputs = [i.name for i in model.graph.input]
    summary = f"wrote {args.onnx}: inputs {inputs}, nodes {' -> '.join(nodes)}"
    recipe = None
    if weight is None:
        recipe = (f"input 'w' is the rearranged weight {list(plan.conv_weight_shape)}: "
                  "symtconv.decomposition.decompose(geometry).rearrange_weight(w_torch), i.e. "
                  "the rule and taps under 'weight'")
        summary += "\n" + recipe
    return {"path": args.onnx, "opset": 13, "inputs": inputs, "nodes": nodes,
            "weight_recipe": recipe, "summary": summary}
