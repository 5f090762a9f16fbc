"""Precision is a property of every rule, measured on real sites written by others: the shared
corpora audited under their real names (as `make precision` does) against the findings judged
by reading the pages (tests/fixtures/judged/SITE.jsonl). A judged false finding must not come
back, a judged true one must not disappear, every rule that fires is judged enough to measure,
and a rule under the precision bar is advisory (not scored, never in Fix first)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from conftest import SHARED
from precision import SITES, load_judged, measured

from aeo.rules.base import PRECISION_BAR, all_rules, measured_precision

pytestmark = pytest.mark.skipif(not (SHARED / "corpora").exists(),
                                reason="../shared/corpora absent")
MIN_JUDGED = 5       # per rule and site, or all of its findings when it has fewer
NAMES = [s.name for s in SITES]


@pytest.fixture(scope="module")
def verdicts(real_site):
    """site -> (audit, judged findings, judged page types, [(finding, judgement or None)])"""
    out = {}
    for name in NAMES:
        audit = real_site(name)
        judged, types = load_judged(name)
        pairs = [(f, judged.get((f["rule"], f["url"]))) for f in audit["findings"]]
        out[name] = (audit, judged, types, pairs)
    return out


def test_no_finding_judged_false_comes_back(verdicts):
    """The findings judged false that the audit still makes are counted per rule in
    rules/data/precision.toml (false): the known ones, to be fixed. One more is a false
    finding come back (or a new one judged false): the test fails and names it."""
    recorded = measured_precision()
    firing: dict[str, list] = defaultdict(list)
    for name, (_, _, _, pairs) in verdicts.items():
        for f, j in pairs:
            if j and j["verdict"] == "FP":
                firing[f["rule"]].append((name, f["url"], j["reason"][:160]))
    worse = {rule: found for rule, found in firing.items()
             if len(found) > recorded.get(rule, {}).get("false", 0)}
    assert not worse, worse


@pytest.mark.parametrize("name", NAMES)
def test_no_finding_judged_true_disappears(verdicts, name):
    audit, judged, _, _ = verdicts[name]
    fired = {(f["rule"], f["url"]) for f in audit["findings"]}
    gone = [k for k, j in judged.items() if j["verdict"] == "TP" and k not in fired]
    assert not gone, gone


@pytest.mark.parametrize("name", NAMES)
def test_every_rule_that_fires_is_judged_enough_to_measure(verdicts, name):
    _, _, _, pairs = verdicts[name]
    fired, judged = Counter(), Counter()
    for f, j in pairs:
        fired[f["rule"]] += 1
        judged[f["rule"]] += j is not None
    short = {r: (judged[r], n) for r, n in fired.items() if judged[r] < min(MIN_JUDGED, n)}
    assert not short, f"rule: (judged, found) on {name}: {short}"


def test_measured_precision_is_recorded_and_scored_rules_meet_the_bar(verdicts):
    """rules/data/precision.toml (what aeo explain shows and what makes a rule advisory) is
    what the judged findings measure now; every rule under the bar is advisory."""
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for _, _, _, pairs in verdicts.values():
        for f, j in pairs:
            if j:
                by_rule[f["rule"]][j["verdict"]] += 1
    now = measured(by_rule)
    recorded = measured_precision()
    stale = {r: (now.get(r), recorded.get(r, {}).get("precision"))
             for r in set(now) | set(recorded)
             if r not in now or r not in recorded
             or abs(now[r][0] - recorded[r]["precision"]) > 0.005
             or now[r][1] != recorded[r]["judged"]}
    assert not stale, f"run `python tests/precision.py --write`: {stale}"
    rules = all_rules()
    for rule, (p, _, _) in now.items():
        assert (p < PRECISION_BAR) == rules[rule].advisory, rule


def test_page_types_do_not_get_worse(verdicts):
    """Page types judged on at least 20 pages a site; accuracy never falls below what was
    recorded (rules/data/precision.toml page_types)."""
    import tomllib

    from aeo.rules.base import PRECISION_FILE

    right = total = 0
    for name, (audit, _, types, _) in verdicts.items():
        assert len(types) >= 20, f"{name}: {len(types)} page types judged"
        tool = {p["url"]: p["page_type"] for p in audit["pages"]}
        right += sum(1 for u, t in types.items() if tool.get(u) == t)
        total += len(types)
    floor = tomllib.loads(PRECISION_FILE.read_text())["page_types"]
    assert right / total >= floor - 0.005, (right, total, floor)
