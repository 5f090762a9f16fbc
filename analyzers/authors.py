"""The site's author matrix: each person the pages name as an author, with their pages, the
sources that name them, their profile link and page, the Person properties found for them
anywhere on the site and the credentials their profile page states (AT005 reads it).
"""

from __future__ import annotations

import re

from aeo.analyzers.bylines import settled_authors
from aeo.facts.reading import entity_index, name_key, page_author_nodes
from aeo.facts.records import AuthorEntry

CREDENTIALS = re.compile(
    r"\b(CPA|ACCA|ACA|CIMA|CFA|CFP|EA|PhD|Ph\.D\.?|MD|M\.D\.|JD|MBA|RN|LLB|LLM|FCA|MSc|BSc|"
    r"chartered|certified|licensed|registered|qualified|accredited|fellow|professor|lecturer|"
    r"\d+\+? years|years of experience|specialis\w*|specializ\w*|expert in|head of|director|"
    r"manager|lead|senior|engineer|accountant|lawyer|attorney|physician|doctor|nurse|editor|"
    r"economist|analyst|advisor|adviser|consultant|founder|researcher|scientist)\b")

PERSON_PROPS = ("jobTitle", "description", "sameAs", "knowsAbout", "worksFor", "hasCredential",
                "alumniOf", "award", "image", "url")


def author_matrix(pages, lookup=None) -> dict[str, AuthorEntry]:
    """Author x what their chain has: pages, the sources that name them, a profile link, the
    profile page if crawled, the Person markup properties found for them anywhere, and the
    credentials their profile page shows. pages is read as a stream; lookup(url) gives a
    page's full facts (its main text), by default from pages."""
    from urllib.parse import urljoin

    index = entity_index(pages)
    if lookup is None:
        by_url = {p.url: p for p in pages}
        lookup = by_url.get
    matrix: dict[str, dict] = {}
    for page in pages:
        if page.page_type != "article":
            continue
        # the people pages.csv names, by every source that names them; never a stand-in
        # (the publisher, 'admin') or a teaser's byline further down the page
        cands = page.attribution.authors
        people = {name_key(n) for n in settled_authors(cands)}
        for cand in cands:
            if not cand.name or name_key(cand.name) not in people:
                continue
            k = name_key(cand.name)
            entry = matrix.setdefault(k, {"name": cand.name, "pages": [], "sources": {},
                                          "profile": "", "profile_page": "", "props": [],
                                          "sameAs": [], "credentials": [], "kind": cand.kind})
            if page.url not in entry["pages"]:
                entry["pages"].append(page.url)
            entry["sources"][cand.source] = entry["sources"].get(cand.source, 0) + 1
            if cand.url and not entry["profile"]:
                entry["profile"] = urljoin(page.url, cand.url)
            entry["sameAs"] = list(dict.fromkeys(entry["sameAs"] + list(cand.same_as)))
        for node in page_author_nodes(page, index):
            names = node.strings("name")
            if names and name_key(names[0]) in matrix:
                entry = matrix[name_key(names[0])]
                entry["props"] = sorted(set(entry["props"]) | {
                    p for p in PERSON_PROPS if node.values(p)})
    for entry in matrix.values():
        profile = lookup(entry["profile"].split("#")[0])
        if profile is None:
            continue
        entry["profile_page"] = profile.url
        for node in profile.entities:
            names = node.strings("name")
            if "Person" in node.types and names and name_key(names[0]) == name_key(
                    entry["name"]):
                entry["props"] = sorted(set(entry["props"]) | {
                    p for p in PERSON_PROPS if node.values(p)})
        bio = " ".join(b.text for b in profile.main_blocks)[:5000]
        entry["credentials"] = list(dict.fromkeys(m.group(0) for m in CREDENTIALS.finditer(bio)))[:8]
    return {k: AuthorEntry(e["name"], e["kind"], tuple(e["pages"]), e["sources"], e["profile"],
                           e["profile_page"], tuple(e["props"]), tuple(e["sameAs"]),
                           tuple(e["credentials"])) for k, e in matrix.items()}
