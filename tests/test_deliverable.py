"""The kickoff deliverable: audit.pdf (cover, executive page, page numbers, paper size) read
back from the PDF itself, the consultant's brand on the report, hostile [report] values, the
portfolio of a workspace, and the monthly schedule as a systemd timer."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from conftest import open_page
from pypdf import PdfReader

from aeo.demo.serve import start

A4, LETTER = (595, 842), (612, 792)
CLIENT = 'Northwind <b>Ledger</b> & "Co"'


def png(width: int = 4, height: int = 2) -> bytes:
    """A real PNG: signature, IHDR, one IDAT, IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x2f\x5b\xea" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def governance(folder: Path, **report) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logo.png").write_bytes(png())
    table = {"client": CLIENT, "prepared_by": "Ada Consulting", "logo": "logo.png",
             "accent": "#0b7a5c", **report}
    lines = ["[report]"] + [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    path = folder / "client.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def aeo(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "aeo", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def pdf_pages(path: Path) -> list[tuple[str, tuple[int, int]]]:
    reader = PdfReader(str(path))
    return [(p.extract_text(), (round(float(p.mediabox.width)), round(float(p.mediabox.height))))
            for p in reader.pages]


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """The demo audited twice, a month apart, with --pdf and the consultant's governance."""
    tmp = tmp_path_factory.mktemp("deliverable")
    gov = governance(tmp / "gov")
    env = {"AEO_DEMO_PORT": "8771"}
    for month, as_of in ((1, "2026-11-02"), (2, "2026-12-02")):
        proc = aeo("demo", "--month", str(month), "--workspace", str(tmp / "ws"), "--out",
                   str(tmp / f"m{month}"), "--as-of", as_of, "--governance", str(gov),
                   "--pdf", "--quiet", env=env)
        assert proc.returncode == 0, proc.stderr
    return tmp


def test_the_pdf_has_a_cover_an_executive_page_and_page_numbers_on_a4(months):
    pages = pdf_pages(months / "m1" / "audit.pdf")
    assert len(pages) >= 4
    assert {size for _, size in pages} == {A4}          # no page wider than the paper
    cover, summary = pages[0][0], pages[1][0]
    for words in ("AEO content audit", CLIENT, "Ada Consulting", "2026-11-02", "127.0.0.1"):
        assert words in cover, words
    assert "Executive summary" in summary and "Fix first" in summary
    assert "Leave alone for now" in summary and "What changed" in summary
    assert f"page 2 of {len(pages)}" in summary
    assert all(f"page {i + 1} of {len(pages)}" in text for i, (text, _) in enumerate(pages)
               if i > 0)


def test_aeo_report_lays_out_a_stored_run_again(months, tmp_path):
    proc = aeo("report", "latest", "--workspace", str(months / "ws"), "--out", str(tmp_path),
               "--governance", str(months / "gov" / "client.toml"), "--pdf", "--quiet")
    assert proc.returncode == 0, proc.stderr
    pages = pdf_pages(tmp_path / "audit.pdf")
    assert "Ada Consulting" in pages[0][0] and "Executive summary" in pages[1][0]


def test_the_second_month_says_what_changed(months):
    pages = pdf_pages(months / "m2" / "audit.pdf")
    summary = pages[1][0]
    assert "Since the audit of" in summary and " new, " in summary and " fixed" in summary
    assert "2026-12-02" in pages[0][0]


def test_the_html_report_carries_the_brand_and_the_executive_summary_first(months):
    html = (months / "m1" / "audit.html").read_text(encoding="utf-8")
    assert "Prepared for Northwind &lt;b&gt;Ledger&lt;/b&gt; &amp; &#34;Co&#34; by Ada " \
           "Consulting" in html
    assert '<img src="data:image/png;base64,' in html and "--accent: #0b7a5c" in html
    assert html.index('id="executive"') < html.index("<h2>Fix first</h2>")
    assert "<b>Ledger</b>" not in html


def test_without_pango_the_pdf_is_one_line_and_the_html_stands(tmp_path):
    """A machine without WeasyPrint's system library: a stand-in weasyprint package that fails
    to load the way the real one does (OSError from its library loader)."""
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open "
        "shared object file: No such file or directory\")\n")
    proc = aeo("demo", "--workspace", str(tmp_path / "ws"), "--out", str(tmp_path / "out"),
               "--pdf", "--quiet", env={"AEO_DEMO_PORT": "8773",
                                         "PYTHONPATH": str(tmp_path / "fake")})
    assert proc.returncode == 2
    assert "apt-get install libpango-1.0-0" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "out" / "audit.html").is_file()
    assert (tmp_path / "out" / "findings.json").is_file()
    assert not (tmp_path / "out" / "audit.pdf").exists()


