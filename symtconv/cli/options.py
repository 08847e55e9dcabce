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

from ..console import can_encode, json_text, terminal_width, write
from ..geometry import Geometry
from ..limits import Cost, limit, require

EXIT_USAGE = 2
#: The exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit status 2."""


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter (which fits the help to ``COLUMNS`` / the terminal itself),
    never breaking a word at a hyphen (``--input-`` / ``values``)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(self._whitespace_matcher.sub(" ", text).strip(), width,
                             break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        return textwrap.fill(self._whitespace_matcher.sub(" ", text).strip(), width,
                             initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one line, never the usage block
        raise UsageError(message)

    def _print_message(self, message: str, file: Any = None) -> None:
        # help and --version go through the console writer: ASCII spellings on a stream
        # that cannot encode the help's ·, ×, ᵀ (PYTHONIOENCODING=ascii, LC_ALL=C)
        if message:
            write(message.rstrip("\n"), file if file is not None else sys.stdout)


# --------------------------------------------------------------------------- #
# geometry flags
# --------------------------------------------------------------------------- #


#: At most this many digits in an integer flag: exact arithmetic takes big sizes, and a
#: number this long stays cheap to read and print (int <-> str is quadratic in CPython).
MAX_DIGITS = 10_000
_DECIMAL = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")


def _integer(text: str) -> int:
    """ASCII decimal digits with an optional ``-`` (no ``+``, ``_``, spaces or other
    scripts' digits, which ``int()`` would accept)."""
    if not _DECIMAL.fullmatch(text):
        shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
        raise argparse.ArgumentTypeError(
            f"expected an integer of at most {MAX_DIGITS} ASCII decimal digits (0-9, "
            f"optionally a leading -), got {shown!a}"
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


#: The smallest figure side: below it matplotlib draws an empty image.
MIN_INCHES = 0.5


def _inches(text: str) -> float:
    """A figure size: a finite positive number of inches."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of inches, got {text!a}") from None
    if not math.isfinite(value) or value < MIN_INCHES:
        raise argparse.ArgumentTypeError(
            f"expected a finite number of inches, at least {MIN_INCHES}, got {text!a}"
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
    ("--stride", "stride", _integer, "stride s (default 1; one value, or one per axis)"),
    ("--padding", "padding", _padding,
     "padding p, a crop of the full output at each end (default 0); B:E for an asymmetric "
     "crop of one axis"),
    ("--output-padding", "output_padding", _integer,
     "output_padding a, extra length at the high end (default 0; PyTorch allows "
     "0 ≤ a < max(s, d))"),
    ("--dilation", "dilation", _integer, "dilation d, spacing of the kernel taps (default 1)"),
)


def _add_geometry_flags(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group("geometry (PyTorch's parameters)")
    for flag, dest, kind, text in GEOMETRY_FLAGS:
        group.add_argument(
            flag, dest=dest, nargs="+", type=kind, metavar="N",
            required=required and dest in ("input_size", "kernel_size"), help=text,
        )
    for flag, dest, what in (("--in-channels", "in_channels", "C_in, channels of the input y"),
                             ("--out-channels", "out_channels", "C_out, channels of the output x")):
        group.add_argument(flag, dest=dest, type=_integer, default=1, metavar="N",
                           help=f"{what} (default 1)")
    # `--groups N` for a concrete geometry; a bare `--groups` asks `prove --general` to
    # include channels with groups
    group.add_argument("--groups", dest="groups", type=_integer, nargs="?", const=GROUPS_FLAG,
                       default=1, metavar="N",
                       help="number of groups, a count (default 1) that divides C_in and C_out; "
                            "with --general (prove, derive) a bare --groups, without a number, "
                            "adds channels with groups to the symbolic proof")


#: The value of a bare ``--groups`` (no number): no integer, so ``--groups 0`` stays
#: an invalid number of groups.
GROUPS_FLAG: Any = object()



def _add_command(
    commands: Any, name: str, handler: Callable[[argparse.Namespace], int], text: str,
    geometry: bool | None = True, more: str = "",
) -> argparse.ArgumentParser:
    """A subcommand of ``symtconv``: ``text`` in the list of commands and its ``--help``
    (``more`` only there), ``handler`` to run, the geometry flags (required or not; none
    for ``geometry=None``) and ``--json``."""
    sub = commands.add_parser(name, help=text, description=text + more)
    sub.set_defaults(handler=handler)
    if geometry is not None:
        _add_geometry_flags(sub, required=geometry)
    sub.add_argument("--json", action="store_true", help="print JSON")
    return sub

def _group_count(args: argparse.Namespace) -> int:
    """``--groups N`` for a concrete geometry (a bare ``--groups`` is for --general)."""
    if args.groups is GROUPS_FLAG:
        raise UsageError("--groups needs a number for a concrete geometry, e.g. --groups 2")
    return int(args.groups)


def _general_groups(args: argparse.Namespace) -> bool:
    """A bare ``--groups`` with ``--general``: whether to add channels with groups to the
    symbolic proof.  A count makes no sense there and is refused, not ignored."""
    if args.groups is GROUPS_FLAG:
        return True
    if args.groups != 1:
        raise UsageError(
            f"--groups {args.groups}: with --general, --groups takes no number (a bare "
            "--groups adds channels with groups to the symbolic proof)"
        )
    return False


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
    """Print JSON (strict: no bare NaN) or text, in ASCII when stdout cannot encode it.

    Text is fitted to the terminal's width (:func:`symtconv.console.fit`: wrapped at
    spaces, never inside a token); JSON is printed as it is.
    """
    if args.json:
        text = json_text(data)
        if not can_encode(text, sys.stdout):
            text = json_text(data, ascii_only=True)  # \u escapes: nothing lost
        write(text)
        return
    write(text, width=terminal_width())


def _no_geometry_flags(args: argparse.Namespace, mode: str) -> None:
    given = [flag for flag, dest, _, _ in GEOMETRY_FLAGS if getattr(args, dest) is not None]
    if given:
        raise UsageError(f"{mode} is for symbolic sizes and takes no {given[0]}")


def _read_capped(stream: Any, flag: str, source: str) -> bytes:
    """All of ``stream`` (bytes), refused past the ``values.bytes`` limit without reading
    further (``@/dev/zero`` ends in one line, not in exhausted memory)."""
    cap = limit("values.bytes")
    data = stream.read(cap + 1)
    require(Cost("values", bytes=len(data), what=f"{flag} {source}"))
    return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)


def _values(text: str, flag: str) -> Any:
    """JSON nested lists given inline, ``@PATH`` (a JSON or ``.npy`` file) or ``-`` (JSON
    on standard input)."""
    source = "inline"
    require(Cost("values", bytes=len(text), what=flag))
    if text == "-":
        stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes, or text when replaced
        data, source = _read_capped(stdin, flag, "-"), "standard input"
    elif text.startswith("@"):
        with open(text[1:], "rb") as file:
            data, source = _read_capped(file, flag, text), text[1:]
        if text.endswith(".npy"):
            return _npy(data, flag, text)
    else:
        data = text.encode("utf-8", "surrogateescape")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{flag}: {source} is not UTF-8 text (JSON), nor a .npy file") from None
    except RecursionError:
        raise UsageError(f"{flag}: {source} is nested too deeply for an array") from None
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{flag} must be JSON (nested lists of numbers), @PATH (JSON or .npy) or - "
            f"(JSON on stdin); {source}: {error}"
        ) from None


def _npy(data: bytes, flag: str, text: str) -> np.ndarray:
    """A plain ``.npy`` array of integers or floats, as an object array."""
    import io

    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        if not data.startswith(b"\x93NUMPY"):
            detail = "the file does not start with numpy's .npy header"
        raise UsageError(f"{flag} {text}: not a plain .npy array ({detail})") from None
    if array.dtype.kind not in "iuf":
        raise UsageError(
            f"{flag} {text}: the .npy array must hold integers or floats, got dtype "
            f"{array.dtype}"
        )
    return array.astype(object)


def _one_stdin(args: argparse.Namespace, *flags: str) -> None:
    """At most one of the value flags may read standard input."""
    dashes = [f for f in flags if getattr(args, f.lstrip("-").replace("-", "_"), None) == "-"]
    if len(dashes) > 1:
        raise UsageError(f"only one of {' and '.join(dashes)} can be - (standard input)")


#: The most axes a value array may have: channel axes plus spatial axes (numpy's own
#: limit is 32).
MAX_AXES = 8


def _array(data: Any, flag: str) -> np.ndarray:
    try:
        array = np.array(data, dtype=object)
    except (ValueError, RecursionError):  # ragged
        raise UsageError(f"{flag} must be a rectangular nested list") from None
    if array.ndim > MAX_AXES:
        raise UsageError(f"{flag} has {array.ndim} axes; at most {MAX_AXES} (channels and "
                         "spatial axes) are accepted")
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
            "(i_1, …, i_N) or (C_in, i_1, …, i_N), and (k_1, …, k_N) or "
            "(C_in, C_out/groups, k_1, …, k_N)"
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
