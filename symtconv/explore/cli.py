"""``symtconv explore``: write the explorer page (registered by :mod:`symtconv.cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(commands: Any) -> argparse.ArgumentParser:
    """Add the ``explore`` subcommand to ``symtconv``'s subparsers."""
    from ..cli.options import _add_command

    text = ("write a self-contained interactive HTML page of one transposed convolution "
            "(one or two axes): click an output to see its terms")
    sub = _add_command(commands, "explore", run, text, geometry=False)
    sub.add_argument("-o", "--output", required=True, metavar="FILE.html",
                     help="the page to write (.html or .htm)")
    sub.add_argument("--input-values", metavar="JSON",
                     help="values for y as nested lists, shape (i_1, …, i_N); sizes are read off "
                     "them")
    sub.add_argument("--kernel-values", metavar="JSON",
                     help="values for w as nested lists, shape (k_1, …, k_N)")
    sub.add_argument("--title", default=None, help="the page's heading")
    return sub


def run(args: argparse.Namespace) -> int:
    """Write the page; one line of text (or JSON) says where."""
    from ..cli.options import (
        UsageError,
        _array,
        _emit,
        _geometry,
        _inferred_sizes,
        _one_stdin,
        _values,
    )
    from .page import explorer_page, page_cells

    path = Path(args.output)
    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"-o must name a .html file, got {args.output!r}")
    if (args.input_values is None) != (args.kernel_values is None):
        raise UsageError("--input-values and --kernel-values go together")
    y = w = None
    inferred: dict[str, Any] = {}
    _one_stdin(args, "--input-values", "--kernel-values")
    if args.input_values is not None:
        y = _array(_values(args.input_values, "--input-values"), "--input-values")
        w = _array(_values(args.kernel_values, "--kernel-values"), "--kernel-values")
        inferred = _inferred_sizes(args, y, w)
    g = _geometry(args, **inferred)
    page = explorer_page(g, None if y is None else y.tolist(),
                         None if w is None else w.tolist(), title=args.title)
    path.write_text(page, encoding="utf-8")
    cells = page_cells(g)
    data = {"path": str(path), "cells": cells, "bytes": len(page.encode("utf-8")),
            "geometry": g.to_dict()}
    _emit(args, data, f"wrote {path} ({cells:,} cells; open it in a browser)")
    return 0
