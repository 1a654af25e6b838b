"""Module names where ``__init__.py`` does not say them: decided by the project's own
absolute imports, and the names packages give wherever there is no such evidence."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopdoctor.scan import ScanOptions, naming, scan, session
from loopdoctor.scan.cache import Cache
from loopdoctor.scan.config import discover
from loopdoctor.scan.files import Discovery


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def names(root: Path) -> dict[str, str]:
    """Every scanned file's module name, as a scan of ``root`` gives it."""
    cache = Cache(None)
    pending, _ = session._hash_files(Discovery(root).files([str(root)]), cache)
    session._name_modules(pending, [str(root)], cache)
    return {p.path.relative_to(root).as_posix(): p.module for p in pending}


def test_namespace_folders_named_by_the_absolute_imports(tmp_path: Path) -> None:
    write(tmp_path, {
        "vercel/_internal/core/__init__.py": "",
        "vercel/_internal/core/session.py": "from vercel._internal.core.errors import E\n",
        "vercel/_internal/core/errors.py": "class E(Exception): ...\n",
        "vercel/api/__init__.py": "from vercel._internal.core.session import session\n",
    })
    assert names(tmp_path) == {
        "vercel/_internal/core/__init__.py": "vercel._internal.core",
        "vercel/_internal/core/session.py": "vercel._internal.core.session",
        "vercel/_internal/core/errors.py": "vercel._internal.core.errors",
        "vercel/api/__init__.py": "vercel.api",
    }


def test_a_src_layout_keeps_its_names_and_names_its_namespace_package(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/mod.py": "from pkg.util import f\nfrom ns.part import g\n",
        "src/pkg/util.py": "def f(): ...\n",
        "src/ns/part.py": "def g(): ...\n",
        "tests/test_mod.py": "from pkg.mod import f\n",
    })
    assert names(tmp_path) == {
        "src/pkg/__init__.py": "pkg", "src/pkg/mod.py": "pkg.mod", "src/pkg/util.py": "pkg.util",
        "src/ns/part.py": "ns.part", "tests/test_mod.py": "test_mod",
    }


def test_two_import_roots_in_one_tree(tmp_path: Path) -> None:
    write(tmp_path, {
        "packages/a/src/alpha/core.py": "from beta.io import read\n",
        "packages/b/src/beta/io.py": "from alpha.core import x\n",
    })
    assert names(tmp_path) == {"packages/a/src/alpha/core.py": "alpha.core",
                               "packages/b/src/beta/io.py": "beta.io"}


def test_an_ambiguous_tree_takes_the_root_most_imports_resolve_under(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib/pkg/mod.py": "x = 1\n",
        "a.py": "from pkg.mod import x\n",
        "b.py": "from pkg.mod import x\n",
        "c.py": "from lib.pkg.mod import x\n",
    })
    assert names(tmp_path)["lib/pkg/mod.py"] == "pkg.mod"


@pytest.mark.parametrize("imports", [
    "",  # no evidence: today's name
    "import openai\n",  # a bare folder of that name is not evidence
    "from http.server import x\n",  # nor is the standard library
])
def test_without_evidence_the_name_stays(tmp_path: Path, imports: str) -> None:
    write(tmp_path, {"examples/openai/chat.py": "x = 1\n", "examples/http/server/x.py": "",
                     "app.py": imports})
    assert names(tmp_path) == {"examples/openai/chat.py": "chat",
                               "examples/http/server/x.py": "x", "app.py": "app"}


def test_packages_with_init_everywhere_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/m.py": ""})
    assert naming.ambiguous(Discovery(tmp_path).files([str(tmp_path)]), [tmp_path]) == {}


def test_absolute_imports_of_a_file() -> None:
    source = b"import a.b, c as d\nfrom e.f import (g,\n  h)\nfrom .rel import i\nimport os.path\n"
    assert naming.absolute_imports(source) == {"a.b", "c", "e.f"}


def test_a_file_added_between_two_scans_renames_as_a_cold_scan_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name depends on other files' imports: the facts of an unchanged file are not
    reused under a name the project no longer gives it."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"lib/pkg/mod.py": "import httpx\n\nclient = httpx.AsyncClient()\n",
                     "c.py": "from lib.pkg.mod import client\n"})

    def run(cache: bool = True) -> tuple[list[tuple[str, str, int]], set[str]]:
        options = ScanOptions(["."], discover(["."]), jobs=1,
                              cache_dir=Path("cache") if cache else None)
        findings = [(f.code, f.path, f.line) for f in scan(options).findings]
        modules = {key[1] for key in Cache(Path("cache")).facts if key[0].endswith("mod.py")}
        return findings, modules

    assert run() == ([("LD301", "lib/pkg/mod.py", 3)], {"lib.pkg.mod"})
    write(tmp_path, {"a.py": "from pkg.mod import client\n", "b.py": "from pkg.mod import x\n"})
    warm, modules = run()
    assert warm == run(cache=False)[0] == [("LD301", "lib/pkg/mod.py", 3)]
    assert "pkg.mod" in modules