def test_letter_paper(tmp_path):
    gov = governance(tmp_path / "gov", paper="Letter")
    proc = aeo("demo", "--workspace", str(tmp_path / "ws"), "--out", str(tmp_path / "out"),
               "--governance", str(gov), "--pdf", "--quiet", env={"AEO_DEMO_PORT": "8772"})
    assert proc.returncode == 0, proc.stderr
    assert {size for _, size in pdf_pages(tmp_path / "out" / "audit.pdf")} == {LETTER}


@pytest.mark.parametrize("name,content,report,says", [
    ("missing", None, {"logo": "nowhere.png"}, "nowhere.png"),
    ("script", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     {}, "<script>"),
    ("remote", b'<svg xmlns="http://www.w3.org/2000/svg" '
               b'xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://evil.example/a"'
               b'/></svg>', {}, "loads"),
    ("html", b"<html><body>not an image</body></html>", {}, "neither a PNG nor an SVG"),
    ("huge", b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024), {}, "larger than"),
    ("accent", None, {"accent": "red;} body{display:none"}, "not a CSS colour"),
    ("garbage-png", png()[:33] + b"\0" * 200, {}, "does not decode"),
    ("nul", None, {"logo": "a\u0000.png"}, "cannot read it"),
    ("no-such-user", None, {"logo": "~nosuchuser4242/x.png"}, "nosuchuser4242"),
    ("paper", None, {"paper": "A3"}, "not A4 or Letter"),
])
def test_a_bad_report_value_is_one_line_naming_it_before_any_crawl(tmp_path, name, content,
                                                                    report, says):
    folder = tmp_path / "gov"
    path = governance(folder, **report)
    if content is not None:
        logo = folder / ("logo.svg" if content.startswith(b"<svg") else "logo.png")
        logo.write_bytes(content)
        path.write_text(path.read_text().replace('"logo.png"', f'"{logo.name}"'))
    proc = aeo("audit", "http://127.0.0.1:9/", "--workspace", str(tmp_path / "ws"),
               "--governance", str(path), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "ws").glob("*/*/run.json"))


