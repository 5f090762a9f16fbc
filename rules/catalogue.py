"""The rule catalogue as Markdown, generated from the registry: docs/rules.md.

`make docs` (or `aeo rules --markdown`) writes it; a test fails when the file in the repo is not
what the code would write, so the page never restates a rule by hand.
"""

from __future__ import annotations

from aeo.facts.records import PILLARS
from aeo.governance import Governance
from aeo.rules.base import Rule

PILLAR_NAMES = {"ACCESS": "Access: can answer engines reach and read the pages",
                "STRUCT": "Structured data: is the markup valid and complete",
                "ENTITY": "Entities: is the organization clearly one thing",
                "QA": "Questions and answers: is the content shaped to be quoted",
                "ATTR": "Attribution: who wrote it, and why trust them",
                "FRESH": "Freshness: is it dated, and current",
                "CITE": "Citations: are claims sourced"}


def shown(value) -> str:
    """A governance value as the TOML a client would write."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        items = [shown(v) for v in value]
        text = "[" + ", ".join(items) + "]"
        return text if len(text) <= 100 else "[" + ", ".join(items[:6]) + f", … ({len(items)} in all)]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {shown(v)}" for k, v in value.items()) + " }"
    return str(value)


def reads(r: Rule, gov: Governance) -> list[str]:
    """What the rule reads, one line each: facts, then settings with their values in force."""
    i = r.inputs
    lines = []
    if i.page:
        lines.append("page facts: " + ", ".join(i.page))
    if i.site:
        lines.append("site facts: " + ", ".join(i.site))
    for name in i.settings:
        lines.append(f"setting {name} = {shown(gov.settings.get(name))}")
    return lines


def _precision(r: Rule) -> str:
    m = r.precision
    if not m:
        return "not measured: no finding on the judged real sites yet"
    text = f"{m['precision']:.2f} over {m['judged']} judged findings ({m['measured']})"
    return text + (", advisory: shown apart, not scored" if r.advisory else "")


def markdown(rules: dict[str, Rule], gov: Governance) -> str:
    out = ["# The rules",
           "",
           "Generated from the rule registry by `make docs` (`aeo rules --markdown`); do not edit "
           "by hand. `aeo explain ID` shows one rule with the settings of a governance file. "
           "Precision is what `make precision` measured on the shared real sites "
           "([precision.md](precision.md)); a rule under the precision bar "
           f"({shown(gov.settings.get('precision_bar'))}) is advisory.",
           "",
           "| rule | pillar | scope | severity | title |",
           "|---|---|---|---|---|"]
    out += [f"| [{r.id}](#{r.id.lower()}) | {r.pillar} | {r.scope} | {r.severity} | "
            f"{r.heading.replace('|', '/')} |" for r in rules.values()]
    for pillar in PILLARS:
        mine = [r for r in rules.values() if r.pillar == pillar]
        if not mine:
            continue
        out += ["", f"## {PILLAR_NAMES.get(pillar, pillar)}"]
        for r in mine:
            where = (f"page rule on {', '.join(r.page_types)} pages" if r.scope == "page"
                     and not r.site_level else f"{r.scope} rule, judged over the whole site")
            out += ["", f"### {r.id}", "", f"**{r.heading}.** {where}; default severity "
                    f"{r.severity}; engines: {', '.join(r.engines)}. Precision: {_precision(r)}.",
                    "", f"*Why it matters.* {r.why}", "", f"*How to fix.* {r.fix}", "",
                    "Before:", "", "```", r.before.rstrip(), "```", "", "After:", "", "```",
                    r.after.rstrip(), "```", "", "Reads:", ""]
            out += [f"- {line}" for line in reads(r, gov)]
            out += ["", "References: " + ", ".join(f"<{u}>" for u in r.references)]
    return "\n".join(out) + "\n"
