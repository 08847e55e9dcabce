"""The fast exact engine (moved into a package; split in the next commit)."""

from .term_sets import *  # noqa: F403
from .term_sets import __all__  # noqa: F401
