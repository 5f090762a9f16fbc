"""The commands that read access logs (aeo logs, aeo audit --logs) and keep the crawler
address ranges (aeo bots)."""

from __future__ import annotations

import sys
from pathlib import Path

from aeo.pipeline import EXIT_OK, EXIT_UNAUDITABLE, EXIT_USAGE, AuditError, say


def read_given_logs(files: list[str], args):
    """Read the logs named on the command line, with progress; one line and exit 2 for an
    input that is no log."""
    from aeo.analyzers.logs.formats import LogFormatError
    from aeo.analyzers.logs.reader import LogReadError, Progress, read_logs
    from aeo.analyzers.logs.verify import Verifier, system_resolver

    if files.count("-") > 1:
        raise AuditError("standard input (-) can be read once only", EXIT_USAGE)
    say(f"Reading {len(files)} access log{'s' * (len(files) != 1)}", args.quiet)
    progress = Progress(args.quiet)
    try:
        verifier = Verifier(resolver=system_resolver if args.verify_dns else None)
        reading = read_logs(files, fmt=args.log_format, json_keys=tuple(args.log_fields),
                            verifier=verifier, progress=progress)
    except (LogReadError, LogFormatError) as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None
    progress.done(reading.tally.lines)
    t = reading.tally
    bots = sum(row[0] for row in t.hits.values())
    say(f"Read {t.lines:,} lines ({t.skipped:,} skipped as malformed): {bots:,} from AI "
        "crawlers", args.quiet)
    for warning in reading.warnings:
        say(f"warning: {warning}", args.quiet)
    return reading


def cmd_logs(args) -> int:
    from aeo.analyzers.logs.join import log_facts, save
    from aeo.commands import _exit_for, _find_run, governance_of

    run = ws = None
    if args.run:
        args.command = "join logs with"
        ws, run = _find_run(args)
    reading = read_given_logs(args.files, args)
    if run is None:
        return _logs_alone(reading, args)
    from aeo.commands import cmd_report_run

    save(reading, run.path)
    facts = log_facts(reading, run.manifest().get("start_url"))
    if not facts.rows and reading.tally.lines:
        say("warning: no AI crawler in these logs", args.quiet)
    gov = governance_of(args)
    out = cmd_report_run(ws, run, gov, args)
    print(str((out / "audit.html").resolve()))
    return _exit_for(run)


def _logs_alone(reading, args) -> int:
    """No audit to join with: bot_hits.csv and findings.json's "logs" into --out (default
    here), and a table on the terminal."""
    from aeo.analyzers.logs.join import log_facts
    from aeo.commands import check_out
    from aeo.facts.records import TOOL
    from aeo.reports.export import BOT_HIT_COLUMNS, bot_hit_rows, write_csv, write_json

    facts = log_facts(reading)
    check_out(args.out)
    out = Path(args.out or ".")
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "bot_hits.csv", bot_hit_rows(facts, lambda u: ""), BOT_HIT_COLUMNS)
    write_json(out / "findings.json", {"tool": TOOL, "run": None, "findings": [],
                                       "logs": facts.to_json()})
    if not args.quiet:
        print(f"{'crawler':<18} {'purpose':<9} {'hits':>8} {'verified':>9} {'spoofed':>8} "
              f"{'unknown':>8} {'pages':>6} {'errors':>7}")
        for b in facts.bots():
            print(f"{b.bot:<18} {b.purpose:<9} {b.hits:>8,} {b.verified_hits:>9,} "
                  f"{b.unverified_hits:>8,} {b.unknown_hits:>8,} {b.pages:>6,} "
                  f"{b.error_hits:>7,}")
    print(str((out / "bot_hits.csv").resolve()))
    return EXIT_OK


def cmd_bots(args) -> int:
    from datetime import date

    from aeo.analyzers.logs.verify import active
    from aeo.crawler.bots import known_bots

    if args.action == "update":
        return _update(args)
    data = active()
    by_operator = {s.operator for s in data.sources}
    print(f"{'crawler':<20} {'operator':<14} {'purpose':<9} verification")
    for b in known_bots().values():
        how = ("published ranges" if b.operator in by_operator else
               "reverse DNS (--verify-dns)" if b.operator in data.dns else "none published")
        if not b.user_agent:
            how = "robots.txt token only (never in a user agent)"
        print(f"{b.token:<20} {b.operator:<14} {b.purpose:<9} {how}")
    age = data.age_days(date.today())
    print(f"\naddress ranges: {len(data.sources)} published files from {data.folder}"
          + (f", the oldest retrieved {age} days ago" if age is not None else "")
          + "; `aeo bots update` refreshes them")
    return EXIT_OK


def _update(args) -> int:
    from aeo.analyzers.logs.update import UpdateError, update

    try:
        report = update(dict(s.split("=", 1) for s in args.source if "=" in s),
                        timeout=args.timeout)
    except UpdateError as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None
    for line in report.lines:
        print(line, file=sys.stderr)
    print(str(report.folder))
    if not report.updated:
        return EXIT_UNAUDITABLE
    return EXIT_OK
