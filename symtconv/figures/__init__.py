"""Figures (moved into a package; split in the next commit)."""

from .style import *  # noqa: F403
from .style import FULL_COLUMNS, FULL_ROWS, SEED_GEOMETRY, __all__  # noqa: F401
