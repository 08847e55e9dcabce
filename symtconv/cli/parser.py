"""The argument parser: every command, its flags and their help."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .commands import (
    cmd_check,
    cmd_convert,
    cmd_demo,
    cmd_derive,
    cmd_eval,
    cmd_figure,
    cmd_overlap,
    cmd_prove,
    cmd_relationships,
    cmd_size,
)
from .options import (
    _add_command,
    _inches,
    _integer,
    _Parser,
    _seconds,
)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__
    from ..proofs import AUTO_SYMPY_TERMS, ENGINES
    from ..results import METHODS

    parser = _Parser(
        prog="symtconv",
        description="Derive and prove the mathematics of transposed convolution.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print symtconv's version and exit")
    # COMMAND in the usage line: the list of names alone is wider than a terminal
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                     metavar="COMMAND", title="commands")

    def command(name: str, handler: Callable[[argparse.Namespace], int], text: str,
                geometry: bool | None = True, more: str = "") -> argparse.ArgumentParser:
        return _add_command(commands, name, handler, text, geometry, more)

    size = command("size", cmd_size, "output size and shapes of a geometry", geometry=False)
    size.add_argument("--symbolic", action="store_true",
                      help="derive the output-size formula for symbolic i, k, s, p, d, a")
    prove = command("prove", cmd_prove, "prove exactly that the methods agree", geometry=False)
    prove.add_argument("--engine", choices=ENGINES, default="auto",
                       help="sympy: SymPy expressions (readable, small layers); fast: the exact "
                            "engine (millions of terms); auto (default): SymPy up to "
                            f"{AUTO_SYMPY_TERMS:,} y·w terms, else fast")
    prove.add_argument("--methods", nargs="+", choices=list(METHODS), default=None,
                       metavar="METHOD",
                       help="methods to compare with the scatter definition, among "
                            f"{', '.join(METHODS)} (default: all)")
    prove.add_argument("--general", action="store_true",
                       help="prove the identity for every size at once (symbolic i, k, s, p, d, a)")
    prove.add_argument("--ndim", type=_integer, default=1, metavar="N",
                       help="with --general: number of spatial axes")
    prove.add_argument("--asymmetric", action="store_true",
                       help="with --general: separate begin/end crops")
    command("relationships", cmd_relationships,
            "Dumoulin & Visin's relationships 1-15 (and the dilated transposed case), "
            "each checked by SymPy", geometry=None)
    ev = command("eval", cmd_eval, "evaluate exactly on integer or rational values",
                 geometry=False,
                 more="; the output has shape (o_1, …, o_N) when the values come without "
                      "channel axes, else (C_out, o_1, …, o_N), printed as one matrix per "
                      "output channel (the function symtconv.evaluate always returns "
                      "(C_out, o_1, …, o_N))")
    ev.add_argument("--input-values", required=True, metavar="JSON",
                    help="y as nested lists, shape (i_1, …, i_N) or (C_in, i_1, …, i_N); "
                         "@PATH reads a JSON or .npy file, - reads JSON from standard input")
    ev.add_argument("--kernel-values", required=True, metavar="JSON",
                    help="w as nested lists, shape (k_1, …, k_N) or (C_in, C_out/groups, "
                         "k_1, …, k_N); @PATH or - as for --input-values")
    command("demo", cmd_demo, "the seed's worked example, end to end", geometry=None)
    check = command("check", cmd_check, "verify a transposed-convolution implementation and "
                    "explain what it gets wrong", geometry=None)
    check.add_argument("target", metavar="TARGET",
                       help="module:function or path/to/file.py:function (imported and run "
                            "in a child process)")
    # the choices are symtconv.verification.CONVENTIONS, which needs hypothesis to import
    check.add_argument("--convention", choices=("numpy", "torch", "onnx", "jax"),
                       default="numpy",
                       help="the callable's signature: torch's functional conv_transpose*d on "
                            "numpy arrays (numpy) or on torch tensors (torch), onnx's "
                            "ConvTranspose (X, W, B, **attributes), or jax.lax.conv_transpose")
    check.add_argument("--ndim", type=_integer, nargs="+", default=None, metavar="N",
                       help="the numbers of spatial axes the implementation supports (1-3)")
    # the choices are symtconv.strategies.FEATURES
    check.add_argument("--without", nargs="+", metavar="FEATURE",
                       choices=("groups", "dilation", "output-padding", "padding", "bias",
                                "batch", "unbatched", "channels"),
                       help="features it does not support: groups, dilation, output-padding, "
                            "padding, bias, batch (no batch of several samples), unbatched "
                            "(the input always has a batch axis), channels (one in and out)")
    check.add_argument("--max-size", type=_integer, default=4, metavar="N",
                       help="the largest spatial input size drawn (1-64, default 4)")
    check.add_argument("--max-examples", type=_integer, default=200, metavar="N",
                       help="how many random layers hypothesis draws (default 200)")
    check.add_argument("--seed", type=_integer, default=None, metavar="S",
                       help="hypothesis's random seed, to repeat a run (default: random)")
    check.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS",
                       help="time allowed per call (default 10)")
    fig = command("figure", cmd_figure, "draw C, the flip-and-pad steps or the overlap map "
                  "(needs matplotlib: pip install 'symtconv[plot]')", geometry=False)
    fig.add_argument("--kind", required=True, choices=("matrix", "steps", "overlap", "animation"),
                     help="matrix: C (or Cᵀ); steps: the flip-and-pad steps; overlap: the "
                          "terms reaching each output (the checkerboard); animation: the "
                          "flip-and-pad steps and the sliding window as a GIF")
    fig.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="the file to write: .png, .svg or .pdf (.gif for --kind animation)")
    fig.add_argument("--transpose", action="store_true", help="with --kind matrix: draw Cᵀ")
    fig.add_argument("--input-values", metavar="JSON",
                     help="with --kind steps: y as nested lists, shape (i_1, …, i_N) or "
                          "(C_in, i_1, …, i_N)")
    fig.add_argument("--kernel-values", metavar="JSON",
                     help="with --kind steps: w, shape (k_1, …, k_N) or (C_in, C_out/groups, "
                          "k_1, …, k_N)")
    fig.add_argument("--dpi", type=_integer, default=120, metavar="N",
                     help="resolution of a PNG (default 120)")
    fig.add_argument("--size", type=_inches, nargs=2, metavar=("W", "H"),
                     help="figure size in inches (default: chosen from the geometry)")
    ov = command("overlap", cmd_overlap, "how many y·w terms reach each output position "
                 "(the checkerboard analysis)", geometry=False)
    ov.add_argument("--symbolic", action="store_true",
                    help="derive the counts and the uniformity condition for symbolic s, k, d")
    from ..conventions import FRAMEWORKS

    conv = command("convert", cmd_convert, "translate a transposed convolution between "
                   "PyTorch, ONNX, TensorFlow, Keras and JAX", geometry=False)
    conv.add_argument("--from", dest="source", required=True, choices=FRAMEWORKS,
                      help="the framework whose parameters are given")
    conv.add_argument("--to", dest="target", required=True, choices=FRAMEWORKS,
                      help="the framework to write the same layer for")
    conv.add_argument("--attrs", metavar="JSON", default=None,
                      help="the source's own parameters as a JSON object (instead of the "
                           "geometry flags; --input, --kernel and channels still apply)")
    conv.add_argument("--batch", type=_integer, default=1, metavar="N",
                      help="batch size written into TensorFlow's output_shape")
    derive = command("derive", cmd_derive, "write a LaTeX derivation document (a PDF with --pdf)",
                     geometry=False)
    derive.add_argument("-o", "--output", metavar="FILE.tex",
                        help="where to write the document (default: standard output)")
    derive.add_argument("--pdf", action="store_true",
                        help="also run pdflatex (texlive-latex-base), output next to FILE.tex")
    derive.add_argument("--figures", action="store_true",
                        help="draw C, the flip-and-pad steps and the overlap map as PDFs next "
                             "to FILE.tex and include them (needs pip install 'symtconv[plot]')")
    derive.add_argument("--input-values", metavar="JSON",
                        help="exact values for y, shape (i_1, …, i_N) or (C_in, i_1, …, i_N)")
    derive.add_argument("--kernel-values", metavar="JSON",
                        help="exact values for w, shape (k_1, …, k_N) or (C_in, C_out/groups, "
                             "k_1, …, k_N)")
    derive.add_argument("--expected", metavar="JSON",
                        help="an output to compare the computed one with (e.g. a framework's)")
    derive.add_argument("--names", nargs=3, metavar=("Y", "W", "X"), default=None,
                        help="display names for y, w and x (ASCII letters, e.g. theta)")
    derive.add_argument("--title", default=None, help="the document's title")
    derive.add_argument("--general", action="store_true",
                        help="the general proof for every size, the size derivation and "
                             "Dumoulin & Visin's relationships")
    derive.add_argument("--ndim", type=_integer, default=1, metavar="N",
                        help="with --general: number of spatial axes")
    derive.add_argument("--asymmetric", action="store_true",
                        help="with --general: separate begin/end crops")
    from ..decomposition.cli import register as register_decompose  # symtconv decompose

    register_decompose(commands)
    from ..explore.cli import register as register_explore  # symtconv explore

    register_explore(commands)
    from ..audit.cli import register as register_audit  # symtconv audit

    register_audit(commands)
    return parser
