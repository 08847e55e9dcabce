"""The mutation run's list (tools/mutants.toml) stays runnable: every snippet exactly once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "mutants.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=60
    )


def test_every_snippet_occurs_exactly_once():
    done = run("--check")
    assert done.returncode == 0, done.stderr
    assert "snippets occur exactly once" in done.stdout


def test_list_names_at_least_25_mutants():
    done = run("--list")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) >= 25


def test_a_stale_snippet_fails_the_check(tmp_path):
    stale = tmp_path / "stale.toml"
    stale.write_text(
        '[[mutant]]\nid = "gone"\nfile = "symtconv/proofs.py"\n'
        "original = '''this text is not in proofs.py'''\nreplacement = '''x'''\n"
        'tests = ["tests/test_proofs.py"]\nwhy = "stale"\n'
        '[[mutant]]\nid = "twice"\nfile = "symtconv/proofs.py"\n'
        "original = '''import'''\nreplacement = '''x'''\n"
        'tests = ["tests/test_proofs.py"]\nwhy = "not unique"\n',
        encoding="utf-8",
    )
    done = run("--check", "--mutants", str(stale))
    assert done.returncode == 1
    assert "gone: the original snippet occurs 0 times" in done.stderr
    assert "twice: the original snippet occurs" in done.stderr


def test_a_malformed_entry_and_an_unknown_id_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[mutant]]\nid = "half"\nfile = "symtconv/proofs.py"\n', encoding="utf-8")
    done = run("--check", "--mutants", str(bad))
    assert done.returncode == 1 and "missing" in done.stderr and "Traceback" not in done.stderr
    done = run("--only", "no-such-mutant")
    assert done.returncode == 2 and "unknown mutants" in done.stderr
