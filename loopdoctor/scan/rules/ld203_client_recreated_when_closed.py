"""LD203 (preview): a client kept on an object and made again only once it is closed."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import chain, loops_reaching
from loopdoctor.scan.model import Finding, Guard
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    for store, why in project.lazy_instance_stores():
        if why.closed and store.bound.direct and not loops_reaching(project, store.holder) \
                and not project.made_in_coroutines(store.holder.rpartition(".")[0]):
            attr = ".".join(store.holder.split(".")[-2:])
            here = (store.file.path, store.site.line)
            before, after = _WHEN[store.lazy]
            yield RULE.finding(store.file, store.site, (
                f"`{attr}` is made again {before}{store.bound.describe()}{after}"
                f"{chain(project, project.holder(store.holder, store.bound), here, store.bound)}"))


_WHEN = {
    Guard.CLOSED: ("only once it is closed: an object used from a second event loop (another "
                   "`asyncio.run`, a test's loop, a thread) keeps the first loop's ",
                   ", which a closed loop does not close"),
    Guard.LOOP_CLOSED: ("only once it or its loop is closed: an object used from two event "
                        "loops open at the same time (threads, each running its own loop) hands "
                        "the second one the first loop's ", ""),
}


RULE = Rule(
    code="LD203",
    name="client-recreated-when-closed",
    summary="(preview) A client kept on an object and made again only when it is closed, not "
            "when a different event loop uses the object.",
    needs=(kb.LOOP_BOUND_TOKENS,),
    check=check,
    exports=Project.loop_bound_classes,
    preview=True,
    doc="""\
## Why
`if self._session is None or self._session.closed: self._session = ClientSession()` makes
a client once per object and again only after someone closes it. A loop that ends does not
close the clients bound to it: the next `asyncio.run`, a test with its own loop, or a
thread with its own loop gets the first loop's client, and its first request fails
("Event loop is closed", "attached to a different loop") or hangs. Only an object used
from more than one loop is affected; nothing in the object's own code says whether it is,
so this rule is a preview (select `LD203` to use it). When a loop of the project visibly
reaches the object, LD201 reports it instead; an object whose own shutdown closes and resets
the client is not reported, nor one this project makes only inside coroutines (directly,
through a table of classes, or in the constructor of an object made there): the client it
makes again is the running loop's.

## Bad
```python
class ApiClient:
    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session
```

## Good
```python
class ApiClient:
    async def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session, self._loop = aiohttp.ClientSession(), loop
        return self._session
```

## Fix
Remember the loop the client was made on and make a new one when the running loop differs
(closing the old one from its own loop), or give each loop its own object.
""",
)
