"""audit.pdf: the report laid out for print (A4 or Letter, governance report.paper), with a
cover and the executive summary page, rendered by WeasyPrint from the same template as
audit.html. WeasyPrint lays out CSS paged media (page size, page numbers, page breaks) in
Python over Pango; it fetches nothing: every image is a data URI, any other URL is refused."""

from __future__ import annotations

from pathlib import Path

from aeo.durable import atomic_write
from aeo.judge import AuditResult
from aeo.reports.build import context_of
from aeo.reports.html import render_report

INSTALL = ("audit.pdf needs WeasyPrint's system libraries: apt-get install libpango-1.0-0 "
           "libpangoft2-1.0-0 (the HTML report is written)")


class PdfError(Exception):
    """The PDF cannot be written (a missing system library): one line, the HTML stands."""


def write_pdf(result: AuditResult, out: Path) -> Path:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:   # OSError: Pango missing
        raise PdfError(f"{INSTALL} [{type(exc).__name__}: {str(exc)[:120]}]") from None
    from weasyprint.urls import URLFetcher

    html = render_report(context_of(result, print_mode=True))
    fetcher = URLFetcher(allowed_protocols=("data",))   # the logo; the report requests nothing
    data = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    path = Path(out) / "audit.pdf"
    atomic_write(path, data)
    return path
