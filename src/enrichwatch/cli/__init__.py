"""The ``enrichwatch`` command line (typer + rich).

Commands compute nothing themselves: they parse options, call the library, and present the
returned objects as tables or ``--json``. Exit codes: 0 success, 1 bad input, 2 internal error.
Heavy modules are imported inside the commands so that ``enrichwatch --help`` stays fast.
"""

from .entry import main

__all__ = ["main"]
