"""A pytest plugin for the mutation run: hypothesis stops at the first failing example.

``tools/mutants.py`` loads it (``-p mutant_profile``).  A killed mutant only needs *a*
failing example, so shrinking it to the smallest one, which with SymPy-tier proofs takes
minutes, is skipped.  Loaded in ``pytest_configure``, after ``tests/conftest.py`` has
loaded the project's profile and before the test modules (whose ``@given`` read the
default settings when they are imported) are collected.
"""

from __future__ import annotations

from typing import Any


def pytest_configure(config: Any) -> None:
    from hypothesis import Phase, settings

    settings.register_profile(
        "mutants",
        parent=settings.default,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        database=None,
    )
    settings.load_profile("mutants")
