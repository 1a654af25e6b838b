import unittest


class ProjectTestCase(unittest.TestCase):
    def setUp(self):
        self.rows = []


class ProjectAsyncTestCase(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.rows = []
