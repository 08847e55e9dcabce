"""The fast exact engine (moved into a package; split in the next commit)."""

from .terms import *  # noqa: F403
from .terms import __all__  # noqa: F401
