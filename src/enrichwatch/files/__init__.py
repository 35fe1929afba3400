"""Input and output at the edge: problem lists, TOML reading, atomic writes, safe paths.

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
from .safe import (
    MAX_FILE_BYTES,
    MAX_NESTING_DEPTH,
    STDIO,
    FileRefused,
    check_depth,
    check_output_file,
    confined_path,
    is_stdio,
    output_problem,
    read_text_file,
    redact_secrets,
)
from .toml import (
    parse_toml,
    read_package_text,
    read_package_toml,
    read_toml_file,
    toml_key,
    toml_literal,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_NESTING_DEPTH",
    "MISSING",
    "STDIO",
    "FileRefused",
    "Problem",
    "ProblemsError",
    "check_depth",
    "check_output_file",
    "is_stdio",
    "confined_path",
    "key_path",
    "output_problem",
    "parse_toml",
    "pydantic_problem",
    "read_package_text",
    "read_package_toml",
    "read_text_file",
    "read_toml_file",
    "redact_secrets",
    "toml_key",
    "toml_literal",
    "unknown_key",
    "write_atomic",
]
