"""Checks of the layout anyone can repeat with the project's own tools (issue 8): the import
contract, one home for TOML, for separation and for date parsing, and the type checker.

All of them read the source tree, ``src/enrichwatch``, whichever way the package is installed.
The rules scan each module's syntax tree (:mod:`ast`), so comments, docstrings and the examples
in them do not count; only code does.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "enrichwatch"


# -- reading the source tree ----------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _outside(folder: str) -> list[tuple[Path, ast.Module]]:
    """Every module of the package except those under ``src/enrichwatch/<folder>``."""
    return [(p, t) for p, t in _modules() if not p.is_relative_to(PACKAGE / folder)]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imports(path: Path, tree: ast.Module) -> Iterator[tuple[ast.AST, str, str | None]]:
    """(node, absolute module, name or None) for every import in the module; relative imports
    resolved. ``from a import b`` gives (a, b) and (a.b, None): b may be a submodule."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                yield node, module, alias.name
                yield node, f"{module}.{alias.name}", None
        elif (isinstance(node, ast.Call) and _called_name(node) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            yield node, node.args[0].value, None


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _where(path: Path, node: ast.AST, what: str) -> str:
    return f"{_rel(path)}:{getattr(node, 'lineno', '?')}: {what}"


# -- (a) the import contract ----------------------------------------------------------------

#: The layers of the issue, highest first (facility under records | breakout, as in the design
#: sketch: records hold plant descriptions; the one date parser and the unit conversions just
#: above constants and errors; beside them the packages' lazy-export helper, which every
#: package face uses). A layer imports only from the layers below it.
LAYERS = ["cli", "web", "report", "evaluation | detection", "records | breakout | accountancy",
          "facility", "physics", "composition", "parallel", "files", "dates | units",
          "constants | errors | lazy"]


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_the_contract_is_the_issue_layering():
    layers = [c for c in _contracts() if c["type"] == "layers"]
    assert len(layers) == 1 and layers[0]["containers"] == ["enrichwatch"]
    assert layers[0]["layers"] == LAYERS
    assert not layers[0].get("ignore_imports"), "no exceptions to the layering"


def test_every_module_is_in_a_layer():
    """A package or top-level module missing from the contract would escape it."""
    named = {m.strip() for layer in LAYERS for m in layer.split("|")}
    found = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p / "__init__.py").is_file())}
    assert found - {"__init__", "__main__"} <= named, sorted(found - named)


def _lint_imports() -> str:
    here = Path(sys.executable).parent / "lint-imports"
    found = str(here) if here.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is not installed (pip install -e '.[test]')")
    return found


def test_import_contract_is_kept():
    """``lint-imports`` (import-linter) over the source tree: ``src`` first on the path, so that
    a non-editable installed copy is not what gets checked."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(SRC)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([_lint_imports(), "--no-logo"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    kept = re.search(r"Contracts: (\d+) kept, (\d+) broken", report)
    assert kept and int(kept[1]) == len(_contracts()) and kept[2] == "0", report


# -- (b) only files/ reads TOML -------------------------------------------------------------

#: TOML libraries (reading or writing).
TOML_LIBRARIES = {"tomllib", "tomli", "tomli_w", "toml", "tomlkit", "rtoml", "pytomlpp", "qtoml"}


def _toml_imports(path: Path, tree: ast.Module) -> list[str]:
    return [_where(path, node, module) for node, module, _ in _imports(path, tree)
            if module.split(".")[0] in TOML_LIBRARIES]


def test_only_files_reads_toml():
    """Rule: no module outside ``src/enrichwatch/files/`` imports a TOML library
    (:data:`TOML_LIBRARIES`: ``import``, ``from ... import``, ``importlib.import_module`` or
    ``__import__``), so none can call a TOML parser; the others read TOML through
    :mod:`enrichwatch.files` (``parse_toml``, ``read_toml_file``, ``read_package_toml``) and
    write it with its ``toml_literal``/``toml_key``."""
    found = [hit for path, tree in _outside("files") for hit in _toml_imports(path, tree)]
    assert not found, "\n".join(found)


def test_the_toml_rule_sees_the_reader_in_files():
    """The scan is not blind: it finds ``files/toml.py``'s own import of tomllib."""
    path = PACKAGE / "files" / "toml.py"
    assert _toml_imports(path, ast.parse(path.read_text(encoding="utf-8")))


# -- (c) only physics/ computes separation --------------------------------------------------

