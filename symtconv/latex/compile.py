"""Compiling a document with pdflatex: :func:`compile_pdf`, :class:`Compiled`,
:class:`LatexCompileError`."""

from __future__ import annotations

import contextlib
import os
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
    when pdflatex is not installed and :class:`LatexCompileError` when it fails or takes
    longer than ``timeout`` seconds.  The documents need one run (they have no
    cross-references).

    pdflatex writes under a temporary job name (``{stem}-partial-{pid}``) in the same
    folder; the PDF is renamed over ``{stem}.pdf`` only when the run succeeded, so a
    failed, interrupted or killed run never leaves a truncated PDF and keeps the previous
    one.  The log is moved to ``{stem}.log`` either way, for the error message.
    """
    program = shutil.which("pdflatex")
    if program is None:
        raise MissingDependencyError(PDFLATEX_MISSING)
    path = Path(tex).resolve()
    job = f"{path.stem}-partial-{os.getpid()}"
    partial = {ext: path.with_name(job + ext) for ext in (".pdf", ".log", ".aux", ".out")}
    log, pdf = path.with_suffix(".log"), path.with_suffix(".pdf")
    command = [
        program, "-halt-on-error", "-interaction=nonstopmode", f"-jobname={job}", path.name
    ]
    try:
        try:
            run = subprocess.run(
                command,
                cwd=path.parent,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:  # the child is killed by now
            raise LatexCompileError(
                f"pdflatex did not finish on {path.name} within {timeout:g} s"
            ) from error
        if partial[".log"].exists():
            os.replace(partial[".log"], log)
        text = log.read_text(errors="replace") if log.exists() else run.stdout
        pages = _PAGES.search(text)
        if run.returncode != 0 or pages is None or not partial[".pdf"].exists():
            first = next((line for line in text.splitlines() if line.startswith("!")), "no output")
            raise LatexCompileError(f"pdflatex failed on {path.name}: {first} (see {log})")
        os.replace(partial[".pdf"], pdf)
    finally:
        for leftover in partial.values():
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return Compiled(pdf, log, int(pages.group(1)))
