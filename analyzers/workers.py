"""The analysis worker processes: a pool forked before the crawl starts its threads, each
worker with a time and a memory budget per page, and the helper that analyzes pages while the
crawl goes on (Alongside). A page's analysis is a pure function of one stored page
(analyze_one), so any pool that can read the run folder can run it."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import NamedTuple

from aeo.analyzers import costs
from aeo.durable import utc_now
from aeo.facts.records import FACTS_VERSION, Fetch, PageFacts
from aeo.store import Run

_WORKER: dict = {}


def analysis_workers() -> int:
    return min(os.cpu_count() or 1, 4)


def forked_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked now from this process as it is (what they share is set up
    before the call), with SIGTERM at its default while they fork (a crawl's handler,
    Scrapy's graceful stop, inherited through fork would leave a worker that cannot be ended)
    and Ctrl-C left to the parent. A fork pool starts every worker at its first task."""
    try:
        previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:   # not the main thread: the handlers are not ours to change
        previous = None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_ignore_ctrl_c)
        pool.submit(os.getpid).result()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return pool


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def analysis_pool(start_url: str, workers: int) -> ProcessPoolExecutor:
    """Worker processes for page analysis, each with the page budgets (_init_pool_worker)."""
    memory_mb = int(os.environ.get("AEO_PAGE_MEMORY_MB") or 2048)
    return ProcessPoolExecutor(workers, initializer=_init_pool_worker,
                               initargs=(start_url, memory_mb))


class WorkersKeepDying(RuntimeError):
    """The analysis workers die on page after page: the machine, not a page, is the cause."""


class RecoveringPool:
    """The workers of a stored run's analysis, which outlive the death of one (a crash in a
    library's C code, the system's out-of-memory killer): the pages of the batch not yet back
    are analysed again one at a time in one worker. A page whose worker dies is tried once
    more in a new one; if that one dies too, the page fails alone (WORKER_DIED) and no other
    page is lost. When DEATHS_IN_A_ROW pages in a row fail so, the cause is not the pages:
    WorkersKeepDying. died counts the workers lost."""

    DEATHS_IN_A_ROW = 3

    def __init__(self, start_url: str, workers: int):
        self.start_url, self.workers, self.died = start_url, workers, 0
        self.pool = analysis_pool(start_url, workers)

    def map(self, batch: list[Fetch], chunksize: int = 16) -> Iterator[Analyzed]:
        back = 0
        try:
            for done in self.pool.map(analyze_one, batch, chunksize=chunksize):
                back += 1
                yield done
            return
        except BrokenProcessPool:
            self.died += 1
            self.pool.shutdown(wait=True, cancel_futures=True)
        single, in_a_row = analysis_pool(self.start_url, 1), 0
        try:
            for fetch in batch[back:]:
                for _attempt in (1, 2):
                    try:
                        done = single.submit(analyze_one, fetch).result()
                        in_a_row = 0
                        break
                    except BrokenProcessPool:
                        self.died += 1
                        single.shutdown(wait=True, cancel_futures=True)
                        single = analysis_pool(self.start_url, 1)
                else:
                    in_a_row += 1
                    if in_a_row >= self.DEATHS_IN_A_ROW:
                        raise WorkersKeepDying(f"{in_a_row} pages in a row, each tried twice")
                    done = _failed(fetch, WORKER_DIED)
                yield done
        finally:
            single.shutdown(wait=True, cancel_futures=True)
        self.pool = analysis_pool(self.start_url, self.workers)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


WORKER_DIED = "analysis_failed: the process analysing this page died (killed, or a crash in a library)"


def _ready(_: int) -> int:
    return os.getpid()


