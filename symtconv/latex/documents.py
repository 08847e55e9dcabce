"""The committed documents in ``derivations/``: :data:`DOCUMENTS`, :func:`rebuild`,
:func:`stale_documents`, and ``python -m symtconv.latex``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import MissingDependencyError, SymtconvError
from ..geometry import Geometry
from .compile import compile_pdf
from .derivation import Derivation, derive
from .general import GeneralDerivation, derive_general

# --------------------------------------------------------------------------- #
# The committed documents
# --------------------------------------------------------------------------- #


def _seed_worked_example() -> Derivation:
    from ..demo import SEED_INPUT, SEED_KERNEL, SEED_OUTPUT

    return derive(
        Geometry((3, 3), 3, stride=2, padding=1),
        SEED_INPUT,
        SEED_KERNEL,
        expected=SEED_OUTPUT,
        expected_label="the output the blog post printed with PyTorch's conv_transpose2d",
        title="The seed's worked example: ConvTranspose2d(1, 1, kernel_size=3, stride=2, "
        "padding=1) on a 3×3 input",
        figures=True,
    )


def _seed_shape_example() -> Derivation:
    from ..demo import SEED_SHAPE_EXAMPLE

    return derive(
        SEED_SHAPE_EXAMPLE,
        title="The seed's shape example: ConvTranspose2d(3, 6, kernel_size=3, stride=2, "
        "padding=2) on 3×32×32",
    )


def _dilated_1d() -> Derivation:
    return derive(
        Geometry(4, 3, stride=2, padding=1, dilation=2, output_padding=1),
        [1, 2, 3, 4],
        [1, -1, 2],
        title="A 1-d example with dilation and output padding: ConvTranspose1d(1, 1, "
        "kernel_size=3, stride=2, padding=1, output_padding=1, dilation=2)",
    )


#: The documents committed in ``derivations/``: file name -> builder.  A builder that
#: asks for figures gets them next to its document, named after it
#: (``seed_worked_example-matrix.pdf``, …).
DOCUMENTS: dict[str, Callable[[], Derivation | GeneralDerivation]] = {
    "seed_worked_example.tex": _seed_worked_example,
    "seed_shape_example.tex": _seed_shape_example,
    "dilated_1d.tex": _dilated_1d,
    "general_proof.tex": derive_general,
}


def rebuild(directory: str | Path, *, pdf: bool = False) -> list[Path]:
    """Write every document of :data:`DOCUMENTS` into ``directory``, with the figures
    those that have them include (needs matplotlib), and PDFs with ``pdf``."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in DOCUMENTS.items():
        paths = build().write(folder / name)
        written += paths
        if pdf:
            compile_pdf(paths[0])
    return written


def _text(document: Derivation | GeneralDerivation, name: str) -> str:
    """The text of ``document`` written as ``name`` (its figures are named after it)."""
    if isinstance(document, Derivation):
        return document.document(stem=Path(name).stem)
    return document.document()


def stale_documents(directory: str | Path, *, figures: bool = True) -> list[str]:
    """The files of :data:`DOCUMENTS` missing from ``directory`` or differing from a
    fresh build: documents, and the figures they include.

    The figures are drawn afresh and compared byte for byte, which needs matplotlib
    (:class:`~symtconv.errors.MissingDependencyError` without it); with
    ``figures=False`` they are only required to exist.
    """
    folder = Path(directory)
    stale = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, build in DOCUMENTS.items():
            document = build()
            path = folder / name
            if not path.exists() or path.read_text(encoding="utf-8") != _text(document, name):
                stale.append(name)
            if not (isinstance(document, Derivation) and document.figures):
                continue
            stem = Path(name).stem
            if not figures:
                files = document.figure_files(stem).values()
                stale += [file for file in files if not (folder / file).exists()]
                continue
            for fresh in document.write_figures(scratch, stem):
                committed = folder / fresh.name
                if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                    stale.append(fresh.name)
    return stale


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m symtconv.latex",
        description="Rebuild (or check) the committed derivation documents and their figures.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--rebuild", metavar="DIR", help="write every document into DIR")
    action.add_argument("--check", metavar="DIR", help="exit 1 if a file in DIR is stale")
    parser.add_argument("--pdf", action="store_true", help="with --rebuild: also run pdflatex")
    args = parser.parse_args(argv)
    try:
        if args.check:
            try:
                stale = stale_documents(args.check)
            except MissingDependencyError as error:
                print(f"note: figures not compared: {error}", file=sys.stderr)
                stale = stale_documents(args.check, figures=False)
            for name in stale:
                print(f"stale: {Path(args.check) / name}", file=sys.stderr)
            return 1 if stale else 0
        for path in rebuild(args.rebuild, pdf=args.pdf):
            print(f"wrote {path}")
    except SymtconvError as error:
        print(f"symtconv: error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0
