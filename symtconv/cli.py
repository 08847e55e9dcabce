"""The ``symtconv`` command line: a thin front end over the library.

Every command takes ``--json``.  Bad input prints one line on stderr and exits with
status 2; ``prove`` exits with 1 when the methods are not proved equal.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, NoReturn

import numpy as np
import sympy as sp

from .errors import SymtconvError
from .geometry import Geometry

__all__ = ["main"]

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, never the usage block
        raise UsageError(message)


# --------------------------------------------------------------------------- #
# geometry flags
# --------------------------------------------------------------------------- #


def _integer(text: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _padding(text: str) -> int | tuple[int, int]:
    """``P`` (both ends) or ``B:E`` (begin and end crop) for one axis."""
    if ":" in text:
        begin, _, end = text.partition(":")
        return (_integer(begin), _integer(end))
    return _integer(text)


GEOMETRY_FLAGS: tuple[tuple[str, str, Callable[[str], Any], str], ...] = (
    ("--input", "input_size", _integer, "spatial input size, one per axis"),
    ("--kernel", "kernel_size", _integer, "kernel size (one value for all axes, or one per axis)"),
    ("--stride", "stride", _integer, "stride"),
    ("--padding", "padding", _padding, "padding, a crop of the full output; B:E for asymmetric"),
    ("--output-padding", "output_padding", _integer, "output_padding"),
    ("--dilation", "dilation", _integer, "dilation"),
)


def _add_geometry_flags(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group("geometry (PyTorch's parameters)")
    for flag, dest, kind, text in GEOMETRY_FLAGS:
        group.add_argument(
            flag, dest=dest, nargs="+", type=kind, metavar="N",
            required=required and dest in ("input_size", "kernel_size"), help=text,
        )
    for flag, dest in (("--in-channels", "in_channels"), ("--out-channels", "out_channels")):
        group.add_argument(flag, dest=dest, type=_integer, default=1, metavar="N")
    # `--groups N` for a concrete geometry; a bare `--groups` asks `prove --general` to
    # include channels with groups
    group.add_argument("--groups", dest="groups", type=_integer, nargs="?", const=GROUPS_FLAG,
                       default=1, metavar="N")


#: The value of a bare ``--groups`` (no number): no integer, so ``--groups 0`` stays
#: an invalid number of groups.
GROUPS_FLAG: Any = object()


def _group_count(args: argparse.Namespace) -> int:
    """``--groups N`` for a concrete geometry (a bare ``--groups`` is for --general)."""
    if args.groups is GROUPS_FLAG:
        raise UsageError("--groups needs a number for a concrete geometry, e.g. --groups 2")
    return int(args.groups)


def _one_or_many(values: list[Any] | None, default: Any) -> Any:
    if values is None:
        return default
    return values[0] if len(values) == 1 else tuple(values)


def _geometry(args: argparse.Namespace, **inferred: Any) -> Geometry:
    """The Geometry the flags describe; ``inferred`` fills sizes read off value arrays."""
    params: dict[str, Any] = {}
    for _, dest, _, _ in GEOMETRY_FLAGS:
        values = getattr(args, dest)
        if values is not None:
            params[dest] = _one_or_many(values, None)
        elif dest in inferred:
            params[dest] = inferred[dest]
    if isinstance(params.get("padding"), tuple) and len(args.padding) == 1:
        # one `B:E` is the crop of every axis, as one number is the padding of every axis
        sizes = [params.get(d) for d in ("input_size", "kernel_size")]
        ndim = max((len(v) for v in sizes if isinstance(v, tuple)), default=1)
        params["padding"] = (params["padding"],) * ndim
    for dest in ("input_size", "kernel_size"):
        if dest not in params:
            raise UsageError(f"--{dest.split('_')[0]} is required")
    _group_count(args)
    for dest in ("in_channels", "out_channels", "groups"):
        given = getattr(args, dest)
        params[dest] = inferred.get(dest, given)
        if given != 1 and params[dest] != given:
            flag = "--" + dest.replace("_", "-")
            raise UsageError(
                f"{flag} {given} disagrees with the values, which have {params[dest]}"
            )
    if "input_size" in inferred and params["input_size"] != inferred["input_size"]:
        raise UsageError(
            f"--input {params['input_size']} disagrees with the input values' spatial size "
            f"{inferred['input_size']}"
        )
    return Geometry(**params)


# --------------------------------------------------------------------------- #
# commands
# --------------------------------------------------------------------------- #


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def _no_geometry_flags(args: argparse.Namespace, mode: str) -> None:
    given = [flag for flag, dest, _, _ in GEOMETRY_FLAGS if getattr(args, dest) is not None]
    if given:
        raise UsageError(f"{mode} is for symbolic sizes and takes no {given[0]}")


def cmd_size(args: argparse.Namespace) -> int:
    if args.symbolic:
        from .general import output_size_derivation

        _no_geometry_flags(args, "--symbolic")
        derivation = output_size_derivation()
        _emit(args, derivation.to_dict(), str(derivation))
        return 0
    g = _geometry(args)
    data = g.to_dict()
    data.update(
        input_shape=list(g.input_shape),
        weight_shape=list(g.weight_shape),
        output_shape=list(g.output_shape),
    )
    sizes = " × ".join(str(o) for o in g.output_size)
    text = "\n".join([
        f"output size: {sizes}",
        "per axis: o = (i-1)·s - 2p + d·(k-1) + a + 1",
        *(
            f"  axis {n}: ({ax.i}-1)·{ax.s} - {ax.p_begin + ax.p_end} + {ax.d}·({ax.k}-1) "
            f"+ {ax.a} + 1 = {o}"
            for n, (ax, o) in enumerate(zip(g.axes, g.output_size, strict=True))
        ),
        f"input (C_in, *i):            {g.input_shape}",
        f"weight (C_in, C_out/g, *k):  {g.weight_shape}",
        f"output (C_out, *o):          {g.output_shape}",
    ])
    _emit(args, data, text)
    return 0


def cmd_prove(args: argparse.Namespace) -> int:
    if args.general:
        from .general import prove_general

        _no_geometry_flags(args, "--general")
        general = prove_general(ndim=args.ndim, groups=args.groups != 1,
                                asymmetric=args.asymmetric)
        _emit(args, general.to_dict(), str(general))
        return 0 if general else 1
    from .proofs import prove

    proof = prove(_geometry(args), engine=args.engine, methods=args.methods)
    _emit(args, proof.to_dict(), str(proof))
    return 0 if proof else 1


def cmd_relationships(args: argparse.Namespace) -> int:
    from .general import relationships

    table = relationships()
    data = {"relationships": [r.to_dict() for r in table]}
    rows = [("#", "relationship", "conditions", "checked", "claims")] + [
        (
            str(r.number) + ("*" if not r.in_paper else ""),
            r.name,
            r.conditions or "-",
            "verified" if r.verified else "NOT verified",
            ", ".join(f"{key} = {value}" for key, value in r.claims.items()),
        )
        for r in table
    ]
    widths = [max(len(row[c]) for row in rows) for c in range(4)]
    lines = ["  ".join([*(row[c].ljust(widths[c]) for c in range(4)), row[4]]) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len("claims")]))
    lines.append("* not in Dumoulin & Visin's paper: the dilated transposed case")
    _emit(args, data, "\n".join(lines))
    return 0 if all(r.verified for r in table) else 1


def _values(text: str, flag: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{flag} must be JSON (nested lists of numbers): {error}") from None


def _array(data: Any, flag: str) -> np.ndarray:
    try:
        array = np.array(data, dtype=object)
    except ValueError:
        raise UsageError(f"{flag} must be a rectangular nested list") from None
    if array.ndim == 0 or array.size == 0 or any(isinstance(v, list) for v in array.flat):
        raise UsageError(f"{flag} must be a non-empty rectangular nested list of numbers")
    return array


def _inferred_sizes(args: argparse.Namespace, y: np.ndarray, w: np.ndarray) -> dict[str, Any]:
    """Sizes from the values: y is (*i) or (C_in, *i); w is (*k) or (C_in, C_out/g, *k)."""
    if args.kernel_size is not None:
        ndim = len(args.kernel_size) if len(args.kernel_size) > 1 else None
    else:
        ndim = None
    if ndim is None:
        ndim = w.ndim - 2 if w.ndim == y.ndim + 1 else (w.ndim if w.ndim == y.ndim else y.ndim - 1)
    if y.ndim not in (ndim, ndim + 1) or w.ndim not in (ndim, ndim + 2) or ndim < 1:
        raise UsageError(
            f"--input-values has shape {y.shape} and --kernel-values shape {w.shape}: expected "
            "(*i) or (C_in, *i), and (*k) or (C_in, C_out/groups, *k)"
        )
    c_in = y.shape[0] if y.ndim == ndim + 1 else 1
    per_group = w.shape[1] if w.ndim == ndim + 2 else 1
    return {
        "input_size": tuple(y.shape[-ndim:]) if ndim > 1 else y.shape[-1],
        "kernel_size": tuple(w.shape[-ndim:]) if ndim > 1 else w.shape[-1],
        "in_channels": c_in,
        "out_channels": per_group * _group_count(args),
    }


def _plain(value: Any) -> Any:
    """JSON form of a result entry: ints stay ints, rationals become "p/q" strings."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    if getattr(value, "is_Integer", False) or isinstance(value, (int, np.integer)):
        return int(value)
    if getattr(value, "is_Rational", False):
        return str(value)
    return float(value)


