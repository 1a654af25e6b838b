"""What the analyzer knows about the outside world, by fully qualified name."""

from __future__ import annotations

LOOP_BOUND_TYPES: frozenset[str] = frozenset({
    "openai.AsyncOpenAI", "openai.AsyncAzureOpenAI", "openai.AsyncClient",
    "anthropic.AsyncAnthropic", "anthropic.AsyncAnthropicBedrock",
    "anthropic.AsyncAnthropicVertex", "anthropic.AsyncClient",
    "httpx.AsyncClient", "httpx2.AsyncClient", "httpx.AsyncHTTPTransport",
    "aiohttp.ClientSession", "aiohttp.TCPConnector", "aiohttp.client.ClientSession",
    "redis.asyncio.Redis", "redis.asyncio.StrictRedis", "redis.asyncio.from_url",
    "redis.asyncio.ConnectionPool", "redis.asyncio.client.Redis", "aioredis.Redis",
    "aioredis.from_url", "motor.motor_asyncio.AsyncIOMotorClient", "pymongo.AsyncMongoClient",
    "asyncpg.create_pool", "asyncpg.Pool", "asyncpg.pool.Pool",
    "sqlalchemy.ext.asyncio.create_async_engine", "sqlalchemy.ext.asyncio.AsyncEngine",
    "grpc.aio.insecure_channel", "grpc.aio.secure_channel",
    "groq.AsyncGroq", "cohere.AsyncClient", "mistralai.async_client.MistralAsyncClient",
    "openai.DefaultAsyncHttpxClient", "openai.DefaultAioHttpClient",
    "openai._base_client.AsyncHttpxClientWrapper", "anthropic.DefaultAsyncHttpxClient",
    "anthropic._base_client.AsyncHttpxClientWrapper", "ollama.AsyncClient", "xai_sdk.AsyncClient",
    "together.AsyncTogether", "google.genai.client.AsyncClient", "websockets.connect",
    "elasticsearch.AsyncElasticsearch", "qdrant_client.AsyncQdrantClient",
    "motor.motor_asyncio.AsyncIOMotorDatabase", "aiobotocore.session.AioSession",
    "sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.AsyncSession",
    "aiosqlite.connect", "asyncpg.connect", "grpc.aio.Channel",
    "aioredis.create_redis_pool", "aioredis.create_pool", "aioredis.create_redis",
    "aioredis.ConnectionsPool", "aioredis.pool.ConnectionsPool",
})

# Outside the standard library, an ``Async*Client`` / ``Async*Session`` class holds a connection
# pool bound to the loop that first uses it.
ASYNC_CLIENT_NAME = r"Async\w*(Client|Session|OpenAI|Anthropic|Pool|Channel)$"

# Objects that hold a loop-bound client of their own once used (a LangChain chat model keeps
# its ``AsyncOpenAI``): as long-lived as they are, so is the client inside.
CLIENT_HOLDERS: frozenset[str] = frozenset({
    "langchain_core.language_models.BaseChatModel", "langchain_core.language_models.BaseLLM",
    "langchain_core.language_models.BaseLanguageModel",
    "langchain_core.language_models.chat_models.BaseChatModel",
    "langchain_core.language_models.llms.BaseLLM", "langchain.llms.BaseLLM",
    "langchain.llms.base.BaseLLM", "langchain.chat_models.base.BaseChatModel",
    "langchain_openai.ChatOpenAI", "langchain_openai.AzureChatOpenAI",
    "langchain_openai.OpenAIEmbeddings", "langchain_anthropic.ChatAnthropic",
    "langchain.chat_models.ChatOpenAI", "langchain_community.chat_models.ChatOpenAI",
})

