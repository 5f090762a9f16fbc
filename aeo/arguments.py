"""The command line's grammar: every command, option and value check of `aeo`, with the
help text each shows.
"""

from __future__ import annotations

import argparse
import os
import sys

from aeo import __version__
from aeo.pipeline import EXIT_USAGE

MAX_PAGES, MAX_TIME = 5000, 4 * 3600.0   # the crawl's default budgets

EPILOG = """\
exit codes:
  0  audit written (whatever it found)
  1  an internal error: one line, and the details in a crash log of its own
  2  bad usage or bad input (invalid URL, unreadable governance file)
  3  the site could not be audited (unreachable, robots.txt unreachable, nothing crawlable)
  4  the audit was written but the crawl is incomplete (a limit, interrupt or errors)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        print(f"aeo: error: {message} (see aeo --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be 1 or more")
    return n


def _positive_float(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} must be more than 0")
    return n


def _date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-01") from None


def _cidr(value: str) -> str:
    from ipaddress import ip_network

    try:
        return str(ip_network(value.strip(), strict=False))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an address or range: {value!r}") from None


def _resolve(value: str) -> tuple[str, str]:
    host, sep, ip = value.rpartition(":")
    if not sep or not host or not ip:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST:IP")
    return host, ip


def _connect_to(value: str) -> str:
    from aeo.crawler.resolver import ConnectTo, ConnectToError

    try:
        return str(ConnectTo.parse(value))
    except ConnectToError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", "-w", default=os.environ.get("AEO_WORKSPACE", "audits"),
                   help="folder where runs and their history live (default: ./audits)")
    p.add_argument("--governance", "-g", metavar="FILE",
                   help="client governance file (TOML) overriding the defaults")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress display (for cron); errors still go to stderr")


def _crawl_options(p: argparse.ArgumentParser, resumable: bool = False) -> None:
    if resumable:
        p.add_argument("url", nargs="?", help="the site to crawl, e.g. https://www.example.com/")
        p.add_argument("--resume", metavar="RUN",
                       help="go on with an interrupted crawl (run folder, SITE/TIMESTAMP or "
                            "'latest') with its own settings: nothing it stored is fetched "
                            "again; --max-pages and --max-time may raise its budgets")
        p.add_argument("--join", nargs="?", const="any", metavar="KEY",
                       help="with --redis: help with a crawl another `aeo` started (the only "
                            "one running, or the one with this key, as `aeo:SITE/RUN:`); what "
                            "this process fetches goes, through Redis, into that run")
    else:
        p.add_argument("url", help="the site to audit, e.g. https://www.example.com/")
    p.add_argument("--max-pages", "-n", type=_positive_int, default=None,
                   help=f"stop after this many pages (default {MAX_PAGES}; hitting it makes the "
                        "crawl incomplete)")
    p.add_argument("--max-depth", type=_positive_int, default=20,
                   help="links followed from the start page (default 20); the next page of a "
                        "paginated list (rel=next, /page/3/, ?page=3) adds no depth, and "
                        "sitemap URLs start at depth 1, so this is a safety net against "
                        "endless link chains")
    p.add_argument("--max-page-mb", type=_positive_float, default=16.0,
                   help="largest page read, decompressed, in MB (default 16)")
    p.add_argument("--timeout", type=_positive_float, default=30.0,
                   help="seconds per request (default 30)")
    p.add_argument("--max-time", type=_positive_float, default=None,
                   help=f"seconds for the whole crawl (default {MAX_TIME:.0f})")
    p.add_argument("--concurrency", type=_positive_int, default=8,
                   help="requests in flight at once (default 8)")
    p.add_argument("--delay", type=float, default=0.0,
                   help="seconds between requests (robots.txt Crawl-delay raises it)")
    p.add_argument("--retries", type=int, default=2, help="retries per failed request (default 2)")
    p.add_argument("--ignore-robots-errors", action="store_true",
                   help="crawl even when robots.txt answers 5xx or times out (RFC 9309 says "
                        "stop); Disallow rules are still obeyed when robots.txt is readable")
    p.add_argument("--allow-private", action="append", type=_cidr, default=[], metavar="CIDR",
                   help="let the crawl connect to this non-public range (e.g. 10.0.0.0/8 for "
                        "an intranet site); by default only the start URL's own literal "
                        "address, or a --resolve address, may be non-public (SSRF guard)")
    p.add_argument("--resolve", action="append", type=_resolve, default=[], metavar="HOST:IP",
                   help="answer DNS for HOST with IP (like curl --resolve), e.g. to audit a "
                        "staging server under the real name")
    p.add_argument("--connect-to", action="append", type=_connect_to, default=[],
                   metavar="HOST:PORT:ADDR:PORT",
                   help="connect to ADDR:PORT whenever a URL asks for HOST:PORT (like curl "
                        "--connect-to; repeatable): URLs, Host headers and TLS names stay "
                        "HOST's. Audits a staging or local copy under the site's real name, "
                        "e.g. --connect-to example.com:443:127.0.0.1:8443 for "
                        "https://example.com/")
    p.add_argument("--as-of", type=_date, help="the date freshness rules count from "
                                               "(default: today)")
    p.add_argument("--redis", metavar="URL", default=os.environ.get("AEO_REDIS") or None,
                   help="share the crawl through Redis (redis://host:6379/0): one queue and "
                        "one set of claimed URLs for several crawler processes, on this "
                        "machine (--processes) or others (aeo crawl --redis URL --join); "
                        "default $AEO_REDIS, which keeps a password off the command line")
    p.add_argument("--processes", type=_positive_int, default=1, metavar="N",
                   help="with --redis: crawler processes on this machine, this one included "
                        "(default 1)")


LOG_EPILOG = """\
formats (detected from the content): NCSA combined and common, with or without a leading
virtual host and with extra fields after the user agent (nginx $request_time); W3C extended
(IIS, CloudFront, from their #Fields line); JSON lines (Cloudflare, ECS, nginx and common
names; --field maps others, dotted keys reach nested fields, e.g. --field ip=client.address).

