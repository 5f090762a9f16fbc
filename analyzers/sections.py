"""The page's sections (aeo/facts/records.py Section) and its visible FAQs. Section 0 is what
precedes the first heading. A block belongs to the nearest heading above it, so an answer is
never taken from another question's section.
"""

from __future__ import annotations

import re

from lxml import etree

from aeo.analyzers.maintext import HEADINGS
from aeo.facts.records import Block, FaqDom, Section


def build_sections(blocks: list[Block], flags: dict[int, bool]) -> list[Section]:
    heads: list[tuple[int, str, bool, int | None]] = [(0, "", False, None)]
    owned: list[list[int]] = [[]]
    stack = [0]
    for i, b in enumerate(blocks):
        if b.kind in HEADINGS:
            level = int(b.kind[1])
            while len(stack) > 1 and heads[stack[-1]][0] >= level:
                stack.pop()
            heads.append((level, b.text[:300], flags.get(i, False), stack[-1]))
            owned.append([])
            stack.append(len(heads) - 1)
        else:
            owned[stack[-1]].append(i)
    return [Section(*head, blocks=tuple(own)) for head, own in zip(heads, owned, strict=True)]



_Q_LABEL = re.compile(r"^\s*(?:Q|Question|Frage|F|Pregunta|P)\s*[:.)]\s+\S", re.I)

_A_LABEL = re.compile(r"^\s*(?:A|Answer|Antwort|R|Respuesta|Réponse)\s*[:.)]\s+\S", re.I)


def faq_structures(root: etree._Element | None, flags_for) -> FaqDom:
    """Question-and-answer pairs a reader sees outside headings: <details>/<summary>,
    <dt>/<dd>, accordion toggles (aria-expanded, or buttons and accordion/FAQ-classed
    elements whose text is a question), and 'Q: ... A: ...' pairs written as paragraphs."""
    if root is None:
        return FaqDom()
    summaries = [" ".join(s.text_content().split()) for d in root.iter("details")
                 for s in d.iter("summary")][:200]
    dts = [" ".join(dt.text_content().split()) for dl in root.iter("dl")
           for dt in dl.iter("dt") if dt.getnext() is not None and dt.getnext().tag == "dd"][:200]
    toggles = list(dict.fromkeys(
        " ".join(b.text_content().split())
        for b in root.xpath("//*[@aria-expanded][self::button or self::a or @role='button'] | "
                            "//button | //*[contains(@class, 'accordion') or "
                            "contains(@class, 'faq-q') or contains(@class, 'faq__q') or "
                            "contains(@class, 'question')][self::div or self::span or "
                            "self::a or self::h3 or self::h4 or self::h5 or self::p]"
                            "[string-length(normalize-space()) < 200]")))[:200]
    texts = summaries + dts + toggles
    flags = flags_for(texts) if texts else []
    a, b = len(summaries), len(summaries) + len(dts)
    qa = 0
    for el in root.iter("p", "div", "li", "dt", "strong", "b", "h3", "h4", "h5", "h6"):
        text = " ".join(el.text_content().split())[:600]
        if len(el) > 4 or not _Q_LABEL.match(text):
            continue
        nxt = el.getnext()
        following = " ".join(nxt.text_content().split())[:100] if nxt is not None else ""
        if _A_LABEL.match(following) or re.search(r"\?\s+(?:A|Answer|Antwort)\s*[:.)]\s", text):
            qa += 1
    return FaqDom(sum(flags[:a]), sum(flags[a:b]), sum(flags[b:]), qa)