class Alongside:
    """The page analysis, run while the crawl goes on. The worker processes are forked before
    the crawl starts its threads; a reader thread with its own database connection hands each
    committed page to them; their facts come back through a queue and are written by the
    crawl's own thread (take(), twice a second), so the run database keeps a single writer.
    When the crawl ends, finish() analyzes what is left. If anything goes wrong here, the run
    is analyzed afterwards as usual (analyze())."""

    BATCH = 64

    def __init__(self, run: Run, start_url: str, workers: int | None = None):
        import queue
        import threading

        self.run = run
        self.workers = workers or analysis_workers()
        self.pool = analysis_pool(start_url, self.workers)
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.crawl_over = threading.Event()
        self.failed: BaseException | None = None
        try:
            list(self.pool.map(_ready, range(self.workers)))   # fork now, before any thread
        except BrokenProcessPool as exc:   # a worker killed at once: analysed after the crawl
            self.failed = exc
        self.count = 0
        self.tally = costs.Tally()
        self.started = time.monotonic()
        self.seconds = self.tail = 0.0
        self.thread = threading.Thread(target=self._feed, name="analysis", daemon=True)
        self.thread.start()

    def _feed(self) -> None:
        if self.failed is not None:
            return
        try:
            with self.run.page_reader() as pages_after:
                last = 0
                while True:
                    over = self.crawl_over.is_set()
                    batch = pages_after(last, self.BATCH * self.workers)
                    if not batch:
                        if over:
                            return
                        time.sleep(0.2)
                        continue
                    last = batch[-1][0]
                    for done in self.pool.map(analyze_one, [f for _, f in batch],
                                              chunksize=8):
                        self.results.put(done)
        except BaseException as exc:  # noqa: BLE001 (the run is analyzed afterwards instead)
            self.failed = exc

    def take(self, db) -> None:
        """Write the facts that are ready (in the crawl's thread)."""
        while not self.results.empty():
            keep(db, self.tally, self.results.get())
            self.count += 1

    def finish(self, db, quiet: bool) -> None:
        crawl_ended = time.monotonic()
        db.commit()
        self.crawl_over.set()
        while self.thread.is_alive():
            self.thread.join(timeout=0.5)
            self.take(db)
            if not quiet and sys.stderr.isatty():
                sys.stderr.write(f"\ranalyze: {self.count} pages")
                sys.stderr.flush()
        self.take(db)
        db.commit()
        self.seconds = time.monotonic() - self.started
        self.tail = time.monotonic() - crawl_ended
        if not quiet and sys.stderr.isatty():
            sys.stderr.write("\n")
        if self.failed is None:
            self.run.update_manifest(analyzed=utc_now(), pages_analyzed=self.count,
                                     facts_version=FACTS_VERSION,
                                     analyzed_alongside=True,
                                     analysis_seconds=round(self.seconds, 2),
                                     analysis_after_crawl_seconds=round(self.tail, 2),
                                     **self.tally.manifest())

    def close(self) -> None:
        self.crawl_over.set()
        self.pool.shutdown(wait=True, cancel_futures=True)


def init_worker(start_url: str) -> None:
    from aeo.crawler.scope import Scope

    _WORKER["scope"] = Scope.from_url(start_url)
    _WORKER["start"] = start_url


def _die_with_parent() -> None:
    """A worker whose audit is killed (kill -9) goes with it instead of waiting forever for
    work (Linux: the parent-death signal)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:   # the parent died before the signal was set
        os._exit(1)


def _init_pool_worker(start_url: str, memory_mb: int) -> None:
    """A pool worker: the page budget in memory is its address space now (the model it
    shares with the parent included) plus memory_mb; a page that needs more gets a
    MemoryError, recorded as that page's analysis failure."""
    import resource
    import signal

    # Ctrl-C in a terminal reaches the whole process group: the parent stops the run and
    # says so in one line; a worker that took it too would print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    init_worker(start_url)
    try:
        with open("/proc/self/statm") as fh:
            now = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = now + memory_mb * 1024 * 1024
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):
        pass   # no /proc: no memory budget, the time budget still holds


class PageBudgetExceeded(BaseException):   # not caught by the analyzers' own "except Exception"
    pass


def _over_budget(signum, frame):
    raise PageBudgetExceeded()


class Analyzed(NamedTuple):
    """One page's analysis as it leaves the worker: its facts already as the JSON the run
    database stores (encoded here, in the worker, not by the process that writes them; a
    string also crosses the pipe for a fraction of a nested dict's cost), and the
    milliseconds of each step (none when the analysis failed)."""

    url: str
    facts_json: str
    ms: dict[str, float] | None


def analyze_one(fetch: Fetch) -> Analyzed:
    """One page's facts, within a time budget (AEO_PAGE_SECONDS, default 60): a page that
    takes longer is recorded as analysis_timed_out and the others go on."""
    import signal

    from aeo.analyzers.page import analyze_page

    budget = float(os.environ.get("AEO_PAGE_SECONDS") or 60)
    previous = signal.signal(signal.SIGALRM, _over_budget)
    signal.setitimer(signal.ITIMER_REAL, budget)
    costs.taken()   # what an earlier page left unbooked is not this page's
    try:
        # encoded within the budget: a page whose facts cannot be written fails alone
        done = Analyzed(fetch.url, json.dumps(
            analyze_page(fetch, _WORKER["scope"], _WORKER["start"]).to_dict()), costs.taken())
    except PageBudgetExceeded:
        done = _failed(fetch, f"analysis_timed_out: over {budget:g} s")
    except (Exception, MemoryError) as exc:  # one hostile page must not stop the others
        done = _failed(fetch, f"analysis_failed: {type(exc).__name__}: {exc}"[:300])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return done


def keep(db, tally: costs.Tally, done: Analyzed) -> None:
    """Write one page's facts to the run database and add its steps to the run's tally."""
    tally.add(done.ms)
    db.put_facts_json(done.url, done.facts_json)


def _failed(fetch: Fetch, why: str) -> Analyzed:
    facts = PageFacts(url=fetch.url, status=fetch.status, content_type=fetch.content_type,
                      depth=fetch.depth, fetch_error=why)
    return Analyzed(fetch.url, json.dumps(facts.to_dict()), None)


def batches(it: Iterator, n: int) -> Iterator[list]:
    while batch := list(islice(it, n)):
        yield batch
