"""Quotations in the main text and whom they credit: <blockquote>s and inline quoted passages,
without quoted code, URLs, addresses, log lines, titles in reference lists and changelogs,
or what someone might say; credited in the same block, a short neighbouring block, the
lead-in sentence, a dash credit line, or by continuing a credited quote (CI003 reads them).
"""

from __future__ import annotations

import re

from aeo.facts.text import WORD, n_words, sentences

SPEECH = re.compile(r"\b(said|says|say|saying|told|tells|wrote|writes|explains|explained|"
                    r"added|adds|according to|recalls|notes|noted|put it|hear from|"
                    r"testimonials?|reviews|citing|cites|quoting|quotes|as \w+ (?:puts|put) it|"
                    r"in (?:[\w-]+\s+){0,3}?[\w-]+[’']s?\s+own words)\b|^[—–-]\s*[^\W\d_]|"
                    r"\s[—–]\s*[A-Z]", re.I)

QUOTED = re.compile(r"[“\"]([^“”\"]{12,600})[”\"]")

# quoted text that is code, markup, a log line or a literal, not someone's words
CODEISH = re.compile(r"[{}<>=|\\*]|\{%|\{\{|\w\(\)|\b\d\d:\d\d:\d\d|\+-{3}|\bclass\s*=|"
                     r"^\s*\[[^\]]{1,12}\]|%[0-9A-Fa-f]{2}|://|\S@\S|"
                     r"\b[a-z]\w*\.[a-z]\w*\.[A-Za-z]\w*|\b\w+_\w+\.[a-z]{2,4}\b|"
                     r"\b\w+(?:Exception|Error)\b")

# a callout box set as a quote: 'Note: Set fps to NULL ...', 'Tip: ...'
CALLOUT = re.compile(r"^\s*(?:note|tip|warning|important|caution|hint|info|hinweis|achtung|"
                     r"astuce|nota)\b\s*[:!—–-]", re.I)

# a reference-list entry: its quoted titles are works cited, not quotations
REFERENCE = re.compile(r"\((?:19|20)\d\d[a-z]?\)|\b(?:19|20)\d\d[a-z]?\.\s|\bet al\.|arXiv|"
                       r"\bdoi\b|Proceedings|Journal of|\bpp\.\s*\d|\bVol\.\s*\d|ISBN|"
                       r"(?-i:\b[A-Z][A-Z0-9]{1,15}-\d{1,6}\b)", re.I)   # (and issue keys: FLINK-2)

# 'Again citing DeDeo, “...”', 'Citing from Statistical Rethinking:', 'according to Smith'
CUE_CREDIT = re.compile(r"\b(?i:citing|quoting|according to|in the words of|as)(?: from)?\s+"
                        r"((?:[A-Z][\w.’'-]+\s?){1,4})(?:\s+(?:put|puts|wrote|said)\b|[,:(]|$)|"
                        r"\b(?i:in)\s+([A-Z][\w.-]+)[’']s?\s+own words")

# a credit at the end of the quote itself: '— Para (@para_io) July 3, 2015', '- The Apache Mottos'
TRAILING_CREDIT = re.compile(r"[”\"]?\s+[—–-]{1,2}\s*(?:The\s+)?[A-Z][\w.'’ -]{1,60}"
                             r"(?:\(@\w+\))?[^—–]{0,40}$")

# words that make a short unpunctuated quote a statement ('Best CRM we have ever used')
SAYS_SOMETHING = re.compile(r"\b(?:I(?![’']d)|we|you|it|is|are|was|were|has|have|had|do|does|"
                            r"did|can|will|love|loved|use|used|saved|helped|made|recommend)\b")

# what the author imagines someone might say or think ('we might say "..."', 'you might
# have thought "..."', 'we may attribute to the network the conclusion, "..."')
HYPOTHETICAL = re.compile(r"\b(?:might|may|would|could|will|’d|'d)\s+(?:\w+\s+){0,3}?(?:say|"
                          r"think|thinking|thought|conclude|ask|attribute|wonder)\b|"
                          r"\byou(?:’re|'re| are)?\s+(?:probably\s+)?(?:thinking|wondering)\b|"
                          r"\b(?:we|I|you)\s+(?:\w+\s+)?(?:say|said|mean)\b", re.I)

