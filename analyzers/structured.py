"""Structured data out of one parsed page: every JSON-LD block (read strictly, repaired where a
lenient reading can recover it), microdata, RDFa and OpenGraph, as one list of entity nodes.

extruct reads microdata, RDFa and OpenGraph from the tree the page was already parsed into.
JSON-LD is read block by block (analyzers/jsonld.py), because extruct's reader drops every
block on a page when one is malformed, misses `application/ld+json; charset=utf-8`, and cannot
say what was wrong.

A node is a plain dict (it crosses a process boundary and is stored as JSON):
    n        index on the page             syntax  json-ld | microdata | rdfa | opengraph
    block    JSON-LD block index or None   types   schema.org local names (others kept whole)
    id       absolute @id / itemid or ''   parent  n of the node this one is a value of, or None
    prop     the property of the parent    props   {term: [value, ...]}
    ext      terms that are not schema.org terms (not checked against the vocabulary)
A value is a str, int, float or bool; {"ref": n} for a node on the page; {"id": iri} for a
reference to a node elsewhere (resolved across the site by the rules).
"""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

from aeo.analyzers import costs
from aeo.analyzers.jsonld import MAX_DEPTH, jsonld_scripts, read_block
from aeo.facts.entities import EntityNode
from aeo.facts.schemaorg import local_name

MAX_NODES = 2000                # per page

MAX_TEXT = 5000                 # characters kept of one string value

SYNTAXES = ("json-ld", "microdata", "rdfa", "opengraph")

_RDFA_META = ("http://www.w3.org/ns/rdfa#", "http://ogp.me/ns", "https://ogp.me/ns",
              "http://www.w3.org/1999/xhtml/vocab#")

SCHEMA_ALIASES = {"type": "@type", "id": "@id"}


def _scalar(value):
    """A property value as the module's invariant wants it: text (capped), a number or a
    boolean; anything else a syntax's extractor hands over (a dict or list that is no item)
    is not a value a rule can read."""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, (int, float, bool)):
        return value
    return None


class _Context:
    __slots__ = ("schema", "custom")

    def __init__(self, schema: bool, custom: frozenset[str] = frozenset()):
        self.schema = schema
        self.custom = custom

    def derive(self, ctx) -> _Context:
        schema, custom = self.schema, set(self.custom)
        for c in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(c, str):
                schema = "schema.org" in c.lower()
            elif isinstance(c, dict):
                vocab = c.get("@vocab")
                if isinstance(vocab, str):
                    schema = "schema.org" in vocab.lower()
                custom |= {k for k in c if not k.startswith("@") and k != "schema"}
            elif c is None:
                schema, custom = False, set()
        return _Context(schema, frozenset(custom))


