"""What the crawl has claimed and counted, in one place, so that several crawler processes can
share it.

A URL is *claimed* by the one process that will fetch it (or record why not); counters hold the
crawl's budgets (pages scheduled, query variants per path, sitemaps read) and its tallies.
`LocalFrontier` keeps all of that in this process; `RedisFrontier` (crawler/distributed.py)
keeps it in Redis, where SADD and INCR make each claim and each count atomic across processes.
"""

from __future__ import annotations

from collections import Counter


class LocalFrontier:
    def __init__(self) -> None:
        self._claimed: set[str] = set()
        self._counts: Counter[str] = Counter()
        self._flags: set[str] = set()
        self._traps: dict[str, dict] = {}

    # -- claims ----------------------------------------------------------------------------
    def seen(self, key: str) -> bool:
        return key in self._claimed

    def claim(self, key: str) -> bool:
        """True for the first caller only."""
        if key in self._claimed:
            return False
        self._claimed.add(key)
        return True

    def release(self, key: str) -> None:
        self._claimed.discard(key)

    # -- counters and flags -------------------------------------------------------------------
    def incr(self, name: str, by: int = 1) -> int:
        self._counts[name] += by
        return self._counts[name]

    def count(self, name: str) -> int:
        return self._counts[name]

    def flag(self, name: str) -> bool:
        """Set a flag; True when it was not set before."""
        if name in self._flags:
            return False
        self._flags.add(name)
        return True

    # -- traps ------------------------------------------------------------------------------
    def trap(self, pattern: str, kind: str, example: str) -> None:
        trap = self._traps.setdefault(pattern, {"kind": kind, "example": example,
                                                "truncated": 0})
        trap["truncated"] += 1

    def traps(self) -> dict[str, dict]:
        return self._traps
