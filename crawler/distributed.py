"""One crawl run by several crawler processes, on one machine or many, through Redis.

scrapy-redis gives the shared scheduler: every process pushes the requests it finds into one
Redis priority queue and pops its next request from it. On top of that, one Redis key space per
run (``aeo:<run>:*``) holds:

- the frontier (`RedisFrontier`): URL claims (SADD, so exactly one process asks for a URL),
  the budgets (pages, query variants per path, sitemaps) and traps;
- the run's settings and its robots.txt, which the *leader* (the process that made the run
  folder) reads first and publishes before any page is asked for; a process that joins takes
  both from Redis, so every process obeys the same robots.txt without fetching it again;
- the records of the processes that join (`RecordSink`): each fetched document and event is
  pushed to a Redis list, which the leader drains into the run's own database, so the run store
  stays one SQLite file on the leader's machine and the others need nothing but Redis;
- the end of the crawl (`Coordinator`): every push to and pop from the queue counts one
  *activity*; an idle process records the activity count it saw; the crawl is over when every
  process is idle at the current count and the queue is empty, checked in one Lua script, so
  no request can be in flight anywhere at that moment.

Requests travel through Redis pickled, as scrapy-redis does: the Redis server must be one only
the crawler processes can write to (bind it to a private address or give it a password).
"""

from __future__ import annotations

import json
import os
import socket
import time
import zlib
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from aeo.facts.events import stored
from aeo.facts.records import Fetch

ACTIVE = "aeo:active"     # set of run keys being crawled
# the leader renews a key this often (seconds to live); the others stop when it lapses
LEADER_TTL = float(os.environ.get("AEO_REDIS_LEADER_TTL") or 30)


class DistributedError(Exception):
    """Redis cannot be used for this crawl: one line for a person."""


def masked(url: str) -> str:
    """The Redis URL as it may be shown: without its password."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.netloc.rsplit("@", 1)[-1]
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
    return url


def connect(url: str):
    import redis

    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        server.ping()
    except ValueError as exc:
        raise DistributedError(f"not a Redis URL: {masked(url)!r} ({exc})") from None
    except redis.exceptions.RedisError as exc:
        raise DistributedError(f"cannot reach Redis at {masked(url)}: {exc}") from None
    return server


def run_key(run_id: str) -> str:
    return f"aeo:{run_id}:"


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- the shared frontier ----------------------------------------------------------------------
class RedisFrontier:
    """LocalFrontier's interface over Redis. Positive answers are cached: a claim never goes
    away but through release(), which this process makes itself."""

    def __init__(self, server, key: str):
        self.r = server
        self.k = key
        self._known: set[str] = set()

    def seen(self, key: str) -> bool:
        if key in self._known:
            return True
        if self.r.sismember(self.k + "claimed", key):
            self._known.add(key)
            return True
        return False

    def claim(self, key: str) -> bool:
        if key in self._known:
            return False
        self._known.add(key)
        return self.r.sadd(self.k + "claimed", key) == 1

    def release(self, key: str) -> None:
        self._known.discard(key)
        self.r.srem(self.k + "claimed", key)

    def incr(self, name: str, by: int = 1) -> int:
        return int(self.r.hincrby(self.k + "counts", name, by))

    def count(self, name: str) -> int:
        return int(self.r.hget(self.k + "counts", name) or 0)

    def flag(self, name: str) -> bool:
        return self.r.sadd(self.k + "flags", name) == 1

    def flags(self) -> set[str]:
        return {f.decode() for f in self.r.smembers(self.k + "flags")}

    def trap(self, pattern: str, kind: str, example: str) -> None:
        pipe = self.r.pipeline()
        pipe.hsetnx(self.k + "traps", pattern, json.dumps({"kind": kind, "example": example}))
        pipe.hincrby(self.k + "trap_counts", pattern, 1)
        pipe.execute()

    def traps(self) -> dict[str, dict]:
        counts = self.r.hgetall(self.k + "trap_counts")
        return {p.decode(): {**json.loads(v), "truncated": int(counts.get(p, 0))}
                for p, v in self.r.hgetall(self.k + "traps").items()}


# -- the records of joined processes ------------------------------------------------------------
def _encode(kind: str, data: dict, body: bytes | None = None) -> bytes:
    head = json.dumps({"t": kind, **data}).encode()
    return head + b"\n" + (zlib.compress(body, 6) if body is not None else b"")


class RecordSink:
    """The run store as a joined process sees it: what it fetched and found goes to Redis."""

    def __init__(self, server, key: str):
        self.r = server
        self.k = key + "records"

    def add_fetch(self, f: Fetch) -> None:
        data = asdict(f)
        body = data.pop("body")
        data["has_body"] = body is not None
        self.r.rpush(self.k, _encode("fetch", data, body))

    def add_event(self, kind: str, url: str | None, **detail: Any) -> None:
        self.r.rpush(self.k, _encode("event", {"kind": kind, "url": url, "detail": stored(detail)}))

    def add_sitemap_url(self, url: str, sitemap: str) -> None:
        self.r.rpush(self.k, _encode("sitemap_url", {"url": url, "sitemap": sitemap}))

    def commit(self) -> None:
        pass      # every record is pushed as it comes


def drain(server, key: str, db, batch: int = 500) -> int:
    """Move the joined processes' records into the run database; how many were moved."""
    moved = 0
    while True:
        items = server.lpop(key + "records", batch)
        if not items:
            return moved
        for raw in items:
            head, _, body = raw.partition(b"\n")
            data = json.loads(head)
            kind = data.pop("t")
            if kind == "fetch":
                has_body = data.pop("has_body")
                db.add_fetch(Fetch(**data, body=zlib.decompress(body) if has_body else None))
            elif kind == "event":
                db.add_event(data["kind"], data["url"], **data["detail"])
            else:
                db.add_sitemap_url(data["url"], data["sitemap"])
            moved += 1