class GraphBuilder:
    def __init__(self, page_url: str):
        self.page_url = page_url
        self.nodes: list[dict] = []
        self.truncated = False

    def _absolute(self, iri) -> str:
        if not isinstance(iri, str) or not iri.strip():
            return ""
        iri = iri.strip()
        if iri.startswith("_:"):
            return iri
        try:
            return urljoin(self.page_url, iri)
        except ValueError:
            return iri

    def _new(self, syntax: str, block, parent, prop: str) -> dict | None:
        if len(self.nodes) >= MAX_NODES:
            self.truncated = True
            return None
        node = {"n": len(self.nodes), "syntax": syntax, "block": block, "types": [], "id": "",
                "parent": parent, "prop": prop, "props": {}, "ext": []}
        self.nodes.append(node)
        return node

    @staticmethod
    def _term(term: str, ctx: _Context) -> tuple[str, bool]:
        """(the name we store, whether it is a schema.org term)."""
        if term in ctx.custom:
            return term, False
        name = local_name(term)
        if name is None:
            return term, False
        if name == term and not ctx.schema:
            return term, False
        return name, True

    # JSON-LD -----------------------------------------------------------------------------

    def add_jsonld(self, values: list, block: int) -> None:
        ctx = _Context(schema=True)   # no @context at all: read as schema.org, as engines do
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                self._jsonld(item, ctx, None, "", block, 0)

    def _jsonld(self, obj, ctx: _Context, parent, prop: str, block: int, depth: int):
        if isinstance(obj, str):
            return obj[:MAX_TEXT]
        if isinstance(obj, (bool, int, float)):
            return obj
        if isinstance(obj, list):
            out = []
            for v in obj:
                got = self._jsonld(v, ctx, parent, prop, block, depth + 1)
                out += got if isinstance(got, list) else [got]
            return out
        if not isinstance(obj, dict) or depth > MAX_DEPTH:
            return None
        if "@context" in obj:
            ctx = ctx.derive(obj["@context"])
        if ctx.schema and ("type" in obj or "id" in obj):
            # schema.org's context aliases "type" and "id" to the keywords
            obj = {SCHEMA_ALIASES.get(k, k): v for k, v in obj.items()
                   if not (k in SCHEMA_ALIASES and SCHEMA_ALIASES[k] in obj)}
        if "@value" in obj:
            return self._jsonld(obj["@value"], ctx, parent, prop, block, depth + 1)
        for key in ("@list", "@set"):
            if key in obj:
                return self._jsonld(obj[key], ctx, parent, prop, block, depth + 1)
        content = [k for k in obj if k not in ("@context", "@id", "@graph")]
        if "@graph" in obj:
            self._jsonld(obj["@graph"], ctx, None, "", block, depth + 1)
            if not content:
                return None
        if not content and "@id" in obj:
            return {"id": self._absolute(obj["@id"])}
        node = self._new("json-ld", block, parent, prop)
        if node is None:
            return None
        node["id"] = self._absolute(obj.get("@id"))
        raw_types = obj.get("@type")
        for t in raw_types if isinstance(raw_types, list) else [raw_types]:
            if isinstance(t, str) and t.strip():
                name, known = self._term(t.strip(), ctx)
                node["types"].append(name)
                if not known:
                    node["ext"].append(name)
        for key, value in obj.items():
            if not isinstance(key, str) or key.startswith("@"):
                continue   # keywords, and unknown @-terms JSON-LD processors ignore
            name, known = self._term(key, ctx)
            if not known and name not in node["ext"]:
                node["ext"].append(name)
            got = self._jsonld(value, ctx, node["n"], name, block, depth + 1)
            values = got if isinstance(got, list) else [got]
            node["props"].setdefault(name, []).extend(v for v in values if v is not None)
        return {"ref": node["n"]}

    # microdata ---------------------------------------------------------------------------

    def add_microdata(self, items: list) -> None:
        for item in items:
            self._microdata(item, None, "", 0)

    def _microdata(self, item, parent, prop: str, depth: int):
        if not isinstance(item, dict) or "properties" not in item and "type" not in item:
            return _scalar(item)
        if depth > MAX_DEPTH:
            return None
        node = self._new("microdata", None, parent, prop)
        if node is None:
            return None
        node["id"] = self._absolute(item.get("id"))
        raw_types = item.get("type") or []
        schema_item = False
        for t in raw_types if isinstance(raw_types, list) else [raw_types]:
            name = local_name(t) if "/" in t or ":" in t else None
            if name is None:
                node["types"].append(t)
                node["ext"].append(t)
            else:
                node["types"].append(name)
                schema_item = True
        for key, value in (item.get("properties") or {}).items():
            name = local_name(key) if ("/" in key or ":" in key) else key
            if name is None or not schema_item:
                name = name or key
                node["ext"].append(name)
            values = value if isinstance(value, list) else [value]
            for v in values:
                got = self._microdata(v, node["n"], name, depth + 1)
                if got is not None:
                    node["props"].setdefault(name, []).append(got)
        return {"ref": node["n"]}

    # RDFa (extruct's expanded JSON-LD output) --------------------------------------------

    def add_rdfa(self, items: list) -> None:
        first = len(self.nodes)
        for item in items:
            if not isinstance(item, dict):
                continue
            props = {k: v for k, v in item.items()
                     if not k.startswith("@") and not k.startswith(_RDFA_META)}
            if not item.get("@type") and not props:
                continue   # OpenGraph and RDFa bookkeeping only: the OG extractor reads those
            node = self._new("rdfa", None, None, "")
            if node is None:
                return
            node["id"] = item.get("@id", "")
            for t in item.get("@type", []):
                name = local_name(t)
                node["types"].append(name or t)
                if name is None:
                    node["ext"].append(t)
            for key, values in props.items():
                name = local_name(key)
                if name is None:
                    name = key
                    node["ext"].append(key)
                for v in values if isinstance(values, list) else [values]:
                    if isinstance(v, dict) and "@value" in v:
                        v = v["@value"]
                        v = v[:MAX_TEXT] if isinstance(v, str) else v
                    elif isinstance(v, dict) and "@id" in v:
                        v = {"id": v["@id"]}
                    else:
                        v = _scalar(v)
                    if v is not None:
                        node["props"].setdefault(name, []).append(v)
        # Nest RDFa nodes under the first node that points at them.
        by_id = {n["id"]: n for n in self.nodes[first:] if n["id"]}
        for node in self.nodes[first:]:
            for name, values in node["props"].items():
                for v in values:
                    child = by_id.get(v["id"]) if isinstance(v, dict) and "id" in v else None
                    if child is not None and child["parent"] is None and child is not node:
                        child["parent"], child["prop"] = node["n"], name
        for node in self.nodes[first:]:
            if node["id"].startswith("_:"):
                node["id"] = ""

    # OpenGraph ---------------------------------------------------------------------------

    def add_opengraph(self, items: list) -> None:
        for item in items:
            node = self._new("opengraph", None, None, "")
            if node is None:
                return
            for key, value in item.get("properties", []):
                node["props"].setdefault(key, []).append(value[:MAX_TEXT])
                if key not in node["ext"]:
                    node["ext"].append(key)

    def finish(self) -> list[EntityNode]:
        """Point references at nodes on the same page where their @id is here; the nodes,
        frozen."""
        by_id: dict[str, int] = {}
        for node in self.nodes:
            if node["id"] and node["id"] not in by_id and (node["props"] or node["types"]):
                by_id[node["id"]] = node["n"]
        for node in self.nodes:
            for values in node["props"].values():
                for v in values:
                    if isinstance(v, dict) and "id" in v and v["id"] in by_id:
                        v["ref"] = by_id[v["id"]]
        return [EntityNode.from_json(node) for node in self.nodes]