def test_scripts_that_share_a_name_are_named_apart(tmp_path: Path) -> None:
    """Each example folder's application.py is its own module, and its siblings import it."""
    write(tmp_path, {
        "examples/chat/application.py": "def f(): ...\n",
        "examples/chat/server.py": "from application import f\n",
        "examples/research/application.py": "def f(): ...\n",
        "tools/research/application.py": "def f(): ...\n",
        "examples/batch/run.py": "import application\n",
    })
    assert names(tmp_path) == {
        "examples/chat/application.py": "application@examples/chat",
        "examples/chat/server.py": "server",
        "examples/research/application.py": "application@examples/research",
        "tools/research/application.py": "application@tools/research",
        "examples/batch/run.py": "run",
    }
    cache = Cache(None)
    pending, _ = session._hash_files(Discovery(tmp_path).files([str(tmp_path)]), cache)
    session._name_modules(pending, [str(tmp_path)], cache)
    renames = {p.path.relative_to(tmp_path).as_posix(): p.renames for p in pending}
    assert renames["examples/chat/server.py"] == (("application", "application@examples/chat"),)
    assert renames["examples/batch/run.py"] == ()  # no application.py beside it


def test_a_package_in_two_trees_is_named_apart_whole(tmp_path: Path) -> None:
    """Every module of a shared top-level package gets its tree's tag, not only the ones
    both trees have: the package's own names stay one package."""
    write(tmp_path, {
        "one/pkg/__init__.py": "",
        "one/pkg/client.py": "from pkg.util import g\n",
        "one/pkg/util.py": "def g(): ...\n",
        "two/pkg/__init__.py": "",
        "two/pkg/client.py": "",
        "two/other.py": "",
    })
    assert names(tmp_path) == {
        "one/pkg/__init__.py": "pkg@one",
        "one/pkg/client.py": "pkg@one.client",
        "one/pkg/util.py": "pkg@one.util",
        "two/pkg/__init__.py": "pkg@two",
        "two/pkg/client.py": "pkg@two.client",
        "two/other.py": "other",
    }


def test_files_with_names_of_their_own_are_not_renamed(tmp_path: Path) -> None:
    write(tmp_path, {"a/app.py": "", "b/main.py": "", "c/__init__.py": "", "c/app.py": ""})
    assert names(tmp_path) == {"a/app.py": "app", "b/main.py": "main", "c/__init__.py": "c",
                               "c/app.py": "c.app"}


def test_a_module_beside_a_package_of_its_name_is_named_apart(tmp_path: Path) -> None:
    """Python imports the package ``pkg/client/``, never ``pkg/client.py`` beside it (mcp-use
    keeps both): the module gets a name no import reaches, so neither stands for the other.
    A folder without ``__init__.py`` is no package: the module beside it keeps its name."""
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/client.py": "from pkg.client.core import Client\n",
        "pkg/client/__init__.py": "from .core import Client\n",
        "pkg/client/core.py": "class Client: ...\n",
        "pkg/user.py": "from pkg.client import Client\n",
        "pkg/tools.py": "",
        "pkg/tools/extra.py": "",
    })
    assert names(tmp_path) == {
        "pkg/__init__.py": "pkg",
        "pkg/client.py": "pkg.client@shadowed",
        "pkg/client/__init__.py": "pkg.client",
        "pkg/client/core.py": "pkg.client.core",
        "pkg/user.py": "pkg.user",
        "pkg/tools.py": "pkg.tools",
        "pkg/tools/extra.py": "pkg.tools.extra",
    }
    assert naming.untagged("pkg.client@shadowed.MCPClient") == "pkg.client.MCPClient"


def test_tags_are_left_out_of_what_people_read() -> None:
    message = "`@lru_cache` factory `application@examples/deep-research.get` [see `a@b.c.d`]"
    assert naming.untagged(message) == "`@lru_cache` factory `application.get` [see `a.c.d`]"
    assert naming.untagged("pkg@one.client.Client.get") == "pkg.client.Client.get"


def test_a_sibling_named_apart_between_two_scans_is_imported_as_a_cold_scan_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """server.py does not change when a second application.py appears elsewhere, but what
    its import names does: its cached facts are not reused."""
    monkeypatch.chdir(tmp_path)
    server = ("from functools import cache\n\nfrom application import make\n\n\n"
              "@cache\ndef shared():\n    return make()\n")
    write(tmp_path, {
        "research/application.py": "import openai\n\n\ndef make():\n"
                                   "    return openai.AsyncOpenAI()\n",
        "research/server.py": server,
    })

    def run(cache: bool = True) -> list[tuple[str, str, int]]:
        options = ScanOptions(["."], discover(["."]), jobs=1,
                              cache_dir=Path("cache") if cache else None)
        return [(f.code, f.path, f.line) for f in scan(options).findings]

    assert run() == [("LD202", "research/server.py", 7)]
    write(tmp_path, {
        "chat/application.py": "import openai\n\n\ndef make():\n    return openai.Client()\n",
        "chat/app.py": server,
    })
    assert run() == run(cache=False) == [("LD202", "research/server.py", 7)]


def test_a_test_package_named_apart_is_still_a_test_package() -> None:
    from loopdoctor.scan.project import is_test_module

    assert is_test_module("tests@one.helpers", "one/tests/helpers.py")
    assert not is_test_module("pkg@one.helpers", "one/pkg/helpers.py")
