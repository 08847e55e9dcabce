"""Shared test settings: hypothesis without deadlines (SymPy timings vary)."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")

# tests import helper modules that sit beside them (wrong_implementations)
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    """Text output is fitted to the terminal (COLUMNS, else 80 columns): tests that look
    for a long sentence in it see a wide terminal.  tests/test_terminal.py sets COLUMNS
    itself to test the fitting at 60, 80 and 100 columns."""
    monkeypatch.setenv("COLUMNS", "1000")
