"""Scores and priorities on literal rule outcomes."""

from __future__ import annotations

from dataclasses import replace

from aeo.facts.records import Finding, RuleOutcome
from aeo.governance import load_governance
from aeo.reports.scoring import (
    compute_scores,
    expected_overall,
    fix_first,
    leave_alone,
    prioritize,
)
from aeo.rules.base import all_rules, make_page, make_site

RULES = all_rules()
# the mechanics of scoring and priorities, every rule scored (the precision bar is tested
# on its own below / in test_scoring)
GOV = replace(load_governance(), settings={**load_governance().settings, "precision_bar": 0.0})


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


def test_an_advisory_rule_is_shown_not_scored_nor_prioritized():
    """A rule under the precision bar (its measured precision on judged real sites) neither
    moves the score nor takes a Fix first place; at bar 0 it counts like any other."""
    advisory = next(r for r in RULES.values() if r.advisory)
    scored = next(r for r in RULES.values() if r.precision and not r.advisory
                  and r.pillar == advisory.pillar)
    outcomes = [RuleOutcome(advisory.id, advisory.pillar, 10, 10,
                            tuple(_f(advisory.id, f"https://example.com/p{i}", "high")
                                  for i in range(10))),
                RuleOutcome(scored.id, scored.pillar, 10, 0)]
    default = load_governance()
    assert compute_scores(outcomes, default, RULES).pillars[advisory.pillar] == 100.0
    assert compute_scores(outcomes, GOV, RULES).pillars[advisory.pillar] < 100.0
    assert advisory.id not in {p.rule for p in prioritize(outcomes, _pages(10), make_site(),
                                                          default, RULES)}
    assert advisory.id in {p.rule for p in prioritize(outcomes, _pages(10), make_site(), GOV,
                                                      RULES)}