# Methods only an async client has, awaited (or entered with ``async with``) on an object:
# that object is loop-bound even when nothing names its class. Longest chains first.
ASYNC_CLIENT_CHAINS: tuple[tuple[str, ...], ...] = tuple(sorted({
    ("chat", "completions", "create"), ("chat", "completions", "parse"),
    ("beta", "chat", "completions", "parse"), ("completions", "create"),
    ("embeddings", "create"), ("messages", "create"), ("messages", "stream"),
    ("responses", "create"), ("responses", "stream"), ("images", "generate"),
    ("audio", "transcriptions", "create"), ("moderations", "create"),
    ("aio", "models", "generate_content"), ("models", "generate_content"),
    ("post",), ("put",), ("patch",), ("request",), ("send",), ("stream",), ("aclose",),
    ("ws_connect",), ("fetch",), ("fetchrow",), ("fetchval",), ("executemany",),
    ("hget",), ("hset",), ("publish",), ("xadd",), ("lpush",), ("rpush",), ("incr",),
    ("find_one",), ("insert_one",), ("update_one",), ("delete_one",),
}, key=lambda chain: -len(chain)))

# Substrings that any file constructing, holding or using one of the above must contain
# (prefilter): the types, the client holders, event loops, and the methods only clients have.
LOOP_BOUND_TOKENS: tuple[str, ...] = (
    "AsyncOpenAI", "AsyncAzureOpenAI", "AsyncAnthropic", "AsyncClient", "AsyncHTTPTransport",
    "AsyncHttpx", "AioHttp", "AsyncIOMotor", "AsyncMongoClient", "AsyncEngine", "AsyncSession",
    "sessionmaker", "AsyncGroq", "AsyncTogether", "AsyncElasticsearch", "QdrantClient",
    "AioSession", "aiohttp", "aiosqlite", "websockets", "redis", "asyncpg", "async_engine", "grpc",
    "Singleton", "ChatOpenAI", "ChatAnthropic", "OpenAIEmbeddings", "BaseChatModel", "BaseLLM",
    "BaseLanguageModel", "get_event_loop", "new_event_loop", "completions.create",
    "messages.create", "embeddings.create", "responses.create", "generate_content", "aclose",
)

ASYNCIO_PRIMITIVES: frozenset[str] = frozenset(
    f"asyncio.{name}" for name in (
        "Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore", "Queue",
        "PriorityQueue", "LifoQueue", "Barrier",
    )
)

# ``asyncio.get_event_loop_policy().get_event_loop()``: the thread's loop, as
# ``get_event_loop()`` gives it outside a running loop (inside one, the loop ``asyncio.run``
# set), written so to avoid get_event_loop()'s deprecation warning.
POLICY_GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop_policy.get_event_loop",
                                   "asyncio.events.get_event_loop_policy.get_event_loop"})
GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop", "asyncio.events.get_event_loop"}) \
    | POLICY_GET_EVENT_LOOP
RUNNING_LOOP_GETTERS: frozenset[str] = frozenset({
    "asyncio.get_running_loop", "asyncio._get_running_loop", "asyncio.events.get_running_loop",
}) | GET_EVENT_LOOP
# The running task: it lives on one loop, so what it makes and removes itself stays there.
CURRENT_TASK: frozenset[str] = frozenset({"asyncio.current_task", "asyncio.tasks.current_task"})
RUNNING_LOOP_PROBES: frozenset[str] = frozenset({
    "asyncio._get_running_loop", "asyncio.events._get_running_loop",
    "asyncio.get_running_loop", "asyncio.events.get_running_loop",
})
# An async engine on a pool that keeps no connection (``poolclass=NullPool``) opens one per
# session, on the loop that runs it, and holds nothing bound to a loop between uses; so do the
# session factories and sessions over it.
POOLED_ENGINES: frozenset[str] = frozenset({"sqlalchemy.ext.asyncio.create_async_engine"})
ENGINE_USERS: frozenset[str] = frozenset({
    "sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.orm.sessionmaker"})
NO_POOL: frozenset[str] = frozenset({"sqlalchemy.NullPool", "sqlalchemy.pool.NullPool",
                                     "sqlalchemy.pool.impl.NullPool"})
