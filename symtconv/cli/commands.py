"""The commands: one function ``cmd_<name>(args) -> exit status`` each.

Each is a thin layer over the library: read the flags (:mod:`symtconv.cli.options`),
estimate the cost and refuse past the limits (:mod:`symtconv.limits`), call the library,
print its result.
"""

from __future__ import annotations

import argparse
import math
import sys
from fractions import Fraction
from typing import Any

import numpy as np

from ..console import display_width, formula, grid, json_text, terminal_width
from ..geometry import Geometry
from ..limits import Cost, require
from ..notation import inline, prose
from .options import (
    GEOMETRY_FLAGS,
    UsageError,
    _array,
    _emit,
    _general_groups,
    _geometry,
    _group_count,
    _inferred_sizes,
    _no_geometry_flags,
    _one_or_many,
    _one_stdin,
    _plain,
    _values,
)


def cmd_size(args: argparse.Namespace) -> int:
    if args.symbolic:
        from ..general import output_size_derivation

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
            for n, (ax, o) in enumerate(zip(g.axes, g.output_size, strict=True), start=1)
        ),
        *_shape_lines(g),
    ])
    _emit(args, data, text)
    return 0


def _shape_lines(g: Geometry) -> list[str]:
    """The tensors' shapes, each named axis by axis: ``(C_in, i_1, i_2) = (3, 32, 32)``."""
    def names(letter: str) -> str:
        return ", ".join(f"{letter}_{n}" for n in range(1, g.ndim + 1))

    shapes = (
        ("input", f"(C_in, {names('i')})", g.input_shape),
        ("weight", f"(C_in, C_out/groups, {names('k')})", g.weight_shape),
        ("output", f"(C_out, {names('o')})", g.output_shape),
    )
    return [f"{name} {symbols} = {tuple(shape)}" for name, symbols, shape in shapes]


def cmd_prove(args: argparse.Namespace) -> int:
    if args.general:
        from ..general import prove_general

        _no_geometry_flags(args, "--general")
        general = prove_general(ndim=args.ndim, groups=_general_groups(args),
                                asymmetric=args.asymmetric)
        _emit(args, general.to_dict(), _general_text(general, terminal_width()))
        return 0 if general else 1
    from ..proofs import prove

    g = _geometry(args)
    _prove_cost(g, args.engine)
    proof = prove(g, engine=args.engine, methods=args.methods)
    _emit(args, proof.to_dict(), str(proof))
    return 0 if proof else 1


def _general_text(general: Any, width: int) -> str:
    """The general proof with its common output entry set by SymPy's pretty printer as a
    displayed formula, or on one line when the display is wider than ``width`` (SymPy
    would cut its sums into blocks, inside tokens)."""
    display = formula(general.entry, 10**6)
    if max(map(display_width, display.splitlines())) > width:
        display = inline(general.entry)
    return str(general.text(display))


def _prove_cost(g: Geometry, engine: str) -> None:
    """Refuse a proof past the limits of the tier that ``engine`` picks, before any work."""
    from ..proofs import AUTO_SYMPY_ENTRIES, AUTO_SYMPY_TERMS
    from ..tensors import sympy_fits

    if engine == "sympy" or (
        engine == "auto" and sympy_fits(g, AUTO_SYMPY_TERMS, AUTO_SYMPY_ENTRIES)
    ):
        require(g.cost("sympy", what="prove"))
    else:
        require(g.cost("engine", what="prove"))


def cmd_relationships(args: argparse.Namespace) -> int:
    from ..general import relationships

    table = relationships()
    data = {"relationships": [r.to_dict() for r in table]}
    rows = [("#", "relationship", "conditions", "checked", "claims")] + [
        (
            str(r.number) + ("*" if not r.in_paper else ""),
            r.name,
            prose(r.conditions) or "-",
            "verified" if r.verified else "NOT verified",
            ", ".join(f"{key} = {inline(value)}" for key, value in r.claims.items()),
        )
        for r in table
    ]
    widths = [max(len(row[c]) for row in rows) for c in range(4)]
    lines = ["  ".join([*(row[c].ljust(widths[c]) for c in range(4)), row[4]]) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len("claims")]))
    if max(map(len, lines)) > terminal_width():  # too wide for a table: one block each
        lines = [
            f"{number}. {name}\n   conditions: {conditions}\n   {checked}: {claims}"
            for number, name, conditions, checked, claims in rows[1:]
        ]
    lines.append("* not in Dumoulin & Visin's paper: the dilated transposed case")
    _emit(args, data, "\n".join(lines))
    return 0 if all(r.verified for r in table) else 1


