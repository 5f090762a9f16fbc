"""CITE: does the content show its evidence: sources for its numbers, links out, credited
quotes? CI001 to CI003 of RULES.md. They read the citation facts of analyzers/answers.py."""

from __future__ import annotations

import re

from aeo.facts.records import Answers, PageFacts, Quote, SiteFacts, Statistic
from aeo.facts.text import METRIC, SETTING, THIRD_PARTY
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Verdict, failed, rule
from aeo.rules.evidence import join_evidence, quoted

ALL = ("all",)


OWN_WORK = re.compile(r"\b(?:how\s+)?we\s+(?:\w+\s+)?(?:built|build|improved|improve|rebuilt|"
                      r"made|scaled|reduced|cut|migrated|optimi[sz]ed|sped up|implemented|"
                      r"designed|measured|benchmarked)\b", re.I)
WORK_NOUN = re.compile(r"\b(?:implementation|internals|architecture|under the hood|deep dive|"
                       r"benchmarks?|performance|optimi[sz]ations?|improvements?|engine room)\b",
                       re.I)
_NOT_BRAND_WORDS = {"apache", "the", "blog", "docs", "documentation", "inc", "ltd", "home",
                    "official", "site", "website", "news"}


def _brand_words(site) -> list[str]:
    """The distinctive words of the site's name ('Apache Flink' -> Flink, 'Django 3.2.25
    documentation' -> Django)."""
    name = site.identity.name
    return [w for w in re.findall(r"[A-Z][\w-]{2,}", name) if w.lower() not in _NOT_BRAND_WORDS]


@rule(id="CI001", name="Statistic without a source", pillar="CITE", scope="page",
      severity="medium", engines=ALL, page_types=("article", "faq"),
      why="Answer engines prefer claims they can verify, and cite the original source rather "
          "than a page that repeats a number without one. An unsourced statistic is skipped "
          "or attributed to someone else. The product's own settings ('by default, 10% of the "
          "heap'), the results of the code the page shows ('an accuracy of 90%') and release "
          "notes' figures about the release are their own source.",
      fix="Name or link the source in the same sentence or the next: 'according to the FSB's "
          "2025 survey of 1,000 businesses', with a link to it.",
      before="Businesses that add payment links get paid 40% faster.",
      after="Businesses that add payment links get paid 40% faster, according to <a "
            "href=\"https://example.org/study\">Acme's 2025 payments study</a>.",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("unsourced percentage", True, page={"answers": Answers(stats=(
              Statistic("Businesses get paid 40% faster.", "percentage"),))}),
          Example("linked source", False, page={"answers": Answers(stats=(
              Statistic("Businesses get paid 40% faster, says the FSB study.", "percentage",
                        "link"),))}),
      ))
def ci001(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    stats = page.answers.stats
    if not stats or page.dated_kind == "release":
        return NOT_APPLICABLE     # release notes measure the project's own changes: they are the source
    # a figure about the site's own product, on its own site ('Flink's throughput doubled'),
    # is its own to state
    names = [re.compile(rf"\b{re.escape(w)}\b") for w in _brand_words(site)]
    # ... as is every figure of an engineering write-up about the site's own work ('How we
    # improved scheduler performance', 'Sort-based blocking shuffle implementation in
    # Flink'), unless it counts people or firms or reports someone else's
    headline = page.h1[0] if page.h1 else ""
    own_post = bool(OWN_WORK.search(headline)) or (
        any(n.search(headline) for n in names) and bool(WORK_NOUN.search(headline)))

    def own(stat: Statistic) -> bool:
        sentence = stat.sentence
        if stat.kind == "count" or THIRD_PARTY.search(sentence):
            return False
        return own_post or (any(n.search(sentence) for n in names)
                            and bool(METRIC.search(sentence) or SETTING.search(sentence)))

    bare = [s for s in stats if not s.source and not own(s)]
    if not bare:
        return PASSED
    return failed(Hit(evidence=join_evidence((quoted(s.sentence) + f" ({s.kind})" for s in bare), 4),
                      detail=f"{len(bare)} of {len(stats)} statistic(s) name or link no source."))


@rule(id="CI002", name="Long article that links to no other site", pillar="CITE",
      scope="page", severity="medium", engines=ALL, page_types=("article",),
      why="Links to primary sources (studies, regulators, documentation) are how engines and "
          "readers check a page. A long article that cites nothing outside the site reads as "
          "opinion.",
      fix="Link the claims to their sources in the text: laws to the regulator, numbers to the "
          "study, product facts to the vendor's documentation.",
      before="(900 words, only links to our own pages)",
      after="...the deadlines are set by the <a href=\"https://www.irs.gov/...\">IRS</a>...",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("900 words, no external link", True, page={"main_word_count": 900,
                                                              "answers": Answers()}),
          Example("links to a regulator", False, page={
              "main_word_count": 900, "answers": Answers(
                  external_links=("https://www.irs.gov/",))}),
      ))
def ci002(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.main_word_count <= gov["cite_min_words"]:
        return NOT_APPLICABLE
    if page.answers.external_links:
        return PASSED
    internal = sum(len(b.anchors) for b in page.main_blocks)
    return failed(Hit(evidence=f"{page.main_word_count} words of main content; {internal} link(s) in "
                               "it, none to another site (navigation, header and footer not counted)",
                      detail="A long article with no link to any other site in its main content."))


@rule(id="CI003", name="Quotation not attributed", pillar="CITE", scope="page",
      severity="low", engines=ALL,
      why="A quotation is evidence only when it is someone's. Engines attribute quotes to "
          "named people and organizations; an anonymous one is dropped or misattributed.",
      fix="Credit the quote in the same block: the person's name and role, or the "
          "organization, ideally with a link.",
      before="<blockquote>\"Late payments have almost disappeared.\"</blockquote>",
      after="<blockquote>\"Late payments have almost disappeared.\" <cite>Dana Whitfield, "
            "owner of Whitfield Plumbing</cite></blockquote>",
      references=("https://developer.mozilla.org/en-US/docs/Web/HTML/Element/cite",),
      examples=(
          Example("anonymous quote", True, page={"answers": Answers(quotes=(Quote(
              "Every invoice we send now carries a payment link, and it works.", 12),))}),
          Example("short scare quote", None, page={"answers": Answers(quotes=(Quote(
              "so-called smart invoices", 3),))}),
          Example("credited quote", False, page={"answers": Answers(quotes=(Quote(
              "Every invoice we send now carries a payment link, and it works.", 12,
              "Dana Whitfield"),))}),
      ))
def ci003(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.dated_kind == "release":   # issue titles and interface strings, quoted
        return NOT_APPLICABLE
    quotes = [q for q in page.answers.quotes if q.words >= gov["quote_min_words"]]
    if not quotes:
        return NOT_APPLICABLE
    anonymous = [q for q in quotes if not q.credited]
    if not anonymous:
        return PASSED
    return failed(Hit(evidence="; ".join(quoted(q.text) for q in anonymous[:3]),
                      detail=f"{len(anonymous)} quotation(s) credit no person or organization."))
