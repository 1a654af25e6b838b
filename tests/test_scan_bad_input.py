"""Bad input never crashes a scan: each is an LD000 finding or a one-line message.

Files get ``import asyncio`` where it matters, so the prefilter sends them to the parser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loopdoctor.scan import ScanOptions, scan
from loopdoctor.scan.config import Config
from loopdoctor.scan.files import MissingPath

TOKEN = b"import asyncio\n"


def findings(tmp_path: Path, *paths: str) -> list[tuple[str, int, str, str]]:
    result = scan(ScanOptions([str(tmp_path / p) for p in paths or ["."]],
                              Config(root=tmp_path), jobs=1))
    return [(Path(f.path).name, f.line, f.code, f.message) for f in result.findings]


def only(tmp_path: Path, name: str, data: bytes) -> list[tuple[str, int, str, str]]:
    (tmp_path / name).write_bytes(data)
    return findings(tmp_path, name)


def test_syntax_error(tmp_path: Path) -> None:
    assert only(tmp_path, "s.py", TOKEN + b"def broken(:\n    pass\n") == [
        ("s.py", 2, "LD000", "cannot parse: invalid syntax")]


@pytest.mark.python36_grammar
def test_python36_grammar_fallback(tmp_path: Path) -> None:
    """`async` as a name (Python 3.4-3.6 code) parses with 3.6's grammar; a syntax error of
    every grammar is still reported where the current grammar finds it."""
    old = TOKEN + b"from asyncio import async as ensure_future\n"
    assert only(tmp_path, "old.py", old) == []
    assert only(tmp_path, "bad.py", old + b"def broken(:\n    pass\n") == [
        ("bad.py", 2, "LD000", "cannot parse: invalid syntax")]


@pytest.mark.parametrize("data", [TOKEN + b"x = '\xff\xfe'\n", b"x = '\xff'\n"])
def test_invalid_utf8_parsed_or_not(tmp_path: Path, data: bytes) -> None:
    ((_, _, code, message),) = only(tmp_path, "u.py", data)
    assert code == "LD000" and message.startswith("cannot decode:") and "0xff" in message


@pytest.mark.parametrize("data", [TOKEN + b"x = 1\x00\n", b"x = 1\x00\n"])
def test_nul_byte(tmp_path: Path, data: bytes) -> None:
    assert only(tmp_path, "n.py", data) == [
        ("n.py", 1, "LD000", "cannot parse: the file contains a NUL byte")]


def test_five_megabyte_generated_file(tmp_path: Path) -> None:
    chunk = b"BLOB_%d = '" + b"x" * 100_000 + b"'\n"
    data = TOKEN + b"".join(chunk.replace(b"%d", str(i).encode()) for i in range(52))
    assert len(data) > 5_000_000
    assert only(tmp_path, "big.py", data) == []


def test_deeply_nested_expressions(tmp_path: Path) -> None:
    nested = TOKEN + b"x = " + b"(" * 100 + b"1" + b")" * 100 + b"\n"
    too_nested = TOKEN + b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n"
    unary = TOKEN + b"y = " + b"-" * 2000 + b"1\n"
    calls = TOKEN + b"def f():\n    asyncio.run(f()" + b".g()" * 900 + b")\n"
    assert only(tmp_path, "nested.py", nested) == []
    assert only(tmp_path, "too_nested.py", too_nested) == [
        ("too_nested.py", 2, "LD000", "cannot parse: too many nested parentheses")]
    assert only(tmp_path, "unary.py", unary) == []  # parses; the walk is iterative
    assert only(tmp_path, "calls.py", calls) == []  # parses; resolving the chain does not recurse


@pytest.mark.parametrize("expression", [b"-" * 60_000 + b"1", b"f()" + b".g()" * 2000])
def test_parser_gives_up(tmp_path: Path, expression: bytes) -> None:
    assert only(tmp_path, "deep.py", TOKEN + b"y = " + expression + b"\n") == [
        ("deep.py", 1, "LD000", "cannot parse: expressions nested too deeply for Python's parser")]


def test_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "ok.py").write_text("x = 1\n")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "again")  # a folder that contains itself
    os.symlink(tmp_path / "self.py", tmp_path / "self.py")  # a file that points at itself
    found = findings(tmp_path)
    assert found == [("self.py", 1, "LD000", "cannot read: Too many levels of symbolic links")]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.py"
    secret.write_bytes(TOKEN)
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == secret:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert findings(tmp_path) == [("secret.py", 1, "LD000", "cannot read: Permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_bytes(TOKEN)
    secret.chmod(0)
    assert findings(tmp_path)[0][2:] == ("LD000", "cannot read: Permission denied")


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(MissingPath):
        findings(tmp_path, "nowhere.py")
    (tmp_path / "empty").mkdir()
    result = scan(ScanOptions([str(tmp_path / "empty")], Config(root=tmp_path), jobs=1))
    assert result.files_scanned == 0 and result.findings == []


# -- programs that stress the join: every one must finish well inside its bound -----------

CLIENT = b"import asyncio\nfrom openai import AsyncOpenAI\n"


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)


@pytest.mark.timeout(20)
def test_recursive_functions_and_self_referencing_values(tmp_path: Path) -> None:
    text = (CLIENT.decode() + "_cache = {}\n"
            "def make(n):\n    return make(n - 1) if n else (AsyncOpenAI(), make(n))\n"
            "def ping(n):\n    return pong(n)\n"
            "def pong(n):\n    x = ping(n)\n    x = pong(x)\n    return x\n"
            "class Node:\n    def __init__(self):\n        self.next = Node()\n"
            "        self.client = self.next.client\n"
            "def store(key):\n    client, _ = make(3)\n    _cache[key] = client\n")
    write(tmp_path, {"rec.py": text})
    assert [(f[0], f[1], f[2]) for f in findings(tmp_path)] == [("rec.py", 18, "LD201")]


@pytest.mark.timeout(20)
def test_a_getter_returning_an_item_of_its_own_attribute(tmp_path: Path) -> None:
    text = ("import asyncio\n"
            "def registry():\n    return registry.items['x']\n"
            "async def use():\n    async with registry().lock:\n        await asyncio.sleep(0)\n"
            "def main_sync():\n    asyncio.run(use())\n")
    write(tmp_path, {"getter.py": text})
    assert findings(tmp_path) == []


@pytest.mark.timeout(20)
def test_call_and_import_cycles(tmp_path: Path) -> None:
    write(tmp_path, {
        "pkg/__init__.py": "from pkg.a import ask\nfrom pkg.b import run\n",
        "pkg/a.py": CLIENT.decode() + "from pkg.b import run, relay\nfrom pkg import a as again\n"
                    "client = AsyncOpenAI()\n"
                    "async def ask(q):\n    if q:\n        return await relay(again.ask(q[1:]))\n"
                    "    return await client.responses.create(model='m', input=q)\n"
                    "def forward(coro):\n    return run(coro)\n",
        "pkg/b.py": "import asyncio\nfrom pkg.a import ask, forward\n"
                    "from pkg.b import run as self_run\n"
                    "async def relay(coro):\n    return await coro\n"
                    "def run(coro):\n    return forward(self_run(asyncio.run(coro)))\n"
                    "def tool(q):\n    return forward(ask(q))\n",
    })
    codes = sorted((f[0], f[2]) for f in findings(tmp_path))
    assert codes == [("a.py", "LD301"), ("b.py", "LD103")]


@pytest.mark.timeout(60)
def test_a_module_with_ten_thousand_functions(tmp_path: Path) -> None:
    body = [CLIENT.decode(), "_clients = {}\n"]
    for i in range(10_000):
        body.append(f"def f{i}(coro, key):\n    return f{i + 1}(coro, key)\n")
        body.append(f"async def g{i}(q):\n    return await g{(i * 7) % 10_000}(q)\n")
    body.append("def f10000(coro, key):\n    _clients[key] = AsyncOpenAI()\n"
                "    return asyncio.run(coro)\n")
    write(tmp_path, {"many.py": "".join(body)})
    codes = sorted({f[2] for f in findings(tmp_path)})
    assert codes == ["LD201"]


@pytest.mark.timeout(60)
def test_a_fifty_thousand_line_generated_module(tmp_path: Path) -> None:
    lines = [CLIENT.decode(), "TABLE = {\n"]
    lines += [f"    'key{i}': ({i}, 'value{i}', None),\n" for i in range(25_000)]
    lines.append("}\n")
    lines += [f"x{i} = TABLE['key{i}']\n" for i in range(25_000)]
    lines.append("client = AsyncOpenAI()\n")
    write(tmp_path, {"generated.py": "".join(lines)})
    assert sum(1 for _ in (tmp_path / "generated.py").open()) > 50_000
    assert [f[2] for f in findings(tmp_path)] == ["LD301"]
