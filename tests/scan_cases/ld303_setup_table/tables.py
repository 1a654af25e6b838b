from typing import Callable, NamedTuple

from . import devices


class Methods(NamedTuple):
    setup: Callable[[], list]


POWER_PROTOCOLS = {"power": Methods(devices.setup_power)}
REMOTE_PROTOCOLS = {"remote": Methods(devices.setup_remote)}
