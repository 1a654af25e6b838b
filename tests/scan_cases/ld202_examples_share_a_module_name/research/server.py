# ``from application import ...`` in this folder is this folder's application.py.
from functools import lru_cache

from application import make_client


@lru_cache
def shared():  # error: LD202 "@lru_cache" "shared"
    return make_client()