def extract(root: etree._Element | None, page_url: str) -> dict:
    """Every syntax's items as entity nodes, the JSON-LD blocks' fate and a status per syntax:
    'found', 'none' or 'failed: why' (a failure is never reported as 'none')."""
    if root is None:
        return {"status": dict.fromkeys(SYNTAXES, "failed: empty or unparseable body"),
                "blocks": [], "nodes": [], "jsonld": [], "truncated": False}
    import extruct.opengraph
    import extruct.rdfa
    import extruct.w3cmicrodata

    lap = costs.Laps()
    builder = GraphBuilder(page_url)
    status: dict[str, str] = {}
    blocks, jsonld = [], []
    for i, script in enumerate(jsonld_scripts(root)):
        info, values = read_block(i, script)
        blocks.append(info)
        items = [x for v in values for x in (v if isinstance(v, list) else [v]) if x]
        if items:
            jsonld.extend(items)
            builder.add_jsonld(items, i)
    if not blocks:
        status["json-ld"] = "none"
    elif jsonld:
        status["json-ld"] = "found"
    else:
        status["json-ld"] = f"failed: {len(blocks)} block(s), none readable"

    lap("structured data: json-ld")

    def run(syntax: str, work) -> None:
        try:
            found = work()
        except Exception as exc:  # noqa: BLE001 - a third-party extractor on hostile input
            status[syntax] = f"failed: {type(exc).__name__}: {str(exc)[:150]}"
            return
        finally:
            lap(f"structured data: {syntax}")
        status[syntax] = "found" if found else "none"

    def microdata():
        before = len(builder.nodes)
        if root.xpath("boolean(//*[@itemscope])"):
            builder.add_microdata(extruct.w3cmicrodata.MicrodataExtractor(
                add_text_content=False, add_html_node=False).extract_items(root, page_url))
        return len(builder.nodes) > before

    def rdfa():
        before = len(builder.nodes)
        # Only pages with RDFa typing pay for it; OpenGraph meta tags alone are read below.
        if root.xpath("boolean(//*[@typeof or @vocab or @about or @resource"
                      " or (@property and not(self::meta))])"):
            builder.add_rdfa(extruct.rdfa.RDFaExtractor().extract_items(root, base_url=page_url))
        return len(builder.nodes) > before

    def opengraph():
        before = len(builder.nodes)
        builder.add_opengraph(list(extruct.opengraph.OpenGraphExtractor().extract_items(root)))
        return len(builder.nodes) > before

    run("microdata", microdata)
    run("rdfa", rdfa)
    run("opengraph", opengraph)
    nodes = builder.finish()
    lap("structured data: graph")
    return {"status": status, "blocks": blocks, "nodes": nodes, "jsonld": jsonld,
            "truncated": builder.truncated}
