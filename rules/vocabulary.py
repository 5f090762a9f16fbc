"""STRUCT: is the markup valid schema.org? SD002 (unknown types and properties), SD008 (values
of the wrong kind), SD009 (a property outside its type's domain) and SD010 (superseded
terms), judged against the schema.org vocabulary (aeo/facts/schemaorg.py).
"""

from __future__ import annotations

from aeo.facts.records import PAGE_TYPES, PageFacts, SiteFacts
from aeo.facts.schemaorg import vocabulary
from aeo.governance import Governance
from aeo.rules.base import NOT_APPLICABLE, PASSED, Example, Hit, Verdict, failed, rule
from aeo.rules.evidence import join_evidence
from aeo.rules.markup import ALL, example_node, label, schema_nodes, where, wrong_kind


@rule(id="SD002", name="Term not in the schema.org vocabulary", pillar="STRUCT", scope="page",
      severity="high", engines=ALL,
      page_types=PAGE_TYPES,
      why="schema.org terms are case-sensitive. A misspelled type or property ('datepublished', "
          "'Autor', 'FAQpage') is silently ignored: the page loses the fact it meant to declare.",
      fix="Use the exact schema.org spelling; the evidence names the closest valid term.",
      before='"@type": "FAQpage", "datepublished": "2026-03-01"',
      after='"@type": "FAQPage", "datePublished": "2026-03-01"',
      references=("https://schema.org/docs/full.html",),
      examples=(
          Example("misspelled property", True, page={"entities": (
              example_node(0, ["BlogPosting"], {"datepublished": ["2026-01-01"]}),)}),
          Example("valid terms", False, page={"entities": (
              example_node(0, ["BlogPosting"], {"datePublished": ["2026-01-01"]}),)}),
      ))
