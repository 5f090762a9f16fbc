"""The structured-data extractor and the STRUCT rules on real markup: the JSON-LD leniency matrix
(T31-T33), extruct's own samples, schema.org's 479 JSON-LD examples (valid by construction) and
mutated copies of them (invalid by construction), the entity graph, SD006 text matching."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
from conftest import SHARED

from aeo.analyzers import structured
from aeo.analyzers.marked_up import normalize_text, unseen_markup
from aeo.analyzers.structured import extract
from aeo.crawler.links import parse_html
from aeo.facts.entities import Ref
from aeo.facts.records import PageFacts
from aeo.facts.schemaorg import local_name, vocabulary
from aeo.governance import load_governance
from aeo.rules.base import all_rules, hits, make_page, make_site
from aeo.rules.markup import requirements

FIXTURES = Path(__file__).parent / "fixtures" / "jsonld"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
EXTRUCT = SHARED / "corpora" / "extruct-samples"
EXAMPLES = SHARED / "corpora" / "schemaorg-examples" / "examples.jsonl"
RULES = all_rules()
GOV = load_governance()


def sd_of(html: str | bytes, url: str = "https://acme.example/page") -> dict:
    body = html.encode() if isinstance(html, str) else html
    return extract(parse_html(body, "utf-8"), url)


def page_of(html: str, url: str = "https://acme.example/page", **over):
    sd = sd_of(html, url)
    return make_page(url=url, entities=tuple(sd["nodes"]), jsonld_blocks=tuple(sd["blocks"]),
                     sd_status=sd["status"], **over)


def check(rule_id: str, page, site=None):
    return hits(RULES[rule_id].check(page, site or make_site(), GOV))


# -- T31/T32: the leniency matrix, one fixture file per row ---------------------------------------
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_t32_every_block_is_parsed_repaired_or_invalid_with_a_reason(name):
    sd = sd_of((FIXTURES / f"{name}.html").read_text())
    got = [[b.status, list(b.repairs) if b.status != "invalid" else b.reason]
           for b in sd["blocks"]]
    assert got == EXPECTED[name]
    for b in sd["blocks"]:
        assert b.status == "parsed" or b.error    # a message for every failure
    # never a NaN in what we store
    json.dumps({**sd, "blocks": [b.to_json() for b in sd["blocks"]],
                "nodes": [n.to_json() for n in sd["nodes"]]}, allow_nan=False)


def test_t31_one_bad_block_does_not_erase_the_good_ones():
    sd = sd_of((FIXTURES / "one_bad_among_good.html").read_text())
    types = [t for n in sd["nodes"] for t in n.types]
    assert "Organization" in types and "WebSite" in types
    assert "Product" in types and "Thing" in types       # recovered by the repairs
    page = make_page(entities=tuple(sd["nodes"]), jsonld_blocks=tuple(sd["blocks"]))
    hit = check("SD001", page)[0]
    assert "block 2" in hit.evidence and "block 3" in hit.evidence and "block 4" in hit.evidence
    assert "recovered by a lenient repair (trailing_commas" in hit.evidence
    assert "not recoverable (empty)" in hit.evidence
    assert "block 1 " not in hit.evidence and "block 5" not in hit.evidence


def test_sd001_names_the_parser_message_and_the_offending_line():
    html = ('<html><body>\n<script type="application/ld+json">\n{\n "@type": "Organization",\n'
            ' "name": "Acme",\n}\n</script></body></html>')
    hit = check("SD001", page_of(html))[0]
    assert "Expecting property name enclosed in double quotes" in hit.evidence
    assert "at page line 6: }" in hit.evidence


def test_t32_size_and_depth_caps_and_a_big_graph():
    big = '{"@type": "Thing", "description": "' + "x" * 5_000_000 + '"}'
    deep = "[" * 10_000 + "]" * 10_000
    graph = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "Person", "@id": f"#p{i}", "name": f"P{i}"} for i in range(500)]})
    html = "".join(f'<script type="application/ld+json">{b}</script>' for b in (big, deep, graph))
    sd = sd_of(f"<html><body>{html}</body></html>")
    assert [(b.status, b.reason) for b in sd["blocks"]] == [
        ("invalid", "too_large"), ("invalid", "too_deep"), ("parsed", "")]
    assert sum(1 for n in sd["nodes"] if n.types == ("Person",)) == 500
    assert all(n.parent is None for n in sd["nodes"])   # @graph members are top-level


def test_t30_xhtml_page_with_xml_declaration_still_yields_its_jsonld():
    xhtml = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0'
             ' Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns='
             '"http://www.w3.org/1999/xhtml"><head><title>x</title><script type="application/'
             'ld+json">{"@context": "https://schema.org", "@type": "Organization", "name": '
             '"Zoë"}</script></head><body><p>Zoë</p></body></html>')
    sd = extract(parse_html(xhtml.encode("utf-8"), "utf-8"), "https://acme.example/")
    assert sd["nodes"][0].types == ("Organization",)
    assert sd["nodes"][0].props["name"] == ("Zoë",)


# -- T33: failure is never "nothing found" --------------------------------------------------------
@pytest.mark.parametrize("body", [b"", b"   \n\t "])
def test_t33_unreadable_body_is_failed_not_none(body):
    sd = extract(parse_html(body, "utf-8"), "https://acme.example/")
    assert all(v.startswith("failed") for v in sd["status"].values())


def test_t33_an_extractor_that_raises_is_reported_per_syntax(monkeypatch):
    import extruct.w3cmicrodata

    def boom(self, document, base_url):
        raise KeyError("itemtype")
    monkeypatch.setattr(extruct.w3cmicrodata.MicrodataExtractor, "extract_items", boom)
    html = ('<html><head><meta property="og:title" content="T"></head><body>'
            '<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">A</span>'
            '</div><script type="application/ld+json">{"@type": "Thing"}</script></body></html>')
    sd = sd_of(html)
    assert sd["status"]["microdata"].startswith("failed: KeyError")
    assert sd["status"]["json-ld"] == "found" and sd["status"]["opengraph"] == "found"
    assert sd["status"]["rdfa"] == "none"
    hit = check("SD005", make_page(page_type="author", entities=(), sd_status=sd["status"]))[0]
    assert "unreadable" in hit.evidence and "KeyError" in hit.evidence


# -- extruct's own samples ------------------------------------------------------------------------
def _extruct_cases():
    for line in (EXTRUCT / "index.jsonl").read_text().splitlines():
        yield json.loads(line)


def _flat(values):
    return [x for v in values for x in (v if isinstance(v, list) else [v]) if x]


@pytest.mark.parametrize("case", list(_extruct_cases()), ids=lambda c: c["html"].split("/", 1)[1])
def test_extruct_samples_parse_without_exception_and_keep_their_jsonld(case):
    path = EXTRUCT / case["html"]
    sd = extract(parse_html(path.read_bytes(), "utf-8"), "http://example.com/")
    assert not any(v.startswith("failed") for v in sd["status"].values()), sd["status"]
    for name in case["expected"]:
        if name.endswith(".jsonld") and name[:-7] == path.stem:
            expected = json.loads((path.parent / name).read_text())
            expected = expected["items"] if isinstance(expected, dict) else expected
            assert sd["jsonld"] == _flat(expected)
    if "invalid" in case["html"]:
        assert sd["blocks"] and all(b.status == "repaired" for b in sd["blocks"])
    json.dumps({**sd, "blocks": [b.to_json() for b in sd["blocks"]],
                "nodes": [n.to_json() for n in sd["nodes"]]}, allow_nan=False)


def test_extruct_samples_cover_every_syntax():
    seen = set()
    for case in _extruct_cases():
        sd = extract(parse_html((EXTRUCT / case["html"]).read_bytes(), "utf-8"),
                     "http://example.com/")
        seen |= {n.syntax for n in sd["nodes"]}
    assert seen == {"json-ld", "microdata", "rdfa", "opengraph"}


# -- schema.org's examples: valid by construction, then mutated ------------------------------------
def _examples():
    return [json.loads(x) for x in EXAMPLES.read_text().splitlines()]


def _example_page(markup: str):
    return page_of("<html><body>" + markup + "</body></html>", "https://example.com/page")


def _bare_string_authors(data) -> int:
    count = 0
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for key, a in v.items():
                if local_name(key) == "author":
                    count += sum(1 for x in (a if isinstance(a, list) else [a])
                                 if isinstance(x, str))
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return count


def test_schemaorg_jsonld_examples_are_clean():
    """All 479 JSON-LD examples: zero SD002, and SD008 only for bare-string authors, which
    schema.org accepts (any property may take text) while Google, and our contract, ask for a
    Person or Organization. Every one of those is counted independently from the raw JSON."""
    examples = [e for e in _examples() if e["has_jsonld"]]
    assert len(examples) == 479
    sd002, other_sd008, flagged, with_string_author = [], [], set(), set()
    for e in examples:
        page = _example_page(e["jsonld"])
        assert all(b.status == "parsed" for b in page.jsonld_blocks), e["id"]
        if check("SD002", page):
            sd002.append((e["id"], check("SD002", page)[0].evidence))
        hits = check("SD008", page) or []
        for part in (hits[0].evidence.split("; ") if hits else []):
            if "is the bare string" in part:
                flagged.add(e["id"])
            elif not part.startswith("and "):
                other_sd008.append((e["id"], part))
        if any(_bare_string_authors(json.loads(b)) for b in _script_bodies(e["jsonld"])):
            with_string_author.add(e["id"])
    assert sd002 == []
    assert other_sd008 == []
    assert flagged == with_string_author and len(flagged) > 10


def _script_bodies(markup: str) -> list[str]:
    root = parse_html(("<html><body>" + markup + "</body></html>").encode(), "utf-8")
    return [s.text for s in structured.jsonld_scripts(root)]


def _mutations(data, rng: random.Random):
    """Yield (kind, bad_term, mutated_data): a misspelled @type, a renamed property."""
    vocab = vocabulary()

    def typo(term: str) -> str:
        for _ in range(20):
            i = rng.randrange(1, len(term))
            bad = term[:i] + term[i].swapcase() + term[i + 1:] if rng.random() < .5 else \
                term[:i] + term[i + 1:] + (term[i] if i < len(term) - 1 else "x")
            if bad != term and not vocab.is_type(bad) and not vocab.is_property(bad):
                return bad
        return term + "Zz"

    def first(obj, want):
        stack = [obj]
        while stack:
            v = stack.pop(0)
            if isinstance(v, dict):
                if want == "type" and isinstance(v.get("@type"), str) and \
                        local_name(v["@type"]) and vocab.is_type(local_name(v["@type"])):
                    return v
                if want == "prop":
                    keys = [k for k in v if not k.startswith("@") and vocab.is_property(k)]
                    if keys and "@type" in v:
                        return v
                stack.extend(v.values())
            elif isinstance(v, list):
                stack.extend(v)
        return None

    ctx = data.get("@context") if isinstance(data, dict) else None
    if not (isinstance(ctx, str) and "schema.org" in ctx):
        return   # other vocabularies in the context decide what bare terms mean
    d = copy.deepcopy(data)
    node = first(d, "type")
    if node is not None:
        bad = typo(local_name(node["@type"]))
        node["@type"] = bad
        yield "type", bad, d
    d = copy.deepcopy(data)
    node = first(d, "prop")
    if node is not None:
        key = next(k for k in node if not k.startswith("@") and vocabulary().is_property(k))
        bad = typo(key)
        node[bad] = node.pop(key)
        yield "property", bad, d


def test_mutated_schemaorg_examples_are_flagged_every_time():
    rng = random.Random(20261122)
    mutated = 0
    for e in _examples():
        if not e["has_jsonld"]:
            continue
        for body in _script_bodies(e["jsonld"]):
            for kind, bad, data in _mutations(json.loads(body), rng):
                script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
                hits = check("SD002", _example_page(script))
                assert hits, (e["id"], kind, bad)
                assert f"{kind} '{bad}'" in hits[0].evidence, (e["id"], hits[0].evidence)
                mutated += 1
    assert mutated > 800


def test_closest_term_is_offered_for_common_typos():
    page = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@type": "FAQpage", "datepublished": "2026-01-01", "Autor": "x"}</script>')
    ev = check("SD002", page)[0].evidence
    assert "type 'FAQpage' (JSON-LD block 1): did you mean 'FAQPage'?" in ev
    assert "'datepublished'" in ev and "did you mean 'datePublished'?" in ev
    assert "did you mean 'author'?" in ev


def test_non_schemaorg_terms_are_not_judged_by_the_schemaorg_vocabulary():
    page = page_of('<script type="application/ld+json">{"@context": {"@vocab": "http://xmlns.com/'
                   'foaf/0.1/"}, "@type": "Person", "nick": "bob"}</script>'
                   '<div itemscope itemtype="http://data-vocabulary.org/Breadcrumb">'
                   '<span itemprop="title">Home</span></div>')
    assert check("SD002", page) == []


def test_superseded_and_out_of_domain_terms():
    page = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@type": "Organization", "name": "Acme", "members": {"@type": "Person", '
                   '"name": "Ann", "headline": "Ann"}}</script>')
    assert "'members' (JSON-LD block 1): use 'member'" in check("SD010", page)[0].evidence
    assert "'headline' on Person" in check("SD009", page)[0].evidence
    assert check("SD002", page) == []


# -- the entity graph -----------------------------------------------------------------------------
def test_graph_flattens_nests_and_resolves_references_on_the_page_and_across_the_site():
    from aeo.facts.reading import entity_index
    home = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@graph": [{"@type": "Organization", "@id": "/#org", "name": "Acme", '
                   '"logo": {"@type": "ImageObject", "url": "/logo.png"}}, {"@type": "WebSite",'
                   ' "publisher": {"@id": "/#org"}}]}</script>', "https://acme.example/")
    post = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@type": "BlogPosting", "headline": "Hi", "publisher": {"@id": '
                   '"https://acme.example/#org"}, "author": {"@type": "Person", "name": "Ann"}}'
                   '</script>', "https://acme.example/blog/hi")
    org, logo, web = home.entities
    assert org.types == ("Organization",) and org.id == "https://acme.example/#org"
    assert logo.parent == org.n and logo.prop == "logo"
    assert web.props["publisher"] == (Ref("https://acme.example/#org", 0),)
    index = entity_index([home, post])
    ref = post.entities[0].props["publisher"][0]
    assert ref.node is None and index[ref.id].url == "https://acme.example/"
    assert post.entities[1].parent == 0 and post.entities[1].prop == "author"
    # stored and read back as the run database holds it, nothing lost
    again = PageFacts.from_dict(json.loads(json.dumps(post.to_dict())))
    assert again.entities == post.entities


def test_schema_context_aliases_type_and_id():
    page = page_of('<script type="application/ld+json">{"@context": "https://schema.org/", '
                   '"type": "Audiobook", "id": "#work", "name": "Alice"}</script>')
    node = page.entities[0]
    assert node.types == ("Audiobook",) and node.id == "https://acme.example/page#work"
    assert check("SD002", page) == []


# -- SD006 text matching --------------------------------------------------------------------------
def test_sd006_normalizes_entities_case_punctuation_and_truncation():
    nodes = sd_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                  '"@type": "FAQPage", "mainEntity": [{"@type": "Question", "name": "Can I '
                  'pay &amp; invoice?", "acceptedAnswer": {"@type": "Answer", "text": "<p>Yes '
                  '&mdash; <b>instantly</b>.</p>"}}, {"@type": "Question", "name": "Is it '
                  'free?", "acceptedAnswer": {"@type": "Answer", "text": "Never shown."}}], '
                  '"headline": "A very long headline that the markup cut off at some po...", '
                  '"author": "ANN LEE"}</script>')["nodes"]
    visible = ("CAN I PAY & INVOICE!  Yes — instantly. Is it free? Of course. "
               "A very long headline that the markup cut off at some point. By Ann Lee")
    checked, missing = unseen_markup(nodes, visible)
    assert checked == 6
    assert [(m.kind, m.text) for m in missing] == [("answer", "Never shown.")]
    assert normalize_text("Ça&nbsp;va — <i>bien</i>?") == "ça va bien"


# -- Google's requirements are data -------------------------------------------------------------
def test_requirements_file_carries_a_documentation_page_and_date_for_every_entry():
    reqs = requirements()
    assert {t for r in reqs for t in r.types} >= {
        "Article", "NewsArticle", "BlogPosting", "Organization", "FAQPage", "Question", "Answer",
        "QAPage", "ProfilePage", "BreadcrumbList", "ListItem", "Product"}
    for r in reqs:
        assert r.doc.startswith("https://developers.google.com/") and len(r.checked) == 10
        assert all(vocabulary().is_type(t) for t in r.types)


def test_sd003_breadcrumb_item_required_on_all_crumbs_but_the_last():
    crumbs = ('<ol itemscope itemtype="https://schema.org/BreadcrumbList">'
              '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
              '<span itemprop="name">Home</span><meta itemprop="position" content="1"></li>'
              '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
              '<span itemprop="name">Post</span><meta itemprop="position" content="2"></li></ol>')
    hit = check("SD003", page_of(crumbs))[0]
    assert "ListItem 'Home' (microdata) lacks item" in hit.evidence
    assert "'Post'" not in hit.evidence


def test_sd003_skips_organizations_that_are_only_an_author_or_publisher():
    page = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@type": "Product", "name": "W", "offers": {"@type": "Offer", "price": 1},'
                   ' "brand": {"@type": "Organization", "name": "B"}}</script>')
    assert check("SD003", page) == [] and check("SD004", page) == []


def test_sd008_kinds():
    page = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                   '"@type": "NewsArticle", "author": "Ann", "datePublished": "3rd May", '
                   '"dateModified": "2026-05-03T10:00:00+02:00", "url": "not a url", '
                   '"sameAs": "/relative/ok", "wordCount": "many", "pageStart": 7}</script>')
    ev = check("SD008", page)[0].evidence
    assert "author is the bare string 'Ann'" in ev
    assert "datePublished '3rd May' is not an ISO 8601 date" in ev
    assert "url 'not a url' is not a URL" in ev
    assert "wordCount 'many' is text where a number is required" in ev
    assert "dateModified" not in ev and "sameAs" not in ev


def test_sd007_one_id_for_two_different_things():
    a = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                '"@type": "Organization", "@id": "https://acme.example/#main", "name": "Acme"}'
                '</script>', "https://acme.example/")
    b = page_of('<script type="application/ld+json">{"@context": "https://schema.org", '
                '"@type": "Person", "@id": "https://acme.example/#main", "name": "Ann"}'
                '</script>', "https://acme.example/team")
    site = make_site(root="https://acme.example/", host="acme.example")
    result = RULES["SD007"].check(site, [a, b], GOV)
    assert "@id https://acme.example/#main is used for different things" in \
        result.hits[0].evidence
    assert set(result.hits[0].urls) == {"https://acme.example/", "https://acme.example/team"}
