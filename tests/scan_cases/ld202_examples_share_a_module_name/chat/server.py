# Its sibling's make_client (a sync client), not another folder's: silent.
from functools import lru_cache

from application import make_client


@lru_cache
def shared():
    return make_client()
