"""The organization's identity across the site: its primary name and every variant of it, with
where each appears (titles, og:site_name, markup, body text).

The primary name comes, in order, from the home page's Organization markup, the most common
og:site_name, the most common title suffix ('Post | Acme'), the home page title. Body-text
variants come from spaCy ORG spans and from normalized string matching: every capitalized
run that starts with the brand's first word and writes the same name another way
('AcmeAnalytics', 'Acme Inc'); 'Acme Pay', another thing named like it, is no variant.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from aeo.facts.entities import EntityNode
from aeo.facts.reading import brand_key, own_organizations
from aeo.facts.records import Identity

TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·:]\s+|:\s+")
def spaced(name: str) -> str:
    return " ".join(name.split()).strip(" .,;:!?'\"“”’")


def _strings(node: EntityNode, prop: str) -> list[str]:
    return [spaced(v) for v in node.strings(prop) if v.strip()]


def title_suffix(titles: list[str]) -> str:
    """The brand part most titles share ('How to X | Acme' -> 'Acme'), if most titles do."""
    ends = Counter()
    for t in titles:
        parts = [p for p in TITLE_SEPARATORS.split(t) if p.strip()]
        if len(parts) > 1:
            ends[spaced(parts[-1])] += 1
    if ends:
        name, n = ends.most_common(1)[0]
        if n >= max(2, len(titles) // 3):
            return name
    return ""


LEGAL_SUFFIXES = {"inc", "incorporated", "ltd", "limited", "llc", "llp", "gmbh", "ag", "kg",
                  "sa", "sas", "sarl", "bv", "nv", "plc", "pty", "corp", "corporation", "co",
                  "company", "group", "holdings", "oy", "ab", "as", "aps", "srl", "spa",
                  # and the descriptors a company name carries ('Acme Technologies')
                  "technologies", "technology", "labs", "hq", "systems", "solutions"}


COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b|\blicen[cs]ed (?:to|by)\b", re.I)


def _base(name: str) -> tuple[list[str], bool]:
    """The words of a name without its legal suffix ('Acme Inc' -> ['acme'], True)."""
    words = brand_key(name.replace(".", "")).split()
    cut = False
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words, cut = words[:-1], True
    return words, cut


def is_variant(form: str, name: str) -> bool:
    """Another way of writing this very name: joined or spaced differently ('AcmeAnalytics'),
    or with a legal suffix ('Acme Inc', 'Acme Analytics GmbH'). Not another thing that shares
    its first word ('Apache Kafka' beside 'Apache Flink', 'RStudio Connect' beside 'RStudio
    AI Blog'), and not the name cut short ('RStudio AI')."""
    if brand_key(form) == brand_key(name):
        return False    # the name itself
    words, suffixed = _base(form)
    name_words, _ = _base(name)
    if "".join(words) == "".join(name_words):
        return True
    return suffixed and words == name_words[:len(words)]


def _first_word(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9][\w&'’-]*", name)
    generic = {"the", "a", "an"}
    for w in words:
        if w.lower() not in generic:
            return w
    return ""


TEXT_FIELDS = ("status", "title", "h1", "page_type", "main_blocks")   # what page_texts reads


def page_texts(pages) -> Iterator[tuple[str, str]]:
    """(url, main text) of each HTML page read, for the brand-name count (pages need hold
    only TEXT_FIELDS)."""
    for p in pages:   # (a legal page names the legal entity, as it must)
        if p.status and 200 <= p.status < 300 and (p.title or p.h1) and p.page_type != "legal":
            yield p.url, " ".join(b.text for b in p.main_blocks)


MAX_VARIANT_PAGES = 50    # pages listed per name variant (all are counted)


def build_identity(pages, root: str, texts=None) -> Identity:
    """The organization's Identity; an empty name when the site never names itself. pages is read as a
    stream (it may be re-iterated, never held); texts: (url, main text) of each page, by
    default joined from the pages' own main text blocks."""
    def html_pages():
        return (p for p in pages if p.status and 200 <= p.status < 300 and (p.title or p.h1))

    home = next((p for p in pages if p.page_type == "home"), None)
    orgs = own_organizations(pages, root)
    og = Counter(spaced(p.og_site_name) for p in html_pages() if p.og_site_name.strip())
    suffix = title_suffix([p.title for p in html_pages() if p.title])

    name, source = "", ""
    home_orgs = [n for p, n in orgs if home is not None and p.url == home.url and
                 n.parent is None and _strings(n, "name")]
    if home_orgs:
        name, source = _strings(home_orgs[0], "name")[0], "Organization markup on the home page"
    elif orgs and any(_strings(n, "name") for _, n in orgs):
        name = Counter(x for _, n in orgs for x in _strings(n, "name")[:1]).most_common(1)[0][0]
        source = "Organization markup"
    elif og:
        name, source = og.most_common(1)[0][0], "og:site_name"
    elif suffix:
        name, source = suffix, "title suffix"
    elif home is not None and home.title:
        name, source = spaced(TITLE_SEPARATORS.split(home.title)[0]), "home page title"
    if not name:
        return Identity()

    allowed = {name}
    for _, node in orgs:
        for prop in ("alternateName", "legalName"):
            allowed.update(_strings(node, prop))
    first = _first_word(name)
    first_key = brand_key(first)
    variants: dict[str, Counter] = defaultdict(Counter)
    where: dict[str, list[str]] = defaultdict(list)

    def note(form: str, src: str, url: str) -> None:
        form = spaced(re.sub(r"['’]s$", "", form))
        k = brand_key(form)
        if not form or not k.startswith(first_key) or k == first_key or \
                not (k == brand_key(name) or is_variant(form, name)):
            return   # not this brand, just its first word, or another thing named like it
        variants[form][src] += 1
        if url not in where[form] and len(where[form]) < MAX_VARIANT_PAGES:
            where[form].append(url)

    for p in html_pages():
        if p.title:
            parts = [x for x in TITLE_SEPARATORS.split(p.title) if x.strip()]
            for part in {parts[0], parts[-1]} if parts else ():
                note(part, "titles", p.url)
        if p.og_site_name.strip():
            note(p.og_site_name, "og:site_name", p.url)
        for t, _label, count in p.language.org_mentions:
            if brand_key(t).startswith(first_key):
                for _ in range(count):
                    note(t, "body text (NER)", p.url)
    for page, node in orgs:
        for n in _strings(node, "name"):
            note(n, "markup", page.url)
    if first_key:
        # the name first, its left edge checked behind it: a pattern that opens with a literal
        # is searched for as one (thirty times faster over a long text than a leading
        # lookbehind; the same matches)
        e = re.escape(first)
        pattern = re.compile(r"(" + e + r"(?<![\w-]" + e + r")[\w&]*(?:[ \t]+[A-Z][\w&'’-]*)?)")
        for url, text in (page_texts(pages) if texts is None else texts):
            for m in pattern.finditer(text):
                if _base(m.group(1))[1] and COPYRIGHT.search(text[max(0, m.start() - 40):
                                                                  m.start()]):
                    continue   # 'Copyright Erudika Ltd.': the legal entity, where it belongs
                note(m.group(1), "body text", url)
    return Identity(name, source, tuple(sorted(allowed)),
                    {k: dict(v) for k, v in variants.items()}, dict(where))
