"""The README stays true: its CLI examples and its Python example run as shown."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from symtconv.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def _python_block(marker: str) -> str:
    """The README's one Python example that contains ``marker``."""
    (block,) = [b for b in _blocks("python") if marker in b]
    return block


def _cli_examples() -> list[tuple[list[str], int]]:
    """Each ``symtconv ...`` line with its exit status (0 unless it says ``# exits N``)."""
    commands = []
    for block in _blocks("bash"):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            command, _, comment = line.partition(" #")
            if command.strip().startswith("symtconv "):
                status = re.search(r"exits (\d)", comment)
                commands.append((shlex.split(command)[1:], int(status[1]) if status else 0))
    return commands


def test_the_extras_table_names_every_extra_the_tests_use():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    extras = set(pyproject["project"]["optional-dependencies"]) - {"test", "dev", "bench"}
    table = README[README.index("| extra or tool |"):README.index("installs the Python ones")]
    missing = [extra for extra in sorted(extras) if f"`{extra}`" not in table]
    assert not missing, f"extras missing from the README's table: {missing}"
    install = re.search(r"pip install '\.\[test,([\w,]+)\]'", table)
    assert install is not None and set(install.group(1).split(",")) == extras


def test_readme_has_the_two_commands():
    assert "pip install . && symtconv demo" in README
    assert "pip install '.[test]' && python -m pytest" in README


@pytest.mark.parametrize(("argv", "status"), _cli_examples(), ids=lambda v: str(v)[:40])
def test_cli_example_runs(capsys, monkeypatch, tmp_path, argv, status):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    if argv[0] == "figure" or "--figures" in argv:
        pytest.importorskip("matplotlib", reason="figures need the 'plot' extra")
    if argv[0] == "audit":
        pytest.importorskip("torch", reason="the audit examples need the 'torch' extra")
    if "--pdf" in argv and shutil.which("pdflatex") is None:
        pytest.skip("--pdf needs pdflatex (apt-get install texlive-latex-base)")
    assert main(argv) == status
    _, err = capsys.readouterr()
    assert err == ""


def test_python_api_example_runs():
    block = _python_block("symtconv.prove(g)")
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["g"].output_size == (5, 5)
    assert bool(namespace["proof"]) is True


def test_torch_verification_example_runs():
    pytest.importorskip("torch", reason="the example needs the 'torch' extra")
    block = _python_block("symtconv.verify(")
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert bool(namespace["report"]) is True


def test_strategies_example_runs():
    block = _python_block("@given")
    namespace: dict[str, object] = {"my_conv_transpose": _reference_kernel()}
    exec(compile(block, "README.md", "exec"), namespace)
    namespace["test_my_kernel"]()  # the hypothesis test itself runs here


def test_conventions_example_runs():
    block = _python_block("prove_conventions()")
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    # the ONNX shape the comment promises, from the specification's formula:
    # stride·(i - 1) + output_padding + (k - 1)·d + 1, per axis
    assert namespace["onnx_conv_transpose"](
        namespace["X"], namespace["W"], strides=(3, 2), output_padding=(1, 1)
    ).shape == (1, 2, 3 * 2 + 1 + 3, 2 * 2 + 1 + 3)
    assert namespace["t"].crop == ((0, 1), (0, 1))


def test_derive_example_writes_what_it_says(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib", reason="figures need the 'plot' extra")
    monkeypatch.chdir(tmp_path)
    argv = next(a for a, _ in _cli_examples() if a[0] == "derive" and "--figures" in a)
    if shutil.which("pdflatex") is None:
        argv = [a for a in argv if a != "--pdf"]
    assert main(argv) == 0
    written = {p.name for p in tmp_path.iterdir()}
    assert {"seed.tex", "seed-matrix.pdf", "seed-steps.pdf", "seed-overlap.pdf"} <= written
    assert r"\includegraphics" in (tmp_path / "seed.tex").read_text(encoding="utf-8")
    if "--pdf" in argv:
        assert (tmp_path / "seed.pdf").stat().st_size > 10_000


def _reference_kernel():
    from symtconv.numeric import conv_transpose

    return lambda y, w, **kwargs: conv_transpose(y.astype(float), w.astype(float), **kwargs)