# Drivers of an async engine whose connections bind no loop: aiosqlite runs each connection in
# a thread of its own and makes every call's future on the loop that awaits it
# (``get_event_loop().create_future()``, answered with ``call_soon_threadsafe``). The pool's
# queue binds a loop only when a checkout waits for a connection (more sessions at once than
# pool_size + max_overflow), so successive loops share such an engine: measured with SQLAlchemy
# 2.1 and aiosqlite 0.22, 100 ``asyncio.run`` calls over one file engine gave no error, where
# asyncpg failed on 99 of them.
LOOP_FREE_DRIVERS: frozenset[str] = frozenset({"aiosqlite"})
ENGINE_URLS: frozenset[str] = frozenset({
    "sqlalchemy.make_url", "sqlalchemy.engine.make_url", "sqlalchemy.engine.url.make_url"})
URL_MAKERS: frozenset[str] = frozenset({
    "sqlalchemy.URL.create", "sqlalchemy.engine.URL.create", "sqlalchemy.engine.url.URL.create"})
CLOSE_METHODS: frozenset[str] = frozenset({"aclose", "close", "dispose", "disconnect",
                                           "shutdown", "terminate"})
# Closes an object's pool and leaves it usable: its next use opens a new pool on the loop that
# runs then (SQLAlchemy's ``AsyncEngine.dispose()``): a close and a reset in one call.
POOL_RESETS: frozenset[str] = frozenset({"dispose"})
CLOSED_PROBES: frozenset[str] = frozenset({"closed", "is_closed", "_closed"})
SET_EVENT_LOOP = frozenset({"asyncio.set_event_loop", "asyncio.events.set_event_loop"})
ENSURE_FUTURE = frozenset({"asyncio.ensure_future", "asyncio.tasks.ensure_future"})
NEW_EVENT_LOOP = frozenset({"asyncio.new_event_loop", "asyncio.events.new_event_loop"})
ASYNCIO_RUN: frozenset[str] = frozenset({"asyncio.run", "asyncio.runners.run"})
ASYNCIO_RUNNER: frozenset[str] = frozenset({"asyncio.Runner", "asyncio.runners.Runner"})
# Serves an app on a loop of its own: since aiohttp 3.8 ``run_app`` without ``loop=`` makes a
# new loop (as ``asyncio.run`` does), not the thread's current one.
NEW_LOOP_SERVERS: frozenset[str] = frozenset({"aiohttp.web.run_app"})
# A loop's methods that run or schedule work on it, or make a future of it.
LOOP_WORK: frozenset[str] = frozenset({
    "run_until_complete", "create_task", "run_in_executor", "call_soon", "call_later",
    "call_at", "create_future",
})
RUN_COROUTINE_THREADSAFE: frozenset[str] = frozenset({
    "asyncio.run_coroutine_threadsafe", "asyncio.tasks.run_coroutine_threadsafe",
})

# Functions that run their first argument in a worker thread: fn(callable, *args).
THREAD_RUNNERS: frozenset[str] = frozenset({
    "asyncio.to_thread", "anyio.to_thread.run_sync", "starlette.concurrency.run_in_threadpool",
    "fastapi.concurrency.run_in_threadpool",
})
THREAD_CLASSES: frozenset[str] = frozenset({"threading.Thread"})
THREAD_LOCKS: frozenset[str] = frozenset({"threading.Lock", "threading.RLock",
                                          "threading.Condition"})
# A library's loop that runs forever in a thread of its own (fsspec's IO thread).
THREAD_LOOP_GETTERS: frozenset[str] = frozenset({"fsspec.asyn.get_loop"})
LOOP_CLASSES: frozenset[str] = frozenset({
    "asyncio.AbstractEventLoop", "asyncio.events.AbstractEventLoop", "asyncio.BaseEventLoop",
    "asyncio.base_events.BaseEventLoop", "asyncio.SelectorEventLoop",
    "asyncio.ProactorEventLoop", "uvloop.Loop",
})
ASYNCIO_FUTURES: frozenset[str] = frozenset({"asyncio.Future", "asyncio.Task",
                                             "asyncio.futures.Future"})
