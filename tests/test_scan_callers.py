"""The join's callers of a function: calls whose callee follows from its name, calls through
what an attribute holds (worked out by types) and thread submissions, in the order of the
code, whichever way each was found."""

from __future__ import annotations

from pathlib import Path

from loopdoctor.scan.engine import analyze
from loopdoctor.scan.project import Project

MODELS = """\
class Model:
    async def stream(self, q):
        return q
"""

AGENT = """\
from concurrent.futures import ThreadPoolExecutor

from app.models import Model


def helper(q):
    return q


class Agent:
    def __init__(self):
        self.model = Model()

    async def first(self, q):
        return await self.model.stream(q)

    def second(self, q):
        helper(q)
        return Model().stream(q)

    async def third(self, q):
        return await self.model.stream(q)

    def submit(self, q):
        with ThreadPoolExecutor() as pool:
            pool.submit(helper, q)
        return helper(q)
"""


def project(tmp_path: Path) -> Project:
    files = []
    for name, text in (("models", MODELS), ("agent", AGENT)):
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        files.append(analyze(str(path), f"app.{name}", path.read_bytes()))
    return Project(files)


def lines(project: Project, function: str) -> list[tuple[str, int]]:
    return [(type(call).__name__, call.site.line) for call, _ in project.callers[function]]


def test_calls_by_name_and_through_an_attribute_keep_the_order_of_the_code(
        tmp_path: Path) -> None:
    # lines 15 and 22 reach ``stream`` through ``self.model``; line 19 names it
    assert lines(project(tmp_path), "app.models.Model.stream") == [
        ("Call", 15), ("Call", 19), ("Call", 22)]


def test_thread_submissions_come_after_the_calls(tmp_path: Path) -> None:
    assert lines(project(tmp_path), "app.agent.helper") == [
        ("Call", 18), ("Call", 27), ("ThreadSubmit", 26)]


SERVICE = """\
class Store:
    def close(self, reason=None):
        pass


def reset():
    pass


class Service:
    def __init__(self):
        self.store = Store()

    def stop(self):
        reset()
        self.store.close()

    async def astop(self, reason):
        self.store.close(reason)
        reset()
"""


def test_calls_that_pass_nothing_are_edges_too(tmp_path: Path) -> None:
    path = tmp_path / "service.py"
    path.write_text(SERVICE)
    found = Project([analyze(str(path), "app.service", path.read_bytes())])
    assert lines(found, "app.service.reset") == [("Call", 15), ("Call", 20)]
    assert sorted(lines(found, "app.service.Store.close")) == [("Call", 16), ("Call", 19)]
    assert sorted(found.calling_scopes("app.service.Store.close")) == [
        "app.service.Service.astop", "app.service.Service.stop"]
