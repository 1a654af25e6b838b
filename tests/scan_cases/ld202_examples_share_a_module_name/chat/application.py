# LD202 across example folders that each hold a script named application.py (no
# __init__.py): three modules, not one. This one caches a sync client: silent.
# negative for: LD202
import functools

import openai


@functools.lru_cache
def _get_openai_client():
    return openai.Client()


def make_client():
    return openai.Client()


def ask(prompt: str) -> str:
    return _get_openai_client().chat.completions.create(model="m", messages=[prompt])
