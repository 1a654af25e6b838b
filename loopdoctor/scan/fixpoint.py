"""The join's questions that depend on each other, each answered once, to a fixpoint.

What a value can be depends on what callers pass, which function a call runs depends on
what an attribute holds, and recursive code makes a question depend on itself. A question
asked again while it is being answered gets its answer from the previous pass (nothing, in
the first). The outermost question of such a cycle then answers again, with every guess
replaced by what the pass found, until every guess equals what its pass found; only then are
its answer and those of the questions that rested on it kept. So the answer is the complete
one (for answers that only grow as what they rest on grows), whatever order the questions
came in. A question nested too deeply is put off: answered first on its own, then the
outermost question that needed it is answered again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

_MAX_DEPTH = 24  # questions in progress at once
_MAX_PASSES = 16  # a cycle whose answers never settle keeps its last pass's
_NONE = 1 << 30  # rests on no question in progress
_PUT_OFF: Any = -1  # rests on a question put off: nothing above it is kept
_MISSING = object()

Compute = Callable[[], Any]


class Fixpoint:
    def __init__(self) -> None:
        self.final: dict[Hashable, Any] = {}
        self._pass: dict[Hashable, tuple[Any, Hashable]] = {}  # resting on a guess -> on what
        self._order: list[Hashable] = []  # the keys of ``_pass``, as they were found
        self._guess: dict[Hashable, Any] = {}  # the previous pass's answers
        self._guessed: list[tuple[Hashable, Any]] = []  # guesses used, with their empty
        self._active: dict[Hashable, int] = {}  # questions being answered -> their depth
        self._stack: list[Hashable] = []  # the same, outermost first
        self._deferred: dict[Hashable, tuple[Compute, Any]] = {}  # put off: nested too deeply
        self._settling: set[Hashable] = set()
        self._low = _NONE  # the shallowest question in progress the current one rests on

    def get(self, key: Hashable, compute: Compute, empty: Any) -> Any:
        found = self.final.get(key, _MISSING)
        if found is not _MISSING:
            return found
        if not self._active:
            return self._settle(key, compute, empty)
        entry = self._pass.get(key)
        if entry is not None:
            self._low = min(self._low, self._depth_of(entry[1]))
            return entry[0]
        depth = self._active.get(key)
        if depth is not None:
            self._guessed.append((key, empty))
            self._low = min(self._low, depth)
        elif len(self._active) < _MAX_DEPTH:
            return self._compute(key, compute)
        elif key not in self._settling:
            self._deferred[key] = (compute, empty)
            self._low = _PUT_OFF
        return self._guess.get(key, empty)

    def _compute(self, key: Hashable, compute: Compute) -> Any:
        depth = self._active[key] = len(self._active)
        self._stack.append(key)
        outer, marks = self._low, (len(self._order), len(self._guessed))
        try:
            for _ in range(_MAX_PASSES):
                self._low = _NONE
                found = compute()
                if self._low < depth or not self._again(key, found, marks):
                    break
        finally:
            del self._active[key]
            self._stack.pop()
        low = self._low
        if low < depth:
            self._pass[key] = (found, _PUT_OFF if low == _PUT_OFF else self._stack[low])
            self._order.append(key)
        else:
            self._keep(key, found, marks)
            low = _NONE
        self._low = min(outer, low)
        return found

    def _depth_of(self, anchor: Hashable) -> int:
        """How deep the question in progress is that an answer kept for this pass rests on
        (through the answers it rests on, when that question is done)."""
        while anchor is not _PUT_OFF and anchor not in self._active:
            anchor = self._pass[anchor][1]
        return _PUT_OFF if anchor is _PUT_OFF else self._active[anchor]

    def _again(self, key: Hashable, found: Any, marks: tuple[int, int]) -> bool:
        """The outermost question of a cycle: do its guesses differ from what the pass found?
        Then they become those answers, and the pass is made again."""
        order, guessed = marks
        answers = {k: self._pass[k][0] for k in self._order[order:]}
        answers[key] = found
        if all(self._guess.get(k, empty) == answers.get(k, empty)
               for k, empty in self._guessed[guessed:]):
            return False
        self._guess.update(answers)
        for k in self._order[order:]:
            del self._pass[k]
        del self._order[order:], self._guessed[guessed:]
        return True

    def _keep(self, key: Hashable, found: Any, marks: tuple[int, int]) -> None:
        """A question that rests on nothing still in progress, and the cycle it closes."""
        order, guessed = marks
        for k in self._order[order:]:
            self.final[k] = self._pass.pop(k)[0]
        del self._order[order:], self._guessed[guessed:]
        self.final[key] = found

    def _settle(self, key: Hashable, compute: Compute, empty: Any) -> Any:
        """An outermost question; the questions it put off are answered first, on their own."""
        todo = [(key, compute)]
        while todo:
            current, how = todo[-1]
            if current not in self.final:
                self._pass, self._order, self._guess, self._guessed = {}, [], {}, []
                self._deferred = {}
                self._compute(current, how)
            if current in self.final:
                self._settling.discard(todo.pop()[0])
                continue
            self._settling.add(current)
            todo += [(k, c) for k, (c, _) in self._deferred.items() if k not in self.final]
        return self.final[key]

class question:
    """A property (a dict) answered as a question of its owner's ``fixpoint``: like a
    ``cached_property``, but kept only once complete, even when first asked in the middle of
    another question."""

    def __init__(self, compute: Callable[[Any], dict]) -> None:
        self.compute = compute
        self.key = (compute.__qualname__,)
        self.__doc__ = compute.__doc__

    def __get__(self, owner: Any, kind: type | None = None) -> Any:
        if owner is None:
            return self
        return owner.fixpoint.get(self.key, lambda: self.compute(owner), {})
