# `async def` test methods of a sync unittest.TestCase (directly, or through a base class
# that another file of the project defines, or that lies outside the scanned tree) are
# called by no loop: unittest calls them, gets a coroutine and drops it. `asyncio.run`
# inside one never meets a running loop. The IsolatedAsyncioTestCase below does run them.
# negative for: LD501
import asyncio
from unittest import IsolatedAsyncioTestCase, TestCase

from tests.base import DBTestCase  # not in the scanned tree
from tests.helpers import ProjectAsyncTestCase, ProjectTestCase


async def fetch_rows():
    return [1, 2, 3]


class TestDirect(TestCase):
    async def test_rows(self):
        rows = asyncio.run(fetch_rows())
        self.assertEqual(len(rows), 3)


class TestThroughOutsideBase(DBTestCase):
    async def test_rows(self):
        rows = asyncio.run(fetch_rows(), debug=True)
        self.assertEqual(len(rows), 3)


class TestThroughProjectBase(ProjectTestCase):
    async def test_rows(self):
        self.assertEqual(asyncio.run(fetch_rows()), [1, 2, 3])


class TestOnALoop(IsolatedAsyncioTestCase):
    async def test_rows(self):
        rows = asyncio.run(fetch_rows())  # error: LD501 "asyncio.run" "test_rows"
        self.assertEqual(len(rows), 3)


class TestOnALoopThroughProjectBase(ProjectAsyncTestCase):
    async def test_rows(self):
        rows = asyncio.run(fetch_rows())  # error: LD501 "asyncio.run" "test_rows"
        self.assertEqual(len(rows), 3)
