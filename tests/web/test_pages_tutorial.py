"""The README's "Tutorial: the web application": every command of its bash block runs as
written (in a folder holding a copy of ``examples/fordow-2023``), ``serve`` on a free port
instead of 8000, and the pages the walk names answer as it says."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.helpers import ROOT, csrf_of

SECTION = "## Tutorial: the web application"


def _tutorial_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    assert SECTION in text
    body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", body, re.DOTALL)
    assert block, "no bash block in the tutorial"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(line: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory):
    """The folder the commands ran in, the server's URL and the passwords by account."""
    httpx = pytest.importorskip("httpx")
    folder = tmp_path_factory.mktemp("tutorial")
    shutil.copytree(ROOT / "examples" / "fordow-2023", folder / "examples" / "fordow-2023")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                f"{os.environ.get('PATH', '')}")
    commands = _tutorial_commands()
    serve = [c for c in commands if c.startswith("enrichwatch serve")]
    assert len(serve) == 1 and "--port 8000" in serve[0]
    passwords = {}
    for line in commands:
        if line in serve:
            continue
        done = _run(line, folder, env)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        added = re.match(r"echo '([^']+)' \| enrichwatch users add (\S+)", line)
        if added:
            passwords[added.group(2)] = added.group(1)
    port = _free_port()
    server = subprocess.Popen(["bash", "-c", "exec " + serve[0].replace(
        "--port 8000", f"--port {port}")], cwd=folder, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):                          # bounded wait for the port to open
            if server.poll() is not None:
                pytest.fail(f"serve exited: {server.stderr.read()[-2000:]}")
            try:
                if httpx.get(url + "/login", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("serve did not answer")
        yield folder, url, passwords
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _client(url: str, name: str, password: str):
    import httpx

    client = httpx.Client(base_url=url, timeout=300)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password,
                                           "csrf_token": token, "next": "/facilities"})
    assert response.status_code == 303, response.text[:500]
    return client


def test_every_command_ran_and_made_one_account_per_role(tutorial):
    folder, _, passwords = tutorial
    assert set(passwords) == {"alice", "ivan", "ann", "admin"}
    assert (folder / "fordow-2023.sqlite").exists()


def test_the_walk_through_the_case(tutorial):
    _, url, passwords = tutorial
    alice = _client(url, "alice", passwords["alice"])
    early = alice.get("/facilities/FFEP?as_of=2023-01-20").text
    kinds = re.findall(r'<tr class="kind-([a-z_]+)">', early)
    assert sorted(kinds) == ["declaration", "facility", "inspection"]
    findings = alice.get("/facilities/FFEP/findings?as_of=2023-02-01").text
    assert '<p id="finding-count">3 finding(s).</p>' in findings
    plant = alice.get("/facilities/FFEP/plant?as_of=2023-02-01").text
    assert re.findall(r'class="changed-count">(\d+)', plant) == ["1", "1"]
    before = alice.get("/facilities/FFEP/plant?as_of=2022-12-01").text
    assert re.findall(r'class="changed-count">(\d+)', before) == ["0", "0"]
    ann = _client(url, "ann", passwords["ann"])
    assert ann.get("/facilities/FFEP/findings?as_of=2023-02-01").status_code == 403
    assert ann.get("/records/4").status_code == 404              # the inspection of 21 Jan
    ivan = _client(url, "ivan", passwords["ivan"])
    assert ivan.get("/inspect").status_code == 200
    admin = _client(url, "admin", passwords["admin"])
    assert admin.get("/parties").status_code == 200
    assert "Ledger verified" in admin.get("/accounts").text
