"""Which handlers receive which events.

Apps register handlers in their AppConfig.ready by importing their handlers module:

    @on("contact.*", "deal.stage_changed")
    def rescore(event: Event) -> None: ...

A handler is known by a stable name (module.qualname unless `name=` is given); the claimer
records per (event, handler name) what was done, so renaming a handler makes it run again for
events still in flight — pass the old name as `name=` to avoid that.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

HandlerFunc = Callable[[Any], None]


@dataclass(frozen=True)
class Handler:
    name: str
    patterns: tuple[str, ...]
    func: HandlerFunc

    def matches(self, kind: str) -> bool:
        return any(fnmatchcase(kind, pattern) for pattern in self.patterns)


def _qualified_name(func: HandlerFunc) -> str:
    return f"{func.__module__}.{func.__qualname__}"


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._by_kind: dict[str, tuple[Handler, ...]] = {}

    def on(self, *patterns: str, name: str | None = None) -> Callable[[HandlerFunc], HandlerFunc]:
        """Register the decorated function for events whose kind matches a glob pattern."""
        if not patterns:
            raise ValueError("on() needs at least one event kind pattern, e.g. 'contact.*'")

        def register(func: HandlerFunc) -> HandlerFunc:
            handler_name = name or _qualified_name(func)
            existing = self._handlers.get(handler_name)
            # Re-importing a module registers the same function again: that replaces it.
            if existing is not None and _qualified_name(existing.func) != _qualified_name(func):
                raise ValueError(f"two different handlers are registered as {handler_name!r}")
            self._handlers[handler_name] = Handler(handler_name, tuple(patterns), func)
            self._by_kind.clear()
            return func

        return register

    def unregister(self, name: str) -> None:
        self._handlers.pop(name, None)
        self._by_kind.clear()

    @contextmanager
    def isolated(self) -> Iterator["HandlerRegistry"]:
        """Start from no handlers and restore the registered ones afterwards (for tests)."""
        saved = self._handlers
        self._handlers = {}
        self._by_kind.clear()
        try:
            yield self
        finally:
            self._handlers = saved
            self._by_kind.clear()

    def handlers_for(self, kind: str) -> tuple[Handler, ...]:
        """The handlers an event of `kind` goes to, in registration order."""
        if kind not in self._by_kind:
            self._by_kind[kind] = tuple(h for h in self._handlers.values() if h.matches(kind))
        return self._by_kind[kind]


registry = HandlerRegistry()
on = registry.on
