"""`enrichwatch breakout` and its cache (issue 14): a repeated call reads the rates and
schedules instead of computing them, and answers exactly as a call without the cache."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.schema_helpers import validate_output

ROOT = Path(__file__).parents[2]
FEB_2023 = ROOT / "examples" / "breakout" / "feb-2023.toml"


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "breakout").glob("*.json"))


def test_repeated_call_answers_bit_identically(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path))
    outs = []
    for extra in ([], [], ["--no-cache"], ["--model", "as-built"], ["--model", "as-built"]):
        code, out, err = cli("breakout", FEB_2023, "--json", *extra)
        assert code == 0 and err == ""
        outs.append(out)
    assert outs[0] == outs[1] == outs[2] and outs[3] == outs[4]
    assert json.loads(outs[0])["days_to_first_sq"] > 0
    assert len(_entries(tmp_path)) >= 6


def test_no_cache_writes_nothing(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path))
    code, _, _ = cli("breakout", FEB_2023, "--json", "--no-cache")
    assert code == 0 and _entries(tmp_path) == []


def test_verbose_says_what_was_read_and_what_was_ignored(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path))
    code, first, err = cli("breakout", FEB_2023, "--json", "-v")
    assert code == 0 and "not cached" in err and "wrote" in err
    for path in _entries(tmp_path):
        path.write_text(path.read_text()[:-7])                 # every entry cut short
    code, out, err = cli("breakout", FEB_2023, "--json", "--verbose")
    assert code == 0 and out == first
    assert "ignored" in err and "Traceback" not in err
    assert f"0 read, 0 not cached, {len(_entries(tmp_path))} ignored" in err
    code, out, err = cli("breakout", FEB_2023, "--json", "-v")
    assert code == 0 and out == first and " 0 ignored, 0 written" in err


def test_clear_cache(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path))
    cli("breakout", FEB_2023, "--json")
    n = len(_entries(tmp_path))
    code, out, _ = cli("breakout", "--clear-cache", "--json")
    data = json.loads(out)
    validate_output("breakout-cache", data)
    assert code == 0 and (data["folder"], data["removed"]) == (str(tmp_path / "breakout"), n)
    assert _entries(tmp_path) == []
    code, out, _ = cli("breakout", "--clear-cache")
    assert code == 0 and "removed 0 entries" in out
    code, _, err = cli("breakout", FEB_2023, "--json", "--clear-cache", "-v")
    assert code == 0 and "removed 0 entries" in err and "wrote" in err


def _child(args, env):
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_concurrent_calls_share_one_folder_safely(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ENRICHWATCH_DEBUG"}
    env["ENRICHWATCH_CACHE_DIR"] = str(tmp_path)
    args = ["-m", "enrichwatch", "breakout", str(FEB_2023), "--json"]
    procs = [_child(args, env) for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert len({out for out, _ in outs}) == 1
    done = subprocess.run([sys.executable, *args, "-v"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.stdout == outs[0][0]
    assert " 0 not cached, 0 ignored, 0 written" in done.stderr
    assert not [p for p in (tmp_path / "breakout").iterdir() if p.suffix == ".tmp"]


def test_repeated_call_loads_no_optimiser(tmp_path):
    """The second call reads every rate and schedule: scipy.optimize (~0.4 s to import, the
    cascade solver, HiGHS) is never loaded. Structural, not timed."""
    env = {k: v for k, v in os.environ.items() if k != "ENRICHWATCH_DEBUG"}
    env["ENRICHWATCH_CACHE_DIR"] = str(tmp_path)
    args = [sys.executable, "-X", "importtime", "-m", "enrichwatch", "breakout", str(FEB_2023),
            "--json"]
    cold = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    warm = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert cold.returncode == warm.returncode == 0 and cold.stdout == warm.stdout
    assert "scipy.optimize" in cold.stderr
    assert "scipy.optimize" not in warm.stderr
    assert "enrichwatch.physics.network" not in warm.stderr


def test_timeline_is_the_same_from_the_cache(cli, tmp_path, monkeypatch):
    """The timeline (analyst and all-capacity scenarios, bundled installed machines) reads the
    same cache: cold, warm and uncached answers agree to the bit."""
    monkeypatch.setenv("ENRICHWATCH_CACHE_DIR", str(tmp_path))
    args = ("breakout", "--timeline", "--since", "2023-02", "--until", "2023-03", "--json")
    outs = [cli(*args, *extra) for extra in ([], ["-v"], ["--no-cache"])]
    assert [code for code, _, _ in outs] == [0, 0, 0]
    assert outs[0][1] == outs[1][1] == outs[2][1]
    assert " 0 not cached, 0 ignored, 0 written" in outs[1][2]
