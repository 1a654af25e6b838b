# Sync code uses the thread's loop (runs a coroutine on it, schedules a task, hands it to an
# object) and then serves the app with aiohttp's web.run_app without loop=: since aiohttp 3.8
# run_app makes a new loop, so the pool, the task and the object the first loop got are bound
# to a loop that no longer runs ("attached to a different loop", a task that never runs).
# Safe forms stay silent: run_app given that loop (or keywords built here, which may hold
# it), setup done inside the app (on_startup), a loop used only after the server stopped, a
# loop used in the other branch of an if, and run_app in a coroutine (a loop already runs
# there: another bug).
from __future__ import annotations

import asyncio

from aiohttp import web


class Server:
    def set_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop


async def init_pool(app: web.Application) -> None:
    app["pool"] = object()


async def init_app() -> web.Application:
    app = web.Application()
    await init_pool(app)
    return app


async def shell() -> None:
    await asyncio.sleep(0)


def serve(server: Server, port: int) -> None:
    loop = asyncio.get_event_loop()
    server.set_loop(loop)
    loop.create_task(shell())

    def _run() -> None:
        web.run_app(web.Application(), port=port)  # error: LD303 "web.run_app" "set_loop" "loop="

    _run()


def serve_initialised() -> None:
    loop = asyncio.get_event_loop()
    app = loop.run_until_complete(init_app())
    web.run_app(app)  # error: LD303 "run_until_complete" "new event loop" "aiohttp 3.8"


def serve_on_that_loop() -> None:
    loop = asyncio.get_event_loop()
    app = loop.run_until_complete(init_app())
    web.run_app(app, loop=loop)


def serve_with_options(port: int) -> None:
    loop = asyncio.get_event_loop()
    loop.create_task(shell())
    options = {"app": web.Application(), "port": port}
    options["loop"] = loop
    web.run_app(**options)


def serve_passing_on(**kwargs: object) -> None:
    loop = asyncio.get_event_loop()
    loop.run_until_complete(shell())
    web.run_app(web.Application(), **kwargs)  # error: LD303 "run_until_complete" "loop="


def serve_set_up_inside() -> None:
    app = web.Application()
    app.on_startup.append(init_pool)
    web.run_app(app)


def serve_then_clean_up() -> None:
    app = web.Application()
    web.run_app(app)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(shell())
    loop.close()


def serve_or_poll(polling: bool) -> None:
    loop = asyncio.get_event_loop()
    if polling:
        loop.run_until_complete(shell())
    else:
        web.run_app(web.Application())


async def serve_from_a_coroutine() -> None:
    loop = asyncio.get_running_loop()
    loop.create_task(shell())
    web.run_app(web.Application())


if __name__ == "__main__":
    main_loop = asyncio.get_event_loop()
    application = main_loop.run_until_complete(init_app())
    web.run_app(application)  # error: LD303 "run_until_complete" "line 102"
