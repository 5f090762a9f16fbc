"""The report of a site larger than the report shows: every finding is in findings.json and
findings.csv, the HTML shows the first 200 of a rule and says how many more there are, and
pages.csv lists every page. (Memory at 10,000 and 100,000 pages is a benchmark: README,
Performance.)"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

from bench import generate
from conftest import run_aeo
from page_profile import PROFILE_MEASURED

from aeo.demo.serve import start

N = 230


def test_a_rule_on_every_page_is_summarized_in_html_and_complete_in_the_exports(tmp_path):
    generate(tmp_path / "site", N, PROFILE_MEASURED["median"])   # pages of real weight
    server, url = start(0, root=tmp_path / "site")
    try:
        r = run_aeo(url, tmp_path, "--max-pages", "1000", timeout=600)
    finally:
        server.shutdown()
    assert r.code == 0, r.stderr
    out = r.out
    data = json.loads((out / "findings.json").read_text())
    by_rule = Counter(f["rule"] for f in data["findings"])
    big = [rule for rule, n in by_rule.items() if n > 200]
    assert big, f"no rule fired on more than 200 pages: {by_rule}"
    with open(out / "findings.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert Counter(row["rule"] for row in rows) == by_rule
    with open(out / "pages.csv", newline="", encoding="utf-8") as fh:
        pages = list(csv.DictReader(fh))
    assert len(pages) == N + 1
    assert sum(int(p["findings"]) for p in pages) == sum(
        1 for f in data["findings"] if f["url"] in {p["url"] for p in pages})
    html = (out / "audit.html").read_text()
    for rule in big:
        # the rule's card (or its advisory block), up to the next rule's
        card = html.split(f'id="rule-{rule}"', 1)[1].split('id="rule-', 1)[0]
        assert f"{by_rule[rule]} findings" in card
        assert len(re.findall(r'<tr class="f ', card)) == 200
        assert f"and {by_rule[rule] - 200} more in findings.csv" in card
    outcome = {o["rule"]: o for o in data["rules"]}
    for rule in big:
        assert outcome[rule]["failed"] >= 200
