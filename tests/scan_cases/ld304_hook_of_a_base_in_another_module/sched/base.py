# The constructor lives here and calls a `_configure` hook that a subclass in another module
# overrides; nothing in this file names a loop.


class BaseScheduler:
    def __init__(self, **options):
        self._options = {}
        self._configure(dict(options))

    def _configure(self, config: dict) -> None:
        self._options.update(config)
