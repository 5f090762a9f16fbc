"""Is a heading phrased as a question? Parsed with spaCy's part-of-speech tags, not guessed
from a '?' or a leading 'how'.

A heading is a question when (after numbering and labels such as 'Q:' or 'Step 3 -' are
removed, and for each part around a colon or dash):
- it ends with '?';
- it opens with an auxiliary or modal verb followed by its subject ('Can I deduct...',
  'Is my data secure', 'Does X work', 'Isn't cash simpler');
- it opens with a wh-word followed by an auxiliary or modal ('How does X work', 'What is Y',
  'How much does it cost', 'Why not use...');
- or a who/what/which subject question: the wh-word (and its noun) followed by a finite verb
  in the third person or past ('What happens if...', 'Which loan fits...', 'Who owns...').
Not questions: 'How to X', 'How We Rebuilt Our Pipeline', 'Why Cash Flow Forecasts Fail',
'What Lenders Check', '5 Tools That Will Save You Time', "What's New in 2.0".
"""

from __future__ import annotations

import re

WH = {"how", "what", "why", "when", "where", "which", "who", "whom", "whose"}
AUX = {"is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "should",
       "would", "will", "shall", "may", "might", "must", "has", "have", "had", "isn't",
       "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "can't", "couldn't",
       "shouldn't", "wouldn't", "won't", "hasn't", "haven't", "mustn't"}
_BE_HAVE = {"is", "are", "was", "were", "am", "has", "have", "had", "ain"}
HOW_DEGREE = {"much", "many", "long", "often", "far", "old", "big", "soon", "late", "early",
              "fast", "quickly", "well"}
SUBJECTS = ("PRON", "DET", "NOUN", "PROPN", "ADJ", "NUM")
_LABEL = re.compile(r"^\s*(?:(?:q|faq|question)\s*[:.)-]\s*|\d+[.)]\s+|step\s+\d+\s*[:.–—-]\s*)",
                    re.I)
_PARTS = re.compile(r"\s*(?::|\s[–—-]\s)\s*")
_TRAILING = re.compile(r"[\s¶#§🔗]+$")
_NOT_QUESTIONS = re.compile(r"^(what(['’]s| is) new|what(['’]s| is) next|how it works|"
                            r"why us|who we are|what we do)\b", re.I)


def candidates(text: str) -> list[str]:
    """The parts of a heading that could be the question, in sentence case for the tagger
    (Title Case makes it call every word a proper noun)."""
    text = _TRAILING.sub("", " ".join(text.replace("？", "?").replace("؟", "?").split()))
    out = []
    for part in _PARTS.split(text):
        part = _LABEL.sub("", part).strip()
        if part:
            out.append(part)
    return out


def sentence_case(text: str) -> str:
    words = text.split()
    fixed = []
    for i, w in enumerate(words):
        keep = w.isupper() and len(w) > 1 or any(c.isupper() for c in w[1:]) or w == "I"
        fixed.append(w if keep else (w.capitalize() if i == 0 else w.lower()))
    return " ".join(fixed)


def _cue(part: str) -> bool:
    first = part.split()[0].lower().strip("\"“'‘(").replace("’", "'")
    return first in WH or first.split("'")[0] in WH or first in AUX or part.endswith("?")


def is_question_doc(doc, raw: str) -> bool:
    """Judge one heading part from its tagged doc (tagged in sentence case)."""
    if raw.rstrip().endswith("?"):
        return True
    if _NOT_QUESTIONS.search(raw):
        return False
    toks = [t for t in doc if not t.is_punct and not t.is_space]
    if len(toks) < 2:
        return False
    first = toks[0].text.lower().replace("’", "'")
    nxt = toks[1]
    nxt_word = nxt.text.lower().replace("’", "'")
    if first in AUX or (first + nxt_word) in AUX or nxt_word in ("n't", "not"):
        # 'Can I...', 'Is it...', "Isn't cash..." ; not 'Can-Do', "Do's and Don'ts"
        if "-" in toks[0].text or toks[0].text.lower().endswith("'s"):
            return False
        subject = toks[2] if nxt_word in ("n't", "not") and len(toks) > 2 else nxt
        if subject.text.lower() in ("and", "or", "&") or subject.tag_ in ("POS",):
            return False
        if subject.pos_ not in SUBJECTS or toks[0].pos_ not in ("AUX", "VERB", "PART", "ADV") \
                or toks[0].tag_ in ("NNP", "NN", "NNS"):
            return False
        if first.split("n't")[0].rstrip("'") in _BE_HAVE or first in _BE_HAVE:
            return True                    # 'Is my data secure', 'Has the rate changed'
        # a modal or 'do' question needs its verb: 'Can I deduct', not 'Can Openers Reviewed'
        return any(t.tag_ == "VB" for t in toks[2:])
    if first not in WH:
        return False
    if nxt_word in ("to",):
        return False                       # 'How to X', 'What to put on an invoice'
    if nxt_word == "not" or (first == "how" and nxt_word == "come") or \
            (first == "what" and nxt_word == "if"):
        return True                        # 'Why not...', 'How come...', 'What if...'
    i = 1
    if first == "how" and nxt_word in HOW_DEGREE:
        i = 2                              # 'How much does...', 'How long should...'
        if i < len(toks) and toks[i].pos_ == "ADV" and toks[i].text.lower() not in AUX:
            i = 3                          # 'How far back can...'
    if i < len(toks) and (toks[i].text.lower().replace("’", "'") in AUX or
                          toks[i].text.lower() in ("'s", "'re", "'ve", "'ll", "'d")):
        return True                        # 'How does...', 'What is...', "What's the..."
    if first in ("what", "which", "who", "whose"):
        # a subject question: 'What happens', 'Which loan fits', 'Who owns'
        j = 1
        if first in ("which", "what", "whose"):
            while j < len(toks) and toks[j].pos_ in ("NOUN", "ADJ", "PROPN", "COMPOUND") \
                    and toks[j].tag_ not in ("VBZ", "VBD"):
                j += 1
        if j < len(toks) and toks[j].tag_ in ("VBZ", "VBD") and toks[j].pos_ in ("VERB", "AUX"):
            return True
    return False


def question_flags(texts: list[str], nlp=None) -> list[bool]:
    """For each heading text: is it phrased as a question? Headings without a question cue
    (a '?', a leading wh-word or auxiliary in some part) are never sent to the tagger."""
    if nlp is None:
        from aeo.analyzers.nlp import load

        nlp = load()
    parts = [(i, p) for i, t in enumerate(texts) for p in candidates(t) if _cue(p)]
    flags = [False] * len(texts)
    for i, p in parts:
        if p.rstrip().endswith("?"):   # a question whatever its words (is_question_doc)
            flags[i] = True
    parts = [(i, p) for i, p in parts if not flags[i]]
    if not parts:
        return flags
    with nlp.select_pipes(enable=["tok2vec", "tagger", "attribute_ruler"]):
        docs = nlp.pipe([sentence_case(p) for _, p in parts], batch_size=64)
        for (i, raw), doc in zip(parts, docs, strict=True):
            if not flags[i] and is_question_doc(doc, raw):
                flags[i] = True
    return flags
