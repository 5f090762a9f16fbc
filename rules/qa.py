"""QA: is the content shaped the way answer engines lift answers: question headings, the answer
first, FAQ markup, a clean outline, quotable chunks, a summary up top? QA001 to QA006 of
RULES.md. They read the page's sections and main-text blocks (analyzers/answers.py)."""

from __future__ import annotations

import re

from aeo.facts.entities import EntityNode
from aeo.facts.records import (
    PAGE_TYPES,
    RECORDS,
    Answers,
    Block,
    FaqDom,
    PageFacts,
    Section,
    SiteFacts,
)
from aeo.facts.text import FAQ_HEADING, n_words
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Verdict, failed, rule
from aeo.rules.evidence import first_words, join_evidence

ALL = ("all",)
FILLER = re.compile(
    r"^(?:(?:great|good|excellent|fantastic) question\b|in this (?:article|post|guide|section|"
    r"blog(?: post)?|piece)\b|before (?:we|i) (?:answer|dive|get|start|begin|jump)\b|"
    r"let['’]?s (?:dive in|dive into|take a (?:closer )?look|start|get started|begin|explore|"
    r"break (?:it|this) down)\b|as you (?:may|might) (?:know|have heard|already know)\b|"
    r"we (?:often|frequently|always) get asked\b|well,|so,|first of all,|"
    r"this is a (?:great|good|common) question\b|you(?:['’]ve| have) probably wondered\b)",
    re.I)
IT_DEPENDS = re.compile(r"^it (?:all |really )?depends\b([^.!?]*)", re.I)
VAGUE_DEPENDS = re.compile(r"^\s*(?:on (?:a lot of|many|several|various|a (?:few|number of)|"
                           r"lots of|so many) (?:things|factors|variables)|[.!?]?\s*$)", re.I)
SUMMARY_LABEL = re.compile(r"^\s*(?:tl;?dr|key takeaways?|summary|in short|at a glance|"
                           r"in brief|the short answer|bottom line|quick answer)\b", re.I)


def filler_of(text: str) -> str:
    m = FILLER.match(text.strip())
    if m:
        return m.group(0).rstrip(",")
    d = IT_DEPENDS.match(text.strip())
    if d and VAGUE_DEPENDS.match(d.group(1)):
        return "It depends" + d.group(1)[:40]
    return ""


def _sec(level, heading, question, parent, blocks):
    return Section(level, heading, question, parent, tuple(blocks))


@rule(id="QA001", name="Long page without question headings", pillar="QA", scope="page",
      severity="medium", engines=ALL, page_types=("article", "faq"),
      why="People ask answer engines questions. A heading phrased as the question ('How do "
          "payment links speed up collection?') tells the engine which passage answers it; a "
          "long page of statement headings leaves the match to chance.",
      fix="Rephrase the main subheadings as the questions readers ask, and answer each one in "
          "the paragraph right below it.",
      before="<h2>Reconcile every account</h2>",
      after="<h2>How do you reconcile every account before year end?</h2>",
      references=("https://developers.google.com/search/docs/appearance/ai-features",),
      examples=(
          Example("900 words, no question", True, page={"main_word_count": 900, "sections": (
              _sec(0, "", False, None, []), _sec(2, "Reconcile every account", False, 0, [1]))}),
          Example("has a question heading", False, page={"main_word_count": 900, "sections": (
              _sec(0, "", False, None, []), _sec(2, "How do you reconcile?", True, 0, [1]))}),
      ))
