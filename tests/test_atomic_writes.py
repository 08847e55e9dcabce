"""Documents, figures and PDFs are written whole or not at all (symtconv.atomic): a
failing, interrupted or killed write leaves the previous file untouched and no partial
file under the target's name."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symtconv import Geometry
from symtconv.atomic import replacing, write_text
from symtconv.latex import LatexCompileError, compile_pdf, derive

SEED = ["--input-values", "[[9,1,3],[7,8,7],[8,2,2]]",
        "--kernel-values", "[[4,2,3],[1,4,3],[1,1,1]]", "--stride", "2", "--padding", "1"]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failing_block_keeps_the_old_file_and_leaves_nothing(tmp_path) -> None:
    target = tmp_path / "a.tex"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target) as partial:
        partial.write_text("half of the new")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert names(tmp_path) == ["a.tex"]


def test_a_new_file_gets_the_mode_of_a_plain_write(tmp_path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic = write_text(tmp_path / "atomic.txt", "y")
    assert atomic.read_text() == "y"
    assert stat.S_IMODE(atomic.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    os.chmod(atomic, 0o600)
    write_text(atomic, "z")  # an existing file keeps its mode
    assert stat.S_IMODE(atomic.stat().st_mode) == 0o600


def test_a_failing_tex_write_keeps_the_old_document(tmp_path, monkeypatch) -> None:
    target = tmp_path / "seed.tex"
    target.write_text("old")
    document = derive(Geometry(3, 2, stride=2))
    real = Path.write_text

    def disk_full(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError, match="No space"):
        document.write(target)
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert names(tmp_path) == ["seed.tex"]


def test_a_failing_figure_save_keeps_the_old_figure(tmp_path, monkeypatch) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from symtconv.figures import render

    target = tmp_path / "o.png"
    target.write_bytes(b"old")

    def half_then_fail(self, fname, **kwargs):
        Path(fname).write_bytes(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        render("overlap", Geometry(4, 3, stride=2), target)
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["o.png"]


# --------------------------------------------------------------------------- #
# pdflatex killed, interrupted or failing
# --------------------------------------------------------------------------- #

FAKE_PDFLATEX = """#!/bin/sh
# writes half a PDF under its -jobname, then {then}
for arg in "$@"; do case "$arg" in -jobname=*) job="${{arg#-jobname=}}";; esac; done
printf '%%PDF-1.5 half' > "$job.pdf"
printf 'This is a fake pdflatex\\n' > "$job.log"
{then}
"""


def fake_pdflatex(folder: Path, then: str) -> dict[str, str]:
    """A PATH whose pdflatex writes half a PDF, then runs ``then``."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    program = bin_dir / "pdflatex"
    program.write_text(FAKE_PDFLATEX.format(then=then))
    program.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def test_pdflatex_killed_mid_run_leaves_the_old_pdf(tmp_path, monkeypatch) -> None:
    env = fake_pdflatex(tmp_path, "kill -9 $$")
    monkeypatch.setenv("PATH", env["PATH"])
    work = tmp_path / "doc"
    work.mkdir()
    derive(Geometry(3, 2, stride=2)).write(work / "seed.tex")
    (work / "seed.pdf").write_bytes(b"old pdf")
    with pytest.raises(LatexCompileError, match=r"pdflatex failed on seed\.tex"):
        compile_pdf(work / "seed.tex")
    assert (work / "seed.pdf").read_bytes() == b"old pdf"
    assert names(work) == ["seed.log", "seed.pdf", "seed.tex"]  # the log, for the message


def test_pdflatex_past_its_timeout_leaves_no_partial_pdf(tmp_path, monkeypatch) -> None:
    env = fake_pdflatex(tmp_path, "sleep 60")
    monkeypatch.setenv("PATH", env["PATH"])
    tex = write_text(tmp_path / "seed.tex", "\\documentclass{article}")
    with pytest.raises(LatexCompileError, match=r"did not finish on seed\.tex within 1 s"):
        compile_pdf(tex, timeout=1)
    assert names(tmp_path) == ["bin", "seed.tex"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_derive_pdf_interrupted_mid_run_leaves_the_old_pdf(tmp_path, sig) -> None:
    env = fake_pdflatex(tmp_path, "sleep 60")
    work = tmp_path / "doc"
    work.mkdir()
    (work / "seed.pdf").write_bytes(b"old pdf")
    command = [sys.executable, "-m", "symtconv", "derive", *SEED, "-o", "seed.tex", "--pdf"]
    process = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(p.name.endswith(".pdf") and "partial" in p.name for p in work.iterdir()):
            assert process.poll() is None and time.monotonic() < deadline, "pdflatex never ran"
            time.sleep(0.05)
        process.send_signal(sig)
        process.wait(timeout=60)
    finally:  # the process group this test started: symtconv and its fake pdflatex
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert (work / "seed.pdf").read_bytes() == b"old pdf"
    assert (work / "seed.tex").read_text().startswith("\\documentclass")  # written whole
    if sig == signal.SIGINT:  # cleaned up on the way out
        assert not [p for p in work.iterdir() if "partial" in p.name]


def test_a_real_pdflatex_failure_keeps_the_old_pdf(tmp_path) -> None:
    import shutil

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    tex = write_text(
        tmp_path / "broken.tex",
        "\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n",
    )
    (tmp_path / "broken.pdf").write_bytes(b"old pdf")
    with pytest.raises(LatexCompileError, match="Undefined control sequence"):
        compile_pdf(tex, timeout=120)
    assert (tmp_path / "broken.pdf").read_bytes() == b"old pdf"
    assert names(tmp_path) == ["broken.log", "broken.pdf", "broken.tex"]
