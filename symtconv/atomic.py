"""Files written whole or not at all: into a temporary file in the same folder, then
renamed over the target with :func:`os.replace` (atomic on POSIX and Windows).

Explanation
===========

A document, a figure or a PDF interrupted half-way (Ctrl-C, a killed process, a full
disk, a failing pdflatex) must not leave a truncated file under the name a user opens,
nor destroy the previous version: :func:`replacing` hands out a temporary path next to
the target and moves it into place only when the block finishes without an error; on an
error the temporary file is removed and the target is untouched.  The new file gets the
permissions a plain ``open(path, "w")`` would give it.

Examples
========

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> target = folder / "notes.tex"
>>> write_text(target, "whole")  # doctest: +ELLIPSIS
PosixPath('.../notes.tex')
>>> try:
...     with replacing(target) as partial:
...         _ = partial.write_text("half")
...         raise KeyboardInterrupt
... except KeyboardInterrupt:
...     pass
>>> target.read_text(), sorted(p.name for p in folder.iterdir())
('whole', ['notes.tex'])
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_text"]


def _new_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: ``0o666`` less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path in ``path``'s folder that replaces ``path`` when the block succeeds.

    The temporary file is named ``.{name}.{random}.partial``; it is removed if the block
    raises (including ``KeyboardInterrupt``), and the target is left as it was.
    """
    path = Path(path)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(descriptor)
    partial = Path(name)
    try:
        yield partial
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _new_file_mode()
        os.chmod(partial, mode)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` whole or not at all; return the path."""
    path = Path(path)
    with replacing(path) as partial:
        partial.write_text(text, encoding=encoding)
    return path
