"""The ``symtconv`` command line: a thin front end over the library.

Every command takes ``--json``.  Bad input prints one line on stderr and exits with
status 2; ``prove`` exits with 1 when the methods are not proved equal.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import Any

from ..console import write
from ..errors import SymtconvError
from .options import EXIT_INTERRUPTED, EXIT_USAGE, UsageError
from .parser import build_parser

__all__ = ["main", "build_parser", "UsageError"]


@contextlib.contextmanager
def _exact_integers() -> Any:
    """Lift Python's 4,300-digit limit on int <-> str conversions while a command runs:
    exact arithmetic takes and prints integers of any size (restored afterwards, so a
    program calling :func:`main` keeps its own setting)."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


def _fail(message: str) -> int:
    write(f"symtconv: error: {message}", sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Bad input and refused sizes print one line on stderr and return 2; Ctrl-C prints
    ``symtconv: interrupted`` and returns 130.
    """
    try:
        with _exact_integers():
            args = build_parser().parse_args(argv)
            return int(args.handler(args))
    except KeyboardInterrupt:
        write("symtconv: interrupted", sys.stderr)
        return EXIT_INTERRUPTED
    except (UsageError, SymtconvError) as error:
        return _fail(str(error).splitlines()[0] if str(error) else type(error).__name__)
    except MemoryError:
        return _fail("out of memory; see the limits in the README (symtconv.limits) and "
                     "use a smaller geometry")
    except BrokenPipeError:  # e.g. `symtconv demo | head`: not an error of ours
        sys.stderr.close()
        return 0
    except OSError as error:  # a file that cannot be read or written: say which, and why
        where = f": {error.filename}" if error.filename else ""
        return _fail(f"{error.strerror or error}{where}")