verified: yes (the address is in the operator's published ranges), no (it claims the
crawler's user agent from outside them), unknown (the operator publishes no ranges).
Malformed lines are counted and skipped; an input that is not an access log is exit 2.
"""

JSON_FIELD_NAMES = ("ip", "time", "method", "path", "query", "status", "user_agent", "host")  # jsonlines.py


def _field(value: str) -> tuple[str, str]:
    name, sep, key = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not NAME=KEY")
    if name.strip() not in JSON_FIELD_NAMES:
        raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(JSON_FIELD_NAMES)}")
    return name.strip(), key.strip()


def _pdf_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pdf", action="store_true",
                   help="also write audit.pdf: the report laid out for print, with a cover and "
                        "an executive summary page (paper and branding: governance [report])")


def _log_options(p: argparse.ArgumentParser, files_flag: str | None) -> None:
    """The options that read access logs; files_flag: the repeatable option naming the
    files (aeo audit --logs), or None where they are positional (aeo logs)."""
    if files_flag:
        p.add_argument(files_flag, action="append", default=[], metavar="FILE",
                       help="server access log to join with the audit (repeatable; .gz read "
                            "too; - for standard input): adds 'What AI crawlers fetched' and "
                            "the log rules; see aeo logs --help for the formats")
    prefix = "--log-" if files_flag else "--"
    p.add_argument(prefix + "format", dest="log_format", default="auto",
                   choices=("auto", "combined", "common", "w3c", "jsonl"),
                   help="the logs' format (default: detected from the content)")
    p.add_argument(prefix + "field", dest="log_fields", action="append", type=_field,
                   default=[], metavar="NAME=KEY",
                   help="JSON lines: read NAME (" + ", ".join(JSON_FIELD_NAMES) + ") from KEY")
    p.add_argument("--verify-dns", action="store_true",
                   help="also verify crawlers by reverse-and-forward DNS where the operator "
                        "documents it (Google, Bing, Apple, Amazon, ...): a lookup per "
                        "address")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aeo",
        description="AEO content audit: crawl a website and report, in one prioritized HTML "
                    "page, what keeps its content from being found, understood, trusted and "
                    "cited by answer engines.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"aeo-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("audit", help="crawl a site, analyze it and write the report",
                       description="Crawl URL, analyze every page, judge it against the "
                                   "governance rules and write audit.html, findings.json, "
                                   "findings.csv and pages.csv.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _crawl_options(p)
    p.add_argument("--out", "-o", metavar="DIR",
                   help="where to write the report files (default: the run folder)")
    _pdf_option(p)
    _log_options(p, "--logs")
    _common(p)

    p = sub.add_parser("crawl", help="only crawl into a new run (no analysis, no report), or "
                                     "resume an interrupted crawl",
                       description="Crawl URL into a new run, or go on with an interrupted "
                                   "one (--resume RUN). `aeo report RUN` then analyzes and "
                                   "writes the report.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _crawl_options(p, resumable=True)
    _common(p)

    p = sub.add_parser("analyze", help="re-analyze a stored run (nothing is fetched)")
    p.add_argument("run", help="run folder, SITE/TIMESTAMP, or 'latest'")
    _common(p)

    p = sub.add_parser("report", help="re-judge and re-render a stored run (nothing is fetched)")
    p.add_argument("run", help="run folder, SITE/TIMESTAMP, or 'latest'")
    p.add_argument("--out", "-o", metavar="DIR", help="where to write (default: the run folder)")
    _pdf_option(p)
    p.add_argument("--as-of", type=_date, help="the date freshness rules count from")
    _common(p)

    p = sub.add_parser("render", help="write a judged run's outputs again, judging nothing",
                       description="Write audit.html, findings.json and the CSVs of a stored "
                                   "run again from the result its audit saved: nothing is "
                                   "fetched, analyzed or judged, the history is untouched, and "
                                   "the files are those the audit wrote (a lost report folder, "
                                   "a PDF asked for later). `aeo report` judges again instead.")
    p.add_argument("run", help="run folder, SITE/TIMESTAMP, or 'latest'")
    p.add_argument("--out", "-o", metavar="DIR", help="where to write (default: the run folder)")
    _pdf_option(p)
    _common(p)

    p = sub.add_parser("logs", help="what AI crawlers fetched, from server access logs",
                       description="Read server access logs (plain or gzip; - for standard "
                                   "input), find the AI crawlers of the tool's table by user "
                                   "agent, verify each against its operator's published "
                                   "address ranges, and write bot_hits.csv. With --run, join "
                                   "them with that audit: its report gains 'What AI crawlers "
                                   "fetched' and the log rules ACC011 to ACC013.",
                       epilog=LOG_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE", help="access log files (.gz read too)")
    p.add_argument("--run", metavar="RUN",
                   help="join with this audit (run folder, SITE/TIMESTAMP or 'latest') and "
                        "write its report again with the logs")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="where to write (default: the run folder with --run, else here)")
    _log_options(p, None)
    p.add_argument("--as-of", type=_date, help="with --run: the date freshness rules count from")
    _common(p)

    p = sub.add_parser("bots", help="the AI crawler table and its address ranges",
                       description="Show the AI crawlers the tool knows and how old the "
                                   "shipped address ranges are, or refresh the ranges from "
                                   "their operators' published URLs (bots update).")
    p.add_argument("action", nargs="?", choices=("list", "update"), default="list")
    p.add_argument("--source", action="append", default=[], metavar="FILE=URL",
                   help="update: fetch this published file from URL instead of its own "
                        "(e.g. a mirror)")
    p.add_argument("--timeout", type=_positive_float, default=30.0,
                   help="update: seconds per download (default 30)")

    p = sub.add_parser("portfolio", help="every site of the workspace side by side "
                                         "(portfolio.html)",
                       description="Write portfolio.html: one row per site of the workspace "
                                   "with its latest complete audit's date and scores, the trend "
                                   "over its runs, the critical and high findings still open, "
                                   "what changed since the run before, and a link to each "
                                   "report. Self-contained and script-free, like the report.")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="where to write portfolio.html (default: the workspace folder)")
    _common(p)

    p = sub.add_parser("history", help="list the runs in the workspace")
    p.add_argument("site", nargs="?", help="only this site's runs (folder name)")
    _common(p)

    p = sub.add_parser("demo", help="serve the bundled demo site on 127.0.0.1 and audit it")
    p.add_argument("--out", "-o", metavar="DIR", help="where to write the report files")
    p.add_argument("--max-pages", "-n", type=_positive_int, default=5000)
    p.add_argument("--as-of", type=_date, help="the date freshness rules count from")
    p.add_argument("--logs", action="append", default=[], metavar="FILE",
                   help="server access logs to join with the demo audit (see aeo logs --help)")
    _pdf_option(p)
    p.add_argument("--month", type=int, choices=(1, 2), default=1,
                   help="2: the site a month later, after some fixes and one new mistake; run "
                        "it after a first demo run to see the month-over-month comparison")
    _common(p)

    p = sub.add_parser("compare", help="compare a run with the previous complete run of its site",
                       description="Classify every (rule, url) finding of a run against an "
                                   "earlier run of the same site: new, fixed, persisting, or "
                                   "not comparable (the page was not re-checked, or the crawl "
                                   "is incomplete).")
    p.add_argument("run", nargs="?", default="latest",
                   help="run folder, SITE/TIMESTAMP or 'latest' (default)")
    p.add_argument("--against", metavar="RUN",
                   help="the earlier run (default: the previous complete run of the site)")
    _common(p)

    p = sub.add_parser("schedule", help="run the audit every month (cron or a systemd timer)",
                       description="Install, list or remove a monthly crontab entry (or, with "
                                   "--systemd, a systemd timer) that runs `aeo audit URL "
                                   "--quiet` and keeps each month's report in OUT/YYYY-MM. "
                                   "Entries carry a marker, so your other crontab lines and "
                                   "units are never touched.")
    p.add_argument("url", nargs="?", help="the site to audit every month")
    p.add_argument("--monthly", action="store_true", help="every month (the only period)")
    p.add_argument("--day", type=int, default=1, help="day of the month, 1-28 (default 1)")
    p.add_argument("--hour", type=int, default=6, choices=range(24), metavar="H",
                   help="hour of the day, 0-23 (default 6)")
    p.add_argument("--out", "-o", metavar="DIR", help="where each month's report folder goes")
    p.add_argument("--systemd", action="store_true",
                   help="a systemd timer and service instead of a crontab line (for machines "
                        "without cron); enabled at once")
    p.add_argument("--scope", choices=("user", "system"),
                   help="with --systemd: user units (~/.config/systemd/user) or system units "
                        "(/etc/systemd/system); default: system for root, else user")
    p.add_argument("--portfolio", metavar="DIR",
                   help="after each scheduled audit, refresh DIR/portfolio.html")
    p.add_argument("--list", action="store_true", help="list the scheduled audits (cron and "
                                                       "systemd)")
    p.add_argument("--remove", action="store_true", help="remove URL's schedule (cron and "
                                                         "systemd)")
    _common(p)

    p = sub.add_parser("rules", help="list every rule")
    p.add_argument("--markdown", action="store_true",
                   help="print the whole catalogue as Markdown (docs/rules.md is this output)")
    p = sub.add_parser("explain", help="explain one rule: why it matters, how to fix it, what "
                       "it reads and the thresholds in force")
    p.add_argument("rule_id")
    p.add_argument("--governance", "-g", metavar="FILE",
                   help="show the thresholds of this governance file (default: the defaults)")
    return parser
