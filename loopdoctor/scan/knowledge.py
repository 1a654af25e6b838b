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
})

# Substrings that any file constructing one of the above must contain (prefilter).
LOOP_BOUND_TOKENS: tuple[str, ...] = (
    "AsyncOpenAI", "AsyncAzureOpenAI", "AsyncAnthropic", "AsyncClient", "AsyncHTTPTransport",
    "AsyncIOMotorClient", "AsyncMongoClient", "AsyncEngine", "AsyncGroq", "aiohttp", "redis",
    "asyncpg", "async_engine", "grpc", "Singleton",
)

ASYNCIO_PRIMITIVES: frozenset[str] = frozenset(
    f"asyncio.{name}" for name in (
        "Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore", "Queue",
        "PriorityQueue", "LifoQueue", "Barrier",
    )
)

RUNNING_LOOP_GETTERS: frozenset[str] = frozenset({
    "asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio._get_running_loop",
    "asyncio.events.get_running_loop", "asyncio.events.get_event_loop",
})
RUNNING_LOOP_PROBES: frozenset[str] = frozenset({
    "asyncio._get_running_loop", "asyncio.events._get_running_loop",
    "asyncio.get_running_loop", "asyncio.events.get_running_loop",
})
CLOSE_METHODS: frozenset[str] = frozenset({"aclose", "close", "dispose", "disconnect",
                                           "shutdown", "terminate"})
GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop", "asyncio.events.get_event_loop"})
SET_EVENT_LOOP = frozenset({"asyncio.set_event_loop", "asyncio.events.set_event_loop"})
NEW_EVENT_LOOP = frozenset({"asyncio.new_event_loop", "asyncio.events.new_event_loop"})
ASYNCIO_RUN: frozenset[str] = frozenset({"asyncio.run", "asyncio.runners.run"})
ASYNCIO_RUNNER: frozenset[str] = frozenset({"asyncio.Runner", "asyncio.runners.Runner"})
RUN_COROUTINE_THREADSAFE: frozenset[str] = frozenset({
    "asyncio.run_coroutine_threadsafe", "asyncio.tasks.run_coroutine_threadsafe",
})

# Functions that run their first argument in a worker thread: fn(callable, *args).
THREAD_RUNNERS: frozenset[str] = frozenset({
    "asyncio.to_thread", "anyio.to_thread.run_sync", "starlette.concurrency.run_in_threadpool",
    "fastapi.concurrency.run_in_threadpool",
})
THREAD_CLASSES: frozenset[str] = frozenset({"threading.Thread"})
THREAD_EXECUTORS: frozenset[str] = frozenset({"concurrent.futures.ThreadPoolExecutor",
                                              "concurrent.futures.thread.ThreadPoolExecutor"})
PROCESS_EXECUTORS: frozenset[str] = frozenset({
    "concurrent.futures.ProcessPoolExecutor", "multiprocessing.Pool",
    "concurrent.futures.process.ProcessPoolExecutor", "multiprocessing.pool.Pool",
})
PARTIAL: frozenset[str] = frozenset({"functools.partial"})
COPY_CONTEXT: frozenset[str] = frozenset({"contextvars.copy_context"})

CACHE_DECORATORS: frozenset[str] = frozenset({
    "functools.lru_cache", "functools.cache", "async_lru.alru_cache", "cachetools.cached",
})
SINGLETON_PROVIDERS: frozenset[str] = frozenset({
    "dependency_injector.providers.Singleton", "dependency_injector.providers.ThreadSafeSingleton",
})
CONTAINER_FACTORIES: frozenset[str] = frozenset({
    "dict", "collections.defaultdict", "collections.OrderedDict", "cachetools.TTLCache",
    "cachetools.LRUCache", "weakref.WeakValueDictionary",
})
WEAK_KEY_CONTAINERS: frozenset[str] = frozenset({"weakref.WeakKeyDictionary"})

ENTRY_POINT_NAMES: frozenset[str] = frozenset({"main", "_main", "cli", "run_cli", "entrypoint"})
ENTRY_POINT_DECORATOR_SUFFIXES: tuple[str, ...] = (
    ".command", ".group", ".callback", "pytest.fixture", "pytest_asyncio.fixture",
)
