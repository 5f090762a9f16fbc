"""The evidence facts the CITE rules read: every statistic in the main text and whether a source
is named or linked nearby, every quotation and whether someone is credited, and the links in
the main content that leave the site.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aeo.analyzers.nlp import names_only
from aeo.analyzers.quotations import SPEECH, quotations
from aeo.facts.records import Block, Quote, Statistic
from aeo.facts.text import METRIC, SETTING, THIRD_PARTY, sentences

# ('the first half of the suite' is a position, '100% compatible' a figure of speech)
# Each figure pattern opens with a lookahead on the first characters its matches can start
# with: the engine tries the rest only there (two to three times faster on a long sentence).
PERCENT = re.compile(r"(?=\d)(?<![\d.])(?!100\s?(?:%|percent|per cent)(?! of))\d+(?:[.,]\d+)?\s?"
                     r"(?:%|percent\b|per cent\b|percentage points?\b)|"
                     r"(?=[hat])(?<!first )(?<!second )(?<!other )(?<!latter )(?<!former )(?<!last )"
                     r"\b(?:half|a third|a quarter|two thirds|three quarters) of\b", re.I)

# ('28 x 28' is a shape; 'double check', 'double-underscore' and 'double digits' are words)
MULTIPLE = re.compile(r"(?=[\dbdefhinst])(?:\b\d+(?:\.\d+)?(?-i:[xX×]|\s[x×])(?=\W)(?!\s*(?:\d|(?!a\b)[a-z]\b))|\b\d+(?:\.\d+)?-fold\b|"
                      r"\b\d+(?:\.\d+)? times\b|\b(?:twice|two|three|four|five|six|seven|eight|"
                      r"nine|ten) times (?:more|less|faster|slower|higher|lower|as|greater|larger|"
                      r"smaller|the)\b|\b(?:by|in) half\b|\bhalve[sd]?\b|\b(?:doubl|tripl)(?:ed|"
                      r"ing)\b|\b(?:doubles|triples)\b(?!\s*(?:,|and\b|or\b))|\b(?:double|triple) (?:the|their|its|our|your|"
                      r"that|this)\b)", re.I)

RATIO = re.compile(r"(?=[\defnost])\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:in|out of) "
                   r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a hundred)\b", re.I)

# ('a moving average', 'the average user' are no figures)
AVERAGE = re.compile(r"(?=[\damo])(?:\b(?:an? )?(?:average|median|mean) of (?:about |around |over |nearly )?"
                     r"[$£€]?\d|\d[\d,.]*\s+(?:\w+\s+)?(?:seconds|minutes|hours|days|weeks|months|"
                     r"years)\b[^.]*\bon average\b|\bon average\b[^.]*\d|"
                     r"(?<!moving )(?<!running )(?<!weighted )(?<!rolling )(?<!exponential )"
                     r"\baverage\b(?:\W+\w+){0,6}?\W+[$£€~]?\d[\d,.]*(?![\d,.]|-(?!(?:second|minute|hour|"
                     r"day|week|month|year|percent)s?\b)[a-z]))", re.I)

MONEY = re.compile(r"(?=[$£€¥\d])(?:[$£€¥]\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|billion|thousand|trillion)\b)?|"
                   r"\b\d[\d,.]*\s?(?:million|billion|trillion)?\s?(?:dollars|pounds|euros)\b)",
                   re.I)

MONEY_STAT_CUE = re.compile(r"\b(average|median|typical(ly)?|on average|survey|study|research|"
                            r"report(s|ed)?|estimated?|total|lost|losing|market|worth|"
                            r"spend(s|ing)?|spent|billion|million|trillion|revenue|economy|"
                            r"a year|per year|annually|each year)\b", re.I)

PRICE_CUE = re.compile(r"\b(plans?|starts? at|from|costs? just|only|per (user|seat|month)|"
                       r"a month|/mo|subscription|trial|pricing|priced)\b", re.I)

STUDY_UNIT = re.compile(
    r"(?=[\daprs])(?:\b\d[\d,.]*\s+(?:\w+\s+){0,2}(?:respondents|participants|people surveyed|surveyed|"
    r"businesses|companies|firms|organi[sz]ations|customers|users|consumers|shoppers|adults|"
    r"employees|workers|marketers|founders|CFOs|CEOs|executives|owners|patients|students|"
    r"households|interviews|responses)\b|\b(?:analysis|survey|study|sample|poll|review) of "
    r"(?:over |more than |nearly |about |some )?\d[\d,.]*)", re.I)

# 'Flink 1.3 series users', 'Django 1.6 users': a version, not a count of people
VERSION_NUMBER = re.compile(r"\d+\.\d+(?:\.\d+)*\s+(?:series\s+)?\w+$|\d+\.\d+\.\d+")

SOURCE_CUE = re.compile(
    r"\baccording to\b|\bsource[sd]?\s*:|\(source|\breported (by|in)\b|\breports? (that|by)\b|"
    r"\b(found|finds|showed|shows|estimates?|estimated|concluded|revealed) that\b|"
    r"\b(survey|study|report|research|analysis|census|poll|data|figures|statistics) "
    r"(by|from|published|conducted|released|found|finds|shows|showed|concluded|revealed|"
    r"suggests)\b|\bpublished (by|in)\b|\bcited (by|in)\b|"
    r"\b(data|figures?) from\b|\b(?:19|20)\d\d (survey|study|report)\b|"
    r"\b(figure|figures|number|data|statistic)s? (is|are|comes?|came) from\b|"
    r"\bpublished the (figure|data|number|statistic)s?\b|"
    r"\bsays an? (?:\d{4} )?[\w&.'’ -]{0,40}(report|survey|study|analysis)\b|"
    # the page's own table or chart ('As can be seen from the above table, ...')
    r"\bas (?:can be )?(?:seen|shown) (?:in|from|below|above|on)\b|"
    r"\b(?:the|this) (?:above|following|below) (?:table|figure|chart|graph|plot)\b|"
    r"\b(?:table|figure|chart|graph|plot) (?:above|below)\b", re.I)

SOURCE_NAMED = re.compile(   # ', PwC estimated', 'per HMRC' (case matters: a name)
    r",\s*(?:the\s+)?[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*)*\s+(?:estimated|estimates|reported|"
    r"reports|found|finds|said|says|concluded|noted)\b|\b[Pp]er (?:the )?[A-Z]")

REPORTING = re.compile(r"\b(said|says|say|found|finds|reported|reports|estimated|estimates|"
                       r"published|publishes|shows|showed|concluded|noted|notes|survey|study|"
                       r"report|research|analysis|data)\b", re.I)

# an instruction is not a statistic: 'Increase the iterations by about 20%', 'Set aside 20%
# for validation'
INSTRUCTION = re.compile(r"^\W*(?:set|use|increase|decrease|reduce|keep|allocate|reserve|add|"
                         r"create|give|make|put|leave|pick|choose|limit|split|aim|raise|lower|"
                         r"multiply|divide|assign|configure|try)\s+(?:the|a|an|your|it|them|"
                         r"aside|up|about|at least|no more than|\d)", re.I)


def _is_count(match: re.Match) -> bool:
    """A count of people or firms is a whole number ('1,200 respondents'); '0.8, allowing
    users' and '1.0 that most users' are versions."""
    text = match.group(0)
    found = re.search(r"\d[\d,.]*", text)
    number = found.group(0).rstrip(",.") if found else ""
    scaled = re.search(r"\b(?:thousand|million|billion|k|m|bn)\b", text, re.I)
    return not VERSION_NUMBER.match(text) and ("." not in number or bool(scaled))