def test_a_hostile_site_lays_out_escaped_in_the_pdf(tmp_path):
    """Injection payloads, right-to-left text, a 3,000-character URL and 10,000 findings: the
    PDF is written, within the paper, with the text as text and the long lists summarised."""
    site = tmp_path / "site"
    site.mkdir()
    long_path = "/" + "x" * 3000
    rtl = "מדריך המס הרבעוני للشركات الصغيرة"
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    links = "".join(f'<a href="/p{i}.html">p{i}</a> ' for i in range(100))
    (site / "index.html").write_text(
        f"<html><head><title>{rtl} &lt;b&gt;</title></head><body><h1>Home</h1>{links}"
        f'<a href="{long_path}">long</a></body></html>', encoding="utf-8")
    for i in range(100):
        broken = "".join(f"<a href='/gone/{i}/{j}'>{rtl} {j}</a> " for j in range(100))
        (site / f"p{i}.html").write_text(
            f"<html><head><title>{payload.replace('<', '&lt;')} {i}</title></head><body>"
            f"<h1>{rtl} {i}</h1><p>{'word ' * 200}</p>{broken}</body></html>",
            encoding="utf-8")
    server, url = start(0, root=site)
    try:
        proc = aeo("audit", url, "--workspace", str(tmp_path / "ws"), "--out",
                   str(tmp_path / "out"), "--pdf", "--quiet", "--max-pages", "20000",
                   "--concurrency", "16", timeout=900)
    finally:
        server.shutdown()
    assert proc.returncode in (0, 4), proc.stderr
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]
    assert len(findings) >= 10_000
    pages = pdf_pages(tmp_path / "out" / "audit.pdf")
    assert {size for _, size in pages} == {A4}
    text = "\n".join(t for t, _ in pages)
    assert "more in findings.csv" in text
    html = (tmp_path / "out" / "audit.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html


def test_the_portfolio_lists_each_site_with_its_trend_and_links(months, tmp_path):
    # a second site whose only run is incomplete (its page budget hit)
    server, url = start(0)
    try:
        aeo("audit", url, "--workspace", str(months / "ws"), "--out", str(tmp_path / "inc"),
            "--max-pages", "2", "--quiet")
    finally:
        server.shutdown()
    out = tmp_path / "portfolio"
    proc = aeo("portfolio", "--workspace", str(months / "ws"), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "<script" not in html and "Northwind &lt;b&gt;Ledger&lt;/b&gt;" in html
    assert "1 new" in html or " new</span>" in html
    assert "<svg" in html and "polyline" in html           # the trend over two runs
    assert "incomplete" in html and "none complete" in html
    links = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert len(links) >= 3
    for link in links:
        assert (out / link).resolve().is_file(), link


def test_portfolio_and_branded_report_in_a_browser(months, browser, tmp_path):
    out = tmp_path / "pf"
    assert aeo("portfolio", "--workspace", str(months / "ws"), "--out", str(out)).returncode == 0
    for file in (out / "portfolio.html", months / "m2" / "audit.html"):
        page, events = open_page(browser, file)
        assert page.evaluate("document.scripts.length") == 0
        assert [u for u in events["requests"] if not u.startswith("data:")] == \
            [file.resolve().as_uri()]
        assert events["console"] == []
        if file.name == "audit.html":
            assert page.evaluate("document.querySelector('header img').naturalWidth") == 4
            assert "Prepared for Northwind <b>Ledger</b>" in page.inner_text("header")
            assert page.locator("#executive").bounding_box()["y"] < 400
        else:
            links = page.locator("a")
            assert links.count() >= 2
            first = links.first.get_attribute("href")
            with page.expect_navigation():
                links.first.click()
            assert page.url.endswith("audit.html") and first.endswith("audit.html")
            assert "AEO content audit" in page.inner_text("h1")
        page.close()


def test_no_workspace_is_one_line(tmp_path):
    proc = aeo("portfolio", "--workspace", str(tmp_path / "none"))
    assert proc.returncode == 2 and "no workspace" in proc.stderr


# -- monthly without cron ---------------------------------------------------------------------
def _systemctl(tmp_path: Path, fail: bool = False) -> dict:
    calls = tmp_path / "calls.txt"
    stub = tmp_path / "systemctl"
    stub.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\n" + ("echo 'Failed to connect to "
                    "bus: No medium found' >&2\nexit 1\n" if fail else "exit 0\n"))
    stub.chmod(0o755)
    return {"AEO_SYSTEMD_DIR": str(tmp_path / "units"), "AEO_SYSTEMCTL": str(stub),
            "AEO_CRONTAB_FILE": str(tmp_path / "crontab")}


