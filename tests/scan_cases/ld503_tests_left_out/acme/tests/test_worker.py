# negative for: LD503 (a test checks what get_event_loop does on a worker thread)
import asyncio
import unittest
from concurrent.futures import ThreadPoolExecutor


class WorkerThreadLoopTest(unittest.TestCase):
    def setUp(self):
        self.executor = ThreadPoolExecutor(1)

    def tearDown(self):
        self.executor.shutdown()

    def test_no_loop_on_worker_thread(self):
        def look_up():
            return asyncio.get_event_loop()

        with self.assertRaises(RuntimeError):
            self.executor.submit(look_up).result()
        self.assertRaises(RuntimeError, self.executor.submit(asyncio.get_event_loop).result)
        self.executor.submit(lambda: asyncio.get_event_loop().close())
