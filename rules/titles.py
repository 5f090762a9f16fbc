"""ACC117: titles and meta descriptions, the words an answer engine shows when it cites a page
and matches against the question. Page facts give each page's own; the site facts count how
many pages share each one (aeo.pageset)."""

from __future__ import annotations

from aeo.facts.reading import is_pagination
from aeo.facts.records import (
    CONTENT_TYPES,
    PageFacts,
    Refresh,
    SiteFacts,
    counted_for_titles,
    text_key,
)
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Verdict, failed, rule

ALL = ("all",)
# the pages engines cite and quote: content, the home and about pages, contact and author
# pages. Listings (archives, tag and category indexes) are where readers browse, and 'other'
# pages (source listings, stubs) are not what an answer quotes.
JUDGED_TYPES = CONTENT_TYPES + ("contact", "author")
MOST = 0.5        # a title or description on at least half the pages is the template's
MIN_SHARED = 3    # ... and on at least this many


def _shared(counts: dict[str, int], key: str, total: int) -> int:
    """How many pages share this key, when that is most of the site; 0 otherwise."""
    n = counts.get(key, 0)
    return n if key and total and n >= MIN_SHARED and n / total >= MOST else 0


@rule(id="ACC117", name="Missing or template title or meta description", pillar="ACCESS",
      scope="page", severity="medium", engines=ALL, page_types=JUDGED_TYPES,
      why="Answer engines show a page's title when they cite it and read its title and meta "
          "description to decide whether it answers the question. A missing title, or one the "
          "template gives every page ('Home | Acme'), makes every page look like every other; "
          "a missing or site-wide description leaves the engine to guess.",
      fix="Give each page its own <title> (what the page is about, then the site name) and its "
          "own meta description (one or two sentences that say what the page answers). In a "
          "template, fill both from the page's own fields.",
      before="<title>Acme</title> (on every page), no <meta name=\"description\">",
      after="<title>Invoice payment links: get paid faster | Acme</title>\n"
            "<meta name=\"description\" content=\"How payment links on invoices shorten the "
            "time to payment, and how to add them.\">",
      references=("https://developers.google.com/search/docs/appearance/title-link",
                  "https://developers.google.com/search/docs/appearance/snippet"),
      examples=(
          Example("no title, no description", True, page={"title": "", "meta_description": ""},
                  site={"titled_pages": 10, "title_counts": {"": 1},
                        "description_counts": {"": 10}}),
          Example("the template's title on every page", True, page={
              "title": "Acme", "meta_description": "How payment links work."}, site={
              "titled_pages": 10, "title_counts": {text_key("Acme"): 9},
              "description_counts": {text_key("How payment links work."): 1}}),
          Example("its own title and description", False, page={
              "title": "Payment links | Acme", "meta_description": "How payment links work."},
              site={"titled_pages": 10, "title_counts": {text_key("Payment links | Acme"): 1},
                    "description_counts": {text_key("How payment links work."): 1}}),
          Example("an instant redirect stub is not judged", None, page={
              "title": "", "refresh": Refresh(True, "0;url=/new", 0.0, "https://example.com/new")},
              site={"titled_pages": 10}),
          Example("page 7 of the blog archive is not judged", None, page={
              "url": "https://example.com/blog/page/7/", "title": "Blog", "meta_description": ""},
              site={"titled_pages": 10}),
      ))
def acc117(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    if not counted_for_titles(page) or is_pagination(page.url):
        return NOT_APPLICABLE   # (page 2 onwards of an archive is not what engines cite)
    problems = []
    title = " ".join(page.title.split())
    total = site.titled_pages
    if not title:
        problems.append("no <title>")
    elif n := _shared(site.title_counts, text_key(title), total):
        problems.append(f"the title '{title[:80]}' is on {n} of {total} pages")
    description = " ".join(page.meta_description.split())
    if not description:
        problems.append("no meta description")
    elif n := _shared(site.description_counts, text_key(description), total):
        problems.append(f"the meta description '{description[:80]}' is on {n} of {total} "
                        "pages")
    if not problems:
        return PASSED
    return failed(Hit(evidence="; ".join(problems),
                      detail="Engines cannot tell this page from the others by its title and "
                             "description."))
