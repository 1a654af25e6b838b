# noqa and loopdoctor: ignore comments, and unused ones.
# negative for: LD001, LD301
import httpx

a = httpx.AsyncClient()  # noqa: LD301
b = httpx.AsyncClient()  # loopdoctor: ignore[LD301] one loop for the whole process
c = httpx.AsyncClient()  # noqa
d = httpx.AsyncClient()  # noqa: E501  # error: LD301 "AsyncClient" "`d`"
e = 1  # noqa: LD301  # error: LD001 "LD301"
f = 2  # loopdoctor: ignore[LD101, LD301] stale  # error: LD001 "LD101, LD301"
g = 3  # noqa: E501 (another tool's code): never judged
