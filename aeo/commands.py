"""What the auditing `aeo` commands do, from their parsed arguments to their exit code: audit,
crawl (new, resumed or joined), analyze, report, demo. The look-ups are aeo/lookups.py.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from aeo.arguments import MAX_PAGES, MAX_TIME, build_parser
from aeo.durable import WorkspaceError
from aeo.facts.records import FACTS_VERSION
from aeo.pipeline import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_UNAUDITABLE,
    EXIT_USAGE,
    AuditError,
    analyze,
    crawl,
    render_saved,
    report,
    require_language_model,
    say,
    today,
)


def governance_of(args):
    from aeo.governance import GovernanceError, load_governance
    from aeo.rules.base import all_rules

    try:
        return load_governance(args.governance, known_rules=set(all_rules()))
    except GovernanceError as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None


def validated_url(url: str) -> str:
    from aeo.crawler.scope import InvalidURL, validate_start_url

    try:
        return validate_start_url(url)
    except InvalidURL as exc:
        raise AuditError(f"unsupported or invalid URL: {exc}", EXIT_USAGE) from None


@contextlib.contextmanager
def _site_lock(ws, cfg):
    from aeo.crawler.scope import Scope
    from aeo.store import host_slug

    scope = Scope.from_url(cfg.start_url)
    try:
        with ws.lock(host_slug(scope.host, scope.port)):
            yield
    except WorkspaceError as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None


def _crawl_config(args):
    from aeo.crawler.config import CrawlConfig

    url = validated_url(args.url)
    return CrawlConfig(
        start_url=url, max_pages=args.max_pages or MAX_PAGES, max_depth=args.max_depth,
        max_page_bytes=int(args.max_page_mb * 1024 * 1024), timeout=args.timeout,
        total_time=args.max_time or MAX_TIME, concurrency=args.concurrency, delay=max(0.0, args.delay),
        retry_times=max(0, args.retries), obey_robots=not args.ignore_robots_errors,
        quiet=args.quiet, resolve=dict(args.resolve), allow_private=list(args.allow_private),
        connect_to=tuple(args.connect_to))


def _find_run(args):
    from aeo.store import Workspace

    ws = Workspace(args.workspace)
    run = ws.find_run(args.run)
    if run is None:
        raise AuditError(f"no run {args.run!r} in workspace {args.workspace}", EXIT_USAGE)
    m = run.manifest()
    # a run whose crawl ended and whose writing then failed (a full disk) can be reported
    written_off = m.get("reason") == "write_error" and m.get("crawl_status")
    if m.get("status") == "running" or (m.get("status") == "failed" and not written_off):
        raise AuditError(f"run {run.run_id} has status {m.get('status')}: nothing to "
                         f"{args.command}", EXIT_UNAUDITABLE)
    return ws, run


def _exit_for(run) -> int:
    """0 for a complete audit; 4, with the reason on stderr in one line, for a crawl that
    stopped early or covered much less of the site than it announces."""
    manifest = run.manifest()
    if manifest.get("complete"):
        return EXIT_OK
    warnings = manifest.get("coverage_warnings") or []
    more = f" (and {len(warnings) - 1} more in the report)" if len(warnings) > 1 else ""
    if manifest.get("crawl_status") == "complete" and warnings:
        print(f"aeo: incomplete audit: {warnings[0]}{more}", file=sys.stderr)
    else:   # the crawl's reason, and the coverage's first word on what it left out
        said = f" {warnings[0]}{more}" if warnings else ""
        print(f"aeo: incomplete crawl: {manifest.get('message')}{said}", file=sys.stderr)
    return EXIT_INCOMPLETE


def check_out(out: str | None) -> None:
    """Before the crawl: --out can be a folder we write into (not an existing file, not under
    a read-only folder), so that no crawl is spent on a report that cannot be written."""
    if not out:
        return
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise AuditError(f"--out {path} exists and is not a folder", EXIT_USAGE)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise AuditError(f"--out {path}: {existing} is not a folder", EXIT_USAGE)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise AuditError(f"--out {path}: cannot write in {existing}", EXIT_USAGE)


def cmd_audit(args) -> int:
    from aeo.store import Workspace

    cfg = _crawl_config(args)
    gov = governance_of(args)
    check_out(args.out)
    ws = Workspace(args.workspace)
    ws.check()                 # a damaged or read-only index stops the audit before the crawl
    as_of = args.as_of or today()
    require_language_model()   # a missing model stops the audit before the crawl
    reading = None
    if args.logs:              # read first: a file that is no log stops before the crawl
        from aeo.logcommands import read_given_logs

        reading = read_given_logs(args.logs, args)
    with _site_lock(ws, cfg):
        run, _ = crawl(cfg, ws, gov, as_of, args.quiet, **_distribution(args),
                       analyze_alongside=os.environ.get("AEO_ANALYZE_ALONGSIDE") != "0")
        out = Path(args.out) if args.out else run.path
        with run.failing_on_write():
            if reading is not None:
                from aeo.analyzers.logs.join import save

                save(reading, run.path)
            if not run.manifest().get("analyzed_alongside"):
                say("Analyzing pages", args.quiet)
                analyze(run, args.quiet)
            say("Judging and writing the report", args.quiet)
            report(run, out, gov, ws, quiet=args.quiet, pdf=args.pdf)
    print(str((out / "audit.html").resolve()))
    return _exit_for(run)


def cmd_crawl(args) -> int:
    from aeo.store import Workspace

    if args.join:
        return _join_crawl(args)
    if args.resume:
        return _resume_crawl(args)
    if not args.url:
        raise AuditError("crawl needs a URL (or --resume RUN)", EXIT_USAGE)
    cfg = _crawl_config(args)
    gov = governance_of(args)
    ws = Workspace(args.workspace)
    ws.check()
    with _site_lock(ws, cfg):
        run, _ = crawl(cfg, ws, gov, args.as_of or today(), args.quiet,
                       **_distribution(args))
    print(run.path)
    return _exit_for(run)


def _distribution(args) -> dict:
    if args.processes > 1 and not args.redis:
        raise AuditError("--processes needs --redis: the processes share the crawl through "
                         "Redis", EXIT_USAGE)
    return {"redis_url": args.redis, "processes": args.processes}


def _join_crawl(args) -> int:
    from dataclasses import replace

    from aeo.crawler.config import config_from_dict
    from aeo.crawler.distributed import (
        Coordinator,
        DistributedError,
        RecordSink,
        active_runs,
        connect,
        masked,
    )
    from aeo.crawler.run import run_crawl

    if not args.redis:
        raise AuditError("--join needs --redis URL: the Redis server of the crawl to join",
                         EXIT_USAGE)
    if args.url or args.resume:
        raise AuditError("--join takes the crawl's own URL and settings from Redis: give no "
                         "URL and no --resume", EXIT_USAGE)
    try:
        server = connect(args.redis)
    except DistributedError as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None
    running = active_runs(server)
    if args.join == "any":
        if len(running) != 1:
            raise AuditError(f"{len(running)} crawls are running in {masked(args.redis)}"
                             + (f" ({', '.join(running)}): say which with --join KEY"
                                if running else ": start one with aeo crawl URL --redis"),
                             EXIT_USAGE)
        key = running[0]
    elif args.join in running:
        key = args.join
    else:
        raise AuditError(f"no crawl {args.join!r} is running in {masked(args.redis)}",
                         EXIT_USAGE)
    coord = Coordinator(server, key, leader=False)
    published = coord.config()
    if published is None:
        raise AuditError(f"the crawl {key} has no settings in Redis", EXIT_USAGE)
    cfg = replace(config_from_dict(published["config"]), quiet=args.quiet)
    if coord.wait_for_robots(timeout=cfg.timeout * 4 + 30) is None:
        say(f"the crawl {key} ended before this process could join", args.quiet)
        return EXIT_OK
    say(f"Joined the crawl of {cfg.start_url} ({key})", args.quiet)
    outcome = run_crawl(cfg, RecordSink(server, key), shared=coord, redis_url=args.redis)
    print(f"{published['run']}: this process fetched {outcome.pages} pages")
    return EXIT_OK


def _resume_crawl(args) -> int:
    from dataclasses import replace

    from aeo.crawler.config import config_from_dict
    from aeo.governance import Governance
    from aeo.store import Workspace, _alive

    if args.url:
        raise AuditError("--resume takes the run's own URL and settings: give no URL",
                         EXIT_USAGE)
    ws = Workspace(args.workspace)
    run = ws.find_run(args.resume)
    if run is None:
        raise AuditError(f"no run {args.resume!r} in workspace {args.workspace}", EXIT_USAGE)
    m = run.manifest()
    if m.get("status") == "running" and m.get("pid") and _alive(int(m["pid"])):
        raise AuditError(f"run {run.run_id} is still running (PID {m['pid']})", EXIT_USAGE)
    if (m.get("status") == "failed" and m.get("reason") != "write_error") or \
            not run.db_path.is_file():
        why = m.get("message") or "no crawl stored"
        raise AuditError(f"run {run.run_id} could not audit its site ({why}); start a new "
                         "crawl instead", EXIT_UNAUDITABLE)
    if m.get("crawl_status") == "complete":
        raise AuditError(f"run {run.run_id} crawled its site completely: nothing to resume",
                         EXIT_USAGE)
    if args.redis:
        raise AuditError("--resume continues in this process only; leave out --redis",
                         EXIT_USAGE)
    try:
        cfg = config_from_dict(m.get("settings") or {})
    except TypeError:
        raise AuditError(f"run {run.run_id} has no crawl settings to resume with",
                         EXIT_UNAUDITABLE) from None
    cfg = replace(cfg, quiet=args.quiet,
                  max_pages=args.max_pages or cfg.max_pages,
                  total_time=args.max_time or cfg.total_time)
    saved = m.get("governance") or {}
    gov = Governance.from_dict(saved) if saved.get("settings") else governance_of(args)
    with _site_lock(ws, cfg):
        run, _ = crawl(cfg, ws, gov, m.get("as_of") or today(), args.quiet, resume=run)
    print(run.path)
    return _exit_for(run)


def cmd_analyze(args) -> int:
    _, run = _find_run(args)
    analyze(run, args.quiet)
    print(run.path)
    return _exit_for(run)


def cmd_report(args) -> int:
    ws, run = _find_run(args)
    out = cmd_report_run(ws, run, governance_of(args), args)
    print(str((out / "audit.html").resolve()))
    return _exit_for(run)


def cmd_render(args) -> int:
    _, run = _find_run(args)
    out = Path(args.out) if args.out else run.path
    check_out(str(out))
    render_saved(run, out, quiet=args.quiet, pdf=args.pdf)
    print(str((out / "audit.html").resolve()))
    return _exit_for(run)          # as `aeo report`: 4 for a run whose crawl is incomplete


def cmd_report_run(ws, run, gov, args) -> Path:
    """Judge a stored run again and write its report (aeo report, aeo logs --run)."""
    if run.manifest().get("facts_version") != FACTS_VERSION:
        analyze(run, args.quiet)    # never analysed, or by a version whose facts differ
    out = Path(args.out) if args.out else run.path
    report(run, out, gov, ws, as_of=args.as_of, quiet=args.quiet,
           pdf=getattr(args, "pdf", False))
    return out


def cmd_demo(args) -> int:
    from aeo.demo.serve import DEFAULT_PORT, MONTH_2, start

    port = int(os.environ.get("AEO_DEMO_PORT") or DEFAULT_PORT)   # tests run two at once
    try:
        server, url = start(port, month=args.month)
    except OSError:
        server, url = start(0, month=args.month)
        say(f"port {port} is busy: this demo run's URLs will not match earlier demo "
            "runs, so there is no month-over-month comparison", args.quiet)
    say(f"Demo site (Northwind Ledger) served at {url}"
        + (f", month {args.month}: " + "; ".join(c for c, _ in MONTH_2.values())
           if args.month >= 2 else ""), args.quiet)
    argv = ["audit", url, "--workspace", args.workspace, "--max-pages", str(args.max_pages)]
    for flag, value in (("--out", args.out), ("--as-of", args.as_of),
                        ("--governance", args.governance)):
        if value:
            argv += [flag, value]
    for log in args.logs:
        argv += ["--logs", log]
    if args.pdf:
        argv.append("--pdf")
    if args.quiet:
        argv.append("--quiet")
    try:
        return cmd_audit(build_parser().parse_args(argv))
    finally:
        server.shutdown()
