"""What every command shares: geometry flags, value arguments, errors and output.

``UsageError`` is bad command-line input (one line on stderr, exit status 2); the
geometry flags use PyTorch's names; values come inline as JSON, as ``@PATH`` (JSON or
``.npy``) or as ``-`` (standard input); :func:`_emit` prints JSON or text in the
encoding the terminal can take.  Feature packages with a command of their own
(``symtconv.decomposition.cli``, …) import these from here.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NoReturn

import numpy as np
import sympy as sp

from ..console import can_encode, json_text, write
from ..geometry import Geometry

EXIT_USAGE = 2
#: The exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, never the usage block
        raise UsageError(message)


# --------------------------------------------------------------------------- #
# geometry flags
# --------------------------------------------------------------------------- #


_DECIMAL = re.compile(r"-?[0-9]+")


def _integer(text: str) -> int:
    """ASCII decimal digits with an optional ``-`` (no ``+``, ``_``, spaces or other
    scripts' digits, which ``int()`` would accept)."""
    if not _DECIMAL.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected an integer in ASCII decimal digits (0-9, optionally a leading -), "
            f"got {text!a}"
        )
    return int(text, 10)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _inches(text: str) -> float:
    """A figure size: a finite positive number of inches."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of inches, got {text!a}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"expected a finite positive number of inches, got {text!a}"
        )
    return value


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

def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    """Print JSON (strict: no bare NaN) or text, in ASCII when stdout cannot encode it."""
    if args.json:
        text = json_text(data)
        if not can_encode(text, sys.stdout):
            text = json_text(data, ascii_only=True)  # \u escapes: nothing lost
    write(text)


def _no_geometry_flags(args: argparse.Namespace, mode: str) -> None:
    given = [flag for flag, dest, _, _ in GEOMETRY_FLAGS if getattr(args, dest) is not None]
    if given:
        raise UsageError(f"{mode} is for symbolic sizes and takes no {given[0]}")


def _values(text: str, flag: str) -> Any:
    """JSON nested lists given inline, ``@PATH`` (a JSON or ``.npy`` file) or ``-`` (JSON
    on standard input)."""
    source = "inline"
    if text == "-":
        text, source = sys.stdin.read(), "standard input"
    elif text.startswith("@"):
        from pathlib import Path

        path = Path(text[1:])
        if path.suffix == ".npy":
            try:
                array = np.load(path, allow_pickle=False)
            except ValueError as error:  # not an .npy file, or one that needs pickle
                raise UsageError(f"{flag} {text}: not a plain .npy array: {error}") from None
            if array.dtype.kind not in "iuf":
                raise UsageError(
                    f"{flag} {text}: the .npy array must hold integers or floats, got dtype "
                    f"{array.dtype}"
                )
            return array.astype(object)
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{flag} must be JSON (nested lists of numbers), @PATH (JSON or .npy) or - "
            f"(JSON on stdin); {source}: {error}"
        ) from None


def _one_stdin(args: argparse.Namespace, *flags: str) -> None:
    """At most one of the value flags may read standard input."""
    dashes = [f for f in flags if getattr(args, f.lstrip("-").replace("-", "_"), None) == "-"]
    if len(dashes) > 1:
        raise UsageError(f"only one of {' and '.join(dashes)} can be - (standard input)")


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
    """JSON form of a result entry: ints stay ints (of any size), rationals become "p/q"
    strings, floats stay floats (non-finite ones become "NaN", "Infinity", "-Infinity"
    when printed: :func:`symtconv.console.json_safe`)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fiu":
            return value.tolist()
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    if getattr(value, "is_Integer", False) or isinstance(value, (int, np.integer)):
        return int(value)
    if getattr(value, "is_Rational", False):
        return str(value)
    return float(value)
