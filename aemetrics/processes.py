"""Starting child processes (the ingest's parse pool, the checker) without re-running the caller."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """Spawn and forkserver children re-import the caller's `__main__` (as `__mp_main__`, from its
    file or module name) before they run anything: a user's script without an
    `if __name__ == "__main__":` guard would run again in every child, run and all. Our children
    need nothing from it (their targets and arguments live in this package), so they are started
    while `__main__` names no module and no file: they import only what they unpickle."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__spec__", "__file__") if k in main.__dict__}
    main.__dict__["__spec__"] = None
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)
