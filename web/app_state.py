"""What a web process builds on first use and shares between its threads: clients, the hit sender."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_building = threading.Lock()


def shared(state: dict[str, Any], key: str, build: Callable[[], T]) -> T:
    """Return `state[key]`, built on first use, and built once when threads ask at the same time."""
    if key in state:
        return state[key]  # type: ignore[no-any-return]
    with _building:
        if key not in state:
            state[key] = build()
        return state[key]  # type: ignore[no-any-return]
