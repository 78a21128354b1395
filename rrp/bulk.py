"""Put off derived work until a burst of writes is over.

A service that saves an incident and its children, or `seed_demo` writing a whole demo, would
otherwise have receivers rebuild what they derive (the trend pages' monthly counts) after every
single save. Inside `deferred()` a receiver hands its work to `later(key, callback)` instead; each
key's callback runs once when the outermost `deferred()` block ends without an error, still inside
the caller's transaction, so the derived rows commit or roll back with the writes. Thread-local:
one burst per request or command.
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager

_local = threading.local()


def active() -> bool:
    return getattr(_local, "depth", 0) > 0


def later(key: str, callback: Callable[[], None]) -> bool:
    """Run `callback` once when the burst ends; return False (and do nothing) outside a burst."""
    if not active():
        return False
    _local.pending.setdefault(key, callback)
    return True


@contextmanager
def deferred():
    """Collect `later()` work and run it at the end of the outermost block (usable as a decorator)."""
    outermost = not active()
    if outermost:
        _local.depth, _local.pending = 0, {}
    _local.depth += 1
    try:
        yield
    except BaseException:
        _local.depth -= 1
        if outermost:
            _local.pending = {}
        raise
    if outermost:
        # Still inside the burst while the callbacks run: their own writes may put off more work,
        # which runs here too, until nothing is left.
        try:
            while _local.pending:
                _key, callback = _local.pending.popitem()
                callback()
        finally:
            _local.pending = {}
            _local.depth -= 1
    else:
        _local.depth -= 1
