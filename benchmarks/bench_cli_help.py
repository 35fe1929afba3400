"""``enrichwatch --help`` in a fresh process (target < 0.5 s, issue 14), and the help of a
command group and of a command, each with how many modules it loads.

The command modules import their heavy dependencies (numpy, SciPy, SQLAlchemy, the physics)
inside the commands, so the root help loads typer and the command definitions only
(tests/cli/test_cli_startup.py checks which modules it loads). Wall and CPU time of the child
are both measured; on a shared machine the wall time counts the waits for other processes
(``--verdict cpu`` judges on CPU time).
"""

from harness import Bench, main_exit, measure  # noqa: I001  (pins threads first)

import shutil
import subprocess
import sys
from pathlib import Path

EXE = shutil.which("enrichwatch") or str(Path(sys.executable).parent / "enrichwatch")
_COUNT = ("import sys, runpy; sys.argv = ['enrichwatch', *sys.argv[1:]]\n"
          "try:\n    runpy.run_module('enrichwatch', run_name='__main__')\n"
          "except SystemExit:\n    pass\n"
          "print(len(sys.modules), file=sys.stderr)")


def modules(*args: str) -> int:
    """How many modules ``enrichwatch ARGS`` has loaded when it ends."""
    done = subprocess.run([sys.executable, "-c", _COUNT, *args], capture_output=True,
                          text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> Bench:
    bench = Bench("enrichwatch --help")
    for args, target in ((("--help",), 0.5), (("records", "--help"), None),
                         (("evaluate", "--help"), None)):
        label = "enrichwatch " + " ".join(args)
        t = measure(lambda a=args: subprocess.run([EXE, *a], check=True, capture_output=True),
                    repeats=9, warmup=1)
        note = f"{modules(*args)} modules loaded"
        if target is None:
            bench.info(label, f"{t.text()} ({note})")
        else:
            bench.check(label, t, target=target, note=note)
    return bench


if __name__ == "__main__":
    main_exit(main())
