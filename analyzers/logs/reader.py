"""Read access logs in flat memory: plain or gzip files and standard input, in blocks of whole
lines read by every core (a block's lines counted and timed, the few that name an AI crawler
read whole and verified), added up into one Tally of hits per (crawler, verdict, host, path).

Malformed lines are counted, never fatal; an input that is not a log at all raises
LogFormatError; a gzip file that ends early keeps what it held and says so.
"""

from __future__ import annotations

import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache

from aeo.analyzers.logs.formats import Format, LogFormatError, Request, sniff
from aeo.analyzers.logs.inputs import (  # noqa: F401 (BLOCK, LogReadError: the reading's API)
    BLOCK,
    Gunzip,
    LogReadError,
    blocks_of,
    open_input,
    read_block_of,
)
from aeo.analyzers.logs.verify import Verifier
from aeo.analyzers.workers import analysis_workers, forked_pool
from aeo.crawler.bots import Bot, known_bots

MAX_KEYS = 300_000          # distinct (crawler, verdict, host, path) kept; more are pooled
MAX_ADDRESSES = 200         # addresses kept per crawler among the spoofed ones
OTHER_PATHS = "(other paths)"


@cache
def _matcher() -> tuple[re.Pattern, dict[bytes, Bot]]:
    """The crawler table's user-agent tokens, longest first, lowercased."""
    bots = {b.token.lower().encode(): b for b in known_bots().values() if b.user_agent}
    pattern = b"|".join(re.escape(t) for t in sorted(bots, key=len, reverse=True))
    return re.compile(pattern), bots


def crawler_of(user_agent: str) -> Bot | None:
    """The table's crawler a user agent names (case aside), or None."""
    pattern, bots = _matcher()
    m = pattern.search(user_agent.lower().encode("utf-8", "replace"))
    return bots[m.group()] if m else None


MAX_DAYS = 200_000           # distinct (crawler, verdict, host, day) kept; more lose the host