def test_schedule_with_systemd_writes_enables_lists_and_removes(tmp_path):
    env = _systemctl(tmp_path)
    url = "https://example.com/"
    proc = aeo("schedule", url, "--monthly", "--systemd", "--scope", "user", "--day", "5",
               "--out", str(tmp_path / "reports"), "--workspace", str(tmp_path / "ws"),
               "--portfolio", str(tmp_path / "pf"), env=env)
    assert proc.returncode == 0, proc.stderr
    timers = list((tmp_path / "units" / "user").glob("aeo-audit-*.timer"))
    assert len(timers) == 1
    timer = timers[0].read_text()
    assert "OnCalendar=*-*-05 06:00:00" in timer and "Persistent=true" in timer
    service = timers[0].with_suffix(".service").read_text()
    script = Path(service.split('ExecStart=/bin/sh "', 1)[1].split('"', 1)[0])
    body = script.read_text()
    assert "-m aeo audit https://example.com/ --quiet" in body
    assert '/"$(date +%Y-%m)"' in body and "-m aeo portfolio" in body
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert calls == ["--user daemon-reload", f"--user enable --now {timers[0].name}"]
    listed = aeo("schedule", "--list", env=env)
    assert "https://example.com/ (systemd user timer)" in listed.stdout
    removed = aeo("schedule", url, "--remove", env=env)
    assert removed.returncode == 0 and "systemd" in removed.stdout
    assert not list((tmp_path / "units" / "user").glob("aeo-audit-*")) and not script.exists()
    assert f"--user disable --now {timers[0].name}" in (tmp_path / "calls.txt").read_text()


def test_a_systemctl_that_fails_leaves_nothing_behind(tmp_path):
    env = _systemctl(tmp_path, fail=True)
    proc = aeo("schedule", "https://example.com/", "--monthly", "--systemd", "--scope",
               "system", "--out", str(tmp_path / "r"), "--workspace", str(tmp_path / "ws"),
               env=env)
    assert proc.returncode == 2 and "No medium found" in proc.stderr
    assert not list((tmp_path / "units").rglob("aeo-audit-*"))
    assert not list((tmp_path / "ws").rglob("*.sh"))


def test_brand_text_keeps_joiners_and_no_break_spaces():
    from aeo.branding import branding_of

    b = branding_of({"client": "Café\u00a0Noir\tSA", "prepared_by": "مهرآفرین\u200cپارس"})
    assert b.client == "Café Noir SA" and b.prepared_by == "مهرآفرین\u200cپارس"


def test_percent_signs_and_dollars_survive_cron_and_systemd(tmp_path):
    env = _systemctl(tmp_path)
    url = "https://example.com/caf%C3%A9"
    ws = tmp_path / "ws $HOME 100%"
    proc = aeo("schedule", url, "--monthly", "--out", str(tmp_path / "r"), "--workspace",
               str(ws), "--portfolio", str(tmp_path / "pf"), env=env)
    assert proc.returncode == 0, proc.stderr
    line = (tmp_path / "crontab").read_text().splitlines()[-1]
    assert "%" not in line.replace("\\%", "")          # every % escaped for cron
    assert "caf\\%C3\\%A9" in line and 'date +\\%Y-\\%m' in line
    command = line.split(" ", 5)[5].replace("\\%", "%").split(" # aeo-audit", 1)[0]
    assert subprocess.run(["sh", "-n", "-c", command]).returncode == 0
    assert url in aeo("schedule", "--list", env=env).stdout
    proc = aeo("schedule", url, "--monthly", "--systemd", "--scope", "user", "--out",
               str(tmp_path / "r"), "--workspace", str(ws), env=env)
    assert proc.returncode == 0, proc.stderr
    service = next((tmp_path / "units" / "user").glob("*.service")).read_text()
    assert "ws $$HOME 100%%" in service
    removed = aeo("schedule", url, "--remove", env=env)
    assert removed.returncode == 0 and "cron and systemd" in removed.stdout
    assert not list((ws / "schedules").glob("*.sh"))
    assert "aeo-audit" not in (tmp_path / "crontab").read_text()
