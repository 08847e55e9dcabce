"""The layout of symtconv.frameworks and symtconv.general: acyclic, small, old paths kept.

The import graph is read from the source with ``ast`` (module-level and lazy
imports alike), so a cycle or an upward import fails here before it fails at import
time in some order.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symtconv"
PACKAGES = ("frameworks", "general")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((PACKAGE / package).glob("*.py")):
            name = f"symtconv.{package}" + ("" if path.stem == "__init__" else f".{path.stem}")
            found[name] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    """The symtconv modules that ``name`` imports (relative imports resolved)."""
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
            targets.add(module)
            targets.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symtconv"):
            targets.add(str(node.module))
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    # a package's __init__ re-exports its own submodules: not an edge between them
    return {
        name: {
            t
            for t in _imports(name, path)
            if t in modules
            and t != name
            and not (path.stem == "__init__" and t.startswith(name + "."))
        }
        for name, path in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_and_general_is_below_frameworks() -> None:
    graph = _graph()
    assert graph["symtconv.frameworks.translation"]  # the graph is really read
    assert _cycle(graph) is None
    for name, targets in graph.items():
        if name.startswith("symtconv.general"):
            assert not any(t.startswith("symtconv.frameworks") for t in targets), name
    # each framework module stands on common (and keras on jax), not on the dispatch
    for framework in ("pytorch", "onnx", "tensorflow", "keras", "jax"):
        targets = graph[f"symtconv.frameworks.{framework}"]
        assert "symtconv.frameworks.common" in targets
        assert not targets & {
            "symtconv.frameworks.translation",
            "symtconv.frameworks.proofs",
            "symtconv.frameworks.table",
        }


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_and_classes_are_small(name: str) -> None:
    source = _modules()[name].read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 1000
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno is not None
            assert node.end_lineno - node.lineno + 1 <= 400, node.name


# the public names of symtconv/conventions.py and symtconv/general.py before the split
CONVENTIONS = [
    "ATTRIBUTES",
    "DEVIATIONS",
    "FRAMEWORKS",
    "PARAMETER_TABLE",
    "Call",
    "ConventionProof",
    "Transform",
    "Translation",
    "canonical",
    "conventions_table",
    "convert",
    "from_jax",
    "from_keras",
    "from_onnx",
    "from_tf",
    "from_torch",
    "onnx_conv_transpose",
    "onnx_pads",
    "prove_conventions",
    "read",
    "same_operation",
    "to_jax",
    "to_keras",
    "to_onnx",
    "to_tf",
    "to_torch",
    "torch_output_padding",
    "translate",
    "write",
    "main",
]
GENERAL = [
    "ASSUMED",
    "EntryForm",
    "GeneralProof",
    "Relationship",
    "SizeDerivation",
    "Step",
    "check_identity",
    "check_relationship",
    "output_size_derivation",
    "prove_general",
    "relationships",
    "Status",
    "METHOD_NAMES",
    "MAX_NDIM",
]


@pytest.mark.parametrize(
    ("module", "names"), [("symtconv.conventions", CONVENTIONS), ("symtconv.general", GENERAL)]
)
def test_the_documented_import_paths_keep_every_name(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    missing = [n for n in names if not hasattr(imported, n)]
    assert missing == []
    if module == "symtconv.conventions":
        frameworks = importlib.import_module("symtconv.frameworks")
        assert all(getattr(imported, n) is getattr(frameworks, n) for n in names if n != "main")
        assert callable(imported.convert) and imported.convert.__module__.endswith("translation")
