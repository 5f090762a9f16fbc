"""Where a page's analysis spends its time. Each step of analyze_page adds its seconds here, in
the process that runs it (a pool worker); analyze_one hands the page's steps back with its
facts, and the run sums them (manifest `analysis_ms`), so `make bench` prints milliseconds per
page for every step without a profiler. Two perf_counter calls a step: nothing to notice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

KEY = "_analysis_ms"      # the page's steps, beside its facts until the run takes them out
_SPENT: dict[str, float] = {}


@contextmanager
def step(name: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        _SPENT[name] = _SPENT.get(name, 0.0) + time.perf_counter() - t


class Laps:
    """Consecutive steps: lap(name) books the time since the previous lap (or the start) to
    name; skip() books it nowhere (a step that books its own parts)."""

    def __init__(self) -> None:
        self.t = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        _SPENT[name] = _SPENT.get(name, 0.0) + now - self.t
        self.t = now

    def skip(self) -> None:
        self.t = time.perf_counter()


def taken() -> dict[str, float]:
    """The milliseconds spent since the last call, by step."""
    out = {k: round(v * 1000, 3) for k, v in _SPENT.items()}
    _SPENT.clear()
    return out


class Tally:
    """The run's sum of every page's steps."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}
        self.pages = 0

    def take(self, facts: dict) -> dict:
        """facts without its steps, which are added to the tally."""
        spent = facts.pop(KEY, None)
        if spent:
            self.pages += 1
            for k, v in spent.items():
                self.ms[k] = self.ms.get(k, 0.0) + v
        return facts

    def manifest(self) -> dict:
        return {"analysis_ms": {k: round(v, 1) for k, v in self.ms.items()},
                "analysis_ms_pages": self.pages}
