"""The curl examples of docs/web-api.md run, in order, against the application in process
(the Fordow store with its accounts), each answering the status its comment states."""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit

from tests.web.helpers import ROOT

DOC = ROOT / "docs" / "web-api.md"
ENDPOINT = re.compile(r"`(GET|POST|PUT|DELETE) (/api/[^` ?]*)")


def _examples() -> list[tuple[int, list[str]]]:
    """(status, curl arguments) of every example, in the document's order."""
    block = DOC.read_text().split("```bash", 1)[1].split("```", 1)[0]
    out, status = [], None
    for line in block.splitlines():
        found = re.match(r"# -> (\d{3})", line)
        if found:
            status = int(found.group(1))
        elif line.startswith("curl "):
            assert status is not None, line
            out.append((status, shlex.split(line)[1:]))
            status = None
    return out


def _request(args: list[str], tokens: dict) -> dict:
    """The request a curl command line makes, with the tokens of the accounts it names."""
    method, headers, data, files, url = None, {}, None, [], None
    it = iter(args)
    for arg in it:
        if arg == "-sS":
            continue
        if arg == "-H":
            name, _, value = next(it).partition(": ")
            for who, token in tokens.items():
                value = value.replace(f"${(who or '').upper()}_TOKEN", token or "")
            headers[name] = value
        elif arg == "-X":
            method = next(it)
        elif arg == "-d":
            data = next(it)
        elif arg == "-F":
            name, _, path = next(it).partition("=@")
            files.append((name, ((ROOT / path).name, (ROOT / path).read_bytes())))
        elif arg.startswith("http://127.0.0.1:8000/"):
            url = arg
        else:
            raise AssertionError(f"an option the test does not know: {arg}")
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return {"method": method or ("POST" if data or files else "GET"), "url": path,
            "headers": headers, "content": data, "files": files or None}


#: Endpoints whose examples the test does not run (they compute for seconds to minutes; their
#: own tests cover them).
COMPUTING = {("GET", "/facilities/{}/outlook"), ("POST", "/breakout")}


def test_every_endpoint_of_the_schema_has_a_row_and_an_example():
    from tests.web.conftest import filled_store, make_app

    store = filled_store("sqlite://")
    try:
        schema = make_app(store).openapi()["paths"]
    finally:
        store.close()
    operations = {(m.upper(), p[len("/api"):]) for p, ops in schema.items() for m in ops}
    text = DOC.read_text()
    rows = {(m, p[len("/api"):]) for m, p in ENDPOINT.findall(text)}
    assert rows == operations
    examples = {(r["method"], re.sub(r"\d+|FFEP|ines", "{}", r["url"].split("?")[0][4:]))
                for r in (_request(a, {}) for _, a in _examples())}
    assert examples | COMPUTING == {(m, re.sub(r"\{[a-z_]+\}", "{}", p))
                                    for m, p in operations}
    assert not examples & COMPUTING
    for method, path in COMPUTING:                  # shown, not run
        assert re.search(rf"-X {method} \S*{path.replace('{}', 'FFEP')}|"
                         rf"http\S*{path.replace('{}', 'FFEP')}", text), path


def test_the_documented_curl_examples_work(clients, tokens, web_store):
    client = clients[None]
    examples = _examples()
    assert len(examples) >= 17
    for status, args in examples:
        request = _request(args, tokens)
        response = client.request(**request)
        assert response.status_code == status, (args, response.text[:500])
    written = [web_store.get(i) for i in range(1, len(web_store) + 1)]
    [inspection] = [r for r in written if r.source == "inspection report 2023/7 [web: account "
                    "ivan]"]
    assert [m["item"] for m in inspection.payload["measurements"]] == [
        "product cylinder 7", "feed cylinder 2"]
    assert written[-1].kind == "party" and written[-1].payload["party"] == "Euratom"
