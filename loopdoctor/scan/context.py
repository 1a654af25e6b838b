"""One iterative pass over a module's AST that indexes what the rules ask about.

Nothing here recurses over the tree: a 2,000-long unary chain parses fine and must not
overflow a visitor. ``FileContext`` holds scopes (module, classes, functions, lambdas),
every call with its scope and innermost loop, and a name resolver that follows imports.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.model import KeyKind, Site

CASTS = frozenset({"typing.cast", "typing_extensions.cast"})


@dataclass(eq=False)
class Scope:
    kind: str  # "module", "class", "function", "lambda"
    node: ast.AST
    qualname: str
    parent: Scope | None
    cls: str | None = None  # for a method: the qualname of its class
    is_async: bool = False
    params: list[str] = field(default_factory=list)  # positional ones first, then keyword-only
    positional: int = 0  # how many of ``params`` a call may pass by position
    annotations: dict[str, ast.expr] = field(default_factory=dict)
    locals: set[str] = field(default_factory=set)
    local_defs: dict[str, str] = field(default_factory=dict)  # nested def/class name -> qualname
    imports: dict[str, str] = field(default_factory=dict)
    assigns: dict[str, list[tuple[ast.expr, ast.AST | None]]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)
    repeated: bool = False  # a lambda defined in a loop or mapped over an iterable
    static: bool = False
    stars: list[str] = field(default_factory=list)  # ``from m import *`` at module level: m

    # Both read fields fixed when the scope is made; the resolver asks them at every scope it
    # passes: worked out once.
    @cached_property
    def is_function(self) -> bool:
        return self.kind in ("function", "lambda")

    @cached_property
    def self_name(self) -> str | None:
        """``self``/``cls`` of a method: its first parameter."""
        if self.cls and self.kind == "function" and self.positional and not self.static:
            return self.params[0]
        return None


@dataclass(frozen=True)
class CallAt:
    node: ast.Call
    scope: Scope
    loop: ast.AST | None  # innermost for/while/comprehension around it, within its scope


@dataclass(frozen=True)
class Use:
    node: ast.expr  # a Name or the outermost Attribute of a dotted chain
    scope: Scope


class FileContext:
    """The indexes of one module. Built once; rules read it."""

    def __init__(self, tree: ast.Module, source_lines: list[str], module: str, path: str,
                 renames: dict[str, str] | None = None):
        self.tree = tree
        self.lines = source_lines
        self.module = module
        self.path = path
        self.renames = renames or {}  # top-level names named apart (``naming.apart``)
        self.module_scope = Scope("module", tree, module, None)
        self.scopes: list[Scope] = [self.module_scope]
        self.scope_of: dict[int, Scope] = {}  # id(def/lambda/class node) -> its scope
        self.calls: list[CallAt] = []
        self.uses: list[Use] = []
        self.subscripts: list[tuple[ast.Subscript, Scope]] = []
        self.compares: list[tuple[ast.Compare, Scope]] = []
        self.dict_keys: list[tuple[ast.expr, Scope]] = []
        self.returns: list[tuple[ast.Return, Scope]] = []
        self.tries: list[tuple[ast.Try, Scope]] = []
        self.attr_stores: list[tuple[ast.Attribute, ast.expr | None, Scope]] = []
        self.subscript_stores: list[tuple[ast.Subscript, ast.expr | None, Scope]] = []
        self.global_stores: list[tuple[ast.Name, ast.expr | None, Scope]] = []
        self.top_assigns: list[tuple[ast.expr, ast.expr | None, Scope]] = []  # module/class level
        self.annotations: list[tuple[ast.expr, ast.expr, Scope]] = []  # x: T, self.x: T
        self.awaits: list[tuple[ast.Await, Scope]] = []
        self.async_withs: list[tuple[ast.AsyncWith, Scope]] = []
        self.ifs: list[tuple[ast.If, Scope]] = []  # in functions
        self._callees: dict[tuple[int, int], str | None] = {}
        self._resolved: dict[tuple[int, int], tuple[ast.AST, str | None]] = {}
        self._typing: set[tuple[str, int]] = set()
        self._annotation_names: dict[tuple[int, int], tuple[ast.expr, frozenset[str]]] = {}
        self.memo: dict[str, dict | set] = {}  # what later passes compute once per file
        self.has_main_guard = False
        self._fallback_imports: set[int] = set()  # imports under ``except ImportError:``
        self._index()

    # -- the walk -----------------------------------------------------------------------

    def _index(self) -> None:
        handlers = self._handlers()
        stack: list[tuple[ast.AST, Scope, ast.AST | None, bool]] = [
            (stmt, self.module_scope, None, False) for stmt in reversed(self.tree.body)
        ]
        pop, push, handler_of = stack.pop, stack.extend, handlers.get
        while stack:
            node, scope, loop, main_guard = pop()
            handler = handler_of(type(node))
            if handler is None:
                push([(c, scope, loop, main_guard) for c in reversed(children(node))])
            elif found := handler(node, scope, loop, main_guard):
                push(reversed(found))

    def _handlers(self) -> dict[type, Callable]:
        def record(into: list):
            def handle(node, scope, loop, main_guard):
                into.append((node, scope))
                return [(c, scope, loop, main_guard) for c in children(node)]
            return handle

        def leaf(action):
            def handle(node, scope, loop, main_guard):
                action(node, scope)
                return []
            return handle

        def looping(node, scope, loop, main_guard):
            return [(c, scope, node, main_guard) for c in children(node)]

        return {
            ast.FunctionDef: self._enter_function, ast.AsyncFunctionDef: self._enter_function,
            ast.Lambda: self._enter_function, ast.ClassDef: self._enter_class,
            ast.Import: leaf(self._record_import), ast.ImportFrom: leaf(self._record_import),
            ast.Global: leaf(lambda node, scope: scope.globals_.update(node.names)),
            ast.Name: self._on_name,
            ast.Attribute: self._record_chain,
            ast.Assign: self._on_assign, ast.AnnAssign: self._on_assign,
            ast.AugAssign: self._on_assign,
            ast.With: self._on_with, ast.AsyncWith: self._on_with,
            ast.If: self._on_if,
            ast.For: self._on_for, ast.AsyncFor: self._on_for,
            ast.While: looping, ast.ListComp: looping, ast.SetComp: looping,
            ast.GeneratorExp: looping, ast.DictComp: looping,
            ast.Call: self._on_call,
            ast.Subscript: record(self.subscripts), ast.Compare: record(self.compares),
            ast.Return: record(self.returns), ast.Try: record(self.tries),
            ast.Await: record(self.awaits),
            ast.Dict: self._on_dict,
            ast.ExceptHandler: self._on_except,
            ast.NamedExpr: self._on_named_expr,
        }

    @staticmethod
    def _generic(node, scope, loop, main_guard):
        return [(c, scope, loop, main_guard) for c in children(node)]

    def _on_assign(self, node, scope, loop, main_guard):
        self._record_assign(node, scope, loop, main_guard)
        return self._generic(node, scope, loop, main_guard)

    def _on_with(self, node, scope, loop, main_guard):
        if isinstance(node, ast.AsyncWith):
            self.async_withs.append((node, scope))
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name):
                scope.assigns.setdefault(item.optional_vars.id, []).append(
                    (item.context_expr, loop))
        return self._generic(node, scope, loop, main_guard)

    def _on_if(self, node, scope, loop, main_guard):
        if scope.is_function:
            self.ifs.append((node, scope))
        if scope.kind == "module" and _is_main_guard(node.test):
            self.has_main_guard = True
            return [(node.test, scope, loop, main_guard)] + [
                (n, scope, loop, True) for n in [*node.body, *node.orelse]]
        return self._generic(node, scope, loop, main_guard)

    @staticmethod
    def _on_for(node, scope, loop, main_guard):
        return [(node.iter, scope, loop, main_guard)] + [
            (n, scope, node, main_guard) for n in [node.target, *node.body, *node.orelse]]

    def _on_call(self, node, scope, loop, main_guard):
        self.calls.append(CallAt(node, scope, loop))
        return self._generic(node, scope, loop, main_guard)

    def _on_dict(self, node, scope, loop, main_guard):
        self.dict_keys.extend((k, scope) for k in node.keys if k is not None)
        return self._generic(node, scope, loop, main_guard)

    def _on_except(self, node, scope, loop, main_guard):
        if node.name:
            scope.locals.add(node.name)
        self._fallback_imports.update(
            id(n) for stmt in node.body for n in ast.walk(stmt)
            if isinstance(n, (ast.Import, ast.ImportFrom)))
        return self._generic(node, scope, loop, main_guard)

    def _on_named_expr(self, node, scope, loop, main_guard):
        scope.assigns.setdefault(node.target.id, []).append((node.value, loop))
        return self._generic(node, scope, loop, main_guard)

    def _enter_function(self, node, scope, loop, main_guard):
        is_lambda = isinstance(node, ast.Lambda)
        if is_lambda:
            qualname = f"{_prefix(scope)}<lambda:{node.lineno}:{node.col_offset}>"
        else:
            qualname = f"{_prefix(scope)}{node.name}"
            self._define(scope, node.name, qualname)
        args = node.args
        all_args = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        inner = Scope(
            "lambda" if is_lambda else "function", node, qualname, scope,
            cls=scope.qualname if scope.kind == "class" else None,
            is_async=isinstance(node, ast.AsyncFunctionDef) or _generator_coroutine(node),
            params=[a.arg for a in all_args],
            positional=len(args.posonlyargs) + len(args.args),
            annotations={a.arg: a.annotation for a in all_args if a.annotation is not None},
            repeated=is_lambda and loop is not None,
            static=not is_lambda and any(
                isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list),
        )
        inner.locals.update(a.arg for a in all_args)
        inner.locals.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
        self._add_scope(inner, node)
        outside = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        if not is_lambda:
            outside += [*node.decorator_list, *inner.annotations.values()]
            if node.returns is not None:
                outside.append(node.returns)
        body = [node.body] if is_lambda else node.body
        return [(n, scope, loop, main_guard) for n in outside] + [
            (n, inner, None, False) for n in body]

    def _enter_class(self, node, scope, loop, main_guard):
        qualname = f"{_prefix(scope)}{node.name}"
        self._define(scope, node.name, qualname)
        inner = Scope("class", node, qualname, scope)
        self._add_scope(inner, node)
        outside = [*node.bases, *node.decorator_list, *(k.value for k in node.keywords)]
        return [(n, scope, loop, main_guard) for n in outside] + [
            (n, inner, None, main_guard) for n in node.body]

    def _add_scope(self, scope: Scope, node: ast.AST) -> None:
        self.scopes.append(scope)
        self.scope_of[id(node)] = scope

    @staticmethod
    def _define(scope: Scope, name: str, qualname: str) -> None:
        scope.locals.add(name)
        scope.local_defs[name] = qualname

    def _record_import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        """A name imported again in an ``except`` handler (``try: import asyncio except
        ImportError: import trollius as asyncio``) keeps what the ``try`` body imported: the
        fallback is for interpreters the code no longer runs on."""
        record = scope.imports.setdefault if id(node) in self._fallback_imports \
            else scope.imports.__setitem__
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                record(alias.asname or top, self._renamed(alias.name if alias.asname else top))
            return
        base = self._absolute_module(node)
        for alias in node.names:
            if alias.name != "*":
                record(alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name)
            elif base and scope.kind == "module":
                scope.stars.append(base)

    def _absolute_module(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return self._renamed(node.module or "")
        package = self.module.split(".")
        is_package = self.path.endswith("__init__.py")
        keep = len(package) - node.level + (1 if is_package else 0)
        parts = package[:max(keep, 0)]
        if node.module:
            parts.append(node.module)
        return ".".join(parts)

    def _renamed(self, name: str) -> str:
        """An absolute module name as this file's import root names it (``naming.apart``)."""
        if not self.renames:
            return name
        top, dot, rest = name.partition(".")
        found = self.renames.get(top)
        return f"{found}{dot}{rest}" if found else name

    def _record_assign(self, node, scope, loop, main_guard) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if isinstance(node, ast.AnnAssign) and not main_guard:
            self.annotations.append((node.target, node.annotation, scope))
        value = node.value if not isinstance(node, ast.AugAssign) else None
        for target in targets:
            for leaf, part in _unpack(target, value):
                self._record_target(leaf, part, scope, loop, main_guard)

    def _record_target(self, target, value, scope, loop, main_guard) -> None:
        if isinstance(target, ast.Name):
            if scope.kind in ("module", "class") and not main_guard:
                self.top_assigns.append((target, value, scope))
            if target.id in scope.globals_:
                self.global_stores.append((target, value, scope))
            elif value is not None:
                scope.assigns.setdefault(target.id, []).append((value, loop))
        elif isinstance(target, ast.Attribute):
            self.attr_stores.append((target, value, scope))
        elif isinstance(target, ast.Subscript):
            self.subscript_stores.append((target, value, scope))

    def _record_chain(self, node: ast.Attribute, scope, loop, main_guard):
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(node.ctx, ast.Load):
            self.uses.append(Use(node, scope))
        if isinstance(root, ast.Name):
            return []
        return [(root, scope, loop, main_guard)]

    def _on_name(self, node: ast.Name, scope: Scope, loop, main_guard) -> tuple[()]:
        if isinstance(node.ctx, ast.Load):
            self.uses.append(Use(node, scope))
        elif node.id not in scope.globals_:
            scope.locals.add(node.id)
        return ()

    # -- resolution ---------------------------------------------------------------------

    def resolve(self, expr: ast.AST, scope: Scope) -> str | None:
        """The dotted qualified name an expression refers to, or None (a local, unknown).
        ``get_client().chat`` is the factory's result's ``chat``: ``mod.get_client.chat``.
        (Asked again and again by the passes over a built index: answered once. A cycle
        of locals resolves to None from wherever it is entered, so cutting one is safe.)"""
        key = (id(expr), id(scope))
        known = self._resolved.get(key)
        if known is not None and known[0] is expr:  # the node itself: ids of freed ones recur
            return known[1]
        found = self._resolve(expr, scope)
        self._resolved[key] = (expr, found)
        return found

    def _resolve(self, expr: ast.AST, scope: Scope) -> str | None:
        if type(expr) is ast.Name:  # most uses: no chain to unwind
            return self.resolve_name(expr.id, scope)
        attrs: list[str] = []
        after_call = False
        while len(attrs) <= _MAX_NAME_PARTS:
            if isinstance(expr, ast.Attribute):
                attrs.append(expr.attr)
                expr, after_call = expr.value, False
            elif isinstance(expr, ast.Call) and attrs and not after_call:
                expr, after_call = expr.func, True
            else:
                break
        if not isinstance(expr, ast.Name) or len(attrs) > _MAX_NAME_PARTS:
            return None  # a generated ``f().g().g()...`` chain names nothing worth following
        if expr.id == "super" and after_call and attrs:
            base = self._super(scope)  # super().m: the base class's m (the join walks the MRO)
        else:
            base = self.resolve_name(expr.id, scope, typed_locals=bool(attrs))
        if base is None:
            return None
        return ".".join([base, *reversed(attrs)])

    def _super(self, scope: Scope) -> str | None:
        current: Scope | None = scope
        while current is not None and current.cls is None:
            current = current.parent if current.is_function else None
        cls = current.parent if current is not None else None  # a method's scope is in its class
        bases = cls.node.bases if cls is not None and cls.kind == "class" else []
        return self.resolve(bases[0], cls.parent) if bases else None

    def resolve_name(self, name: str, scope: Scope, typed_locals: bool = False) -> str | None:
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if current.is_function and name == current.self_name:
                return current.cls
            if name in current.imports:
                return current.imports[name]
            if name in current.local_defs:
                return current.local_defs[name]
            if current.kind == "module":
                return f"{self.module}.{name}" if name in current.locals or (
                    current.stars and _star_imported(name)) else name
            if current.kind == "class" and name in current.locals:
                return f"{current.qualname}.{name}"
            if name in current.locals:
                return self._local_type(name, current) if typed_locals else None
            current = current.parent
            first = False
        return name

    def _local_type(self, name: str, scope: Scope) -> str | None:
        """``svc = Service()`` or ``svc: Service``; ``svc.ask`` -> ``mod.Service.ask``; and
        ``adapter = self``, which the closures of a method use as its ``self``."""
        values = scope.assigns.get(name, [])
        if not values and name in scope.annotations:
            types = self.annotation_names(scope.annotations[name], scope.parent or scope)
            return next(iter(types)) if len(types) == 1 else None
        key = (name, id(scope))
        value = values[0][0] if len(values) == 1 else None
        if not isinstance(value, (ast.Call, ast.Name)) or key in self._typing:
            return None  # ambiguous, neither a call nor a name, or circular (``x = x.next()``)
        self._typing.add(key)
        try:
            if isinstance(value, ast.Name):
                return self.resolve_name(value.id, scope, typed_locals=True)
            return self.resolve(value.func, scope)
        finally:
            self._typing.discard(key)

    def called_object(self, call: ast.Call, scope: Scope) -> str | None:
        """``model(x)`` where the local ``model`` is declared a ``T`` (a parameter annotated
        ``T``, or narrowed last by ``model = cast(T, model)``): ``T.__call__``. A local with
        no declared type (``f = make(); f()``) says nothing here."""
        func = call.func
        owner = self.owner(func.id, scope) if isinstance(func, ast.Name) else None
        if owner is None:
            return None
        before = [v for v, _ in owner.assigns.get(func.id, [])
                  if getattr(v, "lineno", 0) < call.lineno]
        if before:
            last = before[-1]
            if not (isinstance(last, ast.Call) and last.args
                    and self.callee(last, owner) in CASTS):
                return None
            types = self.annotation_names(last.args[0], owner)
        elif func.id in owner.annotations and not owner.assigns.get(func.id):
            types = self.annotation_names(owner.annotations[func.id], owner.parent or owner)
        else:
            return None
        return f"{next(iter(types))}.__call__" if len(types) == 1 else None

    def callee(self, call: ast.Call, scope: Scope) -> str | None:
        key = (id(call), id(scope))
        if key not in self._callees:
            self._callees[key] = self.resolve(call.func, scope)
        return self._callees[key]

    def owner(self, name: str, scope: Scope) -> Scope | None:
        """The function scope where a local name lives (itself or an enclosing function)."""
        current: Scope | None = scope
        while current is not None and current.is_function:
            if name in current.locals or name in current.params:
                return current
            current = current.parent
        return None

    # -- helpers the rules share --------------------------------------------------------

    def site(self, node: ast.AST, scope: Scope) -> Site:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", line) or line
        col = self._chars(line, getattr(node, "col_offset", 0))
        end_col = self._chars(end_line, getattr(node, "end_col_offset", 0) or 0)
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return Site(line, col, end_line, end_col, scope.qualname, text)

    def _chars(self, line: int, byte_offset: int) -> int:
        """The AST counts UTF-8 bytes; editors and SARIF count characters."""
        if not 0 < line <= len(self.lines) or self.lines[line - 1].isascii():
            return byte_offset
        return len(self.lines[line - 1].encode()[:byte_offset].decode(errors="ignore"))

    def is_loop_expr(self, expr: ast.AST, scope: Scope, depth: int = 0) -> bool:
        """Is this the event loop object: get_running_loop(), ``loop``, ``self._loop``?"""
        if isinstance(expr, ast.Call):
            name = self.callee(expr, scope)
            return name in kb.RUNNING_LOOP_GETTERS or name in kb.NEW_EVENT_LOOP
        if isinstance(expr, ast.Attribute):
            return _loopish(expr.attr)
        if isinstance(expr, ast.Name):
            if _loopish(expr.id):
                return True
            if depth < 2:
                return any(self.is_loop_expr(v, scope, depth + 1)
                           for v, _ in scope.assigns.get(expr.id, []))
        return False

    def key_kind(self, key: ast.AST, scope: Scope) -> KeyKind:
        """How a cache key involves the loop: ``id(loop)``, the loop object, or not at all."""
        if self.id_loop_calls(key, scope):
            return KeyKind.ID_LOOP
        pending: list[tuple[ast.AST, int]] = [(key, 0)]
        while pending:
            node, depth = pending.pop()
            if self.is_loop_expr(node, scope):
                return KeyKind.LOOP
            if isinstance(node, ast.Name) and depth < 2:
                pending.extend((v, depth + 1) for v, _ in scope.assigns.get(node.id, []))
            pending.extend((child, depth) for child in ast.iter_child_nodes(node))
        return KeyKind.OTHER

    def id_loop_calls(self, expr: ast.AST, scope: Scope, depth: int = 0) -> list[ast.Call]:
        """``id(loop)`` calls inside an expression, following locals it is built from."""
        found: list[ast.Call] = []
        pending: list[tuple[ast.AST, int]] = [(expr, depth)]
        while pending:
            node, level = pending.pop()
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "id" and len(node.args) == 1
                    and self.is_loop_expr(node.args[0], scope)):
                found.append(node)
                continue
            if isinstance(node, ast.Name) and level < 2:
                pending.extend((v, level + 1) for v, _ in scope.assigns.get(node.id, []))
            pending.extend((child, level) for child in ast.iter_child_nodes(node))
        return found

    def only_from_python(self, node: ast.AST, scope: Scope, version: tuple[int, int]) -> bool:
        """Does this node run only on Python ``version`` or later: in the body of
        ``if sys.version_info >= (3, 10):`` (or the ``else`` of ``< (3, 10)``) of its scope?"""
        line = getattr(node, "lineno", 0)
        for if_node, if_scope in self.ifs:
            if if_scope is not scope:
                continue
            gate = self._version_gate(if_node.test, scope)
            if gate is None:
                continue
            since, newer_first = gate
            branch = if_node.body if newer_first else if_node.orelse
            if since >= version and _spans(branch, line):
                return True
        return False

    def _version_gate(self, test: ast.expr, scope: Scope) -> tuple[tuple[int, int], bool] | None:
        """``sys.version_info >= (3, N)`` -> ((3, N), True); ``< (3, N)`` -> ((3, N), False)."""
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1
                and self.resolve(test.left, scope) == "sys.version_info"
                and isinstance(test.comparators[0], ast.Tuple)):
            return None
        parts = [e.value for e in test.comparators[0].elts[:2] if isinstance(e, ast.Constant)]
        if len(parts) != 2 or not all(isinstance(p, int) for p in parts):
            return None
        op, (major, minor) = test.ops[0], parts
        if isinstance(op, ast.GtE):
            return (major, minor), True
        if isinstance(op, ast.Gt):
            return (major, minor + 1), True
        if isinstance(op, ast.Lt):
            return (major, minor), False
        if isinstance(op, ast.LtE):
            return (major, minor + 1), False
        return None

    def assigned_calls(self, name: str, scope: Scope) -> list[ast.Call]:
        return [v for v, _ in scope.assigns.get(name, []) if isinstance(v, ast.Call)]

    def value_ctors(self, expr: ast.AST | None, scope: Scope) -> frozenset[str]:
        """What constructed the value of an expression: ``C()``, ``await C()``, a local."""
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            name = self.callee(expr, scope)
            return frozenset({name} if name else ())
        if isinstance(expr, ast.Name):
            return frozenset(n for c in self.assigned_calls(expr.id, scope)
                             if (n := self.callee(c, scope)))
        return frozenset()

    def annotation_names(self, annotation: ast.expr | None, scope: Scope) -> frozenset[str]:
        """``AsyncOpenAI``, ``AsyncOpenAI | None``, ``Optional[AsyncOpenAI]`` -> the type;
        ``Callable[[], AsyncOpenAI]`` and ``type[AsyncOpenAI]`` hold a maker, not one.
        (Asked again by several passes, and a string annotation is parsed: answered once.)"""
        if annotation is None:
            return frozenset()
        key = (id(annotation), id(scope))
        known = self._annotation_names.get(key)
        if known is None or known[0] is not annotation:
            known = self._annotation_names[key] = (annotation,
                                                   self._annotated_names(annotation, scope))
        return known[1]

    def _annotated_names(self, annotation: ast.expr, scope: Scope) -> frozenset[str]:
        found: set[str] = set()
        pending = [annotation]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.BinOp):
                pending += [node.left, node.right]
            elif isinstance(node, ast.Subscript):
                if self.resolve(node.value, scope) not in _MAKERS:
                    pending.append(node.slice)
            elif isinstance(node, ast.Tuple):
                pending += node.elts
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                with contextlib.suppress(SyntaxError, ValueError, MemoryError, RecursionError):
                    pending.append(ast.parse(node.value, mode="eval").body)
            elif (name := self.resolve(node, scope)) is not None:
                found.add(name)
        return frozenset(found)

    def is_external(self, name: str) -> bool:
        """Builtins and the standard library: nothing the project defines or can cache."""
        root, dot, _ = name.partition(".")
        return not dot or (root in _STDLIB and root != self._top_package)

    @cached_property
    def _top_package(self) -> str:
        return self.module.split(".")[0]

    def functions(self) -> Iterator[Scope]:
        return (s for s in self.scopes if s.is_function)


