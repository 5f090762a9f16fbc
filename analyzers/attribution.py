"""Who wrote a page and when, as one page's attribution facts: every author candidate
(analyzers/bylines.py) and every date candidate (analyzers/dates.py) kept with where it came
from, so the rules can compare sources and the report can show them.
"""

from __future__ import annotations

from lxml import etree

from aeo.analyzers.bylines import author_candidates, ner_authors, publisher_names, reviewers
from aeo.analyzers.dates import date_candidates, guess_matters
from aeo.analyzers.htmldate_reading import htmldate_guess
from aeo.analyzers.short_texts import short_texts
from aeo.facts.entities import EntityNode
from aeo.facts.records import Attribution, Block, DateCandidate


def attribution_facts(root: etree._Element, nodes: list[EntityNode], blocks: list[Block], url: str,
                      body_text: str, nlp_model, is_article: bool, html: bytes = b""
                      ) -> Attribution:
    short = short_texts(root)     # (read by both searches)
    authors = author_candidates(root, nodes, blocks, short)
    if not [a for a in authors if a.name] and is_article and nlp_model is not None and \
            _english(root, blocks):
        brand = frozenset(w for key in publisher_names(root, nodes) for w in key.split()
                          if len(w) > 2 and not w.isdigit())
        authors += ner_authors(blocks, nlp_model, brand)
    dates = date_candidates(root, nodes, url, short)
    guess = htmldate_guess(root, url, dates, html) if guess_matters(dates) else ""
    if guess and not any(d.kind == "published" for d in dates):
        dates.append(DateCandidate(guess, guess, "htmldate", "published"))
    return Attribution(tuple(authors[:20]), tuple(dates[:20]), guess,
                       tuple(reviewers(root, nodes, body_text)))


_EN_WORDS = frozenset("the and of to in is that for with on as are was this by it be".split())


def _english(root: etree._Element, blocks: list[Block]) -> bool:
    """The name finder is an English model: on a page in another language it takes common
    nouns for people. The page's lang attribute decides; without one, English function
    words must be common in the text."""
    lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or
            "").strip().lower()
    if lang:
        return lang.startswith("en")
    tokens = " ".join(b.text for b in blocks[:30]).lower().split()[:600]
    return bool(tokens) and sum(t in _EN_WORDS for t in tokens) / len(tokens) > 0.08