def sd002(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    nodes = schema_nodes(page)
    if not nodes:
        return NOT_APPLICABLE
    vocab = vocabulary()
    problems: list[str] = []
    for node in nodes:
        for t in node.types:
            if t not in node.ext and not vocab.is_type(t):
                close = vocab.closest(t, "type")
                problems.append(f"type '{t}' ({where(node)})"
                                + (f": did you mean '{close}'?" if close else ""))
        for prop in node.props:
            if prop not in node.ext and not vocab.is_property(prop):
                close = vocab.closest(prop, "property")
                problems.append(f"property '{prop}' on {label(page, node)} ({where(node)})"
                                + (f": did you mean '{close}'?" if close else ""))
    problems = list(dict.fromkeys(problems))
    if not problems:
        return PASSED
    return failed(Hit(evidence=join_evidence(problems),
                      detail=f"{len(problems)} term(s) are not schema.org terms, so engines ignore "
                             "them."))


@rule(id="SD008", name="Structured-data value of the wrong kind", pillar="STRUCT",
      scope="page", severity="medium", engines=ALL,
      page_types=PAGE_TYPES,
      why="A bare-string author cannot be tied to a person with a profile; a date like "
          "'March 3rd, 2026' is not read as a date; a URL property holding a name points "
          "nowhere. Engines drop or misread such values.",
      fix="Use the kind schema.org expects: author as a Person or Organization with a name and "
          "url, dates in ISO 8601 (2026-03-03), absolute URLs, numbers as numbers.",
      before='"author": "Dana Whitfield", "datePublished": "March 3rd, 2026"',
      after='"author": {"@type": "Person", "name": "Dana Whitfield", "url": '
            '"https://example.com/team/dana"}, "datePublished": "2026-03-03"',
      references=("https://schema.org/docs/datamodel.html",
                  "https://developers.google.com/search/docs/appearance/structured-data/article"),
      examples=(
          Example("bare-string author and a spelled-out date", True, page={"entities": (
              example_node(0, ["BlogPosting"], {"author": ["Dana"],
                                         "datePublished": ["March 3rd, 2026"]}),)}),
          Example("typed author and an ISO date", False, page={"entities": (
              example_node(0, ["BlogPosting"], {"author": [{"ref": 1}],
                                         "datePublished": ["2026-03-03"]}),
              example_node(1, ["Person"], {"name": ["Dana"]}, parent=0, prop="author"))}),
      ))
def sd008(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    nodes = schema_nodes(page)
    if not nodes:
        return NOT_APPLICABLE
    vocab = vocabulary()
    problems = []
    for node in nodes:
        if node.types and all(t in node.ext or not vocab.is_type(t)
                                 for t in node.types):
            continue   # not a schema.org item (or an unknown type: SD002 reports it)
        for prop, values in node.props.items():
            if prop in node.ext:
                continue
            for v in values:
                why = wrong_kind(prop, v, node.syntax)
                if why:
                    problems.append(f"{label(page, node)} ({where(node)}): {why}")
    problems = list(dict.fromkeys(problems))
    if not problems:
        return PASSED
    return failed(Hit(evidence=join_evidence(problems),
                      detail=f"{len(problems)} value(s) are of the wrong kind, so engines drop or "
                             "misread them."))


@rule(id="SD009", name="Property used on a type it does not belong to", pillar="STRUCT",
      scope="page", severity="low", engines=ALL,
      page_types=PAGE_TYPES,
      why="schema.org defines which types each property describes. A property on a type outside "
          "its domain (counting inheritance) is usually a nesting mistake, and engines ignore it.",
      fix="Move the property to the item it describes (often a nested Offer, Person or "
          "Organization), or use the property that type does have.",
      before='{"@type": "Person", "headline": "Dana Whitfield"}',
      after='{"@type": "Person", "name": "Dana Whitfield"}',
      references=("https://schema.org/docs/datamodel.html",),
      examples=(
          Example("headline on a Person", True, page={"entities": (
              example_node(0, ["Person"], {"headline": ["Dana"]}),)}),
          Example("name on a Person", False, page={"entities": (
              example_node(0, ["Person"], {"name": ["Dana"]}),)}),
      ))
def sd009(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    nodes = schema_nodes(page)
    if not nodes:
        return NOT_APPLICABLE
    vocab = vocabulary()
    problems = []
    for node in nodes:
        types = [t for t in node.types if t not in node.ext and vocab.is_type(t)]
        if not types:
            continue
        role = any(vocab.is_a(t, "Role") for t in types)
        for prop in node.props:
            if prop in node.ext or not vocab.is_property(prop):
                continue
            if role and prop == node.prop:
                continue   # the Role pattern repeats its parent's property
            if not vocab.in_domain(prop, types):
                problems.append(f"'{prop}' on {'/'.join(types)} ({where(node)}); it belongs to "
                                f"{', '.join(vocab.domains[prop][:4])}")
    problems = list(dict.fromkeys(problems))
    if not problems:
        return PASSED
    return failed(Hit(evidence=join_evidence(problems),
                      detail=f"{len(problems)} propert(ies) are used on a type they do not describe."))


@rule(id="SD010", name="Superseded schema.org term", pillar="STRUCT", scope="page",
      severity="low", engines=ALL,
      page_types=PAGE_TYPES,
      why="schema.org keeps superseded terms for compatibility, but engines follow the "
          "replacement; new markup should use it.",
      fix="Replace the term with the one schema.org names as its successor.",
      before='"@type": "Organization", "members": {...}',
      after='"@type": "Organization", "member": {...}',
      references=("https://schema.org/docs/full.html",),
      examples=(
          Example("superseded property", True, page={"entities": (
              example_node(0, ["Organization"], {"members": [{"id": "x"}]}),)}),
          Example("current property", False, page={"entities": (
              example_node(0, ["Organization"], {"member": [{"id": "x"}]}),)}),
      ))
def sd010(page: PageFacts, site: SiteFacts, gov: Governance) -> Verdict:
    nodes = schema_nodes(page)
    if not nodes:
        return NOT_APPLICABLE
    vocab = vocabulary()
    found = []
    for node in nodes:
        for term in list(node.types) + list(node.props):
            if term not in node.ext and term in vocab.superseded:
                found.append(f"'{term}' ({where(node)}): use '{vocab.superseded[term]}'")
    found = list(dict.fromkeys(found))
    if not found:
        return PASSED
    return failed(Hit(evidence=join_evidence(found), detail=f"{len(found)} superseded term(s) in the markup."))