#: The stage-by-stage balances (how each stage splits its feed).
SEPARATION_MODULES = {"enrichwatch.physics.steady_state", "enrichwatch.physics.stage_graph"}
#: The value function and its derivative, evaluated on raw assays (physics.swu) or isotopic
#: compositions (physics.ideal).
VALUE_FUNCTIONS = {"value", "value_derivative", "value_function", "multi_isotope_value"}
#: A separation law evaluated: the stage separation factors of each isotope.
STAGE_FACTOR_METHODS = {"stage_factors", "symmetric_factors"}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _separation(path: Path, tree: ast.Module) -> list[str]:
    hits, modules = {}, set()             # modules: local names of physics.swu / physics.ideal
    for node, module, name in _imports(path, tree):
        if not module.startswith("enrichwatch"):
            continue
        if module in SEPARATION_MODULES:
            hits[_where(path, node, f"imports {module}")] = None
        if name in VALUE_FUNCTIONS:
            hits[_where(path, node, f"imports {name} from {module}")] = None
        if name is None and module.rpartition(".")[2] in {"swu", "ideal"}:
            last = module.rpartition(".")[2]
            for alias in getattr(node, "names", []):
                if alias.name == last or alias.name == module:
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in VALUE_FUNCTIONS
                and _dotted(node.value) in modules):
            hits[_where(path, node, f"uses {_dotted(node)}")] = None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in STAGE_FACTOR_METHODS):
            hits[_where(path, node, f"calls .{node.func.attr}()")] = None
    return list(hits)


def test_the_separation_rule_sees_every_form():
    tree = ast.parse("from ..physics.swu import value\n"
                     "from ..physics import swu as binary, ideal\n"
                     "import enrichwatch.physics.swu\n"
                     "from ..physics.steady_state import solve_flows\n"
                     "binary.value_derivative(x)\nideal.multi_isotope_value(i, x, g)\n"
                     "enrichwatch.physics.swu.value_function(a)\nlaw.stage_factors(i, g)\n"
                     "from ..physics.swu import enrich\nbinary.enrich(f, p, t)\n")
    assert len(_separation(PACKAGE / "breakout" / "x.py", tree)) == 6


def test_only_physics_computes_separation():
    """Rule: computing separation means evaluating the value function V(x) (or dV/dx), a
    separation law's stage factors, or the stage-by-stage balance of a cascade. Outside
    ``src/enrichwatch/physics/`` no module

    * imports ``value``, ``value_derivative``, ``value_function`` (``physics.swu``) or
      ``multi_isotope_value`` (``physics.ideal``), nor reaches them as attributes of an imported
      ``swu``/``ideal`` module;
    * imports ``physics.steady_state`` or ``physics.stage_graph``;
    * calls a ``stage_factors`` or ``symmetric_factors`` method.

    Separative work needed elsewhere comes from physics functions that say what they compute
    (``enrich``, ``separative_work``, ``value_tangent``, cascades, networks, capability). Law
    objects (``WoodCentrifuge(1.3)``, ...) may be built anywhere: they are parameters. The
    public face, ``enrichwatch/__init__.py``, re-exports ``value_function`` for users and
    computes nothing, so it is not scanned."""
    found = [hit for path, tree in _outside("physics") if path != PACKAGE / "__init__.py"
             for hit in _separation(path, tree)]
    assert not found, "\n".join(found)


def test_the_separation_rule_sees_physics_own_uses():
    """The scan is not blind: inside physics it finds ``states.py`` evaluating the value
    function and ``ideal.py`` evaluating stage factors."""
    for name in ("states.py", "ideal.py"):
        path = PACKAGE / "physics" / name
        assert _separation(path, ast.parse(path.read_text(encoding="utf-8"))), name


# -- (d) one date parser --------------------------------------------------------------------

DATES = PACKAGE / "dates.py"
#: Calls that turn text into a date or time.
DATE_PARSERS = {"fromisoformat", "strptime", "isoparse", "parsedate", "parsedate_to_datetime"}
#: Libraries whose business is parsing dates.
DATE_LIBRARIES = {"dateutil", "arrow", "pendulum", "ciso8601", "iso8601"}


def _date_parsing(path: Path, tree: ast.Module) -> list[str]:
    hits = [_where(path, node, f"calls {_called_name(node)}") for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _called_name(node) in DATE_PARSERS]
    hits += [_where(path, node, f"imports {module}") for node, module, _ in _imports(path, tree)
             if module.split(".")[0] in DATE_LIBRARIES]
    return hits


def test_one_date_parser():
    """Rule: no module but ``src/enrichwatch/dates.py`` calls ``fromisoformat``, ``strptime``
    (of ``date``, ``datetime`` or ``time``), ``isoparse`` or ``parsedate``, or imports a date
    parsing library (:data:`DATE_LIBRARIES`). Examples in docstrings do not count."""
    found = [hit for path, tree in _modules() if path != DATES
             for hit in _date_parsing(path, tree)]
    assert not found, "\n".join(found)


def test_the_date_rule_sees_a_parser():
    tree = ast.parse("from datetime import date, datetime\nimport time\n"
                     "date.fromisoformat(s)\ndatetime.strptime(s, f)\ntime.strptime(s)\n")
    assert len(_date_parsing(PACKAGE / "x.py", tree)) == 3
    assert _date_parsing(DATES, ast.parse(DATES.read_text(encoding="utf-8"))), "dates.py parses"


# -- (e) the type checker -------------------------------------------------------------------


def test_mypy_passes_over_src():
    """``mypy`` with the ``[tool.mypy]`` settings of pyproject.toml (files: src/enrichwatch)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["files"] == ["src/enrichwatch"]
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
