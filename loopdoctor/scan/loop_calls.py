"""Per function: the calls that say which thread touches which event loop (LD506's facts).

asyncio's loops and primitives are not thread-safe: only the thread that runs a loop may
schedule on it or wake what waits on it. What a function calls on a loop or a primitive, which
loop it makes, sets or runs, and which callables it hands to a loop are recorded here; the join
decides which thread runs the function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import CallAt, FileContext, Scope
from loopdoctor.scan.model import LoopCall
from loopdoctor.scan.values import NESTED, guarded_calls, values_of, walk_here

# Only the loop's own thread may call these (``call_soon_threadsafe`` is the exception).
LOOP_METHODS = frozenset({"create_task", "call_soon", "call_later", "call_at"})
# ... nor these on an asyncio primitive or future; ``set`` only without arguments (Event.set).
PRIMITIVE_METHODS = frozenset({"set", "put_nowait", "set_result", "set_exception"})
# A thread with no running loop cannot call these at all.
TASK_FUNCTIONS = frozenset({"asyncio.create_task", "asyncio.ensure_future",
                            "asyncio.tasks.create_task", "asyncio.tasks.ensure_future"})
# ... nor these, which ask for the thread's running loop (``asyncio.Task.current_task()``
# before 3.7 asks ``get_event_loop()``, which a worker thread does not have either).
RUNNING_TASK_FUNCTIONS = kb.CURRENT_TASK | frozenset({
    "asyncio.all_tasks", "asyncio.tasks.all_tasks", "asyncio.Task.current_task",
    "asyncio.Task.all_tasks", "asyncio.tasks.Task.current_task", "asyncio.tasks.Task.all_tasks"})
# The function runs a loop in its own thread.
LOOP_RUNS = frozenset({"run_forever", "run_until_complete"})
# Callables handed to a loop run on the loop's thread.
HANDOFFS = frozenset({"call_soon_threadsafe", "call_soon", "call_later", "call_at",
                      "add_done_callback"})
_CALLABLE_AT = {"call_later": 1, "call_at": 1}  # the others take the callable first
MAKES = "new loop"  # the method of a call that makes a loop of the function's own
RUNS = "runs a loop"  # ... that runs a loop in the calling thread
SETS = "set_event_loop"
RUN_BY_THREAD = "run_forever in a thread"  # ``Thread(target=loop.run_forever)``
HANDS_COROUTINE = "run_coroutine_threadsafe"  # handed: the coroutine function it runs there
HOLDS = "holds"  # ``with lock:``, ``lock.acquire()`` in a function that touches a loop
TOUCHES = LOOP_METHODS | PRIMITIVE_METHODS | TASK_FUNCTIONS


def loop_calls(ctx: FileContext, scope: Scope, calls: list[CallAt]) -> tuple[LoopCall, ...]:
    found = tuple(call for call_at in calls if (call := _loop_call(ctx, call_at)) is not None)
    if not scope.is_async and any(call.method in TOUCHES for call in found):
        found += tuple(_locks_held(ctx, scope))
    return found


def _locks_held(ctx: FileContext, scope: Scope) -> Iterator[LoopCall]:
    """``with self._lock:`` and ``self._lock.acquire()``: what the function holds (the join
    asks whether it is a ``threading.Lock``)."""
    pending: list[ast.AST] = list(scope.node.body) if isinstance(scope.node.body, list) else []
    while pending:
        node = pending.pop()
        if isinstance(node, NESTED):
            continue
        if isinstance(node, ast.With):
            for item in node.items:
                if isinstance(item.context_expr, (ast.Name, ast.Attribute)):
                    yield _held(ctx, scope, item.context_expr)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) \
                and node.value.func.attr == "acquire":
            yield _held(ctx, scope, node.value.func.value)
        pending.extend(child for child in ast.iter_child_nodes(node)
                       if isinstance(child, (ast.stmt, ast.ExceptHandler)))


def _held(ctx: FileContext, scope: Scope, lock: ast.expr) -> LoopCall:
    return LoopCall(ctx.site(lock, scope), HOLDS, values_of(ctx, lock, scope), _text(lock))


def _loop_call(ctx: FileContext, call_at: CallAt) -> LoopCall | None:
    call, scope = call_at.node, call_at.scope
    site = ctx.site(call, scope)
    callee = ctx.callee(call, scope)
    if callee in TASK_FUNCTIONS:  # (``loop=`` names the loop: not the thread's running one;
        # a ``try`` that handles RuntimeError has a way for a thread with no loop)
        guarded = any(k.arg == "loop" for k in call.keywords) or id(call) in guarded_calls(ctx)
        return None if guarded else LoopCall(
            site, callee, thread_asked=_thread_asked(ctx, scope, call))
    if callee in RUNNING_TASK_FUNCTIONS:  # (a loop given, or no loop handled: it may ask)
        guarded = call.args or call.keywords or id(call) in guarded_calls(ctx)
        return None if guarded else LoopCall(
            site, callee, thread_asked=_thread_asked(ctx, scope, call))
    if callee in kb.RUN_COROUTINE_THREADSAFE and len(call.args) == 2 \
            and isinstance(call.args[0], ast.Call) and (
                coro := ctx.callee(call.args[0], scope)) is not None:
        return LoopCall(site, HANDS_COROUTINE, values_of(ctx, call.args[1], scope),
                        _text(call.args[1]), (coro,))
    if callee in kb.NEW_EVENT_LOOP or callee in kb.ASYNCIO_RUN or callee in kb.ASYNCIO_RUNNER:
        return LoopCall(site, MAKES)
    if callee in kb.SET_EVENT_LOOP and call.args:
        return LoopCall(site, SETS, values_of(ctx, call.args[0], scope), _text(call.args[0]))
    if (run := _run_forever_handed(call)) is not None:
        return LoopCall(site, RUN_BY_THREAD, values_of(ctx, run.value, scope), _text(run.value))
    if not isinstance(call.func, ast.Attribute):
        return None
    method, receiver = call.func.attr, call.func.value
    if method in LOOP_RUNS:
        return LoopCall(site, RUNS)
    if method in PRIMITIVE_METHODS and _made_here_unshared(ctx, receiver, call, scope):
        return None
    if method in LOOP_METHODS or method in HANDOFFS or (
            method in PRIMITIVE_METHODS and (method != "set" or not (call.args or call.keywords))):
        handed = tuple(name for arg in call.args[_CALLABLE_AT.get(method, 0):][:1]
                       if method in HANDOFFS and (name := _callable(ctx, arg, scope)))
        asked = method in TOUCHES and _thread_asked(ctx, scope, call)
        return LoopCall(site, method, values_of(ctx, receiver, scope), _text(receiver), handed,
                        thread_asked=asked)
    return None


_CURRENT_THREAD = frozenset({"threading.current_thread", "threading.currentThread",
                             "threading.get_ident", "threading.get_native_id",
                             "_thread.get_ident"})


def _thread_asked(ctx: FileContext, scope: Scope, call: ast.Call) -> bool:
    """Is the call on the branch for one thread the function asks for: below ``if thread is
    threading.current_thread():`` (``==``, ``get_ident()``, a local set to one; the ``else``
    of ``is not``), or after ``if threading.current_thread() is not thread: return``? The
    author tells the loop's own thread from the others there."""
    for parent, field, _ in _path_to(scope.node, call):
        if isinstance(parent, ast.If) and field in ("body", "orelse") \
                and _compares_current_thread(ctx, scope, parent.test, field == "body"):
            return True
    return any(isinstance(stmt, ast.If) and not stmt.orelse
               and isinstance(stmt.body[-1], (ast.Return, ast.Raise))
               and _compares_current_thread(ctx, scope, stmt.test, False)
               for stmt in _statements_before(scope.node, call))