def _spans(statements: list[ast.stmt], line: int) -> bool:
    return bool(statements) and statements[0].lineno <= line <= (
        statements[-1].end_lineno or statements[-1].lineno)


_STDLIB = frozenset(sys.stdlib_module_names)
_BUILTINS = frozenset(dir(builtins))
_MAX_NAME_PARTS = 16
_MAKERS = frozenset({"typing.Callable", "collections.abc.Callable", "typing.Type", "type"})
_SKIP = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop, ast.Constant,
         ast.Pass, ast.Break, ast.Continue)


def _star_imported(name: str) -> bool:
    """A name this module's ``from m import *`` may bring, named as a class or a constant
    (``Speaker``, ``PROVIDERS``): the join's aliases follow it to the module that defines it.
    A module's name (``asyncio``, ``web``: lower case by convention) keeps resolving as an
    absolute import, since this file's facts test it against known APIs before the join can
    follow the star."""
    return name[:1].isupper() and name not in _BUILTINS


_NOT_NODES = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "names", "module", "level",
                        "kind", "type_comment", "simple", "is_async", "conversion", "asname"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` without contexts, operators and constants (nothing to see)."""
    fields = _FIELDS.get(type(node))
    if fields is None:
        fields = _FIELDS[type(node)] = () if isinstance(node, ast.Constant) else tuple(
            f for f in node._fields if f not in _NOT_NODES)
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            out += [v for v in value if _KEEP[type(v)]]
        elif _KEEP[type(value)]:
            out.append(value)
    return out


class _Kept(dict):
    """Per type of a field's value: is it a node ``children`` gives (an ``ast.AST``, none of
    ``_SKIP``)? Worked out on a type's first value: ``isinstance`` reads the type alone."""

    def __missing__(self, kind: type) -> bool:
        keep = self[kind] = issubclass(kind, ast.AST) and not issubclass(kind, _SKIP)
        return keep


_KEEP = _Kept()


def method_name(call: ast.Call) -> str | None:
    """``m`` of a call ``x.m(...)``; None for a plain name."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def is_name(node: ast.AST, name: str) -> bool:
    """The bare name ``name``."""
    return isinstance(node, ast.Name) and node.id == name


def argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument given at ``position``, or else as ``keyword=``; None when neither is."""
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def catches(handler: ast.ExceptHandler, *errors: str) -> bool:
    """``except E`` or ``except (E, ...)`` for one of ``errors``, by name."""
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in errors for n in names)


def catches_runtime_error(handler: ast.ExceptHandler) -> bool:
    """``except RuntimeError`` (what "no running loop" raises), or broader."""
    return handler.type is None or catches(handler, "RuntimeError", "Exception", "BaseException")


def _prefix(scope: Scope) -> str:
    if scope.kind in ("module", "class"):
        return f"{scope.qualname}."
    return f"{scope.qualname}.<locals>."


def _loopish(name: str) -> bool:
    verbs = ("get_", "_get_", "new_", "set_", "run_", "close_", "is_")
    return name in ("loop", "_loop", "event_loop") or (
        name.endswith("_loop") and not name.startswith(verbs))


def _unpack(target: ast.expr, value: ast.expr | None) -> list[tuple[ast.expr, ast.expr | None]]:
    """Each assigned name with the part of the value it gets: ``a, (b, c) = v`` gives ``a`` the
    expression ``v[0]`` and ``c`` the expression ``v[1][1]`` (made up, located at ``v``)."""
    out: list[tuple[ast.expr, ast.expr | None]] = []
    pending: list[tuple[ast.expr, ast.expr | None]] = [(target, value)]
    while pending:
        item, part = pending.pop()
        if isinstance(item, (ast.Tuple, ast.List)):
            starred = any(isinstance(e, ast.Starred) for e in item.elts)
            pending.extend((e, None if starred or part is None else _element(part, i))
                           for i, e in enumerate(item.elts))
        elif isinstance(item, ast.Starred):
            pending.append((item.value, None))
        else:
            out.append((item, part))
    return out


def _element(value: ast.expr, index: int) -> ast.expr:
    if isinstance(value, (ast.Tuple, ast.List)) and index < len(value.elts):
        return value.elts[index]
    element = ast.Subscript(value=value, slice=ast.Constant(index), ctx=ast.Load())
    return ast.copy_location(element, value)


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__" and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _generator_coroutine(node: ast.AST) -> bool:
    """``@asyncio.coroutine`` / ``@types.coroutine`` over a generator (Python 3.10 and older):
    a coroutine function a loop runs, as ``async def`` is."""
    return isinstance(node, ast.FunctionDef) and any(
        (isinstance(d, ast.Attribute) and d.attr == "coroutine"
         and isinstance(d.value, ast.Name) and d.value.id in ("asyncio", "types"))
        or (isinstance(d, ast.Name) and d.id == "coroutine")
        for d in node.decorator_list)
