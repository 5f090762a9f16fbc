"""The bundled demo site, audited end to end: every rule of every pillar fires exactly where
planted (FR004 needs a previous run: tests/test_attribution.py), the output files are written,
and stored runs re-analyze and re-report without fetching anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lhtml

ROOT = Path(__file__).resolve().parents[1]
PLANTED = json.loads((ROOT / "demo" / "planted.json").read_text())
ACC_IDS = [f"ACC{i:03d}" for i in range(1, 11)] + ["ACC117"]
SD_IDS = [f"SD{i:03d}" for i in range(1, 11)]
EN_IDS = [f"EN{i:03d}" for i in range(1, 7)]
QA_IDS = [f"QA{i:03d}" for i in range(1, 7)] + [f"CI{i:03d}" for i in range(1, 4)]
AT_IDS = [f"AT{i:03d}" for i in range(1, 8)] + [f"FR{i:03d}" for i in (1, 2, 3, 5)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    proc = subprocess.run([sys.executable, "-m", "aeo", "demo", "--workspace", str(tmp / "ws"),
                           "--out", str(tmp / "out"), "--as-of", "2026-11-22", "--quiet"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    return tmp, proc


def _paths(findings, rule):
    out = set()
    for f in findings:
        if f["rule"] == rule:
            out.add(urlsplit(f["url"]).path or "/")
    return out


def test_demo_writes_the_output_files_and_prints_the_report_path(demo):
    tmp, proc = demo
    assert proc.returncode == 0, proc.stderr
    out = tmp / "out"
    for name in ("audit.html", "findings.json", "findings.csv", "pages.csv", "entities.csv"):
        assert (out / name).is_file()
    assert proc.stdout.strip().splitlines()[-1] == str((out / "audit.html").resolve())


@pytest.mark.parametrize("rule", ACC_IDS + SD_IDS + EN_IDS + QA_IDS + AT_IDS)
def test_rules_fire_exactly_where_planted(demo, rule):
    tmp, _ = demo
    data = json.loads((tmp / "out" / "findings.json").read_text())
    planted = {p["path"] for p in PLANTED["problems"] if p["rule"] == rule}
    assert _paths(data["findings"], rule) == planted


def test_findings_json_follows_the_contract(demo):
    tmp, _ = demo
    data = json.loads((tmp / "out" / "findings.json").read_text())
    assert set(data) >= {"tool", "run", "governance", "scores", "priorities", "findings",
                         "comparison"}
    run = data["run"]
    assert run["as_of"] == "2026-11-22" and run["complete"] is True
    assert run["pages_crawled"] >= 40 and run["pages_analyzed"] >= 40
    assert 0 <= data["scores"]["overall"] <= 100
    assert set(data["scores"]["pillars"]) == {"ACCESS", "STRUCT", "ENTITY", "QA", "ATTR",
                                              "FRESH", "CITE"}
    ranks = [p["rank"] for p in data["priorities"]]
    assert ranks == list(range(1, len(ranks) + 1))
    scores = [p["score"] for p in data["priorities"]]
    assert scores == sorted(scores, reverse=True)
    for f in data["findings"]:
        assert f["severity"] in ("critical", "high", "medium", "low")
        assert f["evidence"] and f["detail"] and f["engines"]
    # critical access problems come first
    assert data["priorities"][0]["rule"] in ("ACC001", "ACC004", "ACC010")


def test_pages_csv_has_the_contract_columns(demo):
    tmp, _ = demo
    import csv
    rows = list(csv.DictReader(open(tmp / "out" / "pages.csv", encoding="utf-8")))
    need = {"url", "status", "page_type", "title", "word_count", "author", "date_published",
            "date_modified", "schema_types", "question_headings", "findings"}
    assert need <= set(rows[0])
    types = {urlsplit(r["url"]).path: r["page_type"] for r in rows}
    assert types["/"] == "home" and types["/about"] == "about" and types["/faq"] == "faq"
    assert types["/blog/bank-reconciliation"] == "article"
    assert types["/authors/maria-okafor"] == "author" and types["/privacy"] == "legal"
    assert types["/blog/"] == "listing" and types["/products/invoicing"] == "product"
    assert types["/contact"] == "contact" and types["/tag/payroll"] == "listing"


def test_findings_json_names_the_organization_and_its_variants(demo):
    tmp, _ = demo
    ident = json.loads((tmp / "out" / "findings.json").read_text())["identity"]
    assert ident["name"] == "Northwind Ledger"
    assert {"NorthwindLedger", "Northwind Inc"} <= set(ident["variants"])
    assert ident["variants"]["Northwind Inc"]["markup"] == 1


def test_findings_json_carries_the_author_matrix(demo):
    tmp, _ = demo
    authors = json.loads((tmp / "out" / "findings.json").read_text())["authors"]
    sam = authors["sam lee"]
    assert sam["profile_page"].endswith("/authors/sam-lee") and sam["credentials"] == []
    maria = authors["maria okafor"]
    assert "jobTitle" in maria["props"] and maria["credentials"]
    # the CMS account in a byline is no author: not in the table, reported by AT006 instead
    assert "admin" not in authors
    findings = json.loads((tmp / "out" / "findings.json").read_text())["findings"]
    assert any(f["rule"] == "AT006" and "admin" in f["evidence"].lower() for f in findings)


def test_entities_csv_holds_every_node_with_references_resolved(demo):
    tmp, _ = demo
    import csv
    rows = list(csv.DictReader(open(tmp / "out" / "entities.csv", encoding="utf-8")))
    assert {"url", "node", "syntax", "types", "id", "parent", "property", "name",
            "properties", "references"} <= set(rows[0])
    assert {r["syntax"] for r in rows} == {"json-ld", "microdata", "opengraph"}
    home = [r for r in rows if urlsplit(r["url"]).path == "/" and r["types"] == "Organization"]
    assert home and home[0]["id"].endswith("/#org") and home[0]["name"] == "Northwind Ledger"
    # a blog post's publisher points at the home page's organization, resolved across the site
    post = [r for r in rows if r["url"].endswith("/blog/quarterly-tax-guide")
            and r["types"] == "BlogPosting"][0]
    root = post["url"].split("/blog/")[0] + "/"
    assert post["references"] == f"{root}#org -> {root}#0"
    # nested items are rows of their own, pointing at their parent
    author = [r for r in rows if r["url"].endswith("/blog/late-invoices")
              and r["types"] == "Person"][0]
    assert author["property"] == "author" and author["parent"] == "0"


def test_report_is_self_contained_and_escaped(demo):
    tmp, _ = demo
    text = (tmp / "out" / "audit.html").read_text()
    doc = lhtml.fromstring(text)
    assert doc.xpath("//script") == []
    assert doc.xpath("//meta[@http-equiv='Content-Security-Policy']")
    for el in doc.xpath("//*[@src]"):
        raise AssertionError(f"external resource {el.get('src')}")
    for href in doc.xpath("//a/@href"):
        assert href.startswith(("http://", "https://", "#"))
    assert "ACC010" in text and "PerplexityBot" in text


def test_stored_run_reanalyzes_and_reports_offline(demo, tmp_path):
    tmp, _ = demo
    ws = tmp / "ws"
    run = next(ws.glob("*/*/run.json")).parent  # the demo server is gone: nothing to fetch
    for cmd in (["analyze", str(run)], ["report", str(run), "--out", str(tmp_path)]):
        r = subprocess.run([sys.executable, "-m", "aeo", *cmd, "--workspace", str(ws), "-q"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    again = json.loads((tmp_path / "findings.json").read_text())
    first = json.loads((tmp / "out" / "findings.json").read_text())
    key = lambda d: sorted((f["rule"], f["url"]) for f in d["findings"])  # noqa: E731
    assert key(again) == key(first)


def test_governance_file_changes_severity_and_disables_rules(demo, tmp_path):
    tmp, _ = demo
    gov = tmp_path / "client.toml"
    gov.write_text('[rules.ACC003]\nenabled = false\n[rules.ACC007]\nseverity = "high"\n'
                   '[settings]\nrequired_bots = ["OAI-SearchBot"]\n')
    run = next((tmp / "ws").glob("*/*/run.json")).parent
    r = subprocess.run([sys.executable, "-m", "aeo", "report", str(run), "--out", str(tmp_path / "o"),
                        "--workspace", str(tmp / "ws"), "--governance", str(gov), "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "o" / "findings.json").read_text())
    rules = {f["rule"] for f in data["findings"]}
    assert "ACC003" not in rules and "ACC001" not in rules and "ACC010" not in rules
    assert {f["severity"] for f in data["findings"] if f["rule"] == "ACC007"} == {"high"}
    assert data["governance"]["settings"]["required_bots"] == ["OAI-SearchBot"]