def _compares_current_thread(ctx: FileContext, scope: Scope, test: ast.expr, same: bool) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    ops = (ast.Is, ast.Eq) if same else (ast.IsNot, ast.NotEq)
    return isinstance(test.ops[0], ops) and any(
        _current_thread(ctx, scope, side, True) for side in (test.left, test.comparators[0]))


def _current_thread(ctx: FileContext, scope: Scope, expr: ast.expr, follow: bool) -> bool:
    """``threading.current_thread()``, ``threading.get_ident()``, their ``.ident``, or a local
    of the function only ever set to one."""
    if isinstance(expr, ast.Attribute) and expr.attr in ("ident", "native_id"):
        expr = expr.value
    if isinstance(expr, ast.Call):
        return ctx.callee(expr, scope) in _CURRENT_THREAD
    if not (follow and isinstance(expr, ast.Name)) or ctx.owner(expr.id, scope) is not scope:
        return False
    values = [value for node in walk_here(scope.node) if isinstance(node, ast.stmt)
              and (value := _assigned_value(node, expr.id)) is not None]
    return bool(values) and all(_current_thread(ctx, scope, v, False) for v in values)


def _made_here_unshared(ctx: FileContext, receiver: ast.expr, call: ast.Call,
                        scope: Scope) -> bool:
    """``future = asyncio.Future()`` (or ``loop.create_future()``, an ``Event()``) earlier in
    the same function, on every path to the call, and not handed to anyone before it (only
    set, or returned on another branch): nothing waits on it yet, so setting it wakes no loop
    (an already-done future a sync function returns)."""
    if not isinstance(receiver, ast.Name) or ctx.owner(receiver.id, scope) is not scope:
        return False
    for earlier in _statements_before(scope.node, call):
        made = _assigned_value(earlier, receiver.id)
        if made is not None:
            return _makes_waitable(ctx, made, scope)
        if _shares(earlier, receiver.id):
            return False
    return False