# a gloss: '{{ x }} means "Output the value ..."', 'these votes mean: +1: "..."'
GLOSS = re.compile(r"\b(?:means?|meaning|stands? for|translates? (?:to|as)|read as|like|"
                   r"such as)\s*:?\s*[“\"]?$",
                   re.I)

# a lead-in that presents an example, an output or the author's own text, not someone's words
EXAMPLE_LEAD = re.compile(r"\b(?:the following|as follows|like this|like so|for example|"
                          r"for instance|such as|e\.g\.|here (?:is|are)|this is what|"
                          r"fail(?:s|ed)? with|output|input|prints?|returns?|looks like)\b",
                          re.I)

AUTHOR_VOICE = re.compile(r"\b(?:[Ww]e|us|[Oo]ur|[Ll]et[’']s|I)\b")

# what a model or a program produced ('this was how the model continued:')
MACHINE_LEAD = re.compile(r"\b(?:model|network|program|script|chatbot|assistant|GPT[-\w]*|"
                          r"ChatGPT|LLM)\s+(?:\w+\s+){0,2}?(?:continued|generated|produced|"
                          r"answered|replied|responded|wrote|returned|output|came up with)\b",
                          re.I)

# a written source named in lowercase: 'the psycopg mailing list', 'the documentation'
DOC_SOURCE = re.compile(r"\b(?:the|its|their|this|that)\s+(?:[\w-]+\s+){0,2}?(?:documentation|"
                        r"docs|paper|book|manual|specification|spec|readme|announcement|faq|"
                        r"mailing list|website|press release|report|study|survey|authors?|"
                        r"maintainers|providers|committee|board|jury)\b", re.I)


def _sentence_case(q: str) -> bool:
    """A quoted sentence, not a fragment ('batch is just a special case of streaming') or a
    title ('Beam on Flink: How Does It Actually Work?')."""
    words = re.findall(r"[^\W\d_][\w’'-]*", q)
    if not words or not words[0][0].isupper():
        return False
    if len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words):
        return False
    return True


def _lead_in(blocks: list[dict], i: int) -> str:
    """The sentence that introduces block i: the previous text block's last sentence, and the
    one before it when the last points back ('It’s worth reproducing their mission statement
    here:' after a sentence naming OpenMined)."""
    if i == 0 or blocks[i - 1].kind not in ("p", "li", "quote"):
        return ""
    near = blocks[i - 1].text
    said = sentences(near) or [near]
    if len(said) > 1 and said[-1].rstrip().endswith(":") and \
            re.search(r"\b(?:their|his|her|its|they|he|she)\b", said[-1], re.I):
        return " ".join(said[-2:])
    return said[-1]


def _repeats_page(q: str, blocks: list[dict], i: int) -> bool:
    """A pull quote: most of its four-word runs are already in the page's other blocks."""
    words = [w.lower() for w in WORD.findall(q)]
    runs = {tuple(words[k:k + 4]) for k in range(len(words) - 3)}
    if len(runs) < 4:
        return False
    seen, own = set(), " ".join(q.split())
    for j, b in enumerate(blocks):
        # (not the quote's own paragraphs, which a theme may repeat as blocks of their own)
        if j != i and b.kind in ("p", "li") and " ".join(b.text.split()) not in own:
            other = [w.lower() for w in WORD.findall(b.text)]
            seen |= {tuple(other[k:k + 4]) for k in range(len(other) - 3)} & runs
    return len(seen) >= 0.6 * len(runs)


