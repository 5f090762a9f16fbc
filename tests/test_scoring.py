"""Scores and priorities on literal rule outcomes."""

from __future__ import annotations

from aeo.governance import load_governance
from aeo.records import Finding, RuleOutcome
from aeo.reports.scoring import (
    compute_scores,
    expected_overall,
    fix_first,
    leave_alone,
    prioritize,
)
from aeo.rules.base import all_rules, make_page, make_site

RULES = all_rules()
GOV = load_governance()


def _f(rule, url, sev):
    return Finding(rule, "ACCESS", sev, ("all",), url, "article", "e", "d")


def _pages(n):
    return [make_page(url=f"https://example.com/p{i}") for i in range(n)]


def test_pillar_score_is_severity_weighted_pass_rate():
    outcomes = [RuleOutcome("ACC001", "ACCESS", 1, 1), RuleOutcome("ACC009", "ACCESS", 40, 1),
                RuleOutcome("ACC007", "ACCESS", 30, 2), RuleOutcome("ACC006", "ACCESS", 0, 0),
                RuleOutcome("ACC003", "ACCESS", 0, 0, error="boom")]
    s = compute_scores(outcomes, GOV, RULES)
    assert s.pillars["ACCESS"] == round(100 * (10 * 0 + 6 * 39 / 40 + 1 * 28 / 30) / 17, 1)
    assert s.rules["ACC006"] is None and s.rules["ACC003"] is None
    assert s.pillars["STRUCT"] is None and s.overall == s.pillars["ACCESS"]


def test_critical_single_page_outranks_informational_site_wide_and_low_never_fixes_first():
    pages = _pages(25)
    outcomes = [
        RuleOutcome("ACC004", "ACCESS", 25, 1, (_f("ACC004", pages[0].url, "critical"),)),
        RuleOutcome("ACC002", "ACCESS", 1, 1, (Finding("ACC002", "ACCESS", "low", ("all",),
                                                       "https://example.com/robots.txt", "other",
                                                       "e", "d", tuple(p.url for p in pages)),)),
        RuleOutcome("ACC007", "ACCESS", 25, 20, tuple(_f("ACC007", p.url, "low") for p in pages[:20])),
    ]
    pr = prioritize(outcomes, pages, make_site(), GOV, RULES)
    assert [p.rule for p in pr][0] == "ACC004"
    assert [p.rule for p in fix_first(pr)] == ["ACC004"]
    assert {p.rule for p in leave_alone(pr)} == {"ACC002", "ACC007"}


def test_expected_overall_is_the_score_with_the_rule_passing():
    outcomes = [RuleOutcome("ACC001", "ACCESS", 1, 1), RuleOutcome("ACC007", "ACCESS", 10, 5)]
    assert compute_scores(outcomes, GOV, RULES).overall < expected_overall(outcomes, "ACC001", GOV, RULES)
    assert expected_overall(outcomes, "ACC001", GOV, RULES) == round(100 * (10 + 0.5) / 11, 1)
