"""The text patterns the analyzers record with and the rules judge with: words and sentences,
FAQ headings, and the figures that need no outside source (a product's settings, the results
of running the page's own code, someone else's leaderboard).
"""

from __future__ import annotations

import re

SENTENCE = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9$£€])")

# a word, the one way every part of the tool counts them: letters or digits, with inner
# hyphens and apostrophes ("state-of-the-art", "don't" are one word each)
WORD = re.compile(r"\w+(?:[-'’]\w+)*")

FAQ_HEADING = re.compile(r"\b(faqs?|frequently asked questions|common questions|questions and "
                         r"answers|q\s*&\s*a)\b", re.I)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if s.strip()]


def words(text: str) -> list[str]:
    return WORD.findall(text)


def n_words(text: str) -> int:
    return len(WORD.findall(text))


# figures that need no outside source: the product's own settings ('By default, Flink takes
# 10% of the JVM heap'), and, on a page that shows its code, the results of running it ('we
# get an accuracy of 90%', 'a speedup of 130%') unless they are someone else's ('Quora's
# state of the art is 87%')
SETTING = re.compile(r"\bby default\b|\bdefaults? to\b|\bdefault (?:values?|settings?)\b|"
                     r"\b(?:option|setting|parameter) is set to\b", re.I)

METRIC = re.compile(r"\b(?:accuracy|accurate|precision|recall|loss|auc|f1|correct(?:ly)?|"
                    r"error rate|(?:execution |processing )?speed|"
                    r"speed-?ups?|(?:faster|slower) than|throughput|latency|performance|"
                    r"validation|"
                    r"training (?:set|time|data|examples)|test set|"
                    # the data it runs on ('0.172% of the observations are frauds'), and
                    # what its queries compute ('the first query asks for the average rating')
                    r"data ?set|data points|(?:test|train|training|validation) data|"
                    r"observations|samples|quer(?:y|ies)|"
                    r"(?:double|doubling|halve|halving|doubles|halves) (?:your|the|their|its))\b",
                    re.I)

THIRD_PARTY = re.compile(r"\bstate[- ]of[- ]the[- ]art\b|\bbest (?:entries|results|models?|"
                         r"teams?)\b|\bleaderboard\b|\bcompetition\b|\bpaper\b|"
                         r"\bpublished\b|\breported\b|\bothers\b|\baccording\b", re.I)
