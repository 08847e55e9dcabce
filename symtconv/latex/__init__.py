"""LaTeX derivation documents (moved into a package; split in the next commit)."""

from .derivation import *  # noqa: F403
from .derivation import __all__, _main, _text  # noqa: F401