# Classes whose instances the loop's create_connection / create_server / ... factories make.
ASYNCIO_PROTOCOLS: frozenset[str] = frozenset(
    f"asyncio.{module}{name}" for module in ("", "protocols.")
    for name in ("BaseProtocol", "Protocol", "BufferedProtocol", "DatagramProtocol",
                 "SubprocessProtocol")) | frozenset({  # and asyncio's own protocols
    "asyncio.StreamReaderProtocol", "asyncio.streams.StreamReaderProtocol",
    "asyncio.subprocess.SubprocessStreamProtocol"})
THREAD_EXECUTORS: frozenset[str] = frozenset({"concurrent.futures.ThreadPoolExecutor",
                                              "concurrent.futures.thread.ThreadPoolExecutor"})
PROCESS_EXECUTORS: frozenset[str] = frozenset({
    "concurrent.futures.ProcessPoolExecutor", "multiprocessing.Pool",
    "concurrent.futures.process.ProcessPoolExecutor", "multiprocessing.pool.Pool",
})
# Modules only a browser's Python (Pyodide) has: code that imports one unconditionally runs on
# the page's one thread and its WebLoop, where no worker thread without a loop exists.
BROWSER_MODULES: frozenset[str] = frozenset({"js", "pyodide", "pyodide_js"})
PARTIAL: frozenset[str] = frozenset({"functools.partial"})
COPY_CONTEXT: frozenset[str] = frozenset({"contextvars.copy_context"})

# Field declarations: the value is the default (or what the default factory makes).
FIELD_DECLARATORS: frozenset[str] = frozenset({
    "pydantic.Field", "pydantic.fields.Field", "pydantic.PrivateAttr", "sqlmodel.Field",
    "dataclasses.field", "attr.ib", "attr.attrib", "attrs.field", "attr.field",
})

# Caches that keep one result per argument tuple for the whole process (Streamlit's resource
# cache too: it outlives every script rerun, and each rerun's ``asyncio.run`` is a new loop).
CACHE_DECORATORS: frozenset[str] = frozenset({
    "functools.lru_cache", "functools.cache", "async_lru.alru_cache", "cachetools.cached",
    *(f"cachetools.func.{name}_cache" for name in ("fifo", "lfu", "lru", "mru", "rr", "ttl")),
    "streamlit.cache_resource", "streamlit.experimental_singleton",
})
# Decorators that keep a method's first result on the instance, under the method's name.
CACHED_PROPERTIES: frozenset[str] = frozenset({
    "functools.cached_property", "django.utils.functional.cached_property",
    "werkzeug.utils.cached_property", "cached_property.cached_property",
})
SINGLETON_PROVIDERS: frozenset[str] = frozenset({
    "dependency_injector.providers.Singleton", "dependency_injector.providers.ThreadSafeSingleton",
})
CONTAINER_FACTORIES: frozenset[str] = frozenset({
    "dict", "collections.defaultdict", "collections.OrderedDict", "cachetools.TTLCache",
    "cachetools.LRUCache", "weakref.WeakValueDictionary",
})
WEAK_KEY_CONTAINERS: frozenset[str] = frozenset({"weakref.WeakKeyDictionary"})

# Calls that end the process: a function that makes one unconditionally is a command.
PROCESS_EXITS: frozenset[str] = frozenset({"sys.exit", "os._exit", "exit", "quit"})
# A function that makes a command-line parser and parses with it is a program's main.
ARGUMENT_PARSERS: frozenset[str] = frozenset({"argparse.ArgumentParser"})
COMMAND_LINE_PARSES: frozenset[str] = frozenset({"parse_args", "parse_known_args"})
# Functions that run once per process (and often never return): their loop is the program's.
# Not `serve`: a library's `serve(handler, address)` is what its users' programs call, from
# wherever they run it; a program's own `serve()` is reached from its main or `__main__` guard.
ENTRY_POINT_NAMES: frozenset[str] = frozenset({"main", "_main", "cli", "run_cli", "entrypoint",
                                               "run_forever", "run_server"})
