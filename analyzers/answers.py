"""Answerability facts: the page's sections (a tree over the main-text blocks), which headings
are questions, the visible FAQ structures in the page, and the evidence facts the CITE rules
read (statistics and whether a source is named or linked nearby, quotations and whether
someone is credited).

The sections are built in analyzers/sections.py (aeo/facts/parts.py Section), the citation
facts in analyzers/citations.py and analyzers/quotations.py.
"""

from __future__ import annotations

from lxml import etree

from aeo.analyzers import costs
from aeo.analyzers.citations import citation_facts, external_links
from aeo.analyzers.questions import question_flags
from aeo.analyzers.sections import HEADINGS, build_sections, faq_structures
from aeo.facts.records import Answers, Block, Section


def answer_facts(blocks: list[Block], root: etree._Element | None, page_url: str,
                 with_citations: bool) -> tuple[list[Section], Answers]:
    """The page's sections, and what the QA and CITE rules read beside them."""
    from aeo.analyzers.nlp import load

    lap = costs.Laps()
    model = load()
    heading_idx = [i for i, b in enumerate(blocks) if b.kind in HEADINGS]
    flags = question_flags([blocks[i].text for i in heading_idx], model)
    sections = build_sections(blocks, dict(zip(heading_idx, flags, strict=True)))
    faq_dom = faq_structures(root, lambda texts: question_flags(texts, model))
    lap("questions and answers")
    stats, quotes = citation_facts(blocks, model) if with_citations else ((), ())
    links = tuple(external_links(blocks, page_url)[:50])
    lap("citations and quotations")
    return sections, Answers(faq_dom=faq_dom, external_links=links, stats=stats, quotes=quotes)