def qa001(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.main_word_count <= gov["qa_min_words"] or page.dated_kind in RECORDS:
        return NOT_APPLICABLE     # release notes, advisories, recaps: their headings name what changed
    if any(s.question for s in page.sections):
        return PASSED
    heads = [s.heading for s in page.sections if s.level >= 2][:4]
    return failed(Hit(evidence=f"{page.main_word_count} words; headings: "
                               + ("; ".join(f"'{h[:60]}'" for h in heads) if heads else "none"),
                      detail=f"A {page.main_word_count}-word page with no heading phrased as a "
                             "question."))


@rule(id="QA002", name="Question heading not followed by a direct answer", pillar="QA",
      scope="page", severity="medium", engines=ALL,
      why="Engines quote the first paragraph under a question heading as the answer. If it is "
          "missing, too long to quote, or opens with a pleasantry, the page loses the snippet "
          "to one that answers first.",
      fix="Put a direct answer of one to three sentences right under each question heading; "
          "details and caveats come after.",
      before="<h2>Is accrual accounting right for you?</h2><p>Great question! Before we "
             "answer, let's take a look at...</p>",
      after="<h2>Is accrual accounting right for you?</h2><p>Yes, if you hold inventory, "
            "invoice on credit or plan to raise money; otherwise cash accounting is simpler."
            "</p>",
      references=("https://developers.google.com/search/docs/appearance/featured-snippets",),
      examples=(
          Example("filler opening", True, page={
              "main_blocks": (Block("h2", "Is it right for you?"),
                              Block("p", "Great question! Before we answer, let's look.")),
              "sections": (_sec(0, "", False, None, []),
                           _sec(2, "Is it right for you?", True, 0, [1]))}),
          Example("no answer before the next heading", True, page={
              "main_blocks": (Block("h2", "Is it right for you?"),
                              Block("h3", "Costs"),
                              Block("p", "It costs little.")),
              "sections": (_sec(0, "", False, None, []),
                           _sec(2, "Is it right for you?", True, 0, []),
                           _sec(3, "Costs", False, 1, [2]))}),
          Example("direct answer", False, page={
              "main_blocks": (Block("h2", "Is it right for you?"),
                              Block("p", "Yes, if you hold inventory or sell on credit.")),
              "sections": (_sec(0, "", False, None, []),
                           _sec(2, "Is it right for you?", True, 0, [1]))}),
      ))
def qa002(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    questions = [s for s in page.sections if s.question and s.level >= 2]
    if not questions:
        return NOT_APPLICABLE
    limit = gov["answer_max_words"]
    problems = []
    for s in questions:
        head = f"'{s.heading[:80]}'"
        if not s.blocks:
            problems.append(f"{head}: no answer before the next heading")
            continue
        first = page.main_blocks[s.blocks[0]]
        if first.kind != "p":
            continue   # a list or table answering right away is a direct answer
        words = n_words(first.text)
        filler = filler_of(first.text)
        if filler:
            problems.append(f"{head}: opens with filler '{filler}': \"{first_words(first.text)}\" "
                            f"({words} words)")
        elif words > limit:
            problems.append(f"{head}: the first paragraph runs {words} words (over {limit}): "
                            f"\"{first_words(first.text)}\"")
    if not problems:
        return PASSED
    return failed(Hit(evidence=join_evidence(problems, 5),
                      detail=f"{len(problems)} of {len(questions)} question heading(s) are not "
                             "followed by a direct answer."))


@rule(id="QA003", name="Visible FAQ without FAQPage or QAPage markup", pillar="QA",
      scope="page", severity="low", engines=("chatgpt", "perplexity", "claude", "copilot"),
      page_types=PAGE_TYPES,
      why="Google stopped showing FAQ rich results in 2026, so this does nothing for Google "
          "Search; other answer engines still read FAQPage markup to pair each question with "
          "its answer.",
      fix="Describe the visible questions and answers with FAQPage JSON-LD (QAPage for a "
          "single user-submitted question), with the same text as the page.",
      before="<details><summary>Can I change my plan?</summary>Yes, any time.</details> "
             "(no markup)",
      after='{"@type": "FAQPage", "mainEntity": [{"@type": "Question", "name": "Can I change '
            'my plan?", "acceptedAnswer": {"@type": "Answer", "text": "Yes, any time."}}]}',
      references=("https://developers.google.com/search/docs/appearance/structured-data/faqpage",),
      examples=(
          Example("four details pairs, no markup", True, page={
              "answers": Answers(faq_dom=FaqDom(details=4))}),
          Example("FAQ heading with three questions, no markup", True, page={"sections": (
              _sec(0, "", False, None, []), _sec(2, "FAQ", False, 0, []),
              _sec(3, "Can I?", True, 1, []), _sec(3, "Is it?", True, 1, []),
              _sec(3, "Does it?", True, 1, []))}),
          Example("Q:/A: paragraphs on a product page", True, page={
              "page_type": "product", "answers": Answers(faq_dom=FaqDom(qa=3))}),
          Example("marked up", False, page={
              "answers": Answers(faq_dom=FaqDom(details=4)),
              "entities": (EntityNode(0, "json-ld", ("FAQPage",), block=0),)}),
      ))
def qa003(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    dom = page.answers.faq_dom
    found = [f"{n} <{tag}> question-and-answer pairs" for tag, n in
             (("details", dom.details), ("dl", dom.dl), ("accordion", dom.accordion)) if n >= 3]
    if dom.qa >= 3:
        found.append(f"{dom.qa} 'Q: ... A: ...' pairs")
    for i, s in enumerate(page.sections):
        if s.level and FAQ_HEADING.search(s.heading):
            kids = [c for c in page.sections if c.parent == i and c.question]
            if len(kids) >= 3:
                found.append(f"'{s.heading[:60]}' with {len(kids)} question sub-headings")
    if not found:
        return NOT_APPLICABLE
    types = {t for n in page.entities for t in n.types}
    if types & {"FAQPage", "QAPage"}:
        return PASSED
    return failed(Hit(evidence="; ".join(found) + "; no FAQPage or QAPage markup",
                      detail="A visible FAQ has no FAQPage markup (Google no longer shows FAQ rich "
                             "results; other answer engines still read it)."))


@rule(id="QA004", name="Broken heading outline", pillar="QA", scope="page", severity="low",
      engines=ALL,
      why="The heading outline is how engines split a page into passages and find what each "
          "passage is about. No H1, an H1 that follows H2 sections (a section promoted among "
          "its siblings), or skipped levels blur those boundaries. Several H1s alone are valid "
          "HTML, and a clear outline when every section is one; the site's name as a linked "
          "H1 in the header is not an outline heading.",
      fix="One H1 naming the page, H2s for its sections, H3s inside them; never skip a level.",
      before="<h1>Pricing</h1><h4>Starter</h4>", after="<h1>Pricing</h1><h2>Starter</h2>",
      references=("https://developer.mozilla.org/en-US/docs/Web/HTML/Element/Heading_Elements",),
      examples=(
          Example("skipped level", True, page={"headings": ((1, "Pricing"), (2, "Plans"),
                                                            (4, "Starter"))}),
          Example("a section at H1 among H2 sections", True, page={"headings": (
              (1, "Pricing"), (2, "Plans"), (1, "Discounts"), (2, "FAQ"))}),
          Example("every section an H1, consistently", False, page={"headings": (
              (1, "Pricing"), (1, "Plans"), (1, "Discounts"))}),
          Example("an app shell: ACC004's concern", None, page={"headings": (), "app_shell": True,
                                                                 "word_count": 0}),
          Example("clean outline", False, page={"headings": ((1, "Pricing"), (2, "Plans"),
                                                             (3, "Starter"), (2, "FAQ"))}),
      ))
def qa004(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.app_shell and page.word_count < gov["min_raw_text_words"]:
        return NOT_APPLICABLE   # nothing rendered without JavaScript: ACC004 reports that
    if not page.headings:
        return failed(Hit(evidence="no headings at all", detail="The page has no heading outline."))
    problems = []
    h1 = [t for level, t in page.headings if level == 1]
    if not h1:
        problems.append("no H1")
    elif len(set(h1)) > 1:     # a template that prints the same headline twice is one H1
        # several H1s are valid HTML, and a consistent outline when every section is one
        # ('# Section' in markdown); the outline is broken when sections mix H1 and H2
        levels = [level for level, _ in page.headings]
        first_h2 = levels.index(2) if 2 in levels else None
        mixed = [t for i, (level, t) in enumerate(page.headings)
                 if level == 1 and first_h2 is not None and i > first_h2]
        if mixed:
            problems.append(f"{len(h1)} H1s, sections at H1 among H2 sections: "
                            + "; ".join(f"'{t[:50]}'" for t in mixed[:3]))
    prev = None
    for level, text in page.headings:
        if prev is not None and level > prev + 1:
            problems.append(f"H{prev} to H{level} at '{text[:50]}'")
        prev = level
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(problems[:5]),
                      detail="The heading outline is broken: " + problems[0] + "."))


CODE_LISTING_WORDS = 30


def _name_list(text: str) -> bool:
    """A paragraph that is a list written inline: 'Ahmed Hamdy, Alan Sheinberg, Aleksandr
    Pilipenko, ...' (at least 12 comma-separated items of at most three words each)."""
    items = [x.strip() for x in text.split(",")]
    return len(items) >= 12 and sum(1 for x in items if 0 < len(x.split()) <= 3) >= \
        0.9 * len(items)


@rule(id="QA005", name="Text not chunked for extraction", pillar="QA", scope="page",
      severity="low", engines=ALL,
      why="Answer engines quote passages of a few sentences. A 200-word paragraph, or 500 words "
          "without a subheading, list or table, has no passage short enough to lift whole.",
      fix="Split long paragraphs at each new point; give long sections subheadings, lists or a "
          "table.",
      before="<p>(a 230-word paragraph)</p>",
      after="<p>(80 words)</p><ul><li>(point)</li><li>(point)</li></ul><p>(60 words)</p>",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("a 200-word paragraph", True, page={
              "main_blocks": (Block("p", "word " * 200),),
              "sections": (_sec(0, "", False, None, [0]),)}),
          Example("short paragraphs", False, page={
              "main_blocks": (Block("p", "word " * 80),
                              Block("p", "word " * 80)),
              "sections": (_sec(0, "", False, None, [0, 1]),)}),
      ))
def qa005(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not page.main_blocks:
        return NOT_APPLICABLE
    max_p, max_s = gov["max_paragraph_words"], gov["max_section_words"]
    problems = []
    counts = [n_words(b.text) for b in page.main_blocks]
    names = [_name_list(b.text) for b in page.main_blocks]
    for b, w, listed in zip(page.main_blocks, counts, names, strict=True):
        if b.kind == "p" and not listed:
            if w > max_p:
                problems.append(f"a {w}-word paragraph: \"{first_words(b.text, 10)}\"")
    for i, s in enumerate(page.sections):
        # code and lists of names are not prose (a list of names is a list), and a code
        # listing (not a one-line snippet) breaks the prose around it: the longest run of
        # prose is what counts
        words = run = 0
        for j in s.blocks:
            if page.main_blocks[j].kind == "code":
                if counts[j] >= CODE_LISTING_WORDS:
                    run = 0
            elif not names[j]:
                run += counts[j]
                words = max(words, run)
        has_children = any(c.parent == i for c in page.sections)
        # (a definition list is a list: API entries, each under its signature)
        if words > max_s and not has_children and not any(
                page.main_blocks[j].kind in ("li", "table") or page.main_blocks[j].dd or
                names[j] for j in s.blocks):
            where = f"'{s.heading[:60]}'" if s.heading else "the text before the first heading"
            problems.append(f"{words} words under {where} with no subheading, list or table")
    if not problems:
        return PASSED
    return failed(Hit(evidence=join_evidence(problems, 4),
                      detail=f"{len(problems)} passage(s) too long to quote."))


@rule(id="QA006", name="Long article without a summary up top", pillar="QA", scope="page",
      severity="low", engines=ALL, page_types=("article",),
      why="On long articles engines (and readers) look for the gist first. A 'Key takeaways' "
          "or TL;DR block before the first section is the most quotable passage on the page.",
      fix="Add a short summary block (TL;DR, Key takeaways, or a list of the main points) "
          "before the first H2.",
      before="<h1>The complete guide</h1><p>Bookkeeping matters...</p><h2>...</h2>",
      after="<h1>The complete guide</h1><h2>Key takeaways</h2><ul><li>...</li></ul>",
      references=("https://developers.google.com/search/docs/fundamentals/creating-helpful-content",),
      examples=(
          Example("2,000 words, intro only", True, page={"main_word_count": 2000, "main_blocks": (
              Block("h1", "Guide"), Block("p", "Intro text."),
              Block("h2", "Part one"))}),
          Example("key takeaways", False, page={"main_word_count": 2000, "main_blocks": (
              Block("h1", "Guide"), Block("p", "Key takeaways: x, y."),
              Block("h2", "Part one"))}),
      ))
def qa006(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if page.main_word_count <= gov["summary_min_words"]:
        return NOT_APPLICABLE
    top = []
    for b in page.main_blocks:
        # (a heading straight under the H1 that asks nothing is its subtitle)
        subtitle = bool(top) and top[-1].kind == "h1" and not b.text.rstrip().endswith("?")
        if b.kind in ("h2", "h3", "h4", "h5", "h6") and not SUMMARY_LABEL.match(b.text) and \
                not subtitle:
            break
        top.append(b)
    if any(SUMMARY_LABEL.match(b.text) for b in top) or \
            sum(1 for b in top if b.kind == "li") >= 3:
        return PASSED
    return failed(Hit(evidence=f"{page.main_word_count} words; before the first H2: "
                               f"{sum(1 for b in top if b.kind == 'p')} paragraph(s), no TL;DR, "
                               "key takeaways or list of key points",
                      detail="A long article with no summary before its first section."))