# Test case classes whose runner awaits `async def` test methods on a loop it runs. Another
# `...TestCase` (unittest's own, or one of a tree that is not scanned, unless its name says
# Async/Aio) calls them and drops the coroutine: no loop runs their body.
ASYNC_TEST_CASES: frozenset[str] = frozenset({
    "unittest.IsolatedAsyncioTestCase", "unittest.async_case.IsolatedAsyncioTestCase",
    "aiohttp.test_utils.AioHTTPTestCase", "asynctest.TestCase", "asynctest.case.TestCase",
    "django.test.SimpleTestCase", "django.test.TestCase", "django.test.TransactionTestCase",
    "django.test.LiveServerTestCase"})
ASYNC_TEST_CASE_WORDS: tuple[str, ...] = ("Async", "Aio")
# Methods that set an object up, synchronously, wherever the object is made.
SETUP_NAMES: frozenset[str] = frozenset({"__init__", "__post_init__", "model_post_init",
                                         "__attrs_post_init__"})
SETUP_DECORATOR_SUFFIXES: tuple[str, ...] = ("validator", "root_validator", "model_validator")

# Types that take the current event loop when they are made, not when first used: made in
# sync code, they hold the thread's default loop, not the one that will use them.
BIND_AT_CREATION: frozenset[str] = frozenset({
    "grpc.aio.insecure_channel", "grpc.aio.secure_channel", "grpc.aio.Channel",
    "xai_sdk.AsyncClient", "aiohttp.ClientSession", "aiohttp.client.ClientSession",
    "aiohttp.TCPConnector",
})
# Of these, aiohttp's (3.10 and later) take the *running* loop: made outside one they raise
# "no running event loop" at once, made inside one they live on it; they keep no other loop.
TAKE_RUNNING_LOOP_WHEN_MADE: frozenset[str] = frozenset({
    "aiohttp.ClientSession", "aiohttp.client.ClientSession", "aiohttp.TCPConnector",
})
# ... and Google's generated ``*AsyncClient`` classes, built on grpc.aio channels.
BIND_AT_CREATION_PACKAGES: tuple[str, ...] = ("google.",)
# Other libraries' constructors that take the current (or the running) loop and keep it:
# made in sync code they hold the thread's default loop, or raise "no running event loop".
# Not loop-bound clients for the other rules: only what making one in a constructor means.
TAKE_LOOP_WHEN_MADE: frozenset[str] = frozenset({
    "asyncio.Future", "asyncio.futures.Future",  # get_event_loop() when no loop is given
    "aiokafka.AIOKafkaProducer", "aiokafka.AIOKafkaConsumer",
    "aiokafka.producer.AIOKafkaProducer", "aiokafka.consumer.AIOKafkaConsumer",
    "confluent_kafka.aio.AIOProducer", "confluent_kafka.experimental.aio.AIOProducer",
    "pika.adapters.asyncio_connection.AsyncioConnection",
    "pika.adapters.AsyncioConnection", "telethon.TelegramClient",
    "telethon.client.telegramclient.TelegramClient",
})
# Up to Python 3.9 asyncio primitives take the current loop when made (3.10 binds them on
# first use). These wait on a future from that loop in their ordinary use (``wait()``, a
# ``get()`` on an empty queue); a Lock or Semaphore only under contention.
PRIMITIVES_BIND_ON_FIRST_USE = (3, 10)
# From Python 3.14 get_event_loop() in a thread with no loop set raises instead of making one
# (3.12 and 3.13 warn).
NO_LOOP_MADE_ON_DEMAND = (3, 14)
WAITING_PRIMITIVES: frozenset[str] = frozenset(
    f"asyncio.{name}" for name in ("Event", "Condition", "Queue", "PriorityQueue", "LifoQueue",
                                   "Barrier")
)
# Words a file that makes one of these (or an asyncio primitive) must contain (prefilter).
TAKE_LOOP_TOKENS: tuple[str, ...] = (
    "AIOKafka", "AIOProducer", "AsyncioConnection", "TelegramClient", "from asyncio import",
    *(f"{name}(" for name in sorted(ASYNCIO_PRIMITIVES | {"asyncio.Future"})),
)
# Classes whose objects are made synchronously, where the program configures itself (for
# logging: ``dictConfig``, at start-up), not by the coroutines that later use them.
MADE_WHEN_CONFIGURED: frozenset[str] = frozenset({
    "logging.Handler", "logging.StreamHandler", "logging.FileHandler", "logging.Filter",
    "logging.handlers.QueueHandler", "logging.handlers.BufferingHandler",
    "logging.handlers.MemoryHandler",
})
# Base classes of objects a framework keeps for the whole process, with why: every event loop
# that uses the framework meets the same object.
KEPT_BY_FRAMEWORK: dict[str, str] = {
    "channels.layers.BaseChannelLayer": "a channel layer: channels keeps one per alias for the "
                                        "process",
    "fsspec.spec.AbstractFileSystem": "a filesystem: fsspec caches its instances by arguments",
    "fsspec.AbstractFileSystem": "a filesystem: fsspec caches its instances by arguments",
    "fsspec.asyn.AsyncFileSystem": "a filesystem: fsspec caches its instances by arguments",
}
# Keyword arguments that name the loop an object is for.
LOOP_KEYWORDS: frozenset[str] = frozenset({"loop", "event_loop", "custom_ioloop", "ioloop"})