def _numeric_values(values: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    """Values for the numeric tier: float64 if any is a float, else exact Python objects."""
    from .evaluate import as_exact, with_channels

    if any(isinstance(v, float) for v in values.flat):
        try:
            array = values.astype(np.float64)
        except (TypeError, ValueError):
            raise UsageError(f"{name} must hold numbers") from None
    else:  # ints and rationals stay exact: Fractions in an object array
        array = np.vectorize(lambda v: Fraction(int(v.p), int(v.q)), otypes=[object])(
            as_exact(values, name)
        )
    return with_channels(array, shape, name)


#: ``symtconv eval`` prints every output entry; past this many it refuses.
EVAL_OUTPUT_LIMIT = 1_000_000


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate
    from .tensors import sympy_fits

    y = _array(_values(args.input_values, "--input-values"), "--input-values")
    w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
    g = _geometry(args, **_inferred_sizes(args, y, w))
    printed = math.prod(g.output_shape)
    if printed > EVAL_OUTPUT_LIMIT:
        raise UsageError(
            f"the output would have {printed:,} entries (shape {tuple(g.output_shape)}), more "
            f"than eval prints (at most {EVAL_OUTPUT_LIMIT:,}); call "
            "symtconv.numeric.conv_transpose from Python instead"
        )
    floats = any(isinstance(v, float) for v in (*y.flat, *w.flat))
    if floats or not sympy_fits(g):
        # floating-point values, or too large for SymPy: the numeric tier (exact for
        # integers and rationals, which it computes in Python objects)
        from .numeric import conv_transpose

        tier = "numeric"
        output = conv_transpose(
            _numeric_values(y, g.input_shape, "input values"),
            _numeric_values(w, g.weight_shape, "kernel values"),
            stride=g.stride, padding=g.padding, output_padding=g.output_padding,
            groups=g.groups, dilation=g.dilation,
        )
    else:
        tier = "sympy"
        output = evaluate(g, y, w)
    if y.ndim == g.ndim:  # the values came without a channel axis: answer in kind
        output = output[0]
    plain = _plain(output)
    data = {
        "output": plain,
        "output_shape": list(output.shape),
        "tier": tier,
        "exact": not floats,
        "geometry": g.to_dict(),
    }
    compact = json.dumps(plain, separators=(",", ":"))
    _emit(args, data, f"output {tuple(output.shape)} ({tier} tier):\n{compact}")
    return 0


def cmd_derive(args: argparse.Namespace) -> int:
    """Write a LaTeX derivation document (and with --pdf, compile it)."""
    from pathlib import Path

    from .latex import Derivation, GeneralDerivation, compile_pdf, derive, derive_general

    document: Derivation | GeneralDerivation
    if args.pdf and args.output is None:
        raise UsageError("--pdf needs -o FILE.tex (the PDF is written next to it)")
    if args.figures and args.output is None:
        raise UsageError("--figures needs -o FILE.tex (the figures are written next to it)")
    if args.general:
        if args.figures:
            raise UsageError("--figures draws a concrete geometry; --general has none")
        _no_geometry_flags(args, "--general")
        if args.input_values is not None or args.kernel_values is not None:
            raise UsageError("--general is for symbolic sizes and takes no values")
        document = derive_general(args.ndim, args.groups != 1, asymmetric=args.asymmetric)
    else:
        if (args.input_values is None) != (args.kernel_values is None):
            raise UsageError("--input-values and --kernel-values go together")
        y = w = None
        inferred: dict[str, Any] = {}
        if args.input_values is not None:
            y = _array(_values(args.input_values, "--input-values"), "--input-values")
            w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
            inferred = _inferred_sizes(args, y, w)
        expected = None
        if args.expected is not None:
            if y is None:
                raise UsageError("--expected needs --input-values and --kernel-values")
            expected = _array(_values(args.expected, "--expected"), "--expected")
        document = derive(_geometry(args, **inferred), y, w, names=args.names, title=args.title,
                          expected=expected, figures=args.figures)
    if args.output is None:
        sys.stdout.write(document.document())
        return 0
    path = Path(args.output)
    if path.suffix != ".tex":
        raise UsageError(f"-o must name a .tex file, got {args.output!r}")
    written = document.write(path)  # with --figures, the figures first (next to the .tex)
    data: dict[str, Any] = {"tex": str(path), "figures": [str(p) for p in written[1:]],
                            "pdf": None, "pages": None}
    lines = [f"wrote {p}" for p in written]
    if args.pdf:
        compiled = compile_pdf(path)
        data.update(pdf=str(compiled.pdf), pages=compiled.pages)
        lines.append(f"wrote {compiled.pdf} ({compiled.pages} pages)")
    _emit(args, data, "\n".join(lines))
    return 0


def _load_target(target: str) -> Callable[..., Any]:
    """``module:function`` or ``path/to/file.py:function`` as a callable."""
    import importlib
    import importlib.util
    from pathlib import Path

    where, _, name = target.rpartition(":")
    if not where or not name:
        raise UsageError(
            f"TARGET must be module:function or path/to/file.py:function, got {target!r}"
        )
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_file():
                raise UsageError(f"no such file: {where}")
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or spec.loader is None:
                raise UsageError(f"cannot import {where}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except UsageError:
        raise
    except Exception as error:  # any import failure is a usage error here
        raise UsageError(f"cannot import {where}: {type(error).__name__}: {error}") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise UsageError(f"{where} has no callable named {name!r}")
    return function


def cmd_check(args: argparse.Namespace) -> int:
    from .verification import verify

    if args.max_examples < 1:
        raise UsageError(f"--max-examples must be a positive integer, got {args.max_examples}")
    report = verify(_load_target(args.target), args.convention,
                    max_examples=args.max_examples, seed=args.seed)
    _emit(args, report.to_dict(), str(report))
    return 0 if report else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import seed_demo

    demo = seed_demo()
    _emit(args, demo.to_dict(), str(demo))
    return 0 if demo.matches_seed and demo.proof else 1


def cmd_figure(args: argparse.Namespace) -> int:
    """Draw C, the flip-and-pad steps or the overlap map (symtconv.figures)."""
    from .evaluate import as_exact, with_channels
    from .figures import render

    if args.transpose and args.kind != "matrix":
        raise UsageError("--transpose is for --kind matrix")
    if (args.input_values is None) != (args.kernel_values is None):
        raise UsageError("--input-values and --kernel-values go together")
    if args.dpi < 1 or (args.size is not None and min(args.size) <= 0):
        raise UsageError("--dpi and --size must be positive")
    y = w = None
    inferred: dict[str, Any] = {}
    if args.input_values is not None:
        if args.kind != "steps":
            raise UsageError("--input-values and --kernel-values are for --kind steps")
        y = _array(_values(args.input_values, "--input-values"), "--input-values")
        w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
        inferred = _inferred_sizes(args, y, w)
    g = _geometry(args, **inferred)
    if y is not None and w is not None:
        y = with_channels(as_exact(y, "input values"), g.input_shape, "input values")
        w = with_channels(as_exact(w, "kernel values"), g.weight_shape, "kernel values")
    path = render(args.kind, g, args.output, dpi=args.dpi, transpose=args.transpose, y=y, w=w,
                  size=None if args.size is None else tuple(args.size))
    data = {"path": str(path), "kind": args.kind, "format": path.suffix.lstrip("."),
            "geometry": g.to_dict()}
    _emit(args, data, f"wrote {path} ({args.kind})")
    return 0


def cmd_overlap(args: argparse.Namespace) -> int:
    """How many y·w terms reach each output position (symtconv.overlap)."""
    from .overlap import derive_overlap, overlap

    if args.symbolic:
        _no_geometry_flags(args, "--symbolic")
        derivation = derive_overlap()
        _emit(args, derivation.to_dict(), str(derivation))
        return 0 if derivation else 1
    result = overlap(_geometry(args))
    _emit(args, result.to_dict(), str(result))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Translate a transposed convolution between frameworks (symtconv.conventions)."""
    from .conventions import convert, translate

    if args.attrs is None:
        translation = translate(_geometry(args), args.target, source=args.source,
                                batch=args.batch)
    else:
        attrs = _values(args.attrs, "--attrs")
        if not isinstance(attrs, dict):
            raise UsageError(f"--attrs must be a JSON object of {args.source}'s parameters")
        extra = [flag for flag, dest, _, _ in GEOMETRY_FLAGS
                 if dest not in ("input_size", "kernel_size") and getattr(args, dest) is not None]
        if extra:
            raise UsageError(f"{extra[0]} cannot be combined with --attrs: give {args.source}'s "
                             "own parameters in --attrs")
        if args.input_size is None:
            raise UsageError("--input is required")
        _group_count(args)
        sizes: dict[str, Any] = {}
        for dest in ("in_channels", "out_channels", "groups"):
            given = getattr(args, dest)  # the default 1 counts as not given
            if dest in attrs and given != 1 and attrs[dest] != given:
                raise UsageError(f"--{dest.replace('_', '-')} {given} disagrees with "
                                 f"--attrs {dest}={attrs[dest]!r}")
            if dest not in attrs:
                sizes[dest] = None if given == 1 else given
        kernel = _one_or_many(args.kernel_size, None)
        if "kernel_size" in attrs:  # PyTorch's and Keras's own name
            if kernel is not None and attrs["kernel_size"] != kernel:
                raise UsageError(f"--kernel disagrees with --attrs kernel_size="
                                 f"{attrs['kernel_size']!r}")
            kernel = attrs.pop("kernel_size")
        translation = convert(args.source, args.target, _one_or_many(args.input_size, None),
                              kernel, batch=args.batch, **sizes, **attrs)
    _emit(args, translation.to_dict(), str(translation))
    return 0


# --------------------------------------------------------------------------- #
# parser and entry point
# --------------------------------------------------------------------------- #


def build_parser() -> argparse.ArgumentParser:
    from .proofs import ENGINES
    from .results import METHODS

    parser = _Parser(
        prog="symtconv",
        description="Derive and prove the mathematics of transposed convolution.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, handler: Callable[[argparse.Namespace], int], text: str,
                geometry: bool | None = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        if geometry is not None:
            _add_geometry_flags(sub, required=geometry)
        sub.add_argument("--json", action="store_true", help="print JSON")
        return sub

    size = command("size", cmd_size, "output size and shapes of a geometry", geometry=False)
    size.add_argument("--symbolic", action="store_true",
                      help="derive the output-size formula for symbolic i, k, s, p, d, a")
    prove = command("prove", cmd_prove, "prove exactly that the methods agree", geometry=False)
    prove.add_argument("--engine", choices=ENGINES, default="auto")
    prove.add_argument("--methods", nargs="+", choices=list(METHODS), default=None,
                       help="methods to compare with the scatter definition (default: all)")
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
                 geometry=False)
    ev.add_argument("--input-values", required=True, metavar="JSON",
                    help="y as nested lists, shape (*i) or (C_in, *i)")
    ev.add_argument("--kernel-values", required=True, metavar="JSON",
                    help="w as nested lists, shape (*k) or (C_in, C_out/groups, *k)")
    command("demo", cmd_demo, "the seed's worked example, end to end", geometry=None)
    check = command("check", cmd_check, "verify a transposed-convolution implementation and "
                    "explain what it gets wrong", geometry=None)
    check.add_argument("target", metavar="TARGET",
                       help="module:function or path/to/file.py:function")
    # the choices are symtconv.verification.CONVENTIONS, which needs hypothesis to import
    check.add_argument("--convention", choices=("torch", "onnx"), default="torch",
                       help="the callable's signature: torch's functional conv_transpose*d, "
                            "or onnx's ConvTranspose (X, W, B, **attributes)")
    check.add_argument("--max-examples", type=_integer, default=200, metavar="N")
    check.add_argument("--seed", type=_integer, default=None, metavar="S")
    fig = command("figure", cmd_figure, "draw C, the flip-and-pad steps or the overlap map "
                  "(needs matplotlib: pip install 'symtconv[plot]')", geometry=False)
    fig.add_argument("--kind", required=True, choices=("matrix", "steps", "overlap"))
    fig.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="the file to write: .png, .svg or .pdf")
    fig.add_argument("--transpose", action="store_true", help="with --kind matrix: draw Cᵀ")
    fig.add_argument("--input-values", metavar="JSON",
                     help="with --kind steps: y as nested lists, shape (*i) or (C_in, *i)")
    fig.add_argument("--kernel-values", metavar="JSON",
                     help="with --kind steps: w, shape (*k) or (C_in, C_out/groups, *k)")
    fig.add_argument("--dpi", type=_integer, default=120, metavar="N",
                     help="resolution of a PNG (default 120)")
    fig.add_argument("--size", type=float, nargs=2, metavar=("W", "H"),
                     help="figure size in inches (default: chosen from the geometry)")
    ov = command("overlap", cmd_overlap, "how many y·w terms reach each output position "
                 "(the checkerboard analysis)", geometry=False)
    ov.add_argument("--symbolic", action="store_true",
                    help="derive the counts and the uniformity condition for symbolic s, k, d")
    from .conventions import FRAMEWORKS

    conv = command("convert", cmd_convert, "translate a transposed convolution between "
                   "PyTorch, ONNX, TensorFlow, Keras and JAX", geometry=False)
    conv.add_argument("--from", dest="source", required=True, choices=FRAMEWORKS)
    conv.add_argument("--to", dest="target", required=True, choices=FRAMEWORKS)
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
                        help="exact values for y, shape (*i) or (C_in, *i)")
    derive.add_argument("--kernel-values", metavar="JSON",
                        help="exact values for w, shape (*k) or (C_in, C_out/groups, *k)")
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
    from .decomposition.cli import register as register_decompose  # symtconv decompose

    register_decompose(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except (UsageError, SymtconvError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"symtconv: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `symtconv demo | head`: not an error of ours
        sys.stderr.close()
        return 0
    except OSError as error:  # a file that cannot be read or written: say which, and why
        where = f": {error.filename}" if error.filename else ""
        print(f"symtconv: error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_USAGE