# -- the end of the crawl ---------------------------------------------------------------------
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
  redis.call('INCR', KEYS[2])
end
return r
"""

_IDLE = """
local act = redis.call('GET', KEYS[1]) or '0'
redis.call('HSET', KEYS[4], ARGV[1], act)
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, m in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HGET', KEYS[4], m) ~= act then return 0 end
end
redis.call('SET', KEYS[5], '1')
return 1
"""


class SharedQueue(PriorityQueue):
    """scrapy-redis's priority queue, each push and pop counting one activity atomically."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.activity = self.key.removesuffix("requests") + "activity"
        self._pop = server.register_script(_POP)

    def push(self, request):
        pipe = self.server.pipeline()   # MULTI/EXEC
        pipe.execute_command("ZADD", self.key, -request.priority, self._encode_request(request))
        pipe.incr(self.activity)
        pipe.execute()

    def pop(self, timeout=0):
        found = self._pop(keys=[self.key, self.activity])
        return self._decode_request(found[0]) if found else None


class SharedScheduler(Scheduler):
    """The Redis scheduler, kept when one process closes: the others still use it."""

    def close(self, reason):
        pass


class Coordinator:
    """Membership and the end of the crawl."""

    def __init__(self, server, key: str, leader: bool, name: str | None = None):
        self.r = server
        self.k = key
        self.leader = leader
        self.name = name or process_name()
        self._idle = server.register_script(_IDLE)

    def register(self) -> None:
        self.r.sadd(self.k + "members", self.name)

    def deregister(self) -> None:
        pipe = self.r.pipeline()
        pipe.srem(self.k + "members", self.name)
        pipe.hdel(self.k + "idle", self.name)
        pipe.execute()

    def beat(self) -> None:
        """(leader) Still here."""
        self.r.set(self.k + "leader", self.name, px=int(LEADER_TTL * 1000))

    def leader_alive(self) -> bool:
        return bool(self.r.exists(self.k + "leader"))

    def members(self) -> int:
        return int(self.r.scard(self.k + "members"))

    def idle_everywhere(self) -> bool:
        """Record this process as idle; True when every process is, and the queue is empty."""
        keys = [self.k + "activity", self.k + "requests", self.k + "members", self.k + "idle",
                self.k + "done"]
        return bool(self._idle(keys=keys, args=[self.name]))

    def done(self) -> bool:
        return bool(self.r.exists(self.k + "done"))

    def finish(self) -> None:
        self.r.set(self.k + "done", "1")

    # -- what the leader publishes ------------------------------------------------------
    def publish_config(self, config: dict, run_dir: str) -> None:
        self.beat()
        pipe = self.r.pipeline()
        pipe.set(self.k + "config", json.dumps({"config": config, "run": run_dir}))
        pipe.sadd(ACTIVE, self.k)
        pipe.execute()

    def config(self) -> dict | None:
        raw = self.r.get(self.k + "config")
        return json.loads(raw) if raw else None

    def publish_robots(self, status: int | None, body: bytes, content_type: str) -> None:
        self.r.set(self.k + "robots", _encode("robots", {"status": status,
                                                         "content_type": content_type}, body))

    def robots(self) -> tuple[int | None, bytes, str] | None:
        raw = self.r.get(self.k + "robots")
        if raw is None:
            return None
        head, _, body = raw.partition(b"\n")
        data = json.loads(head)
        return data["status"], zlib.decompress(body), data["content_type"]

    def wait_for_robots(self, timeout: float) -> tuple[int | None, bytes, str] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            robots = self.robots()
            if robots is not None or self.done() or not self.leader_alive():
                return robots
            time.sleep(0.2)
        return None

    def cleanup(self) -> None:
        keys = list(self.r.scan_iter(match=self.k.replace("[", "\\[") + "*", count=500))
        pipe = self.r.pipeline()
        if keys:
            pipe.delete(*keys)
        pipe.srem(ACTIVE, self.k)
        pipe.execute()


def active_runs(server) -> list[str]:
    return sorted(k.decode() for k in server.smembers(ACTIVE))


def redis_settings(url: str, key: str) -> dict:
    """Scrapy settings that put the scheduler in Redis."""
    return {
        "SCHEDULER": "aeo.crawler.distributed.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "aeo.crawler.distributed.SharedQueue",
        "SCHEDULER_QUEUE_KEY": key + "requests",
        "SCHEDULER_DUPEFILTER_KEY": key + "dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
    }