# ``@app.get("/path")``, ``@routes.post(...)``, ``@router.websocket(...)``: a coroutine so
# decorated is a request handler of a web app, run by its server on the server's one loop.
ROUTE_DECORATOR_METHODS: frozenset[str] = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "route", "api_route",
    "websocket", "websocket_route",
})
# ``app.add_api_route("/path", handler)``, ``app.router.add_get("/", handler)``,
# ``app.add_url_rule("/path", view_func=handler)``: a coroutine handed to one of these methods
# (of a framework's app or router, not of the project's own class) is a request handler too.
ROUTE_REGISTRATION_METHODS: frozenset[str] = frozenset({
    "add_api_route", "add_api_websocket_route", "add_route", "add_websocket_route",
    "add_url_rule", "add_get", "add_post", "add_put", "add_patch", "add_delete", "add_head",
    "add_options",
})
# ``Route("/path", handler)`` (in ``Starlette(routes=[...])`` or ``Mount(routes=[...])``) and
# ``web.get("/", handler)`` (in ``app.add_routes([...])``): a route made with a coroutine.
ROUTE_CONSTRUCTORS: frozenset[str] = frozenset({
    "starlette.routing.Route", "starlette.routing.WebSocketRoute", "fastapi.routing.APIRoute",
    "fastapi.routing.APIWebSocketRoute",
    *(f"aiohttp.web.{method}" for method in (
        "get", "post", "put", "patch", "delete", "head", "options", "route")),
})
# ``signal.signal(sig, handler)``: the handler runs on the main thread between its
# bytecodes, so on the loop that thread is running (a loop's ``add_signal_handler`` too).
SIGNAL_REGISTRATIONS: frozenset[str] = frozenset({"signal.signal"})
# A gRPC servicer: a subclass of the ``FooServicer`` a ``foo_pb2_grpc`` module generates, or an
# object handed to its ``add_FooServicer_to_server(obj, server)``. A ``grpc.aio`` server runs
# its coroutine methods on the loop it was started on.
GRPC_MODULE_SUFFIX = "_pb2_grpc"
GRPC_SERVICER_SUFFIX = "Servicer"
GRPC_REGISTRATION_AFFIXES = ("add_", "Servicer_to_server")

ENTRY_POINT_DECORATOR_SUFFIXES: tuple[str, ...] = (
    ".command", ".group", ".callback", "pytest.fixture", "pytest_asyncio.fixture",
)
