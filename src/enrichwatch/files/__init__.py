"""Input and output at the edge: problem lists, TOML reading, atomic writes.

Everything that enters enrichwatch from a file is read here and checked at the boundary
(every problem of a file reported at once); everything enrichwatch writes for a user is written
atomically. Nothing here knows about enrichment.

Examples
--------
>>> from enrichwatch.files import MISSING, Problem, ProblemsError
>>> print(ProblemsError([Problem("plant.toml", "units", MISSING, "a [units] table")]))
plant.toml: units is missing: expected a [units] table
"""

from .atomic import write_atomic
from .problems import MISSING, Problem, ProblemsError, key_path, pydantic_problem, unknown_key
from .toml import (
    parse_toml,
    read_package_text,
    read_package_toml,
    read_toml_file,
    toml_key,
    toml_literal,
)

__all__ = [
    "MISSING",
    "Problem",
    "ProblemsError",
    "key_path",
    "parse_toml",
    "pydantic_problem",
    "read_package_text",
    "read_package_toml",
    "read_toml_file",
    "toml_key",
    "toml_literal",
    "unknown_key",
    "write_atomic",
]
