"""What a coroutine expression reaches, seen from the scope that builds it.

``asyncio.run(ask(client, q))``: the body of ``ask`` *runs* in the new loop, while
``client`` and ``q`` are *values* handed to it. A function that runs reaches everything its
body reaches; a value only matters when it is itself loop-bound shared state (a cached
client, ``self.client``, a module-level client, a client created once outside a loop).
"""

from __future__ import annotations

import ast

from loopdoctor.scan.context import FileContext, Scope, children
from loopdoctor.scan.model import ANY_METHOD, CoroRef, Param

_MAX_HOPS = 2  # local variables followed back to the call that made them


class _Collector:
    def __init__(self, ctx: FileContext, scope: Scope, loop: ast.AST | None, repeated: bool,
                 handed_again: frozenset[str]):
        self.ctx, self.scope, self.loop, self.repeated = ctx, scope, loop, repeated
        self.handed_again = handed_again
        self.runs: set[str] = set()
        self.values: set[str] = set()
        self.params: list[Param] = []
        self.shared: set[str] = set()
        self.annotated: set[str] = set()
        self.fresh: set[str] = set()

    def result(self) -> CoroRef:
        return CoroRef(frozenset(self.runs), frozenset(self.values), tuple(self.params),
                       frozenset(self.shared), frozenset(self.annotated),
                       frozenset(self.fresh))

    def run(self, node: ast.AST, hops: int = 0) -> None:
        """``node`` is the coroutine itself."""
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call):
            self._add(self.runs, self.ctx.callee(node, self.scope))
            self._called_param(node.func)
            self._closure_params(node.func)
            self._any_method(node.func)
            self._note_fresh_instance(node)
            if isinstance(node.func, ast.Attribute):
                self.value(node.func.value)  # the receiver: svc.ask(), self.client.get()
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self.value(arg)
        elif isinstance(node, ast.Name) and not self._local(node, hops, running=True):
            self._add(self.values, self.ctx.resolve(node, self.scope))
        else:
            self.value(node)

    def value(self, node: ast.AST) -> None:
        """``node`` is handed to the coroutine: only shared loop-bound objects matter."""
        pending = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, ast.Lambda):
                continue
            if isinstance(current, (ast.Name, ast.Attribute)):
                root = current
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name):
                    if not self._local(root, _MAX_HOPS, running=False) or root is not current:
                        self._add(self.values, self.ctx.resolve(current, self.scope))
                else:
                    self._add(self.values, self.ctx.resolve(current, self.scope))
                    pending.append(root)
                continue
            if isinstance(current, ast.Call):
                self._add(self.values, self.ctx.callee(current, self.scope))
                self._note_fresh_instance(current)
            pending.extend(children(current))

    def _local(self, name: ast.Name, hops: int, running: bool) -> bool:
        """Handle a parameter or local variable; False when the name is not local."""
        owner = self.ctx.owner(name.id, self.scope)
        if owner is None or name.id == owner.self_name:
            return False
        if name.id in owner.params and name.id not in owner.assigns:
            annotation = frozenset(self.ctx.annotation_names(owner.annotations[name.id], owner)
                                   if name.id in owner.annotations else ())
            self.params.append(Param(owner.qualname, owner.params.index(name.id), name.id,
                                     running, annotation))
            self.annotated.update(annotation)
            return True
        for made, made_in_loop in owner.assigns.get(name.id, []):
            if isinstance(made, ast.Await):
                made = made.value
            if not isinstance(made, ast.Call):
                continue  # only calls make clients and coroutines worth following
            ctor = self.ctx.callee(made, owner)
            outlives = (self.loop is not None and made_in_loop is not self.loop) \
                or self._handed_again(name, owner)
            if ctor and (outlives or (self.repeated and owner is not self.scope)):
                self.shared.add(ctor)  # one object, handed to code that runs repeatedly
            elif ctor and owner is self.scope:
                self.fresh.add(ctor)
            if running and hops < _MAX_HOPS:
                self.run(made, hops + 1)  # coro = self._ask(q); asyncio.run(coro)
            else:
                self._add(self.values, ctor)
        return True

    def _handed_again(self, name: ast.Name, owner: Scope) -> bool:
        """A local made once (one assignment) and handed to another call of the same function
        as well: ``runner = Runner()``, then ``run_group(runner, a)``, ``run_group(runner, b)``."""
        return owner is self.scope and name.id in self.handed_again \
            and len(owner.assigns.get(name.id, ())) == 1

    def _called_param(self, func: ast.expr) -> None:
        """``fn(*args)`` where ``fn`` is a parameter: the coroutine is what callers pass in (a
        decorator's wrapped function, a ``run_sync(fn)`` helper's argument)."""
        if not isinstance(func, ast.Name):
            return
        owner = self.ctx.owner(func.id, self.scope)
        if owner is not None and func.id in owner.params and func.id not in owner.assigns:
            self.params.append(Param(owner.qualname, owner.params.index(func.id), func.id,
                                     runs=True, called=True))

    def _any_method(self, func: ast.expr) -> None:
        """``attr = getattr(self._async, name)`` then ``attr(*args)`` (a ``__getattr__``
        facade): any coroutine method of that object may run."""
        if not isinstance(func, ast.Name):
            return
        owner = self.ctx.owner(func.id, self.scope)
        for made, _ in owner.assigns.get(func.id, []) if owner is not None else ():
            if isinstance(made, ast.Call) and isinstance(made.func, ast.Name) \
                    and made.func.id == "getattr" and len(made.args) >= 2 \
                    and not isinstance(made.args[1], ast.Constant) \
                    and (target := self.ctx.resolve(made.args[0], owner)) is not None:
                self._add(self.runs, f"{target}.{ANY_METHOD}")
                self._add(self.values, target)  # the receiver, as for ``svc.ask()``

    def _closure_params(self, func: ast.expr) -> None:
        """``asyncio.run(guarded())`` where ``async def guarded(): return await coro`` is
        nested in a function whose parameter ``coro`` is: the closure runs that parameter."""
        if not isinstance(func, ast.Name):
            return
        owner = self.ctx.owner(func.id, self.scope)
        qualname = owner.local_defs.get(func.id) if owner is not None else None
        nested = _scopes(self.ctx).get(qualname or "")
        if nested is None or nested.kind != "function":
            return
        for node in ast.walk(nested.node):
            name = node.value if isinstance(node, ast.Await) else \
                node.func if isinstance(node, ast.Call) else None
            if isinstance(name, ast.Name):
                holder = self.ctx.owner(name.id, nested)
                if holder is not None and holder is not nested and name.id in holder.params:
                    self.params.append(Param(holder.qualname, holder.params.index(name.id),
                                             name.id, runs=True,
                                             called=isinstance(node, ast.Call)))

    def _note_fresh_instance(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            cls = self.ctx.callee(func.value, self.scope)
            if cls is not None:
                self.fresh.add(cls)  # Service().ask(): a new instance, not shared state

    def _add(self, into: set[str], name: str | None) -> None:
        if name is not None and not self.ctx.is_external(name):
            into.add(name)


def _scopes(ctx: FileContext) -> dict[str, Scope]:
    found = ctx.memo.get("scopes")
    if found is None:
        found = ctx.memo["scopes"] = {scope.qualname: scope for scope in ctx.scopes}
    return found


def coro_ref(ctx: FileContext, expr: ast.AST, scope: Scope, loop: ast.AST | None,
             repeated: bool = False, handed_again: frozenset[str] = frozenset()) -> CoroRef:
    """``handed_again``: locals of ``scope`` that other calls of the same function get too."""
    collector = _Collector(ctx, scope, loop, repeated, handed_again)
    collector.run(expr)
    return collector.result()
