"""Where a page's analysis spends its time. Each step of analyze_page adds its seconds here, in
the process that runs it (a pool worker); analyze_one hands the page's steps back beside its
facts, and the run sums them (manifest `analysis_ms`), so `make bench` prints milliseconds per
page for every step without a profiler. Steps are timed in CPU time (process_time), so that
the other processes on the machine (the crawl, the other workers) do not inflate them."""

from __future__ import annotations

import time

_clock = time.process_time   # CPU time: what a step costs, not what the other processes take

_SPENT: dict[str, float] = {}


class Laps:
    """Consecutive steps: lap(name) books the time since the previous lap (or the start) to
    name; skip() books it nowhere (a step that books its own parts)."""

    def __init__(self) -> None:
        self.t = _clock()

    def __call__(self, name: str) -> None:
        now = _clock()
        _SPENT[name] = _SPENT.get(name, 0.0) + now - self.t
        self.t = now

    def skip(self) -> None:
        self.t = _clock()


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

    def add(self, spent: dict[str, float] | None) -> None:
        """One page's steps (none for a page whose analysis failed)."""
        if spent:
            self.pages += 1
            for k, v in spent.items():
                self.ms[k] = self.ms.get(k, 0.0) + v

    def manifest(self) -> dict:
        return {"analysis_ms": {k: round(v, 1) for k, v in self.ms.items()},
                "analysis_ms_pages": self.pages}
