"""What a message wants besides products: yes, no, thanks, a person, cancelling, a total or a price.

The phrases are data (`lexicon.toml` [intents]); here is only how they are looked for: a whole
message that is one of them (yes, no), a message made only of them and fillers (thanks), or a
phrase anywhere in the message on word boundaries (a person, cancelling, editing, questions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import fold

_WORD = re.compile(r"[^\W_]+")
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
"""Emoji skin-tone modifiers and the emoji presentation selector: 👍🏾 is 👍."""
_RUN = re.compile(r"(\w)\1+")


def normalised(text: str) -> str:
    """Folded words separated by one space, chat shorthand written out ("q" -> "que"); emojis
    and punctuation gone."""
    return _normalised(text) if len(text) <= _CACHED else _normalise(text)


_CACHED = 256
"""Longer texts (a 4,096-character message) are normalised each time rather than kept."""


@lru_cache(maxsize=4096)
def _normalised(text: str) -> str:
    """`_normalise`, remembered: one turn asks it of the same message about ten times."""
    return _normalise(text)


def _normalise(text: str) -> str:
    spelled = lexicon().spelled
    return " ".join(spelled(w) for w in _WORD.findall(fold(text)))


def language_words(text: str) -> list[str]:
    """The message's words as its language is told from them: shorthand written out, except the
    shorthand both languages write ("k": «que» or "ok")."""
    lex = lexicon()
    return [lex.spelled(w) for w in _WORD.findall(fold(text)) if w not in lex.either]


def is_exactly(text: str, intent: str) -> bool:
    """Whether the whole message is one of the intent's phrases ("sí", "👍🏾", "nel"), also
    stretched or said twice as people type them ("siiii", "daleee", "yesss", "vale vale")."""
    phrases = lexicon().intent_phrases(intent)
    bare = _SKIN_TONES.sub("", fold(text)).strip(" .!¡¿?,")
    words = normalised(text)
    if bare in phrases or (bool(words) and words in phrases) or _without_fillers(words) in phrases:
        return True
    stretched = _stretched_phrases(intent)
    said = (_unstretched(words), _unstretched(_without_fillers(words)))
    return any(w and (w in stretched or _phrases_in_a_row(w.split(), stretched)) for w in said)


def _phrases_in_a_row(words: list[str], phrases: frozenset[str]) -> bool:
    """Whether the words are two or more of the phrases one after another ("ok asi esta bien", "si
    dale", "va perfecto"): said twice, the intent is still the intent."""
    if len(words) > _IN_A_ROW:
        return False
    ends = {0}  # where a run of whole phrases ends
    for end in range(1, len(words) + 1):
        if any(start in ends and " ".join(words[start:end]) in phrases for start in range(end)):
            ends.add(end)
    return len(words) in ends


_IN_A_ROW = 8
"""A message longer than this says more than its yes or no."""


def _unstretched(words: str) -> str:
    """The words with every run of a letter as one letter and a word said twice in a row said once
    ("siii siii" -> "si", "yesss" -> "yes"): a stretched word is the word."""
    kept: list[str] = []
    for word in _RUN.sub(r"\1", words).split():
        if not kept or kept[-1] != word:
            kept.append(word)
    return " ".join(kept)


@cache
def _stretched_phrases(intent: str) -> frozenset[str]:
    """The intent's phrases as `_unstretched` reads them ("all good" -> "al god")."""
    return frozenset(_unstretched(p) for p in lexicon().intent_phrases(intent))


def mentions(text: str, intent: str) -> str | None:
    """The first of the intent's phrases found in the message on word boundaries, or None."""
    phrases = _phrases(intent)
    words = normalised(text)
    # The first phrase in the lexicon's order that is there: each run of the message's words that
    # starts as some phrase does is looked up, instead of every phrase searched for in the message.
    said = words.split(" ")
    first = len(phrases.order)
    for i, word in enumerate(said):
        if word in phrases.heads:
            for n in phrases.lengths:
                at = phrases.plain.get(" ".join(said[i : i + n]), first)
                first = min(first, at)
    if phrases.marks:
        raw = fold(text)
        first = min((at for at, mark in phrases.marks if at < first and mark in raw), default=first)
    for at, stem in phrases.stems:  # a stem: "cancel*" is "cancélemelo", "cancelen", "cancelar"…
        if at > first:
            break
        found = next((w for w in words.split() if w.startswith(stem)), None)
        if found is not None:
            return found
    return phrases.order[first] if first < len(phrases.order) else None


def only(text: str, intent: str) -> bool:
    """Whether the message says nothing but the intent's phrases, fillers and emojis ("gracias jefe 🙏")."""
    lex = lexicon()
    words = normalised(text)
    present = set(words.split())
    for phrase in _phrases(intent).by_words:  # only one whose every word is there can be taken out
        if present.issuperset(phrase[1]):
            words = f" {words} ".replace(f" {phrase[0]} ", " ").strip()
    folded = fold(text)
    found = mentions(text, intent) is not None or any(p in folded for p in lex.intent_phrases(intent))
    return found and all(w in lex.fillers for w in words.split())


def without(text: str, intent: str) -> str:
    """The message's words without any of the intent's phrases ("lo mismo de nuevo porfa" -> "porfa")."""
    words = f" {normalised(text)} "
    for phrase in lexicon().intent_phrases(intent):
        words = words.replace(f" {phrase} ", " ")
    return words.strip()


def after_opening(text: str, intent: str) -> str:
    """The message as written after one of the intent's phrases it opens with ("buenísimo,
    guárdame 2" -> "guárdame 2"); the message itself when it opens with none or says nothing more."""
    tokens = list(_WORD.finditer(text))
    said = [lexicon().spelled(w) for w in _WORD.findall(fold(text))]
    if len(said) != len(tokens):
        return text
    for phrase in lexicon().intent_phrases(intent):
        words = phrase.split()
        if said[: len(words)] == words and len(said) > len(words):
            return text[tokens[len(words) - 1].end() :].lstrip(" ,.!¡;:-")
    return text


def rest_after(text: str, phrase: str) -> str:
    """The message's words after `phrase` ("quítale la coca" -> "la coca")."""
    words = normalised(text)
    index = f" {words} ".find(f" {phrase} ")
    return words[index + len(phrase) :].strip() if index >= 0 else words


def rest_before(text: str, phrase: str) -> str:
    """The message's words before `phrase` ("la horchata cancélala" -> "la horchata")."""
    words = normalised(text)
    index = f" {words} ".find(f" {phrase} ")
    return words[: max(index - 1, 0)].strip() if index >= 0 else ""


def said_before(text: str, phrase: str) -> str:
    """The message as written before `phrase`, its commas and full stops kept ("a large fries,
    cajun corn and 2 teas, how much is that" -> "a large fries, cajun corn and 2 teas,"): a list
    read without its marks runs its items together. `rest_before` when the words cannot be told
    apart as written."""
    words = normalised(text).split()
    wanted = phrase.split()
    at = next((i for i in range(len(words)) if words[i : i + len(wanted)] == wanted), None)
    if at is None:
        return ""
    spelled, count, cut = lexicon().spelled, 0, None
    for token in _WORD.finditer(text):
        if count == at and cut is None:
            cut = token.start()
        count += len(spelled(fold(token.group(0))).split())
    return text[:cut] if cut is not None and count == len(words) else rest_before(text, phrase)


def _without_fillers(words: str) -> str:
    lex = lexicon()
    kept = [w for w in words.split() if w not in lex.fillers or w in ("si", "no", "ya", "va", "ok", "dale")]
    return " ".join(kept)


@dataclass(frozen=True)
class _Phrases:
    """An intent's phrases as `mentions` and `only` look for them, in the lexicon's order (longest first)."""

    order: tuple[str, ...]
    plain: dict[str, int]
    """ASCII phrases (whole words) -> their place in `order`: looked up among the message's words."""
    heads: frozenset[str]
    """The first words of the plain phrases."""
    lengths: tuple[int, ...]
    """How many words the plain phrases have."""
    stems: tuple[tuple[int, str], ...]
    """(place, stem) of the "cancel*" phrases: any word that starts with the stem."""
    marks: tuple[tuple[int, str], ...]
    """(place, phrase) of the phrases that are not words ("👍"): looked for in the folded text."""
    by_words: tuple[tuple[str, tuple[str, ...]], ...]
    """Every phrase with its words, in order: `only` takes out the ones all of whose words were said."""


@cache
def _phrases(intent: str) -> _Phrases:
    """The intent's phrases sorted by how they are looked for, once (the lexicon is read once)."""
    order = lexicon().intent_phrases(intent)
    plain: dict[str, int] = {}
    stems: list[tuple[int, str]] = []
    marks: list[tuple[int, str]] = []
    for at, phrase in enumerate(order):
        if phrase.endswith("*"):
            stems.append((at, phrase[:-1]))
        elif phrase.isascii():
            # Found in " words " between spaces only when made of single-spaced words: the words
            # of a normalised message never hold a space or punctuation of their own.
            if phrase.split(" ") == _WORD.findall(phrase):
                plain.setdefault(phrase, at)
        elif not phrase.replace(" ", "").isalnum():
            marks.append((at, phrase))
    heads = frozenset(phrase.split(" ")[0] for phrase in plain)
    lengths = tuple(sorted({len(phrase.split(" ")) for phrase in plain}))
    by_words = tuple((phrase, tuple(phrase.split(" "))) for phrase in order)
    return _Phrases(order, plain, heads, lengths, tuple(stems), tuple(marks), by_words)
