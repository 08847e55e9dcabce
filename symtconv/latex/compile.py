"""Compiling a document with pdflatex: :func:`compile_pdf`, :class:`Compiled`,
:class:`LatexCompileError`."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import MissingDependencyError, SymtconvError

#: The one line ``--pdf`` prints when pdflatex is missing.
PDFLATEX_MISSING = (
    "pdflatex is not installed; install TeX Live's LaTeX base, e.g. "
    "`sudo apt-get install texlive-latex-base` (Debian/Ubuntu), then rerun"
)


class LatexCompileError(SymtconvError, RuntimeError):
    """pdflatex ran and failed; the message has its first error line and the log's path."""


# --------------------------------------------------------------------------- #
# pdflatex
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Compiled:
    """A pdflatex run: the PDF, its log and its page count (read from the log)."""

    pdf: Path
    log: Path
    pages: int


_PAGES = re.compile(r"Output written on .*?\((\d+) pages?")


def compile_pdf(tex: str | Path, *, timeout: float = 300) -> Compiled:
    """Run ``pdflatex -halt-on-error -interaction=nonstopmode`` on ``tex``, output beside it.

    Raises :class:`~symtconv.errors.MissingDependencyError` (one line: what to install)
    when pdflatex is not installed and :class:`LatexCompileError` when it fails.  The
    documents need one run (they have no cross-references).
    """
    program = shutil.which("pdflatex")
    if program is None:
        raise MissingDependencyError(PDFLATEX_MISSING)
    path = Path(tex).resolve()
    command = [program, "-halt-on-error", "-interaction=nonstopmode", path.name]
    run = subprocess.run(
        command,
        cwd=path.parent,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    log = path.with_suffix(".log")
    text = log.read_text(errors="replace") if log.exists() else run.stdout
    pages = _PAGES.search(text)
    if run.returncode != 0 or pages is None:
        first = next((line for line in text.splitlines() if line.startswith("!")), "no output")
        raise LatexCompileError(f"pdflatex failed on {path.name}: {first} (see {log})")
    return Compiled(path.with_suffix(".pdf"), log, int(pages.group(1)))