@dataclass
class Tally:
    """What a reading found, added up; two tallies merge into one. Only GET requests (or
    lines that name no method) count as a crawler's fetches: a HEAD or OPTIONS answered 405
    keeps no crawler from a page."""

    lines: int = 0
    skipped: int = 0
    first: float | None = None
    last: float | None = None
    covered: set[int] = field(default_factory=set)     # the days (UTC) any line falls on
    # (crawler, verdict, host, path) -> [hits, first seen, last seen, {status: hits}, the
    # status of the last hit]
    hits: dict[tuple[str, str, str, str], list] = field(default_factory=dict)
    days: dict[tuple[str, str, str, int], int] = field(default_factory=dict)  # (.., host, day)
    spoofers: dict[str, dict[str, int]] = field(default_factory=dict)   # crawler -> address -> hits

    def see(self, when: float) -> None:
        if self.first is None or when < self.first:
            self.first = when
        if self.last is None or when > self.last:
            self.last = when

    def add(self, bot: Bot, verdict: str, req: Request) -> None:
        if req.method not in ("GET", ""):
            return
        status = req.status or 0
        self._row((bot.token, verdict, req.host, req.target[:2000]),
                  [1, req.when, req.when, {status: 1}, status])
        if req.when is not None:
            self._day((bot.token, verdict, req.host, int(req.when // 86400)), 1)
        if verdict == "no":
            seen = self.spoofers.setdefault(bot.token, {})
            if req.ip in seen or len(seen) < MAX_ADDRESSES:
                seen[req.ip] = seen.get(req.ip, 0) + 1

    def _row(self, key: tuple, new: list) -> None:
        row = self.hits.get(key)
        if row is None and len(self.hits) >= MAX_KEYS:     # past the cap: one pooled row
            key = (key[0], key[1], "", OTHER_PATHS)
            row = self.hits.get(key)
        if row is None:
            self.hits[key] = [new[0], new[1], new[2], dict(new[3]), new[4]]
            return
        row[0] += new[0]
        if new[1] is not None and (row[1] is None or new[1] < row[1]):
            row[1] = new[1]
        if new[2] is not None and (row[2] is None or new[2] >= row[2]):
            row[2], row[4] = new[2], new[4]
        for s, c in new[3].items():
            row[3][s] = row[3].get(s, 0) + c

    def _day(self, key: tuple, n: int) -> None:
        if key not in self.days and len(self.days) >= MAX_DAYS:
            key = (key[0], key[1], "", key[3])
        self.days[key] = self.days.get(key, 0) + n

    def merge(self, other: Tally) -> None:
        self.lines += other.lines
        self.skipped += other.skipped
        for when in (other.first, other.last):
            if when is not None:
                self.see(when)
        self.covered |= other.covered
        for key, row in other.hits.items():
            self._row(key, row)
        for key, n in other.days.items():
            self._day(key, n)
        for bot, seen in other.spoofers.items():
            mine = self.spoofers.setdefault(bot, {})
            for ip, n in seen.items():
                if ip in mine or len(mine) < MAX_ADDRESSES:
                    mine[ip] = mine.get(ip, 0) + n


@dataclass
class Reading:
    """Every input read: the tally, and what a person should know about the inputs."""

    files: list[str]
    tally: Tally
    formats: dict[str, str] = field(default_factory=dict)      # input -> its format
    warnings: list[str] = field(default_factory=list)


# -- one block of lines (in a worker) -------------------------------------------------------------
_FALLBACKS = (Format("combined"), Format("jsonl"))
_DIRECTIVES = re.compile(rb"(?m)^#(?:Fields|Date):[^\n]*")
_VERIFY: list[Verifier] = []      # the verifier the workers inherit


def read_block(fmt: Format, block: bytes, verify: Verifier) -> tuple[Tally, Format]:
    """The lines of one block: each counted and timed, the ones that name a crawler read
    whole. Returns the tally, and the format in effect at the block's end (W3C's #Fields)."""
    tally = Tally()
    named = _named_lines(block)
    pos = 0
    lo = hi = None
    day_start = -1.0e18
    when_of = fmt.when
    for line in block.split(b"\n"):
        at, pos = pos, pos + len(line) + 1
        if not line or line.isspace():
            continue
        if line[:1] == b"#":
            if fmt.name == "w3c" and line.startswith((b"#Fields:", b"#Date:")):
                fmt = fmt.with_fields(line.rstrip(b"\r"))
                when_of = fmt.when
            continue
        tally.lines += 1
        used = fmt
        when = when_of(line)
        if when is None:
            for other in _FALLBACKS:      # a line of another format in the same input
                if other.name != fmt.name and (when := other.when(line)) is not None:
                    used = other
                    break
            else:
                tally.skipped += 1
                continue
        if lo is None or when < lo:
            lo = when
        if hi is None or when > hi:
            hi = when
        if not day_start <= when < day_start + 86400:    # a new day: counted once
            day_start = when - when % 86400
            tally.covered.add(int(day_start // 86400))
        if at not in named:
            continue
        req = used.parse(line.rstrip(b"\r"))
        if req is None:
            tally.skipped += 1
            continue
        bot = crawler_of(req.user_agent)   # in the user agent, not in the path or referrer
        if bot is not None:
            tally.add(bot, verify(bot.operator, req.ip), req)
    tally.first, tally.last = lo, hi
    return tally, fmt


ANCHORS = (b"bot", b"-user", b"agent", b"spider")   # what most crawler names contain


@cache
def _anchored() -> dict[bytes, tuple[tuple[bytes, int], ...]]:
    """anchor -> the names that contain it, with where: a few byte searches of the block
    find every name (a name with no anchor is its own)."""
    groups: dict[bytes, list[tuple[bytes, int]]] = {}
    for token in _matcher()[1]:
        anchor = next((a for a in ANCHORS if a in token), token)
        groups.setdefault(anchor, []).append((token, token.index(anchor)))
    return {a: tuple(g) for a, g in groups.items()}


def _named_lines(block: bytes) -> set[int]:
    """Where the lines that name a crawler start, from byte searches of the lowercased block
    (faster than one pattern of every name, or a search per line)."""
    low = block.lower()
    starts = set()
    for anchor, names in _anchored().items():
        i = low.find(anchor)
        while i >= 0:
            for token, offset in names:
                at = i - offset
                if at >= 0 and low.startswith(token, at):
                    starts.add(low.rfind(b"\n", 0, i) + 1)
                    break
            i = low.find(anchor, i + 1)
    return starts


def _work(task: tuple[Format, bytes]) -> tuple[Tally, Format]:
    return read_block(task[0], task[1], _VERIFY[0])


def read_logs(paths: list[str], fmt: str = "auto",
              json_keys: tuple[tuple[str, str], ...] = (), verifier: Verifier | None = None,
              workers: int | None = None, progress=None) -> Reading:
    """Read every input into one Reading. progress(bytes_read, lines) is called now and then.
    Raises LogReadError or LogFormatError (one line each) for an input that is no log."""
    verify = verifier or Verifier()
    reading = Reading(files=[("(standard input)" if p == "-" else p) for p in paths],
                      tally=Tally())
    workers = workers or analysis_workers()
    pool = None
    try:
        for path in paths:
            name = "standard input" if path == "-" else path
            raw, stream = open_input(path)
            try:
                if isinstance(stream, Gunzip):
                    first = stream.read(BLOCK)
                    if not first and stream.broken:
                        raise LogFormatError(f"{name}: not a readable log ({stream.broken})")
                else:
                    first = read_block_of(stream, reading.warnings, name)
                fmt_now = sniff(first[:1 << 20], name, fmt, json_keys) if first else None
                if fmt_now is None:
                    reading.warnings.append(f"{name}: empty")
                    continue
                reading.formats[name] = _label(fmt_now)
                counts = [0]
                blocks = blocks_of(stream, first, reading.warnings, name, counts)
                if pool is None and workers > 1 and len(first) >= BLOCK:
                    pool = _pool(verify, workers)
                if pool is None:
                    for block in blocks:
                        tally, fmt_now = read_block(fmt_now, block, verify)
                        reading.tally.merge(tally)
                        if progress:
                            progress(len(block), reading.tally.lines)
                else:
                    _read_parallel(pool, workers, blocks, fmt_now, reading, progress)
                reading.tally.lines += counts[0]
                reading.tally.skipped += counts[0]
            finally:
                if raw is not sys.stdin.buffer:
                    raw.close()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return reading


def _label(fmt: Format) -> str:
    if fmt.name == "w3c":
        return "W3C extended" + (" (tab-separated)" if fmt.separator == "\t" else "")
    if fmt.name == "jsonl":
        return "JSON lines"
    return f"NCSA {fmt.name}" + (" with virtual host" if fmt.vhost else "")


def _pool(verify: Verifier, workers: int) -> ProcessPoolExecutor:
    _VERIFY[:] = [verify]           # what the forked workers verify with
    return forked_pool(workers)


def _read_parallel(pool, workers: int, blocks: Iterator[bytes], fmt: Format,
                   reading: Reading, progress) -> None:
    """Blocks to the workers, at most two each in flight (memory stays flat whatever the
    input's size), tallies merged as they come back. A W3C block's #Fields directives travel
    with the next block."""
    waiting: deque = deque()
    for block in blocks:
        waiting.append((pool.submit(_work, (fmt, block)), len(block)))
        if fmt.name == "w3c" and (b"#Fields:" in block or b"#Date:" in block):
            for directive in _DIRECTIVES.finditer(block):     # at the start of a line only
                fmt = fmt.with_fields(directive.group().rstrip(b"\r"))
        while len(waiting) >= workers * 2:
            _take(waiting, reading, progress)
    while waiting:
        _take(waiting, reading, progress)


def _take(waiting: deque, reading: Reading, progress) -> None:
    future, size = waiting.popleft()
    tally, _ = future.result()
    reading.tally.merge(tally)
    if progress:
        progress(size, reading.tally.lines)


class Progress:
    """'reading logs: 1.2 GB, 4,500,000 lines' on a terminal, every second or so."""

    def __init__(self, quiet: bool):
        self.on = not quiet and sys.stderr.isatty()
        self.bytes = 0
        self.shown = 0.0

    def __call__(self, size: int, lines: int) -> None:
        self.bytes += size
        now = time.monotonic()
        if self.on and now - self.shown > 1:
            self.shown = now
            sys.stderr.write(f"\rreading logs: {self.bytes / 1e6:,.0f} MB, {lines:,} lines")
            sys.stderr.flush()

    def done(self, lines: int) -> None:
        if self.on and self.shown:
            sys.stderr.write(f"\rreading logs: {self.bytes / 1e6:,.0f} MB, {lines:,} lines\n")