# nor is a supposition ('Assume that ... maybe 1 percent of them is black') or a threshold
# ('send a warning when a stock price changes more than 5%')
SUPPOSITION = re.compile(r"^\W*(?:assume|suppose|imagine|say|let[’']s say|pretend)\b|"
                         r"\b(?:maybe|hypothetically)\s+\d|\bfor the sake of argument\b|"
                         r",\s*say\W*$|,\s*say,|"
                         r"\bfor (?:instance|example),?\s+(?:a|an|if|say|suppose)\b[^.]{0,200}"
                         r"\bwould\b|\bif\b[^.]{0,60}\bthen\b", re.I)

# nor is how often an experiment ran ('All experiments were run 5x', 'executed at least 3
# times', 'rated at least 20 times'; not 'performed 6x better')
REPETITION = re.compile(r"\b(?:run|ran|executed|repeated|performed|rated|trained|tested|"
                        r"measured|sampled|retried|called)\b[^.]{0,40}?\b\d+\s?(?:x|times)\b"
                        r"(?!\s*(?:more|less|better|worse|faster|slower|higher|lower|as|"
                        r"greater|larger|smaller|the)\b)", re.I)

THRESHOLD = re.compile(r"\b(?:when|whenever|if|once|until|unless)\s+(?!asked|surveyed|polled)"
                       r"[^.;]{0,80}?\b(?:changes?|exceeds?|exceeding|drops?|falls?|rises?|goes|"
                       r"grows?|reaches|is|are|gets)\s+(?:\w+\s+){0,2}?(?:more|less|greater|"
                       r"fewer|higher|lower|above|below|over|under|beyond|past|by)?(?:\s+than)?"
                       r"\s*(?:about\s+)?\d[\d.,]*\s?(?:%|percent)", re.I)