def quotations(blocks: list[dict]) -> list[dict]:
    """Someone's words quoted on the page: a blockquote, a paragraph that is one quoted
    sentence, or a quoted sentence that the sentence around it says someone said. Each with
    the credit found nearby; the spaCy pass in citation_facts looks for a name in "context".

    Not quotations: fragments and titles in quotes, questions put (one or two sentences
    ending in '?'), glosses ('means "..."'),
    what the author imagines someone might say, examples the author introduces ('the
    following input', 'the rule we would like to support:'), code and log lines, pull quotes
    that repeat the page, callout boxes and reference-list entries."""
    quotes = []
    for i, b in enumerate(blocks):
        found = []   # (quoted text, the text around it that presents it)
        if b.kind == "quote":
            text = b.text.strip(" \"“”'")
            inner = max(QUOTED.finditer(b.text), key=lambda m: len(m.group(1)), default=None)
            before = b.text[:inner.start()] if inner else ""
            if inner and len(inner.group(1)) >= 0.4 * len(text) and \
                    (before.rstrip().endswith(":") or SPEECH.search(before)):
                # a blockquote that itself introduces the quote ('The 2023 SIGMOD Systems
                # Award goes to Apache Flink: "..."')
                found.append((inner.group(1), before + " " + b.text[inner.end():]))
            else:
                found.append((text, ""))
        elif b.kind in ("p", "li") and ('"' in b.text or "“" in b.text) and \
                not REFERENCE.search(b.text):   # (QUOTED needs an opening quote mark)
            for m in QUOTED.finditer(b.text):
                alone = b.kind == "p" and len(m.group(1)) >= 0.8 * len(b.text.strip(" \"“”'."))
                around = b.text[max(0, m.start() - 160):m.start()] + " " + \
                    b.text[m.end():m.end() + 120]
                if alone:
                    found.append((m.group(1), around))
                    continue
                # said so, and not imagined, in the quote's own sentence
                clause = re.split(r"[.!?]\s", b.text[max(0, m.start() - 160):m.start()])[-1] + \
                    " " + re.split(r"[.!?](?:\s|$)", b.text[m.end():m.end() + 120])[0]
                if SPEECH.search(clause) and not HYPOTHETICAL.search(clause) and not GLOSS.search(
                        b.text[max(0, m.start() - 40):m.start()]):
                    found.append((m.group(1), clause))
        for q, around in found:
            if n_words(q) < 5 or CODEISH.search(q) or CALLOUT.match(q) or \
                    not _sentence_case(q) or (q.rstrip(" .”\"'’").endswith("?")
                                                     and len(sentences(q)) <= 2):
                continue
            lead = _lead_in(blocks, i) if (b.kind == "quote" or not around.strip(" .,;")
                                            or len(q) >= 0.8 * len(b.text)) else ""
            if lead and (MACHINE_LEAD.search(lead) or (
                    not SPEECH.search(lead) and not CUE_CREDIT.search(lead) and (
                        EXAMPLE_LEAD.search(lead) or (AUTHOR_VOICE.search(lead)
                                                      and lead.rstrip().endswith(":"))))):
                continue   # the author's own example, rule, output or policy
            short = n_words(q) < 15 and not re.search(r"[.!?…][”\"’']?\d*\s*$", q)
            if short and (b.kind == "quote" or not around.strip(" .,;")) and (
                    not SAYS_SOMETHING.search(q) or (b.kind == "quote" and any(
                        0 <= j < len(blocks) and blocks[j].kind == "quote"
                        for j in (i - 2, i - 1, i + 1, i + 2)))):
                continue   # a label, or answer options set as quotes one under another
            if b.kind == "quote" and _repeats_page(q, blocks, i):
                continue
            if lead.rstrip().endswith(":") or SPEECH.search(lead) or CUE_CREDIT.search(lead):
                around += " " + lead   # 'Or as Edward Lorenz is said to have put it,'
            context = around if around.strip() else b.text
            credited = ""
            if TRAILING_CREDIT.search(q) or (b.kind != "quote" and re.search(
                    re.escape(q[-20:]) + r"[”\"]?\s+[—–-]\s*(?:The\s+)?[A-Z]", b.text)):
                credited = "a credit line"
            if b.kind == "quote":
                for j in (i - 1, i + 1):
                    if 0 <= j < len(blocks) and blocks[j].kind in ("p", "li") and \
                            n_words(blocks[j].text) <= 30:
                        context += " " + blocks[j].text
            if not credited and (m := CUE_CREDIT.search(context.replace(q, " "))):
                credited = (m.group(1) or m.group(2)).strip()
            if not credited and (lead.rstrip().endswith(":") or SPEECH.search(context)) and \
                    (m := DOC_SOURCE.search(context.replace(q, " "))):
                credited = m.group(0)   # 'on the psycopg mailing list:', 'as the docs say'
            quotes.append({"text": " ".join(q.split())[:300], "words": n_words(q),
                           "credited": credited, "context": context[:1500], "block": i})
    return quotes