def _numeric_float(values: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    """Values for the numeric tier in float64."""
    from ..evaluate import with_channels

    try:
        array = values.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{name} must hold numbers") from None
    return with_channels(array, shape, name)


def _scaled(values: np.ndarray, shape: tuple[int, ...], name: str) -> tuple[np.ndarray, int]:
    """Exact values as integers and their common denominator: ``values = ints / d``."""
    from ..evaluate import as_exact, with_channels

    exact = with_channels(as_exact(values, name), shape, name)
    denominator = math.lcm(*(int(v.q) for v in exact.flat))
    ints = np.empty(exact.shape, dtype=object)
    for index, v in np.ndenumerate(exact):
        ints[index] = int(v.p) * (denominator // int(v.q))
    return ints, denominator


def _exact_numeric(y: np.ndarray, w: np.ndarray, g: Geometry) -> np.ndarray:
    """The numeric tier on exact values: integer arithmetic, divided once at the end.

    ``y = Y/a`` and ``w = W/b`` with integer ``Y, W``, so ``x = (Y ⋆ W)/(a·b)``.  Integer
    arrays are computed in int64 (or float64 when exact) when no sum can overflow,
    else in Python integers, whose products are bounded by the ``numeric.products``
    limit.
    """
    from ..errors import TooLargeError
    from ..numeric import conv_transpose

    ys, a = _scaled(y, g.input_shape, "input values")
    ws, b = _scaled(w, g.weight_shape, "kernel values")
    kwargs: dict[str, Any] = {"stride": g.stride, "padding": g.padding,
              "output_padding": g.output_padding,
              "groups": g.groups, "dilation": g.dilation}
    output: np.ndarray | None = None
    if all(-(2**63) <= v < 2**63 for v in (*ys.flat, *ws.flat)):
        try:
            output = conv_transpose(ys.astype(np.int64), ws.astype(np.int64), **kwargs)
        except TooLargeError:  # int64 could overflow: Python integers below
            output = None
    if output is None:
        require(g.cost("numeric", itemsize=40, objects=True, what="eval (exact, big integers)"))
        output = conv_transpose(ys, ws, **kwargs)
    if a * b == 1:
        return output
    return np.vectorize(lambda v: Fraction(int(v), a * b), otypes=[object])(output)


def cmd_eval(args: argparse.Namespace) -> int:
    from ..evaluate import evaluate
    from ..tensors import sympy_fits

    _one_stdin(args, "--input-values", "--kernel-values")
    y = _array(_values(args.input_values, "--input-values"), "--input-values")
    w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
    g = _geometry(args, **_inferred_sizes(args, y, w))
    require(Cost("eval", entries=math.prod(g.output_shape), what="eval"))
    floats = any(isinstance(v, float) for v in (*y.flat, *w.flat))
    if floats:
        from ..numeric import conv_transpose

        tier = "numeric"
        require(g.cost("numeric", itemsize=8, what="eval"))
        with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN are the answer
            output = conv_transpose(
                _numeric_float(y, g.input_shape, "input values"),
                _numeric_float(w, g.weight_shape, "kernel values"),
                stride=g.stride, padding=g.padding, output_padding=g.output_padding,
                groups=g.groups, dilation=g.dilation,
            )
    elif sympy_fits(g):
        tier = "sympy"
        output = evaluate(g, y, w)
    else:  # too large for SymPy: the numeric tier, exact in integers
        tier = "numeric"
        require(g.cost("numeric", itemsize=8, what="eval"))
        output = _exact_numeric(y, w, g)
    channels = y.ndim != g.ndim
    if not channels:  # the values came without a channel axis: answer in kind
        output = output[0]
    plain = _plain(output)
    data = {
        "output": plain,
        "output_shape": list(output.shape),
        "tier": tier,
        "exact": not floats,
        "geometry": g.to_dict(),
    }
    header = f"output {tuple(output.shape)} ({tier} tier)"
    if channels:  # one labelled, aligned matrix per output channel
        axes = ", ".join(f"o_{n}" for n in range(1, g.ndim + 1))
        text = "\n".join([f"output (C_out, {axes}) = {tuple(output.shape)} ({tier} tier):",
                          *_channel_matrices(np.asarray(plain, dtype=object), terminal_width())])
    else:  # one JSON value, to paste whole
        text = f"{header}:\n" + _json_rows(plain, terminal_width())
    _emit(args, data, text)
    return 0


def _channel_matrices(output: Any, width: int) -> list[str]:
    """Each output channel ``x[c]`` under a label, as aligned rows (:func:`grid`, in
    labelled column blocks when wider than ``width``); a 3-D channel as one matrix per
    index of its first axis (``x[c, n]``)."""
    def matrices(array: Any, index: tuple[int, ...]) -> list[str]:
        if array.ndim > 2:
            return [line for n, part in enumerate(array)
                    for line in matrices(part, (*index, n))]
        label = f"output channel {index[0]}, x[{', '.join(map(str, index))}]"
        rows = array.reshape(1, -1) if array.ndim == 1 else array
        return [label + ":", grid(rows, width)]

    return [line for c, channel in enumerate(output) for line in matrices(channel, (c,))]


def _json_rows(values: Any, width: int) -> str:
    """Compact JSON of ``values``; when wider than ``width``, one top-level entry per
    line, with spaces after the commas so that a long row wraps (still one JSON value:
    a reader can paste it whole)."""
    compact = json_text(values, indent=None, separators=(",", ":"))
    if len(compact) <= width or not isinstance(values, list) or _widest(values) + 2 > width:
        return compact  # fits, or cannot: an entry alone is wider (integers of any size)
    if not any(isinstance(v, list) for v in values):
        return json_text(values, indent=None)
    return "[" + ",\n ".join(json_text(v, indent=None) for v in values) + "]"


def _quiet_font_library() -> None:
    """Silence fontTools' notice about a font's timestamps (``'created' timestamp seems
    very low``), logged when matplotlib embeds a font in a PDF: nothing a user can act on.
    Only that logger, and only its warnings: errors still show."""
    import logging

    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)


def _widest(values: Any) -> int:
    """Characters of the longest entry of nested lists, as JSON."""
    if isinstance(values, list):
        return max((_widest(v) for v in values), default=0)
    return len(json_text(values, indent=None))


def cmd_derive(args: argparse.Namespace) -> int:
    """Write a LaTeX derivation document (and with --pdf, compile it)."""
    from pathlib import Path

    if args.figures:
        _quiet_font_library()

    from ..latex import Derivation, GeneralDerivation, compile_pdf, derive, derive_general

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
        document = derive_general(args.ndim, _general_groups(args), asymmetric=args.asymmetric)
    else:
        if (args.input_values is None) != (args.kernel_values is None):
            raise UsageError("--input-values and --kernel-values go together")
        y = w = None
        inferred: dict[str, Any] = {}
        _one_stdin(args, "--input-values", "--kernel-values", "--expected")
        if args.input_values is not None:
            y = _array(_values(args.input_values, "--input-values"), "--input-values")
            w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
            inferred = _inferred_sizes(args, y, w)
        expected = None
        if args.expected is not None:
            if y is None:
                raise UsageError("--expected needs --input-values and --kernel-values")
            expected = _array(_values(args.expected, "--expected"), "--expected")
        g = _geometry(args, **inferred)
        require(g.cost("derive", what="derive"))
        document = derive(g, y, w, names=args.names, title=args.title,
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


def cmd_check(args: argparse.Namespace) -> int:
    """Verify TARGET in a child process (Ctrl-C: the runner kills the child on the way
    out, and :func:`symtconv.cli.main` prints one line and exits 130)."""
    from ..verification import verify

    if args.max_examples < 1:
        raise UsageError(f"--max-examples must be a positive integer, got {args.max_examples}")
    report = verify(args.target, args.convention, ndim=args.ndim,
                    without=tuple(args.without or ()), max_size=args.max_size,
                    max_examples=args.max_examples, seed=args.seed, timeout=args.timeout)
    _emit(args, report.to_dict(), str(report))
    return 0 if report else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import seed_demo

    demo = seed_demo()
    _emit(args, demo.to_dict(), str(demo))
    return 0 if demo.matches_seed and demo.proof else 1


def cmd_figure(args: argparse.Namespace) -> int:
    """Draw C, the flip-and-pad steps or the overlap map (symtconv.figures)."""
    from ..evaluate import as_exact, with_channels
    from ..figures import render

    _quiet_font_library()
    if args.transpose and args.kind != "matrix":
        raise UsageError("--transpose is for --kind matrix")
    if (args.input_values is None) != (args.kernel_values is None):
        raise UsageError("--input-values and --kernel-values go together")
    if args.dpi < 1:
        raise UsageError(f"--dpi must be a positive integer, got {args.dpi}")
    y = w = None
    inferred: dict[str, Any] = {}
    _one_stdin(args, "--input-values", "--kernel-values")
    if args.input_values is not None:
        if args.kind not in ("steps", "animation"):
            raise UsageError("--input-values and --kernel-values are for --kind steps or animation")
        y = _array(_values(args.input_values, "--input-values"), "--input-values")
        w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
        inferred = _inferred_sizes(args, y, w)
    g = _geometry(args, **inferred)
    _figure_cost(args, g)
    if y is not None and w is not None:
        y = with_channels(as_exact(y, "input values"), g.input_shape, "input values")
        w = with_channels(as_exact(w, "kernel values"), g.weight_shape, "kernel values")
    path = render(args.kind, g, args.output, dpi=args.dpi, transpose=args.transpose, y=y, w=w,
                  size=None if args.size is None else tuple(args.size))
    data = {"path": str(path), "kind": args.kind, "format": path.suffix.lstrip("."),
            "geometry": g.to_dict()}
    _emit(args, data, f"wrote {path} ({args.kind})")
    return 0


#: The largest size (inches) a figure gets when --size is left out (symtconv.figures).
FIGURE_DEFAULT_INCHES = (14.0, 10.0)


def _figure_cost(args: argparse.Namespace, g: Geometry) -> None:
    """Refuse a figure past the limits before drawing: inches, dpi, pixels (of a PNG),
    and what the kind draws (SymPy entries for the steps, counts for the overlap,
    nonzeros and channel blocks for the matrix)."""
    width, height = FIGURE_DEFAULT_INCHES if args.size is None else args.size
    require(Cost("figure", inches=max(width, height), dpi=args.dpi, what="figure"))
    # bounded now (inches and dpi are); a vector format is held to the same size: the
    # drawing's cost grows with the canvas too
    pixels = math.ceil(width * args.dpi) * math.ceil(height * args.dpi)
    require(Cost("figure", pixels=pixels, what="figure"))
    what = f"figure --kind {args.kind}"
    if args.kind == "steps":
        require(g.cost("sympy", what=what))
    elif args.kind == "overlap":
        require(Cost("overlap", entries=max(int(o) for o in g.output_size), what=what))
        require(g.cost("overlap", what=what))
    else:
        one = Geometry(g.input_size, g.kernel_size, stride=g.stride, padding=g.padding,
                       output_padding=g.output_padding, dilation=g.dilation)
        require(Cost("figure", terms=one.count_terms(),
                     blocks=g.in_channels * g.out_channels, what=what))


def cmd_overlap(args: argparse.Namespace) -> int:
    """How many y·w terms reach each output position (symtconv.overlap)."""
    from ..overlap import derive_overlap, overlap

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
    from ..conventions import convert, translate

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