def _has(text: str, *parts: str) -> bool:
    return any(p in text for p in parts)


def _is_statistic(sentence: str) -> str:
    """The kind of figure the sentence states, unless it is an instruction, a supposition, a
    threshold or a count of runs (looked for only where there is a figure: most sentences
    have none)."""
    kind = _figure(sentence)
    if kind and (INSTRUCTION.match(sentence) or SUPPOSITION.search(sentence) or
                 THRESHOLD.search(sentence) or REPETITION.search(sentence)):
        return ""
    return kind


# what every figure _figure() finds contains: a digit or one of these words (one pass, where
# _figure's patterns take five on a sentence without a figure)
MAYBE_FIGURE = re.compile(r"(?=[\ddefhnoqst])(?:\d|half|third|quarter|twice|times|doubl|tripl|halve|"
                          r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten) (?:in|out of) )",
                          re.I)


_DIGIT_TIMES = re.compile(r"\d(?:[xX×]|\s[x×])")   # what MULTIPLE's '28x' needs


def _figure(sentence: str) -> str:
    if not MAYBE_FIGURE.search(sentence):
        return ""
    # each pattern only where the words it needs are (a substring test is a hundred times
    # cheaper than a pattern tried at every position)
    low = sentence.lower()
    if _has(low, "%", "percent", "per cent", "half", "third", "quarter") and \
            PERCENT.search(sentence):
        return "percentage"
    if ((_has(low, "fold", "times", "half", "halve", "doubl", "tripl") or
         _DIGIT_TIMES.search(sentence)) and MULTIPLE.search(sentence)) or \
            RATIO.search(sentence):
        return "multiple"
    if _has(low, "average", "median", "mean") and AVERAGE.search(sentence):
        return "average"
    if any(_is_count(m) for m in STUDY_UNIT.finditer(sentence)):
        return "count"
    if _has(low, "$", "£", "€", "¥", "dollars", "pounds", "euros") and \
            MONEY.search(sentence) and MONEY_STAT_CUE.search(sentence) and \
            not (PRICE_CUE.search(sentence) and not re.search(r"\baverage|median\b", sentence,
                                                               re.I)):
        return "money"
    return ""


# the page's own figures: what 'we' measured ('In our experiments, ...', 'we measured a 40%
# drop'), unless they count people or firms; not 'We all know 90% of startups fail'
OWN = re.compile(r"\b(?:[Ww]e|[Oo]ur)\s+(?:\w+\s+){0,3}?(?:measured|found|saw|observed|got|"
                 r"achieved|reduced|cut|improved|increased|ran|benchmarked|tested|"
                 r"recommend|target|experiments?|tests?|benchmarks?|results?|measurements?|"
                 r"runs?)\b")

# on a page that shows its code, what 'we' do in it ('In about 50% of the cases, we also flip
# the image', 'we use ... rate = 0.10')
PROCEDURE = re.compile(r"\b(?:[Ww]e|[Oo]ur)\s+(?:\w+\s+){0,2}?(?:use|used|using|set|apply|"
                       r"applied|split|choose|chose|pick|keep|train|trained|flip|flipping|sample|"
                       r"assign|add|drop|remove|compute|computed)\b")

# a formula, not a figure: LaTeX, or arithmetic on an identifier ('buffer_timeout / 2')
MATH = re.compile(r"\\\(|\\\[|\$\$|\b\w+_\w+\s*[/*+-]\s*\d|\d\s*[x×*/]\s*[a-z]\w*_\w+")

LEAD_SOURCE = re.compile(r"\b(?:statistics|data|numbers|figures|results|summary)\b.*\bfrom\s+"
                         r"(?:the\s+)?[A-Z][\w.-]+", re.I)


def _anchor_in(sentence: str, anchors: list[str]) -> bool:
    low = sentence.lower()
    return any(a and len(a) > 1 and a.lower() in low for a in anchors)


