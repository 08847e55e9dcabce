"""``symtconv audit MODEL``: the command-line front end of :mod:`symtconv.audit`.

``register(subparsers)`` adds the subcommand to ``symtconv``'s parser; the handler
returns 0 when the audit ran, 1 with ``--strict`` when there are findings; bad input
(an unreadable, corrupt or unsupported model, a factory that raises, a missing
``--input-shape``) raises, and ``symtconv``'s entry point prints one line and exits 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ParameterError
from .onnx_model import ModelError

__all__ = ["register", "run"]


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``audit`` to ``symtconv``'s subcommands (an argparse subparsers object)."""
    from ..cli.options import _add_command, _integer
    from ..conventions import FRAMEWORKS
    from .runtime import RUNTIMES

    text = ("audit every transposed convolution of an ONNX file or a PyTorch module: shapes, "
            "geometry, translations and findings")
    parser = _add_command(subparsers, "audit", run, text, geometry=None)
    parser.add_argument("model", metavar="MODEL",
                        help="an .onnx file, or a PyTorch module factory as module:factory or "
                             "path/to/file.py:factory (with --input-shape)")
    parser.add_argument("--input-shape", nargs="+", type=_integer, metavar="N", default=None,
                        help="N C H W of the zero input a PyTorch module runs on (required "
                             "for a module); for an ONNX model, the shape of its single "
                             "input when the file leaves sizes open")
    parser.add_argument("--to", dest="targets", nargs="+", choices=FRAMEWORKS, default=None,
                        metavar="FRAMEWORK",
                        help=f"frameworks to translate each layer into ({', '.join(FRAMEWORKS)}; "
                             "default: all)")
    parser.add_argument("--prove", action="store_true",
                        help="prove each layer exactly with the fast engine")
    parser.add_argument("--runtime", choices=RUNTIMES, default=None,
                        help="run each layer in this runtime on integer-valued inputs and "
                             "compare exactly with symtconv's numeric tier")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when there are findings")
    return parser


def _factory_module(args: argparse.Namespace) -> Any:
    from ..runner import load_target

    factory = load_target(args.model)
    try:
        return factory()
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ModelError(f"the factory {args.model} raised {type(error).__name__}"
                         + (f": {first}" if first else "")) from None


def run(args: argparse.Namespace) -> int:
    """Run the audit the arguments describe; the exit status."""
    from ..cli.options import _emit
    from .report import audit_onnx, audit_torch

    if args.input_shape is not None and min(args.input_shape) < 1:
        raise ParameterError(
            f"--input-shape must be positive integers, got {' '.join(map(str, args.input_shape))}"
        )
    options = {"targets": args.targets, "prove": args.prove, "runtime": args.runtime}
    if args.model.lower().endswith(".onnx") or ":" not in args.model:
        result = audit_onnx(args.model, input_shape=args.input_shape, **options)
    else:
        if args.input_shape is None:
            raise ParameterError(
                f"--input-shape N C ... is required to audit the PyTorch module {args.model}"
            )
        from .torch_model import import_torch

        import_torch()  # the missing-torch message before the user's module fails on it
        module = _factory_module(args)
        result = audit_torch(module, args.input_shape, name=args.model, **options)
    _emit(args, result.to_dict(), str(result))
    return 1 if args.strict and not result else 0
