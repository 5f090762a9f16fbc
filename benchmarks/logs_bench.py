"""make bench-logs: generate an access log of a realistic mix (browsers, search engines, AI
crawlers from their published ranges and spoofed ones, a few malformed lines), read it with
`aeo logs`, and print lines per second and peak memory. BENCH_LOG_MB sets its size (default
2048), BENCH_LOG_GZIP=1 gzips it, BENCH_KEEP=1 keeps it."""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
PATHS = ["/", "/pricing", "/blog/", "/docs/getting-started", "/about", "/contact",
         "/static/app.css", "/static/app.js", "/images/logo.png", "/favicon.ico"] + \
    [f"/blog/post-{i}" for i in range(400)] + [f"/docs/page-{i}" for i in range(300)]


def _crawler_lines():
    """(address, user agent) of the table's crawlers: in their ranges when shipped, and
    spoofed ones from a consumer network."""
    from aeo.analyzers.logs.verify import active
    from aeo.crawler.bots import known_bots

    data = active()
    out = []
    for b in known_bots().values():
        if not b.user_agent:
            continue
        nets = [n for n in data.networks.get(b.operator, []) if n.version == 4]
        real = str(nets[0].network_address + 1) if nets else "203.0.113.7"
        out.append((real, b.user_agent, 6))
        out.append(("198.51.100.23", b.user_agent, 1))      # a spoofer
    return out


def generate(path: Path, megabytes: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    crawlers = _crawler_lines()
    weighted = [(ip, ua) for ip, ua, w in crawlers for _ in range(w)]
    t = 1_790_000_000
    lines = 0
    target = megabytes * 1024 * 1024
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        while written < target:
            buf = []
            for _ in range(20000):
                t += rnd.random() * 0.6
                stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t))
                r = rnd.random()
                if r < 0.03:
                    ip, ua = rnd.choice(weighted)
                elif r < 0.0302:
                    buf.append("\x00\x01 not a log line \xff\n")
                    continue
                else:
                    ip, ua = f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}", rnd.choice(BROWSERS)
                status = 200 if rnd.random() < 0.93 else rnd.choice((301, 304, 404, 500, 503))
                buf.append(f'{ip} - - [{stamp}] "GET {rnd.choice(PATHS)} HTTP/1.1" {status} '
                           f'{rnd.randrange(200, 90000)} "https://www.example.com/" "{ua}"\n')
            chunk = "".join(buf)
            fh.write(chunk)
            written += len(chunk.encode())
            lines += len(buf)
    return lines


def main() -> int:
    megabytes = int(os.environ.get("BENCH_LOG_MB") or 2048)
    folder = Path(tempfile.mkdtemp(prefix="aeo-bench-logs-"))
    log = folder / "access.log"
    try:
        t0 = time.monotonic()
        lines = generate(log, megabytes)
        print(f"generated {log.stat().st_size / 1e6:,.0f} MB, {lines:,} lines in "
              f"{time.monotonic() - t0:.0f} s", file=sys.stderr)
        if os.environ.get("BENCH_LOG_GZIP") == "1":
            subprocess.run(["gzip", "-1", str(log)], check=True)
            log = log.with_suffix(".log.gz")
        aeo = Path(sys.executable).with_name("aeo")
        t0 = time.monotonic()
        subprocess.run([str(aeo), "logs", str(log), "--out", str(folder / "out"), "--quiet"],
                       check=True)
        seconds = time.monotonic() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"read {lines:,} lines in {seconds:.1f} s: {lines / seconds:,.0f} lines/s, "
              f"peak memory {peak:.0f} MB (the largest process)")
        print(f"bench-logs lines={lines} seconds={seconds:.1f} lines_per_s={lines / seconds:.0f} "
              f"peak_rss_mb={peak:.0f}")
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
