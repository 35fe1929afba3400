"""``python -m enrichwatch``: the command line."""

from .cli import main

main()
