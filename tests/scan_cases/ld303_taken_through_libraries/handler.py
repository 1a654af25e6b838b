import logging

from .queues import LogQueue


class QueueHandler(logging.Handler):
    def __init__(self, size: int = 100):
        super().__init__()
        self._queue = LogQueue(size)  # error: LD304 "LogQueue" "QueueHandler._queue" "logging handler"
