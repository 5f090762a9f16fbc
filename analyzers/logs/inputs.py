"""The inputs of a log reading: files (plain or gzip, told by their first bytes) and standard
input, cut into blocks of whole lines; a line past MAX_LINE is skipped without being held, a
gzip stream that breaks off keeps every line before the break."""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterator

BLOCK = 4 * 1024 * 1024     # bytes per block of lines a worker reads
MAX_LINE = 1024 * 1024      # a longer line is skipped (counted), never held whole
GZIP_MAGIC = b"\x1f\x8b"


class LogReadError(OSError):
    """An input that cannot be read at all (missing, a folder, unreadable)."""


class _Prefixed:
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n < 0:
                out, self.head = self.head + self.rest.read(), b""
                return out
            out, self.head = self.head[:n], self.head[n:]
            return out + (self.rest.read(n - len(out)) if len(out) < n else b"")
        return self.rest.read(n)


class Gunzip:
    """A gzip stream decompressed as it comes (several members, as logrotate and CDNs
    concatenate them), keeping every byte before a break: a truncated or damaged stream ends
    there with the reason in `broken`."""

    def __init__(self, raw):
        self.raw = raw
        self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.parts: list[bytes] = []
        self.size = 0
        self.done = False
        self.broken = ""
        self.started = False       # the current member has begun

    def read(self, n: int) -> bytes:
        """Up to n bytes; decompressed as needed, 16 MB at most at a time (a small gzip that
        inflates to gigabytes is read as a stream, never held)."""
        while self.size < n and not self.done:
            if self.z.unconsumed_tail:
                self._inflate(self.z.unconsumed_tail, n - self.size)
                continue
            data = self.raw.read(1 << 20)
            if not data:
                if not self.z.eof and self.started:
                    self.broken = "the gzip data ends before its end marker"
                self.done = True
                break
            self._inflate(data, n - self.size)
        joined = b"".join(self.parts) if len(self.parts) != 1 else self.parts[0]
        out, rest = joined[:n], joined[n:]
        self.parts, self.size = ([rest] if rest else []), len(rest)
        return out

    def _inflate(self, data: bytes, wanted: int) -> None:
        try:
            out = self.z.decompress(data, max(wanted, 1 << 16))
        except zlib.error as exc:
            self.broken = f"damaged gzip data ({exc})"
            self.done = True
            return
        self.started = True
        if out:
            self.parts.append(out)
            self.size += len(out)
        if self.z.eof:
            rest = self.z.unused_data           # the next member, if any
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self.started = False
            if rest.strip(b"\0"):
                self._inflate(rest, wanted)


def open_input(path: str):
    if path == "-":
        raw = sys.stdin.buffer
    else:
        if os.path.isdir(path):
            raise LogReadError(f"{path}: is a folder, not a log file")
        try:
            raw = open(path, "rb")   # noqa: SIM115 (closed by read_logs)
        except OSError as exc:
            raise LogReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    head = raw.read(2)
    stream = _Prefixed(head, raw)
    if head == GZIP_MAGIC:
        return raw, Gunzip(stream)
    return raw, stream


def blocks_of(stream, first: bytes, warn: list[str], name: str, counts: list[int]
            ) -> Iterator[bytes]:
    """Blocks of whole lines; a line past MAX_LINE is dropped (counted in counts[0]); a
    gzip stream that breaks off ends the input with a warning."""
    carry, skipping, block = b"", False, first
    while block:
        if skipping:
            cut = block.find(b"\n")
            if cut < 0:
                block = read_block_of(stream, warn, name)
                continue
            block, skipping = block[cut + 1:], False
        data = carry + block if carry else block
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
        else:
            yield data[:cut + 1]
            carry = data[cut + 1:]
        if len(carry) > MAX_LINE:
            counts[0] += 1
            carry, skipping = b"", True
        block = read_block_of(stream, warn, name)
    if carry and not skipping:
        yield carry


def read_block_of(stream, warn: list[str], name: str) -> bytes:
    try:
        block = stream.read(BLOCK)
    except OSError as exc:
        warn.append(f"{name}: reading stopped ({exc.strerror or exc}); the lines before "
                    "were read")
        return b""
    if not block and getattr(stream, "broken", ""):
        warn.append(f"{name}: {stream.broken}: the lines before the break were read")
        stream.broken = ""
    return block
