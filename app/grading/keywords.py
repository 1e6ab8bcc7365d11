"""Matching a learner's words against an author's keywords, for the structured kinds.

Case-insensitive and word by word: a keyword phrase matches a text that contains each of its
words, in any order, each with its usual endings. So "receive request" matches "Request
received" and "The surgery receives the patient's request", and "valuation report" matches
"Reports from the valuation". Authors write keywords in their base forms.
"""

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+")
_ENDINGS = ("", "e", "s", "es", "d", "ed", "ing", "er", "ers", "ion", "ions", "ment", "ments")


def words(text: str) -> list[str]:
    """The text's words, case-folded, with "&" read as "and" and "%" as "percent"."""
    text = text.casefold().replace("&", " and ").replace("%", " percent ")
    return [_singular(word) for word in _WORD.findall(text.replace("per cent", "percent"))]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _is_form_of(token: str, word: str) -> bool:
    stem = word[:-1] if len(word) > 3 and word.endswith("e") else word
    if len(stem) > 3 and stem.endswith("y"):
        stem_i = stem[:-1] + "i"
        if token.startswith(stem_i) and token[len(stem_i) :] in ("es", "ed"):
            return True
    return token.startswith(stem) and token[len(stem) :] in _ENDINGS


def mentions(text: str, phrases: Iterable[str]) -> str | None:
    """The first of `phrases` whose words all occur in `text`, or None."""
    tokens = words(text)
    for phrase in phrases:
        wanted = words(phrase)
        if wanted and all(any(_is_form_of(token, word) for token in tokens) for word in wanted):
            return phrase
    return None


def first_word(text: str) -> str:
    found = words(text)
    return found[0] if found else ""


def says(text: str, phrase: str) -> bool:
    """Whether `text` has the words of `phrase` next to each other, in order ("due to")."""
    tokens, wanted = words(text), words(phrase)
    size = len(wanted)
    return size > 0 and any(
        all(_is_form_of(t, w) for t, w in zip(tokens[i : i + size], wanted, strict=True))
        for i in range(len(tokens) - size + 1)
    )
