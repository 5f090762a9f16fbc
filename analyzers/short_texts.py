"""The body's short elements, where a byline or a date line can be: one list that the byline
search (bylines.author_candidates) and the date search (dates.date_candidates) both read."""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree


class ShortText(NamedTuple):
    """An element of the body whose text is short: where a byline or a date line can be."""

    el: etree._Element
    text: str     # its text, whitespace collapsed
    length: int   # the length XPath's normalize-space() gives it (XML whitespace only)


# The elements the byline and the date searches read: bylines.author_candidates the
# BYLINE_TAGS under SHORT_LIMIT characters, date_candidates the DATE_TAGS under DATE_LIMIT.
BYLINE_TAGS = frozenset(("p", "span", "div", "a", "address", "li"))
DATE_TAGS = frozenset(("p", "span", "div", "li", "time", "small", "dt", "h3", "h4", "h5",
                       "h6", "strong", "b"))
SHORT_TAGS = tuple(sorted(BYLINE_TAGS | DATE_TAGS))
SHORT_LIMIT = 400
DATE_LIMIT = 200     # (within SHORT_LIMIT)
_SHORT = etree.XPath("//body//*[" + " or ".join(f"self::{t}" for t in SHORT_TAGS)
                     + f"][string-length(normalize-space()) < {SHORT_LIMIT}]")
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_OTHER_SPACE = re.compile(r"[^\S \t\r\n]")   # what str.split() takes for a space and XPath does not


def short_texts(root: etree._Element) -> list[ShortText]:
    """The body's SHORT_TAGS elements with under SHORT_LIMIT characters of text, in document
    order: one pass for both searches (the text of every container on the page is put
    together to measure it, the costliest part of either)."""
    out = []
    for el in _SHORT(root):
        raw = el.text_content()      # (XPath's string value of el)
        text = " ".join(raw.split())
        out.append(ShortText(el, text, len(text) if not _OTHER_SPACE.search(raw) else
                             len(" ".join(_XML_SPACE.split(raw.strip(" \t\r\n"))))))
    return out
