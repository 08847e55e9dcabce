"""``help(symtconv)``: the entry points listed, every reference in the docstring real."""

from __future__ import annotations

import importlib
import pydoc
import re

import symtconv


def _resolve(dotted: str) -> object:
    """``symtconv.a.b`` -> the object, importing modules along the way."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def test_every_reference_in_the_package_docstring_exists():
    refs = re.findall(r":(?:func|class|mod):`([\w.]+)`", symtconv.__doc__ or "")
    assert len(refs) >= 8
    for ref in refs:
        _resolve(ref if ref.startswith("symtconv") else f"symtconv.{ref}")


def test_the_resolver_can_fail():
    try:
        _resolve("symtconv.general.prove_conventions")
    except (AttributeError, ImportError):
        return
    raise AssertionError("a missing name resolved")


def test_help_lists_the_lazily_imported_entry_points():
    text = pydoc.render_doc(symtconv, renderer=pydoc.plaintext)
    functions = text[text.index("FUNCTIONS"):]
    listed = set(re.findall(r"^    (\w+)\(", functions, flags=re.M))
    assert {"verify", "decompose", "prove", "evaluate", "conv_matrix"} <= listed


def test_help_works_without_the_test_extra():
    import subprocess
    import sys

    code = ("import sys; sys.modules['hypothesis'] = None; import importlib.util as u; "
            "u.find_spec = (lambda f: lambda name, *a: None if name == 'hypothesis' "
            "else f(name, *a))(u.find_spec); import symtconv, pydoc; "
            "text = pydoc.render_doc(symtconv, renderer=pydoc.plaintext); "
            "assert 'decompose(' in text and 'verify(' not in text.split('FUNCTIONS')[1]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
