"""The `aeo` commands that look things up rather than audit: the runs in a workspace
(history), every site side by side (portfolio), two runs compared (compare), the monthly
schedule (schedule), and the rule catalogue (rules, explain).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from aeo.commands import check_out, governance_of, validated_url
from aeo.pipeline import (
    EXIT_OK,
    EXIT_USAGE,
    AuditError,
)


def cmd_history(args) -> int:
    from aeo.store import Workspace

    runs = Workspace(args.workspace).history(args.site)
    if not runs:
        print(f"no runs in {args.workspace}")
        return EXIT_OK
    print(f"{'run':44} {'status':11} {'pages':>6} {'score':>6}")
    for r in runs:
        score = "" if r["overall_score"] is None else f"{r['overall_score']:.0f}"
        print(f"{r['run_id']:44} {r['status'] or '':11} {r['pages_crawled'] or 0:>6} {score:>6}")
    return EXIT_OK


def cmd_portfolio(args) -> int:
    from aeo.reports.portfolio import render_portfolio
    from aeo.store import Workspace

    ws = Workspace(args.workspace)
    if not (ws.root / "index.sqlite").is_file():
        raise AuditError(f"no workspace at {args.workspace} (run aeo audit URL first, or give "
                         "--workspace)", EXIT_USAGE)
    check_out(args.out)
    out = Path(args.out) if args.out else ws.root
    print(str(render_portfolio(ws, out).resolve()))
    return EXIT_OK


def cmd_compare(args) -> int:
    from aeo.comparison import compare
    from aeo.store import Workspace

    ws = Workspace(args.workspace)
    run = ws.find_run(args.run)
    if run is None:
        raise AuditError(f"no run {args.run!r} in workspace {args.workspace}", EXIT_USAGE)
    site = run.path.parent.name
    if args.against:
        earlier = ws.find_run(args.against)
        if earlier is None:
            raise AuditError(f"no run {args.against!r} in workspace {args.workspace}",
                             EXIT_USAGE)
        previous = next((r for r in ws.history(site, exact=True)
                         if r["run_id"] == earlier.run_id), None)
    else:
        previous = ws.previous_complete(site, run.run_id)
    if previous is None:
        print(f"{run.run_id}: no earlier complete run of {site} to compare with")
        return EXIT_OK
    now = ws.run_findings(run.run_id)
    pages_now = {u: p.status for u, p in ws.run_pages(run.run_id).items()}
    result = compare(now, pages_now, previous, ws,
                     complete=bool(run.manifest().get("complete")))
    print(f"{run.run_id} against {previous['run_id']}: "
          + ", ".join(f"{len(result[k])} {k.replace('_', ' ')}"
                      for k in ("new", "fixed", "persisting", "not_comparable")))
    for kind in ("new", "fixed", "not_comparable"):
        for f in result[kind]:
            print(f"  {kind.replace('_', ' '):15} {f['rule']:7} {f['severity']:9} {f['url']}")
    return EXIT_OK


def cmd_schedule(args) -> int:
    from aeo import schedule, systemd

    try:
        if args.list:
            return _list_schedules()
        if not args.url:
            raise AuditError("schedule needs a URL (or --list)", EXIT_USAGE)
        url = validated_url(args.url)
        if args.remove:
            return _remove_schedule(url)
        if not args.monthly:
            raise AuditError("say --monthly (the only schedule there is), or --list / --remove",
                             EXIT_USAGE)
        if not args.out:
            raise AuditError("say where the reports go: --out DIR", EXIT_USAGE)
        portfolio = Path(args.portfolio) if args.portfolio else None
        if args.systemd:
            scope = args.scope or systemd.scope_default()
            timer = systemd.install(url, args.day, args.hour, Path(args.out),
                                    Path(args.workspace), args.governance, portfolio, scope)
            how = f"a systemd timer ({scope} units): {timer}"
        else:
            how = schedule.install(url, args.day, args.hour, Path(args.out),
                                   Path(args.workspace), args.governance, portfolio)
    except schedule.ScheduleError as exc:
        raise AuditError(str(exc), EXIT_USAGE) from None
    print(f"{url} is audited on day {args.day} of every month at {args.hour:02d}:00; each "
          f"report goes into {Path(args.out).resolve()}/YYYY-MM"
          + (f"; the portfolio is refreshed in {portfolio.resolve()}" if portfolio else "")
          + f"\n    {how}")
    return EXIT_OK


def _list_schedules() -> int:
    from aeo import schedule, systemd

    try:
        cron = schedule.listed()
    except schedule.ScheduleError:
        cron = []           # no crontab here: the timers may still be
    timers = systemd.listed()
    if not cron and not timers:
        print("no scheduled audits")
    for url, line in cron:
        print(f"{url} (cron)\n    {line}")
    for url, scope, path in timers:
        print(f"{url} (systemd {scope} timer)\n    {path}")
    return EXIT_OK


def _remove_schedule(url: str) -> int:
    from aeo import schedule, systemd

    try:
        from_cron = schedule.remove(url)
    except schedule.ScheduleError:
        from_cron = False
    timers = systemd.remove(url)
    if not from_cron and not timers:
        raise AuditError(f"no schedule for {url}; `aeo schedule --list` shows them", EXIT_USAGE)
    print(f"removed the monthly audit of {url}"
          + (f" ({'cron' if from_cron else ''}{' and ' if from_cron and timers else ''}"
             f"{'systemd' if timers else ''})"))
    return EXIT_OK


def cmd_rules(args) -> int:
    from aeo.governance import load_governance
    from aeo.rules.base import all_rules
    from aeo.rules.catalogue import markdown

    if args.markdown:
        sys.stdout.write(markdown(all_rules(), load_governance()))
        return EXIT_OK
    for r in all_rules().values():
        m = r.precision
        measured = f"{m['precision']:.2f}" if m else "  -  "
        print(f"{r.id:7} {r.pillar:7} {r.scope:5} {r.severity:9} {measured:5} "
              f"{'advisory ' if r.advisory else ''}{r.heading}")
    return EXIT_OK


def cmd_explain(args) -> int:
    from aeo.rules.base import all_rules
    from aeo.rules.catalogue import reads

    rules = all_rules()
    r = rules.get(args.rule_id.upper())
    if r is None:
        raise AuditError(f"no rule {args.rule_id!r}; `aeo rules` lists them", EXIT_USAGE)
    gov = governance_of(args)
    wrap = lambda s: textwrap.fill(s, 88)  # noqa: E731
    print(f"{r.id} · {r.heading}\n")
    print(f"Pillar {r.pillar} · {r.scope} rule · default severity {r.severity} · "
          f"page types {', '.join(r.page_types) if r.scope == 'page' else 'n/a'} · "
          f"engines {', '.join(r.engines)}\n")
    m = r.precision
    if m:
        print(f"Measured precision {m['precision']:.2f} over {m['judged']} findings judged on "
              f"real sites ({m['measured']})"
              + (": advisory (shown apart, not scored, never in Fix first)" if r.advisory
                 else "") + "\n")
    else:
        print("Measured precision: no finding of this rule on the judged real sites yet\n")
    print("Why it matters\n" + wrap(r.why) + "\n")
    print("How to fix\n" + wrap(r.fix) + "\n")
    print("Before\n" + textwrap.indent(r.before, "    ") + "\n")
    print("After\n" + textwrap.indent(r.after, "    ") + "\n")
    where = "defaults" if gov.source == "defaults" else gov.source
    print(f"What it reads (settings: {where})\n" + "\n".join(
        textwrap.fill(line, 88, initial_indent="  ", subsequent_indent="    ")
        for line in reads(r, gov)) + "\n")
    print("References\n" + "\n".join(f"  {u}" for u in r.references))
    return EXIT_OK
