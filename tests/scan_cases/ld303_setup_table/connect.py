from .tables import POWER_PROTOCOLS, REMOTE_PROTOCOLS


async def connect() -> list:
    found = []
    for methods in [*POWER_PROTOCOLS.values(), *REMOTE_PROTOCOLS.values()]:
        found += methods.setup()
    return found


def connect_blocking() -> list:
    return [thing for methods in REMOTE_PROTOCOLS.values() for thing in methods.setup()]
