"""The command line's entry point: parse, run the command (aeo/commands.py, aeo/lookups.py), and turn every
failure into one line and an exit code; a bug's traceback goes to a crash log of its own."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
import traceback
from pathlib import Path

from aeo.arguments import build_parser
from aeo.commands import cmd_analyze, cmd_audit, cmd_crawl, cmd_demo, cmd_render, cmd_report
from aeo.durable import WorkspaceError
from aeo.logcommands import cmd_bots, cmd_logs
from aeo.lookups import (
    cmd_compare,
    cmd_explain,
    cmd_history,
    cmd_portfolio,
    cmd_rules,
    cmd_schedule,
)
from aeo.pipeline import EXIT_USAGE, AuditError

COMMANDS = {"audit": cmd_audit, "crawl": cmd_crawl, "analyze": cmd_analyze,
            "report": cmd_report, "render": cmd_render, "history": cmd_history, "demo": cmd_demo, "rules": cmd_rules,
            "explain": cmd_explain, "compare": cmd_compare, "schedule": cmd_schedule,
            "logs": cmd_logs, "bots": cmd_bots, "portfolio": cmd_portfolio}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AuditError as exc:
        print(f"aeo: error: {exc}", file=sys.stderr)
        return exc.code
    except WorkspaceError as exc:
        print(f"aeo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("aeo: interrupted; earlier runs are untouched", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"aeo: error: cannot write: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:   # a full disk, a file-size limit, a folder made read-only
        print(f"aeo: error: the workspace's database could not be written: {exc} (a full "
              "disk, a file-size limit or a read-only folder?); earlier runs are kept",
              file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line for the person, the traceback to a file
        # one file per crash: an earlier crash's details are never overwritten
        stamp = time.strftime("%Y%m%dT%H%M%S")
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"aeo-crash-{stamp}-{os.getpid()}.log"
        try:
            log.write_text(traceback.format_exc(), "utf-8")
        except OSError:
            pass
        print(f"aeo: internal error: {type(exc).__name__}: {exc} (details in {log})",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