def citation_facts(blocks: list[Block], nlp_model
                   ) -> tuple[tuple[Statistic, ...], tuple[Quote, ...]]:
    """Statistic sentences with how (or whether) a source is given in the same or the next
    sentence, and direct quotations with whether someone is credited."""
    units: list[tuple[int, str, list[str]]] = []   # (block, sentence, anchors of its block)
    list_lead: dict[int, tuple[int, str, list[str]]] = {}   # list item -> its list's lead-in
    for i, b in enumerate(blocks):
        if b.kind in ("p", "li", "quote"):   # (a table's cells are no sentences)
            anchors = [a[1] for a in b.anchors if len(a) > 1]
            if b.kind == "li" and i > 0:
                if blocks[i - 1].kind == "li" and i - 1 in list_lead:
                    list_lead[i] = list_lead[i - 1]
                elif blocks[i - 1].kind == "p" and blocks[i - 1].text.rstrip().endswith(":"):
                    # its last two sentences ('... statistics from GitHub. At the time of
                    # writing:'), naming a source in words (a link there may be any link:
                    # 'Try our free CRM today. Here are some numbers:')
                    list_lead[i] = (i - 1, " ".join(sentences(blocks[i - 1].text)[-2:]), [])
            for s in sentences(b.text):
                units.append((i, s, anchors))
    stats, to_tag = [], []
    shows_code = any(b.kind == "code" for b in blocks)
    for u, (bi, s, anchors) in enumerate(units):
        # (a figure inside quotation marks belongs to the quote: a caption, an imagined
        # conclusion)
        kind = _is_statistic(re.sub(r"“[^“”]{12,600}”", " ", s) if "“" in s else s)
        if not kind or MATH.search(s):
            continue
        nxt = units[u + 1] if u + 1 < len(units) and units[u + 1][0] in (bi, bi + 1) else None
        prev = units[u - 1] if u > 0 and units[u - 1][0] in (bi, bi - 1) else None
        # a lead-in that names the source of the list after it ('a summary of community
        # statistics from GitHub:')
        # ... for every item of that list
        lead = list_lead.get(bi) or (prev if prev and prev[1].rstrip().endswith(":") else None)
        how = ""
        if _anchor_in(s, anchors) or (nxt and _anchor_in(nxt[1], nxt[2])) or \
                (lead and _anchor_in(lead[1], lead[2])):
            how = "link"
        elif any(p.search(x) for p in (SOURCE_CUE, SOURCE_NAMED)
                 for x in (s, nxt[1] if nxt else "")) or (lead and (
                     LEAD_SOURCE.search(lead[1]) or SOURCE_CUE.search(lead[1]))):
            how = "named"
        elif SETTING.search(s):
            how = "the product's own setting"
        elif shows_code and METRIC.search(s) and not THIRD_PARTY.search(s):
            how = "the page's own measurement"
        elif (OWN.search(s) or (shows_code and PROCEDURE.search(s))) and kind != "count" and \
                not THIRD_PARTY.search(s):
            how = "the site's own figure"
        stats.append({"sentence": " ".join(s.split())[:300], "kind": kind, "source": how,
                      "context": " ".join((s + " " + (nxt[1] if nxt else "")).split())})
        if not how:
            to_tag.append(len(stats) - 1)
    quotes = quotations(blocks)
    # spaCy over the few sentences that need it: a named organization or person as source.
    docs = []
    if to_tag or quotes:
        with names_only(nlp_model):
            docs = list(nlp_model.pipe([stats[k]["context"] for k in to_tag] +
                                       [q["context"] for q in quotes], batch_size=32))
    for k, doc in zip(to_tag, docs[:len(to_tag)], strict=True):
        names = [e.text for e in doc.ents if e.label_ in ("ORG", "PERSON")]
        if names and REPORTING.search(doc.text):   # a name alone ('VAT') is not a source
            stats[k]["source"] = f"names {names[0]}"
    for q, doc in zip(quotes, docs[len(to_tag):], strict=True):
        if q["credited"]:
            continue
        outside = q["context"].replace(q["text"], " ")
        names = [e.text for e in doc.ents if e.label_ in ("ORG", "PERSON", "WORK_OF_ART")
                 and e.text not in q["text"]]
        if names and (SPEECH.search(outside) or q["context"] != q["text"]):
            q["credited"] = names[0]
        elif re.search(r"<cite>|[—–]\s*[A-Z][a-z]+", outside):
            q["credited"] = "a credit line"
    for prev, q in zip(quotes, quotes[1:], strict=False):
        # a translation, or the next paragraph of the same quote: two blocks on at most, with
        # no heading between
        if not q["credited"] and prev["credited"] and 0 < q["block"] - prev["block"] <= 2 and \
                not any(blocks[k].kind.startswith("h") for k in range(prev["block"], q["block"])):
            q["credited"] = prev["credited"]
    return (tuple(Statistic(s["sentence"], s["kind"], s["source"]) for s in stats[:50]),
            tuple(Quote(q["text"], q["words"], q["credited"]) for q in quotes[:30]))


def external_links(blocks: list[dict], page_url: str) -> list[str]:
    host = (urlsplit(page_url).hostname or "").removeprefix("www.")
    out = []
    for b in blocks:
        for href, *_ in b.anchors:
            try:
                target = urlsplit(href)
                target.hostname     # noqa: B018 - raises on a broken IPv6 host
            except ValueError:      # 'http://[oops/' links nowhere
                continue
            if target.scheme in ("http", "https") and target.hostname and \
                    target.hostname.removeprefix("www.") != host:
                out.append(href)
    return out