def _statements_before(root: ast.AST, target: ast.AST) -> Iterator[ast.stmt]:
    """The statements that run before the one holding ``target`` on its way from the start
    of ``root``'s body, nearest first (a ``try`` body before its ``else``; not the other
    branch of an ``if``)."""
    for parent, field, child in reversed(_path_to(root, target)):
        body = getattr(parent, field)
        yield from reversed(body[:body.index(child)])
        if isinstance(parent, ast.Try) and field in ("orelse", "finalbody"):
            yield from reversed(parent.body)


def _path_to(root: ast.AST, target: ast.AST) -> list[tuple[ast.AST, str, ast.stmt]]:
    """(node, field, statement) from ``root`` down to the statement that holds ``target``."""
    for field, value in ast.iter_fields(root):
        for child in value if isinstance(value, list) else ():
            if isinstance(child, ast.stmt) and not isinstance(child, NESTED) \
                    and any(n is target for n in ast.walk(child)):
                return [(root, field, child), *_path_to(child, target)]
    return []


def _assigned_value(stmt: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
        return stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
            and stmt.target.id == name and stmt.value is not None:
        return stmt.value
    return None


def _makes_waitable(ctx: FileContext, value: ast.expr, scope: Scope) -> bool:
    if not isinstance(value, ast.Call):
        return False
    made = ctx.callee(value, scope)
    return made in kb.ASYNCIO_FUTURES or made in kb.ASYNCIO_PRIMITIVES or (
        isinstance(value.func, ast.Attribute) and value.func.attr == "create_future")


def _shares(stmt: ast.stmt, name: str) -> bool:
    """Does the statement bind ``name`` again, or hand it on (anything but setting it, or
    returning it)?"""
    kept = {id(node.value) for node in ast.walk(stmt)
            if isinstance(node, ast.Return) or (isinstance(node, ast.Attribute)
                                                and node.attr in PRIMITIVE_METHODS)}
    return any(isinstance(node, ast.Name) and node.id == name and id(node) not in kept
               for node in ast.walk(stmt))


def _callable(ctx: FileContext, arg: ast.expr, scope: Scope) -> str | None:
    """The function a callable argument runs: ``f``, ``self.m``, ``partial(f, x)``."""
    while isinstance(arg, ast.Call) and ctx.callee(arg, scope) in kb.PARTIAL and arg.args:
        arg = arg.args[0]
    return ctx.resolve(arg, scope) if isinstance(arg, (ast.Name, ast.Attribute)) else None


def _run_forever_handed(call: ast.Call) -> ast.Attribute | None:
    """``loop.run_forever`` given to a call (a thread's target), not called."""
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Attribute) and arg.attr == "run_forever":
            return arg
    return None


def _text(expr: ast.expr) -> str:
    return ast.unparse(expr)
