"""The prefilter's words stay in step with the loop-bound types the analyzer knows."""

from __future__ import annotations

import pytest

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.prefilter import Prefilter
from loopdoctor.scan.rules import BY_CODE

HOLDER_RULES = [BY_CODE[code] for code in ("LD201", "LD202", "LD301")]


def uses(qualname: str) -> list[bytes]:
    """The least text a module that constructs the type must contain, in each import style."""
    module, name = qualname.rsplit(".", 1)
    return [f"from {module} import {name}\nc = {name}()\n".encode(),
            f"import {module} as m\nc = m.{name}()\n".encode()]


@pytest.mark.parametrize("qualname", sorted(kb.LOOP_BOUND_TYPES | kb.CLIENT_HOLDERS))
def test_every_loop_bound_type_passes_the_prefilter(qualname: str) -> None:
    prefilter = Prefilter(HOLDER_RULES)
    assert all(prefilter.wants(text) for text in uses(qualname))


KNOWN = [*kb.LOOP_BOUND_TYPES, *kb.CLIENT_HOLDERS, *kb.SINGLETON_PROVIDERS,
         *kb.RUNNING_LOOP_GETTERS, *kb.NEW_EVENT_LOOP,
         *(".".join(chain) for chain in kb.ASYNC_CLIENT_CHAINS)]


@pytest.mark.parametrize("token", kb.LOOP_BOUND_TOKENS)
def test_every_prefilter_token_names_something_known(token: str) -> None:
    assert any(token in known for known in KNOWN)
