"""What the STRUCT rules read the stored markup with: the schema.org nodes of a page, where a
node sits and what it is called in evidence, property paths, Google's required and
recommended properties (rules/data/google_requirements.toml) and the value kinds schema.org
expects.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from aeo.facts.entities import EntityNode, Ref
from aeo.facts.reading import resolve_node
from aeo.facts.records import PageFacts, SiteFacts
from aeo.facts.schemaorg import DATA_TYPES, DATE_TYPES, NUMBER_TYPES, vocabulary
from aeo.rules.evidence import snippet

ALL = ("all",)

SCHEMA_SYNTAXES = ("json-ld", "microdata", "rdfa")

REQUIREMENTS_FILE = Path(__file__).parent / "data" / "google_requirements.toml"

ISO_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$")

ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

TEXTUAL = DATA_TYPES - NUMBER_TYPES - DATE_TYPES - {"URL", "Time", "Boolean", "True", "False",
                                                    "DataType"}


# -- reading the graph --------------------------------------------------------------------------
def schema_nodes(page: PageFacts) -> list[EntityNode]:
    return [n for n in page.entities if n.syntax in SCHEMA_SYNTAXES]


def where(node: EntityNode) -> str:
    if node.syntax == "json-ld":
        return f"JSON-LD block {node.block + 1}"
    return node.syntax


def label(page: PageFacts, node: EntityNode) -> str:
    """'FAQPage > mainEntity > Question' style path of a node, for evidence."""
    parts, seen = [], set()
    while node is not None and node.n not in seen:
        seen.add(node.n)
        parts.append("/".join(node.types) or "(untyped item)")
        if node.parent is None:
            break
        parts.append(node.prop)
        node = page.entities[node.parent]
    return " > ".join(reversed(parts))


def resolve(page: PageFacts, site: SiteFacts, value) -> EntityNode | None:
    """The node a value points at: on the page, else anywhere on the site by @id."""
    return resolve_node(page, value, site.entities_by_id)


def present(values) -> bool:
    return any(not (isinstance(v, str) and not v.strip()) for v in values)


def has_path(page: PageFacts, site: SiteFacts, node: EntityNode, path: str) -> bool:
    head, _, rest = path.partition(".")
    values = node.props.get(head, ())
    if not rest:
        return present(values)
    for v in values:
        if isinstance(v, str) and rest == "name" and v.strip():
            return True   # a bare-string author is named (SD008 reports the bare string)
        target = resolve(page, site, v)
        if target is None and isinstance(v, Ref):
            return True   # a reference we cannot see (another site): not reported as missing
        if target is not None and has_path(page, site, target, rest):
            return True
    return False


def ancestors(page: PageFacts, node: EntityNode):
    seen = {node.n}
    while node.parent is not None and node.parent not in seen:
        node = page.entities[node.parent]
        seen.add(node.n)
        yield node


# -- Google's requirements as data --------------------------------------------------------------
@dataclass(frozen=True)
class Requirement:
    types: tuple[str, ...]
    doc: str
    checked: str
    within: str = ""
    standalone_only: bool = False
    required: tuple[str, ...] = ()
    required_except_last: tuple[str, ...] = ()
    recommended: tuple[str, ...] = ()
    note: str = ""


@functools.lru_cache(maxsize=1)
def requirements() -> tuple[Requirement, ...]:
    data = tomllib.loads(REQUIREMENTS_FILE.read_text(encoding="utf-8"))
    return tuple(Requirement(**{k: tuple(v) if isinstance(v, list) else v
                                for k, v in item.items()}) for item in data["item"])


def _is_last_crumb(page: PageFacts, node: EntityNode) -> bool:
    if node.parent is None:
        return False
    parent = page.entities[node.parent]
    siblings = [v.node for v in parent.refs(node.prop) if v.node is not None]
    positions = {}
    for n in siblings:
        pos = [p for p in page.entities[n].values("position")
               if isinstance(p, (int, float)) or (isinstance(p, str) and NUMBER.match(p))]
        if pos:
            positions[n] = float(pos[0])
    if len(positions) == len(siblings) and positions:
        return node.n == max(positions, key=positions.get)
    return bool(siblings) and siblings[-1] == node.n


def missing_properties(page: PageFacts, site: SiteFacts, which: str) -> list[str]:
    """'Type > path lacks a, b (doc)' for every item missing what Google requires/recommends."""
    out = []
    for node in schema_nodes(page):
        if page.theme_markup and page.theme_markup in node.types:
            continue    # the theme's type on a page that is no article: SD101 reports it once
        for req in requirements():
            if not set(node.types) & set(req.types):
                continue
            if req.within and not any(req.within in a.types for a in ancestors(page, node)):
                continue
            if req.standalone_only and node.parent is not None:
                continue
            wanted = list(req.required if which == "required" else req.recommended)
            if which == "required" and req.required_except_last and \
                    not _is_last_crumb(page, node):
                wanted += req.required_except_last
            lacking = [p for p in wanted if not any(has_path(page, site, node, alt)
                                                    for alt in p.split("|"))]
            heads = {p for p in lacking if "." not in p}
            lacking = [p for p in lacking   # 'author' missing says all of 'author.name'
                       if not any(alt.split(".")[0] in heads for alt in p.split("|") if "." in alt)]
            if lacking:
                name = next((v for v in node.props.get("name", ()) if isinstance(v, str)), "")
                named = f" '{snippet(name, 50)}'" if name else ""
                out.append(f"{label(page, node)}{named} ({where(node)}) lacks "
                           f"{', '.join(p.replace('|', ' or ') for p in lacking)}")
    return out


# -- value kinds (SD008) ------------------------------------------------------------------------
def looks_like_url(value: str) -> bool:
    """An absolute URL or a relative reference: no spaces (relative ones resolve to the page)."""
    v = value.strip()
    return bool(v) and not any(c.isspace() for c in v)


def wrong_kind(prop: str, value, syntax: str) -> str:
    """Why a value is the wrong kind for a property ('' when fine)."""
    if prop == "author":
        if isinstance(value, str) and value.strip():
            return f"author is the bare string '{snippet(value, 40)}', not a Person or Organization"
        return ""
    if not isinstance(value, str) or not value.strip():
        return ""   # an empty value is a missing one (SD003/SD004), not a wrong kind
    ranges = set(vocabulary().ranges.get(prop, ()))
    if not ranges or ranges & TEXTUAL:
        return ""   # the property takes text (or anything): any string is fine
    v = value.strip()
    if ranges & DATE_TYPES or "Time" in ranges:
        if syntax == "rdfa":
            return ""   # extruct's RDFa reader gives <time>'s text, not its datetime attribute
        if ISO_DATE.match(v) or ("Time" in ranges and ISO_TIME.match(v)):
            return ""
        if ranges <= DATE_TYPES | {"Time"}:
            return f"{prop} '{snippet(v, 40)}' is not an ISO 8601 date"
        return ""
    if ranges == {"URL"} and not looks_like_url(v):
        return f"{prop} '{snippet(v, 40)}' is not a URL"
    if syntax == "json-ld" and ranges <= NUMBER_TYPES:
        if NUMBER.match(v.replace(",", "")) is None:
            return f"{prop} '{snippet(v, 40)}' is text where a number is required"
    return ""


# -- for the rules' examples ---------------------------------------------------------------------
def example_node(n: int, types: list[str], props: dict, parent: int | None = None,
                 prop: str = "") -> EntityNode:
    """An entity node as the analyzer stores it, for the rules' examples (props as JSON:
    {"ref": 1} nests item 1, {"id": iri} names an item by @id)."""
    return EntityNode.from_json({"n": n, "syntax": "json-ld", "block": 0, "types": types,
                                 "parent": parent, "prop": prop, "props": props})
