"""The fake LLM API that ``loopdoctor run`` and the ``loopdoctor_endpoint`` fixture talk to.

- :mod:`.answers`: what it answers and the faults a request can ask for (no server library);
- :mod:`.server`: the HTTP/1.1 keep-alive server on 127.0.0.1 (uvicorn + starlette);
- :mod:`.process`: that server in a process of its own, for the run harness;
- :mod:`.mock`: the same answers from a transport mock (respx), for ``--endpoint respx``.
"""
